/**
 * The top-level API: a simulation of processors, a device and NDIS, which runs a miniport driver
 * over simulated time and reports every contract it breaks.
 *
 * ```ts
 * const sim = createSimulation({ seed: 42, device: new E1000Nic(), mode: 'collect' });
 * const result = sim.run(driver, { ticks: 100_000 });
 * for (const report of result.reports) console.log(formatReportText(report));
 * ```
 *
 * A run: reset everything from the seed → call MiniportInitializeEx at PASSIVE_LEVEL → loop over
 * simulated time (let the device act, deliver its interrupts to ISRs at DIRQL on a processor chosen
 * from the seed, run queued DPCs at DISPATCH_LEVEL, skip idle time) → call MiniportHaltEx → check
 * that the interrupt was deregistered. Every loop is bounded; the result carries the seed and the
 * final tick.
 */
import {
  roleOf,
  NDIS_STATUS_SUCCESS,
  NdisHaltDeviceDisabled,
  NdisHaltDeviceSurpriseRemoved,
  type NDIS_HALT_ACTION,
  type NDIS_MINIPORT_INIT_PARAMETERS,
  type NDIS_STATUS,
  type NdisFunctions,
} from '@ddikit/ndis';
import { acceptedRoles } from '../verifier/contract-table.js';
import type { Device, RegisterReadEffect, RegisterWriteEffect } from '../device/device.js';
import { resolveFaults, type FaultOptions, type ResolvedFaults } from '../schedule/faults.js';
import type { InterruptObject, InterruptOptions } from '../interrupts/interrupt-object.js';
import { Interrupts } from '../interrupts/interrupts.js';
import { Adapter } from '../ndis/adapter.js';
import { DeviceStepper } from '../device/device-stepper.js';
import { IrqlEngine, PASSIVE_LEVEL } from '../kernel/irql.js';
import { isMiniportDefinition, type MiniportDefinition, type MiniportHandlers } from '../ndis/miniport.js';
import { NdisTable, type DdiImplementation } from '../ndis/ndis-ddis.js';
import { Prng } from '../core/prng.js';
import {
  OP_CLEAR,
  OP_NONE,
  OP_READ,
  OP_READ_CLEAR,
  OP_SET,
  OP_WRITE,
  RaceDetector,
  RegisterTracking,
  shareFields,
} from '../race/race-detector.js';
import { RegisterWindow, SimResources, type RegisterObserver } from '../ndis/register-window.js';
import type { Report } from '../verifier/report-types.js';
import { RoleMonitor } from '../kernel/role-monitor.js';
import type { Scheduler } from '../schedule/scheduler.js';
import { SpinLocks } from '../kernel/spinlock.js';
import { Clock, DEFAULT_BUDGETS, DEFAULT_COSTS, type CostModel, type TimeBudgets } from '../core/time.js';
import { Trace, TRACE_READ, TRACE_REPORT, TRACE_WRITE, type TraceOptions } from '../core/trace.js';
import type { RuleId } from '../verifier/rule-types.js';
import { BugCheck, SimulationError, Verifier, type VerifierMode } from '../verifier/verifier.js';

