/**
 * The NDIS DDI table: an object implementing the `NdisFunctions` interface that @ddikit/ndis
 * generates, which drivers call through. Each DDI checks its generated IRQL contract
 * (verifier/contract-table.ts) and then does what NDIS does, through the modules that model it. A
 * DDI of the spec that the harness does not model calls what a test supplied with
 * `sim.ddi.define(name, impl)`, after the same generated checks; without a definition it throws —
 * never a silent stub.
 */
import type { NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS, NDIS_SPIN_LOCK, NdisFunctions } from '@ddikit/ndis';
import { allDdiNames, ddiInfo, type DdiInfo } from '../verifier/contract-table.js';
import { SITE_STALL } from '../interrupts/choice-points.js';
import type { Interrupts } from '../interrupts/interrupts.js';
import type { Adapter } from './adapter.js';
import { sharedMemoryDdis, type SharedMemoryCore, type SharedMemoryDdi } from './shared-memory.js';
import { isRegisterHandle, type RegisterWindow } from './register-window.js';
import type { RoleMonitor } from '../kernel/role-monitor.js';
import type { SpinLocks } from '../kernel/spinlock.js';
import type { Timers } from './timers.js';
import { TICKS_PER_MICROSECOND, type Clock } from '../core/time.js';

/** What the DDIs need from the simulation. */
export interface NdisCore {
  readonly checks: boolean;
  readonly monitor: RoleMonitor;
  readonly locks: SpinLocks;
  readonly interrupts: Interrupts;
  readonly registers: RegisterWindow;
  readonly clock: Clock;
  /** The adapter being initialized or running, if any. */
  adapter(): Adapter | null;
  /** Shared memory and the DMA space (NdisMAllocateSharedMemory, NdisMFreeSharedMemory). */
  readonly sharedMemory: SharedMemoryCore;
  /** The run's timer objects (NdisAllocateTimerObject … NdisFreeTimerObject). */
  readonly timers: Timers;
  fail(message: string): never;
}

/** A DDI implementation a test supplies for a DDI the harness does not model. */
export type DdiImplementation = (...args: never[]) => unknown;

/** Thrown when a driver calls a DDI of the spec that the harness does not model and no test defined. */
export class UnmodeledDdiError extends Error {
  constructor(name: string) {
    super(
      `${name} is in the spec but the simulator does not model it; supply its behaviour with sim.ddi.define('${name}', impl)`,
    );
    this.name = 'UnmodeledDdiError';
  }
}

const ALLOCATE = ddiInfo('NdisAllocateSpinLock');
const FREE = ddiInfo('NdisFreeSpinLock');
const ACQUIRE = ddiInfo('NdisAcquireSpinLock');
const RELEASE = ddiInfo('NdisReleaseSpinLock');
const DPR_ACQUIRE = ddiInfo('NdisDprAcquireSpinLock');
const DPR_RELEASE = ddiInfo('NdisDprReleaseSpinLock');
const STALL = ddiInfo('NdisStallExecution');

/** Longest stall one NdisStallExecution call may ask for (1 s). */
export const STALL_MICROSECONDS_MAX = 1_000_000;

/** The DDIs the harness models, by name. */
export const MODELED_DDIS = [
  'NdisAcquireSpinLock',
  'NdisAllocateSpinLock',
  'NdisAllocateTimerObject',
  'NdisCancelTimerObject',
  'NdisDprAcquireSpinLock',
  'NdisDprReleaseSpinLock',
  'NdisFreeSpinLock',
  'NdisFreeTimerObject',
  'NdisMAllocateSharedMemory',
  'NdisMDeregisterInterruptEx',
  'NdisMFreeSharedMemory',
  'NdisMQueueDpcEx',
  'NdisMRegisterInterruptEx',
  'NdisMSynchronizeWithInterruptEx',
  'NdisReadRegisterUlong',
  'NdisReleaseSpinLock',
  'NdisSetCoalescableTimerObject',
  'NdisSetTimerObject',
  'NdisStallExecution',
  'NdisWriteRegisterUlong',
] as const satisfies readonly (keyof NdisFunctions)[];

export type ModeledDdi = (typeof MODELED_DDIS)[number];
type SpinLockDdi =
  | 'NdisAllocateSpinLock'
  | 'NdisFreeSpinLock'
  | 'NdisAcquireSpinLock'
  | 'NdisReleaseSpinLock'
  | 'NdisDprAcquireSpinLock'
  | 'NdisDprReleaseSpinLock';
