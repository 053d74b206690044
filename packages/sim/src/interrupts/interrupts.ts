/**
 * Interrupt objects, ISR dispatch and DPC queues.
 *
 * NdisMRegisterInterruptEx makes an {@link InterruptObject}: line-based, or message-based with N
 * messages, each with a DIRQL (device levels 3–12) and an interrupt spin lock — one per message, or
 * one for all when the driver set MsiSyncWithAllMessages (then every message runs at the unified
 * DIRQL). The handle the driver gets is the object itself; drivers never look inside.
 *
 * Dispatch follows KeSynchronizeExecution: raise to the DIRQL, take the interrupt lock, call the
 * ISR, release, lower. The ISR's QueueDefaultInterruptDpc queues the DPC on the current processor and
 * TargetProcessors on others. A DPC object exists per (interrupt, message, processor) and is queued at
 * most once at a time (NdisMQueueDpcEx clears the bit of a processor where it was already queued).
 * Queued DPCs run at DISPATCH_LEVEL when their processor's IRQL drops below DISPATCH_LEVEL, or when the
 * run loop gives that processor time.
 *
 * In a scheduled run (scheduler.ts) every preemption point is a choice point: the alternatives are
 * the ISRs that could be delivered now (on a processor below the DIRQL whose interrupt lock is
 * free) and other processors' queued DPCs (while no lock is held anywhere); the chosen one runs
 * nested at that point, on its processor. The run loop's picks of a processor are choices too.
 * The quiescent check of the run loop reports INT-LOST; the DPC-coalescing and spurious-interrupt
 * faults act at delivery.
 */
import {
  DIRQL_MAX,
  DIRQL_MIN,
  InterruptActiveHigh,
  Latched,
  NDIS_CONNECT_LINE_BASED,
  NDIS_CONNECT_MESSAGE_BASED,
  NDIS_STATUS_FAILURE,
  NDIS_STATUS_RESOURCES,
  NDIS_STATUS_SUCCESS,
  roleOf,
  typeInfo,
  type Box,
  type GROUP_AFFINITY,
  type IO_INTERRUPT_MESSAGE_INFO,
  type IO_INTERRUPT_MESSAGE_INFO_ENTRY,
  type NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS,
  type NDIS_STATUS,
  type RoleDeclaration,
} from '@ddikit/ndis';
import { acceptedRoles, ddiInfo, requiredText, roleInfoByName } from '../verifier/contract-table.js';
import type { Device } from '../device/device.js';
import { NO_FAULTS, type ResolvedFaults } from '../schedule/faults.js';
import { DISPATCH_LEVEL, type IrqlEngine, type Processor } from '../kernel/irql.js';
import type { Prng } from '../core/prng.js';
import type { RaceDetector } from '../race/race-detector.js';
import type { RoleMonitor } from '../kernel/role-monitor.js';
import type { ChoiceKind, ChoicePoint, Scheduler } from '../schedule/scheduler.js';
import type { SpinLocks, SpinLockState } from '../kernel/spinlock.js';
import type { Clock, CostModel } from '../core/time.js';
import { TRACE_CHOICE, TRACE_INTERRUPT, type Trace } from '../core/trace.js';
import type { ViolationSink } from '../verifier/violation-sink.js';

/** Most messages the harness grants one interrupt (one 32-bit pending mask). */
export const MESSAGES_MAX = 32;
/** Most DPCs one processor runs in one drain before giving the run loop a turn. */
export const DPC_DRAIN_MAX = 256;
/** Alternatives one choice point offers at most (ISRs per message and processor, DPCs per processor). */
export const CHOICE_ALTERNATIVES_MAX = 64;
/** How deep scheduled runs nest other processors' ISRs and DPCs at choice points. */
export const SCHEDULE_NESTING_MAX = 8;

/** Site codes of preemption points beyond register reads and writes (registers.ts has 1 and 2). */
export const SITE_LOCK = 3;
export const SITE_SYNC = 4;
export const SITE_STALL = 5;
export const SITE_FIELD = 6;

const ALT_ISR = 1;
const ALT_DPC = 2;
const SITE_VERBS = [
  '',
  'after read',
  'after write',
  'after releasing',
  'after returning from',
  'after',
  'after touching',
] as const;

/** How NDIS grants and delivers interrupts; part of the simulation options. */
export interface InterruptOptions {
  /** Grant a line-based interrupt even to a driver that sets MsiSupported (NDIS may). Default false. */
  readonly grantLineToMsiDriver?: boolean;
  /** Call the ISR once before NdisMRegisterInterruptEx returns (NDIS may). Default false. */
  readonly isrBeforeRegisterReturns?: boolean;
  /** DIRQL of the line, or per message; drawn from the seed in 3..12 when absent. */
  readonly irql?: number | readonly number[];
  /** Most messages to grant (the device may offer more). Default: all the device offers, at most 32. */
  readonly messageCountMax?: number;
  /**
   * Chance in 1000, at each step of the run loop, that another device on the shared line raises it
   * (the ISR is called though its NIC did not interrupt). Default 0.
   */
  readonly sharedLinePerMille?: number;
  /**
   * Chance in 1000 that an interrupt pending at a register access made below its DIRQL is delivered
   * right there, preempting the driver between that access and the next. Default 500.
   */
  readonly preemptPerMille?: number;
}

/** Marks adapters across copies of this module (a driver may load its own copy of @ddikit/sim). */
const ADAPTER_BRAND = Symbol.for('ddikit.sim.adapter');

/** An adapter NDIS initialized: the NdisMiniportHandle the driver gets. */
export class Adapter {
  readonly id: number;
  interrupt: InterruptObject | null = null;
  /** Set with setMiniportAdapterContext (the sim's stand-in for NdisMSetMiniportAttributes). */
  context: unknown = null;
  constructor(id: number) {
    this.id = id;
    Object.defineProperty(this, ADAPTER_BRAND, { value: true });
  }
}

/** Whether `value` is an adapter handle of the harness (any copy of it). */
export function isAdapter(value: unknown): value is Adapter {
  return typeof value === 'object' && value !== null && (value as { [ADAPTER_BRAND]?: true })[ADAPTER_BRAND] === true;
}

type Fn = (...args: unknown[]) => unknown;

/**
 * Marks harness objects handed out as opaque handles. A property compare is much cheaper than
 * `instanceof` on the hot paths (NdisMSynchronizeWithInterruptEx).
 */
const INTERRUPT_BRAND: unique symbol = Symbol('ddikit.sim.interrupt');

/** Whether `value` is an interrupt object of the harness (fast brand check). */
export function isInterruptObject(value: unknown): value is InterruptObject {
  return (
    typeof value === 'object' && value !== null && (value as { [INTERRUPT_BRAND]?: true })[INTERRUPT_BRAND] === true
  );
}

