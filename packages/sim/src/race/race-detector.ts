/**
 * Race detection on state shared with the ISR, lockset-style as in the Eraser detector (Savage et
 * al., 1997): every access to a tracked variable — a device register, through the state it touches,
 * or a driver field marked shared with `resources.shared(obj, 'field')` — is recorded with the locks
 * its processor held. Two accesses race when they conflict (at least one changes the state, and the
 * two changes do not commute), one of them ran in the ISR — the state is shared with the ISR — and
 * no lock protects both: the other ran without the ISR's interrupt lock (the lock the ISR and the
 * functions NdisMSynchronizeWithInterruptEx calls hold). Which access came first does not matter, and the two never have to meet in an unlucky interleaving:
 * the lockset is what is checked.
 *
 * - ISR-SHARED-RACE: the other access held no interrupt lock (code below DIRQL outside a
 *   synchronize function), or held the lock of another message (per-message locks without
 *   MsiSyncWithAllMessages).
 * - SPINLOCK-FOR-ISR-STATE: the other access held an NDIS spin lock, which keeps other DPCs out
 *   but never the ISR.
 *
 * DPC-SHARED-RACE is the same analysis one level down: two accesses made in different deferred
 * functions (a DPC, a timer function, or what they call; RoleMonitor.dpcOrigin), which other
 * processors run side by side, race when they conflict and no lock both hold orders them — the same
 * NDIS spin lock (lock sets as SpinLocks.heldMask) or one interrupt lock. The DPCs of two messages
 * are two deferred functions (one function, two runs at once on MSI-X), unless one of the accesses
 * was made while no other message's DPC could run (messageDpcIsolated: the driver serializes its
 * messages by masking). Accesses of one deferred function never race with each other; with one
 * processor no deferred function runs beside another and the rule is not checked.
 *
 * Accesses made while no interrupt is registered cannot race with an ISR and are not tracked (this
 * replaces Eraser's "exclusive" initialization state, so detection stays independent of order).
 * Conflicts are judged by effect: two reads never conflict; two writes that set bits (IMS, ICS) or
 * two that clear bits (IMC) commute; a set and a clear conflict only when their bits overlap;
 * everything else (plain writes, read-to-clear) conflicts with any other access.
 *
 * Cost: an access whose class (interrupt and spin locks, ISR or deferred function, operation) was
 * seen before for the same register or field costs a few compares — every pair of classes was
 * checked when the later of the two first came. Accesses to state the ISR, or two deferred
 * functions, have touched also go to a small ring, from which reports take the interleaving that
 * led up to them.
 */
import { levelName } from '@ddikit/ndis';
import type { IrqlEngine } from '../kernel/irql.js';
import type { RoleMonitor } from '../kernel/role-monitor.js';
import type { SpinLocks } from '../kernel/spinlock.js';
import type { Clock } from '../core/time.js';
import { TRACE_FIELD_READ, TRACE_FIELD_WRITE, type Trace } from '../core/trace.js';
import type { InterleavingStep, RaceAccessReport, SourceFrameReport } from '../verifier/report-types.js';
import type { ViolationSink } from '../verifier/violation-sink.js';
import { accessText, conflicts, OP_CLEAR, OP_INTERLOCKED, OP_NONE, OP_READ, OP_SET, OP_WRITE } from './access.js';

/** Distinct access classes kept per variable (lock set × operation × function). */
export const RACE_RECORDS_MAX = 16;
/** Recent tracked accesses kept for the interleaving a report shows. */
export const RACE_HISTORY_MAX = 256;
/** Steps of the interleaving a report shows at most. */
export const INTERLEAVING_STEPS_MAX = 16;

/** The roles of synchronize functions (MINIPORT_SYNCHRONIZE_INTERRUPT, …_MESSAGE_INTERRUPT). */
const SYNC_ROLE = /^MINIPORT_SYNCHRONIZE_/;

function singleBit(mask: number): boolean {
  return mask !== 0 && mask !== BLOCKED_MASK && (mask & (mask - 1)) === 0;
}

// The history ring's packed int: processor (bits 0–7), IRQL (8–15), operation (16–18), ISR (19).
const HISTORY_IRQL_SHIFT = 8;
const HISTORY_OP_SHIFT = 16;
const HISTORY_ISR = 1 << 19;

/** The lock mask of an access made while no ISR can run (isrCannotRun): every interrupt lock. */
const BLOCKED_MASK = -1;
/** Ask isrCannotRun at the access (reads and field accesses: they change no device state). */
const BLOCKED_ASK = 2;

/** An access of an interrupt DPC while another run of it was running on another processor (RaceRecord.beside). */
const BESIDE_RUNNING = 1;
/** … while another run of it could start. */
const BESIDE_OPEN = 2;

/** A tracked variable. */
export class RaceVar {
  readonly name: string;
  readonly kind: 'register' | 'field';
  /** The run it belongs to (field variables are made per run). */
  epoch: number;
  readonly records: RaceRecord[] = [];
  /** Which tracked access (the detector's running count) last changed the state; -1 when none. */
  lastChangeAt = -1;
  /** The class of the last access and its record, to skip the search when the next is alike. */
  lastRecord: RaceRecord | null = null;
  lastKey = -1;
  cacheEpoch = -1;
  /** The name's id in the trace (-1: not interned yet). */
  traceName = -1;
  /** The pairs of functions whose race on it was reported in this run (`fnA\u0000fnB`, sorted). */
  readonly reportedPairs = new Set<string>();
  /** The ISR has touched it in this run (its accesses go to the interleaving history from then on). */
  isrShared = false;
  /** Two deferred functions have touched it in this run (its accesses go to the history from then on). */
  dpcShared = false;
  /**
   * Marked by the driver (`resources.shared`), not found by the automatic tracking: its every access
   * is a choice point of scheduled runs (an automatic field's only once the ISR, or two deferred
   * functions, touched it).
   */
  explicit: boolean;
  constructor(name: string, kind: 'register' | 'field', epoch: number, explicit = true) {
    this.name = name;
    this.kind = kind;
    this.epoch = epoch;
    this.explicit = explicit;
  }
}