export interface SimulationOptions {
  /** The seed of the one PRNG; every report carries it. A non-negative safe integer. */
  readonly seed: number;
  /** The device the driver drives (e.g. the e1000 model of nic.ts). */
  readonly device: Device;
  /** Number of processors, 1..64. Default 2. */
  readonly processors?: number;
  /** `bugcheck` (default): stop at the first error. `collect`: record, repair, go on. */
  readonly mode?: VerifierMode;
  /** false switches every check off (for measuring the harness's own cost). Default true. */
  readonly verifier?: boolean;
  readonly interrupt?: InterruptOptions;
  readonly costs?: Partial<CostModel>;
  readonly budgets?: Partial<TimeBudgets>;
  /** IRQL transitions kept for reports. Default 16. */
  readonly irqlTransitionsKept?: number;
  /**
   * Rules not to check. A disabled rule reports nothing and its repair is skipped where the repair
   * would hide what the kernel does (an out-of-order release restores IRQL as the kernel would).
   */
  readonly disabledRules?: readonly RuleId[];
  /**
   * The DDIs the harness models (default: all it can). Any other DDI of the spec runs only the
   * generated checks and then what a test supplies with `sim.ddi.define`; without that it throws.
   */
  readonly modeledDdis?: readonly string[];
  /**
   * Race detection (ISR-SHARED-RACE, SPINLOCK-FOR-ISR-STATE) on registers — for devices that
   * describe their registers' effects (`Device.registerEffect`) — and on fields the driver marks
   * with `resources.shared`. Default: on when the verifier is.
   */
  readonly races?: boolean;
  /** Faults to inject (faults.ts), each drawn from the seed. Default none. */
  readonly faults?: FaultOptions;
  /** Record a trace of every run (for the timeline): true, or the ring's size. Default off. */
  readonly trace?: boolean | TraceOptions;
}

export interface RunOptions {
  /** Simulated time to run, in ticks (1 tick = 100 ns). */
  readonly ticks: number;
  /** The HaltAction MiniportHaltEx gets. Default NdisHaltDeviceDisabled (NdisHaltDeviceSurpriseRemoved after a removal). */
  readonly haltAction?: NDIS_HALT_ACTION;
  /** Pull the device off the bus at this tick, then halt. */
  readonly surpriseRemoveAtTick?: number;
  /**
   * Make the run a scheduled one: at every choice point (scheduler.ts) the scheduler picks what
   * happens — go on, an ISR on some processor, another processor's DPCs. Without one, a register
   * access below a pending interrupt's DIRQL delivers it on the spot with chance `preemptPerMille`.
   */
  readonly scheduler?: Scheduler;
}

export interface RunStats {
  readonly roleCalls: number;
  readonly interrupts: number;
  readonly spuriousInterrupts: number;
  readonly dpcs: number;
  readonly synchronizeCalls: number;
  readonly registerReads: number;
  readonly registerWrites: number;
}

export interface RunResult {
  readonly driver: string;
  readonly seed: number;
  readonly mode: VerifierMode;
  readonly verifier: boolean;
  readonly processors: number;
  readonly ticksRequested: number;
  /** Simulated time when the run ended. */
  readonly tick: number;
  /** What MiniportInitializeEx returned; null if it never returned. */
  readonly initializeStatus: NDIS_STATUS | null;
  /** MiniportHaltEx was called and returned. */
  readonly halted: boolean;
  /** No report at all (warnings included). */
  readonly clean: boolean;
  readonly errors: number;
  readonly warnings: number;
  /** Every report, in the order found. */
  readonly reports: readonly Report[];
  /** The report that stopped the run (bugcheck mode), or null. */
  readonly bugCheck: Report | null;
  readonly stats: RunStats;
}

/** The ticks one run may ask for (about 30 simulated hours). */
export const RUN_TICKS_MAX = 2 ** 40;

const INITIALIZE_ACCEPTED = acceptedRoles('MINIPORT_INITIALIZE_HANDLER') ?? ['MINIPORT_INITIALIZE'];
const HALT_ACCEPTED = acceptedRoles('MINIPORT_HALT_HANDLER') ?? ['MINIPORT_HALT'];

export class Simulation {
  readonly seed: number;
  readonly mode: VerifierMode;
  /** Checks on (the `verifier` option). */
  readonly checks: boolean;
  readonly device: Device;
  /** The DDIs drivers call. */
  readonly ndis: NdisFunctions;
  /** Supplies behaviour for DDIs the harness does not model (contract checks stay generated). */
  readonly ddi: { define(name: string, impl: DdiImplementation, options?: { readonly replace?: boolean }): void };

