/**
 * How the NIC signals interrupts (QEMU's e1000e interrupt manager): ICR holds the causes, IMS the
 * mask. The NIC asserts an interrupt when a cause becomes pending while enabled in IMS (or IMS
 * enables a pending one): ICR.INT_ASSERTED (bit 31) reads set from then until ICR holds no cause
 * (IMC does not clear it). In line mode (INTx) the line is asserted while `IMS & ICR` is non-zero;
 * reading ICR returns the causes and clears them all, which drops the line, and with CTRL_EXT.IAME
 * a read while INT_ASSERTED is set also clears the IAM bits from IMS (auto-mask). Single-message
 * MSI works like the line, with one message on vector 0 per assertion instead of a level. In MSI-X mode each newly raised, unmasked
 * queue cause (RXQ0, RXQ1, TXQ0, TXQ1, OTHER) is routed through IVAR to a vector; when the harness
 * delivers the message, the causes in EIAC are cleared from ICR (and, unless CTRL_EXT.IAME is set,
 * from IMS). An ICR read in MSI-X mode clears ICR only when IMS is zero, or when an unmasked cause
 * is set, or (with CTRL_EXT.IAME) when INT_ASSERTED is, then also clearing the IAM bits from IMS. ITR (line mode)
 * and EITR (per vector) throttle: after an interrupt, no new one is signaled until the interval
 * (units of 256 ns) has passed; a cause raised in between is signaled when the interval ends.
 *
 * The registers live in the register file (`mac`, slots of e1000-register-table.ts). Owns: the
 * signaling mode, the line, the pending vectors and the causes routed to each, the throttle timers,
 * and every cause the driver ever enabled (for INT-LOST).
 */
import { TICK_NANOSECONDS } from '../../core/time.js';
import type { NicStats } from './e1000-stats.js';
import { SLOT } from './e1000-register-table.js';
import {
  E1000_CTRL_EXT_EIAME,
  E1000_CTRL_EXT_IAME,
  E1000_ICR_INT_ASSERTED,
  E1000_ICR_OTHER,
  E1000_ICR_OTHER_CAUSES,
  E1000_ICR_RXQ0,
  E1000_ICR_RXQ1,
  E1000_ICR_RXT0,
  E1000_ICR_TXQ0,
  E1000_ICR_TXQ1,
  E1000_ICR_VALID_CAUSES,
  E1000_ITR_UNIT_NS,
  E1000_IVAR_ENTRY_VEC_MASK,
  E1000_IVAR_INT_ALLOC_VALID,
  E1000_IVAR_OTHER_SHIFT,
  E1000_IVAR_RXQ0_SHIFT,
  E1000_IVAR_RXQ1_SHIFT,
  E1000_IVAR_TXQ0_SHIFT,
  E1000_IVAR_TXQ1_SHIFT,
  E1000_MSIX_VECTORS,
} from './e1000-registers.js';
import { SLOT_EITR0, SLOT_ITR, type EventSlots } from './event-slots.js';

// Slots of the registers signaling reads, as plain numbers for the hot paths.
const ICR = SLOT.ICR;
const IMS = SLOT.IMS;
const ITR = SLOT.ITR;
const EITR = SLOT.EITR;
const IVAR = SLOT.IVAR;
const IAM = SLOT.IAM;
const EIAC = SLOT.EIAC;
const CTRL_EXT = SLOT.CTRL_EXT;

/** ITR/EITR units (256 ns) to ticks, rounded up so an interval is never shorter than programmed. */
function throttleTicks(units: number): number {
  return units === 0 ? 0 : Math.ceil((units * E1000_ITR_UNIT_NS) / TICK_NANOSECONDS);
}

/** How the NIC signals: the INTx line, one MSI message, or MSI-X vectors. */
export type SignalingMode = 'line' | 'msi' | 'msix';

export class E1000Signaling {
  mode: SignalingMode = 'line';
  /** ICR.INT_ASSERTED: the NIC asserted an interrupt for an enabled cause, and ICR still holds causes. */
  asserted = false;
  /** The INTx line is asserted. */
  line = false;
  /** MSI-X vectors with a message waiting, as a bit mask. */
  pendingVectors = 0;
  /** Every cause the driver has enabled through IMS since the last reset (for INT-LOST). */
  private imsEver = 0;
  private itrExpiryTick = -Infinity;
  private itrHeld = false;
  private readonly eitrExpiryTick = new Float64Array(E1000_MSIX_VECTORS);
  private eitrHeldVectors = 0;
  /** Causes routed to each vector since its last delivery (the ones EIAC may auto-clear). */
  private readonly vectorCauses = new Uint32Array(E1000_MSIX_VECTORS);

