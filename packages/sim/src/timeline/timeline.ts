/**
 * The timeline of a run: one self-contained HTML page (inline SVG, CSS and script; nothing fetched)
 * that opens on the report deciding the run — a banner linking its mark and its full report — then
 * draws a lane per busy processor: IRQL over ticks as a step line with a label for each level the
 * processor reached, a row per kind of role call (ISR, synchronize, DPC, other), spin-lock holds,
 * register and shared-field accesses, the scheduler's departures and every report, marked on its
 * lane and linked to its report, printed in full below. Processors without events fold into one
 * line; an overview strip shows the whole run from the trace's buckets.
 *
 * The page carries the kept events as a JSON island and one drawing routine (`timelineView`) that
 * turns them into SVG for a window of ticks at a width in pixels, merging what falls within a pixel.
 * The same routine, embedded by its source text, draws the page as written (the whole run at
 * `width`, readable without script) and, in the browser, redraws the visible window at the
 * window's width on every zoom, pan and resize — so zooming reveals single calls and accesses. The
 * page stays bounded: at most `detailEventsMax` events travel in it, and every drawing holds at most
 * a few marks per pixel column and row.
 */
import { levelName } from '@ddikit/ndis';
import { formatTicks } from '../core/time.js';
import type { Trace, TraceEvent, TraceSnapshot } from '../core/trace.js';
import { SPAN_DPC, SPAN_ISR, SPAN_OTHER, SPAN_SYNC, TRACE_EVENTS_DEFAULT, TRACE_EVENTS_MAX } from '../core/trace.js';
import { formatReportText } from '../verifier/report-text.js';
import type { Report } from '../verifier/report-types.js';
import { LOCKSET_RULES } from '../verifier/rule-table.js';

export interface TimelineOptions {
  /** The page title (default "ddikit timeline"). */
  readonly title?: string;
  /** Lines under the title (driver, seed, the schedule, the command that replays it). */
  readonly subtitle?: readonly string[];
  /**
   * Width of the plot in pixels as the page is written (default 1200); the page scales it to the
   * window, and its script redraws at the window's width.
   */
  readonly width?: number;
  /**
   * Events the page carries for zooming (default 65,536, the trace's default ring): from a larger
   * trace, the events around the headline report (else the last ones) are kept.
   */
  readonly detailEventsMax?: number;
}

/** Colours, one per kind of mark (the violation colour is what a screenshot test looks for). */
export const TIMELINE_COLORS = {
  isr: '#f28e2b',
  dpc: '#4e79a7',
  sync: '#b07aa1',
  other: '#bab0ac',
  lock: '#59a14f',
  access: '#555555',
  field: '#2a9d8f',
  irql: '#222222',
  choice: '#edc948',
  violation: '#e00000',
  warning: '#ff9da7',
} as const;

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
  const detailEventsMax = options.detailEventsMax ?? TRACE_EVENTS_DEFAULT;
  if (!Number.isInteger(detailEventsMax) || detailEventsMax < 16 || detailEventsMax > TRACE_EVENTS_MAX)
    throw new RangeError(
      `renderTimeline: detailEventsMax must be an integer in 16..${TRACE_EVENTS_MAX} (got ${String(detailEventsMax)})`,
    );
  const title = options.title ?? 'ddikit timeline';
  const headline = headlineReport(reports);
  const events = detailWindow(snapshot.events, detailEventsMax, headline);
  const data = buildData(snapshot, events, reports, headline);
  const json = JSON.stringify(data).replace(/</g, '\\u003c');

  // Draw the page as written from the JSON the script will read, with the source the script runs.
  const view = compiledView();
  const model = view.decode(JSON.parse(json) as TimelineData);
  const pageWidth = width + VIEW_GUTTER + VIEW_RIGHT;
  const main = view.draw(model, model.start, model.end, pageWidth, true);
  const strip = view.overview(model, model.start, model.end, pageWidth);

  const subtitle = (options.subtitle ?? []).map((line) => `<p class="sub">${escapeHtml(line)}</p>`).join('\n');
  const kept =
    events.length < snapshot.events.length
      ? `; the ${events.length} events around ${headline >= 0 ? 'the headline' : 'the end'} of ${snapshot.events.length} kept are drawn`
      : '';
  const range = `ticks ${formatTicks(data.start)} – ${formatTicks(data.end)}${data.end < data.runEnd ? ` of ${formatTicks(data.runEnd)}` : ''}; ${snapshot.recorded} events recorded${snapshot.dropped > 0 ? `, the first ${snapshot.dropped} only in the overview` : ''}${kept}`;
  const svgOpen = (id: string, drawn: Drawn, label: string): string =>
    `<svg xmlns="http://www.w3.org/2000/svg" id="${id}" viewBox="0 0 ${pageWidth} ${drawn.height}" data-t0="${data.start}" data-t1="${data.end}" role="img" aria-label="${escapeHtml(label)}">`;

  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${PAGE_CSS}\n${COLOR_CSS}</style>`,
    '</head>',
    '<body>',
    `<h1>${escapeHtml(title)}</h1>`,
    subtitle,
    headlineBanner(reports, headline, events),
    `<p class="sub">${escapeHtml(range)}; ${reports.length} report${reports.length === 1 ? '' : 's'}</p>`,
    `<p class="legend">${LEGEND}</p>`,
    CONTROLS,
    '<div class="tip" id="tl-tip" hidden></div>',
    '<div class="plot">',
    strip.height > 0
      ? `${svgOpen('overview', strip, 'overview of the whole run')}\n${strip.svg}\n</svg>`
      : '<svg xmlns="http://www.w3.org/2000/svg" id="overview" viewBox="0 0 10 0" hidden></svg>',
    `${svgOpen('timeline', main, `timeline of ${data.lanes.length} busy processor${data.lanes.length === 1 ? '' : 's'} of ${snapshot.processors}`)}\n${main.svg}\n</svg>`,
    '</div>',
    idleLine(snapshot, data),
    '<h2>Reports</h2>',
    reportsHtml(reports, headline, events),
    `<script type="application/json" id="timeline-data">${json}</script>`,
    `<script>${pageScript()}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

// ---- The headline ----------------------------------------------------------------------------------

/**
 * The index of the report that decides the run, or -1: the first error lockset analysis did not
 * find (what makes an explored schedule fail), else the first error (in bugcheck mode the only one:
 * it stopped the run), else the first warning.
 */
function headlineReport(reports: readonly Report[]): number {
  const manifest = reports.findIndex((r) => r.severity === 'error' && !LOCKSET_RULES.includes(r.rule));
  if (manifest >= 0) return manifest;
  const error = reports.findIndex((r) => r.severity === 'error');
  return error >= 0 ? error : reports.length > 0 ? 0 : -1;
}

function headlineBanner(reports: readonly Report[], headline: number, events: readonly TraceEvent[]): string {
  if (headline < 0)
    return '<div class="headline clean" id="headline"><strong>No report:</strong> the run is clean.</div>';
  const report = reports[headline]!;
  const lockset = reports.filter((r, i) => i < headline && LOCKSET_RULES.includes(r.rule)).length;
  const why =
    report.severity === 'warning'
      ? 'the first warning (no error)'
      : LOCKSET_RULES.includes(report.rule)
        ? 'the first error'
        : lockset > 0
          ? `the error that decides the run; ${lockset} lockset race report${lockset === 1 ? ' is' : 's are'} listed before it`
          : 'the error that decides the run';
  const marked = events.some((e) => e.kind === 'report' && e.value === headline);
  const where = `cpu ${report.processor}, tick ${report.tick}${report.function === null ? '' : `, in ${escapeHtml(report.function)}`}`;
  return [
    `<div class="headline ${report.severity}" id="headline" data-report="${headline}" data-rule="${escapeHtml(report.rule)}">`,
    `<div><strong>${escapeHtml(report.rule)}</strong> — ${escapeHtml(report.title)} <span class="why">(${why})</span></div>`,
    `<div class="msg">${escapeHtml(report.message)}</div>`,
    `<div>${where} · ${marked ? `<a href="#mark-${headline}">show on the timeline</a>` : 'before the kept events (see the overview)'} · <a href="#report-${headline}">full report #${headline}</a>${reports.length > 1 ? ` · ${reports.length - 1} more report${reports.length === 2 ? '' : 's'} below` : ''}</div>`,
    '</div>',
  ].join('\n');
}