  readonly clock = new Clock();
  readonly prng: Prng;
  readonly engine: IrqlEngine;
  readonly verifier: Verifier;
  readonly locks: SpinLocks;
  readonly monitor: RoleMonitor;
  readonly interrupts: Interrupts;
  readonly registers: RegisterWindow;
  /** Race detection (null when off). */
  readonly races: RaceDetector | null;
  /** The trace of the last run (null unless the `trace` option is on). */
  readonly trace: Trace | null;
  readonly faults: ResolvedFaults;

  /** Lets the device catch up with simulated time. */
  private readonly stepper: DeviceStepper;
  private currentAdapter: Adapter | null = null;
  private running = false;
  /** The surprise-removal fault's tick in this run (Infinity: none). */
  private removalTick = Infinity;
  private removedByFault = false;

  constructor(options: SimulationOptions) {
    if (typeof options !== 'object' || options === null)
      throw new TypeError('createSimulation: options are required ({ seed, device })');
    const { seed, device } = options;
    if (!Number.isSafeInteger(seed) || seed < 0)
      throw new RangeError(`createSimulation: seed must be a non-negative safe integer (got ${String(seed)})`);
    if (typeof device !== 'object' || device === null || typeof device.read32 !== 'function') {
      throw new TypeError('createSimulation: device must implement the Device interface of device.ts');
    }
    this.seed = seed;
    this.mode = options.mode ?? 'bugcheck';
    this.checks = options.verifier !== false;
    this.device = device;
    const costs: CostModel = { ...DEFAULT_COSTS, ...options.costs };
    const budgets: TimeBudgets = { ...DEFAULT_BUDGETS, ...options.budgets };
    for (const [key, value] of Object.entries(costs)) {
      if (!Number.isInteger(value) || value < 0)
        throw new RangeError(
          `createSimulation: costs.${key} must be a non-negative integer number of ticks (got ${String(value)})`,
        );
    }
    if (costs.interruptDispatchTicks < 1)
      throw new RangeError(
        'createSimulation: costs.interruptDispatchTicks must be at least 1 tick (the run loop relies on it to advance)',
      );
    for (const [key, value] of Object.entries(budgets)) {
      if (!Number.isInteger(value) || value < 1)
        throw new RangeError(
          `createSimulation: budgets.${key} must be a positive integer number of ticks (got ${String(value)})`,
        );
    }
    const fail = (message: string): never => {
      throw new SimulationError(message, this.seed, this.clock.nowTicks);
    };

    this.prng = new Prng(seed);
    this.engine = new IrqlEngine(options.processors ?? 2, options.irqlTransitionsKept ?? 16, this.clock);
    // The monitor is created below; the report context reads it lazily.
    let monitor: RoleMonitor | null = null;
    this.verifier = new Verifier(
      this.mode,
      {
        seed,
        nowTicks: () => this.clock.nowTicks,
        processor: () => this.engine.cpu.index,
        frames: () => monitor?.frames() ?? [],
        transitions: () => this.engine.transitions(),
      },
      options.disabledRules ?? [],
    );
    this.locks = new SpinLocks(this.engine, this.clock, budgets, fail);
    monitor = new RoleMonitor(this.engine, this.locks, this.verifier, this.clock, costs, budgets, fail);
    this.monitor = monitor;
    if (this.checks) {
      this.engine.verifier = this.verifier;
      this.locks.verifier = this.verifier;
    } else {
      this.engine.logging = false;
    }
    this.faults = resolveFaults(options.faults);
    const interruptOptions: InterruptOptions = { ...options.interrupt };
    if (this.faults.sharedLinePerMille > (interruptOptions.sharedLinePerMille ?? 0)) {
      (interruptOptions as { sharedLinePerMille?: number }).sharedLinePerMille = this.faults.sharedLinePerMille;
    }
    if (this.faults.interruptDuringRegister)
      (interruptOptions as { isrBeforeRegisterReturns?: boolean }).isrBeforeRegisterReturns = true;
    if (this.faults.lineForMsiDriver)
      (interruptOptions as { grantLineToMsiDriver?: boolean }).grantLineToMsiDriver = true;
    const traceOption = options.trace;
    this.trace =
      traceOption === undefined || traceOption === false
        ? null
        : new Trace(this.engine.processorCount, traceOption === true ? {} : traceOption);
    this.races =
      this.checks && options.races !== false
        ? new RaceDetector(this.engine, this.clock, this.monitor, this.locks, this.verifier)
        : null;
    this.stepper = new DeviceStepper(device, this.clock);
    this.interrupts = new Interrupts({
      engine: this.engine,
      locks: this.locks,
      monitor: this.monitor,
      sink: this.verifier,
      checks: this.checks,
      clock: this.clock,
      prng: this.prng,
      device,
      stepper: this.stepper,
      costs,
      options: interruptOptions,
      faults: this.faults,
      race: this.races,
      trace: this.trace,
      fail,
    });
    this.registers = new RegisterWindow(device, this.monitor, this.interrupts, this.clock, costs, this.checks, fail);
    const trace = this.trace;
    if (trace !== null) {
      this.engine.trace = trace;
      this.engine.logging = true;
      this.monitor.trace = trace;
      this.locks.trace = trace;
      this.verifier.onReport = (report, index) => {
        trace.record(
          report.tick,
          TRACE_REPORT,
          report.processor,
          this.engine.cpu.irql,
          trace.intern(report.rule),
          index,
          report.severity === 'error' ? 1 : 0,
        );
      };
    }
    if (this.races !== null) {
      const interrupts = this.interrupts;
      this.races.trace = trace;
      this.races.afterField = (name) => interrupts.fieldAccessed(name);
    }
    this.registers.race = this.races;
    if (this.races !== null || trace !== null) this.registers.observer = this.registerObserver();
    const table = new NdisTable(
      {
        checks: this.checks,
        monitor: this.monitor,
        locks: this.locks,
        interrupts: this.interrupts,
        registers: this.registers,
        clock: this.clock,
        adapter: () => this.currentAdapter,
        fail,
      },
      options.modeledDdis,
    );
    this.ndis = table.functions;
    this.ddi = { define: (name, impl, defineOptions) => table.define(name, impl, defineOptions) };
    device.attach({ prng: this.prng, nowTicks: () => this.clock.nowTicks });
  }