/** The first access of one class (lock set, operation, spin lock held or not) to a variable. */
class RaceRecord {
  constructor(
    /** The class besides the lock mask: ISR, spin lock and operation in one small integer. */
    readonly key: number,
    /** Made in an ISR (the state is shared with the ISR). */
    readonly isr: boolean,
    readonly lockMask: number,
    readonly spinLock: string | null,
    /** The spin locks held (SpinLocks.heldMask), and their names ('' when none). */
    readonly spinMask: number,
    readonly spinNames: string,
    /** The deferred function (DPC, timer function) the access ran in, '' outside one (RoleMonitor.dpcOrigin). */
    readonly dpcFn: string,
    /** The MessageId of the message DPC it ran in, -1 for any other. */
    readonly dpcMessage: number,
    /**
     * Made in a message DPC while no other message's DPC could run: the device could raise nothing,
     * and no other processor had a DPC queued or ran a message DPC (ordered with them all).
     */
    readonly isolated: boolean,
    /**
     * Made in an interrupt DPC while another run of that DPC could run beside it on another
     * processor: BESIDE_OPEN, a new run could start (its interrupt or message could come, or it was
     * queued there); BESIDE_RUNNING, none could, but one was running there; 0, neither.
     */
    readonly beside: number,
    readonly op: number,
    /** Union of the bits set or cleared (set/clear), else the value of the first access. */
    public bits: number,
    readonly register: string,
    readonly fn: string,
    readonly role: string,
    readonly processor: number,
    readonly irql: number,
    readonly tick: number,
  ) {}
  /** Where the driver's source made it (RaceDetector.sourceOf), when known; a LazySource until a report asks. */
  source: SourceFrameReport | LazySource | null = null;

  /** The source, worked out the first time a report asks. */
  sourceNow(): SourceFrameReport | null {
    if (typeof this.source === 'function') this.source = this.source();
    return this.source;
  }
}

/**
 * A source frame worked out only when a report shows it: a stack captured at the access (cheap),
 * formatted and mapped to the driver's source later (the costly part, which most accesses never need).
 */
export type LazySource = () => SourceFrameReport | null;

/** Per-register bookkeeping of the detector and the trace, made once per register and name. */
export class RegisterTracking {
  /** The class of this register's last access and its record (see RaceDetector.access). */
  lastRecord: RaceRecord | null = null;
  lastKey = -1;
  cacheEpoch = -1;
  constructor(
    readonly name: string,
    readonly variable: RaceVar | null,
    readonly readOp: number,
    readonly writeOp: number,
    readonly traceName: number,
  ) {}
}

/** Where the detector caches the class of the last access (a register's tracking, or a field's variable). */
interface ClassCache {
  lastRecord: RaceRecord | null;
  lastKey: number;
  cacheEpoch: number;
}

export class RaceDetector {
  /** The run's trace, when on: shared-field accesses are recorded there. */
  trace: Trace | null = null;
  /** Called after each shared-field access (a preemption point of scheduled runs). */
  afterField: ((name: string) => void) | null = null;
  /**
   * Track the fields of the contexts the driver hands NDIS, and of what is reachable from them
   * (shared-fields.ts, ContextTracker). Default true; the `races: { contexts: false }` option.
   */
  trackContexts = true;
  /**
   * Whether the ISR cannot run now whatever the driver does next, short of unmasking: the device
   * can assert nothing (every cause masked, nothing pending) and nothing else raises the line. Set
   * by interrupts/; null: it always can.
   */
  isrBlocked: (() => boolean) | null = null;
  /**
   * Whether no processor but `cpu` has a DPC queued or runs a message DPC. Set by interrupts/;
   * null: always false.
   */
  otherDpcsIdle: ((cpu: number) => boolean) | null = null;
  /**
   * Whether a new run of the interrupt DPC of `source` (a MessageId, the line's 0), which processor
   * `cpu` runs, could start beside it now: its ISR runs, the DPC is queued on another processor, or
   * the device could raise that interrupt again (`deviceBlocked`: it is known not to). Set by
   * interrupts/; null: never. (A run already going on elsewhere the role monitor tells.)
   */
  sameDpcCanStart: ((cpu: number, source: number, deviceBlocked: boolean) => boolean) | null = null;
  /**
   * Where the driver's source makes the access now (its innermost source frame), for drivers that
   * have source frames (C: a stack capture, tens of microseconds): asked once per new class of
   * access, and for the access a race is reported at. Null: races name no source line.
   */
  sourceOf: (() => SourceFrameReport | LazySource | null) | null = null;
  /**
   * Set (element 0 non-zero) by a watchdog that asks where a hung driver is (RunProbe.whereAsked):
   * the next field access answers through tellWhere. Null: no one asks.
   */
  whereAsked: Int32Array | null = null;
  tellWhere: (() => void) | null = null;
  /**
   * Deferred functions can run side by side (more than one processor): DPC-SHARED-RACE is checked.
   */
  private readonly deferredRaces: boolean;
  /** ISRs running on any processor. */
  private isrRunning = 0;
  /** An interrupt is registered: accesses can race with its ISR. */
  private armed = false;
  private epoch = 0;
  /** Per processor: bit mask of the interrupt locks it holds (bit = lock index of the interrupt). */
  private readonly lockMasks: Int32Array;
  /** Per processor: ISRs running (interrupt dispatch counts them in and out). */
  private readonly isrDepth: Uint8Array;
  /** Interrupt lock names by bit, for reports. */
  private readonly lockNames: string[] = [];
  private readonly registerVars = new Map<string, RaceVar>();

