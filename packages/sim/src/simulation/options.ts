/**
 * What a simulation and a run are given and what a run returns, and the checks on them: bad options
 * are a TypeError or RangeError naming the option, before anything runs.
 */
import type { NDIS_HALT_ACTION, NDIS_STATUS } from '@ddikit/ndis';
import { DEFAULT_BUDGETS, DEFAULT_COSTS, type CostModel, type TimeBudgets } from '../core/time.js';
import type { RunProbe } from '../core/probe.js';
import type { TraceOptions } from '../core/trace.js';
import type { Device, FrameCounts } from '../device/device.js';
import type { SharedMemoryBacking } from '../device/shared-memory.js';
import type { InterruptOptions } from '../interrupts/interrupt-object.js';
import { isMiniportDefinition, type MiniportDefinition } from '../ndis/miniport.js';
import type { FaultOptions, ResolvedFaults } from '../schedule/faults.js';
import type { Scheduler } from '../schedule/scheduler.js';
import type { Report } from '../verifier/report-types.js';
import type { RuleId } from '../verifier/rule-types.js';
import type { VerifierMode } from '../verifier/verifier.js';

export interface SimulationOptions {
  /** The seed of the one PRNG; every report carries it. A non-negative safe integer. */
  readonly seed: number;
  /** The device the driver drives (e.g. the e1000 model, E1000Nic). */
  readonly device: Device;
  /**
   * Where NdisMAllocateSharedMemory takes its bytes from (default: an ArrayBufferBacking, typed views
   * for TypeScript drivers; a WebAssembly driver's runtime passes one over the module's memory).
   */
  readonly sharedMemory?: SharedMemoryBacking;
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
   * describe their registers' effects (`Device.registerEffect`) — on the fields of the contexts the
   * driver hands NDIS and of what is reachable from them, and on fields the driver marks with
   * `resources.shared`. Default: on when the verifier is. `{ contexts: false }`: on, but only
   * registers and the fields marked with `resources.shared` are tracked. `sources`: whether a race
   * report names where the driver's source made each access, from a stack capture for each new kind
   * of access. By default a C driver's `file:line` is named (about 3× the cost of a short run; the
   * explorer's search runs turn it off with `{ sources: false }`, its replays keep it);
   * `{ sources: true }` names a JavaScript or TypeScript driver's line too (its stack is captured,
   * then formatted only for an access a report shows: about 1.5× a short run of many new kinds of
   * access; `ddikit simulate` and the explorer's replays ask for it).
   */
  readonly races?: boolean | { readonly contexts?: boolean; readonly sources?: boolean };
  /**
   * Keep where in the driver's source each spin lock was acquired, so a LOCK-LEAK names the line of
   * the acquire that was never released (`… at tick 774, at FabDpc (drv/fab.c:120:5), and did not
   * release`): the C line for a C driver, the TypeScript one for a driver with source maps. A stack
   * capture on every acquire, which costs more than the acquire: for a replay (the explorer's
   * replays ask for it) or a run again of a seed that leaked a lock (`ddikit simulate` does).
   * Default off.
   */
  readonly lockSites?: boolean;
  /** Faults to inject (faults.ts), each drawn from the seed. Default none. */
  readonly faults?: FaultOptions;
  /** Record a trace of every run (for the timeline): true, or the ring's size. Default off. */
  readonly trace?: boolean | TraceOptions;
  /** Told of every role call (for a wall-clock watchdog in another thread). Default none. */
  readonly probe?: RunProbe;
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
  /** Frames the device received, sent and missed (Device.frameCounts); null for a device that does not count them. */
  readonly frames: FrameCounts | null;
  /** Timers the driver set (NdisSetTimerObject, NdisSetCoalescableTimerObject), and timer functions run. */
  readonly timersSet: number;
  readonly timerCalls: number;
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
  /**
   * The interrupt NDIS granted the driver's registration: `line` or `message`-signaled; null when
   * none was registered. With `sharedLine`, whether another device could raise that line in the run.
   */
  readonly interrupt: { readonly granted: 'line' | 'message' | null; readonly sharedLine: boolean };
  /** MiniportHaltEx was called and returned. */
  readonly halted: boolean;
  /** No report at all (warnings included). */
  readonly clean: boolean;
  readonly errors: number;
  readonly warnings: number;
  /** Every report, in the order found. */
  readonly reports: readonly Report[];
  /**
   * Per report (same order): the driver's `file:line:col` of the call that raised it — its innermost
   * stack frame outside the harness — or null when no driver code was on the stack (a check at halt).
   */
  readonly reportLocations: readonly (string | null)[];
  /** The report that stopped the run (bugcheck mode), or null. */
  readonly bugCheck: Report | null;
  readonly stats: RunStats;
}