  /** Runs a driver for `ticks` of simulated time and returns what the verifier found. */
  run(driver: MiniportDefinition, options: RunOptions): RunResult {
    if (!isMiniportDefinition(driver)) throw new TypeError('sim.run: the driver must be made with defineMiniport');
    const ticks = options?.ticks;
    if (!Number.isSafeInteger(ticks) || ticks < 0 || ticks > RUN_TICKS_MAX) {
      throw new RangeError(`sim.run: ticks must be an integer in 0..2^40 (got ${String(ticks)})`);
    }
    const removeAt = options.surpriseRemoveAtTick;
    if (removeAt !== undefined && (!Number.isSafeInteger(removeAt) || removeAt < 0)) {
      throw new RangeError(`sim.run: surpriseRemoveAtTick must be a non-negative integer (got ${String(removeAt)})`);
    }
    const scheduler = options.scheduler;
    if (
      scheduler !== undefined &&
      (typeof scheduler !== 'object' ||
        scheduler === null ||
        typeof scheduler.choose !== 'function' ||
        typeof scheduler.begin !== 'function')
    ) {
      throw new TypeError('sim.run: scheduler must implement Scheduler ({ begin(), choose(point) })');
    }
    if (this.running) throw new Error('sim.run: a run is already in progress on this simulation');
    this.running = true;
    this.interrupts.scheduler = scheduler ?? null;
    this.resetRun();
    const removal = this.faults.surpriseRemovalTick;
    this.removalTick =
      removal === null
        ? Infinity
        : removal >= 0
          ? removal
          : this.prng.between(Math.floor(ticks / 4), Math.max(Math.floor(ticks / 4), Math.floor((3 * ticks) / 4)));
    this.removedByFault = false;
    if (this.checks) this.monitor.install();
    let initializeStatus: NDIS_STATUS | null = null;
    let halted = false;
    try {
      const handlers = driver.create(this.ndis);
      if (!this.acceptHandlers(handlers, driver.name)) {
        return this.result(driver, ticks, initializeStatus, halted);
      }
      const adapter = new Adapter(1);
      this.currentAdapter = adapter;
      const parameters: NDIS_MINIPORT_INIT_PARAMETERS = {
        Header: { Type: 0x81, Revision: 1, Size: 0 },
        Flags: 0,
        AllocatedResources: new SimResources(this.device, this.registers, (object, fields) =>
          this.shareFields(object, fields),
        ),
        IMDeviceInstanceContext: null,
        MiniportAddDeviceContext: null,
        IfIndex: 1,
      };
      this.onProcessor(0);
      const status = this.callHandler(handlers.MiniportInitializeEx, [
        adapter,
        handlers.MiniportDriverContext ?? null,
        parameters,
      ]) as NDIS_STATUS;
      initializeStatus = status;
      if (status !== NDIS_STATUS_SUCCESS) {
        if (adapter.interrupt !== null) {
          this.leftRegistered(
            adapter.interrupt,
            1,
            `${functionName(handlers.MiniportInitializeEx)} failed with status ${status}`,
            'MINIPORT_INITIALIZE',
            status,
            functionName(handlers.MiniportInitializeEx),
          );
        }
        return this.result(driver, ticks, initializeStatus, halted);
      }
      const removed = this.loop(ticks, removeAt ?? null) || this.removedByFault;
      this.interrupts.dpcs.releaseHold();
      this.drainAll();
      this.interrupts.quiescent();
      this.onProcessor(0);
      const haltAction = options.haltAction ?? (removed ? NdisHaltDeviceSurpriseRemoved : NdisHaltDeviceDisabled);
      this.callHandler(handlers.MiniportHaltEx, [adapter.context, haltAction]);
      halted = true;
      if (adapter.interrupt !== null) {
        this.leftRegistered(
          adapter.interrupt,
          0,
          `${functionName(handlers.MiniportHaltEx)} returned`,
          'MINIPORT_HALT',
          0,
          functionName(handlers.MiniportHaltEx),
        );
      }
      return this.result(driver, ticks, initializeStatus, halted);
    } catch (error) {
      if (error instanceof BugCheck) return this.result(driver, ticks, initializeStatus, halted);
      if (error instanceof SimulationError) throw error;
      const message = error instanceof Error ? error.message : String(error);
      throw new SimulationError(`driver ${driver.name} threw: ${message}`, this.seed, this.clock.nowTicks);
    } finally {
      this.monitor.uninstall();
      this.currentAdapter = null;
      this.running = false;
      this.interrupts.scheduler = null;
      this.races?.disarm();
    }
  }

