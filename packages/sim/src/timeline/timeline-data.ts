/**
 * The trace turned into what the page carries: the report that decides the run, the kept events
 * around it, and per busy processor a lane of compact records (the JSON island the drawing reads).
 */
import { levelName } from '@ddikit/ndis';
import type { TraceEvent, TraceSnapshot } from '../core/trace.js';
import { SPAN_DPC, SPAN_ISR, SPAN_OTHER, SPAN_SYNC } from '../core/trace.js';
import type { Report } from '../verifier/report-types.js';
import { LOCKSET_RULES } from '../verifier/rule-table.js';
import { TIMELINE_COLORS } from './page-style.js';

/**
 * The page's JSON island. Flat number arrays, one record after another; the first field of each
 * record is a tick, stored as the difference from the previous record's tick (`irql`: tick, level;
 * `spans`: start, duration, kind, name; `locks`: start, duration, name, depth; `accesses`: tick,
 * kind (0 read, 1 write, 2 field read, 3 field write), name, value; `choices`: tick, name, point,
 * alternative; `reports`: tick, report index, 1 error / 0 warning). Names index `names`.
 */
export interface TimelineData {
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

export interface LaneData {
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
export interface OverviewData {
  readonly bucketTicks: number;
  readonly buckets: number;
  readonly cpus: readonly {
    readonly cpu: number;
    readonly isrs: readonly number[];
    readonly dpcs: readonly number[];
  }[];
  readonly reports: readonly number[];
}

/**
 * The index of the report that decides the run, or -1: the first error lockset analysis did not
 * find (what makes an explored schedule fail), else the first error (in bugcheck mode the only one:
 * it stopped the run), else the first warning.
 */
export function headlineReport(reports: readonly Report[]): number {
  const manifest = reports.findIndex((r) => r.severity === 'error' && !LOCKSET_RULES.includes(r.rule));
  if (manifest >= 0) return manifest;
  const error = reports.findIndex((r) => r.severity === 'error');
  return error >= 0 ? error : reports.length > 0 ? 0 : -1;
}

/** The kept events the page carries: all of them, or `max` around the headline's mark (else the last). */
export function detailWindow(events: readonly TraceEvent[], max: number, headline: number): readonly TraceEvent[] {
  if (events.length <= max) return events;
  const at = headline >= 0 ? events.findIndex((e) => e.kind === 'report' && e.value === headline) : -1;
  const first = at < 0 ? events.length - max : Math.min(events.length - max, Math.max(0, at - (max >> 1)));
  return events.slice(first, first + max);
}

const ACCESS_KINDS: Readonly<Record<string, number>> = { read: 0, write: 1, 'field-read': 2, 'field-write': 3 };

/** The JSON island for the kept events, the run's reports and the trace's overview. */
export function buildData(
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

/** A lane's events as records with absolute ticks, before the island's delta encoding. */
interface LaneRecords {
  readonly levels: Set<number>;
  /** The levels at which an ISR was entered. */
  readonly isrLevels: Set<number>;
  /** [tick, level]… */
  readonly irql: number[];
  /** [start, end, kind, name], by start. */
  readonly spans: [number, number, number, number][];
  /** [start, end, name, depth], by start. */
  readonly locks: [number, number, number, number][];
  /** [tick, access kind, name, value]… */
  readonly accesses: number[];
  /** [tick, name, point, alternative]… */
  readonly choices: number[];
  /** [tick, report index, 1 error / 0 warning]… */
  readonly marks: number[];
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
  const lane = laneRecords(events, level, start, end, nameOf);
  const ascending = [...lane.levels].sort((a, b) => a - b);
  return {
    cpu,
    summary: laneSummary(lane),
    level,
    levels: ascending,
    levelLabels: ascending.map((l) => levelLabel(l) + (lane.isrLevels.has(l) ? ' · ISR' : '')),
    irql: deltas(lane.irql, 2),
    spans: deltas(
      lane.spans.flatMap(([s, e, kind, name]) => [s, e - s, kind, name]),
      4,
    ),
    locks: deltas(
      lane.locks.flatMap(([s, e, name, depth]) => [s, e - s, name, depth]),
      4,
    ),
    accesses: deltas(lane.accesses, 4),
    choices: deltas(lane.choices, 4),
    reports: deltas(lane.marks, 3),
  };
}

/**
 * Pairs each exit with its enter and each release with its acquire; a span or hold whose start the
 * ring lost starts at `start`, one still open runs to `end`.
 */
function laneRecords(
  events: readonly TraceEvent[],
  level: number,
  start: number,
  end: number,
  nameOf: (name: string) => number,
): LaneRecords {
  const lane: LaneRecords = {
    levels: new Set<number>([0, 2, level]),
    isrLevels: new Set<number>(),
    irql: [],
    spans: [],
    locks: [],
    accesses: [],
    choices: [],
    marks: [],
  };
  const stack: OpenSpan[] = [];
  const held = new Map<string, { start: number; depth: number }>();
  for (const event of events) {
    switch (event.kind) {
      case 'irql':
        lane.irql.push(event.tick, event.irql);
        lane.levels.add(event.value).add(event.irql);
        break;
      case 'enter':
        stack.push({ kind: event.value, name: event.name, start: event.tick });
        lane.levels.add(event.irql);
        if (event.value === SPAN_ISR) lane.isrLevels.add(event.irql);
        break;
      case 'exit': {
        // Close the innermost open span of that name.
        let k = stack.length - 1;
        while (k >= 0 && stack[k]!.name !== event.name) k--;
        const span = k >= 0 ? stack.splice(k, 1)[0]! : { kind: event.value, name: event.name, start };
        lane.spans.push([span.start, event.tick, span.kind, nameOf(span.name)]);
        break;
      }
      case 'lock-acquire':
        held.set(event.name, { start: event.tick, depth: held.size });
        break;
      case 'lock-release': {
        const hold = held.get(event.name) ?? { start, depth: 0 };
        held.delete(event.name);
        lane.locks.push([hold.start, event.tick, nameOf(event.name), Math.min(hold.depth, 2)]);
        break;
      }
      case 'read':
      case 'write':
      case 'field-read':
      case 'field-write':
        lane.accesses.push(event.tick, ACCESS_KINDS[event.kind]!, nameOf(event.name), event.value);
        break;
      case 'choice':
        lane.choices.push(event.tick, nameOf(event.name), event.value, event.aux);
        break;
      case 'report':
        lane.marks.push(event.tick, event.value, event.aux === 1 ? 1 : 0);
        break;
      default:
        break;
    }
  }
  for (const span of stack) lane.spans.push([span.start, end, span.kind, nameOf(span.name)]);
  for (const [name, hold] of held) lane.locks.push([hold.start, end, nameOf(name), Math.min(hold.depth, 2)]);
  lane.spans.sort((a, b) => a[0] - b[0] || a[2] - b[2]);
  lane.locks.sort((a, b) => a[0] - b[0] || a[3] - b[3]);
  return lane;
}

/** The lane's title line: "2 ISRs · 1 DPC · 3 lock holds · 40 accesses · 1 error". */
function laneSummary(lane: LaneRecords): string {
  const spansOf = (kind: number): number => lane.spans.filter((span) => span[2] === kind).length;
  let errors = 0;
  for (let i = 2; i < lane.marks.length; i += 3) errors += lane.marks[i]!;
  return [
    plural(spansOf(SPAN_ISR), 'ISR'),
    plural(spansOf(SPAN_SYNC), 'synchronize call'),
    plural(spansOf(SPAN_DPC), 'DPC'),
    plural(spansOf(SPAN_OTHER), 'other role call'),
    plural(lane.locks.length, 'lock hold'),
    plural(lane.accesses.length / 4, 'access', 'accesses'),
    plural(errors, 'error'),
    plural(lane.marks.length / 3 - errors, 'warning'),
  ]
    .filter((part) => part !== '')
    .join(' · ');
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
