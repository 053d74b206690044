/**
 * Other code imports role types as types only (`import type`), as the design promises, and uses them
 * to type the functions it accepts.
 */
import type { MINIPORT_SYNCHRONIZE_INTERRUPT, MINIPORT_SYNCHRONIZE_INTERRUPT_HANDLER, NDIS_HANDLE } from '@ddikit/ndis';

/** A registry of synchronize functions keyed by name, as a driver framework might keep. */
export class SynchronizeRegistry {
  private readonly functions = new Map<string, MINIPORT_SYNCHRONIZE_INTERRUPT>();

  add(fn: MINIPORT_SYNCHRONIZE_INTERRUPT): void {
    this.functions.set(fn.name, fn);
  }

  handler(name: string): MINIPORT_SYNCHRONIZE_INTERRUPT_HANDLER | undefined {
    return this.functions.get(name);
  }

  runAll(context: NDIS_HANDLE): boolean[] {
    return [...this.functions.values()].map((fn) => fn(context));
  }
}
