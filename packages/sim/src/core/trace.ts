/**
 * The trace of a run: what each processor did, tick by tick — IRQL changes, role functions entered
 * and left (ISR, DPC, synchronize spans), spin locks taken and released, register and shared-field
 * accesses, the scheduler's choices, interrupts delivered and violations reported.
 *
 * Memory is bounded whatever the length of the run: the detailed events live in a fixed ring (the
 * last `eventsMax` of them), and a fixed number of overview buckets summarizes the whole run (per
 * processor: the highest IRQL, ISRs, DPCs and register accesses per bucket). When the run outgrows
 * the buckets, neighbouring buckets merge and each covers twice the ticks, so the overview always
 * spans the whole run at a resolution that halves as it grows. Recording an event allocates nothing.
 *
 * The timeline (timeline.ts) renders a {@link TraceSnapshot}; the snapshot is plain data (JSON-able).
 */

/** Event kinds. */
export const TRACE_IRQL = 1;
export const TRACE_ENTER = 2;
export const TRACE_EXIT = 3;
export const TRACE_LOCK_ACQUIRE = 4;
export const TRACE_LOCK_RELEASE = 5;
export const TRACE_READ = 6;
export const TRACE_WRITE = 7;
export const TRACE_FIELD_READ = 8;
export const TRACE_FIELD_WRITE = 9;
export const TRACE_CHOICE = 10;
export const TRACE_REPORT = 11;
export const TRACE_INTERRUPT = 12;

/** Span kinds of TRACE_ENTER / TRACE_EXIT events (the role kinds of verifier/contract-table.ts). */
export const SPAN_OTHER = 0;
export const SPAN_ISR = 1;
export const SPAN_DPC = 2;
export const SPAN_SYNC = 3;

export type TraceEventKind =
  | 'irql'
  | 'enter'
  | 'exit'
  | 'lock-acquire'
  | 'lock-release'
  | 'read'
  | 'write'
  | 'field-read'
  | 'field-write'
  | 'choice'
  | 'report'
  | 'interrupt';

const KIND_NAMES: readonly TraceEventKind[] = [
  'irql',
  'irql',
  'enter',
  'exit',
  'lock-acquire',
  'lock-release',
  'read',
  'write',
  'field-read',
  'field-write',
  'choice',
  'report',
  'interrupt',
];

/**
 * One event, decoded. What `name`, `value` and `aux` hold depends on the kind:
 *
 * | kind | name | value | aux |
 * |---|---|---|---|
 * | irql | what changed it | the level before | — |
 * | enter, exit | the function | span kind (0 other, 1 ISR, 2 DPC, 3 synchronize) | — |
 * | lock-acquire, lock-release | the lock | lock id | — |
 * | read, write | the register | the value | — |
 * | field-read, field-write | the field | — | — |
 * | choice | what was chosen | choice point index | alternative |
 * | report | rule id | index in the run's reports | 1 error, 0 warning |
 * | interrupt | `line` or `message N` | message | 1 asserted by the device, 0 not (shared line, spurious) |
 *
 * `irql` is the processor's IRQL after the event (for enter: on entry).
 */
export interface TraceEvent {
  readonly tick: number;
  readonly kind: TraceEventKind;
  readonly processor: number;
  readonly irql: number;
  readonly name: string;
  readonly value: number;
  readonly aux: number;
}

/** The overview of the whole run: `buckets` columns of `bucketTicks` ticks each, per processor. */
export interface TraceOverview {
  readonly bucketTicks: number;
  readonly buckets: number;
  /** [processor][bucket]: highest IRQL seen in the bucket, or -1 when nothing was recorded. */
  readonly irqlMax: readonly (readonly number[])[];
  /** [processor][bucket]: ISRs entered. */
  readonly isrs: readonly (readonly number[])[];
  /** [processor][bucket]: DPCs entered. */
  readonly dpcs: readonly (readonly number[])[];
  /** [processor][bucket]: register accesses. */
  readonly accesses: readonly (readonly number[])[];
  /** [bucket]: reports. */
  readonly reports: readonly number[];
}

