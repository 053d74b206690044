/**
 * Roles enforced at run time. While a simulation runs, the harness installs itself as the
 * @ddikit/ndis role monitor, so every call of a function declared with a role
 * (`MINIPORT_ISR('MyInterrupt', fn)`) comes through {@link RoleMonitor.callRole}, which checks:
 *
 * - the IRQL it is entered at (ROLE-IRQL; DPC-IRQL for DPCs);
 * - that it returns holding no lock it took (LOCK-LEAK) and at the IRQL it was entered at
 *   (IRQL-SAME; DPC-IRQL for DPCs);
 * - its return value against the role's return type (ROLE-RETURN);
 * - for ISRs and DPCs, the simulated time it took (TIME-BUDGET);
 * - the watchdog: a role call still running long past its budget (a loop that never ends) stops
 *   the run at the next DDI it calls, in either mode (TIME-BUDGET, site `watchdog`).
 *
 * It keeps the stack of role frames that reports print, and checks every DDI call against the
 * frame it is made from ({@link RoleMonitor.checkDdi}: MAY-CALL, IRQL-CALL, DPC-IRQL).
 *
 * The frame stack lives in preallocated arrays; a call allocates nothing unless a check fires.
 */
import {
  NDIS_STATUS_FAILURE,
  setRoleMonitor,
  type RoleDeclaration,
  type RoleMonitor as NdisRoleMonitor,
} from '@ddikit/ndis';
import {
  conditionalBounds,
  requiredText,
  resolveMax,
  resolveMin,
  roleInfo,
  ROLE_KIND_DPC,
  ROLE_KIND_ISR,
  ROLE_KIND_OTHER,
  ROLE_KIND_SYNC,
  type DdiInfo,
  type RoleInfo,
} from '../verifier/contract-table.js';
import { DISPATCH_LEVEL, type IrqlEngine } from './irql.js';
import type { RoleFrameReport } from '../verifier/report-types.js';
import { irqlUnexpectedP1 } from '../verifier/rule-table.js';
import type { SpinLocks } from './spinlock.js';
import { ticksToMicroseconds, type Clock, type CostModel, type TimeBudgets } from '../core/time.js';
import type { RunProbe } from '../core/probe.js';
import { TRACE_ENTER, TRACE_EXIT, type Trace } from '../core/trace.js';
import type { ViolationSink } from '../verifier/violation-sink.js';

/** Deepest nesting of role frames (an ISR preempting a DPC preempting …). */
export const ROLE_FRAMES_MAX = 64;

export class RoleMonitor implements NdisRoleMonitor {
  /** Frames in use. */
  depth = 0;
  /**
   * The DIRQL of the interrupt the harness is about to call a role function for (ISR, synchronize
   * function); consumed by the next call. 0: not known.
   */
  nextDirql = 0;
  /**
   * The MessageId of the message DPC the harness is about to call (-1: none); consumed by the next
   * call. A message's DPC is a deferred function of its own: those of two messages run side by side.
   */
  nextDpcMessage = -1;
  /**
   * The interrupt DPC the harness is about to call: its message (the line's: 0), -1 for any other
   * deferred function; consumed by the next call. NDIS can run the same interrupt DPC on two
   * processors at once, a timer function never.
   */
  nextDpcSource = -1;
  /** Role calls made (statistics). */
  callCount = 0;
  /** The run's trace, when on: every role call is a span there. */
  trace: Trace | null = null;
  /** Told of every role call (a wall-clock watchdog in another thread reads it), or null. */
  probe: RunProbe | null = null;