  // The ring of recent tracked accesses.
  // Four stores an access: its tick, its processor, IRQL, operation and ISR bit packed in one int
  // (HISTORY_*), its value, and what it touched — a register's tracking (the register's name, the
  // state as its variable) or a field's variable. The function that made it is kept only when it
  // differs from the slot's last one (most accesses come from the function that made the last).
  private readonly historyTick = new Float64Array(RACE_HISTORY_MAX);
  private readonly historyPacked = new Int32Array(RACE_HISTORY_MAX);
  private readonly historyValue = new Uint32Array(RACE_HISTORY_MAX);
  private readonly historyFn: string[] = new Array<string>(RACE_HISTORY_MAX).fill('');
  private readonly historyWho: (RegisterTracking | RaceVar | null)[] = new Array<RegisterTracking | RaceVar | null>(
    RACE_HISTORY_MAX,
  ).fill(null);
  private historyNext = 0;
  private historyCount = 0;
  /** Tracked accesses in this run (the ring holds the last RACE_HISTORY_MAX of them). */
  private accesses = 0;

  constructor(
    private readonly engine: IrqlEngine,
    private readonly clock: Clock,
    private readonly monitor: RoleMonitor,
    private readonly locks: SpinLocks,
    private readonly verifier: ViolationSink,
  ) {
    this.lockMasks = new Int32Array(engine.processorCount);
    this.isrDepth = new Uint8Array(engine.processorCount);
    this.deferredRaces = engine.processorCount > 1;
  }

  /** A new run. */
  reset(): void {
    this.epoch++;
    this.armed = false;
    this.lockMasks.fill(0);
    this.isrDepth.fill(0);
    this.isrRunning = 0;
    this.lockNames.length = 0;
    this.historyNext = 0;
    this.historyCount = 0;
    this.accesses = 0;
    for (const variable of this.registerVars.values()) {
      variable.records.length = 0;
      variable.lastChangeAt = -1;
      variable.lastRecord = null;
      variable.lastKey = -1;
      variable.cacheEpoch = -1;
      variable.reportedPairs.clear();
      variable.isrShared = false;
      variable.dpcShared = false;
      variable.epoch = this.epoch;
    }
  }

  // ---- What interrupt dispatch and NdisMSynchronizeWithInterruptEx tell the detector ---------------

  /** An interrupt was registered: from now on accesses can race with its ISR. */
  arm(): void {
    this.armed = true;
  }

  /** The interrupt was deregistered (or the run ended): accesses are no longer tracked. */
  disarm(): void {
    this.armed = false;
  }

  /** Names the interrupt lock whose bit is `bit`, for reports. */
  nameLock(bit: number, name: string): void {
    this.lockNames[bit] = name;
  }

  /** Processor `cpu` entered an ISR: its accesses are the ISR's. */
  enterIsr(cpu: number): void {
    this.isrDepth[cpu]!++;
    this.isrRunning++;
  }

  /** Processor `cpu` returned from an ISR. */
  exitIsr(cpu: number): void {
    this.isrDepth[cpu]!--;
    this.isrRunning--;
  }

  /**
   * Whether no ISR can run now: none is running and the device cannot raise one (isrBlocked). An
   * access made then is ordered with every ISR — the ISR can only come after the driver unmasks —
   * as if it held every interrupt lock. A register write asks before it changes the device.
   */
  isrCannotRun(): boolean {
    const blocked = this.isrBlocked;
    return blocked !== null && this.isrRunning === 0 && blocked();
  }

  /**
   * Asked before a register write changes the device: isrCannotRun, where the answer is used — an
   * access outside an ISR and without an interrupt lock (one with either is ordered with the ISR
   * anyway, and asking the device costs more than the rest of the access).
   */
  blockedBeforeWrite(): boolean {
    const index = this.engine.cpu.index;
    return this.lockMasks[index] === 0 && this.isrDepth[index] === 0 && this.isrCannotRun();
  }

  /** Processor `cpu` took the interrupt lock whose bit is `bit`. */
  holdInterruptLock(cpu: number, bit: number): void {
    this.lockMasks[cpu] = this.lockMasks[cpu]! | (1 << bit);
  }

  /** Processor `cpu` released the interrupt lock whose bit is `bit`. */
  releaseInterruptLock(cpu: number, bit: number): void {
    this.lockMasks[cpu] = this.lockMasks[cpu]! & ~(1 << bit);
  }

  // ---- Variables and accesses ----------------------------------------------------------------------

  /** The variable of a register state (one per state name, kept across runs). */
  registerVar(state: string): RaceVar {
    let variable = this.registerVars.get(state);
    if (variable === undefined) {
      variable = new RaceVar(state, 'register', this.epoch);
      this.registerVars.set(state, variable);
    }
    return variable;
  }

  /** A new field variable for this run; `explicit`: marked by the driver, not found automatically. */
  fieldVar(name: string, explicit = true): RaceVar {
    return new RaceVar(name, 'field', this.epoch, explicit);
  }

