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
import { Prng } from '../core/prng.js';
import { Clock, type CostModel, type TimeBudgets } from '../core/time.js';
import { Trace, TRACE_REPORT } from '../core/trace.js';
import type { Device } from '../device/device.js';
import { DeviceStepper } from '../device/device-stepper.js';
import { ArrayBufferBacking, DmaSpace } from '../device/shared-memory.js';
import type { InterruptObject } from '../interrupts/interrupt-object.js';
import { Interrupts } from '../interrupts/interrupts.js';
import { IrqlEngine, PASSIVE_LEVEL } from '../kernel/irql.js';
import { RoleMonitor } from '../kernel/role-monitor.js';
import { SpinLocks } from '../kernel/spinlock.js';
import { Adapter } from '../ndis/adapter.js';
import type { MiniportDefinition, MiniportHandlers } from '../ndis/miniport.js';
import { NdisTable, type DdiImplementation } from '../ndis/ndis-ddis.js';
import { RegisterWindow } from '../ndis/register-window.js';
import { SimResources } from '../ndis/resources.js';
import { Timers } from '../ndis/timers.js';
import { RaceDetector } from '../race/race-detector.js';
import { shareFields } from '../race/shared-fields.js';
import { resolveFaults, type ResolvedFaults } from '../schedule/faults.js';
import { acceptedRoles } from '../verifier/contract-table.js';
import { sourceWhere } from '../verifier/report-text.js';
import { BugCheck, SimulationError, Verifier, type VerifierMode } from '../verifier/verifier.js';
import type { Violation } from '../verifier/violation-sink.js';
import {
  checkRunOptions,
  checkSimulationOptions,
  interruptOptionsWithFaults,
  resolveBudgets,
  resolveCosts,
  type RunOptions,
  type RunResult,
  type SimulationOptions,
} from './options.js';
import { DriverError } from './driver-error.js';
import { capturedStack, currentDriverFrames, driverFrames, frameText, type DriverFrame } from './driver-frames.js';
import { functionSite } from './function-site.js';
import type { RunProbe } from '../core/probe.js';
import { registerObserver } from './register-observer.js';