  private readonly frameInfo: (RoleInfo | null)[] = new Array<RoleInfo | null>(ROLE_FRAMES_MAX).fill(null);
  private readonly frameName: string[] = new Array<string>(ROLE_FRAMES_MAX).fill('');
  private readonly frameIrql = new Int32Array(ROLE_FRAMES_MAX);
  private readonly frameDirql = new Int32Array(ROLE_FRAMES_MAX);
  private readonly frameCpu = new Int32Array(ROLE_FRAMES_MAX);
  private readonly frameTick = new Float64Array(ROLE_FRAMES_MAX);
  /** The tick past which the watchdog stops the frame. */
  private readonly frameDeadline = new Float64Array(ROLE_FRAMES_MAX);
  private readonly frameLocks = new Int32Array(ROLE_FRAMES_MAX);
  /**
   * Per processor: the frame of the deferred function it runs (a DPC or a timer function, the role
   * of kind DPC that the frames above it were called from), or -1.
   */
  private readonly dpcFrame: Int32Array;
  /**
   * Per processor: the deferred function it runs as DPC-SHARED-RACE tells them apart — its name, or
   * for a message DPC `Name (message N)` — and that message (-1 for any other deferred function).
   */
  private readonly dpcKey: string[];
  private readonly dpcMessageOf: Int32Array;
  /** Per processor: the interrupt DPC's message (the line's: 0) it runs, -1 for a timer function. */
  private readonly dpcSourceOf: Int32Array;
  /** Per message (the line's: 0): the processors running its interrupt DPC. */
  private readonly dpcRuns = new Int32Array(32);
  /** `Name (message N)` strings, made once per function and message. */
  private readonly messageDpcKeys = new Map<string, string[]>();

  /** A small cache of role → contract (a handful of roles make up the hot path). */
  private readonly cacheRoles: unknown[] = [null, null, null, null];
  private readonly cacheInfos: (RoleInfo | null)[] = [null, null, null, null];
  private cacheNext = 0;
  /** The last error a role function threw, and the role frames it was thrown in (innermost first). */
  thrown: unknown = null;
  thrownFrames: RoleFrameReport[] = [];
  private previous: NdisRoleMonitor | null = null;
  private installed = false;

  private readonly engine: IrqlEngine;
  private readonly locks: SpinLocks;
  private readonly verifier: ViolationSink;
  private readonly clock: Clock;
  private readonly costs: CostModel;
  private readonly budgets: TimeBudgets;
  private readonly fail: (message: string) => never;

  constructor(
    engine: IrqlEngine,
    locks: SpinLocks,
    verifier: ViolationSink,
    clock: Clock,
    costs: CostModel,
    budgets: TimeBudgets,
    fail: (message: string) => never,
  ) {
    this.engine = engine;
    this.locks = locks;
    this.verifier = verifier;
    this.clock = clock;
    this.costs = costs;
    this.budgets = budgets;
    this.fail = fail;
    this.dpcFrame = new Int32Array(engine.processorCount).fill(-1);
    this.dpcKey = new Array<string>(engine.processorCount).fill('');
    this.dpcMessageOf = new Int32Array(engine.processorCount).fill(-1);
    this.dpcSourceOf = new Int32Array(engine.processorCount).fill(-1);
  }

  /** Makes this the @ddikit/ndis role monitor (until {@link uninstall}). */
  install(): void {
    if (this.installed) return;
    this.previous = setRoleMonitor(this);
    this.installed = true;
  }

  uninstall(): void {
    if (!this.installed) return;
    setRoleMonitor(this.previous);
    this.previous = null;
    this.installed = false;
  }

  reset(): void {
    for (let i = 0; i < this.depth; i++) this.frameInfo[i] = null;
    this.depth = 0;
    this.dpcFrame.fill(-1);
    this.dpcKey.fill('');
    this.dpcMessageOf.fill(-1);
    this.dpcSourceOf.fill(-1);
    this.dpcRuns.fill(0);
    this.nextDirql = 0;
    this.nextDpcMessage = -1;
    this.nextDpcSource = -1;
    this.callCount = 0;
    this.thrown = null;
    this.thrownFrames = [];
  }

  /** The innermost role being run, or null. */
  topInfo(): RoleInfo | null {
    return this.depth > 0 ? this.frameInfo[this.depth - 1]! : null;
  }

  /** The name of the innermost role function ('' when none runs). */
  topName(): string {
    return this.depth > 0 ? this.frameName[this.depth - 1]! : '';
  }

  /**
   * The deferred function processor `cpu` runs — the DPC or timer function the innermost frames on
   * it were called from ('' when none): code that other processors' deferred functions can run
   * beside, and that only spin locks (or one interrupt lock) order with them.
   */
  dpcOrigin(cpu: number): string {
    return this.dpcFrame[cpu]! < 0 ? '' : this.dpcKey[cpu]!;
  }