  /** The run's number (field variables of earlier runs carry older ones). */
  get runEpoch(): number {
    return this.epoch;
  }

  /** The last change of a register state in this run, as report text, or null. */
  lastChangeText(state: string): string | null {
    const variable = this.registerVars.get(state);
    if (variable === undefined || variable.lastChangeAt < 0 || this.accesses - variable.lastChangeAt > RACE_HISTORY_MAX)
      return null;
    const i = variable.lastChangeAt % RACE_HISTORY_MAX;
    const packed = this.historyPacked[i]!;
    return `${accessText((packed >>> HISTORY_OP_SHIFT) & 7, this.historyWho[i]!.name, variable, this.historyValue[i]!, true)} by ${this.historyFn[i] || '(harness)'} on processor ${packed & 0xff} at ${levelName((packed >>> HISTORY_IRQL_SHIFT) & 0xff)}, tick ${this.historyTick[i]}`;
  }

  /**
   * Who last changed a register state in this run: the function, whether it ran in an ISR, the tick;
   * null when unknown (never changed, or too long ago for the history ring).
   */
  lastChangeSite(state: string): { readonly fn: string; readonly isr: boolean; readonly tick: number } | null {
    const variable = this.registerVars.get(state);
    if (variable === undefined || variable.lastChangeAt < 0 || this.accesses - variable.lastChangeAt > RACE_HISTORY_MAX)
      return null;
    const i = variable.lastChangeAt % RACE_HISTORY_MAX;
    return {
      fn: this.historyFn[i] || '(harness)',
      isr: (this.historyPacked[i]! & HISTORY_ISR) !== 0,
      tick: this.historyTick[i]!,
    };
  }

  /** An access of a field variable (from the accessors `shared` installs, or a C driver's load or store). */
  field(variable: RaceVar, write: boolean): void {
    this.fieldAccess(variable, write ? OP_WRITE : OP_READ);
  }

  /**
   * An interlocked update of a field variable (a C driver's InterlockedIncrement, …): it races only
   * with plain writes (access.ts, OP_INTERLOCKED).
   */
  interlockedField(variable: RaceVar): void {
    this.fieldAccess(variable, OP_INTERLOCKED);
  }

  private fieldAccess(variable: RaceVar, op: number): void {
    const asked = this.whereAsked;
    if (asked !== null && asked[0] !== 0) {
      asked[0] = 0;
      this.tellWhere?.();
    }
    if (!this.armed || variable.epoch !== this.epoch) return;
    const write = op !== OP_READ;
    // A field found automatically shows in the trace, and is a choice point, once the ISR touched
    // it or two deferred functions did (the access that makes it so included).
    const cpu = this.engine.cpu;
    if (this.isrDepth[cpu.index]! > 0) variable.isrShared = true;
    const shown = variable.explicit || variable.isrShared || variable.dpcShared;
    if (shown) this.traceField(variable, write);
    this.access(variable, op, 0, variable, false, variable, BLOCKED_ASK);
    if (!shown && variable.dpcShared) this.traceField(variable, write);
    if (this.afterField !== null && (shown || variable.dpcShared)) this.afterField(variable.name);
  }

  private traceField(variable: RaceVar, write: boolean): void {
    const trace = this.trace;
    if (trace === null) return;
    const cpu = this.engine.cpu;
    if (variable.traceName < 0) variable.traceName = trace.intern(variable.name);
    trace.record(
      this.clock.nowTicks,
      write ? TRACE_FIELD_WRITE : TRACE_FIELD_READ,
      cpu.index,
      cpu.irql,
      variable.traceName,
      0,
      0,
    );
  }

  /**
   * An access of a register through its tracking. `blockedBefore`: for a write, whether the ISR
   * could not run before the write changed the device (isrCannotRun, asked before the write).
   */
  register(tracking: RegisterTracking, write: boolean, value: number, blockedBefore = false): void {
    const variable = tracking.variable;
    if (!this.armed || variable === null) return;
    const op = write ? tracking.writeOp : tracking.readOp;
    if (op === OP_NONE) return;
    this.access(variable, op, value, tracking, true, tracking, write ? (blockedBefore ? 1 : 0) : BLOCKED_ASK);
  }