/** A registered interrupt: the NdisInterruptHandle the driver gets. */
export class InterruptObject {
  readonly [INTERRUPT_BRAND] = true as const;
  readonly id: number;
  readonly adapter: Adapter;
  readonly messageBased: boolean;
  /** 1 for a line-based interrupt. */
  readonly messageCount: number;
  readonly context: unknown;
  /** DIRQL each message's ISR runs at (index 0 for the line). */
  readonly dirqls: Int32Array;
  /** Interrupt lock of each message (all the same object with MsiSyncWithAllMessages). */
  readonly locks: readonly SpinLockState[];
  readonly syncWithAll: boolean;
  readonly isr: Fn;
  readonly dpc: Fn;
  /** The granted table (message-based only). */
  readonly table: IO_INTERRUPT_MESSAGE_INFO | null;
  registered = true;
  /** (message * processors + processor) → 1 while that DPC is queued. */
  readonly dpcQueued: Uint8Array;
  readonly dpcContext: unknown[];
  /** Out-parameter boxes handed to the ISR, reused for every call. */
  readonly queueDpcBox: Box<boolean> = { value: false };
  readonly targetProcessorsBox: Box<number> = { value: 0 };
  /** The ISR's and DPC's role declarations (null for undeclared functions, verifier off only). */
  readonly isrDeclaration: RoleDeclaration | null;
  readonly dpcDeclaration: RoleDeclaration | null;
  /** Argument arrays handed to the role monitor, reused for every call. */
  readonly isrArgs: unknown[];
  readonly dpcArgs: unknown[];

  constructor(
    id: number,
    adapter: Adapter,
    messageBased: boolean,
    messageCount: number,
    context: unknown,
    dirqls: Int32Array,
    locks: SpinLockState[],
    syncWithAll: boolean,
    isr: Fn,
    dpc: Fn,
    table: IO_INTERRUPT_MESSAGE_INFO | null,
    processorCount: number,
  ) {
    this.id = id;
    this.adapter = adapter;
    this.messageBased = messageBased;
    this.messageCount = messageCount;
    this.context = context;
    this.dirqls = dirqls;
    this.locks = locks;
    this.syncWithAll = syncWithAll;
    this.isr = isr;
    this.dpc = dpc;
    this.table = table;
    this.dpcQueued = new Uint8Array(messageCount * processorCount);
    this.dpcContext = new Array<unknown>(messageCount * processorCount).fill(null);
    this.isrDeclaration = roleOf(isr) ?? null;
    this.dpcDeclaration = roleOf(dpc) ?? null;
    this.isrArgs = messageBased
      ? [context, 0, this.queueDpcBox, this.targetProcessorsBox]
      : [context, this.queueDpcBox, this.targetProcessorsBox];
    this.dpcArgs = messageBased ? [context, 0, null, null, null] : [context, null, null, null];
  }
}

/** A processor's DPC queue: a ring of (interrupt, message). */
class DpcQueue {
  readonly objects: (InterruptObject | null)[];
  readonly messages: Int32Array;
  head = 0;
  count = 0;
  draining = false;
  constructor(readonly capacity: number) {
    this.objects = new Array<InterruptObject | null>(capacity).fill(null);
    this.messages = new Int32Array(capacity);
  }
}

const SYNC = ddiInfo('NdisMSynchronizeWithInterruptEx');
const REGISTER = ddiInfo('NdisMRegisterInterruptEx');
const DEREGISTER = ddiInfo('NdisMDeregisterInterruptEx');
const QUEUE_DPC = ddiInfo('NdisMQueueDpcEx');
const LINE_ISR_ROLE = 'MINIPORT_ISR';
const MESSAGE_ISR_ROLE = 'MINIPORT_MESSAGE_INTERRUPT';
const LINE_DPC_ROLE = 'MINIPORT_INTERRUPT_DPC';
const MESSAGE_DPC_ROLE = 'MINIPORT_MESSAGE_INTERRUPT_DPC';

/** The characteristics fields that hold handlers, from the metadata of the structure. */
const HANDLER_FIELDS = (typeInfo('NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS')?.fields ?? [])
  .map((field) => ({ field, accepted: acceptedRoles(field.type) }))
  .filter((f): f is { field: (typeof f)['field']; accepted: readonly string[] } => f.accepted !== null)
  .map(({ field, accepted }) => ({
    name: field.name,
    pointer: field.type,
    optional: field.optional,
    accepted,
    message: roleInfoByName(accepted[0]!).meta.interrupt === 'message',
  }));

/** The characteristics field a role's handler is registered in (from the role's registeredIn). */
function fieldOf(role: string): string {
  const registeredIn = roleInfoByName(role).meta.registeredIn ?? '';
  return registeredIn.slice(registeredIn.indexOf('.') + 1);
}
const LINE_ISR_FIELD = fieldOf(LINE_ISR_ROLE);
const MESSAGE_ISR_FIELD = fieldOf(MESSAGE_ISR_ROLE);
const LINE_DPC_FIELD = fieldOf(LINE_DPC_ROLE);
const MESSAGE_DPC_FIELD = fieldOf(MESSAGE_DPC_ROLE);

export interface InterruptStats {
  interrupts: number;
  spuriousInterrupts: number;
  dpcs: number;
}

export class Interrupts {
  /** The interrupt of the device, while registered. */
  active: InterruptObject | null = null;
  /** NdisMSynchronizeWithInterruptEx calls that ran their function. */
  synchronizeCount = 0;
  readonly stats: InterruptStats = { interrupts: 0, spuriousInterrupts: 0, dpcs: 0 };
  /** Tick at or after which the device has something to do. */
  deviceDueTick = 0;

  private readonly queues: DpcQueue[] = [];
  private nextId = 1;
  /** Synchronize functions already accepted, with their declarations (a 4-entry cache). */
  private readonly acceptedFunctions: unknown[] = [null, null, null, null];
  private readonly acceptedDeclarations: (RoleDeclaration | null)[] = [null, null, null, null];
  private acceptedNext = 0;
  /** During an ISR called for another device's interrupt: whether the NIC asserted the line meanwhile. */
  private watchingLine = false;
  private sawLine = false;
  private readonly synchronizeArgs: unknown[] = [null];
  private lastUncheckedFunction: unknown = null;
  private lastUncheckedImpl: ((c: unknown) => unknown) | null = null;
  private readonly preemptPerMille: number;

  // ---- Scheduled runs, race detection, the trace, faults (all optional) -------------------------------
  /** The run's scheduler; null: the seeded random preemption of `preemptPerMille`. */
  scheduler: Scheduler | null = null;
  /** Race detection, when on: told which interrupt locks each processor holds. */
  race: RaceDetector | null = null;
  trace: Trace | null = null;
  faults: ResolvedFaults = NO_FAULTS;
  /** What the last preemption point follows (a register name and SITE_* code), for descriptions. */
  siteName = '';
  siteCode = 0;
  /** Until this tick, queued DPCs wait (the DPC-coalescing fault). */
  dpcHoldUntilTick = 0;
  private choiceIndex = 0;
  private nesting = 0;
  /** A processor whose ISR a choice point nested: its DPCs stay queued for a later choice. */
  private noDrainCpu: Processor | null = null;
  private readonly altKind = new Uint8Array(CHOICE_ALTERNATIVES_MAX);
  private readonly altCpu = new Uint8Array(CHOICE_ALTERNATIVES_MAX);
  private readonly altMessage = new Uint8Array(CHOICE_ALTERNATIVES_MAX);
  private readonly point = new PointState(this);
  /** INT-LOST: the last DPC that returned, reported once per run. */
  private lastDpcName = '';
  private lastDpcCpu = -1;
  private lastDpcTick = 0;
  private lostReported = false;

