/**
 * The interrupt table: which interrupt is registered, and the checks on handles and handlers.
 *
 * NdisMRegisterInterruptEx accepts the driver's handlers (each must be declared with a role its
 * field accepts: ROLE-TYPE), grants a line or messages, draws each message's DIRQL from the seed,
 * makes the interrupt locks and the object, and tells the device how to signal. NdisMDeregisterInterruptEx
 * and every DDI that takes an interrupt handle find the object here (SYNC-UNREGISTERED,
 * SYNC-MESSAGE-ID). Owns: the registered object and the id counter.
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
  type IO_INTERRUPT_MESSAGE_INFO,
  type IO_INTERRUPT_MESSAGE_INFO_ENTRY,
  type NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS,
  type NDIS_STATUS,
} from '@ddikit/ndis';
import type { Prng } from '../core/prng.js';
import type { Device } from '../device/device.js';
import type { IrqlEngine } from '../kernel/irql.js';
import type { RoleMonitor } from '../kernel/role-monitor.js';
import type { SpinLocks, SpinLockState } from '../kernel/spinlock.js';
import type { RaceDetector } from '../race/race-detector.js';
import { acceptedRoles, ddiInfo, roleInfoByName } from '../verifier/contract-table.js';
import type { ViolationSink } from '../verifier/violation-sink.js';
import type { InterruptDeps } from './interrupt-deps.js';
import {
  InterruptObject,
  isInterruptObject,
  lockBitIndex,
  MESSAGES_MAX,
  type Fn,
  type InterruptOptions,
  type InterruptOwner,
} from './interrupt-object.js';

const REGISTER = ddiInfo('NdisMRegisterInterruptEx');
export const LINE_ISR_ROLE = 'MINIPORT_ISR';
export const MESSAGE_ISR_ROLE = 'MINIPORT_MESSAGE_INTERRUPT';
export const LINE_DPC_ROLE = 'MINIPORT_INTERRUPT_DPC';
export const MESSAGE_DPC_ROLE = 'MINIPORT_MESSAGE_INTERRUPT_DPC';

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

/** What NDIS grants a driver: a line, or this many messages. */
interface Grant {
  readonly messageBased: boolean;
  readonly messageCount: number;
  readonly syncWithAll: boolean;
}

export class InterruptTable {
  /** The interrupt of the device, while registered. */
  active: InterruptObject | null = null;
  /** What the run's registration was granted (kept after deregistration); null before one succeeded. */
  granted: 'line' | 'message' | null = null;
  private nextId = 1;

  private readonly engine: IrqlEngine;
  private readonly locks: SpinLocks;
  private readonly monitor: RoleMonitor;
  private readonly sink: ViolationSink;
  private readonly checks: boolean;
  private readonly prng: Prng;
  private readonly device: Device;
  private readonly options: InterruptOptions;
  private readonly race: RaceDetector | null;
  private readonly fail: (message: string) => never;

  constructor(deps: InterruptDeps) {
    this.engine = deps.engine;
    this.locks = deps.locks;
    this.monitor = deps.monitor;
    this.sink = deps.sink;
    this.checks = deps.checks;
    this.prng = deps.prng;
    this.device = deps.device;
    this.options = deps.options;
    this.race = deps.race;
    this.fail = deps.fail;
  }

  reset(): void {
    this.active = null;
    this.granted = null;
    this.nextId = 1;
  }

  /**
   * NdisMRegisterInterruptEx up to handing out the handle (the caller may then deliver an interrupt
   * before it returns). `currentAdapter`: the adapter MiniportInitializeEx was given.
   */
  register(
    adapterHandle: unknown,
    context: unknown,
    chars: NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS,
    handleOut: Box<unknown>,
    currentAdapter: InterruptOwner | null,
  ): NDIS_STATUS {
    if (this.checks) this.monitor.checkDdi(REGISTER, 0);
    if (currentAdapter === null || adapterHandle !== currentAdapter) {
      this.fail(
        'NdisMRegisterInterruptEx: MiniportAdapterHandle is not the NdisMiniportHandle that MiniportInitializeEx was given',
      );
    }
    if (typeof chars !== 'object' || chars === null)
      this.fail('NdisMRegisterInterruptEx: MiniportInterruptCharacteristics must be an object');
    if (typeof handleOut !== 'object' || handleOut === null)
      this.fail('NdisMRegisterInterruptEx: NdisInterruptHandle must be a box ({ value })');
    const adapter = currentAdapter;
    // One interrupt per adapter: a second registration fails as NDIS fails it.
    if (adapter.interrupt !== null) return NDIS_STATUS_FAILURE;
    const msiSupported = chars.MsiSupported === true;
    if (!this.handlersAccepted(chars, msiSupported)) return NDIS_STATUS_FAILURE;
    const grant = this.grant(chars, msiSupported);
    if (grant === null) return NDIS_STATUS_RESOURCES;
    const object = this.createObject(adapter, context, chars, grant);
    adapter.interrupt = object;
    this.active = object;
    const race = this.race;
    if (race !== null) {
      race.arm();
      for (let i = 0; i < grant.messageCount; i++) race.nameLock(lockBitIndex(object, i), object.locks[i]!.name);
    }
    this.device.setMessageSignaled(grant.messageBased);
    this.device.messagesGranted?.(grant.messageBased ? grant.messageCount : 0);
    chars.InterruptType = grant.messageBased ? NDIS_CONNECT_MESSAGE_BASED : NDIS_CONNECT_LINE_BASED;
    this.granted = grant.messageBased ? 'message' : 'line';
    chars.MessageInfoTable = object.table;
    handleOut.value = object;
    return NDIS_STATUS_SUCCESS;
  }

