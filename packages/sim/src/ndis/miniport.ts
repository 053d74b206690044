/**
 * Drivers for the harness. A driver module defines its miniport with {@link defineMiniport} and
 * exports it as its default export, which `ddikit simulate <module>` and `sim.run` take:
 *
 * ```ts
 * export default defineMiniport('my-miniport', (ndis) => ({
 *   MiniportInitializeEx: MINIPORT_INITIALIZE('MyInitializeEx', (handle, driverContext, params) => { … }),
 *   MiniportHaltEx: MINIPORT_HALT('MyHaltEx', (adapterContext, haltAction) => { … }),
 * }));
 * ```
 *
 * The factory runs once per simulation run, so driver state kept in its closure starts fresh every
 * run and a seed replays a run exactly.
 */
import type { MINIPORT_HALT_HANDLER, MINIPORT_INITIALIZE_HANDLER, NDIS_HANDLE, NdisFunctions } from '@ddikit/ndis';
import { isAdapter } from './adapter.js';

/** The handlers a miniport registers with NDIS (the part of NDIS_MINIPORT_DRIVER_CHARACTERISTICS the harness uses). */
export interface MiniportHandlers {
  readonly MiniportInitializeEx: MINIPORT_INITIALIZE_HANDLER;
  readonly MiniportHaltEx: MINIPORT_HALT_HANDLER;
  /** Passed to MiniportInitializeEx as MiniportDriverContext. */
  readonly MiniportDriverContext?: NDIS_HANDLE;
}

const MINIPORT: unique symbol = Symbol.for('ddikit.sim.miniport');

export interface MiniportDefinition {
  readonly [MINIPORT]: true;
  /** A name for reports and the CLI. */
  readonly name: string;
  /**
   * Makes the handlers for one run, given the DDIs of that run's simulation and the simulation itself
   * (a runtime that bridges drivers written in another language — C — reaches the verifier and the
   * device through it; a TypeScript driver needs only `ndis`).
   */
  readonly create: (ndis: NdisFunctions, simulation?: unknown) => MiniportHandlers;
}

/** Defines a miniport driver for the harness. */
export function defineMiniport(
  name: string,
  create: (ndis: NdisFunctions, simulation?: unknown) => MiniportHandlers,
): MiniportDefinition {
  if (typeof name !== 'string' || name.length === 0)
    throw new TypeError('defineMiniport: the name must be a non-empty string');
  if (typeof create !== 'function')
    throw new TypeError(`defineMiniport ${name}: the second argument must be a function (ndis) => handlers`);
  return Object.freeze({ [MINIPORT]: true as const, name, create });
}

/** Whether a value (e.g. a module's default export) is a miniport definition. */
export function isMiniportDefinition(value: unknown): value is MiniportDefinition {
  return typeof value === 'object' && value !== null && (value as { [MINIPORT]?: unknown })[MINIPORT] === true;
}

/**
 * Sets the MiniportAdapterContext that NDIS passes to MiniportHaltEx — the harness's stand-in for
 * NdisMSetMiniportAttributes, which the spec does not carry yet.
 */
export function setMiniportAdapterContext(NdisMiniportHandle: NDIS_HANDLE, MiniportAdapterContext: NDIS_HANDLE): void {
  if (!isAdapter(NdisMiniportHandle)) {
    throw new TypeError(
      'setMiniportAdapterContext: NdisMiniportHandle is not the handle MiniportInitializeEx was given',
    );
  }
  NdisMiniportHandle.context = MiniportAdapterContext;
}