  constructor(
    private readonly engine: IrqlEngine,
    private readonly locks: SpinLocks,
    private readonly monitor: RoleMonitor,
    private readonly verifier: ViolationSink,
    private readonly checks: boolean,
    private readonly clock: Clock,
    private readonly prng: Prng,
    private readonly device: Device,
    private readonly costs: CostModel,
    private readonly options: InterruptOptions,
    private readonly fail: (message: string) => never,
  ) {
    for (let i = 0; i < engine.processorCount; i++) this.queues.push(new DpcQueue(MESSAGES_MAX * 2));
    this.preemptPerMille = options.preemptPerMille ?? 500;
    if (!(this.preemptPerMille >= 0 && this.preemptPerMille <= 1000)) {
      throw new RangeError(`interrupt.preemptPerMille must be in 0..1000 (got ${String(options.preemptPerMille)})`);
    }
  }

  reset(): void {
    this.active = null;
    this.nextId = 1;
    this.acceptedFunctions.fill(null);
    this.acceptedDeclarations.fill(null);
    this.acceptedNext = 0;
    this.watchingLine = false;
    this.sawLine = false;
    this.lastUncheckedFunction = null;
    this.lastUncheckedImpl = null;
    this.deviceDueTick = 0;
    this.siteName = '';
    this.siteCode = 0;
    this.dpcHoldUntilTick = 0;
    this.choiceIndex = 0;
    this.nesting = 0;
    this.noDrainCpu = null;
    this.lastDpcName = '';
    this.lastDpcCpu = -1;
    this.lastDpcTick = 0;
    this.lostReported = false;
    this.scheduler?.begin();
    this.stats.interrupts = 0;
    this.stats.spuriousInterrupts = 0;
    this.stats.dpcs = 0;
    this.synchronizeCount = 0;
    for (const queue of this.queues) {
      queue.objects.fill(null);
      queue.head = 0;
      queue.count = 0;
      queue.draining = false;
    }
  }

  /** Any DPC queued on any processor. */
  dpcPending(): boolean {
    for (const queue of this.queues) if (queue.count > 0) return true;
    return false;
  }

  /** The processors with DPCs queued, as a bit mask. */
  dpcPendingMask(): number {
    let mask = 0;
    for (let i = 0; i < this.queues.length; i++) if (this.queues[i]!.count > 0) mask |= 1 << i;
    return mask;
  }

  /** Lets the device catch up with simulated time when it has something due. */
  stepDevice(): void {
    const now = this.clock.nowTicks;
    if (now < this.deviceDueTick) return;
    this.device.tick(now);
    const next = this.device.nextEventTick(now);
    this.deviceDueTick = next > now ? next : now + 1;
  }

  // ---- NdisMRegisterInterruptEx / NdisMDeregisterInterruptEx ---------------------------------------

  register(
    adapterHandle: unknown,
    context: unknown,
    chars: NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS,
    handleOut: Box<unknown>,
    currentAdapter: Adapter | null,
  ): NDIS_STATUS {
    if (this.checks) this.monitor.checkDdi(REGISTER, 0);
    if (!(adapterHandle instanceof Adapter) || adapterHandle !== currentAdapter) {
      this.fail(
        'NdisMRegisterInterruptEx: MiniportAdapterHandle is not the NdisMiniportHandle that MiniportInitializeEx was given',
      );
    }
    if (typeof chars !== 'object' || chars === null)
      this.fail('NdisMRegisterInterruptEx: MiniportInterruptCharacteristics must be an object');
    if (typeof handleOut !== 'object' || handleOut === null)
      this.fail('NdisMRegisterInterruptEx: NdisInterruptHandle must be a box ({ value })');
    const adapter = adapterHandle;
    // One interrupt per adapter: a second registration fails as NDIS fails it.
    if (adapter.interrupt !== null) return NDIS_STATUS_FAILURE;
    const msiSupported = chars.MsiSupported === true;
    // Handlers: each must be a function declared with a role the field accepts.
    const record = chars as unknown as Record<string, unknown>;
    for (const field of HANDLER_FIELDS) {
      const value = record[field.name];
      const required = !field.optional || (field.message && msiSupported);
      if ((value === null || value === undefined) && !required) continue;
      if (
        !this.handlerAccepted(
          value,
          field.accepted,
          `NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS.${field.name}`,
          REGISTER.name,
        )
      ) {
        return NDIS_STATUS_FAILURE;
      }
    }
    const messageCapable = this.device.interrupts.messageCount > 0;
    const messageBased = msiSupported && messageCapable && this.options.grantLineToMsiDriver !== true;
    if (!messageBased && !this.device.interrupts.line) return NDIS_STATUS_RESOURCES;
    const messageCount = messageBased
      ? Math.min(this.device.interrupts.messageCount, this.options.messageCountMax ?? MESSAGES_MAX, MESSAGES_MAX)
      : 1;
    if (messageCount < 1) return NDIS_STATUS_RESOURCES;
    const syncWithAll = messageBased && chars.MsiSyncWithAllMessages === true;

    const dirqls = new Int32Array(messageCount);
    for (let i = 0; i < messageCount; i++) dirqls[i] = this.pickDirql(i);
    let unified = 0;
    for (let i = 0; i < messageCount; i++) unified = Math.max(unified, dirqls[i]!);
    if (syncWithAll) dirqls.fill(unified);

    const id = this.nextId++;
    const locks: SpinLockState[] = [];
    if (!messageBased || syncWithAll) {
      const lock = this.locks.createInterruptLock(`interrupt ${id}`);
      for (let i = 0; i < messageCount; i++) locks.push(lock);
    } else {
      for (let i = 0; i < messageCount; i++) locks.push(this.locks.createInterruptLock(`interrupt ${id} message ${i}`));
    }

    let table: IO_INTERRUPT_MESSAGE_INFO | null = null;
    if (messageBased) {
      const affinity = this.allProcessorsMask();
      const entries: IO_INTERRUPT_MESSAGE_INFO_ENTRY[] = [];
      for (let i = 0; i < messageCount; i++) {
        entries.push({
          MessageAddress: 0xfee00000n,
          TargetProcessorSet: affinity,
          InterruptObject: { message: i },
          MessageData: 0x4050 + i,
          Vector: 0x50 + i,
          Irql: dirqls[i]!,
          Mode: Latched,
          Polarity: InterruptActiveHigh,
        });
      }
      table = { UnifiedIrql: unified, MessageCount: messageCount, MessageInfo: entries };
    }

    const isr = record[messageBased ? MESSAGE_ISR_FIELD : LINE_ISR_FIELD] as Fn;
    const dpc = record[messageBased ? MESSAGE_DPC_FIELD : LINE_DPC_FIELD] as Fn;
    const object = new InterruptObject(
      id,
      adapter,
      messageBased,
      messageCount,
      context,
      dirqls,
      locks,
      syncWithAll,
      isr,
      dpc,
      table,
      this.engine.processorCount,
    );
    adapter.interrupt = object;
    this.active = object;
    const race = this.race;
    if (race !== null) {
      race.arm();
      for (let i = 0; i < messageCount; i++) race.nameLock(lockBitIndex(object, i), locks[i]!.name);
    }
    this.device.setMessageSignaled(messageBased);
    chars.InterruptType = messageBased ? NDIS_CONNECT_MESSAGE_BASED : NDIS_CONNECT_LINE_BASED;
    chars.MessageInfoTable = table;
    handleOut.value = object;

    if (this.options.isrBeforeRegisterReturns === true) {
      if (messageBased) {
        const pending = this.device.pendingMessages();
        for (let i = 0; i < messageCount; i++) {
          if ((pending & (1 << i)) !== 0) {
            this.dispatchMessage(object, i);
            break;
          }
        }
      } else {
        this.dispatchLine(object, this.device.lineAsserted());
      }
    }
    return NDIS_STATUS_SUCCESS;
  }