  /**
   * Declares fields of a driver object shared with the ISR (as `resources.shared` does from inside
   * the driver): every read and write of them is checked for races while an interrupt is registered.
   */
  shared<T extends object>(object: T, ...fields: (keyof T & string)[]): T {
    this.shareFields(object, fields);
    return object;
  }

  private shareFields(object: object, fields: readonly string[]): void {
    if (this.races !== null) shareFields(this.races, object, fields);
  }

  private registerObserver(): RegisterObserver {
    const races = this.races;
    const trace = this.trace;
    const device = this.device;
    const engine = this.engine;
    const clock = this.clock;
    // The bookkeeping of a register does not change from run to run: made once per offset (and name).
    const made = new Map<number, RegisterTracking | null>();
    return {
      track(name: string, offsetBytes: number): RegisterTracking | null {
        const known = made.get(offsetBytes);
        if (known !== undefined && (known === null || known.name === name)) return known;
        const effect = device.registerEffect?.(offsetBytes) ?? null;
        const variable = races !== null && effect !== null ? races.registerVar(effect.state) : null;
        const tracking =
          variable === null && trace === null
            ? null
            : new RegisterTracking(
                name,
                variable,
                effect === null ? OP_NONE : READ_OPS[effect.read],
                effect === null ? OP_NONE : WRITE_OPS[effect.write],
                trace?.intern(name) ?? 0,
              );
        if (known === undefined && made.size < 65_536) made.set(offsetBytes, tracking);
        return tracking;
      },
      access:
        trace === null
          ? null
          : (tracking: RegisterTracking, write: boolean, value: number): void => {
              trace.record(
                clock.nowTicks,
                write ? TRACE_WRITE : TRACE_READ,
                engine.cpu.index,
                engine.cpu.irql,
                tracking.traceName,
                value,
                0,
              );
            },
    };
  }