  private access(
    variable: RaceVar,
    op: number,
    value: number,
    /** What was touched: a register's tracking, or the field's variable (its `name` is the register's or field's). */
    who: RegisterTracking | RaceVar,
    valueKnown: boolean,
    cache: ClassCache,
    /** 1: no ISR could run (asked before a write), 0: one could, BLOCKED_ASK: ask now. */
    blocked: number,
  ): void {
    const cpu = this.engine.cpu;
    const index = cpu.index;
    const isr = this.isrDepth[index]! > 0;
    let mask = this.lockMasks[index]!;
    // No ISR can run now: the access is ordered with every ISR, as if it held every interrupt lock.
    if (mask === 0 && !isr && (blocked === BLOCKED_ASK ? this.isrCannotRun() : blocked === 1)) mask = BLOCKED_MASK;
    const fn = this.monitor.topName();
    if (isr) variable.isrShared = true;
    // History ring, of the state the ISR or two deferred functions touch (what an interleaving is about).
    if (variable.isrShared || variable.dpcShared) this.remember(variable, who, op, value, valueKnown, isr, fn);

    // The access's class: its locks, whether it runs in the ISR, whether it holds a spin lock, its
    // operation. A class seen before was checked against every other class when the later of the
    // two first came: only a new class, or a set or clear of bits not touched before, is checked.
    const spinDepth = this.locks.depth();
    const spinHeld = mask === 0 && spinDepth > 0;
    const spinMask = spinDepth > 0 ? this.locks.heldMask() : 0;
    // The deferred function it runs in (DPC-SHARED-RACE); an ISR's access is the ISR's.
    const dpcFn = this.deferredRaces && !isr ? this.monitor.dpcOrigin(index) : '';
    // A message's DPC: whether it runs while no other message's DPC can.
    const dpcMessage = dpcFn !== '' ? this.monitor.dpcMessage(index) : -1;
    const isolated = dpcMessage >= 0 && this.messageDpcIsolated(index);
    // An interrupt DPC: whether another run of it could run beside this one now.
    const beside = dpcFn !== '' ? this.sameDpcBeside(index, mask === BLOCKED_MASK) : 0;
    // The class is the lock mask, compared on its own, and this small key: with the mask in the same
    // number (mask × 32 + …) the key was no small integer, and its every compare and store a boxed
    // double — the costliest line of the detector.
    const key = beside * 64 + (isolated ? 32 : 0) + (isr ? 16 : 0) + (spinHeld ? 8 : 0) + op;
    // A class is kept per function too: each site that races is reported (a report per pair of sites).
    const last = cache.lastRecord;
    let same =
      cache.lastKey === key &&
      cache.cacheEpoch === this.epoch &&
      last!.lockMask === mask &&
      last!.fn === fn &&
      last!.spinMask === spinMask &&
      last!.dpcFn === dpcFn
        ? last
        : null;
    if (same === null) {
      const records = variable.records;
      for (let i = 0; i < records.length; i++) {
        const r = records[i]!;
        if (r.key === key && r.lockMask === mask && r.fn === fn && r.spinMask === spinMask && r.dpcFn === dpcFn) {
          same = r;
          break;
        }
      }
    }
    if (same !== null) {
      if (cache.lastRecord !== same) {
        cache.lastKey = key;
        cache.lastRecord = same;
        cache.cacheEpoch = this.epoch;
      }
      if (op !== OP_SET && op !== OP_CLEAR) return;
      if ((value & ~same.bits) === 0) return;
    }
    this.checkClass(
      variable,
      same,
      key,
      isr,
      mask,
      spinHeld,
      spinMask,
      dpcFn,
      dpcMessage,
      isolated,
      beside,
      op,
      value,
      who,
      valueKnown,
      fn,
      cache,
    );
  }

  /**
   * Whether, in an interrupt DPC on processor `cpu`, another run of the same DPC could run beside
   * it now: BESIDE_OPEN if one could start (sameDpcCanStart), BESIDE_RUNNING if none could but one
   * runs on another processor, else 0. `blocked`: the access was found to come when no ISR could (the device
   * was asked already; for a register write, before it changed the device, so a write that unmasks
   * comes before the runs it lets in, as it comes before their ISRs).
   */
  private sameDpcBeside(cpu: number, blocked: boolean): number {
    const source = this.monitor.dpcSource(cpu);
    if (source < 0) return 0;
    const canStart = this.sameDpcCanStart;
    if (canStart !== null && canStart(cpu, source, blocked)) return BESIDE_OPEN;
    return this.monitor.dpcRunsOf(source) > 1 ? BESIDE_RUNNING : 0;
  }

  /**
   * Whether, in a message DPC on processor `cpu`, no other message's DPC can run now: the device can
   * raise nothing (isrCannotRun) and no other processor has a DPC queued or runs a message DPC. An
   * access made then is ordered with every other message's DPC (it comes after this one unmasks).
   */
  private messageDpcIsolated(cpu: number): boolean {
    const idle = this.otherDpcsIdle;
    return idle !== null && this.isrCannotRun() && idle(cpu);
  }

  /** Two deferred functions (or two runs of one) share `variable`: its accesses go to the history from now on, this one first. */
  private dpcShareFound(
    variable: RaceVar,
    who: RegisterTracking | RaceVar,
    op: number,
    value: number,
    valueKnown: boolean,
    fn: string,
  ): void {
    if (variable.dpcShared) return;
    variable.dpcShared = true;
    if (!variable.isrShared) this.remember(variable, who, op, value, valueKnown, false, fn);
  }

  /** Puts the access in the history ring (an interleaving's steps come from there). */
  private remember(
    variable: RaceVar,
    who: RegisterTracking | RaceVar,
    op: number,
    value: number,
    valueKnown: boolean,
    isr: boolean,
    fn: string,
  ): void {
    const cpu = this.engine.cpu;
    const h = this.historyNext;
    this.historyTick[h] = this.clock.nowTicks;
    this.historyPacked[h] =
      cpu.index | (cpu.irql << HISTORY_IRQL_SHIFT) | (op << HISTORY_OP_SHIFT) | (isr ? HISTORY_ISR : 0);
    this.historyValue[h] = valueKnown ? value >>> 0 : 0;
    if (this.historyFn[h] !== fn) this.historyFn[h] = fn;
    this.historyWho[h] = who;
    this.historyNext = h + 1 === RACE_HISTORY_MAX ? 0 : h + 1;
    if (this.historyCount < RACE_HISTORY_MAX) this.historyCount++;
    if (op !== OP_READ) variable.lastChangeAt = this.accesses;
    this.accesses++;
  }