  deregister(handle: unknown): void {
    if (this.checks) this.monitor.checkDdi(DEREGISTER, 0);
    const object = this.registeredObject(handle, DEREGISTER.name);
    if (object === null) return;
    // Drain: DPCs of this interrupt queued anywhere run now; then it is gone.
    const saved = this.engine.cpu;
    for (const cpu of this.engine.processors) {
      const queue = this.queues[cpu.index]!;
      if (queue.count === 0 || !this.queueHolds(queue, object)) continue;
      this.engine.cpu = cpu;
      this.drainDpcs(cpu);
      this.engine.cpu = saved;
    }
    object.registered = false;
    object.adapter.interrupt = null;
    if (this.active === object) this.active = null;
    if (this.race !== null) this.race.disarm();
  }

  private queueHolds(queue: DpcQueue, object: InterruptObject): boolean {
    for (let k = 0; k < queue.count; k++) if (queue.objects[(queue.head + k) % queue.capacity] === object) return true;
    return false;
  }

  private pickDirql(message: number): number {
    const configured = this.options.irql;
    let level: number;
    if (configured === undefined) level = this.prng.between(DIRQL_MIN, DIRQL_MAX);
    else if (typeof configured === 'number') level = configured;
    else level = configured[message] ?? configured[configured.length - 1] ?? DIRQL_MIN;
    if (!Number.isInteger(level) || level < DIRQL_MIN || level > DIRQL_MAX) {
      throw new RangeError(`interrupt.irql must be device levels ${DIRQL_MIN}..${DIRQL_MAX} (got ${String(level)})`);
    }
    return level;
  }

  private allProcessorsMask(): bigint {
    return (1n << BigInt(this.engine.processorCount)) - 1n;
  }

  /** ROLE-TYPE unless `value` is a function declared with one of `accepted`. */
  handlerAccepted(value: unknown, accepted: readonly string[], where: string, subject: string): boolean {
    if (!this.checks) {
      if (typeof value === 'function') return true;
      this.fail(`${subject}: ${where} must be a function`);
    }
    const declaration = roleOf(value);
    if (declaration !== undefined && accepted.includes(declaration.role.name)) return true;
    const got =
      declaration !== undefined
        ? `${declaration.name}, declared as ${declaration.role.name}`
        : typeof value === 'function'
          ? `the plain function ${value.name === '' ? '(anonymous)' : value.name}, declared with no role`
          : value === null || value === undefined
            ? 'nothing'
            : `a ${typeof value}`;
    this.verifier.report({
      rule: 'ROLE-TYPE',
      subject,
      message: `${where} takes a function declared as ${accepted.join(' or ')}; it was given ${got}`,
      site: where,
    });
    return false;
  }

  /** The registered interrupt behind a handle, or null after SYNC-UNREGISTERED. */
  private registeredObject(handle: unknown, subject: string): InterruptObject | null {
    if (isInterruptObject(handle) && handle.registered) return handle;
    if (!this.checks) this.fail(`${subject}: the interrupt handle is not registered`);
    const known = isInterruptObject(handle);
    this.verifier.report({
      rule: 'SYNC-UNREGISTERED',
      subject,
      message: known
        ? `${subject} was called with interrupt ${handle.id}, which NdisMDeregisterInterruptEx already deregistered`
        : `${subject} was called with a handle that no NdisMRegisterInterruptEx returned (not registered yet?)`,
      p2: known ? handle.id : 0,
    });
    return null;
  }

  private messageIdValid(object: InterruptObject, messageId: number, subject: string): boolean {
    if (!object.messageBased) return true;
    if (Number.isInteger(messageId) && messageId >= 0 && messageId < object.messageCount) return true;
    if (!this.checks)
      this.fail(`${subject}: MessageId ${messageId} is not below the message count ${object.messageCount}`);
    this.verifier.report({
      rule: 'SYNC-MESSAGE-ID',
      subject,
      message: `${subject} was given MessageId ${messageId}; interrupt ${object.id} has ${object.messageCount} message${object.messageCount === 1 ? '' : 's'}`,
      p2: messageId >>> 0,
      p3: object.messageCount,
    });
    return false;
  }

  // ---- NdisMSynchronizeWithInterruptEx --------------------------------------------------------------

  synchronize(handle: unknown, messageId: number, fn: unknown, context: unknown): boolean {
    const engine = this.engine;
    const cpu = engine.cpu;
    let object: InterruptObject | null;
    if (isInterruptObject(handle) && handle.registered) object = handle;
    else {
      this.monitor.checkDdi(SYNC, 0);
      object = this.registeredObject(handle, SYNC.name);
      if (object === null) return false;
    }
    let index = 0;
    if (object.messageBased) {
      if (!this.messageIdValid(object, messageId, SYNC.name)) return false;
      index = messageId;
    }
    const dirql = object.dirqls[index]!;
    const from = cpu.irql;
    let target = dirql;
    if (!this.monitor.checkDdi(SYNC, dirql) && from > dirql) target = from;
    // Declared functions are frozen: once accepted, a function stays acceptable. A few are cached.
    const accepted = this.acceptedFunctions;
    let declaration: RoleDeclaration;
    if (accepted[0] === fn) declaration = this.acceptedDeclarations[0]!;
    else if (accepted[1] === fn) declaration = this.acceptedDeclarations[1]!;
    else if (accepted[2] === fn) declaration = this.acceptedDeclarations[2]!;
    else if (accepted[3] === fn) declaration = this.acceptedDeclarations[3]!;
    else {
      if (!this.handlerAccepted(fn, SYNC.handlers[0]!.accepted, 'SynchronizeFunction', SYNC.name)) return false;
      declaration = roleOf(fn)!;
      const slot = this.acceptedNext;
      accepted[slot] = fn;
      this.acceptedDeclarations[slot] = declaration;
      this.acceptedNext = (slot + 1) & 3;
    }
    this.synchronizeCount++;
    engine.raise(target, SYNC.name);
    const lock = object.locks[index]!;
    const locked = this.locks.acquireInterruptLock(lock, SYNC.name);
    this.monitor.nextDirql = dirql;
    const race = this.race;
    const lockBit = lockBitIndex(object, index);
    if (race !== null && locked) race.holdInterruptLock(cpu.index, lockBit);
    // The same as calling fn(context) with the monitor installed, without the argument array
    // a call through the declared wrapper allocates.
    const args = this.synchronizeArgs;
    args[0] = context;
    // (A throw ends the run; the detector is reset with the next one.)
    const result = this.monitor.callRole(declaration, undefined, args);
    if (race !== null && locked) race.releaseInterruptLock(cpu.index, lockBit);
    args[0] = null;
    if (locked) this.locks.releaseInterruptLock(lock, SYNC.name);
    this.lowerTo(cpu, from, SYNC.name);
    if (this.scheduler !== null) {
      this.siteName = SYNC.name;
      this.siteCode = SITE_SYNC;
      this.choicePoint('sync');
    }
    return result === true;
  }

