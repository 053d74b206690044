/**
 * The timeline of a run: one self-contained HTML page (inline SVG and CSS, no script, nothing
 * fetched) with one lane per processor — IRQL over ticks as a step line, ISR / DPC / synchronize
 * spans and other role calls, spin-lock holds, register accesses, the scheduler's departures — and
 * every violation marked on its processor's lane and linked to its report, printed in full below.
 *
 * Large runs are downsampled so the page stays small: the detail view draws at most one mark per
 * pixel column and kind (a column holding many accesses draws one taller mark; IRQL draws the
 * column's range), spans shorter than a pixel merge, and when the trace's ring dropped older
 * events an overview strip shows the whole run from the trace's buckets.
 *
 * Long function: renderTimeline lays the page out in one pass; it stays whole until the page is redesigned.
 */
import { levelName } from '@ddikit/ndis';
import { formatReportText } from '../verifier/report-text.js';
import type { Report } from '../verifier/report-types.js';
import { formatTicks } from '../core/time.js';
import type { Trace, TraceSnapshot } from '../core/trace.js';
import { SPAN_DPC, SPAN_ISR, SPAN_OTHER, SPAN_SYNC } from '../core/trace.js';

export interface TimelineOptions {
  /** The page title (default "ddikit timeline"). */
  readonly title?: string;
  /** Lines under the title (driver, seed, the schedule, the command that replays it). */
  readonly subtitle?: readonly string[];
  /** Width of the plot in pixels (default 1200). */
  readonly width?: number;
}

/** Colours, one per kind of mark (the violation colour is what a screenshot test looks for). */
export const TIMELINE_COLORS = {
  isr: '#f28e2b',
  dpc: '#4e79a7',
  sync: '#b07aa1',
  other: '#bab0ac',
  lock: '#59a14f',
  access: '#555555',
  irql: '#222222',
  choice: '#edc948',
  violation: '#e00000',
  warning: '#ff9da7',
} as const;

const LANE_HEIGHT = 150;
const MARGIN_LEFT = 96;
const MARGIN_RIGHT = 24;
const AXIS_HEIGHT = 28;
const IRQL_TOP = 10;
const IRQL_HEIGHT = 64;
const SPAN_Y = 80;
const SPAN_HEIGHT = 16;
const LOCK_Y = 100;
const ACCESS_Y = 110;
const ACCESS_HEIGHT = 16;
const MARK_Y = 132;
/**
 * Where each IRQL sits on a lane, 0 (bottom) to 1 (top): the low levels spread out, the device
 * levels share the middle, HIGH_LEVEL at the top.
 */