  constructor(
    private readonly mac: Uint32Array,
    private readonly events: EventSlots,
    private readonly counters: NicStats,
  ) {}

  /** The register file was reset: nothing pending, no timer running. The signaling mode stays. */
  reset(): void {
    this.imsEver = 0;
    this.asserted = false;
    this.line = false;
    this.itrExpiryTick = -Infinity;
    this.itrHeld = false;
    this.eitrExpiryTick.fill(-Infinity);
    this.eitrHeldVectors = 0;
    this.pendingVectors = 0;
    this.vectorCauses.fill(0);
    this.events.cancel(SLOT_ITR);
    this.events.cancelAll(SLOT_EITR0, SLOT_EITR0 + E1000_MSIX_VECTORS);
  }

  /** True in MSI-X mode. */
  get messageSignaled(): boolean {
    return this.mode === 'msix';
  }

  /** ICR as software reads it: the causes, with INT_ASSERTED while the NIC has asserted an interrupt. */
  icrValue(): number {
    return (this.mac[ICR]! | (this.asserted ? E1000_ICR_INT_ASSERTED : 0)) >>> 0;
  }

  readIcr(): number {
    const mac = this.mac;
    const value = this.icrValue();
    if (this.mode !== 'msix' || mac[IMS] === 0) {
      // INTx and MSI: the read clears ICR; with IAME, an asserted interrupt also masks the IAM causes.
      if (this.asserted && this.mode !== 'msix' && (mac[CTRL_EXT]! & E1000_CTRL_EXT_IAME) !== 0)
        mac[IMS] = mac[IMS]! & ~mac[IAM]!;
      mac[ICR] = 0;
      this.asserted = false;
      this.lowerLine();
    } else if (value !== 0) {
      if (this.asserted && (mac[CTRL_EXT]! & E1000_CTRL_EXT_IAME) !== 0) {
        mac[ICR] = 0;
        mac[IMS] = mac[IMS]! & ~mac[IAM]!;
      } else if ((mac[ICR]! & mac[IMS]!) !== 0) {
        mac[ICR] = 0;
      }
      if (mac[ICR] === 0) this.asserted = false;
    }
    return value;
  }

  writeIcr(value: number): void {
    const mac = this.mac;
    if (this.asserted && (mac[CTRL_EXT]! & E1000_CTRL_EXT_IAME) !== 0) mac[IMS] = mac[IMS]! & ~mac[IAM]!;
    // Clearing OTHER clears the causes it stands for (drivers rely on it, QEMU does it).
    const cleared = (value & E1000_ICR_OTHER) !== 0 ? value | E1000_ICR_OTHER_CAUSES : value;
    mac[ICR] = mac[ICR]! & ~cleared;
    if (mac[ICR] === 0) this.asserted = false;
    this.lowerLine();
  }

  /** IMS write. */
  setMask(value: number, nowTicks: number): void {
    const mac = this.mac;
    const before = mac[IMS]! & mac[ICR]!;
    this.imsEver |= value & E1000_ICR_VALID_CAUSES;
    mac[IMS] = mac[IMS]! | (value & E1000_ICR_VALID_CAUSES);
    this.signal(before, nowTicks);
  }

  /** IMC write. */
  clearMask(value: number): void {
    this.mac[IMS] = this.mac[IMS]! & ~value;
    this.lowerLine();
  }

  /** Sets causes in ICR and signals the ones that became pending and unmasked. */
  raise(causes: number, nowTicks: number): void {
    const mac = this.mac;
    const before = mac[IMS]! & mac[ICR]!;
    let icr = mac[ICR]! | (causes & E1000_ICR_VALID_CAUSES);
    if (this.mode === 'msix' && (icr & E1000_ICR_OTHER_CAUSES) !== 0) icr |= E1000_ICR_OTHER;
    mac[ICR] = icr;
    this.signal(before, nowTicks);
  }

  /** The interrupt-storm fault: a cause the driver enabled (its lowest), else the receive cause of the mode. */
  raiseEnabledCause(nowTicks: number): void {
    const enabled = this.imsEver & ~E1000_ICR_OTHER;
    const cause = enabled !== 0 ? enabled & -enabled : this.mode === 'msix' ? E1000_ICR_RXQ0 : E1000_ICR_RXT0;
    this.raise(cause, nowTicks);
  }

