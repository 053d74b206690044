/**
 * The adapter NDIS initialized: the NdisMiniportHandle MiniportInitializeEx is given, which owns the
 * adapter's interrupt and the context MiniportHaltEx receives.
 */
import type { InterruptObject, InterruptOwner } from '../interrupts/interrupt-object.js';

/** Marks adapters across copies of this module (a driver may load its own copy of @ddikit/sim). */
const ADAPTER_BRAND = Symbol.for('ddikit.sim.adapter');

/** An adapter NDIS initialized: the NdisMiniportHandle the driver gets. */
export class Adapter implements InterruptOwner {
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