function reportsHtml(reports: readonly Report[], headline: number, events: readonly TraceEvent[]): string {
  if (reports.length === 0) return '<p>No violation.</p>';
  const marked = new Set(events.filter((e) => e.kind === 'report').map((e) => e.value));
  const others = reports.map((_, i) => i).filter((i) => i !== headline);
  const order = headline >= 0 ? [headline, ...others] : others;
  return order
    .map((i) => {
      const report = reports[i]!;
      return `<section class="report${i === headline ? ' headline-report' : ''}" id="report-${i}" data-rule="${escapeHtml(report.rule)}"><h3>#${i} ${escapeHtml(report.rule)} — ${escapeHtml(report.subject)}${report.function === null ? '' : ` in ${escapeHtml(report.function)}`} (cpu ${report.processor}, tick ${report.tick})${i === headline ? ' <span class="tag">headline</span>' : ''}${marked.has(i) ? ` <a href="#mark-${i}" class="to-mark">mark</a>` : ''}</h3><pre>${escapeHtml(formatReportText(report))}</pre></section>`;
    })
    .join('\n');
}

/** "cpu 2–7 idle": the processors without a lane, folded into runs of neighbours. */
function idleLine(snapshot: TraceSnapshot, data: TimelineData): string {
  const busy = new Set(data.lanes.map((lane) => lane.cpu));
  const earlier = new Set(data.ov.cpus.map((row) => row.cpu));
  const groups: { from: number; to: number; earlier: boolean }[] = [];
  for (let p = 0; p < snapshot.processors; p++) {
    if (busy.has(p)) continue;
    const last = groups[groups.length - 1];
    if (last !== undefined && last.to === p - 1 && last.earlier === earlier.has(p)) last.to = p;
    else groups.push({ from: p, to: p, earlier: earlier.has(p) });
  }
  if (groups.length === 0) return '';
  const text = groups
    .map((g) => {
      const cpus = g.from === g.to ? `cpu ${g.from}` : `cpu ${g.from}–${g.to}`;
      return g.earlier ? `${cpus}: no kept events (busy earlier, see the overview)` : `${cpus} idle`;
    })
    .join('; ');
  return `<p class="idle" id="idle">${escapeHtml(text)}</p>`;
}

// ---- The data the page carries ----------------------------------------------------------------------

/**
 * The page's JSON island. Flat number arrays, one record after another; the first field of each
 * record is a tick, stored as the difference from the previous record's tick (`irql`: tick, level;
 * `spans`: start, duration, kind, name; `locks`: start, duration, name, depth; `accesses`: tick,
 * kind (0 read, 1 write, 2 field read, 3 field write), name, value; `choices`: tick, name, point,
 * alternative; `reports`: tick, report index, 1 error / 0 warning). Names index `names`.
 */
interface TimelineData {
  /** The ticks the events cover: what the lanes draw. */
  readonly start: number;
  readonly end: number;
  /** The run's last tick: what the overview draws. */
  readonly runEnd: number;
  /** Whether events before `start` / after `end` are missing (dropped by the ring, left out by the page). */
  readonly cutBefore: boolean;
  readonly cutAfter: boolean;
  readonly names: readonly string[];
  readonly colors: Readonly<Record<string, string>>;
  /** Per report: rule, 1 error / 0 warning, one line for the mark's tooltip. */
  readonly reports: readonly (readonly [string, number, string])[];
  readonly headline: number;
  readonly lanes: readonly LaneData[];
  readonly ov: OverviewData;
}

interface LaneData {
  readonly cpu: number;
  /** The lane's title line. */
  readonly summary: string;
  /** IRQL when the kept events begin. */
  readonly level: number;
  /** The levels the lane draws rows for, ascending, and their labels. */
  readonly levels: readonly number[];
  readonly levelLabels: readonly string[];
  readonly irql: readonly number[];
  readonly spans: readonly number[];
  readonly locks: readonly number[];
  readonly accesses: readonly number[];
  readonly choices: readonly number[];
  readonly reports: readonly number[];
}

/** The trace's overview buckets for the processors that have any, cut to the buckets in use. */
interface OverviewData {
  readonly bucketTicks: number;
  readonly buckets: number;
  readonly cpus: readonly {
    readonly cpu: number;
    readonly isrs: readonly number[];
    readonly dpcs: readonly number[];
  }[];
  readonly reports: readonly number[];
}

/** The kept events the page carries: all of them, or `max` around the headline's mark (else the last). */
function detailWindow(events: readonly TraceEvent[], max: number, headline: number): readonly TraceEvent[] {
  if (events.length <= max) return events;
  const at = headline >= 0 ? events.findIndex((e) => e.kind === 'report' && e.value === headline) : -1;
  const first = at < 0 ? events.length - max : Math.min(events.length - max, Math.max(0, at - (max >> 1)));
  return events.slice(first, first + max);
}

const ACCESS_KINDS: Readonly<Record<string, number>> = { read: 0, write: 1, 'field-read': 2, 'field-write': 3 };

function buildData(
  snapshot: TraceSnapshot,
  events: readonly TraceEvent[],
  reports: readonly Report[],
  headline: number,
): TimelineData {
  const start = events.length > 0 ? events[0]!.tick : 0;
  const last = events.length > 0 ? events[events.length - 1]!.tick : 0;
  const cutAfter = events.length > 0 && events[events.length - 1] !== snapshot.events[snapshot.events.length - 1];
  const runEnd = Math.max(snapshot.endTick, last, 1);
  const end = Math.max(cutAfter ? last : runEnd, start + 1);
  const names: string[] = [];
  const nameIds = new Map<string, number>();
  const nameOf = (name: string): number => {
    let id = nameIds.get(name);
    if (id === undefined) {
      id = names.length;
      names.push(name);
      nameIds.set(name, id);
    }
    return id;
  };
  const byCpu = new Map<number, TraceEvent[]>();
  for (const event of events) {
    if (event.processor >= snapshot.processors) continue;
    let list = byCpu.get(event.processor);
    if (list === undefined) byCpu.set(event.processor, (list = []));
    list.push(event);
  }
  const lanes: LaneData[] = [];
  for (const cpu of [...byCpu.keys()].sort((a, b) => a - b))
    lanes.push(buildLane(cpu, byCpu.get(cpu)!, start, end, nameOf));

  const o = snapshot.overview;
  const used = Math.max(1, Math.min(o.buckets, Math.ceil((snapshot.endTick + 1) / o.bucketTicks)));
  const cpus: { cpu: number; isrs: number[]; dpcs: number[] }[] = [];
  for (let p = 0; p < snapshot.processors; p++) {
    const irql = o.irqlMax[p];
    if (irql === undefined || !irql.slice(0, used).some((level) => level >= 0)) continue;
    cpus.push({ cpu: p, isrs: o.isrs[p]!.slice(0, used), dpcs: o.dpcs[p]!.slice(0, used) });
  }
  return {
    start,
    end,
    runEnd,
    cutBefore: snapshot.dropped > 0 || (events.length > 0 && events[0] !== snapshot.events[0]),
    cutAfter,
    names,
    colors: TIMELINE_COLORS,
    reports: reports.map((r, i) => [
      r.rule,
      r.severity === 'error' ? 1 : 0,
      `#${i} ${r.rule}: ${r.title} — ${r.subject}${r.function === null ? '' : ` in ${r.function}`}`,
    ]),
    headline,
    lanes,
    ov: { bucketTicks: o.bucketTicks, buckets: used, cpus, reports: o.reports.slice(0, used) },
  };
}

interface OpenSpan {
  readonly kind: number;
  readonly name: string;
  readonly start: number;
}