  /** Causes pending, once enabled, and masked now: work no interrupt will announce (INT-LOST). */
  maskedPendingCauses(): number {
    return (this.mac[ICR]! & this.imsEver & ~this.mac[IMS]!) >>> 0;
  }

  /** No interrupt can be raised until the driver unmasks: IMS is 0, the line is low, no message waits. */
  blocked(): boolean {
    return this.mac[IMS] === 0 && !this.line && this.pendingVectors === 0;
  }

  /**
   * No message of `vector` can be sent until the driver unmasks: nothing of it pending or held back
   * by EITR, and every cause IVAR routes to it masked. Outside MSI-X mode: {@link blocked}.
   */
  vectorBlocked(vector: number): boolean {
    if (this.mode !== 'msix') return this.blocked();
    const bit = 1 << vector;
    if (((this.pendingVectors | this.eitrHeldVectors) & bit) !== 0) return false;
    const ivar = this.mac[IVAR]!;
    const routed =
      routedTo(ivar, E1000_ICR_RXQ0, E1000_IVAR_RXQ0_SHIFT, vector) |
      routedTo(ivar, E1000_ICR_RXQ1, E1000_IVAR_RXQ1_SHIFT, vector) |
      routedTo(ivar, E1000_ICR_TXQ0, E1000_IVAR_TXQ0_SHIFT, vector) |
      routedTo(ivar, E1000_ICR_TXQ1, E1000_IVAR_TXQ1_SHIFT, vector) |
      routedTo(ivar, E1000_ICR_OTHER, E1000_IVAR_OTHER_SHIFT, vector);
    return (this.mac[IMS]! & routed) === 0;
  }

  private signal(before: number, nowTicks: number): void {
    const raised = this.mac[IMS]! & this.mac[ICR]! & ~before;
    if (raised === 0) return;
    this.asserted = true;
    if (this.mode === 'msix') this.routeMessages(raised, nowTicks);
    else if (!this.itrHolds(nowTicks)) this.assertLine();
  }

  /** True if ITR holds the line interrupt back (and arranges its delivery); else starts an interval. */
  private itrHolds(nowTicks: number): boolean {
    if (nowTicks < this.itrExpiryTick) {
      if (!this.itrHeld) {
        this.itrHeld = true;
        this.counters.interruptsThrottled++;
      }
      this.events.schedule(SLOT_ITR, this.itrExpiryTick);
      return true;
    }
    const itrTicks = throttleTicks(this.mac[ITR]!);
    if (itrTicks > 0) this.itrExpiryTick = nowTicks + itrTicks;
    return false;
  }

  /** Line mode: the line goes up. MSI: one message on vector 0 (an edge; nothing when the causes clear). */
  private assertLine(): void {
    if (this.mode === 'msi') this.queueMessage(0);
    else if (!this.line) {
      this.line = true;
      this.counters.lineAssertions++;
    }
  }

  private lowerLine(): void {
    if (this.line && (this.mac[IMS]! & this.mac[ICR]!) === 0) this.line = false;
  }

  private routeMessages(raised: number, nowTicks: number): void {
    const vectors =
      this.routeCause(raised, E1000_ICR_RXQ0, E1000_IVAR_RXQ0_SHIFT) |
      this.routeCause(raised, E1000_ICR_RXQ1, E1000_IVAR_RXQ1_SHIFT) |
      this.routeCause(raised, E1000_ICR_TXQ0, E1000_IVAR_TXQ0_SHIFT) |
      this.routeCause(raised, E1000_ICR_TXQ1, E1000_IVAR_TXQ1_SHIFT) |
      this.routeCause(raised, E1000_ICR_OTHER, E1000_IVAR_OTHER_SHIFT);
    for (let vector = 0; vector < E1000_MSIX_VECTORS; vector++) {
      const bit = 1 << vector;
      if ((vectors & bit) === 0) continue;
      const expiry = this.eitrExpiryTick[vector]!;
      if (nowTicks < expiry) {
        if ((this.eitrHeldVectors & bit) === 0) {
          this.eitrHeldVectors |= bit;
          this.counters.interruptsThrottled++;
        }
        this.events.schedule(SLOT_EITR0 + vector, expiry);
        continue;
      }
      this.queueMessage(vector);
      const ticks = throttleTicks(this.mac[EITR + vector]!);
      if (ticks > 0) this.eitrExpiryTick[vector] = nowTicks + ticks;
    }
  }

