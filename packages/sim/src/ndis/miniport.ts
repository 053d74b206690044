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
import {
  MINIPORT_DISABLE_INTERRUPT,
  MINIPORT_DISABLE_MESSAGE_INTERRUPT,
  MINIPORT_ENABLE_INTERRUPT,
  MINIPORT_ENABLE_MESSAGE_INTERRUPT,
  MINIPORT_HALT,
  MINIPORT_INITIALIZE,
  MINIPORT_INTERRUPT_DPC,
  MINIPORT_ISR,
  MINIPORT_MESSAGE_INTERRUPT,
  MINIPORT_MESSAGE_INTERRUPT_DPC,
  MINIPORT_SYNCHRONIZE_INTERRUPT,
  type MINIPORT_HALT_HANDLER,
  type MINIPORT_INITIALIZE_HANDLER,
  type NDIS_HANDLE,
  type NdisFunctions,
} from '@ddikit/ndis';
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

/**
 * A role declarator whose function takes the driver's context as `Context` instead of NDIS_HANDLE:
 * the same declarator, so what it returns carries its role as before.
 */
type WithContext<Declarator, Context> = Declarator extends (
  name: string,
  impl: (context: NDIS_HANDLE, ...rest: infer Rest) => infer Result,
) => infer Declared
  ? (name: string, impl: (context: Context, ...rest: Rest) => Result) => Declared
  : never;

/**
 * The role declarators of the functions NDIS hands the driver's own context — the ISRs, DPCs,
 * synchronize functions, interrupt enable/disable and MiniportHaltEx — typed with that context
 * (`Adapter`), so callbacks need no cast. They are the declarators of @ddikit/ndis: what they return
 * is declared with its role, and NDIS's handler types accept it. MINIPORT_INITIALIZE is here too for
 * one import.
 */
export interface MiniportRoles<Adapter> {
  readonly MINIPORT_INITIALIZE: typeof MINIPORT_INITIALIZE;
  readonly MINIPORT_HALT: WithContext<typeof MINIPORT_HALT, Adapter>;
  readonly MINIPORT_ISR: WithContext<typeof MINIPORT_ISR, Adapter>;
  readonly MINIPORT_INTERRUPT_DPC: WithContext<typeof MINIPORT_INTERRUPT_DPC, Adapter>;
  readonly MINIPORT_MESSAGE_INTERRUPT: WithContext<typeof MINIPORT_MESSAGE_INTERRUPT, Adapter>;
  readonly MINIPORT_MESSAGE_INTERRUPT_DPC: WithContext<typeof MINIPORT_MESSAGE_INTERRUPT_DPC, Adapter>;
  readonly MINIPORT_SYNCHRONIZE_INTERRUPT: WithContext<typeof MINIPORT_SYNCHRONIZE_INTERRUPT, Adapter>;
  readonly MINIPORT_ENABLE_INTERRUPT: WithContext<typeof MINIPORT_ENABLE_INTERRUPT, Adapter>;
  readonly MINIPORT_DISABLE_INTERRUPT: WithContext<typeof MINIPORT_DISABLE_INTERRUPT, Adapter>;
  readonly MINIPORT_ENABLE_MESSAGE_INTERRUPT: WithContext<typeof MINIPORT_ENABLE_MESSAGE_INTERRUPT, Adapter>;
  readonly MINIPORT_DISABLE_MESSAGE_INTERRUPT: WithContext<typeof MINIPORT_DISABLE_MESSAGE_INTERRUPT, Adapter>;
}

/** The declarators themselves: the typing of MiniportRoles is all that differs. */
const ROLES = Object.freeze({
  MINIPORT_INITIALIZE,
  MINIPORT_HALT,
  MINIPORT_ISR,
  MINIPORT_INTERRUPT_DPC,
  MINIPORT_MESSAGE_INTERRUPT,
  MINIPORT_MESSAGE_INTERRUPT_DPC,
  MINIPORT_SYNCHRONIZE_INTERRUPT,
  MINIPORT_ENABLE_INTERRUPT,
  MINIPORT_DISABLE_INTERRUPT,
  MINIPORT_ENABLE_MESSAGE_INTERRUPT,
  MINIPORT_DISABLE_MESSAGE_INTERRUPT,
});

/**
 * Defines a miniport driver for the harness. The factory gets the run's DDIs and, to type the
 * driver's context once, the role declarators typed with it:
 *
 * ```ts
 * export default defineMiniport<Adapter>('my-miniport', (ndis, roles) => {
 *   const isr = roles.MINIPORT_ISR('MyIsr', (adapter, queueDpc) => { adapter.causes |= …; … });
 *   …
 * });
 * ```
 *
 * The context type is the driver's promise: the harness passes whatever the driver registered.
 */
export function defineMiniport<Adapter = NDIS_HANDLE>(
  name: string,
  create: (ndis: NdisFunctions, roles: MiniportRoles<Adapter>, simulation?: unknown) => MiniportHandlers,
): MiniportDefinition {
  if (typeof name !== 'string' || name.length === 0)
    throw new TypeError('defineMiniport: the name must be a non-empty string');
  if (typeof create !== 'function')
    throw new TypeError(`defineMiniport ${name}: the second argument must be a function (ndis) => handlers`);
  const roles = ROLES as unknown as MiniportRoles<Adapter>;
  return Object.freeze({
    [MINIPORT]: true as const,
    name,
    create: (ndis: NdisFunctions, simulation?: unknown) => create(ndis, roles, simulation),
  });
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