type InterruptDdi =
  | 'NdisMRegisterInterruptEx'
  | 'NdisMDeregisterInterruptEx'
  | 'NdisMSynchronizeWithInterruptEx'
  | 'NdisMQueueDpcEx';
type TimerDdi =
  | 'NdisAllocateTimerObject'
  | 'NdisSetTimerObject'
  | 'NdisSetCoalescableTimerObject'
  | 'NdisCancelTimerObject'
  | 'NdisFreeTimerObject';
type RegisterDdi = Exclude<ModeledDdi, SpinLockDdi | InterruptDdi | SharedMemoryDdi | TimerDdi>;

function isModeled(name: string): name is ModeledDdi {
  return (MODELED_DDIS as readonly string[]).includes(name);
}

function originName(core: NdisCore): string {
  const frames = core.monitor.depth;
  return frames > 0 ? core.monitor.frames()[0]!.function : 'the harness';
}

/** The modeled DDIs over `core`. */
function modeled(core: NdisCore): Pick<NdisFunctions, ModeledDdi> {
  return {
    ...spinLockDdis(core),
    ...interruptDdis(core),
    ...registerDdis(core),
    ...sharedMemoryDdis(core, core.sharedMemory),
    ...timerDdis(core),
  };
}

/** NdisAllocateTimerObject … NdisFreeTimerObject, NdisSetCoalescableTimerObject: the timer objects of ./timers.ts. */
function timerDdis(core: NdisCore): Pick<NdisFunctions, TimerDdi> {
  const { timers } = core;
  return {
    NdisAllocateTimerObject(_NdisHandle, TimerCharacteristics, pTimerObject) {
      return timers.allocate(TimerCharacteristics, pTimerObject, originName(core));
    },
    NdisSetTimerObject(TimerObject, DueTime, MillisecondsPeriod, FunctionContext) {
      return timers.set(TimerObject, DueTime, MillisecondsPeriod, FunctionContext);
    },
    NdisSetCoalescableTimerObject(TimerObject, DueTime, MillisecondsPeriod, FunctionContext, Tolerance) {
      return timers.setCoalescable(TimerObject, DueTime, MillisecondsPeriod, FunctionContext, Tolerance);
    },
    NdisCancelTimerObject(TimerObject) {
      return timers.cancel(TimerObject);
    },
    NdisFreeTimerObject(TimerObject): void {
      timers.free(TimerObject, originName(core));
    },
  };
}

/** NdisAllocateSpinLock … NdisDprReleaseSpinLock: the spin locks of kernel/spinlock.ts. */
function spinLockDdis(core: NdisCore): Pick<NdisFunctions, SpinLockDdi> {
  const { monitor, locks, interrupts } = core;
  const checks = core.checks;
  return {
    NdisAllocateSpinLock(SpinLock: NDIS_SPIN_LOCK): void {
      if (checks) monitor.checkDdi(ALLOCATE, 0);
      locks.allocate(SpinLock, originName(core));
    },
    NdisFreeSpinLock(SpinLock: NDIS_SPIN_LOCK): void {
      if (checks) monitor.checkDdi(FREE, 0);
      locks.free(SpinLock, FREE.name);
    },
    NdisAcquireSpinLock(SpinLock: NDIS_SPIN_LOCK): void {
      if (checks) monitor.checkDdi(ACQUIRE, 0);
      locks.acquire(SpinLock, false, ACQUIRE.name);
    },
    NdisReleaseSpinLock(SpinLock: NDIS_SPIN_LOCK): void {
      if (checks) monitor.checkDdi(RELEASE, 0);
      locks.release(SpinLock, false, RELEASE.name);
      interrupts.dpcs.afterLower();
      interrupts.lockReleased(RELEASE.name);
    },
    NdisDprAcquireSpinLock(SpinLock: NDIS_SPIN_LOCK): void {
      if (checks) monitor.checkDdi(DPR_ACQUIRE, 0);
      locks.acquire(SpinLock, true, DPR_ACQUIRE.name);
    },
    NdisDprReleaseSpinLock(SpinLock: NDIS_SPIN_LOCK): void {
      if (checks) monitor.checkDdi(DPR_RELEASE, 0);
      locks.release(SpinLock, true, DPR_RELEASE.name);
      interrupts.dpcs.afterLower();
      interrupts.lockReleased(DPR_RELEASE.name);
    },
  };
}