function buildLane(
  cpu: number,
  events: readonly TraceEvent[],
  start: number,
  end: number,
  nameOf: (name: string) => number,
): LaneData {
  const firstIrql = events.find((e) => e.kind === 'irql');
  const level = firstIrql === undefined ? (events[0]?.irql ?? 0) : firstIrql.value;
  const levels = new Set<number>([0, 2, level]);
  const isrLevels = new Set<number>();
  const irql: number[] = [];
  const spans: [number, number, number, number][] = [];
  const locks: [number, number, number, number][] = [];
  const accesses: number[] = [];
  const choices: number[] = [];
  const marks: number[] = [];
  const stack: OpenSpan[] = [];
  const held = new Map<string, { start: number; depth: number }>();
  const counts = { isr: 0, dpc: 0, sync: 0, other: 0, accesses: 0, errors: 0, warnings: 0 };
  for (const event of events) {
    switch (event.kind) {
      case 'irql':
        irql.push(event.tick, event.irql);
        levels.add(event.value).add(event.irql);
        break;
      case 'enter':
        stack.push({ kind: event.value, name: event.name, start: event.tick });
        levels.add(event.irql);
        if (event.value === SPAN_ISR) isrLevels.add(event.irql);
        break;
      case 'exit': {
        // Close the innermost open span of that name; one whose start the ring lost starts with the lane.
        let k = stack.length - 1;
        while (k >= 0 && stack[k]!.name !== event.name) k--;
        const span = k >= 0 ? stack.splice(k, 1)[0]! : { kind: event.value, name: event.name, start };
        spans.push([span.start, event.tick, span.kind, nameOf(span.name)]);
        break;
      }
      case 'lock-acquire':
        held.set(event.name, { start: event.tick, depth: held.size });
        break;
      case 'lock-release': {
        const hold = held.get(event.name) ?? { start, depth: 0 };
        held.delete(event.name);
        locks.push([hold.start, event.tick, nameOf(event.name), Math.min(hold.depth, 2)]);
        break;
      }
      case 'read':
      case 'write':
      case 'field-read':
      case 'field-write':
        accesses.push(event.tick, ACCESS_KINDS[event.kind]!, nameOf(event.name), event.value);
        counts.accesses++;
        break;
      case 'choice':
        choices.push(event.tick, nameOf(event.name), event.value, event.aux);
        break;
      case 'report':
        marks.push(event.tick, event.value, event.aux === 1 ? 1 : 0);
        if (event.aux === 1) counts.errors++;
        else counts.warnings++;
        break;
      default:
        break;
    }
  }
  // Spans and locks still open at the end run to the end.
  for (const span of stack) spans.push([span.start, end, span.kind, nameOf(span.name)]);
  for (const [name, hold] of held) locks.push([hold.start, end, nameOf(name), Math.min(hold.depth, 2)]);
  spans.sort((a, b) => a[0] - b[0] || a[2] - b[2]);
  locks.sort((a, b) => a[0] - b[0] || a[3] - b[3]);
  for (const span of spans) {
    if (span[2] === SPAN_ISR) counts.isr++;
    else if (span[2] === SPAN_DPC) counts.dpc++;
    else if (span[2] === SPAN_SYNC) counts.sync++;
    else if (span[2] === SPAN_OTHER) counts.other++;
  }
  const ascending = [...levels].sort((a, b) => a - b);
  const summary = [
    plural(counts.isr, 'ISR'),
    plural(counts.sync, 'synchronize call'),
    plural(counts.dpc, 'DPC'),
    plural(counts.other, 'other role call'),
    plural(locks.length, 'lock hold'),
    plural(counts.accesses, 'access', 'accesses'),
    plural(counts.errors, 'error'),
    plural(counts.warnings, 'warning'),
  ]
    .filter((part) => part !== '')
    .join(' · ');
  return {
    cpu,
    summary,
    level,
    levels: ascending,
    levelLabels: ascending.map((l) => levelLabel(l) + (isrLevels.has(l) ? ' · ISR' : '')),
    irql: deltas(irql, 2),
    spans: deltas(
      spans.flatMap(([s, e, kind, name]) => [s, e - s, kind, name]),
      4,
    ),
    locks: deltas(
      locks.flatMap(([s, e, name, depth]) => [s, e - s, name, depth]),
      4,
    ),
    accesses: deltas(accesses, 4),
    choices: deltas(choices, 4),
    reports: deltas(marks, 3),
  };
}

function plural(n: number, one: string, many = `${one}s`): string {
  return n === 0 ? '' : `${n} ${n === 1 ? one : many}`;
}

/** `DISPATCH`, `DIRQL 9`: short enough for the label column. */
function levelLabel(level: number): string {
  const name = levelName(level);
  const dirql = /^DIRQL\((\d+)\)$/.exec(name);
  return dirql !== null ? `DIRQL ${dirql[1]}` : name.replace(/_LEVEL$/, '');
}

/** Records of `stride` numbers with the first (a tick) stored as the difference from the previous record's. */
function deltas(flat: readonly number[], stride: number): number[] {
  const out = flat.slice();
  for (let i = out.length - stride; i > 0; i -= stride) out[i] = flat[i]! - flat[i - stride]!;
  return out;
}

// ---- The drawing, shared by the page as written and its script ------------------------------------

/** The decoded island: ticks absolute, durations turned back into ends. */
interface TimelineModel extends Omit<TimelineData, 'lanes'> {
  readonly lanes: readonly LaneModel[];
}

interface LaneModel extends LaneData {
  /** [start, end, kind, name]… */
  readonly spans: readonly number[];
  /** [start, end, name, depth]… */
  readonly locks: readonly number[];
}

interface Drawn {
  readonly svg: string;
  readonly height: number;
  /**
   * What the script shows on hover, for a drawing without titles: per mark its box in the
   * drawing's coordinates (`boxes`: x0, y0, x1, y1…) and its text.
   */
  readonly boxes: readonly number[];
  readonly texts: readonly string[];
}

interface TimelineView {
  decode(data: TimelineData): TimelineModel;
  /**
   * The lanes from tick t0 to t1, `width` pixels wide (the label column included); with `titles`,
   * each mark carries its tooltip as an SVG title (the page as written), else in `boxes`/`texts`.
   */
  draw(model: TimelineModel, t0: number, t1: number, width: number, titles: boolean): Drawn;
  /** The whole run from the overview buckets, with the window t0..t1 outlined (`#ov-window`). */
  overview(model: TimelineModel, t0: number, t1: number, width: number): Drawn;
}

/** Geometry the page shares with the drawing (kept equal to the constants inside timelineView). */
const VIEW_GUTTER = 112;
const VIEW_RIGHT = 28;

/**
 * The drawing routine. It runs in the browser from its source text, so it refers to nothing outside
 * its own body (see compiledView); it only builds strings.
 *
 * Labels cannot collide: each label sits in its own row (level labels at least 13 px apart, row
 * labels one per row, the processor's name on a header line of its own), and a label inside the plot
 * is drawn only where it fits — in its span, before the next access, between the time axis' steps,
 * beside a report's mark clear of the other marks and their labels — measured with a monospace
 * font's advance.
 */
