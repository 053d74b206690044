/**
 * The drawing of the overview strip, as browser source (see drawing.ts): the whole run from the
 * trace's buckets, whatever the page carries events for.
 */
export const DRAW_OVERVIEW_SOURCE = String.raw`
/** The whole run: ISRs and DPCs per column on rows of their own, reports, the window t0..t1 outlined. */
function overview(model, t0, t1, width) {
  const o = model.ov;
  if (o.cpus.length === 0) return { svg: '', height: 0, boxes: [], texts: [] };
  const plot = Math.max(10, width - GUTTER - RIGHT);
  const s = plot / Math.max(model.runEnd, 1);
  const X = (tick) => GUTTER + tick * s;
  const per = 24;
  const anyReport = o.reports.some((n) => n > 0);
  const height = 4 + o.cpus.length * per + (anyReport ? 14 : 2);
  const out = [];
  const columns = (counts) => {
    const col = new Float64Array(Math.ceil(plot));
    for (let b = 0; b < o.buckets; b++) {
      const n = counts[b] ?? 0;
      if (n === 0) continue;
      const c0 = Math.min(col.length - 1, Math.floor(b * o.bucketTicks * s));
      const c1 = Math.min(col.length, Math.max(c0 + 1, Math.floor((b + 1) * o.bucketTicks * s)));
      for (let k = c0; k < c1; k++) col[k] = col[k] + n;
    }
    return col;
  };
  /** Bars as one path: a column's height grows with the log of its count. */
  const bars = (col, y, h, what) => {
    let max = 0;
    for (const v of col) if (v > max) max = v;
    if (max === 0) return;
    const d = [];
    for (let k = 0; k < col.length; ) {
      const bh = col[k] === 0 ? 0 : Math.max(1, Math.round((h * Math.log1p(col[k])) / Math.log1p(max)));
      let e = k + 1;
      while (e < col.length && col[e] === col[k]) e++;
      if (bh > 0) d.push('M' + (GUTTER + k) + ' ' + (y + h) + 'v-' + bh + 'h' + (e - k) + 'v' + bh + 'z');
      k = e;
    }
    out.push(el('path', { class: 'ov-' + what, d: d.join('') }));
  };
  out.push(el('rect', { class: 'lane-bg', x: GUTTER, y: 2, width: n1(plot), height: height - 4 }));
  const notKept = (a, b) => {
    if (b <= a) return;
    const title = 'ticks ' + a + '–' + b + ': the page carries no events from here, only these counts';
    const box = { class: 'not-kept', x: n1(X(a)), y: 2, width: n1(X(b) - X(a)), height: height - 4 };
    out.push(el('rect', box, el('title', {}, title)));
  };
  if (model.cutBefore) notKept(0, model.start);
  if (model.cutAfter) notKept(model.end, model.runEnd);
  o.cpus.forEach((row, k) => {
    const y = 4 + k * per;
    out.push(
      el('text', { x: GUTTER - 6, y: y + 9, class: 'ov-label', 'text-anchor': 'end' }, 'cpu ' + row.cpu + ' ISR'),
      el('text', { x: GUTTER - 6, y: y + 20, class: 'ov-label', 'text-anchor': 'end' }, 'DPC'),
    );
    bars(columns(row.isrs), y + 1, 9, 'isr');
    bars(columns(row.dpcs), y + 12, 9, 'dpc');
  });
  if (anyReport) {
    const ry = 4 + o.cpus.length * per;
    out.push(el('text', { x: GUTTER - 6, y: ry + 9, class: 'axis row-label', 'text-anchor': 'end' }, 'reports'));
    const rep = columns(o.reports);
    for (let k = 0; k < rep.length; k++) {
      if (rep[k] === 0) continue;
      const ticks = Math.floor(k / s) + '–' + Math.floor((k + 1) / s);
      const title = rep[k] + ' report' + (rep[k] === 1 ? '' : 's') + ' in ticks ' + ticks;
      const box = { class: 'ov-report', x: n1(GUTTER + k - 0.5), y: ry + 1, width: 2, height: 9 };
      out.push(el('rect', box, el('title', {}, title)));
    }
  }
  const wx = X(t0);
  out.push(el('rect', { id: 'ov-window', x: n1(wx), y: 1, width: n1(Math.max(2, X(t1) - wx)), height: height - 2 }));
  return { svg: out.join('\n'), height, boxes: [], texts: [] };
}
`;