  /** Handlers: each must be a function declared with a role the field accepts. */
  private handlersAccepted(chars: NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS, msiSupported: boolean): boolean {
    const record = chars as unknown as Record<string, unknown>;
    for (const field of HANDLER_FIELDS) {
      const value = record[field.name];
      const required = !field.optional || (field.message && msiSupported);
      if ((value === null || value === undefined) && !required) continue;
      const where = `NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS.${field.name}`;
      if (!this.handlerAccepted(value, field.accepted, where, REGISTER.name)) return false;
    }
    return true;
  }

  /** A line or messages, as the device offers and the options allow; null when nothing can be granted. */
  private grant(chars: NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS, msiSupported: boolean): Grant | null {
    const offered = this.device.interrupts;
    const messageBased = msiSupported && offered.messageCount > 0 && this.options.grantLineToMsiDriver !== true;
    if (!messageBased && !offered.line) return null;
    const messageCount = messageBased
      ? Math.min(offered.messageCount, this.options.messageCountMax ?? MESSAGES_MAX, MESSAGES_MAX)
      : 1;
    if (messageCount < 1) return null;
    return { messageBased, messageCount, syncWithAll: messageBased && chars.MsiSyncWithAllMessages === true };
  }

  /** The object of a granted interrupt: DIRQLs drawn from the seed, its interrupt locks, its message table. */
  private createObject(
    adapter: InterruptOwner,
    context: unknown,
    chars: NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS,
    grant: Grant,
  ): InterruptObject {
    const { messageBased, messageCount, syncWithAll } = grant;
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
    const table = messageBased ? this.messageTable(dirqls, unified) : null;
    const record = chars as unknown as Record<string, unknown>;
    const isr = record[messageBased ? MESSAGE_ISR_FIELD : LINE_ISR_FIELD] as Fn;
    const dpc = record[messageBased ? MESSAGE_DPC_FIELD : LINE_DPC_FIELD] as Fn;
    return new InterruptObject(
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
  }

  /** The IO_INTERRUPT_MESSAGE_INFO a message-based driver gets. */
  private messageTable(dirqls: Int32Array, unified: number): IO_INTERRUPT_MESSAGE_INFO {
    const affinity = (1n << BigInt(this.engine.processorCount)) - 1n;
    const entries: IO_INTERRUPT_MESSAGE_INFO_ENTRY[] = [];
    for (let i = 0; i < dirqls.length; i++) {
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
    return { UnifiedIrql: unified, MessageCount: dirqls.length, MessageInfo: entries };
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

  /** The interrupt is gone: no longer registered, its adapter free to register another. */
  remove(object: InterruptObject): void {
    object.registered = false;
    object.adapter.interrupt = null;
    if (this.active === object) this.active = null;
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
    this.sink.report({
      rule: 'ROLE-TYPE',
      subject,
      message: `${where} takes a function declared as ${accepted.join(' or ')}; it was given ${got}`,
      site: where,
    });
    return false;
  }

  /** The registered interrupt behind a handle, or null after SYNC-UNREGISTERED. */
  registeredObject(handle: unknown, subject: string): InterruptObject | null {
    if (isInterruptObject(handle) && handle.registered) return handle;
    if (!this.checks) this.fail(`${subject}: the interrupt handle is not registered`);
    const known = isInterruptObject(handle);
    this.sink.report({
      rule: 'SYNC-UNREGISTERED',
      subject,
      message: known
        ? `${subject} was called with interrupt ${handle.id}, which NdisMDeregisterInterruptEx already deregistered`
        : `${subject} was called with a handle that no NdisMRegisterInterruptEx returned (not registered yet?)`,
      p2: known ? handle.id : 0,
    });
    return null;
  }

  /** SYNC-MESSAGE-ID unless `messageId` names a message of `object` (a line interrupt ignores it). */
  messageIdValid(object: InterruptObject, messageId: number, subject: string): boolean {
    if (!object.messageBased) return true;
    if (Number.isInteger(messageId) && messageId >= 0 && messageId < object.messageCount) return true;
    if (!this.checks)
      this.fail(`${subject}: MessageId ${messageId} is not below the message count ${object.messageCount}`);
    this.sink.report({
      rule: 'SYNC-MESSAGE-ID',
      subject,
      message: `${subject} was given MessageId ${messageId}; interrupt ${object.id} has ${object.messageCount} message${object.messageCount === 1 ? '' : 's'}`,
      p2: messageId >>> 0,
      p3: object.messageCount,
    });
    return false;
  }
}