  /** The MessageId of the message DPC processor `cpu` runs (dpcOrigin), or -1. */
  dpcMessage(cpu: number): number {
    return this.dpcFrame[cpu]! < 0 ? -1 : this.dpcMessageOf[cpu]!;
  }

  /**
   * The interrupt DPC processor `cpu` runs (dpcOrigin): its message, the line's 0; -1 when it runs a
   * timer function or no deferred function.
   */
  dpcSource(cpu: number): number {
    return this.dpcFrame[cpu]! < 0 ? -1 : this.dpcSourceOf[cpu]!;
  }

  /** How many processors run the interrupt DPC of `source` (a MessageId, the line's 0) now. */
  dpcRunsOf(source: number): number {
    return this.dpcRuns[source]!;
  }

  /** Processor `cpu`'s deferred function returned (or threw). */
  private endDpcFrame(cpu: number): void {
    this.dpcFrame[cpu] = -1;
    const source = this.dpcSourceOf[cpu]!;
    if (source >= 0) this.dpcRuns[source]!--;
    this.dpcSourceOf[cpu] = -1;
  }

  /** Whether a processor other than `cpu` is running a message DPC. */
  messageDpcElsewhere(cpu: number): boolean {
    for (let p = 0; p < this.dpcFrame.length; p++)
      if (p !== cpu && this.dpcFrame[p]! >= 0 && this.dpcMessageOf[p]! >= 0) return true;
    return false;
  }

  private messageDpcKey(name: string, message: number): string {
    let keys = this.messageDpcKeys.get(name);
    if (keys === undefined) {
      keys = [];
      this.messageDpcKeys.set(name, keys);
    }
    return (keys[message] ??= `${name} (message ${message})`);
  }

  /** The role of the innermost role function ('' when none runs). */
  topRoleName(): string {
    return this.depth > 0 ? this.frameInfo[this.depth - 1]!.name : '';
  }

  /**
   * Time spent by other processors while the frames on the stack were suspended beneath them (a
   * scheduled run nests another processor's ISR or DPC at a choice point): it does not count toward
   * the time budgets of those frames.
   */
  creditTicks(ticks: number): void {
    for (let i = 0; i < this.depth; i++) {
      this.frameTick[i] = this.frameTick[i]! + ticks;
      this.frameDeadline[i] = this.frameDeadline[i]! + ticks;
    }
  }

  /** The DIRQL the innermost frame runs for (0: none). */
  topDirql(): number {
    return this.depth > 0 ? this.frameDirql[this.depth - 1]! : 0;
  }

  /** Role frames, innermost first. */
  frames(): RoleFrameReport[] {
    const out: RoleFrameReport[] = [];
    for (let i = this.depth - 1; i >= 0; i--) {
      out.push({
        role: this.frameInfo[i]!.name,
        function: this.frameName[i]!,
        processor: this.frameCpu[i]!,
        irql: this.frameIrql[i]!,
      });
    }
    return out;
  }

