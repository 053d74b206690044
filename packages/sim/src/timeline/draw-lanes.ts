/**
 * The drawing of the lanes, as browser source (see drawing.ts): the time axis, then per lane its
 * title, the IRQL step line over its level labels, and its rows of role calls and lock holds; the
 * access and mark rows are drawn by draw-marks.ts.
 *
 * Labels cannot collide: each label sits in its own row (level labels at least 13 px apart, row
 * labels one per row, the processor's name on a header line of its own), and a label inside the plot
 * is drawn only where it fits — in its span, before the next access, between the time axis' steps,
 * beside a report's mark clear of the other marks and their labels — measured with a monospace
 * font's advance.
 */
export const DRAW_LANES_SOURCE = String.raw`
/**
 * The lanes from tick t0 to t1, width pixels wide (the label column included); with titles, each
 * mark carries its tooltip as an SVG title (the page as written), else in boxes and texts.
 */
function draw(model, t0, t1, width, titles) {
  const plot = Math.max(10, width - GUTTER - RIGHT);
  const s = plot / Math.max(1e-9, t1 - t0);
  const c = {
    out: [],
    model,
    t0,
    t1,
    plot,
    width,
    titles,
    boxes: [],
    texts: [],
    top: 0,
    X: (tick) => GUTTER + (tick - t0) * s,
  };
  const out = c.out;
  const layouts = model.lanes.map(layout);
  let height = AXIS;
  for (const l of layouts) height += l.height + LANE_GAP;
  const clip = el('rect', { x: GUTTER - 0.5, y: 0, width: n1(plot + RIGHT + 0.5), height });
  out.push('<defs><clipPath id="tl-clip">' + clip + '</clipPath></defs>');

  // The time axis: steps wide enough for their labels.
  const labelMax = textWidth(String(Math.ceil(t1)), 10);
  const step = niceStep((labelMax + 28) / s);
  out.push(
    '<g class="time-axis">' + el('text', { x: GUTTER - 6, y: 14, class: 'axis', 'text-anchor': 'end' }, 'tick'),
  );
  const grid = [];
  let lastRight = GUTTER;
  for (let t = Math.ceil(t0 / step) * step; t <= t1; t += step) {
    const tx = c.X(t);
    const label = String(t);
    const w = textWidth(label, 10);
    grid.push('M' + n1(tx) + ' ' + (AXIS - 5) + 'V' + (height - LANE_GAP));
    if (tx - w / 2 >= lastRight + 4 && tx + w / 2 <= width - 2) {
      out.push(el('text', { x: n1(tx), y: 14, class: 'tick-label', 'text-anchor': 'middle' }, label));
      lastRight = tx + w / 2;
    }
  }
  out.push(el('path', { class: 'grid', d: grid.join('') }) + '</g>');

  model.lanes.forEach((lane, index) => {
    const l = layouts[index];
    out.push('<g class="lane" id="cpu-' + lane.cpu + '" transform="translate(0 ' + (c.top + AXIS) + ')">');
    c.top += AXIS;
    drawLane(c, lane, l);
    c.top += l.height + LANE_GAP - AXIS;
    out.push('</g>');
  });
  const cursor = { id: 'tl-cursor', x1: 0, x2: 0, y1: AXIS - 4, y2: height - LANE_GAP };
  out.push(el('line', { ...cursor, stroke: '#000', 'stroke-opacity': '0.35', visibility: 'hidden' }));
  return { svg: out.join('\n'), height, boxes: c.boxes, texts: c.texts };
}

function drawLane(c, lane, l) {
  const out = c.out;
  const last = l.rows[l.rows.length - 1];
  const bottom = last === undefined ? l.height - 6 : last.y + last.h;
  const summary = '<tspan class="lane-sum" dx="10">' + esc(lane.summary) + '</tspan>';
  out.push(
    el('text', { x: 8, y: 14, class: 'lane-title' }, 'cpu ' + lane.cpu + summary),
    el('rect', { class: 'lane-bg', x: GUTTER, y: l.top - 7, width: n1(c.plot), height: bottom - l.top + 10 }),
  );
  const levelLines = [];
  lane.levels.forEach((_, i) => {
    const y = l.levelY[i];
    levelLines.push('M' + GUTTER + ' ' + y + 'h' + n1(c.plot));
    const at = { x: GUTTER - 6, y: y + 3.5, class: 'axis level', 'text-anchor': 'end' };
    out.push(el('text', at, esc(lane.levelLabels[i])));
  });
  out.push(el('path', { class: 'levels', d: levelLines.join('') }));
  for (const row of l.rows) {
    const at = { x: GUTTER - 6, y: n1(row.y + row.h / 2 + 3.5), class: 'axis row-label', 'text-anchor': 'end' };
    out.push(el('text', at, esc(row.label)));
  }
  out.push('<g clip-path="url(#tl-clip)">');
  drawIrql(c, lane, l);
  for (const row of l.rows) {
    if (row.kind >= 0) drawSpans(c, lane, row);
    else if (row.key === 'locks') drawLocks(c, lane, row);
    else if (row.key === 'registers' || row.key === 'fields') drawAccesses(c, lane, row, row.key === 'fields');
    else if (row.key === 'marks') drawMarks(c, lane, l, row);
  }
  out.push('</g>');
}

/** IRQL as a step line through each pixel column's range of levels, filled down to the lowest level. */
function drawIrql(c, lane, l) {
  const yOf = [];
  lane.levels.forEach((level, i) => {
    yOf[level] = l.levelY[i];
  });
  const irql = lane.irql;
  let level = lane.level;
  let i = 0;
  for (; i < irql.length && irql[i] <= c.t0; i += 2) level = irql[i + 1];
  const d = ['M' + GUTTER + ' ' + yOf[level]];
  let y = yOf[level];
  const v = (to) => {
    const ty = yOf[to];
    if (ty !== y) d.push('V' + ty);
    y = ty;
  };
  let column = -1;
  let lo = 0;
  let hi = 0;
  const flush = () => {
    if (column < 0) return;
    d.push('H' + (GUTTER + column));
    v(lo);
    v(hi);
    v(level);
  };
  for (; i < irql.length && irql[i] <= c.t1; i += 2) {
    const col = Math.min(c.plot - 1, Math.floor(c.X(irql[i]) - GUTTER));
    if (col !== column) {
      flush();
      column = col;
      lo = level;
      hi = level;
    }
    level = irql[i + 1];
    if (level < lo) lo = level;
    if (level > hi) hi = level;
  }
  flush();
  // Along the top of the lowest level back to the start: the fill's edge, drawn over its grid line.
  d.push('H' + n1(GUTTER + c.plot) + 'V' + yOf[lane.levels[0]] + 'H' + GUTTER + 'Z');
  c.out.push(el('path', { class: 'irql', d: d.join('') }));
}

/**
 * Marks in a row, merged where the gap to the previous one is under a pixel and one of them is thin:
 * clusters { x0, x1, first, last (ticks), count, names (name → count) }.
 */
function clusters(c, list, stride, keep, name) {
  const found = [];
  let cur = null;
  for (let i = 0; i < list.length; i += stride) {
    const start = list[i];
    const end = list[i + 1];
    if (end < c.t0 || start > c.t1 || !keep(i)) continue;
    const x0 = c.X(Math.max(start, c.t0));
    const x1 = Math.max(c.X(Math.min(end, c.t1)), x0 + 1);
    if (cur !== null && x0 < cur.x1 + 1 && (x1 - x0 < 3 || cur.x1 - cur.x0 < 3 || cur.count > 1)) {
      cur.x1 = Math.max(cur.x1, x1);
      cur.last = Math.max(cur.last, end);
      cur.count++;
      cur.names.set(name(i), (cur.names.get(name(i)) ?? 0) + 1);
    } else {
      cur = { x0, x1, first: start, last: end, count: 1, names: new Map([[name(i), 1]]) };
      found.push(cur);
    }
  }
  return found;
}
function nameList(model, names) {
  return [...names]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 4)
    .map(([id, n]) => (model.names[id] ?? '…') + ' ×' + n)
    .join(', ');
}

function drawSpans(c, lane, row) {
  const kindName = KIND_NAMES[row.kind];
  const spans = lane.spans;
  const found = clusters(c, spans, 4, (i) => spans[i + 2] === row.kind, (i) => spans[i + 3]);
  for (const k of found) {
    const w = k.x1 - k.x0;
    const only = k.count === 1 ? (c.model.names[[...k.names.keys()][0]] ?? '…') : '';
    const ticks = ' ticks ' + k.first + '–' + k.last;
    const text =
      k.count === 1
        ? only + ' (' + kindName + ')' + ticks + ', ' + (k.last - k.first) + ' ticks'
        : k.count + ' ' + kindName + 's in' + ticks + ': ' + nameList(c.model, k.names);
    const box = { class: 'span ' + row.key, x: n1(k.x0), y: row.y + 2, width: n1(w), height: row.h - 4 };
    c.out.push(el('rect', box, tip(c, k.x0, row.y, k.x1, row.y + row.h, text)));
    // The name, cut short with an ellipsis where the span is narrower (not under 3 characters).
    const fits = Math.floor((w - 6) / (SMALL * ADVANCE));
    const label = fits >= only.length ? only : fits >= 4 ? only.slice(0, fits - 1) + '…' : '';
    if (label !== '')
      c.out.push(el('text', { x: n1(k.x0 + 3), y: row.y + row.h - 4, class: 'span-label ' + row.key }, esc(label)));
  }
}

function drawLocks(c, lane, row) {
  const locks = lane.locks;
  for (let depth = 0; depth < 3; depth++) {
    const found = clusters(c, locks, 4, (i) => locks[i + 3] === depth, (i) => locks[i + 2]);
    const y = row.y + 2 + depth * 4;
    for (const k of found) {
      const ticks = ' ticks ' + k.first + '–' + k.last;
      const text =
        k.count === 1
          ? nameList(c.model, k.names).replace(/ ×1$/, '') + ' held' + ticks
          : k.count + ' holds in' + ticks + ': ' + nameList(c.model, k.names);
      const bar = { class: 'lock', x: n1(k.x0), y, width: n1(k.x1 - k.x0), height: 3 };
      c.out.push(el('rect', bar, tip(c, k.x0, y - 1, k.x1, y + 4, text)));
    }
  }
}
`;