/** What the timeline renders: plain data. */
export interface TraceSnapshot {
  readonly processors: number;
  /** Events recorded in the run. */
  readonly recorded: number;
  /** Events no longer kept (the ring holds the last `eventsMax`). */
  readonly dropped: number;
  /** The kept events, oldest first. */
  readonly events: readonly TraceEvent[];
  /** The last tick the run reached. */
  readonly endTick: number;
  readonly overview: TraceOverview;
}

export interface TraceOptions {
  /** Events kept in the ring (the most recent). Default 65,536. */
  readonly eventsMax?: number;
  /** Overview buckets over the whole run. Default 1024. */
  readonly overviewBuckets?: number;
}

export const TRACE_EVENTS_DEFAULT = 65_536;
export const TRACE_EVENTS_MAX = 1 << 22;
/** Distinct names a trace interns; later names are recorded as `…`. */
export const TRACE_NAMES_MAX = 4096;

export class Trace {
  readonly capacity: number;
  readonly processors: number;
  private readonly tick: Float64Array;
  private readonly kinds: Uint8Array;
  private readonly cpus: Uint8Array;
  private readonly irqls: Uint8Array;
  private readonly names: Int32Array;
  private readonly values: Uint32Array;
  private readonly auxes: Int32Array;
  private next = 0;
  private count = 0;
  private recordedCount = 0;
  private lastTick = 0;

  private readonly strings: string[] = [];
  private readonly ids = new Map<string, number>();

  private readonly bucketCount: number;
  private bucketTicks = 16;
  private readonly bucketIrql: Int8Array;
  private readonly bucketIsr: Uint32Array;
  private readonly bucketDpc: Uint32Array;
  private readonly bucketAccess: Uint32Array;
  private readonly bucketReports: Uint32Array;

  constructor(processors: number, options: TraceOptions = {}) {
    const capacity = options.eventsMax ?? TRACE_EVENTS_DEFAULT;
    if (!Number.isInteger(capacity) || capacity < 16 || capacity > TRACE_EVENTS_MAX) {
      throw new RangeError(`trace.eventsMax must be an integer in 16..${TRACE_EVENTS_MAX} (got ${String(capacity)})`);
    }
    const buckets = options.overviewBuckets ?? 1024;
    if (!Number.isInteger(buckets) || buckets < 16 || buckets > 65_536 || (buckets & 1) !== 0) {
      throw new RangeError(`trace.overviewBuckets must be an even integer in 16..65536 (got ${String(buckets)})`);
    }
    this.capacity = capacity;
    this.processors = processors;
    this.tick = new Float64Array(capacity);
    this.kinds = new Uint8Array(capacity);
    this.cpus = new Uint8Array(capacity);
    this.irqls = new Uint8Array(capacity);
    this.names = new Int32Array(capacity);
    this.values = new Uint32Array(capacity);
    this.auxes = new Int32Array(capacity);
    this.bucketCount = buckets;
    this.bucketIrql = new Int8Array(buckets * processors).fill(-1);
    this.bucketIsr = new Uint32Array(buckets * processors);
    this.bucketDpc = new Uint32Array(buckets * processors);
    this.bucketAccess = new Uint32Array(buckets * processors);
    this.bucketReports = new Uint32Array(buckets);
    this.intern('…');
  }

  /** Forgets everything (a new run). */
  reset(): void {
    this.next = 0;
    this.count = 0;
    this.recordedCount = 0;
    this.lastTick = 0;
    this.bucketTicks = 16;
    this.bucketIrql.fill(-1);
    this.bucketIsr.fill(0);
    this.bucketDpc.fill(0);
    this.bucketAccess.fill(0);
    this.bucketReports.fill(0);
  }

  /** Events recorded since the last reset. */
  get recorded(): number {
    return this.recordedCount;
  }

  /** The id of a name (interned once; bounded). */
  intern(name: string): number {
    let id = this.ids.get(name);
    if (id !== undefined) return id;
    if (this.strings.length >= TRACE_NAMES_MAX) return 0;
    id = this.strings.length;
    this.strings.push(name);
    this.ids.set(name, id);
    return id;
  }