/** How far a run got, for its result (a bug check may stop it anywhere). */
interface RunProgress {
  /** What MiniportInitializeEx returned; null if it never returned. */
  initializeStatus: NDIS_STATUS | null;
  /** MiniportHaltEx was called and returned. */
  halted: boolean;
}

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
  /** Driver memory the device reaches by DMA (NdisMAllocateSharedMemory), checked on every access. */
  readonly dma: DmaSpace;
  /** The run's NDIS timer objects, expiring on the simulated clock. */
  readonly timers: Timers;
  /** Race detection (null when off). */
  readonly races: RaceDetector | null;
  /** The probe the runs tell where they are (the `probe` option), or null. */
  readonly probe: RunProbe | null;
  /** The trace of the last run (null unless the `trace` option is on). */
  readonly trace: Trace | null;
  readonly faults: ResolvedFaults;

  /** Lets the device catch up with simulated time. */
  private readonly stepper: DeviceStepper;
  private currentAdapter: Adapter | null = null;
  private running = false;
  /** The table the current run's driver was given; cut off from the DDIs when the run ends. */
  private view: NdisFunctions | null = null;
  /** Runs made (numbers the late calls). */
  private runCount = 0;
  /** Per report of the current run: the driver's `file:line:col` it was raised from, or null. */
  private readonly reportLocations: (string | null)[] = [];
  /** DDIs the driver called after their run had ended (from a timer or a promise), in order. */
  readonly lateCalls: LateCall[] = [];

  /** Runs made so far (1-based: a {@link LateCall}'s `run` is what this was after its run). */
  get runs(): number {
    return this.runCount;
  }
  /** The surprise-removal fault's tick in this run (Infinity: none). */
  private removalTick = Infinity;
  private removedByFault = false;

  constructor(options: SimulationOptions) {
    checkSimulationOptions(options);
    const { seed, device } = options;
    this.seed = seed;
    this.mode = options.mode ?? 'bugcheck';
    this.checks = options.verifier !== false;
    this.device = device;
    const costs = resolveCosts(options);
    const budgets = resolveBudgets(options);
    // A DDI the driver called wrongly (a handle it was never given, an argument of the wrong kind)
    // stops the run; the message says where: the role function running and the driver's own line.
    const fail = (message: string): never => {
      throw new SimulationError(`${message}${this.failSite(message)}`, this.seed, this.clock.nowTicks);
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
    // A report about a driver function that is not running names where it is defined (asked only then).
    this.verifier.definitionOf = functionSite;
    this.locks = new SpinLocks(this.engine, this.clock, budgets, fail);
    monitor = new RoleMonitor(this.engine, this.locks, this.verifier, this.clock, costs, budgets, fail);
    this.monitor = monitor;
    if (this.checks) {
      this.engine.verifier = this.verifier;
      this.locks.verifier = this.verifier;
    } else {
      this.engine.logging = false;
    }
    this.probe = options.probe ?? null;
    this.monitor.probe = this.probe;
    this.faults = resolveFaults(options.faults);
    const traceOption = options.trace;
    this.trace =
      traceOption === undefined || traceOption === false
        ? null
        : new Trace(this.engine.processorCount, traceOption === true ? {} : traceOption);
    this.races =
      this.checks && options.races !== false
        ? new RaceDetector(this.engine, this.clock, this.monitor, this.locks, this.verifier)
        : null;
    if (this.races !== null && typeof options.races === 'object' && options.races.contexts === false)
      this.races.trackContexts = false;
    if (this.races !== null && !(typeof options.races === 'object' && options.races.sources === false)) {
      // Where the driver's source made each access of a race: a C driver's source frame, else, asked
      // for with races: { sources: true }, the innermost frame of the driver's own code on the
      // JavaScript stack (a TypeScript driver's line with source maps on). Asked once per new kind of
      // access, not per access; for JavaScript the stack is captured then and read (formatted,
      // mapped) only if a report shows the access.
      const verifier = this.verifier;
      const javaScript = typeof options.races === 'object' && options.races.sources === true;
      this.races.sourceOf = () => {
        const source = verifier.sourceFrames?.()[0];
        if (source !== undefined) return source;
        if (!javaScript) return null;
        const stack = capturedStack();
        const roles = this.monitor.frames().map((f) => f.function);
        return () => {
          const frame = driverFrames(stack.stack, roles)[0];
          return frame === undefined
            ? null
            : { function: frame.function || '(anonymous)', file: frame.file, line: frame.line, column: frame.column };
        };
      };
    }
    // Where the driver's code is now (`at Fn (file:line:col)`): the innermost source frame of a
    // driver with source frames (C), else the innermost frame of the driver's own code on the
    // JavaScript stack; null when neither is known. A stack capture: asked only where it is worth it.
    const verifier = this.verifier;
    const driverSite = (): string | null => {
      const source = verifier.sourceFrames?.()[0];
      if (source !== undefined) return `at ${source.function} (${sourceWhere(source)})`;
      const frame = currentDriverFrames(this.monitor.frames().map((f) => f.function))[0];
      return frame === undefined ? null : `at ${frame.function || '(anonymous)'} (${frameText(frame)})`;
    };
    if (options.lockSites === true && this.checks) this.locks.siteOf = driverSite;
    const probe = this.probe;
    if (this.races !== null && probe !== null && probe.whereAsked !== undefined && probe.tellWhere !== undefined) {
      // A watchdog about to stop a hung run asks where the driver is: its next tracked field access
      // answers (a loop that waits for a field the ISR would change still reads it).
      this.races.whereAsked = probe.whereAsked;
      const tell = probe.tellWhere.bind(probe);
      this.races.tellWhere = () => {
        const site = driverSite();
        if (site !== null) tell(site);
      };
    }
    this.stepper = new DeviceStepper(device, this.clock);
    this.interrupts = this.makeInterrupts(options, costs, fail);
    this.registers = new RegisterWindow(device, this.monitor, this.interrupts, this.clock, costs, this.checks, fail);
    this.connectObservers();
    this.dma = new DmaSpace(options.sharedMemory ?? new ArrayBufferBacking(), () => this.clock.nowTicks);
    this.dma.deviceName = device.name;
    const report = (violation: Violation): void => {
      if (this.checks && this.verifier.enabled(violation.rule)) this.verifier.report(violation);
    };
    this.dma.report = report;
    const interruptTable = this.interrupts.table;
    this.timers = new Timers({
      engine: this.engine,
      clock: this.clock,
      prng: this.prng,
      monitor: this.monitor,
      checks: this.checks,
      sink: this.verifier,
      handlerAccepted: (value, accepted, where, subject) =>
        interruptTable.handlerAccepted(value, accepted, where, subject),
      track: (context) => this.interrupts.contexts?.track(context),
      fail,
    });
    // A due timer is an alternative at scheduled runs' choice points: it expires on another processor.
    this.interrupts.points.timers = this.timers;
    const table = new NdisTable(
      {
        checks: this.checks,
        monitor: this.monitor,
        locks: this.locks,
        interrupts: this.interrupts,
        registers: this.registers,
        clock: this.clock,
        adapter: () => this.currentAdapter,
        sharedMemory: { dma: this.dma, sink: this.checks ? this.verifier : null },
        timers: this.timers,
        fail,
      },
      options.modeledDdis,
    );
    this.ndis = table.functions;
    this.ddi = { define: (name, impl, defineOptions) => table.define(name, impl, defineOptions) };
    device.attach({ prng: this.prng, nowTicks: () => this.clock.nowTicks, dma: this.dma, report });
  }

  private makeInterrupts(options: SimulationOptions, costs: CostModel, fail: (message: string) => never): Interrupts {
    return new Interrupts({
      engine: this.engine,
      locks: this.locks,
      monitor: this.monitor,
      sink: this.verifier,
      checks: this.checks,
      clock: this.clock,
      prng: this.prng,
      device: this.device,
      stepper: this.stepper,
      costs,
      options: interruptOptionsWithFaults(options.interrupt, this.faults),
      faults: this.faults,
      race: this.races,
      trace: this.trace,
      fail,
    });
  }

  /**
   * Where the driver is when the harness stops a run (` in Fn (ROLE) at file:line:col`): the role
   * function running, innermost, and the driver's innermost source line — a C driver's from its
   * debug information, else its own frame on the JavaScript stack; '' for what is not known. The
   * role function is left out where `message` names it already (the watchdog's).
   */
  private failSite(message: string): string {
    const frames = this.monitor.frames();
    const role = frames[0];
    const named = role === undefined ? '' : `${role.function} (${role.role})`;
    const where = role === undefined || message.includes(named) ? '' : ` — in ${named}`;
    const source = this.verifier.sourceFrames?.()[0];
    if (source !== undefined && source.file !== null) return `${where} at ${sourceWhere(source)}`;
    const frame = currentDriverFrames(frames.map((f) => f.function))[0];
    return frame === undefined ? where : `${where} at ${frameText(frame)}`;
  }

  /** Connects the trace and the race detector to what they watch. */
  private connectObservers(): void {
    const trace = this.trace;
    if (trace !== null) {
      this.engine.trace = trace;
      this.engine.logging = true;
      this.monitor.trace = trace;
      this.locks.trace = trace;
    }
    const locations = this.reportLocations;
    this.verifier.onReport = (report, index) => {
      // Where in the driver's source the call that raised it was made (its innermost own frame):
      // a compiled driver's own source frames (C, from its debug information) come first.
      const source = report.source?.[0];
      if (source !== undefined && source.file !== null) locations[index] = sourceWhere(source);
      else {
        const frame = currentDriverFrames()[0];
        locations[index] = frame === undefined ? null : frameText(frame);
      }
      if (trace !== null)
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
    const races = this.races;
    if (races !== null) {
      const interrupts = this.interrupts;
      races.trace = trace;
      races.afterField = (name) => interrupts.fieldAccessed(name);
    }
    this.registers.race = races;
    if (races !== null || trace !== null)
      this.registers.observer = registerObserver(this.device, races, trace, this.engine, this.clock);
  }

  /** Runs a driver for `ticks` of simulated time and returns what the verifier found. */
  run(driver: MiniportDefinition, options: RunOptions): RunResult {
    checkRunOptions(driver, options);
    if (this.running) throw new Error('sim.run: a run is already in progress on this simulation');
    this.running = true;
    this.runCount++;
    this.interrupts.scheduler = options.scheduler ?? null;
    this.resetRun();
    const ticks = options.ticks;
    const removal = this.faults.surpriseRemovalTick;
    this.removalTick =
      removal === null
        ? Infinity
        : removal >= 0
          ? removal
          : this.prng.between(Math.floor(ticks / 4), Math.max(Math.floor(ticks / 4), Math.floor((3 * ticks) / 4)));
    this.removedByFault = false;
    if (this.checks) this.monitor.install();
    const progress: RunProgress = { initializeStatus: null, halted: false };
    try {
      this.runDriver(driver, options, progress);
      return this.result(driver, ticks, progress);
    } catch (error) {
      if (error instanceof BugCheck) return this.result(driver, ticks, progress);
      if (error instanceof SimulationError) throw error;
      const frames = this.monitor.thrown === error ? this.monitor.thrownFrames : [];
      throw new DriverError(driver.name, error, frames, this.seed, this.clock.nowTicks);
    } finally {
      if (this.view !== null) this.endView(this.view, driver.name);
      this.view = null;
      this.monitor.uninstall();
      this.currentAdapter = null;
      this.running = false;
      this.interrupts.scheduler = null;
      this.races?.disarm();
    }
  }

  /**
   * Cuts a run's table off from the DDIs: from now on a call through it (a timer or a promise the
   * driver left behind) does nothing but record a {@link LateCall} of that run.
   */
  private endView(view: NdisFunctions, driver: string): void {
    const run = this.runCount;
    const late = this.lateCalls;
    let kept = 0;
    const calls = new Map<string, () => undefined>();
    const ended = new Proxy(
      {},
      {
        get: (_target, name) => {
          if (typeof name !== 'string') return undefined;
          let call = calls.get(name);
          if (call === undefined) {
            call = () => {
              if (kept < LATE_CALLS_MAX) {
                kept++;
                late.push({ run, driver, ddi: name, driverFrames: currentDriverFrames() });
              }
              return undefined;
            };
            calls.set(name, call);
          }
          return call;
        },
      },
    );
    for (const key of Object.keys(view)) delete (view as unknown as Record<string, unknown>)[key];
    Object.setPrototypeOf(view, ended);
  }

  /**
   * The run itself: MiniportInitializeEx, the run loop, the final DPCs and INT-LOST check,
   * MiniportHaltEx and INT-DEREGISTER. Records in `progress` how far it got (a bug check may stop it).
   */
  private runDriver(driver: MiniportDefinition, options: RunOptions, progress: RunProgress): void {
    // Each run's driver gets a view of the table of its own: a driver that assigns to it (wraps a
    // DDI, counts calls) changes only its run, so every run — every schedule of explore — starts alike.
    // The modeled DDIs as own properties, so a driver may also spread it (`{ ...ndis, NdisX: wrapped }`);
    // the rest (DDIs the harness does not model, sim.ddi.define) through the table behind it.
    const view = Object.assign(Object.create(this.ndis) as NdisFunctions, this.ndis);
    this.view = view;
    const handlers = driver.create(view, this);
    if (!this.acceptHandlers(handlers, driver.name)) return;
    const adapter = new Adapter(1);
    this.currentAdapter = adapter;
    const status = this.initialize(handlers, adapter);
    progress.initializeStatus = status;
    if (status !== NDIS_STATUS_SUCCESS) {
      const initialize = functionName(handlers.MiniportInitializeEx);
      if (adapter.interrupt !== null)
        this.leftRegistered(
          adapter.interrupt,
          1,
          `${initialize} failed with status ${status}`,
          'MINIPORT_INITIALIZE',
          status,
          handlers.MiniportInitializeEx,
        );
      this.onProcessor(0);
      this.timers.checkAtEnd(`${initialize} failed with status ${status}`, 'MINIPORT_INITIALIZE', initialize);
      return;
    }
    const removed = this.loop(options.ticks, options.surpriseRemoveAtTick ?? null) || this.removedByFault;
    this.interrupts.dpcs.releaseHold();
    this.drainAll();
    this.interrupts.quiescent();
    this.onProcessor(0);
    const haltAction: NDIS_HALT_ACTION =
      options.haltAction ?? (removed ? NdisHaltDeviceSurpriseRemoved : NdisHaltDeviceDisabled);
    this.callHandler(handlers.MiniportHaltEx, [adapter.context, haltAction]);
    progress.halted = true;
    const halt = functionName(handlers.MiniportHaltEx);
    if (adapter.interrupt !== null)
      this.leftRegistered(adapter.interrupt, 0, `${halt} returned`, 'MINIPORT_HALT', 0, handlers.MiniportHaltEx);
    this.onProcessor(0);
    this.timers.checkAtEnd(`${halt} returned`, 'MINIPORT_HALT', halt);
  }

  /** MiniportInitializeEx on processor 0 at PASSIVE_LEVEL, with the adapter's resources. */
  private initialize(handlers: MiniportHandlers, adapter: Adapter): NDIS_STATUS {
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
    return this.callHandler(handlers.MiniportInitializeEx, [
      adapter,
      handlers.MiniportDriverContext ?? null,
      parameters,
    ]) as NDIS_STATUS;
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
    this.reportLocations.length = 0;
    this.dma.reset();
    this.timers.reset();
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
    const timers = this.timers;
    // Every iteration advances time by at least one tick (an interrupt costs interruptDispatchTicks,
    // a DPC or a timer turn one tick, an idle step jumps ahead), so ticks + 1 iterations always suffice.
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
      // A due timer first: its DPC was queued at its expiry, ahead of the DPC the next interrupt
      // queues, and under steady traffic an interrupt is pending at every turn, so after them it
      // would never run. An interrupt that comes while it runs preempts it as usual. One timer a
      // turn, then the interrupts: a timer that sets itself again at once cannot starve them either.
      const timerRan = timers.runDue();
      // A timer's turn takes a tick, as a DPC turn does.
      if (timerRan) clock.nowTicks += 1;
      if (interrupts.deliverPending()) continue;
      if (interrupts.runQueuedDpcs()) continue;
      if (timerRan) continue;
      interrupts.quiescent();
      let next = stepper.dueTick;
      if (next > timers.nextDueTick) next = timers.nextDueTick;
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

  /**
   * INT-DEREGISTER, raised after `handler` (the halt or initialize function) returned: the report
   * names where it is defined. In collect mode the harness deregisters the interrupt itself.
   */
  private leftRegistered(
    object: InterruptObject,
    form: number,
    what: string,
    role: string,
    status: number,
    handler: unknown,
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
      function: functionName(handler),
      declared: roleOf(handler)?.impl ?? handler,
    });
    repair();
  }

  private result(driver: MiniportDefinition, ticks: number, progress: RunProgress): RunResult {
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
      initializeStatus: progress.initializeStatus,
      interrupt: { granted: this.interrupts.table.granted, sharedLine: this.interrupts.lineShared },
      halted: progress.halted,
      clean: reports.length === 0,
      errors,
      warnings: reports.length - errors,
      reports,
      reportLocations: reports.map((_, i) => this.reportLocations[i] ?? null),
      bugCheck: this.verifier.stopped?.report ?? null,
      stats: {
        roleCalls: this.monitor.callCount,
        interrupts: stats.interrupts,
        spuriousInterrupts: stats.spuriousInterrupts,
        dpcs: stats.dpcs,
        synchronizeCalls: this.interrupts.synchronizeCount,
        registerReads: this.registers.stats.reads,
        registerWrites: this.registers.stats.writes,
        frames: this.device.frameCounts?.() ?? null,
        timersSet: this.timers.runSets,
        timerCalls: this.timers.runCalls,
      },
    };
  }
}

/** A DDI called through a run's table after that run ended. */
export interface LateCall {
  /** Which run of the simulation it belongs to (1-based). */
  readonly run: number;
  readonly driver: string;
  readonly ddi: string;
  /** Where the driver called it, innermost first. */
  readonly driverFrames: readonly DriverFrame[];
}

/**
 * Late calls kept per run (a simulation may make many runs: whoever reads `lateCalls` may empty it
 * once it has read it, as the explorer's job runner does).
 */
export const LATE_CALLS_MAX = 100;

/** The name a driver gave a declared function. */
function functionName(fn: unknown): string {
  return roleOf(fn)?.name ?? ((fn as { name?: string }).name || '(anonymous)');
}

/** Makes a simulation. */
export function createSimulation(options: SimulationOptions): Simulation {
  return new Simulation(options);
}