  /** NdisMSynchronizeWithInterruptEx with the verifier off: raise, call, restore. */
  synchronizeUnchecked(handle: unknown, messageId: number, fn: unknown, context: unknown): boolean {
    if (!isInterruptObject(handle) || !handle.registered) return this.registeredObject(handle, SYNC.name) !== null;
    let index = 0;
    if (handle.messageBased) {
      if (!this.messageIdValid(handle, messageId, SYNC.name)) return false;
      index = messageId;
    }
    const cpu = this.engine.cpu;
    const from = cpu.irql;
    const dirql = handle.dirqls[index]!;
    if (from < dirql) cpu.irql = dirql;
    this.synchronizeCount++;
    let impl = this.lastUncheckedImpl;
    if (fn !== this.lastUncheckedFunction || impl === null) {
      // Call the declared function's implementation directly: the same as calling the declared
      // function with no monitor installed, one call layer less.
      impl = (roleOf(fn)?.impl ?? fn) as (c: unknown) => unknown;
      if (typeof impl !== 'function')
        this.fail('NdisMSynchronizeWithInterruptEx: SynchronizeFunction must be a function');
      this.lastUncheckedFunction = fn;
      this.lastUncheckedImpl = impl;
    }
    const result = impl(context);
    cpu.irql = from;
    if (from < DISPATCH_LEVEL && cpu.dpcCount > 0) this.drainDpcs(cpu);
    return result === true;
  }

  /** Restores `level` after a raise; drains DPCs when it drops below DISPATCH_LEVEL. */
  private lowerTo(cpu: Processor, level: number, by: string): void {
    if (cpu.irql !== level) this.engine.set(level, by);
    if (
      level < DISPATCH_LEVEL &&
      cpu.dpcCount > 0 &&
      cpu !== this.noDrainCpu &&
      this.clock.nowTicks >= this.dpcHoldUntilTick
    )
      this.drainDpcs(cpu);
  }

  /** For NdisReleaseSpinLock and others that lower IRQL: run DPCs the lower unmasks. */
  afterLower(): void {
    const cpu = this.engine.cpu;
    if (cpu.irql < DISPATCH_LEVEL && cpu.dpcCount > 0 && this.clock.nowTicks >= this.dpcHoldUntilTick)
      this.drainDpcs(cpu);
  }

  /** A shared field was read or written: a choice point in a scheduled run. */
  fieldAccessed(name: string): void {
    if (this.scheduler === null) return;
    this.siteName = name;
    this.siteCode = SITE_FIELD;
    this.choicePoint('field');
  }

  /** NdisReleaseSpinLock / NdisDprReleaseSpinLock returned: a choice point in a scheduled run. */
  lockReleased(ddi: string): void {
    if (this.scheduler === null) return;
    this.siteName = ddi;
    this.siteCode = SITE_LOCK;
    this.choicePoint('lock');
  }

  // ---- NdisMQueueDpcEx ----------------------------------------------------------------------------

  queueDpcEx(handle: unknown, messageId: number, target: GROUP_AFFINITY, context: unknown): bigint {
    if (this.checks) this.monitor.checkDdi(QUEUE_DPC, 0);
    const object = this.registeredObject(handle, QUEUE_DPC.name);
    if (object === null) return 0n;
    const message = object.messageBased ? messageId : 0;
    if (!this.messageIdValid(object, messageId, QUEUE_DPC.name)) return 0n;
    if (typeof target !== 'object' || target === null || typeof target.Mask !== 'bigint') {
      this.fail('NdisMQueueDpcEx: TargetProcessors must be a GROUP_AFFINITY whose Mask is a bigint');
    }
    let queued = 0n;
    const mask = target.Mask;
    for (let i = 0; i < this.engine.processorCount; i++) {
      if ((mask & (1n << BigInt(i))) === 0n) continue;
      if (this.enqueue(object, message, i, context)) queued |= 1n << BigInt(i);
    }
    this.afterLower();
    return queued;
  }

  /** Queues the DPC of (object, message) on processor `p`; false if it was queued already. */
  private enqueue(object: InterruptObject, message: number, p: number, context: unknown): boolean {
    const slot = message * this.engine.processorCount + p;
    if (object.dpcQueued[slot] === 1) return false;
    const queue = this.queues[p]!;
    if (queue.count >= queue.capacity) this.fail(`the DPC queue of processor ${p} is full (${queue.capacity})`);
    object.dpcQueued[slot] = 1;
    object.dpcContext[slot] = context;
    const tail = (queue.head + queue.count) % queue.capacity;
    queue.objects[tail] = object;
    queue.messages[tail] = message;
    queue.count++;
    this.engine.processors[p]!.dpcCount = queue.count;
    return true;
  }

  // ---- dispatch -----------------------------------------------------------------------------------

  /**
   * Calls the line ISR on the current processor. `asserted`: the NIC asserts the line (false: another
   * device on the shared line does). Returns false if the processor's IRQL masks the interrupt.
   */
  dispatchLine(object: InterruptObject, asserted: boolean): boolean {
    return this.dispatch(object, 0, asserted);
  }

  /** Calls message `message`'s ISR on the current processor and tells the device it was delivered. */
  dispatchMessage(object: InterruptObject, message: number): boolean {
    if (this.engine.cpu.irql >= object.dirqls[message]!) return false;
    this.device.messageDelivered(message);
    return this.dispatch(object, message, true);
  }

  private dispatch(object: InterruptObject, message: number, asserted: boolean): boolean {
    const engine = this.engine;
    const cpu = engine.cpu;
    const dirql = object.dirqls[message]!;
    const from = cpu.irql;
    if (from >= dirql) return false;
    this.stats.interrupts++;
    if (!asserted) this.stats.spuriousInterrupts++;
    this.clock.nowTicks += this.costs.interruptDispatchTicks;
    const trace = this.trace;
    if (trace !== null)
      trace.record(
        this.clock.nowTicks,
        TRACE_INTERRUPT,
        cpu.index,
        from,
        trace.intern(object.messageBased ? `message ${message}` : 'line'),
        message,
        asserted ? 1 : 0,
      );
    engine.raise(dirql, 'interrupt');
    const lock = object.locks[message]!;
    const locked = this.locks.acquireInterruptLock(lock, 'interrupt');
    const race = this.race;
    const lockBit = lockBitIndex(object, message);
    if (race !== null) {
      if (locked) race.holdInterruptLock(cpu.index, lockBit);
      race.enterIsr(cpu.index);
    }
    const queueBox = object.queueDpcBox;
    const targetBox = object.targetProcessorsBox;
    resetOutParameters(queueBox, targetBox);
    this.monitor.nextDirql = dirql;
    // A line raised by another device may be joined by the NIC while the ISR runs: watch the line
    // at each register access of the ISR, so an ISR that finds its NIC's cause is not blamed.
    const watching = this.watchingLine;
    const sawLine = this.sawLine;
    this.watchingLine = !asserted;
    this.sawLine = asserted;
    let claimed: unknown;
    const declaration = object.isrDeclaration;
    if (this.checks && declaration !== null) {
      const args = object.isrArgs;
      if (object.messageBased) args[1] = message;
      claimed = this.monitor.callRole(declaration, undefined, args);
    } else {
      const isr = declaration !== null ? (declaration.impl as Fn) : object.isr;
      claimed = object.messageBased
        ? isr(object.context, message, queueBox, targetBox)
        : isr(object.context, queueBox, targetBox);
    }
    if (race !== null) {
      if (locked) race.releaseInterruptLock(cpu.index, lockBit);
      race.exitIsr(cpu.index);
    }
    if (locked) this.locks.releaseInterruptLock(lock, 'interrupt');
    if (cpu.irql !== dirql) engine.set(dirql, 'interrupt');
    const raised = this.sawLine;
    this.watchingLine = watching;
    this.sawLine = sawLine;
    if (this.checks) this.checkClaim(object, message, claimed === true, raised);
    if (claimed === true) {
      if (queueBox.value === true) this.enqueue(object, message, cpu.index, null);
      const targets = targetBox.value >>> 0;
      if (targets !== 0) {
        for (let i = 0; i < this.engine.processorCount && i < 32; i++) {
          if ((targets & (1 << i)) !== 0) this.enqueue(object, message, i, null);
        }
      }
    }
    this.lowerTo(cpu, from, 'interrupt return');
    return true;
  }