  /** Records one event (see {@link TraceEvent} for what the fields hold). */
  record(tick: number, kind: number, cpu: number, irql: number, name: number, value: number, aux: number): void {
    const i = this.next;
    this.tick[i] = tick;
    this.kinds[i] = kind;
    this.cpus[i] = cpu;
    this.irqls[i] = irql;
    this.names[i] = name;
    this.values[i] = value >>> 0;
    this.auxes[i] = aux;
    this.next = i + 1 === this.capacity ? 0 : i + 1;
    if (this.count < this.capacity) this.count++;
    this.recordedCount++;
    if (tick > this.lastTick) this.lastTick = tick;
    this.overview(tick, kind, cpu, irql, value);
  }

  private overview(tick: number, kind: number, cpu: number, irql: number, value: number): void {
    let bucket = Math.floor(tick / this.bucketTicks);
    while (bucket >= this.bucketCount) {
      this.mergeBuckets();
      bucket = Math.floor(tick / this.bucketTicks);
    }
    const slot = cpu * this.bucketCount + bucket;
    if (irql > this.bucketIrql[slot]!) this.bucketIrql[slot] = irql;
    if (kind === TRACE_ENTER) {
      if (value === SPAN_ISR) this.bucketIsr[slot]!++;
      else if (value === SPAN_DPC) this.bucketDpc[slot]!++;
    } else if (kind === TRACE_READ || kind === TRACE_WRITE) {
      this.bucketAccess[slot]!++;
    } else if (kind === TRACE_REPORT) {
      this.bucketReports[bucket]!++;
    }
  }

  /** Halves the resolution: bucket i takes buckets 2i and 2i+1. */
  private mergeBuckets(): void {
    const n = this.bucketCount;
    const half = n >> 1;
    for (let p = 0; p < this.processors; p++) {
      const base = p * n;
      for (let i = 0; i < half; i++) {
        const a = base + 2 * i;
        const b = a + 1;
        const to = base + i;
        this.bucketIrql[to] = Math.max(this.bucketIrql[a]!, this.bucketIrql[b]!);
        this.bucketIsr[to] = this.bucketIsr[a]! + this.bucketIsr[b]!;
        this.bucketDpc[to] = this.bucketDpc[a]! + this.bucketDpc[b]!;
        this.bucketAccess[to] = this.bucketAccess[a]! + this.bucketAccess[b]!;
      }
      this.bucketIrql.fill(-1, base + half, base + n);
      this.bucketIsr.fill(0, base + half, base + n);
      this.bucketDpc.fill(0, base + half, base + n);
      this.bucketAccess.fill(0, base + half, base + n);
    }
    for (let i = 0; i < half; i++) this.bucketReports[i] = this.bucketReports[2 * i]! + this.bucketReports[2 * i + 1]!;
    this.bucketReports.fill(0, half, n);
    this.bucketTicks *= 2;
  }

  /** The kept events and the overview, decoded into plain data. */
  snapshot(endTick = this.lastTick): TraceSnapshot {
    const events: TraceEvent[] = [];
    const start = (this.next - this.count + this.capacity) % this.capacity;
    for (let k = 0; k < this.count; k++) {
      const i = (start + k) % this.capacity;
      events.push({
        tick: this.tick[i]!,
        kind: KIND_NAMES[this.kinds[i]!]!,
        processor: this.cpus[i]!,
        irql: this.irqls[i]!,
        name: this.strings[this.names[i]!] ?? '…',
        value: this.values[i]!,
        aux: this.auxes[i]!,
      });
    }
    const rows = (array: ArrayLike<number>): number[][] => {
      const out: number[][] = [];
      for (let p = 0; p < this.processors; p++)
        out.push(Array.from({ length: this.bucketCount }, (_, i) => array[p * this.bucketCount + i]!));
      return out;
    };
    return {
      processors: this.processors,
      recorded: this.recordedCount,
      dropped: this.recordedCount - this.count,
      events,
      endTick: Math.max(endTick, this.lastTick),
      overview: {
        bucketTicks: this.bucketTicks,
        buckets: this.bucketCount,
        irqlMax: rows(this.bucketIrql),
        isrs: rows(this.bucketIsr),
        dpcs: rows(this.bucketDpc),
        accesses: rows(this.bucketAccess),
        reports: Array.from(this.bucketReports),
      },
    };
  }
}