  /**
   * Calls a driver handler the way NDIS does. With the verifier on, the call goes to the role
   * monitor directly, so it is checked even if the driver's @ddikit/ndis is another copy of the
   * module than the harness's (whose monitor the driver's declarations would not see).
   */
  private callHandler(fn: unknown, args: unknown[]): unknown {
    const declaration = roleOf(fn);
    if (this.checks && declaration !== undefined) return this.monitor.callRole(declaration, undefined, args);
    return (fn as (...a: unknown[]) => unknown)(...args);
  }

  private resetRun(): void {
    this.trace?.reset();
    this.races?.reset();
    this.prng.reset();
    this.clock.reset();
    this.engine.reset();
    this.locks.reset();
    this.monitor.reset();
    this.interrupts.reset();
    this.stepper.reset();
    this.registers.reset();
    this.verifier.reset();
    this.device.reset();
  }

  private onProcessor(index: number): void {
    const cpu = this.engine.processors[index]!;
    this.engine.cpu = cpu;
    if (cpu.irql !== PASSIVE_LEVEL) this.engine.set(PASSIVE_LEVEL, 'harness');
  }

  private acceptHandlers(handlers: MiniportHandlers, name: string): boolean {
    if (typeof handlers !== 'object' || handlers === null) {
      throw new TypeError(`driver ${name}: the factory must return { MiniportInitializeEx, MiniportHaltEx }`);
    }
    const accepts = (value: unknown, accepted: readonly string[], field: string): boolean =>
      this.interrupts.table.handlerAccepted(value, accepted, `MiniportHandlers.${field}`, 'defineMiniport');
    return (
      accepts(handlers.MiniportInitializeEx, INITIALIZE_ACCEPTED, 'MiniportInitializeEx') &&
      accepts(handlers.MiniportHaltEx, HALT_ACCEPTED, 'MiniportHaltEx')
    );
  }