  /** Called by @ddikit/ndis for every call of a declared function while installed. */
  callRole(declaration: RoleDeclaration, thisArg: unknown, args: unknown[]): unknown {
    const verifier = this.verifier;
    if (verifier.stopped !== null) throw verifier.stopped;
    const role = declaration.role;
    const roles = this.cacheRoles;
    let info: RoleInfo;
    if (roles[0] === role) info = this.cacheInfos[0]!;
    else if (roles[1] === role) info = this.cacheInfos[1]!;
    else if (roles[2] === role) info = this.cacheInfos[2]!;
    else if (roles[3] === role) info = this.cacheInfos[3]!;
    else {
      info = roleInfo(role);
      if (info.foreign !== null) this.foreignRole(declaration, info.foreign);
      const slot = this.cacheNext;
      roles[slot] = role;
      this.cacheInfos[slot] = info;
      this.cacheNext = (slot + 1) & 3;
    }
    const cpu = this.engine.cpu;
    const irql = cpu.irql;
    let dirql = this.nextDirql;
    this.nextDirql = 0;
    const dpcMessage = this.nextDpcMessage;
    this.nextDpcMessage = -1;
    const dpcSource = this.nextDpcSource;
    this.nextDpcSource = -1;
    if (dirql === 0 && this.depth > 0) dirql = this.frameDirql[this.depth - 1]!;
    if (info.kind === ROLE_KIND_DPC) {
      if (irql !== DISPATCH_LEVEL) this.dpcIrql(info, declaration.name, irql, 'was entered');
    } else if (irql < resolveMin(info.min, dirql) || irql > resolveMax(info.max, dirql)) {
      this.roleIrql(info, declaration.name, irql, dirql);
    }

    const d = this.depth;
    if (d >= ROLE_FRAMES_MAX) this.fail(`role calls nested deeper than ${ROLE_FRAMES_MAX} (${declaration.name})`);
    this.frameInfo[d] = info;
    this.frameName[d] = declaration.name;
    this.frameIrql[d] = irql;
    this.frameDirql[d] = dirql > 0 ? dirql : irql > DISPATCH_LEVEL ? irql : 0;
    this.frameCpu[d] = cpu.index;
    this.frameLocks[d] = this.locks.depth();
    if (info.kind === ROLE_KIND_DPC && this.dpcFrame[cpu.index]! < 0) {
      this.dpcFrame[cpu.index] = d;
      this.dpcKey[cpu.index] = dpcMessage < 0 ? declaration.name : this.messageDpcKey(declaration.name, dpcMessage);
      this.dpcMessageOf[cpu.index] = dpcMessage;
      this.dpcSourceOf[cpu.index] = dpcSource;
      if (dpcSource >= 0) this.dpcRuns[dpcSource]!++;
    }
    this.depth = d + 1;
    this.callCount++;
    this.clock.nowTicks += this.costs.roleCallTicks;
    this.frameTick[d] = this.clock.nowTicks;
    this.frameDeadline[d] = this.clock.nowTicks + this.watchdogTicks(info.kind);
    const trace = this.trace;
    if (trace !== null)
      trace.record(this.clock.nowTicks, TRACE_ENTER, cpu.index, irql, trace.intern(declaration.name), info.kind, 0);
    const probe = this.probe;
    if (probe !== null) probe.enter(declaration.name, info.name, d + 1, this.clock.nowTicks);

    let result: unknown;
    try {
      result = callWith(declaration.impl as (...a: unknown[]) => unknown, thisArg, args);
    } catch (error) {
      if (this.thrown !== error) {
        this.thrown = error;
        this.thrownFrames = this.frames();
      }
      this.depth = d;
      if (this.dpcFrame[this.frameCpu[d]!] === d) this.endDpcFrame(this.frameCpu[d]!);
      this.frameInfo[d] = null;
      if (probe !== null) probe.exit(d, this.clock.nowTicks);
      if (trace !== null)
        trace.record(
          this.clock.nowTicks,
          TRACE_EXIT,
          this.frameCpu[d]!,
          this.engine.cpu.irql,
          trace.intern(declaration.name),
          info.kind,
          0,
        );
      throw error;
    }
    result = this.exit(info, declaration, d, result);
    this.depth = d;
    if (this.dpcFrame[cpu.index] === d) this.endDpcFrame(cpu.index);
    this.frameInfo[d] = null;
    if (probe !== null) probe.exit(d, this.clock.nowTicks);
    if (trace !== null)
      trace.record(
        this.clock.nowTicks,
        TRACE_EXIT,
        cpu.index,
        this.engine.cpu.irql,
        trace.intern(declaration.name),
        info.kind,
        0,
      );
    return result;
  }

  /**
   * Stops the run: `declaration` states another contract of its role than the one the harness
   * checks DDI calls against — made with another version of @ddikit/ndis (two installed), or with
   * declarations generated from a spec that changes the role. Checking it against either contract
   * would be wrong for the other half of the driver.
   */
  private foreignRole(declaration: RoleDeclaration, difference: string): never {
    const role = declaration.role.name;
    return this.fail(
      `${declaration.name} is declared ${role} with another contract of ${role} than the harness checks with (it differs in ${difference}): its declarator is of another version of @ddikit/ndis than @ddikit/sim's, or generated from a spec that changes the role. The harness checks a driver against the contracts of its own @ddikit/ndis; when two are installed, npm ls @ddikit/ndis lists them, and npm dedupe, or installing the version @ddikit/sim asks for, makes them one`,
    );
  }