  /** A new class of access to `variable` (or new bits of a set or clear): record it, look for a race. */
  private checkClass(
    variable: RaceVar,
    same: RaceRecord | null,
    key: number,
    isr: boolean,
    mask: number,
    spinHeld: boolean,
    spinMask: number,
    dpcFn: string,
    dpcMessage: number,
    isolated: boolean,
    beside: number,
    op: number,
    value: number,
    who: RegisterTracking | RaceVar,
    valueKnown: boolean,
    fn: string,
    cache: ClassCache,
  ): void {
    const cpu = this.engine.cpu;
    const register = who.name;
    const tick = this.clock.nowTicks;
    const records = variable.records;
    // The interrupt locks it really holds (BLOCKED_MASK orders it with the ISR, not with a DPC).
    const heldMask = mask === BLOCKED_MASK ? 0 : mask;
    // Every earlier site this access races with, one per function not reported with this one yet.
    // null: the access's own class, which another run of its DPC makes beside it.
    let clashes: (RaceRecord | null)[] | null = null;
    for (let i = 0; i < records.length; i++) {
      const r = records[i]!;
      if (r.isr || isr) {
        // Shared with the ISR: only an interrupt lock both hold orders the two.
        if ((r.lockMask & mask) !== 0) continue;
      } else {
        // Two deferred functions, which other processors run side by side: a spin lock or an
        // interrupt lock both hold orders them.
        if (dpcFn === '' || r.dpcFn === '') continue;
        if (r.dpcFn === dpcFn) {
          // One interrupt DPC on two processors: ordered unless another run could be beside each,
          // and one could start beside either (two accesses made only while another run went on
          // may be of one run: that other run's accesses then were beside too, and are judged).
          // State shared with the ISR is the ISR rules' (the interrupt lock they ask for orders
          // the two runs as well).
          if (beside === 0 || r.beside === 0 || (beside !== BESIDE_OPEN && r.beside !== BESIDE_OPEN)) continue;
          if (variable.isrShared) continue;
        } else if (dpcMessage >= 0 && r.dpcMessage >= 0 && (isolated || r.isolated)) continue;
        // (Two messages' DPCs: ordered when either ran while no other message's DPC could.)
        this.dpcShareFound(variable, who, op, value, valueKnown, fn);
        if ((r.spinMask & spinMask) !== 0 || ((r.lockMask === BLOCKED_MASK ? 0 : r.lockMask) & heldMask) !== 0)
          continue;
      }
      if (!conflicts(r.op, r.bits, op, value)) continue;
      const pair = r.fn < fn ? `${r.fn}\u0000${fn}` : `${fn}\u0000${r.fn}`;
      if (variable.reportedPairs.has(pair)) continue;
      variable.reportedPairs.add(pair);
      (clashes ??= []).push(r);
    }
    // A new class made beside another run of its own DPC, with no lock: that run makes it too.
    if (
      same === null &&
      beside === BESIDE_OPEN &&
      !variable.isrShared &&
      spinMask === 0 &&
      heldMask === 0 &&
      conflicts(op, value, op, value)
    ) {
      this.dpcShareFound(variable, who, op, value, valueKnown, fn);
      const pair = `${fn}\u0000${fn}`;
      if (!variable.reportedPairs.has(pair)) {
        variable.reportedPairs.add(pair);
        (clashes ??= []).push(null);
      }
    }
    const spinDepth = this.locks.depth();
    const spinLock = spinHeld ? this.locks.heldAt(spinDepth - 1).name : null;
    let spinNames = '';
    for (let i = 0; i < spinDepth; i++) spinNames += `${i > 0 ? ', ' : ''}${this.locks.heldAt(i).name}`;
    let fresh: RaceRecord | null = null;
    if (same !== null) same.bits |= value;
    else {
      fresh = new RaceRecord(
        key,
        isr,
        mask,
        spinLock,
        spinMask,
        spinNames,
        dpcFn,
        dpcMessage,
        isolated,
        beside,
        op,
        valueKnown ? value >>> 0 : 0,
        register,
        fn,
        this.monitor.topRoleName(),
        cpu.index,
        cpu.irql,
        tick,
      );
      if (this.sourceOf !== null) fresh.source = this.sourceOf();
      if (records.length < RACE_RECORDS_MAX) {
        records.push(fresh);
        same = fresh;
      }
    }
    if (same !== null) {
      cache.lastKey = key;
      cache.lastRecord = same;
      cache.cacheEpoch = this.epoch;
    }
    if (clashes !== null) {
      for (const found of clashes) {
        const clash = found ?? fresh!;
        if (clash.isr || isr)
          this.reportRace(variable, clash, op, value, valueKnown, register, mask, spinLock, fn, tick);
        else
          this.reportDeferredRace(
            variable,
            clash,
            op,
            value,
            valueKnown,
            register,
            heldMask,
            spinNames,
            dpcFn,
            dpcMessage,
            fn,
            tick,
          );
      }
    }
  }

  private locksText(mask: number, spinLock: string | null): string {
    if (mask === BLOCKED_MASK) return 'none (no interrupt could be raised: every cause masked)';
    if (mask !== 0) {
      const names: string[] = [];
      for (let bit = 0; bit < 32; bit++)
        if ((mask & (1 << bit)) !== 0) names.push(this.lockNames[bit] ?? `interrupt lock (message ${bit})`);
      return names.join(', ');
    }
    return spinLock ?? 'none';
  }

