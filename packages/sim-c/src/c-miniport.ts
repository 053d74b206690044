/**
 * A compiled C miniport as a {@link MiniportDefinition}: the same Simulation, NDIS table, verifier,
 * NIC and schedulers a TypeScript miniport runs on. Each `sim.run` instantiates the module afresh
 * (instance.ts): a bug check unwinds through wasm frames and leaves `__stack_pointer` moved, and a run
 * must not see the last one's memory.
 */
import { defineMiniport, type MiniportDefinition, Simulation } from '@ddikit/sim';
import type { CDriverModule } from './driver-module.js';
import { CDriverInstance } from './instance.js';

export interface CMiniportOptions {
  /** The name for reports; default the module's role-declared MINIPORT_INITIALIZE function. */
  readonly name?: string;
  /** Told of each run's instance (tests and benchmarks read its counters). */
  readonly onInstance?: (instance: CDriverInstance) => void;
}

/** The definition `sim.run` and `ddikit simulate` take for a compiled C miniport. */
export function defineCMiniport(driver: CDriverModule, options: CMiniportOptions = {}): MiniportDefinition {
  // A trap's stack is captured where it happens: keep enough frames for C recursion.
  Error.stackTraceLimit = Math.max(Error.stackTraceLimit, 64);
  const name =
    options.name ?? [...driver.roles.values()].find((r) => r.role === 'MINIPORT_INITIALIZE')?.name ?? 'c-driver';
  return defineMiniport(name, (ndis, _roles, simulation) => {
    if (!(simulation instanceof Simulation))
      throw new TypeError(
        `${name}: a C miniport runs only under sim.run of the same @ddikit/sim it was defined with; this run's Simulation is of another copy (two copies of @ddikit/sim are installed: npm ls @ddikit/sim lists them, npm dedupe makes them one)`,
      );
    const instance = new CDriverInstance(simulation, driver, ndis);
    options.onInstance?.(instance);
    return instance.driverEntry();
  });
}