  private checkClaim(object: InterruptObject, message: number, claimed: boolean, asserted: boolean): void {
    if (claimed === asserted) return;
    const name = object.isrDeclaration?.name ?? (object.isr.name || 'the ISR');
    const role = object.messageBased ? MESSAGE_ISR_ROLE : LINE_ISR_ROLE;
    const message_ = object.messageBased
      ? `${name} returned FALSE for message ${message}; message interrupts are never shared, so a message ISR returns TRUE`
      : claimed
        ? `${name} returned TRUE for an interrupt its NIC did not raise (another device on the shared line did)`
        : `${name} returned FALSE though its NIC raised the interrupt`;
    this.verifier.report({
      rule: 'ISR-CLAIM',
      subject: role,
      message: message_,
      irqlFound: object.dirqls[message]!,
      irqlRequired: requiredText(object.dirqls[message]!, object.dirqls[message]!, object.dirqls[message]!),
      site: object.messageBased ? 'message' : claimed ? 'claims foreign' : 'disowns own',
      function: name,
    });
  }

  /** Runs the DPCs queued on `cpu` at DISPATCH_LEVEL (bounded), then returns to the entry IRQL. */
  drainDpcs(cpu: Processor): void {
    const queue = this.queues[cpu.index]!;
    if (queue.draining || queue.count === 0) return;
    const engine = this.engine;
    const saved = engine.cpu;
    engine.cpu = cpu;
    const from = cpu.irql;
    if (from >= DISPATCH_LEVEL) {
      engine.cpu = saved;
      return;
    }
    queue.draining = true;
    try {
      engine.raise(DISPATCH_LEVEL, 'dpc');
      const processors = engine.processorCount;
      for (let n = 0; n < DPC_DRAIN_MAX && queue.count > 0; n++) {
        const object = queue.objects[queue.head]!;
        const message = queue.messages[queue.head]!;
        queue.objects[queue.head] = null;
        queue.head = (queue.head + 1) % queue.capacity;
        queue.count--;
        cpu.dpcCount = queue.count;
        const slot = message * processors + cpu.index;
        const context = object.dpcContext[slot];
        object.dpcQueued[slot] = 0;
        object.dpcContext[slot] = null;
        if (!object.registered) continue;
        this.stats.dpcs++;
        const declaration = object.dpcDeclaration;
        if (this.checks && declaration !== null) {
          const args = object.dpcArgs;
          if (object.messageBased) {
            args[1] = message;
            args[2] = context;
          } else args[1] = context;
          this.monitor.callRole(declaration, undefined, args);
          args[object.messageBased ? 2 : 1] = null;
          this.lastDpcName = declaration.name;
          this.lastDpcCpu = cpu.index;
          this.lastDpcTick = this.clock.nowTicks;
        } else {
          const dpc = declaration !== null ? (declaration.impl as Fn) : object.dpc;
          if (object.messageBased) dpc(object.context, message, context, null, null);
          else dpc(object.context, context, null, null);
        }
        if (cpu.irql !== DISPATCH_LEVEL) engine.set(DISPATCH_LEVEL, 'dpc');
      }
      engine.set(from, 'dpc return');
    } finally {
      queue.draining = false;
      engine.cpu = saved;
    }
  }

  /** Called before each register access: notes whether the NIC asserts the line during a shared-line ISR. */
  beforeRegisterAccess(): void {
    if (this.watchingLine && !this.sawLine && this.device.lineAsserted()) this.sawLine = true;
  }

  /**
   * A preemption point: a register access just happened on the current processor. A pending
   * interrupt whose DIRQL is above the processor's IRQL may be delivered right here.
   */
  preemptionPoint(): void {
    this.stepDevice();
    if (this.scheduler !== null) {
      this.choicePoint(this.siteCode === SITE_STALL ? 'stall' : 'register');
      return;
    }
    const object = this.active;
    if (object === null || this.preemptPerMille === 0) return;
    const cpu = this.engine.cpu;
    if (!object.messageBased) {
      if (cpu.irql < object.dirqls[0]! && this.device.lineAsserted() && this.prng.below(1000) < this.preemptPerMille) {
        this.dispatch(object, 0, true);
      }
      return;
    }
    const pending = this.device.pendingMessages();
    if (pending === 0) return;
    for (let i = 0; i < object.messageCount; i++) {
      if ((pending & (1 << i)) !== 0 && cpu.irql < object.dirqls[i]!) {
        if (this.prng.below(1000) < this.preemptPerMille) this.dispatchMessage(object, i);
        return;
      }
    }
  }

  /**
   * The run loop's delivery step: delivers what the device asserts to a processor chosen from the
   * seed (and, with a shared line, sometimes another device's interrupt). Returns whether an ISR ran.
   */
  deliverPending(): boolean {
    const object = this.active;
    if (object === null) return false;
    if (this.scheduler !== null) return this.deliverScheduled(object);
    const engine = this.engine;
    const processors = engine.processors;
    const cpu = processors.length === 1 ? processors[0]! : processors[this.prng.below(processors.length)]!;
    engine.cpu = cpu;
    if (!object.messageBased) {
      if (this.device.lineAsserted()) {
        this.maybeHoldDpc();
        return this.dispatch(object, 0, true);
      }
      const shared = this.options.sharedLinePerMille ?? 0;
      if (shared > 0 && this.prng.below(1000) < shared) return this.dispatch(object, 0, false);
      return this.spuriousInterrupt(object);
    }
    const pending = this.device.pendingMessages();
    if (pending === 0) return this.spuriousInterrupt(object);
    for (let i = 0; i < object.messageCount; i++) {
      if ((pending & (1 << i)) !== 0) {
        this.maybeHoldDpc();
        return this.dispatchMessage(object, i);
      }
    }
    return false;
  }

  /** The spurious-interrupt fault: the line or a message fires with no cause behind it. */
  private spuriousInterrupt(object: InterruptObject): boolean {
    const spurious = this.faults.spuriousPerMille;
    if (spurious === 0 || this.prng.below(1000) >= spurious) return false;
    // A message ISR claims every message (messages are never shared); a line ISR must not.
    const message = object.messageBased ? this.prng.below(object.messageCount) : 0;
    return this.dispatch(object, message, object.messageBased);
  }