  private reportRace(
    variable: RaceVar,
    earlier: RaceRecord,
    op: number,
    value: number,
    valueKnown: boolean,
    register: string,
    mask: number,
    spinLock: string | null,
    fn: string,
    tick: number,
  ): void {
    const now = this.accessNow(variable, op, value, valueKnown, register, fn, tick, this.locksText(mask, spinLock));
    const before = accessBefore(variable, earlier, this.locksText(earlier.lockMask, earlier.spinLock));
    // The unprotected side is the one without an interrupt lock (if both hold one, they differ).
    const nowUnprotected = mask === 0;
    const unprotected = nowUnprotected ? now : earlier.lockMask === 0 ? before : now;
    const protectedSide = unprotected === now ? before : now;
    const unprotectedSpin = unprotected === now ? spinLock : earlier.spinLock;
    const twoLocks = mask !== 0 && earlier.lockMask !== 0;
    const rule = !twoLocks && unprotectedSpin !== null ? 'SPINLOCK-FOR-ISR-STATE' : 'ISR-SHARED-RACE';
    const what = variable.kind === 'register' ? `register ${variable.name}` : `field ${variable.name}`;
    const where = (a: RaceAccessReport): string =>
      `${a.function} (${a.role}) on processor ${a.processor} at ${levelName(a.irql)}`;
    let message: string;
    // A synchronize function run under another message's lock than the ISR it shares state with:
    // NdisMSynchronizeWithInterruptEx was given the wrong MessageId.
    const nowSync = SYNC_ROLE.test(now.role);
    const beforeSync = SYNC_ROLE.test(before.role);
    const wrongMessageId =
      twoLocks && nowSync !== beforeSync && singleBit(mask) && singleBit(earlier.lockMask)
        ? { sync: nowSync ? now : before, isr: nowSync ? before : now, syncBit: nowSync ? mask : earlier.lockMask }
        : null;
    if (wrongMessageId !== null) {
      const isrMessage = 31 - Math.clz32(wrongMessageId.syncBit === mask ? earlier.lockMask : mask);
      const syncMessage = 31 - Math.clz32(wrongMessageId.syncBit);
      message = `${what} is shared with the ISR of message ${isrMessage}, ${where(wrongMessageId.isr)} (${wrongMessageId.isr.access}, holding ${wrongMessageId.isr.locks}), but ${wrongMessageId.sync.function} ran under the lock of message ${syncMessage} (${wrongMessageId.sync.access}, holding ${wrongMessageId.sync.locks}): call NdisMSynchronizeWithInterruptEx with MessageId ${isrMessage}, the message whose ISR touches it`;
    } else if (twoLocks) {
      message = `${what} is shared by interrupt handlers that hold different locks: ${where(before)} (${before.access}, holding ${before.locks}) and ${where(now)} (${now.access}, holding ${now.locks}); the messages run concurrently — set MsiSyncWithAllMessages or keep the state per message`;
    } else if (rule === 'SPINLOCK-FOR-ISR-STATE') {
      message = `${what} is shared with the ISR but guarded only by ${unprotectedSpin}: ${where(unprotected)} (${unprotected.access}) holds it, ${where(protectedSide)} (${protectedSide.access}) runs under ${protectedSide.locks}; a spin lock never keeps the ISR out — touch it in a function called through NdisMSynchronizeWithInterruptEx`;
    } else {
      message = `${what} is shared with the ISR and touched below DIRQL without the interrupt lock: ${where(unprotected)} (${unprotected.access}) races with ${where(protectedSide)} (${protectedSide.access}, holding ${protectedSide.locks}); touch it in a function called through NdisMSynchronizeWithInterruptEx`;
    }
    this.sendRace(
      rule,
      variable,
      now,
      before,
      unprotected,
      message + interlockedFix(op, earlier.op),
      'DIRQL, holding the interrupt lock (in the ISR or a synchronize function)',
    );
  }

  /** The access being made, for a race report. */
  private accessNow(
    variable: RaceVar,
    op: number,
    value: number,
    valueKnown: boolean,
    register: string,
    fn: string,
    tick: number,
    locks: string,
  ): RaceAccessReport {
    const cpu = this.engine.cpu;
    const found = this.sourceOf?.() ?? null;
    const source = typeof found === 'function' ? found() : found;
    return {
      function: fn || '(harness)',
      role: this.monitor.topRoleName(),
      processor: cpu.index,
      irql: cpu.irql,
      tick,
      access: accessText(op, register, variable, value, valueKnown),
      locks,
      ...(source === null ? {} : { source }),
    };
  }

  /** Reports a race: both accesses (the earlier first), the one to guard, the interleaving. */
  private sendRace(
    rule: 'ISR-SHARED-RACE' | 'SPINLOCK-FOR-ISR-STATE' | 'DPC-SHARED-RACE',
    variable: RaceVar,
    now: RaceAccessReport,
    before: RaceAccessReport,
    unprotected: RaceAccessReport,
    message: string,
    irqlRequired: string,
  ): void {
    const first = before.tick <= now.tick ? before : now;
    const second = first === before ? now : before;
    this.verifier.report({
      rule,
      subject: variable.name,
      message,
      p2: variable.kind === 'register' ? 1 : 2,
      p3: unprotected.irql,
      p4: unprotected.processor,
      irqlFound: unprotected.irql,
      irqlRequired,
      site: `${variable.kind} ${variable.name} ${first.function} / ${second.function}`,
      function: unprotected.function,
      race: { variable: variable.name, kind: variable.kind, accesses: [first, second] },
      interleaving: this.interleaving(first.tick),
    });
  }

