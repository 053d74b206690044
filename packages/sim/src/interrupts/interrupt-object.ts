/**
 * The interrupt object and the shapes every part of interrupts/ shares.
 *
 * NdisMRegisterInterruptEx makes an {@link InterruptObject}: line-based, or message-based with N
 * messages, each with a DIRQL (device levels 3–12) and an interrupt spin lock — one per message, or
 * one for all when the driver set MsiSyncWithAllMessages (then every message runs at the unified
 * DIRQL). The handle the driver gets is the object itself; drivers never look inside.
 */
import { roleOf, type Box, type IO_INTERRUPT_MESSAGE_INFO, type RoleDeclaration } from '@ddikit/ndis';
import type { SpinLockState } from '../kernel/spinlock.js';

/** Most messages the harness grants one interrupt (one 32-bit pending mask). */
export const MESSAGES_MAX = 32;

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
  /**
   * Scheduled runs (explore): at a choice point where nothing could preempt — the device masked or
   * quiet — offer "an interrupt cause arrives here" too, so a driver that masks in its ISR still has
   * interleavings to search. Default false; explore turns it on when a driver's runs have no
   * other choice point.
   */
  readonly arrivals?: boolean;
}

export interface InterruptStats {
  interrupts: number;
  spuriousInterrupts: number;
  dpcs: number;
}

/** A driver function as the harness calls it. */
export type Fn = (...args: unknown[]) => unknown;

/** What owns an interrupt: the adapter NDIS initialized (ndis/adapter.ts), one interrupt at a time. */
export interface InterruptOwner {
  interrupt: InterruptObject | null;
}

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
  readonly adapter: InterruptOwner;
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
    adapter: InterruptOwner,
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

/** The ISR's name for reports and descriptions. */
export function isrName(object: InterruptObject): string {
  return object.isrDeclaration?.name ?? (object.isr.name || 'the ISR');
}

/** The bit of message `message`'s interrupt lock in a processor's lock mask (0 when one lock serves all). */
export function lockBitIndex(object: InterruptObject, message: number): number {
  return object.locks[message] === object.locks[0] ? 0 : message & 31;
}