  /** The run loop. Returns whether the device was surprise-removed. */
  private loop(ticks: number, removeAt: number | null): boolean {
    const clock = this.clock;
    const interrupts = this.interrupts;
    const stepper = this.stepper;
    // Every iteration advances time by at least one tick (an interrupt costs interruptDispatchTicks,
    // a DPC turn one tick, an idle step jumps ahead), so ticks + 1 iterations always suffice.
    const iterationsMax = ticks + 1;
    const stormGap = this.faults.stormGapTicks;
    let stormTick = stormGap > 0 ? stormGap : Infinity;
    for (let iteration = 0; clock.nowTicks < ticks; iteration++) {
      if (iteration > iterationsMax) {
        throw new SimulationError(
          `the run loop did not finish within ${iterationsMax} iterations`,
          this.seed,
          clock.nowTicks,
        );
      }
      if (removeAt !== null && clock.nowTicks >= removeAt) {
        this.device.surpriseRemove();
        return true;
      }
      if (clock.nowTicks >= this.removalTick) {
        // The surprise-removal fault: the device is gone, the run goes on (the ISR may still be called on a shared line).
        this.device.surpriseRemove();
        this.removalTick = Infinity;
        this.removedByFault = true;
      }
      if (clock.nowTicks >= stormTick) {
        this.device.raiseInterrupt?.();
        stormTick = clock.nowTicks + stormGap;
      }
      stepper.step();
      if (interrupts.deliverPending()) continue;
      if (interrupts.runQueuedDpcs()) continue;
      interrupts.quiescent();
      let next = stepper.dueTick;
      if (next > stormTick) next = stormTick;
      if (next > this.removalTick) next = this.removalTick;
      const hold = interrupts.dpcs.holdUntilTick;
      if (hold > clock.nowTicks && next > hold && interrupts.dpcs.pending()) next = hold;
      if (next > ticks) next = ticks;
      if (removeAt !== null && next > removeAt) next = removeAt;
      clock.advanceTo(next > clock.nowTicks ? next : clock.nowTicks + 1);
    }
    return false;
  }

  /** Runs whatever DPCs are still queued (bounded). */
  private drainAll(): void {
    for (let turn = 0; turn < this.engine.processorCount * 4 && this.interrupts.runQueuedDpcs(); turn++) {
      // each turn drains one processor's queue
    }
  }

  /** INT-DEREGISTER; in collect mode the harness deregisters the interrupt itself. */
  private leftRegistered(
    object: InterruptObject,
    form: number,
    what: string,
    role: string,
    status: number,
    fn: string,
  ): void {
    const repair = (): void => this.interrupts.table.remove(object);
    if (!this.checks) {
      repair();
      return;
    }
    this.onProcessor(0);
    this.verifier.report({
      rule: 'INT-DEREGISTER',
      form,
      subject: role,
      message: `${what} with interrupt ${object.id} still registered; call NdisMDeregisterInterruptEx first`,
      p2: object.id,
      p3: form === 1 ? status >>> 0 : 0,
      function: fn,
    });
    repair();
  }

  private result(
    driver: MiniportDefinition,
    ticks: number,
    initializeStatus: NDIS_STATUS | null,
    halted: boolean,
  ): RunResult {
    const reports = [...this.verifier.reports];
    const errors = reports.filter((r) => r.severity === 'error').length;
    const stats = this.interrupts.stats;
    return {
      driver: driver.name,
      seed: this.seed,
      mode: this.mode,
      verifier: this.checks,
      processors: this.engine.processorCount,
      ticksRequested: ticks,
      tick: this.clock.nowTicks,
      initializeStatus,
      halted,
      clean: reports.length === 0,
      errors,
      warnings: reports.length - errors,
      reports,
      bugCheck: this.verifier.stopped?.report ?? null,
      stats: {
        roleCalls: this.monitor.callCount,
        interrupts: stats.interrupts,
        spuriousInterrupts: stats.spuriousInterrupts,
        dpcs: stats.dpcs,
        synchronizeCalls: this.interrupts.synchronizeCount,
        registerReads: this.registers.stats.reads,
        registerWrites: this.registers.stats.writes,
      },
    };
  }
}

const READ_OPS: Readonly<Record<RegisterReadEffect, number>> = {
  read: OP_READ,
  readClear: OP_READ_CLEAR,
  none: OP_NONE,
};
const WRITE_OPS: Readonly<Record<RegisterWriteEffect, number>> = {
  write: OP_WRITE,
  set: OP_SET,
  clear: OP_CLEAR,
  none: OP_NONE,
};

/** The name a driver gave a declared function. */
function functionName(fn: unknown): string {
  return roleOf(fn)?.name ?? ((fn as { name?: string }).name || '(anonymous)');
}

/** Makes a simulation. */
export function createSimulation(options: SimulationOptions): Simulation {
  return new Simulation(options);
}