/** NdisMRegisterInterruptEx … NdisMQueueDpcEx: the interrupts of interrupts/. */
function interruptDdis(core: NdisCore): Pick<NdisFunctions, InterruptDdi> {
  const { interrupts } = core;
  const synchronizer = interrupts.synchronizer;
  return {
    NdisMRegisterInterruptEx(
      MiniportAdapterHandle,
      MiniportInterruptContext,
      MiniportInterruptCharacteristics,
      NdisInterruptHandle,
    ) {
      return interrupts.register(
        MiniportAdapterHandle,
        MiniportInterruptContext,
        MiniportInterruptCharacteristics as NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS,
        NdisInterruptHandle,
        core.adapter(),
      );
    },
    NdisMDeregisterInterruptEx(NdisInterruptHandle): void {
      interrupts.deregister(NdisInterruptHandle);
    },
    NdisMSynchronizeWithInterruptEx: core.checks
      ? (NdisInterruptHandle, MessageId, SynchronizeFunction, SynchronizeContext) =>
          synchronizer.synchronize(NdisInterruptHandle, MessageId, SynchronizeFunction, SynchronizeContext)
      : (NdisInterruptHandle, MessageId, SynchronizeFunction, SynchronizeContext) =>
          synchronizer.synchronizeUnchecked(NdisInterruptHandle, MessageId, SynchronizeFunction, SynchronizeContext),
    NdisMQueueDpcEx(NdisInterruptHandle, MessageId, TargetProcessors, MiniportDpcContext) {
      return interrupts.queueDpcEx(NdisInterruptHandle, MessageId, TargetProcessors, MiniportDpcContext);
    },
  };
}

/** NdisReadRegisterUlong, NdisWriteRegisterUlong (the register window) and NdisStallExecution. */
function registerDdis(core: NdisCore): Pick<NdisFunctions, RegisterDdi> {
  const { monitor, interrupts, registers, clock } = core;
  const checks = core.checks;
  return {
    NdisReadRegisterUlong(Register, Data): void {
      if (isRegisterHandle(Register)) {
        Data.value = registers.read(Register);
        return;
      }
      // Not a register: ordinary memory, read as such.
      if (typeof Register !== 'object' || Register === null)
        core.fail('NdisReadRegisterUlong: Register must be a register handle or a box');
      Data.value = Register.value;
    },
    NdisWriteRegisterUlong(Register, Data): void {
      if (isRegisterHandle(Register)) {
        registers.write(Register, Data);
        return;
      }
      if (typeof Register !== 'object' || Register === null)
        core.fail('NdisWriteRegisterUlong: Register must be a register handle or a box');
      Register.value = Data;
    },
    NdisStallExecution(MicroSecondsToStall): void {
      if (checks) monitor.checkDdi(STALL, 0);
      if (
        !Number.isInteger(MicroSecondsToStall) ||
        MicroSecondsToStall < 0 ||
        MicroSecondsToStall > STALL_MICROSECONDS_MAX
      ) {
        core.fail(
          `NdisStallExecution: MicroSecondsToStall must be an integer in 0..${STALL_MICROSECONDS_MAX} (got ${String(MicroSecondsToStall)})`,
        );
      }
      clock.nowTicks += MicroSecondsToStall * TICKS_PER_MICROSECOND;
      interrupts.preemptionPoint(SITE_STALL, STALL.name);
    },
  };
}

/**
 * The generic form of a DDI, for DDIs the harness does not model (and modeled ones a test replaces):
 * the generated contract checks, role checks on handler parameters, then the supplied behaviour.
 */
function generic(
  core: NdisCore,
  info: DdiInfo,
  definitions: Map<string, DdiImplementation>,
): (...args: unknown[]) => unknown {
  const fn = function (this: unknown, ...args: unknown[]): unknown {
    if (core.checks) {
      core.monitor.checkDdi(info, core.monitor.topDirql(), args);
      for (const handler of info.handlers) {
        if (!core.interrupts.table.handlerAccepted(args[handler.index], handler.accepted, handler.name, info.name))
          return undefined;
      }
    }
    const impl = definitions.get(info.name);
    if (impl === undefined) throw new UnmodeledDdiError(info.name);
    return (impl as (...a: unknown[]) => unknown).apply(this, args);
  };
  Object.defineProperty(fn, 'name', { value: info.name });
  return fn;
}