  private exit(info: RoleInfo, declaration: RoleDeclaration, d: number, result: unknown): unknown {
    const verifier = this.verifier;
    const name = declaration.name;
    if (verifier.stopped !== null) throw verifier.stopped;
    const cpu = this.engine.cpu;
    const entryIrql = this.frameIrql[d]!;
    // Locks taken and not released.
    if (this.locks.depth() > this.frameLocks[d]! && verifier.enabled('LOCK-LEAK')) {
      const irqlNow = cpu.irql;
      const leaked = this.locks.heldAt(this.frameLocks[d]!);
      verifier.report({
        rule: 'LOCK-LEAK',
        subject: info.name,
        // Where it was taken: the DDI and the tick, and the driver's source line of the call when the
        // run keeps it (the lockSites option: a stack capture on every acquire costs more than the
        // acquire, so a replay asks for it, not every run).
        message: `${name} returned holding ${leaked.name}, which it acquired with ${leaked.acquiredWith} at tick ${leaked.acquiredTick}${leaked.acquiredAt !== null ? `, ${leaked.acquiredAt},` : ''} and did not release`,
        p1: irqlUnexpectedP1(irqlNow, entryIrql),
        p2: leaked.id,
        irqlFound: irqlNow,
        irqlRequired: requiredText(entryIrql, entryIrql, 0),
        site: leaked.name,
      });
      this.locks.releaseAbove(this.frameLocks[d]!, `${name} return (repair)`);
      if (cpu.irql !== entryIrql) this.engine.set(entryIrql, `${name} return (repair)`);
    }
    const irql = cpu.irql;
    if (info.kind === ROLE_KIND_DPC) {
      // Entered off DISPATCH_LEVEL was reported on entry; here only a change counts.
      if (irql !== entryIrql) {
        this.dpcIrql(info, name, irql, 'returned');
        this.engine.set(entryIrql, `${name} return (repair)`);
      }
    } else if (info.same && irql !== entryIrql) {
      verifier.report({
        rule: 'IRQL-SAME',
        form: info.atDirql ? 0 : 1,
        subject: info.name,
        message: `${name} was entered at IRQL ${entryIrql} and returned at IRQL ${irql}`,
        p1: info.atDirql ? undefined : irqlUnexpectedP1(irql, entryIrql),
        p2: info.atDirql ? entryIrql : 0,
        p3: info.atDirql ? irql : 0,
        irqlFound: irql,
        irqlRequired: `${requiredText(entryIrql, entryIrql, 0)} (the IRQL on entry)`,
      });
      this.engine.set(entryIrql, `${name} return (repair)`);
    }
    switch (info.returns) {
      case 'BOOLEAN':
        if (typeof result !== 'boolean')
          result = this.badReturn(
            info,
            declaration,
            result,
            'a boolean (BOOLEAN)',
            result === true || (typeof result === 'number' && result !== 0),
          );
        break;
      case 'VOID':
        if (result !== undefined) result = this.badReturn(info, declaration, result, 'nothing (VOID)', undefined);
        break;
      case 'NDIS_STATUS':
        if (typeof result !== 'number' || (result | 0) !== result)
          result = this.badReturn(info, declaration, result, 'a 32-bit integer (NDIS_STATUS)', NDIS_STATUS_FAILURE);
        break;
      default:
        break;
    }
    if (info.kind === ROLE_KIND_ISR || info.kind === ROLE_KIND_DPC) {
      const tookTicks = this.clock.nowTicks - this.frameTick[d]!;
      const budget = info.kind === ROLE_KIND_ISR ? this.budgets.isrTicksMax : this.budgets.dpcTicksMax;
      if (tookTicks > budget) {
        verifier.report({
          rule: 'TIME-BUDGET',
          subject: info.name,
          message: `${name} ran for ${ticksToMicroseconds(tookTicks)} µs of simulated time; the budget of ${info.kind === ROLE_KIND_ISR ? 'an ISR' : 'a DPC'} is ${ticksToMicroseconds(budget)} µs`,
          p2: tookTicks,
          p3: budget,
        });
      }
    }
    return result;
  }