function irqlPosition(level: number): number {
  if (level <= 2) return level * 0.15;
  if (level <= 12) return 0.35 + ((level - 3) / 9) * 0.45;
  return 0.9 + ((Math.min(level, 15) - 13) / 2) * 0.1;
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function fixed(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

interface Span {
  readonly kind: number;
  readonly name: string;
  readonly start: number;
  end: number;
}

/** Renders a trace and the run's reports as one HTML page (see the module comment). */
export function renderTimeline(
  trace: Trace | TraceSnapshot,
  reports: readonly Report[],
  options: TimelineOptions = {},
): string {
  const snapshot: TraceSnapshot =
    'snapshot' in trace && typeof trace.snapshot === 'function' ? trace.snapshot() : (trace as TraceSnapshot);
  const width = options.width ?? 1200;
  if (!Number.isInteger(width) || width < 200 || width > 20_000)
    throw new RangeError(`renderTimeline: width must be an integer in 200..20000 (got ${String(width)})`);
  const title = options.title ?? 'ddikit timeline';
  const events = snapshot.events;
  const startTick = events.length > 0 ? events[0]!.tick : 0;
  const endTick = Math.max(snapshot.endTick, startTick + 1);
  const plot = width;
  const x = (tick: number): number => MARGIN_LEFT + ((tick - startTick) / (endTick - startTick)) * plot;
  const column = (tick: number): number =>
    Math.min(plot - 1, Math.max(0, Math.floor(((tick - startTick) / (endTick - startTick)) * plot)));
  const processors = snapshot.processors;
  const svgWidth = MARGIN_LEFT + plot + MARGIN_RIGHT;

  const body: string[] = [];
  const overview = snapshot.dropped > 0 ? renderOverview(snapshot, svgWidth) : '';

  // Per-lane state.
  const lanes: string[][] = Array.from({ length: processors }, () => []);
  const irqlNow = new Array<number>(processors).fill(0);
  const irqlMin: Int16Array[] = Array.from({ length: processors }, () => new Int16Array(plot).fill(-1));
  const irqlMaxCol: Int16Array[] = Array.from({ length: processors }, () => new Int16Array(plot).fill(-1));
  const irqlEnd: Int16Array[] = Array.from({ length: processors }, () => new Int16Array(plot).fill(-1));
  const accessCount: Uint32Array[] = Array.from({ length: processors }, () => new Uint32Array(plot));
  const accessLast: string[][] = Array.from({ length: processors }, () => new Array<string>(plot).fill(''));
  const spanStack: Span[][] = Array.from({ length: processors }, () => []);
  const spans: Span[][] = Array.from({ length: processors }, () => []);
  const lockOpen: Map<string, number>[] = Array.from({ length: processors }, () => new Map());
  const locks: { name: string; start: number; end: number }[][] = Array.from({ length: processors }, () => []);
  const marks: string[][] = Array.from({ length: processors }, () => []);

  // The IRQL each processor was at when the kept events begin: the first IRQL event's "from".
  for (let p = 0; p < processors; p++) {
    const first = events.find((e) => e.processor === p && e.kind === 'irql');
    irqlNow[p] = first === undefined ? 0 : first.value;
  }
  const startIrql = irqlNow.slice();
  const noteIrql = (p: number, col: number, level: number): void => {
    const lo = irqlMin[p]!;
    const hi = irqlMaxCol[p]!;
    if (lo[col]! < 0 || level < lo[col]!) lo[col] = level;
    if (level > hi[col]!) hi[col] = level;
  };

  for (const event of events) {
    const p = event.processor;
    if (p >= processors) continue;
    const col = column(event.tick);
    switch (event.kind) {
      case 'irql':
        noteIrql(p, col, event.value);
        irqlNow[p] = event.irql;
        noteIrql(p, col, event.irql);
        irqlEnd[p]![col] = event.irql;
        break;
      case 'enter':
        spanStack[p]!.push({ kind: event.value, name: event.name, start: event.tick, end: event.tick });
        break;
      case 'exit': {
        const stack = spanStack[p]!;
        // Close the innermost span of that name (a span the ring lost the start of is skipped).
        for (let k = stack.length - 1; k >= 0; k--) {
          if (stack[k]!.name === event.name) {
            const span = stack.splice(k, 1)[0]!;
            span.end = event.tick;
            spans[p]!.push(span);
            break;
          }
        }
        break;
      }
      case 'lock-acquire':
        lockOpen[p]!.set(event.name, event.tick);
        break;
      case 'lock-release': {
        const start = lockOpen[p]!.get(event.name);
        if (start !== undefined) {
          lockOpen[p]!.delete(event.name);
          locks[p]!.push({ name: event.name, start, end: event.tick });
        }
        break;
      }
      case 'read':
      case 'write':
      case 'field-read':
      case 'field-write':
        accessCount[p]![col]!++;
        accessLast[p]![col] =
          `${event.kind.replace('field-', 'field ')} ${event.name}${event.kind === 'read' || event.kind === 'write' ? ` 0x${event.value.toString(16).padStart(8, '0')}` : ''} @${event.tick}`;
        break;
      case 'choice':
        marks[p]!.push(
          `<g class="choice"><path d="M${fixed(x(event.tick))} ${MARK_Y - 7} l6 7 l-6 7 l-6 -7 z" fill="${TIMELINE_COLORS.choice}" stroke="#7a5c00"/><title>choice #${event.value} → ${event.aux}: ${escapeHtml(event.name)} (tick ${event.tick})</title></g>`,
        );
        break;
      case 'report': {
        const colour = event.aux === 1 ? TIMELINE_COLORS.violation : TIMELINE_COLORS.warning;
        const report = reports[event.value];
        const label = report === undefined ? event.name : `${report.rule}: ${report.message}`;
        marks[p]!.push(
          `<a href="#report-${event.value}" class="violation" data-rule="${escapeHtml(event.name)}"><rect x="${fixed(x(event.tick) - 3)}" y="${IRQL_TOP}" width="6" height="${MARK_Y + 8 - IRQL_TOP}" fill="${colour}" fill-opacity="0.35"/><circle cx="${fixed(x(event.tick))}" cy="${MARK_Y}" r="8" fill="${colour}"/><title>${escapeHtml(label)} (tick ${event.tick})</title></a>`,
        );
        break;
      }
      default:
        break;
    }
  }
  // Spans and locks still open at the end run to the end.
  for (let p = 0; p < processors; p++) {
    for (const span of spanStack[p]!) spans[p]!.push({ ...span, end: endTick });
    for (const [name, start] of lockOpen[p]!) locks[p]!.push({ name, start, end: endTick });
  }

  // Draw each lane.
  for (let p = 0; p < processors; p++) {
    const lane = lanes[p]!;
    const top = AXIS_HEIGHT + p * LANE_HEIGHT;
    lane.push(`<g class="lane" id="cpu-${p}" transform="translate(0 ${top})">`);
    lane.push(
      `<rect x="${MARGIN_LEFT}" y="0" width="${plot}" height="${LANE_HEIGHT - 6}" fill="#fafafa" stroke="#ddd"/>`,
    );
    lane.push(`<text x="8" y="20" class="lane-title">cpu ${p}</text>`);
    for (const [level, label] of [
      [0, 'PASSIVE'],
      [2, 'DISPATCH'],
      [3, 'DIRQL 3'],
      [12, 'DIRQL 12'],
      [15, 'HIGH'],
    ] as const) {
      const y = IRQL_TOP + IRQL_HEIGHT - irqlPosition(level) * IRQL_HEIGHT;
      lane.push(
        `<line x1="${MARGIN_LEFT}" x2="${MARGIN_LEFT + plot}" y1="${fixed(y)}" y2="${fixed(y)}" stroke="#e4e4e4"/><text x="${MARGIN_LEFT - 6}" y="${fixed(y + 3)}" class="axis" text-anchor="end">${label}</text>`,
      );
    }
    lane.push(
      `<text x="8" y="${SPAN_Y + 12}" class="axis">spans</text><text x="8" y="${LOCK_Y + 8}" class="axis">locks</text><text x="8" y="${ACCESS_Y + 13}" class="axis">registers</text>`,
    );
    // IRQL: a step line through each column's range.
    const yOf = (level: number): number => IRQL_TOP + IRQL_HEIGHT - irqlPosition(level) * IRQL_HEIGHT;
    let level = startIrql[p]!;
    const points: string[] = [`${MARGIN_LEFT},${fixed(yOf(level))}`];
    for (let c = 0; c < plot; c++) {
      const lo = irqlMin[p]![c]!;
      if (lo < 0) continue;
      const cx = MARGIN_LEFT + c;
      points.push(`${cx},${fixed(yOf(level))}`, `${cx},${fixed(yOf(lo))}`, `${cx},${fixed(yOf(irqlMaxCol[p]![c]!))}`);
      level = irqlEnd[p]![c]!;
      points.push(`${cx},${fixed(yOf(level))}`);
    }
    points.push(`${MARGIN_LEFT + plot},${fixed(yOf(level))}`);
    lane.push(
      `<polyline class="irql" points="${points.join(' ')}" fill="none" stroke="${TIMELINE_COLORS.irql}" stroke-width="1.5"/>`,
    );
    // Spans, merged below a pixel.
    const colourOf = (kind: number): string =>
      kind === SPAN_ISR
        ? TIMELINE_COLORS.isr
        : kind === SPAN_DPC
          ? TIMELINE_COLORS.dpc
          : kind === SPAN_SYNC
            ? TIMELINE_COLORS.sync
            : TIMELINE_COLORS.other;
    const kindName = (kind: number): string =>
      kind === SPAN_ISR ? 'isr' : kind === SPAN_DPC ? 'dpc' : kind === SPAN_SYNC ? 'sync' : 'role';
    const ordered = spans[p]!.slice().sort((a, b) => a.start - b.start || depthOrder(a.kind) - depthOrder(b.kind));
    let lastCol = -1;
    let lastKind = -1;
    for (const span of ordered) {
      const x0 = x(span.start);
      const x1 = Math.max(x(span.end), x0 + 1);
      const c0 = Math.floor(x0);
      if (x1 - x0 <= 1 && c0 === lastCol && span.kind === lastKind) continue;
      lastCol = c0;
      lastKind = span.kind;
      const inset = span.kind === SPAN_OTHER ? 0 : span.kind === SPAN_DPC ? 2 : 4;
      lane.push(
        `<rect class="span ${kindName(span.kind)}" x="${fixed(x0)}" y="${SPAN_Y + inset}" width="${fixed(x1 - x0)}" height="${SPAN_HEIGHT - 2 * inset}" fill="${colourOf(span.kind)}"><title>${escapeHtml(span.name)} (${kindName(span.kind)}) ticks ${span.start}–${span.end}</title></rect>`,
      );
    }
    // Lock holds.
    for (const hold of locks[p]!) {
      const x0 = x(hold.start);
      const x1 = Math.max(x(hold.end), x0 + 1);
      lane.push(
        `<rect class="lock" x="${fixed(x0)}" y="${LOCK_Y}" width="${fixed(x1 - x0)}" height="5" fill="${TIMELINE_COLORS.lock}"><title>${escapeHtml(hold.name)} held ticks ${hold.start}–${hold.end}</title></rect>`,
      );
    }
    // Register accesses, one mark per column.
    for (let c = 0; c < plot; c++) {
      const n = accessCount[p]![c]!;
      if (n === 0) continue;
      const h = Math.min(ACCESS_HEIGHT, 4 + Math.log2(n) * 3);
      lane.push(
        `<rect class="access" x="${MARGIN_LEFT + c}" y="${fixed(ACCESS_Y + ACCESS_HEIGHT - h)}" width="1" height="${fixed(h)}" fill="${TIMELINE_COLORS.access}"><title>${n === 1 ? escapeHtml(accessLast[p]![c]!) : `${n} accesses, last: ${escapeHtml(accessLast[p]![c]!)}`}</title></rect>`,
      );
    }
    lane.push(...marks[p]!);
    lane.push('</g>');
    body.push(lane.join('\n'));
  }

  // The time axis.
  const axis: string[] = [`<g class="time-axis">`];
  const ticksShown = 8;
  for (let k = 0; k <= ticksShown; k++) {
    const tick = Math.round(startTick + ((endTick - startTick) * k) / ticksShown);
    const tx = x(tick);
    axis.push(
      `<line x1="${fixed(tx)}" x2="${fixed(tx)}" y1="${AXIS_HEIGHT - 6}" y2="${AXIS_HEIGHT + processors * LANE_HEIGHT - 6}" stroke="#eee"/><text x="${fixed(tx)}" y="${AXIS_HEIGHT - 10}" class="axis" text-anchor="middle">${tick}</text>`,
    );
  }
  axis.push('</g>');

  const svgHeight = AXIS_HEIGHT + processors * LANE_HEIGHT;
  const legend = [
    ['ISR', TIMELINE_COLORS.isr],
    ['DPC', TIMELINE_COLORS.dpc],
    ['synchronize', TIMELINE_COLORS.sync],
    ['other role', TIMELINE_COLORS.other],
    ['lock held', TIMELINE_COLORS.lock],
    ['register access', TIMELINE_COLORS.access],
    ['scheduler choice', TIMELINE_COLORS.choice],
    ['violation', TIMELINE_COLORS.violation],
  ]
    .map(
      ([label, colour]) => `<span class="key"><span class="swatch" style="background:${colour}"></span>${label}</span>`,
    )
    .join(' ');

  const reportsHtml = reports
    .map(
      (report, i) =>
        `<section class="report" id="report-${i}"><h3>#${i} ${escapeHtml(report.rule)} — ${escapeHtml(report.subject)}${report.function === null ? '' : ` in ${escapeHtml(report.function)}`} (cpu ${report.processor}, tick ${report.tick})</h3><pre>${escapeHtml(formatReportText(report))}</pre></section>`,
    )
    .join('\n');
  const subtitle = (options.subtitle ?? []).map((line) => `<p class="sub">${escapeHtml(line)}</p>`).join('\n');
  const range = `ticks ${formatTicks(startTick)} – ${formatTicks(endTick)}; ${snapshot.recorded} events recorded${snapshot.dropped > 0 ? `, the first ${snapshot.dropped} summarized in the overview` : ''}`;

  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<title>${escapeHtml(title)}</title>`,
    '<style>',
    'body{font:13px/1.4 system-ui,-apple-system,Segoe UI,sans-serif;margin:16px;color:#222;background:#fff}',
    'h1{font-size:18px;margin:0 0 4px}h2{font-size:15px;margin:18px 0 6px}h3{font-size:13px;margin:10px 0 4px}',
    '.sub{margin:0;color:#555}.key{margin-right:12px;white-space:nowrap}.swatch{display:inline-block;width:10px;height:10px;margin-right:4px;vertical-align:middle}',
    'svg{display:block;margin-top:8px}.axis{font-size:10px;fill:#777}.lane-title{font-size:13px;font-weight:600;fill:#333}',
    'pre{background:#f6f6f6;padding:8px;overflow:auto;font-size:11px}.report:target{outline:2px solid #e00000}',
    '</style>',
    '</head>',
    '<body>',
    `<h1>${escapeHtml(title)}</h1>`,
    subtitle,
    `<p class="sub">${escapeHtml(range)}; ${reports.length} report${reports.length === 1 ? '' : 's'}</p>`,
    `<p>${legend}</p>`,
    overview,
    `<svg xmlns="http://www.w3.org/2000/svg" id="timeline" width="${svgWidth}" height="${svgHeight}" viewBox="0 0 ${svgWidth} ${svgHeight}" role="img" aria-label="timeline of ${processors} processors">`,
    axis.join('\n'),
    ...body,
    '</svg>',
    `<h2>Reports</h2>`,
    reports.length === 0 ? '<p>No violation.</p>' : reportsHtml,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/** ISRs drawn over DPCs over other spans when they start together. */
function depthOrder(kind: number): number {
  return kind === SPAN_OTHER ? 0 : kind === SPAN_DPC ? 1 : kind === SPAN_SYNC ? 2 : 3;
}

/** The whole run, downsampled into the trace's overview buckets: highest IRQL and activity per bucket. */
function renderOverview(snapshot: TraceSnapshot, svgWidth: number): string {
  const o = snapshot.overview;
  const used = Math.max(1, Math.min(o.buckets, Math.ceil((snapshot.endTick + 1) / o.bucketTicks)));
  const plot = svgWidth - MARGIN_LEFT - MARGIN_RIGHT;
  const rowHeight = 24;
  const height = snapshot.processors * rowHeight + 30;
  const parts: string[] = [
    `<h2>Overview of the whole run (${formatTicks(snapshot.endTick)}, ${o.bucketTicks} ticks per column)</h2>`,
    `<svg xmlns="http://www.w3.org/2000/svg" id="overview" width="${svgWidth}" height="${height}" viewBox="0 0 ${svgWidth} ${height}">`,
  ];
  const w = plot / used;
  for (let p = 0; p < snapshot.processors; p++) {
    const y = 8 + p * rowHeight;
    parts.push(`<text x="8" y="${y + 14}" class="lane-title">cpu ${p}</text>`);
    for (let b = 0; b < used; b++) {
      const irql = o.irqlMax[p]![b]!;
      if (irql < 0) continue;
      const colour = irql > 2 ? TIMELINE_COLORS.isr : irql === 2 ? TIMELINE_COLORS.dpc : TIMELINE_COLORS.other;
      parts.push(
        `<rect x="${fixed(MARGIN_LEFT + b * w)}" y="${y}" width="${fixed(Math.max(w, 1))}" height="18" fill="${colour}"><title>ticks ${b * o.bucketTicks}–${(b + 1) * o.bucketTicks - 1}: IRQL up to ${levelName(irql)}, ${o.isrs[p]![b]} ISRs, ${o.dpcs[p]![b]} DPCs, ${o.accesses[p]![b]} register accesses</title></rect>`,
      );
    }
  }
  for (let b = 0; b < used; b++) {
    if (o.reports[b]! > 0)
      parts.push(
        `<circle cx="${fixed(MARGIN_LEFT + (b + 0.5) * w)}" cy="${height - 10}" r="5" fill="${TIMELINE_COLORS.violation}"><title>${o.reports[b]} report(s) in ticks ${b * o.bucketTicks}–${(b + 1) * o.bucketTicks - 1}</title></circle>`,
      );
  }
  parts.push('</svg>');
  return parts.join('\n');
}