/** What a table's generic DDIs need, kept on the table under a symbol (not among its names). */
interface GenericState {
  readonly core: NdisCore;
  readonly definitions: Map<string, DdiImplementation>;
}
const GENERIC_STATE = Symbol('ddikit.sim.genericDdis');

let sharedGenericPrototype: object | null = null;

/**
 * The prototype of every simulation's DDI table: an accessor per DDI the harness does not model
 * (`modeledNames` are its own properties), which makes that DDI's generic form for the table it is
 * read from, and puts it there as a plain property: the form is made once per table, on first use.
 * Made once per process: making every generic form with each simulation was about a fifth of what a
 * short run costs, for DDIs most drivers never call. Frozen: a table is changed on the table only
 * (assigning a DDI puts it on the table, as assigning an inherited plain property did).
 */
function genericPrototype(modeledNames: readonly string[]): object {
  if (sharedGenericPrototype !== null) return sharedGenericPrototype;
  const prototype: Record<string, unknown> = {};
  const own = (target: object, name: string, value: unknown): void => {
    Object.defineProperty(target, name, { value, writable: true, enumerable: true, configurable: true });
  };
  for (const name of allDdiNames()) {
    if (modeledNames.includes(name)) continue;
    Object.defineProperty(prototype, name, {
      enumerable: true,
      configurable: false,
      get(this: Record<PropertyKey, unknown>): unknown {
        const state = this[GENERIC_STATE] as GenericState | undefined;
        if (state === undefined) return undefined;
        const fn = generic(state.core, ddiInfo(name), state.definitions);
        // A table the driver froze keeps working: the form is made again on each read.
        if (Object.isExtensible(this)) own(this, name, fn);
        return fn;
      },
      set(this: object, value: unknown): void {
        own(this, name, value);
      },
    });
  }
  sharedGenericPrototype = Object.freeze(prototype);
  return sharedGenericPrototype;
}

/** The DDIs of a simulation and the registry of test-supplied behaviour. */
export class NdisTable {
  readonly functions: NdisFunctions;
  private readonly definitions = new Map<string, DdiImplementation>();
  private readonly core: NdisCore;

  /**
   * `modeledNames`: the DDIs to model (default all the harness can); every other DDI of the spec gets
   * the generic form and needs {@link define}.
   */
  constructor(core: NdisCore, modeledNames: readonly string[] = MODELED_DDIS) {
    this.core = core;
    for (const name of modeledNames) {
      if (!isModeled(name))
        throw new TypeError(`modeledDdis: the simulator does not model ${name} (it models ${MODELED_DDIS.join(', ')})`);
    }
    // The generic forms of the hundreds of DDIs the spec carries are made on first use, from a
    // prototype all tables share (genericPrototype), so the table itself keeps a handful of own
    // properties and V8 keeps their lookup fast.
    const models = modeled(core) as Record<string, unknown>;
    const table = Object.create(genericPrototype(Object.keys(models))) as Record<PropertyKey, unknown>;
    const state: GenericState = { core, definitions: this.definitions };
    Object.defineProperty(table, GENERIC_STATE, { value: state, enumerable: false });
    for (const name of MODELED_DDIS) {
      table[name] = modeledNames.includes(name) ? models[name] : generic(core, ddiInfo(name), this.definitions);
    }
    this.functions = table as unknown as NdisFunctions;
    this.modeled = modeledNames;
  }

  private readonly modeled: readonly string[];

  /**
   * Supplies the behaviour of a DDI the harness does not model; its generated contract checks still
   * run first. A modeled DDI can be replaced only with `{ replace: true }` (e.g. to inject a failure).
   */
  define(name: string, impl: DdiImplementation, options: { readonly replace?: boolean } = {}): void {
    let info: DdiInfo;
    try {
      info = ddiInfo(name);
    } catch {
      throw new TypeError(`sim.ddi.define: ${name} is not a DDI of the spec`);
    }
    if (typeof impl !== 'function') throw new TypeError(`sim.ddi.define: the behaviour of ${name} must be a function`);
    if (this.modeled.includes(name)) {
      if (options.replace !== true) {
        throw new TypeError(
          `sim.ddi.define: the simulator models ${name}; pass { replace: true } to replace its behaviour`,
        );
      }
      (this.functions as unknown as Record<string, unknown>)[name] = generic(this.core, info, this.definitions);
    }
    this.definitions.set(name, impl);
  }

  /** Whether a test supplied the behaviour of `name`. */
  isDefined(name: string): boolean {
    return this.definitions.has(name);
  }
}