  /** How long a role call of this kind may run before the watchdog stops it. */
  private watchdogTicks(kind: number): number {
    const b = this.budgets;
    if (kind === ROLE_KIND_ISR) return b.isrTicksMax * b.watchdogMultiple;
    if (kind === ROLE_KIND_DPC) return b.dpcTicksMax * b.watchdogMultiple;
    if (kind === ROLE_KIND_SYNC) return b.lockHeldTicksMax * b.watchdogMultiple;
    return b.passiveRoleTicksMax;
  }

  /** The innermost frame ran past its watchdog deadline: stop the run (0x133, or a failure at PASSIVE_LEVEL). */
  private watchdog(d: number): never {
    const info = this.frameInfo[d]!;
    const name = this.frameName[d]!;
    const tookTicks = this.clock.nowTicks - this.frameTick[d]!;
    const took = `${ticksToMicroseconds(tookTicks)} µs`;
    if (info.kind === ROLE_KIND_OTHER) {
      this.fail(
        `watchdog: ${name} (${info.name}) has run for ${took} of simulated time without returning; a role call is stopped after ${ticksToMicroseconds(this.budgets.passiveRoleTicksMax)} µs (a loop that never ends?)`,
      );
    }
    const [whose, budget]: [string, number] =
      info.kind === ROLE_KIND_ISR
        ? ['an ISR', this.budgets.isrTicksMax]
        : info.kind === ROLE_KIND_DPC
          ? ['a DPC', this.budgets.dpcTicksMax]
          : ['a synchronize function (it holds the interrupt lock)', this.budgets.lockHeldTicksMax];
    return this.verifier.stop({
      rule: 'TIME-BUDGET',
      subject: info.name,
      site: 'watchdog',
      message: `watchdog: ${name} has run for ${took} of simulated time without returning, over ${this.budgets.watchdogMultiple}× the ${ticksToMicroseconds(budget)} µs budget of ${whose}; the run was stopped (a loop that never ends: waiting on a register or stalling without a bound?)`,
      p2: tookTicks,
      p3: budget,
    });
  }

  /**
   * ROLE-RETURN. V8 keeps no frame of a function that has returned, and NDIS (the harness) called
   * the ISRs, DPCs and handlers: the report names where the function is defined instead.
   */
  private badReturn(
    info: RoleInfo,
    declaration: RoleDeclaration,
    result: unknown,
    want: string,
    repaired: unknown,
  ): unknown {
    const name = declaration.name;
    const got =
      result === null
        ? 'null'
        : typeof result === 'number' || typeof result === 'boolean'
          ? `${typeof result} ${String(result)}`
          : result instanceof Promise
            ? 'a Promise'
            : typeof result;
    // An async function: what follows its first await runs after the role function has returned.
    const why =
      result instanceof Promise
        ? ` (an async function? A role function runs to its end at its IRQL; what follows an await runs after it returned, outside its role and its locks)`
        : '';
    this.verifier.report({
      rule: 'ROLE-RETURN',
      subject: info.name,
      message: `${name} returned ${got}; the role ${info.name} returns ${want}${why}`,
      declared: declaration.impl,
    });
    return repaired;
  }

  private roleIrql(info: RoleInfo, name: string, irql: number, dirql: number): void {
    const min = resolveMin(info.min, dirql);
    const max = resolveMax(info.max, dirql);
    this.verifier.report({
      rule: 'ROLE-IRQL',
      subject: info.name,
      message: `${name} (${info.name}) was entered at IRQL ${irql}; its role requires ${requiredText(info.min, info.max, dirql)}`,
      p2: irql,
      p3: min,
      p4: max,
      irqlFound: irql,
      irqlRequired: requiredText(info.min, info.max, dirql),
      site: name,
    });
  }

  private dpcIrql(info: RoleInfo, name: string, irql: number, what: string): void {
    this.verifier.report({
      rule: 'DPC-IRQL',
      subject: info.name,
      message: `the DPC ${name} ${what} at IRQL ${irql}, not DISPATCH_LEVEL`,
      p2: irql,
      p3: DISPATCH_LEVEL,
      irqlFound: irql,
      irqlRequired: 'DISPATCH_LEVEL',
      site: `${name} ${what}`,
    });
  }