  /**
   * DPC-SHARED-RACE: two deferred functions — a DPC, a timer function, or what they call — touch the
   * same state in conflicting ways, and no lock both hold keeps one out while the other runs.
   */
  private reportDeferredRace(
    variable: RaceVar,
    earlier: RaceRecord,
    op: number,
    value: number,
    valueKnown: boolean,
    register: string,
    heldMask: number,
    spinNames: string,
    dpcFn: string,
    dpcMessage: number,
    fn: string,
    tick: number,
  ): void {
    const locksText = (mask: number, names: string): string => {
      const parts: string[] = [];
      if (mask !== 0 && mask !== BLOCKED_MASK) parts.push(this.locksText(mask, null));
      if (names !== '') parts.push(names);
      return parts.length === 0 ? 'none' : parts.join(', ');
    };
    const withMessage = (a: RaceAccessReport, message: number): RaceAccessReport =>
      message < 0 ? a : { ...a, message };
    const now = withMessage(
      this.accessNow(variable, op, value, valueKnown, register, fn, tick, locksText(heldMask, spinNames)),
      dpcMessage,
    );
    const before = withMessage(
      accessBefore(variable, earlier, locksText(earlier.lockMask, earlier.spinNames)),
      earlier.dpcMessage,
    );
    const what = variable.kind === 'register' ? `register ${variable.name}` : `field ${variable.name}`;
    // A message DPC's access names its message; one made below the deferred function, where from.
    const where = (a: RaceAccessReport, deferred: string): string =>
      `${a.function} (${a.role}${deferred === a.function || deferred === `${a.function} (message ${a.message})` ? (a.message === undefined ? '' : `, message ${a.message}`) : `, called from ${deferred}`}) at ${levelName(a.irql)} (${a.access}, holding ${a.locks})`;
    // The side that holds no lock at all, if one does: the access to guard first.
    const unprotected = now.locks === 'none' || before.locks !== 'none' ? now : before;
    let message: string;
    let irqlRequired: string;
    if (earlier.dpcFn === dpcFn) {
      // One interrupt DPC, run twice at once: the interrupt came again (or the DPC was queued on
      // another processor) while it ran.
      const dpc = dpcMessage >= 0 ? `the DPC of message ${dpcMessage}` : 'the interrupt DPC';
      const again = dpcMessage >= 0 ? `message ${dpcMessage} could come again` : 'the interrupt could come again';
      const sites =
        before.function === now.function && before.access === now.access && before.locks === now.locks
          ? `${where(now, dpcFn)} runs in both`
          : `${where(before, dpcFn)} and ${where(now, dpcFn)}`;
      message = `${what} is shared by two runs of ${dpc}, which can run on different processors at the same time: ${again} while it ran (or a DPC of it was queued on another processor), and NDIS runs the DPC on the processor that took it — ${sites}; no lock keeps one run out while the other runs — take an NDIS spin lock around it (NdisDprAcquireSpinLock), or touch it only while the interrupt is still masked, before the DPC unmasks it`;
      irqlRequired = 'DISPATCH_LEVEL, holding a spin lock, or with the interrupt masked';
    } else {
      message = `${what} is shared by deferred functions that can run on different processors at the same time: ${where(before, earlier.dpcFn)} and ${where(now, dpcFn)}; no lock they both hold keeps one out while the other runs — take the same NDIS spin lock around both (NdisDprAcquireSpinLock at DISPATCH_LEVEL)`;
      irqlRequired = 'DISPATCH_LEVEL, holding a spin lock the other deferred function holds too';
    }
    this.sendRace(
      'DPC-SHARED-RACE',
      variable,
      now,
      before,
      unprotected,
      message + interlockedFix(op, earlier.op),
      irqlRequired,
    );
  }

  /** The tracked accesses since `fromTick` (the most recent ones if there are many), oldest first. */
  interleaving(fromTick: number): InterleavingStep[] {
    const steps: InterleavingStep[] = [];
    // Walk newest to oldest, keep those at or after fromTick, stop at the step bound.
    for (let k = 0; k < this.historyCount && steps.length < INTERLEAVING_STEPS_MAX; k++) {
      const i = (this.historyNext - 1 - k + RACE_HISTORY_MAX * 2) % RACE_HISTORY_MAX;
      if (this.historyTick[i]! < fromTick) break;
      const who = this.historyWho[i]!;
      const variable = who instanceof RegisterTracking ? who.variable! : who;
      const packed = this.historyPacked[i]!;
      steps.push({
        tick: this.historyTick[i]!,
        processor: packed & 0xff,
        irql: (packed >>> HISTORY_IRQL_SHIFT) & 0xff,
        function: this.historyFn[i] || '(harness)',
        access: accessText(
          (packed >>> HISTORY_OP_SHIFT) & 7,
          who.name,
          variable,
          this.historyValue[i]!,
          variable.kind === 'register',
        ),
      });
    }
    return steps.reverse();
  }
}

/**
 * When one side of a race is an interlocked update, the other is a plain write (the only access
 * that conflicts with one): making it interlocked as well is the other fix.
 */
function interlockedFix(opA: number, opB: number): string {
  return opA === OP_INTERLOCKED || opB === OP_INTERLOCKED
    ? '; or make the plain write interlocked as well (InterlockedExchange to store a value): interlocked operations exclude only one another'
    : '';
}

/** The earlier access of a race, from its record. */
function accessBefore(variable: RaceVar, earlier: RaceRecord, locks: string): RaceAccessReport {
  return {
    function: earlier.fn || '(harness)',
    role: earlier.role,
    processor: earlier.processor,
    irql: earlier.irql,
    tick: earlier.tick,
    access: accessText(earlier.op, earlier.register, variable, earlier.bits, variable.kind === 'register'),
    locks,
    ...(earlier.sourceNow() === null ? {} : { source: earlier.sourceNow()! }),
  };
}
