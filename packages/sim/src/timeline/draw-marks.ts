/**
 * The drawing of a lane's point events, as browser source (see drawing.ts): register and shared-field
 * accesses, the scheduler's departures and the reports' marks with their labels.
 */
export const DRAW_MARKS_SOURCE = String.raw`
/** Accesses: one stroke per pixel column, taller for more; labelled where the next one leaves room. */
function drawAccesses(c, lane, row, fields) {
  const a = lane.accesses;
  const columns = [];
  for (let i = 0; i < a.length; i += 4) {
    const tick = a[i];
    if (tick < c.t0 || tick > c.t1 || a[i + 1] >= 2 !== fields) continue;
    const col = Math.min(c.plot - 1, Math.floor(c.X(tick) - GUTTER));
    const lastColumn = columns[columns.length - 1];
    if (lastColumn !== undefined && lastColumn.c === col) {
      lastColumn.n++;
      lastColumn.last = i;
    } else columns.push({ c: col, n: 1, first: i, last: i });
  }
  const describe = (i) => {
    const kind = a[i + 1];
    const name = c.model.names[a[i + 2]] ?? '…';
    const what =
      kind === 0
        ? 'read ' + name + ' → ' + hex(a[i + 3])
        : kind === 1
          ? 'write ' + name + ' = ' + hex(a[i + 3])
          : (kind === 2 ? 'read' : 'write') + ' field ' + name;
    return what + ' @' + a[i];
  };
  const short = (i) => {
    const kind = a[i + 1];
    const name = c.model.names[a[i + 2]] ?? '…';
    return kind === 0
      ? name + '→' + hex(a[i + 3])
      : kind === 1
        ? name + '=' + hex(a[i + 3])
        : (kind === 2 ? 'r' : 'w') + ' ' + name;
  };
  const d = [];
  const bottom = row.y + row.h - 2;
  columns.forEach((col, k) => {
    const h = Math.min(row.h - 4, 4 + Math.log2(col.n) * 3);
    const x = GUTTER + col.c + 0.75;
    d.push('M' + n1(x) + ' ' + bottom + 'v-' + n1(h));
    if (!c.titles) {
      // Up to eight of the column's accesses, in order.
      const lines = [];
      for (let i = col.first; i <= col.last && lines.length < 8; i += 4)
        if (a[i + 1] >= 2 === fields) lines.push(describe(i));
      if (col.n > lines.length) lines.push('… ' + col.n + ' accesses in all');
      tip(c, x - 1, row.y, x + 2, row.y + row.h, lines.join('\n'));
    }
    if (col.n !== 1) return;
    const label = short(col.first);
    const next = columns[k + 1];
    const room = (next === undefined ? c.plot : next.c) - col.c - 4;
    if (textWidth(label, SMALL) + 3 <= room)
      c.out.push(el('text', { x: GUTTER + col.c + 3, y: row.y + row.h - 4, class: 'access-label' }, esc(label)));
  });
  if (d.length > 0) c.out.push(el('path', { class: 'access' + (fields ? ' field' : ''), d: d.join('') }));
}

/** Scheduler departures (diamonds) and reports (dots on a band across the lane), the headline labelled first. */
function drawMarks(c, lane, l, row) {
  const model = c.model;
  const cy = row.y + row.h / 2;
  const ch = lane.choices;
  const obstacles = [];
  for (let i = 0; i < ch.length; i += 4) {
    if (ch[i] < c.t0 || ch[i] > c.t1) continue;
    const x = c.X(ch[i]);
    obstacles.push([x - 7, x + 7]);
    const name = model.names[ch[i + 1]] ?? '…';
    const departure = 'scheduler departure #' + ch[i + 2] + ' → alternative ' + ch[i + 3];
    const text = departure + ': ' + name + ' (tick ' + ch[i] + ')';
    const diamond = el('path', { d: 'M' + n1(x) + ' ' + (cy - 7) + 'l6 7l-6 7l-6-7z' });
    c.out.push(el('g', { class: 'choice' }, diamond + tip(c, x - 7, cy - 7, x + 7, cy + 7, text)));
  }
  const r = lane.reports;
  const shown = [];
  for (let i = 0; i < r.length; i += 3) {
    if (r[i] < c.t0 || r[i] > c.t1) continue;
    shown.push({ x: c.X(r[i]), tick: r[i], index: r[i + 1], error: r[i + 2] === 1 });
  }
  const bandTop = l.top - 7;
  for (const m of shown) {
    const report = model.reports[m.index];
    const rule = report === undefined ? 'report' : report[0];
    const headline = m.index === model.headline;
    const bandWidth = headline ? 5 : 3;
    obstacles.push([m.x - 8, m.x + 8]);
    // Reports keep their SVG title (a few per lane): the link is the mark.
    const kind = 'violation' + (headline ? ' headline' : '') + (m.error ? '' : ' warning');
    const band = { class: 'band', x: n1(m.x - bandWidth / 2), y: bandTop, width: bandWidth, height: n1(cy - bandTop) };
    const title = esc(report === undefined ? rule : report[2]) + ' (tick ' + m.tick + ')';
    const mark = el('rect', band) + el('circle', { cx: n1(m.x), cy, r: headline ? 7 : 5 }) + el('title', {}, title);
    const link = { href: '#report-' + m.index, class: kind, id: 'mark-' + m.index, 'data-rule': esc(rule) };
    c.out.push(el('a', link, mark));
  }
  // Labels: the headline's first, then each other report's where it clears the marks and the labels placed.
  const placed = [];
  const order = shown.slice().sort((p, q) => Number(q.index === model.headline) - Number(p.index === model.headline));
  for (const m of order) {
    const report = model.reports[m.index];
    if (report === undefined) continue;
    const headline = m.index === model.headline;
    const w = textWidth(report[0], SMALL);
    const gap = headline ? 10 : 8;
    const right = [m.x + gap, m.x + gap + w];
    const left = [m.x - gap - w, m.x - gap];
    const free = (span) =>
      span[0] >= GUTTER + 2 &&
      span[1] <= c.width - 2 &&
      placed.every(([p, q]) => span[1] + 4 <= p || span[0] >= q + 4) &&
      obstacles.every(([p, q]) => (p <= m.x && m.x <= q) || span[1] + 3 <= p || span[0] >= q + 3);
    const at = free(right) ? right : free(left) ? left : null;
    if (at === null) continue;
    placed.push(at);
    const label = { x: n1(at[0]), y: cy + 3, class: 'mark-label' + (headline ? ' headline' : '') };
    c.out.push(el('text', label, esc(report[0])));
  }
}
`;