  /** The DPC-coalescing fault: hold the coming ISR's DPC back, so later requests find it queued. */
  private maybeHoldDpc(): void {
    const chance = this.faults.dpcCoalescingPerMille;
    if (chance === 0 || this.prng.below(1000) >= chance) return;
    this.dpcHoldUntilTick = this.clock.nowTicks + this.prng.between(20, this.faults.dpcHoldTicksMax);
  }

  /** Ends a DPC hold (before the final drain of a run). */
  releaseDpcHold(): void {
    this.dpcHoldUntilTick = 0;
  }

  /** Gives a processor with queued DPCs its turn (chosen from the seed). Returns whether DPCs ran. */
  runQueuedDpcs(): boolean {
    const mask = this.dpcPendingMask();
    if (mask === 0 || this.clock.nowTicks < this.dpcHoldUntilTick) return false;
    if (this.scheduler !== null) return this.runDpcsScheduled(mask);
    let pick = -1;
    if ((mask & (mask - 1)) === 0) pick = 31 - Math.clz32(mask);
    else {
      let count = 0;
      for (let m = mask; m !== 0; m &= m - 1) count++;
      let k = this.prng.below(count);
      for (let i = 0; i < 32; i++) {
        if ((mask & (1 << i)) !== 0 && k-- === 0) {
          pick = i;
          break;
        }
      }
    }
    const cpu = this.engine.processors[pick]!;
    this.engine.cpu = cpu;
    this.clock.nowTicks += 1;
    this.drainDpcs(cpu);
    return true;
  }

  // ---- Scheduled runs ------------------------------------------------------------------------------

  /**
   * A choice point of a scheduled run: the current processor's code is at a preemption point. Builds
   * the alternatives (ISRs that could be delivered, other processors' DPCs that could run), asks the
   * scheduler, and runs the chosen one nested here.
   */
  private choicePoint(kind: ChoiceKind): void {
    const object = this.active;
    if (object === null || this.nesting >= SCHEDULE_NESTING_MAX) return;
    let n = 1;
    if (!object.messageBased) {
      if (this.device.lineAsserted()) n = this.addIsrAlternatives(object, 0, n);
    } else {
      const pending = this.device.pendingMessages();
      for (let m = 0; pending !== 0 && m < object.messageCount; m++) {
        if ((pending & (1 << m)) !== 0) n = this.addIsrAlternatives(object, m, n);
      }
    }
    n = this.addDpcAlternatives(object, n);
    if (n === 1) return;
    const cpu = this.engine.cpu;
    const point = this.point;
    point.index = this.choiceIndex++;
    point.kind = kind;
    point.count = n;
    point.tick = this.clock.nowTicks;
    point.processor = cpu.index;
    point.object = object;
    let choice = this.scheduler!.choose(point);
    if (!(Number.isInteger(choice) && choice > 0 && choice < n)) choice = 0;
    if (choice === 0) return;
    const trace = this.trace;
    if (trace !== null)
      trace.record(
        this.clock.nowTicks,
        TRACE_CHOICE,
        cpu.index,
        cpu.irql,
        trace.intern(point.describe(choice)),
        point.index,
        choice,
      );
    this.runAlternative(object, this.altKind[choice]!, this.altCpu[choice]!, this.altMessage[choice]!);
  }

  /** Adds "run the ISR of `message` on processor p" for every processor that could take it now. */
  private addIsrAlternatives(object: InterruptObject, message: number, n: number): number {
    const dirql = object.dirqls[message]!;
    if (object.locks[message]!.holder >= 0) return n;
    const processors = this.engine.processors;
    for (let p = 0; p < processors.length && n < CHOICE_ALTERNATIVES_MAX; p++) {
      if (processors[p]!.irql >= dirql) continue;
      this.altKind[n] = ALT_ISR;
      this.altCpu[n] = p;
      this.altMessage[n] = message;
      n++;
    }
    return n;
  }

  /**
   * Adds "run the DPCs queued on processor p" for other processors below DISPATCH_LEVEL — only while
   * no spin lock is held anywhere, so the nested DPC never waits on code suspended beneath it.
   */
  private addDpcAlternatives(object: InterruptObject, n: number): number {
    const mask = this.dpcPendingMask();
    if (mask === 0 || this.clock.nowTicks < this.dpcHoldUntilTick) return n;
    for (const lock of object.locks) if (lock.holder >= 0) return n;
    if (this.locks.heldAny()) return n;
    const current = this.engine.cpu.index;
    const processors = this.engine.processors;
    for (let p = 0; p < processors.length && n < CHOICE_ALTERNATIVES_MAX; p++) {
      if (p === current || (mask & (1 << p)) === 0 || this.queues[p]!.draining || processors[p]!.irql >= DISPATCH_LEVEL)
        continue;
      this.altKind[n] = ALT_DPC;
      this.altCpu[n] = p;
      this.altMessage[n] = 0;
      n++;
    }
    return n;
  }

  private runAlternative(object: InterruptObject, kind: number, p: number, message: number): void {
    const engine = this.engine;
    const saved = engine.cpu;
    const target = engine.processors[p]!;
    const before = this.clock.nowTicks;
    const noDrain = this.noDrainCpu;
    this.nesting++;
    try {
      if (kind === ALT_ISR) {
        // An ISR on another processor leaves its DPC queued there: a later choice (or the run loop) runs it.
        if (target !== saved) this.noDrainCpu = target;
        engine.cpu = target;
        if (object.messageBased) this.dispatchMessage(object, message);
        else this.dispatch(object, 0, true);
      } else {
        this.drainDpcs(target);
      }
    } finally {
      this.nesting--;
      this.noDrainCpu = noDrain;
      engine.cpu = saved;
    }
    // Another processor's work ran concurrently in fact: the suspended frames did not spend that time.
    if (target !== saved) this.monitor.creditTicks(this.clock.nowTicks - before);
  }

  /** The run loop's delivery in a scheduled run: which processor takes the interrupt is a choice. */
  private deliverScheduled(object: InterruptObject): boolean {
    let message = -1;
    if (!object.messageBased) {
      if (this.device.lineAsserted()) message = 0;
    } else {
      const pending = this.device.pendingMessages();
      for (let m = 0; pending !== 0 && m < object.messageCount; m++) {
        if ((pending & (1 << m)) !== 0) {
          message = m;
          break;
        }
      }
    }
    if (message < 0) {
      const shared = this.options.sharedLinePerMille ?? 0;
      if (!object.messageBased && shared > 0 && this.prng.below(1000) < shared) {
        this.engine.cpu = this.chooseProcessor(object, 'deliver');
        return this.dispatch(object, 0, false);
      }
      const spurious = this.faults.spuriousPerMille;
      if (spurious === 0 || this.prng.below(1000) >= spurious) return false;
      const spuriousMessage = object.messageBased ? this.prng.below(object.messageCount) : 0;
      this.engine.cpu = this.chooseProcessor(object, 'deliver');
      return this.dispatch(object, spuriousMessage, object.messageBased);
    }
    this.maybeHoldDpc();
    this.engine.cpu = this.chooseProcessor(object, 'deliver');
    return object.messageBased ? this.dispatchMessage(object, message) : this.dispatch(object, 0, true);
  }

