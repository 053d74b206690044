/**
 * The NIC's own activity in time: every scheduled activity has a fixed slot, so scheduling never
 * allocates and simultaneous events run in slot order (deterministic).
 */
import { E1000_MSIX_VECTORS } from './e1000-registers.js';

/** RX arrivals on queue 0 and 1. */
export const SLOT_RX0 = 0;
/** TX completions on queue 0 and 1. */
export const SLOT_TX0 = 2;
/** The next automatic link change. */
export const SLOT_LINK = 4;
/** The end of the ITR interval (line mode). */
export const SLOT_ITR = 5;
/** The end of vector n's EITR interval is slot SLOT_EITR0 + n. */
export const SLOT_EITR0 = 6;
export const SLOT_COUNT = SLOT_EITR0 + E1000_MSIX_VECTORS;

export class EventSlots {
  /** When each slot's next event happens (Infinity: nothing scheduled). */
  readonly ticks = new Float64Array(SLOT_COUNT).fill(Infinity);
  /**
   * A lower bound of every slot's tick: {@link schedule} lowers it, the NIC's tick sets it to the exact
   * minimum when it finds nothing due, so a tick before it needs no scan.
   */
  minTick = Infinity;

  /** Puts an activity in its slot at a tick (the only way a slot gets a finite tick). */
  schedule(slot: number, at: number): void {
    this.ticks[slot] = at;
    if (at < this.minTick) this.minTick = at;
  }

  /** Takes an activity out of its slot. */
  cancel(slot: number): void {
    this.ticks[slot] = Infinity;
  }

  /** Takes the activities of slots `from` up to `to` (exclusive), or all, out. */
  cancelAll(from = 0, to = SLOT_COUNT): void {
    this.ticks.fill(Infinity, from, to);
  }
}