  /**
   * The checks every DDI call gets: MAY-CALL (a function that may call only DDIs callable at any
   * IRQL called another one), IRQL-CALL (outside the DDI's contract), DPC-IRQL (a DPC calling at an
   * IRQL below DISPATCH_LEVEL). `dirql` is the DIRQL of the interrupt concerned (0: none). Returns
   * false when a violation was reported (collect mode), true when the call is in contract.
   */
  checkDdi(
    info: DdiInfo,
    dirql: number,
    args?: ArrayLike<unknown>,
    /** For a contract with conditions in words: which of them hold for this call. */
    stated?: Readonly<Record<string, boolean>>,
  ): boolean {
    const verifier = this.verifier;
    if (verifier.stopped !== null) throw verifier.stopped;
    const irql = this.engine.cpu.irql;
    const d = this.depth;
    if (d > 0) {
      if (this.clock.nowTicks > this.frameDeadline[d - 1]!) this.watchdog(d - 1);
      const role = this.frameInfo[d - 1]!;
      if (role.mayCallAnyLevel && !info.anyLevel) {
        this.mayCall(info, role, irql, dirql);
        return false;
      }
      if (role.kind === ROLE_KIND_DPC && irql < DISPATCH_LEVEL && this.frameIrql[d - 1] === DISPATCH_LEVEL) {
        this.dpcIrql(role, this.frameName[d - 1]!, irql, `called ${info.name}`);
        return false;
      }
    }
    if (info.anyLevel || info.unknown) return true;
    let min: number;
    let max: number;
    if (info.conditional && args !== undefined) {
      const bounds = conditionalBounds(info.meta.irql, dirql, info.meta.params, args, stated);
      min = bounds.min;
      max = bounds.max;
    } else {
      min = resolveMin(info.min, dirql);
      max = resolveMax(info.max, dirql);
    }
    if (irql >= min && irql <= max) return true;
    // A condition in words that holds narrows the contract: the report names it.
    const holding = stated === undefined ? undefined : Object.keys(stated).find((condition) => stated[condition]);
    const required =
      holding === undefined ? requiredText(info.min, info.max, dirql) : `${requiredText(min, max, dirql)} (${holding})`;
    verifier.report({
      rule: 'IRQL-CALL',
      subject: info.name,
      message: `${info.name} was called at IRQL ${irql}; its contract requires ${required}`,
      p2: irql,
      p3: min,
      p4: max,
      irqlFound: irql,
      irqlRequired: required,
    });
    return false;
  }

  private mayCall(info: DdiInfo, role: RoleInfo, irql: number, dirql: number): void {
    const name = this.frameName[this.depth - 1]!;
    this.verifier.report({
      rule: 'MAY-CALL',
      form: info.acquiresLock ? 0 : 1,
      subject: info.name,
      message: `${name} (${role.name}) may call only DDIs callable at any IRQL, and called ${info.name} (${info.unknown ? info.required : requiredText(info.min, info.max, dirql)})`,
      p2: irql,
      p3: info.acquiresLock ? 0 : resolveMin(info.min, dirql),
      p4: info.acquiresLock ? 0 : resolveMax(info.max, dirql),
      irqlFound: irql,
      irqlRequired: info.unknown ? null : requiredText(info.min, info.max, dirql),
    });
  }
}

/**
 * `fn.apply(thisArg, args)`, as a plain call for the arities of role functions: apply goes through
 * the engine's spread of an array-like, a plain call does not. The role functions NDIS calls take
 * one to four arguments (a message-signaled ISR four), with no `this`; anything else goes through
 * apply as before.
 */
function callWith(fn: (...a: unknown[]) => unknown, thisArg: unknown, args: unknown[]): unknown {
  if (thisArg === undefined) {
    switch (args.length) {
      case 0:
        return fn();
      case 1:
        return fn(args[0]);
      case 2:
        return fn(args[0], args[1]);
      case 3:
        return fn(args[0], args[1], args[2]);
      case 4:
        return fn(args[0], args[1], args[2], args[3]);
      default:
        break;
    }
  }
  return fn.apply(thisArg, args);
}