  /**
   * The processor that takes an interrupt in the run loop: processor 0 when all are alike (none has
   * DPCs queued), else a choice (alternative p: processor p).
   */
  private chooseProcessor(object: InterruptObject, kind: ChoiceKind): Processor {
    const processors = this.engine.processors;
    if (processors.length === 1 || this.dpcPendingMask() === 0) return processors[0]!;
    const n = Math.min(processors.length, CHOICE_ALTERNATIVES_MAX);
    for (let p = 0; p < n; p++) {
      this.altKind[p] = ALT_ISR;
      this.altCpu[p] = p;
      this.altMessage[p] = 0;
    }
    const point = this.point;
    point.index = this.choiceIndex++;
    point.kind = kind;
    point.count = n;
    point.tick = this.clock.nowTicks;
    point.processor = -1;
    point.object = object;
    let choice = this.scheduler!.choose(point);
    if (!(Number.isInteger(choice) && choice > 0 && choice < n)) choice = 0;
    if (choice !== 0 && this.trace !== null)
      this.trace.record(
        this.clock.nowTicks,
        TRACE_CHOICE,
        choice,
        0,
        this.trace.intern(point.describe(choice)),
        point.index,
        choice,
      );
    return processors[choice]!;
  }

  /** The run loop's DPC turn in a scheduled run: which processor's DPCs run first is a choice. */
  private runDpcsScheduled(mask: number): boolean {
    let pick = 31 - Math.clz32(mask & -mask);
    if ((mask & (mask - 1)) !== 0 && this.active !== null) {
      let n = 0;
      for (let p = 0; p < 32 && n < CHOICE_ALTERNATIVES_MAX; p++) {
        if ((mask & (1 << p)) === 0) continue;
        this.altKind[n] = ALT_DPC;
        this.altCpu[n] = p;
        this.altMessage[n] = 0;
        n++;
      }
      const point = this.point;
      point.index = this.choiceIndex++;
      point.kind = 'dpc';
      point.count = n;
      point.tick = this.clock.nowTicks;
      point.processor = -1;
      point.object = this.active;
      let choice = this.scheduler!.choose(point);
      if (!(Number.isInteger(choice) && choice > 0 && choice < n)) choice = 0;
      if (choice !== 0 && this.trace !== null)
        this.trace.record(
          this.clock.nowTicks,
          TRACE_CHOICE,
          this.altCpu[choice]!,
          0,
          this.trace.intern(point.describe(choice)),
          point.index,
          choice,
        );
      pick = this.altCpu[choice]!;
    }
    const cpu = this.engine.processors[pick]!;
    this.engine.cpu = cpu;
    this.clock.nowTicks += 1;
    this.drainDpcs(cpu);
    return true;
  }

  /** @internal describes alternative `a` of the current choice point. */
  describeAlternative(point: PointState, a: number): string {
    if (a === 0)
      return point.processor < 0 && point.kind === 'deliver'
        ? 'processor 0 takes it'
        : point.processor < 0
          ? `DPCs of processor ${this.altCpu[0]} first`
          : 'go on';
    const p = this.altCpu[a]!;
    if (point.kind === 'deliver') return `processor ${p} takes it`;
    if (point.kind === 'dpc') return `DPCs of processor ${p} first`;
    if (this.altKind[a] === ALT_DPC) return `run the DPCs queued on processor ${p}`;
    const object = point.object!;
    const name = object.isrDeclaration?.name ?? (object.isr.name || 'the ISR');
    const what = object.messageBased ? `message ${this.altMessage[a]}` : 'line';
    return p === point.processor
      ? `${name} (${what}) preempts on processor ${p}`
      : `${name} (${what}) runs on processor ${p}`;
  }

  /** @internal where the current choice point is. */
  describeSite(point: PointState): string {
    if (point.processor < 0)
      return point.kind === 'deliver' ? 'the run loop delivers an interrupt' : 'the run loop runs DPCs';
    const fn = this.monitor.topName();
    const role = this.monitor.topRoleName();
    const who = fn === '' ? `processor ${point.processor}` : `${fn} (${role}) on processor ${point.processor}`;
    const verb = SITE_VERBS[this.siteCode] ?? 'at';
    const what = this.siteCode === SITE_STALL ? 'NdisStallExecution' : this.siteName;
    return `${who} ${verb} ${what}`;
  }

  // ---- INT-LOST ------------------------------------------------------------------------------------

  /**
   * The run loop found nothing to do: no interrupt to deliver, no DPC to run. If the device now holds
   * causes the driver enabled but has masked, nothing will ever announce them: interrupts were left
   * masked after the last DPC (INT-LOST). Reported once per run.
   */
  quiescent(): void {
    if (this.lostReported || !this.checks) return;
    const object = this.active;
    const masked = this.device.maskedPendingCauses;
    if (object === null || masked === undefined || this.dpcPendingMask() !== 0) return;
    const causes = masked.call(this.device) >>> 0;
    if (causes === 0 || !this.verifier.enabled('INT-LOST')) return;
    this.lostReported = true;
    const maskState = this.device.interruptMaskState;
    const change = maskState === undefined ? null : (this.race?.lastChangeText(maskState) ?? null);
    const last =
      this.lastDpcCpu < 0
        ? 'no DPC ran yet'
        : `the last DPC, ${this.lastDpcName}, returned on processor ${this.lastDpcCpu} at tick ${this.lastDpcTick}`;
    const dpcRole = object.messageBased ? MESSAGE_DPC_ROLE : LINE_DPC_ROLE;
    this.verifier.report({
      rule: 'INT-LOST',
      subject: dpcRole,
      message:
        `interrupts stay masked while causes 0x${causes.toString(16).padStart(8, '0')} are pending and no DPC is queued: ${last}` +
        `${change === null ? '' : `; the mask last changed with ${change}`}. No interrupt will announce the pending work; the last DPC of a batch must re-enable interrupts (with NdisMSynchronizeWithInterruptEx)`,
      p2: causes,
      p3: object.id,
      site: 'masked',
      function: this.lastDpcName === '' ? (object.isrDeclaration?.name ?? '(none)') : this.lastDpcName,
      ...(this.race !== null ? { interleaving: this.race.interleaving(0) } : {}),
    });
  }
}

/** The bit of message `message`'s interrupt lock in a processor's lock mask (0 when one lock serves all). */
function lockBitIndex(object: InterruptObject, message: number): number {
  return object.locks[message] === object.locks[0] ? 0 : message & 31;
}

/** The choice point handed to schedulers (one object, reused). */
class PointState implements ChoicePoint {
  index = 0;
  kind: ChoiceKind = 'register';
  count = 0;
  tick = 0;
  processor = 0;
  object: InterruptObject | null = null;
  constructor(private readonly owner: Interrupts) {}
  site(): string {
    return this.owner.describeSite(this);
  }
  describe(alternative: number): string {
    if (!(Number.isInteger(alternative) && alternative >= 0 && alternative < this.count))
      throw new RangeError(`alternative ${alternative} is not in 0..${this.count - 1}`);
    return this.owner.describeAlternative(this, alternative);
  }
}

/** Clears the ISR's out parameters before a call (a function, so the compiler does not narrow them). */
function resetOutParameters(queueDpc: Box<boolean>, targetProcessors: Box<number>): void {
  queueDpc.value = false;
  targetProcessors.value = 0;
}