function timelineView(): TimelineView {
  const GUTTER = 112;
  const RIGHT = 28;
  const AXIS = 24;
  const LANE_GAP = 10;
  const HEADER = 20;
  const LEVEL_STEP = 13;
  const IRQL_HEIGHT = 52;
  const ROW = 15;
  /** Advance of the monospace font, in ems (DejaVu Sans Mono and Menlo 0.602, Consolas 0.55). */
  const ADVANCE = 0.63;
  const SMALL = 9;
  const KINDS = [
    { kind: 1, key: 'isr', label: 'ISR' },
    { kind: 3, key: 'sync', label: 'synchronize' },
    { kind: 2, key: 'dpc', label: 'DPC' },
    { kind: 0, key: 'role', label: 'other roles' },
  ];
  const KIND_NAMES = ['role call', 'ISR', 'DPC', 'synchronize call'];

  function esc(text: string): string {
    return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  }
  function n1(n: number): string {
    return Number.isInteger(n) ? String(n) : n.toFixed(1);
  }
  function textWidth(text: string, size: number): number {
    return text.length * size * ADVANCE;
  }
  function hex(value: number): string {
    return `0x${(value >>> 0).toString(16)}`;
  }

  function undelta(flat: readonly number[], stride: number): number[] {
    const out = flat.slice();
    for (let i = stride; i < out.length; i += stride) out[i] = out[i]! + out[i - stride]!;
    return out;
  }
  function ends(flat: number[], stride: number): number[] {
    for (let i = 0; i < flat.length; i += stride) flat[i + 1] = flat[i]! + flat[i + 1]!;
    return flat;
  }
  function decode(data: TimelineData): TimelineModel {
    return {
      ...data,
      lanes: data.lanes.map((lane) => ({
        ...lane,
        irql: undelta(lane.irql, 2),
        spans: ends(undelta(lane.spans, 4), 4),
        locks: ends(undelta(lane.locks, 4), 4),
        accesses: undelta(lane.accesses, 4),
        choices: undelta(lane.choices, 4),
        reports: undelta(lane.reports, 3),
      })),
    };
  }

  interface Row {
    readonly key: string;
    readonly label: string;
    readonly kind: number;
    readonly y: number;
    readonly h: number;
  }
  interface Layout {
    readonly levelY: readonly number[];
    readonly top: number;
    readonly rows: readonly Row[];
    readonly height: number;
  }
  /** Where everything of a lane goes; depends on what the lane holds, not on the window. */
  function layout(lane: LaneModel): Layout {
    const top = HEADER + 8;
    // At least LEVEL_STEP apart (the labels' height), spread over IRQL_HEIGHT when there are few.
    const step = Math.max(LEVEL_STEP, Math.min(24, IRQL_HEIGHT / Math.max(1, lane.levels.length - 1)));
    const levelY = lane.levels.map((_, i) => top + (lane.levels.length - 1 - i) * step);
    let y = top + (lane.levels.length - 1) * step + 10;
    const rows: Row[] = [];
    const add = (key: string, label: string, kind: number, h: number): void => {
      rows.push({ key, label, kind, y, h });
      y += h;
    };
    for (const k of KINDS) {
      for (let i = 2; i < lane.spans.length; i += 4) {
        if (lane.spans[i] === k.kind) {
          add(k.key, k.label, k.kind, ROW);
          break;
        }
      }
    }
    if (lane.locks.length > 0) add('locks', 'locks', -1, ROW);
    let registers = false;
    let fields = false;
    for (let i = 1; i < lane.accesses.length; i += 4) {
      if (lane.accesses[i]! < 2) registers = true;
      else fields = true;
    }
    if (registers) add('registers', 'registers', -1, ROW + 3);
    if (fields) add('fields', 'shared fields', -1, ROW + 3);
    if (lane.choices.length > 0 || lane.reports.length > 0) add('marks', 'reports', -1, ROW + 5);
    return { levelY, top, rows, height: y + 6 };
  }

  /** A step of 1, 2 or 5 × 10^k ticks at least `ticks` long. */
  function niceStep(ticks: number): number {
    const p = 10 ** Math.floor(Math.log10(Math.max(1, ticks)));
    for (const m of [1, 2, 5, 10]) if (m * p >= ticks) return m * p;
    return 10 * p;
  }

  /** One drawing in progress: the markup, the window's scale, and the tooltips. */
  interface Canvas {
    readonly out: string[];
    readonly model: TimelineModel;
    readonly t0: number;
    readonly t1: number;
    readonly plot: number;
    readonly width: number;
    readonly titles: boolean;
    readonly boxes: number[];
    readonly texts: string[];
    /** The lane being drawn: its top in the drawing. */
    top: number;
    X(tick: number): number;
  }
  /** A tooltip: an SVG title, or a box the script looks up on hover. */
  function tip(c: Canvas, x0: number, y0: number, x1: number, y1: number, text: string): string {
    if (c.titles) return `<title>${esc(text)}</title>`;
    c.boxes.push(x0, c.top + y0, x1, c.top + y1);
    c.texts.push(text);
    return '';
  }

  function draw(model: TimelineModel, t0: number, t1: number, width: number, titles: boolean): Drawn {
    const plot = Math.max(10, width - GUTTER - RIGHT);
    const s = plot / Math.max(1e-9, t1 - t0);
    const c: Canvas = {
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
    out.push(
      `<defs><clipPath id="tl-clip"><rect x="${GUTTER - 0.5}" y="0" width="${n1(plot + RIGHT + 0.5)}" height="${height}"/></clipPath></defs>`,
    );

    // The time axis: steps wide enough for their labels.
    const labelMax = textWidth(String(Math.ceil(t1)), 10);
    const step = niceStep((labelMax + 28) / s);
    out.push(`<g class="time-axis"><text x="${GUTTER - 6}" y="14" class="axis" text-anchor="end">tick</text>`);
    const grid: string[] = [];
    let lastRight = GUTTER;
    for (let t = Math.ceil(t0 / step) * step; t <= t1; t += step) {
      const tx = c.X(t);
      const label = String(t);
      const w = textWidth(label, 10);
      grid.push(`M${n1(tx)} ${AXIS - 5}V${height - LANE_GAP}`);
      if (tx - w / 2 >= lastRight + 4 && tx + w / 2 <= width - 2) {
        out.push(`<text x="${n1(tx)}" y="14" class="tick-label" text-anchor="middle">${label}</text>`);
        lastRight = tx + w / 2;
      }
    }
    out.push(`<path class="grid" d="${grid.join('')}"/></g>`);

    model.lanes.forEach((lane, index) => {
      const l = layouts[index]!;
      out.push(`<g class="lane" id="cpu-${lane.cpu}" transform="translate(0 ${c.top + AXIS})">`);
      c.top += AXIS;
      drawLane(c, lane, l);
      c.top += l.height + LANE_GAP - AXIS;
      out.push('</g>');
    });
    out.push(
      `<line id="tl-cursor" x1="0" x2="0" y1="${AXIS - 4}" y2="${height - LANE_GAP}" stroke="#000" stroke-opacity="0.35" visibility="hidden"/>`,
    );
    return { svg: out.join('\n'), height, boxes: c.boxes, texts: c.texts };
  }

  function drawLane(c: Canvas, lane: LaneModel, l: Layout): void {
    const out = c.out;
    const last = l.rows[l.rows.length - 1];
    const bottom = last === undefined ? l.height - 6 : last.y + last.h;
    out.push(
      `<text x="8" y="14" class="lane-title">cpu ${lane.cpu}<tspan class="lane-sum" dx="10">${esc(lane.summary)}</tspan></text>`,
      `<rect class="lane-bg" x="${GUTTER}" y="${l.top - 7}" width="${n1(c.plot)}" height="${bottom - l.top + 10}"/>`,
    );
    const levelLines: string[] = [];
    lane.levels.forEach((_, i) => {
      const y = l.levelY[i]!;
      levelLines.push(`M${GUTTER} ${y}h${n1(c.plot)}`);
      out.push(
        `<text x="${GUTTER - 6}" y="${y + 3.5}" class="axis level" text-anchor="end">${esc(lane.levelLabels[i]!)}</text>`,
      );
    });
    out.push(`<path class="levels" d="${levelLines.join('')}"/>`);
    for (const row of l.rows)
      out.push(
        `<text x="${GUTTER - 6}" y="${n1(row.y + row.h / 2 + 3.5)}" class="axis row-label" text-anchor="end">${esc(row.label)}</text>`,
      );
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
  function drawIrql(c: Canvas, lane: LaneModel, l: Layout): void {
    const yOf: number[] = [];
    lane.levels.forEach((level, i) => {
      yOf[level] = l.levelY[i]!;
    });
    const irql = lane.irql;
    let level = lane.level;
    let i = 0;
    for (; i < irql.length && irql[i]! <= c.t0; i += 2) level = irql[i + 1]!;
    const d: string[] = [`M${GUTTER} ${yOf[level]}`];
    let y = yOf[level]!;
    const v = (to: number): void => {
      const ty = yOf[to]!;
      if (ty !== y) d.push(`V${ty}`);
      y = ty;
    };
    let column = -1;
    let lo = 0;
    let hi = 0;
    const flush = (): void => {
      if (column < 0) return;
      d.push(`H${GUTTER + column}`);
      v(lo);
      v(hi);
      v(level);
    };
    for (; i < irql.length && irql[i]! <= c.t1; i += 2) {
      const col = Math.min(c.plot - 1, Math.floor(c.X(irql[i]!) - GUTTER));
      if (col !== column) {
        flush();
        column = col;
        lo = level;
        hi = level;
      }
      level = irql[i + 1]!;
      if (level < lo) lo = level;
      if (level > hi) hi = level;
    }
    flush();
    // Along the top of the lowest level back to the start: the fill's edge, drawn over its grid line.
    d.push(`H${n1(GUTTER + c.plot)}V${yOf[lane.levels[0]!]}H${GUTTER}Z`);
    c.out.push(`<path class="irql" d="${d.join('')}"/>`);
  }

  interface Cluster {
    x0: number;
    x1: number;
    first: number;
    last: number;
    count: number;
    readonly names: Map<number, number>;
  }
  /** Marks in a row, merged where the gap to the previous one is under a pixel and one of them is thin. */
  function clusters(
    c: Canvas,
    list: readonly number[],
    stride: number,
    keep: (i: number) => boolean,
    name: (i: number) => number,
  ): Cluster[] {
    const found: Cluster[] = [];
    let cur: Cluster | null = null;
    for (let i = 0; i < list.length; i += stride) {
      const start = list[i]!;
      const end = list[i + 1]!;
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
  function nameList(model: TimelineModel, names: Map<number, number>): string {
    return [...names]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 4)
      .map(([id, n]) => `${model.names[id] ?? '…'} ×${n}`)
      .join(', ');
  }

  function drawSpans(c: Canvas, lane: LaneModel, row: Row): void {
    const kindName = KIND_NAMES[row.kind]!;
    const found = clusters(
      c,
      lane.spans,
      4,
      (i) => lane.spans[i + 2] === row.kind,
      (i) => lane.spans[i + 3]!,
    );
    for (const k of found) {
      const w = k.x1 - k.x0;
      const only = k.count === 1 ? (c.model.names[[...k.names.keys()][0]!] ?? '…') : '';
      const text =
        k.count === 1
          ? `${only} (${kindName}) ticks ${k.first}–${k.last}, ${k.last - k.first} ticks`
          : `${k.count} ${kindName}s in ticks ${k.first}–${k.last}: ${nameList(c.model, k.names)}`;
      c.out.push(
        `<rect class="span ${row.key}" x="${n1(k.x0)}" y="${row.y + 2}" width="${n1(w)}" height="${row.h - 4}">${tip(c, k.x0, row.y, k.x1, row.y + row.h, text)}</rect>`,
      );
      // The name, cut short with an ellipsis where the span is narrower (not under 3 characters).
      const fits = Math.floor((w - 6) / (SMALL * ADVANCE));
      const label = fits >= only.length ? only : fits >= 4 ? `${only.slice(0, fits - 1)}…` : '';
      if (label !== '')
        c.out.push(
          `<text x="${n1(k.x0 + 3)}" y="${row.y + row.h - 4}" class="span-label ${row.key}">${esc(label)}</text>`,
        );
    }
  }

  function drawLocks(c: Canvas, lane: LaneModel, row: Row): void {
    for (let depth = 0; depth < 3; depth++) {
      const found = clusters(
        c,
        lane.locks,
        4,
        (i) => lane.locks[i + 3] === depth,
        (i) => lane.locks[i + 2]!,
      );
      const y = row.y + 2 + depth * 4;
      for (const k of found) {
        const text =
          k.count === 1
            ? `${nameList(c.model, k.names).replace(/ ×1$/, '')} held ticks ${k.first}–${k.last}`
            : `${k.count} holds in ticks ${k.first}–${k.last}: ${nameList(c.model, k.names)}`;
        c.out.push(
          `<rect class="lock" x="${n1(k.x0)}" y="${y}" width="${n1(k.x1 - k.x0)}" height="3">${tip(c, k.x0, y - 1, k.x1, y + 4, text)}</rect>`,
        );
      }
    }
  }

  /** Accesses: one stroke per pixel column, taller for more; labelled where the next one leaves room. */
  function drawAccesses(c: Canvas, lane: LaneModel, row: Row, fields: boolean): void {
    const a = lane.accesses;
    const columns: { c: number; n: number; first: number; last: number }[] = [];
    for (let i = 0; i < a.length; i += 4) {
      const tick = a[i]!;
      if (tick < c.t0 || tick > c.t1 || a[i + 1]! >= 2 !== fields) continue;
      const col = Math.min(c.plot - 1, Math.floor(c.X(tick) - GUTTER));
      const lastColumn = columns[columns.length - 1];
      if (lastColumn !== undefined && lastColumn.c === col) {
        lastColumn.n++;
        lastColumn.last = i;
      } else columns.push({ c: col, n: 1, first: i, last: i });
    }
    const describe = (i: number): string => {
      const kind = a[i + 1]!;
      const name = c.model.names[a[i + 2]!] ?? '…';
      const what =
        kind === 0
          ? `read ${name} → ${hex(a[i + 3]!)}`
          : kind === 1
            ? `write ${name} = ${hex(a[i + 3]!)}`
            : `${kind === 2 ? 'read' : 'write'} field ${name}`;
      return `${what} @${a[i]}`;
    };
    const short = (i: number): string => {
      const kind = a[i + 1]!;
      const name = c.model.names[a[i + 2]!] ?? '…';
      return kind === 0
        ? `${name}→${hex(a[i + 3]!)}`
        : kind === 1
          ? `${name}=${hex(a[i + 3]!)}`
          : `${kind === 2 ? 'r' : 'w'} ${name}`;
    };
    const d: string[] = [];
    const bottom = row.y + row.h - 2;
    columns.forEach((col, k) => {
      const h = Math.min(row.h - 4, 4 + Math.log2(col.n) * 3);
      const x = GUTTER + col.c + 0.75;
      d.push(`M${n1(x)} ${bottom}v-${n1(h)}`);
      if (!c.titles) {
        // Up to eight of the column's accesses, in order.
        const lines: string[] = [];
        for (let i = col.first; i <= col.last && lines.length < 8; i += 4)
          if (a[i + 1]! >= 2 === fields) lines.push(describe(i));
        if (col.n > lines.length) lines.push(`… ${col.n} accesses in all`);
        tip(c, x - 1, row.y, x + 2, row.y + row.h, lines.join('\n'));
      }
      if (col.n !== 1) return;
      const label = short(col.first);
      const next = columns[k + 1];
      const room = (next === undefined ? c.plot : next.c) - col.c - 4;
      if (textWidth(label, SMALL) + 3 <= room)
        c.out.push(
          `<text x="${GUTTER + col.c + 3}" y="${row.y + row.h - 4}" class="access-label">${esc(label)}</text>`,
        );
    });
    if (d.length > 0) c.out.push(`<path class="access${fields ? ' field' : ''}" d="${d.join('')}"/>`);
  }

  /** Scheduler departures (diamonds) and reports (dots on a band across the lane), the headline labelled first. */
  function drawMarks(c: Canvas, lane: LaneModel, l: Layout, row: Row): void {
    const model = c.model;
    const cy = row.y + row.h / 2;
    const ch = lane.choices;
    const obstacles: [number, number][] = [];
    for (let i = 0; i < ch.length; i += 4) {
      if (ch[i]! < c.t0 || ch[i]! > c.t1) continue;
      const x = c.X(ch[i]!);
      obstacles.push([x - 7, x + 7]);
      c.out.push(
        `<g class="choice"><path d="M${n1(x)} ${cy - 7}l6 7l-6 7l-6-7z"/>${tip(c, x - 7, cy - 7, x + 7, cy + 7, `scheduler departure #${ch[i + 2]} → alternative ${ch[i + 3]}: ${model.names[ch[i + 1]!] ?? '…'} (tick ${ch[i]})`)}</g>`,
      );
    }
    const r = lane.reports;
    const shown: { x: number; tick: number; index: number; error: boolean }[] = [];
    for (let i = 0; i < r.length; i += 3) {
      if (r[i]! < c.t0 || r[i]! > c.t1) continue;
      shown.push({ x: c.X(r[i]!), tick: r[i]!, index: r[i + 1]!, error: r[i + 2] === 1 });
    }
    const bandTop = l.top - 7;
    for (const m of shown) {
      const report = model.reports[m.index];
      const rule = report === undefined ? 'report' : report[0];
      const headline = m.index === model.headline;
      const bandWidth = headline ? 5 : 3;
      obstacles.push([m.x - 8, m.x + 8]);
      // Reports keep their SVG title (a few per lane): the link is the mark.
      c.out.push(
        `<a href="#report-${m.index}" class="violation${headline ? ' headline' : ''}${m.error ? '' : ' warning'}" id="mark-${m.index}" data-rule="${esc(rule)}"><rect class="band" x="${n1(m.x - bandWidth / 2)}" y="${bandTop}" width="${bandWidth}" height="${n1(cy - bandTop)}"/><circle cx="${n1(m.x)}" cy="${cy}" r="${headline ? 7 : 5}"/><title>${esc(report === undefined ? rule : report[2])} (tick ${m.tick})</title></a>`,
      );
    }
    // Labels: the headline's first, then each other report's where it clears the marks and the labels placed.
    const placed: [number, number][] = [];
    const order = shown.slice().sort((p, q) => Number(q.index === model.headline) - Number(p.index === model.headline));
    for (const m of order) {
      const report = model.reports[m.index];
      if (report === undefined) continue;
      const headline = m.index === model.headline;
      const w = textWidth(report[0], SMALL);
      const gap = headline ? 10 : 8;
      const right: [number, number] = [m.x + gap, m.x + gap + w];
      const left: [number, number] = [m.x - gap - w, m.x - gap];
      const free = (span: [number, number]): boolean =>
        span[0] >= GUTTER + 2 &&
        span[1] <= c.width - 2 &&
        placed.every(([p, q]) => span[1] + 4 <= p || span[0] >= q + 4) &&
        obstacles.every(([p, q]) => (p <= m.x && m.x <= q) || span[1] + 3 <= p || span[0] >= q + 3);
      const at = free(right) ? right : free(left) ? left : null;
      if (at === null) continue;
      placed.push(at);
      c.out.push(
        `<text x="${n1(at[0])}" y="${cy + 3}" class="mark-label${headline ? ' headline' : ''}">${esc(report[0])}</text>`,
      );
    }
  }

  /** The whole run: ISRs and DPCs per column on rows of their own, reports, the window outlined. */
  function overview(model: TimelineModel, t0: number, t1: number, width: number): Drawn {
    const o = model.ov;
    if (o.cpus.length === 0) return { svg: '', height: 0, boxes: [], texts: [] };
    const plot = Math.max(10, width - GUTTER - RIGHT);
    const s = plot / Math.max(model.runEnd, 1);
    const X = (tick: number): number => GUTTER + tick * s;
    const per = 24;
    const anyReport = o.reports.some((n) => n > 0);
    const height = 4 + o.cpus.length * per + (anyReport ? 14 : 2);
    const out: string[] = [];
    const columns = (counts: readonly number[]): Float64Array => {
      const col = new Float64Array(Math.ceil(plot));
      for (let b = 0; b < o.buckets; b++) {
        const n = counts[b] ?? 0;
        if (n === 0) continue;
        const c0 = Math.min(col.length - 1, Math.floor(b * o.bucketTicks * s));
        const c1 = Math.min(col.length, Math.max(c0 + 1, Math.floor((b + 1) * o.bucketTicks * s)));
        for (let k = c0; k < c1; k++) col[k] = col[k]! + n;
      }
      return col;
    };
    /** Bars as one path: a column's height grows with the log of its count. */
    const bars = (col: Float64Array, y: number, h: number, what: string): void => {
      let max = 0;
      for (const v of col) if (v > max) max = v;
      if (max === 0) return;
      const d: string[] = [];
      for (let k = 0; k < col.length; ) {
        const bh = col[k] === 0 ? 0 : Math.max(1, Math.round((h * Math.log1p(col[k]!)) / Math.log1p(max)));
        let e = k + 1;
        while (e < col.length && col[e] === col[k]) e++;
        if (bh > 0) d.push(`M${GUTTER + k} ${y + h}v-${bh}h${e - k}v${bh}z`);
        k = e;
      }
      out.push(`<path class="ov-${what}" d="${d.join('')}"/>`);
    };
    out.push(`<rect class="lane-bg" x="${GUTTER}" y="2" width="${n1(plot)}" height="${height - 4}"/>`);
    const notKept = (a: number, b: number): void => {
      if (b > a)
        out.push(
          `<rect class="not-kept" x="${n1(X(a))}" y="2" width="${n1(X(b) - X(a))}" height="${height - 4}"><title>ticks ${a}–${b}: the page carries no events from here, only these counts</title></rect>`,
        );
    };
    if (model.cutBefore) notKept(0, model.start);
    if (model.cutAfter) notKept(model.end, model.runEnd);
    o.cpus.forEach((row, k) => {
      const y = 4 + k * per;
      out.push(
        `<text x="${GUTTER - 6}" y="${y + 9}" class="ov-label" text-anchor="end">cpu ${row.cpu} ISR</text>`,
        `<text x="${GUTTER - 6}" y="${y + 20}" class="ov-label" text-anchor="end">DPC</text>`,
      );
      bars(columns(row.isrs), y + 1, 9, 'isr');
      bars(columns(row.dpcs), y + 12, 9, 'dpc');
    });
    if (anyReport) {
      const ry = 4 + o.cpus.length * per;
      out.push(`<text x="${GUTTER - 6}" y="${ry + 9}" class="axis row-label" text-anchor="end">reports</text>`);
      const rep = columns(o.reports);
      for (let k = 0; k < rep.length; k++) {
        if (rep[k] === 0) continue;
        out.push(
          `<rect class="ov-report" x="${n1(GUTTER + k - 0.5)}" y="${ry + 1}" width="2" height="9"><title>${rep[k]} report${rep[k] === 1 ? '' : 's'} in ticks ${Math.floor(k / s)}–${Math.floor((k + 1) / s)}</title></rect>`,
        );
      }
    }
    const wx = X(t0);
    out.push(
      `<rect id="ov-window" x="${n1(wx)}" y="1" width="${n1(Math.max(2, X(t1) - wx))}" height="${height - 2}"/>`,
    );
    return { svg: out.join('\n'), height, boxes: [], texts: [] };
  }

  return { decode, draw, overview };
}

/**
 * The source of timelineView as the page runs it. esbuild's keepNames (tsx uses it) wraps inner
 * functions in calls to its `__name` helper, which only sets a function's name: define it as a no-op.
 */
function viewSource(): string {
  return `(function () { var __name = function (f) { return f; }; return (${timelineView.toString()})(); })()`;
}

let compiled: TimelineView | null = null;

/**
 * timelineView built from its own source text — exactly what the page's script runs — so the page
 * as written proves the script's drawing works (a build step that made the function depend on
 * anything else outside its body would fail here, not in a browser).
 */
function compiledView(): TimelineView {
  compiled ??= new Function(`return ${viewSource()};`)() as TimelineView;
  return compiled;
}

// ---- The page around the drawing ---------------------------------------------------------------------

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const LEGEND = [
  ['ISR', TIMELINE_COLORS.isr, 'box'],
  ['synchronize', TIMELINE_COLORS.sync, 'box'],
  ['DPC', TIMELINE_COLORS.dpc, 'box'],
  ['other role', TIMELINE_COLORS.other, 'box'],
  ['lock held', TIMELINE_COLORS.lock, 'bar'],
  ['register access', TIMELINE_COLORS.access, 'tick'],
  ['shared field access', TIMELINE_COLORS.field, 'tick'],
  ['scheduler departure', TIMELINE_COLORS.choice, 'diamond'],
  ['error', TIMELINE_COLORS.violation, 'dot'],
  ['warning', TIMELINE_COLORS.warning, 'dot'],
]
  .map(
    ([label, colour, shape]) =>
      `<span class="key"><span class="swatch ${shape}" style="background:${colour}"></span>${label}</span>`,
  )
  .join(' ');

const CONTROLS = [
  '<div class="controls" id="tl-controls" hidden>',
  '<button type="button" data-act="out" title="zoom out (−)">−</button>',
  '<button type="button" data-act="in" title="zoom in (+)">+</button>',
  '<button type="button" data-act="left" title="earlier (←)">◀</button>',
  '<button type="button" data-act="right" title="later (→)">▶</button>',
  '<button type="button" data-act="all" title="the whole run (0)">whole run</button>',
  '<span id="tl-range"></span><span id="tl-at"></span>',
  '<span class="hint">Ctrl+wheel or + − to zoom, drag to pan, double-click to zoom in; drag over the overview to pick ticks</span>',
  '</div>',
].join('');

const PAGE_CSS = [
  'body{font:13px/1.4 system-ui,-apple-system,Segoe UI,sans-serif;margin:16px;color:#222;background:#fff}',
  'h1{font-size:18px;margin:0 0 4px}h2{font-size:15px;margin:18px 0 6px}h3{font-size:13px;margin:10px 0 4px}',
  '.sub{margin:0;color:#555}.legend{margin:6px 0}.key{margin-right:12px;white-space:nowrap}',
  '.swatch{display:inline-block;width:10px;height:10px;margin-right:4px;vertical-align:middle}',
  '.swatch.bar{height:4px}.swatch.tick{width:3px}.swatch.dot{border-radius:50%}.swatch.diamond{transform:rotate(45deg) scale(.8)}',
  '.headline{margin:10px 0;padding:8px 12px;border-left:6px solid #e00000;background:#fff0f0}',
  '.headline.warning{border-color:#ff9da7;background:#fff6f7}.headline.clean{border-color:#59a14f;background:#f2f9f1}',
  '.headline .why{color:#666}.headline .msg{color:#333;margin:2px 0}',
  '.plot{width:100%}.plot svg{display:block;width:100%;height:auto;margin-top:6px;touch-action:pan-y}.plot svg[hidden]{display:none}',
  '.axis{font-size:10px;fill:#666}.ov-label{font-size:9px;fill:#666}.lane-title{font-size:12px;font-weight:600;fill:#333}.lane-sum{font-weight:400;fill:#777;font-size:10px}',
  '.tick-label,.span-label,.access-label,.mark-label{font-family:ui-monospace,Menlo,Consolas,"DejaVu Sans Mono",monospace}',
  '.tick-label{font-size:10px;fill:#666}.span-label,.access-label,.mark-label{font-size:9px}.access-label{fill:#444}',
  '.mark-label{fill:#a00000;font-weight:600}.mark-label.headline{fill:#000}',
  'a.violation:focus circle,a.violation.flash circle{stroke:#1f6feb;stroke-width:3}',
  '.controls{position:sticky;top:0;z-index:1;background:#fff;padding:4px 0;display:flex;gap:6px;align-items:center;flex-wrap:wrap}',
  '.controls[hidden]{display:none}.controls button{font:inherit;min-width:28px}.controls .hint{color:#777;font-size:11px}#tl-range{font-variant-numeric:tabular-nums}',
  '#tl-at{color:#555;font-variant-numeric:tabular-nums;min-width:9em}',
  '#timeline{cursor:grab}#timeline.dragging{cursor:grabbing}#overview{cursor:crosshair}',
  '.idle{color:#666;margin:4px 0 0}',
  '.tip{position:fixed;z-index:2;max-width:480px;background:#fffffe;border:1px solid #bbb;box-shadow:0 1px 4px #0002;padding:3px 6px;font:11px/1.35 ui-monospace,Menlo,Consolas,monospace;white-space:pre-wrap;pointer-events:none}',
  '.lane-bg{fill:#fafafa;stroke:#ddd}.grid{fill:none;stroke:#ececec}.levels{fill:none;stroke:#e6e6e6}.not-kept{fill:#000;fill-opacity:.06}',
  '#ov-window{fill:#1f6feb;fill-opacity:.08;stroke:#1f6feb;stroke-width:1.5}.choice path{stroke:#7a5c00}',
  '.span-label{fill:#111}.span-label.dpc,.span-label.sync{fill:#fff}path.access{fill:none;stroke-width:1.5}',
  'a.violation .band{fill-opacity:.3}a.violation.headline .band{fill-opacity:.55}a.violation.headline circle{stroke:#000;stroke-width:2}',
  'pre{background:#f6f6f6;padding:8px;overflow:auto;font-size:11px}.report:target{outline:2px solid #e00000}',
  '.tag{background:#e00000;color:#fff;border-radius:3px;padding:0 4px;font-size:11px}.to-mark{font-weight:400;font-size:11px}',
].join('\n');

/** What takes its colour from TIMELINE_COLORS. */
const COLOR_CSS = [
  `.span.isr,.ov-isr{fill:${TIMELINE_COLORS.isr}}.span.dpc,.ov-dpc{fill:${TIMELINE_COLORS.dpc}}`,
  `.span.sync{fill:${TIMELINE_COLORS.sync}}.span.role{fill:${TIMELINE_COLORS.other}}.lock{fill:${TIMELINE_COLORS.lock}}`,
  `path.access{stroke:${TIMELINE_COLORS.access}}path.access.field{stroke:${TIMELINE_COLORS.field}}`,
  `path.irql{stroke:${TIMELINE_COLORS.irql};stroke-width:1.2;fill:${TIMELINE_COLORS.irql};fill-opacity:.09}`,
  `.choice path{fill:${TIMELINE_COLORS.choice}}a.violation circle,a.violation .band,.ov-report{fill:${TIMELINE_COLORS.violation}}`,
  `a.violation.warning circle,a.violation.warning .band{fill:${TIMELINE_COLORS.warning}}`,
].join('\n');

/**
 * The page's script: reads the JSON island, redraws the visible window with timelineView on zoom,
 * pan and resize, and moves the window to a report when its mark is asked for. Nothing is fetched.
 */
function pageScript(): string {
  const glue = String.raw`
(function () {
  'use strict';
  var V = ${viewSource()};
  var model = V.decode(JSON.parse(document.getElementById('timeline-data').textContent));
  var svg = document.getElementById('timeline');
  var ov = document.getElementById('overview');
  var controls = document.getElementById('tl-controls');
  var rangeText = document.getElementById('tl-range');
  var atText = document.getElementById('tl-at');
  var tipBox = document.getElementById('tl-tip');
  var drawn = null;
  var overviewWidth = 0;
  var GUTTER = ${VIEW_GUTTER}, RIGHT = ${VIEW_RIGHT};
  var full = [model.start, model.end];
  var view = [full[0], full[1]];
  var MIN_TICKS = 8;
  var width = 0;
  controls.hidden = false;

  function clamp(t0, t1) {
    var span = Math.min(full[1] - full[0], Math.max(MIN_TICKS, t1 - t0));
    t0 = Math.max(full[0], Math.min(t0, full[1] - span));
    return [t0, t0 + span];
  }
  function round(t) { return Math.round(t * 10) / 10; }
  function render() {
    width = Math.max(360, Math.floor(svg.parentNode.clientWidth));
    drawn = V.draw(model, view[0], view[1], width, false);
    svg.setAttribute('viewBox', '0 0 ' + width + ' ' + drawn.height);
    svg.innerHTML = drawn.svg;
    svg.setAttribute('data-t0', round(view[0]));
    svg.setAttribute('data-t1', round(view[1]));
    if (overviewWidth !== width) {
      var o = V.overview(model, view[0], view[1], width);
      if (o.height > 0) { ov.setAttribute('viewBox', '0 0 ' + width + ' ' + o.height); ov.innerHTML = o.svg; }
      overviewWidth = width;
    }
    outline(view[0], view[1]);
    tipBox.hidden = true;
    var span = view[1] - view[0];
    rangeText.textContent = 'ticks ' + Math.round(view[0]) + '–' + Math.round(view[1]) + ' (' + Math.round(span) +
      ' ticks, ' + round(span / 10) + ' µs' + (span < full[1] - full[0] ? ', ' + round((full[1] - full[0]) / span) + '× zoom' : '') + ')';
  }
  /** Moves the overview's outline to ticks a..b. */
  function outline(a, b) {
    var w = document.getElementById('ov-window');
    if (!w) return;
    var s = plotWidth() / Math.max(1, model.runEnd);
    w.setAttribute('x', GUTTER + a * s);
    w.setAttribute('width', Math.max(2, (b - a) * s));
  }
  /** The tooltip of the mark nearest the pointer (within 3 px), from the drawing's boxes. */
  function showTip(e, x) {
    var box = svg.getBoundingClientRect();
    var y = (e.clientY - box.top) * (width / box.width);
    var best = -1, bestDistance = 4;
    for (var i = 0, b = drawn.boxes; i < b.length; i += 4) {
      if (y < b[i + 1] || y > b[i + 3]) continue;
      var distance = x < b[i] ? b[i] - x : x > b[i + 2] ? x - b[i + 2] : 0;
      if (distance < bestDistance) { bestDistance = distance; best = i / 4; }
    }
    if (best < 0 || drag !== null && drag.moved) { tipBox.hidden = true; return; }
    tipBox.textContent = drawn.texts[best];
    tipBox.hidden = false;
    var left = e.clientX + 14, top = e.clientY + 14;
    if (left + tipBox.offsetWidth > innerWidth - 4) left = Math.max(4, e.clientX - 14 - tipBox.offsetWidth);
    if (top + tipBox.offsetHeight > innerHeight - 4) top = Math.max(4, e.clientY - 14 - tipBox.offsetHeight);
    tipBox.style.left = left + 'px';
    tipBox.style.top = top + 'px';
  }
  var queued = false;
  function setView(t0, t1, now) {
    view = clamp(t0, t1);
    if (now) { render(); return; }
    if (!queued) { queued = true; requestAnimationFrame(function () { queued = false; render(); }); }
  }
  function plotWidth() { return width - GUTTER - RIGHT; }
  /** The tick under a client x, for an element drawn at the page's width. */
  function tickAt(el, clientX) {
    var box = el.getBoundingClientRect();
    var x = (clientX - box.left) * (width / box.width);
    return { x: x, tick: view[0] + ((x - GUTTER) / plotWidth()) * (view[1] - view[0]) };
  }
  function zoom(factor, at) {
    var t = at === undefined ? (view[0] + view[1]) / 2 : at;
    setView(t - (t - view[0]) * factor, t + (view[1] - t) * factor);
  }
  function pan(fraction) {
    var d = (view[1] - view[0]) * fraction;
    setView(view[0] + d, view[1] + d);
  }
  function showMark(index) {
    var r = null;
    for (var k = 0; k < model.lanes.length && r === null; k++) {
      var marks = model.lanes[k].reports;
      for (var i = 0; i < marks.length; i += 3) if (marks[i + 1] === index) { r = marks[i]; break; }
    }
    if (r === null) return false;
    var half = Math.max(20, Math.min(2000, (full[1] - full[0]) / 16));
    setView(r - half, r + half, true);
    var el = document.getElementById('mark-' + index);
    if (el) {
      el.scrollIntoView({ block: 'center' });
      el.classList.add('flash');
      setTimeout(function () { el.classList.remove('flash'); }, 1500);
    }
    return true;
  }
  function fromHash() {
    var h = decodeURIComponent(location.hash.slice(1));
    var m = /^ticks=(\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)$/.exec(h);
    if (m) { setView(Number(m[1]), Number(m[2]), true); return; }
    m = /^mark-(\d+)$/.exec(h);
    if (m) showMark(Number(m[1]));
  }

  controls.addEventListener('click', function (e) {
    var act = e.target.closest('button') && e.target.closest('button').getAttribute('data-act');
    if (act === 'in') zoom(0.5);
    else if (act === 'out') zoom(2);
    else if (act === 'left') pan(-0.25);
    else if (act === 'right') pan(0.25);
    else if (act === 'all') setView(full[0], full[1]);
  });
  document.addEventListener('click', function (e) {
    var a = e.target.closest && e.target.closest('a[href^="#mark-"]');
    if (!a || e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey) return;
    if (showMark(Number(a.getAttribute('href').slice(6)))) e.preventDefault();
  });
  document.addEventListener('keydown', function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey || /^(INPUT|TEXTAREA|SELECT)$/.test(e.target.tagName)) return;
    if (e.key === '+' || e.key === '=') zoom(0.5);
    else if (e.key === '-' || e.key === '_') zoom(2);
    else if (e.key === '0') setView(full[0], full[1]);
    else if (e.key === 'ArrowLeft') pan(-0.25);
    else if (e.key === 'ArrowRight') pan(0.25);
    else return;
    e.preventDefault();
  });
  svg.addEventListener('wheel', function (e) {
    var horizontal = Math.abs(e.deltaX) > Math.abs(e.deltaY);
    if (!(e.ctrlKey || e.metaKey) && !horizontal && !e.shiftKey) return;
    e.preventDefault();
    if (e.ctrlKey || e.metaKey) zoom(Math.pow(2, Math.max(-1, Math.min(1, e.deltaY / 120))), tickAt(svg, e.clientX).tick);
    else pan((horizontal ? e.deltaX : e.deltaY) / 600);
  }, { passive: false });
  svg.addEventListener('dblclick', function (e) {
    e.preventDefault();
    zoom(e.shiftKey ? 2 : 0.5, tickAt(svg, e.clientX).tick);
  });
  var drag = null;
  svg.addEventListener('pointerdown', function (e) {
    if (e.button !== 0 || tickAt(svg, e.clientX).x < GUTTER) return;
    drag = { x: e.clientX, view: view.slice(), moved: false, id: e.pointerId };
  });
  svg.addEventListener('pointermove', function (e) {
    var at = tickAt(svg, e.clientX);
    var cursor = document.getElementById('tl-cursor');
    var inside = at.x >= GUTTER && at.x <= width - RIGHT;
    if (cursor) {
      cursor.setAttribute('x1', at.x); cursor.setAttribute('x2', at.x);
      cursor.setAttribute('visibility', inside ? 'visible' : 'hidden');
    }
    atText.textContent = inside ? 'tick ' + Math.round(at.tick) + ' (' + round(at.tick / 10) + ' µs)' : '';
    showTip(e, at.x);
    if (drag === null) return;
    if (!drag.moved && Math.abs(e.clientX - drag.x) < 4) return;
    if (!drag.moved) { drag.moved = true; svg.setPointerCapture(drag.id); svg.classList.add('dragging'); }
    var box = svg.getBoundingClientRect();
    var dt = ((e.clientX - drag.x) * (width / box.width) / plotWidth()) * (drag.view[1] - drag.view[0]);
    setView(drag.view[0] - dt, drag.view[1] - dt);
  });
  var dragged = false;
  function endDrag() {
    if (drag !== null && drag.moved) {
      svg.classList.remove('dragging');
      // The click that ends a drag does not follow a mark's link.
      dragged = true;
      setTimeout(function () { dragged = false; }, 0);
    }
    drag = null;
  }
  svg.addEventListener('pointerup', endDrag);
  svg.addEventListener('pointercancel', endDrag);
  svg.addEventListener('pointerleave', function () { atText.textContent = ''; tipBox.hidden = true; });
  svg.addEventListener('click', function (e) { if (dragged) { e.preventDefault(); e.stopPropagation(); } }, true);

  var brush = null;
  function overviewTick(e) {
    var box = ov.getBoundingClientRect();
    var x = (e.clientX - box.left) * (width / box.width);
    return Math.max(0, Math.min(model.runEnd, ((x - GUTTER) / plotWidth()) * model.runEnd));
  }
  ov.addEventListener('pointerdown', function (e) {
    if (e.button !== 0) return;
    brush = { from: overviewTick(e), x: e.clientX };
    ov.setPointerCapture(e.pointerId);
  });
  ov.addEventListener('pointermove', function (e) {
    if (brush === null || Math.abs(e.clientX - brush.x) < 4) return;
    outline(Math.min(brush.from, overviewTick(e)), Math.max(brush.from, overviewTick(e)));
  });
  ov.addEventListener('pointerup', function (e) {
    if (brush === null) return;
    var t = overviewTick(e);
    if (Math.abs(e.clientX - brush.x) >= 4) setView(Math.min(brush.from, t), Math.max(brush.from, t));
    else { var half = (view[1] - view[0]) / 2; setView(t - half, t + half); }
    brush = null;
  });
  window.addEventListener('resize', function () { setView(view[0], view[1]); });
  window.addEventListener('hashchange', fromHash);
  render();
  fromHash();
})();
`;
  // The HTML parser would end the script early at either (the drawing's strings never hold them).
  if (/<\/script|<!--/i.test(glue)) throw new Error('renderTimeline: the page script holds "</script" or "<!--"');
  return glue;
}