  /** The vector bit `cause` routes to through IVAR (0 if not raised or not routable). */
  private routeCause(raised: number, cause: number, shift: number): number {
    if ((raised & cause) === 0) return 0;
    const entry = (this.mac[IVAR]! >>> shift) & 0xf;
    const vector = entry & E1000_IVAR_ENTRY_VEC_MASK;
    if ((entry & E1000_IVAR_INT_ALLOC_VALID) === 0 || vector >= E1000_MSIX_VECTORS) {
      this.counters.messagesUnrouted++;
      return 0;
    }
    this.vectorCauses[vector] = this.vectorCauses[vector]! | cause;
    return 1 << vector;
  }

  private queueMessage(vector: number): void {
    const bit = 1 << vector;
    if ((this.pendingVectors & bit) !== 0) return;
    this.pendingVectors |= bit;
    this.counters.messagesRaised++;
  }

  /** The harness delivered `vector`'s message: EIAME and EIAC auto-clear its causes. */
  messageDelivered(vector: number): void {
    const bit = 1 << vector;
    if ((this.pendingVectors & bit) === 0) return;
    const mac = this.mac;
    this.pendingVectors &= ~bit;
    this.counters.messagesDelivered++;
    if (this.mode !== 'msix') return;
    const causes = this.vectorCauses[vector]!;
    this.vectorCauses[vector] = 0;
    if ((mac[CTRL_EXT]! & E1000_CTRL_EXT_EIAME) !== 0) mac[IAM] = mac[IAM]! & ~causes;
    const autoCleared = mac[EIAC]! & causes;
    if (autoCleared !== 0) {
      mac[ICR] = mac[ICR]! & ~autoCleared;
      if ((mac[CTRL_EXT]! & E1000_CTRL_EXT_IAME) === 0) mac[IMS] = mac[IMS]! & ~autoCleared;
    }
  }

  /** The OS switched the signaling mode; `present`: the device is on the bus. */
  setMode(mode: SignalingMode, present: boolean): void {
    this.mode = mode;
    this.line = false;
    this.pendingVectors = 0;
    this.vectorCauses.fill(0);
    this.itrHeld = false;
    this.eitrHeldVectors = 0;
    this.itrExpiryTick = -Infinity;
    this.eitrExpiryTick.fill(-Infinity);
    this.events.cancel(SLOT_ITR);
    this.events.cancelAll(SLOT_EITR0, SLOT_EITR0 + E1000_MSIX_VECTORS);
    if (mode !== 'msix' && present && (this.mac[IMS]! & this.mac[ICR]!) !== 0) {
      this.asserted = true;
      this.assertLine();
    }
  }

  /** The ITR interval ended: a line interrupt held back is signaled now. */
  itrExpired(at: number): void {
    this.events.cancel(SLOT_ITR);
    this.itrHeld = false;
    if (this.mode !== 'msix' && (this.mac[IMS]! & this.mac[ICR]!) !== 0) {
      this.assertLine();
      const itrTicks = throttleTicks(this.mac[ITR]!);
      if (itrTicks > 0) this.itrExpiryTick = at + itrTicks;
    }
  }

  /** Vector `vector`'s EITR interval ended: a message held back is sent now. */
  eitrExpired(vector: number, at: number): void {
    const bit = 1 << vector;
    this.events.cancel(SLOT_EITR0 + vector);
    if ((this.eitrHeldVectors & bit) === 0) return;
    this.eitrHeldVectors &= ~bit;
    this.queueMessage(vector);
    const ticks = throttleTicks(this.mac[EITR + vector]!);
    if (ticks > 0) this.eitrExpiryTick[vector] = at + ticks;
  }

  /** The device left the bus: no line, no messages. */
  removed(): void {
    this.line = false;
    this.pendingVectors = 0;
  }
}

/** `cause` if IVAR's entry at `shift` is valid and routes it to `vector`, else 0. */
function routedTo(ivar: number, cause: number, shift: number, vector: number): number {
  const entry = (ivar >>> shift) & 0xf;
  return (entry & E1000_IVAR_INT_ALLOC_VALID) !== 0 && (entry & E1000_IVAR_ENTRY_VEC_MASK) === vector ? cause : 0;
}