/** The ticks one run may ask for (about 30 simulated hours). */
export const RUN_TICKS_MAX = 2 ** 40;

/** Checks the options every simulation needs: an object with a seed and a device. */
export function checkSimulationOptions(options: SimulationOptions): void {
  if (typeof options !== 'object' || options === null)
    throw new TypeError('createSimulation: options are required ({ seed, device })');
  const { seed, device } = options;
  if (!Number.isSafeInteger(seed) || seed < 0)
    throw new RangeError(`createSimulation: seed must be a non-negative safe integer (got ${String(seed)})`);
  if (typeof device !== 'object' || device === null || typeof device.read32 !== 'function') {
    throw new TypeError('createSimulation: device must implement the Device interface of device.ts');
  }
  // The flags: a value that is not a boolean (a string "false", a 0) would read as its truthiness
  // in some places and as "not false" in others.
  const flag = (name: string, value: unknown): void => {
    if (value !== undefined && typeof value !== 'boolean')
      throw new TypeError(`createSimulation: ${name} must be true or false (got ${describe(value)})`);
  };
  flag('verifier', options.verifier);
  flag('lockSites', options.lockSites);
  const races: unknown = options.races;
  if (typeof races === 'object' && races !== null) {
    flag('races.contexts', (races as { contexts?: unknown }).contexts);
    flag('races.sources', (races as { sources?: unknown }).sources);
  } else if (races !== undefined && typeof races !== 'boolean') {
    throw new TypeError(
      `createSimulation: races must be true, false or { contexts?, sources? } (got ${describe(races)})`,
    );
  }
  const trace: unknown = options.trace;
  if (trace !== undefined && typeof trace !== 'boolean' && (typeof trace !== 'object' || trace === null))
    throw new TypeError(
      `createSimulation: trace must be true, false or { eventsMax?, overviewBuckets? } (got ${describe(trace)})`,
    );
}

/** A value as an error message shows it: strings quoted, objects by kind. */
function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'function') return 'a function';
  return String(value);
}

/** The cost model: the defaults with the options' costs, checked. */
export function resolveCosts(options: SimulationOptions): CostModel {
  const costs: CostModel = { ...DEFAULT_COSTS, ...options.costs };
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
  return costs;
}

/** The time budgets: the defaults with the options' budgets, checked. */
export function resolveBudgets(options: SimulationOptions): TimeBudgets {
  const budgets: TimeBudgets = { ...DEFAULT_BUDGETS, ...options.budgets };
  for (const [key, value] of Object.entries(budgets)) {
    if (!Number.isInteger(value) || value < 1)
      throw new RangeError(
        `createSimulation: budgets.${key} must be a positive integer number of ticks (got ${String(value)})`,
      );
  }
  return budgets;
}

/** The interrupt options with the faults that act through them (shared line, ISR during register, line for MSI). */
export function interruptOptionsWithFaults(
  options: InterruptOptions | undefined,
  faults: ResolvedFaults,
): InterruptOptions {
  const out: { -readonly [K in keyof InterruptOptions]: InterruptOptions[K] } = { ...options };
  if (faults.sharedLinePerMille > (out.sharedLinePerMille ?? 0)) out.sharedLinePerMille = faults.sharedLinePerMille;
  if (faults.interruptDuringRegister) out.isrBeforeRegisterReturns = true;
  if (faults.lineForMsiDriver) out.grantLineToMsiDriver = true;
  return out;
}

/** Checks the arguments of `sim.run`. */
export function checkRunOptions(driver: MiniportDefinition, options: RunOptions): void {
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
}
