/**
 * The adapter's resources as the harness hands them to MiniportInitializeEx (in
 * NDIS_MINIPORT_INIT_PARAMETERS.AllocatedResources): handles of the device's named registers, a
 * handle at any offset, the interrupt capabilities, and the way to mark driver state shared with the
 * ISR.
 */
import type { Device } from '../device/device.js';
import type { E1000RegisterName } from '../device/e1000/e1000-register-names.js';
import { markUntracked } from '../race/shared-fields.js';
import type { RegisterHandle, RegisterWindow } from './register-window.js';

/** Marks SimResources across copies of this module (a driver may load its own copy of @ddikit/sim). */
const RESOURCES_BRAND = Symbol.for('ddikit.sim.resources');

/** Makes fields of a driver object tracked as shared with the ISR (see {@link SimResources.shared}). */
export type ShareFields = (object: object, fields: readonly string[]) => void;

/**
 * The names of the named registers of each device, by the device's name (`Device.name`), for
 * `resourcesOf(parameters, device)`. A driver for a device of its own adds its names by declaration
 * merging:
 *
 * ```ts
 * declare module '@ddikit/sim' {
 *   interface DeviceRegisterNames { mynic: 'CAUSE' | 'MASK' }
 * }
 * ```
 */
export interface DeviceRegisterNames {
  e1000: E1000RegisterName;
}

/** The register handles of a device whose named registers are `Name`: one per name, none other. */
export type Registers<Name extends string = string> = { readonly [K in Name]: RegisterHandle };

/**
 * What the harness puts in NDIS_MINIPORT_INIT_PARAMETERS.AllocatedResources. `Name`: the names of
 * the device's registers (`resourcesOf(parameters, 'e1000')` gives `SimResources<E1000RegisterName>`).
 */
export class SimResources<Name extends string = string> {
  /** The device's name (`e1000`). */
  readonly device: string;
  /** Handles of the device's named registers. */
  readonly registers: Registers<Name>;
  /** The device can raise a line-based interrupt. */
  readonly interruptLine: boolean;
  /** MSI-X vectors the device offers. */
  readonly messageCount: number;
  private readonly window: RegisterWindow;
  private readonly share: ShareFields | null;

  constructor(device: Device, window: RegisterWindow, share: ShareFields | null = null) {
    Object.defineProperty(this, RESOURCES_BRAND, { value: true });
    this.device = device.name;
    this.window = window;
    this.share = share;
    this.registers = Object.freeze(window.namedHandles()) as Registers<Name>;
    this.interruptLine = device.interrupts.line;
    this.messageCount = device.interrupts.messageCount;
    Object.freeze(this);
  }

  /** The handle of the register at a byte offset (e.g. the n-th entry of a register array). */
  register(offsetBytes: number): RegisterHandle {
    return this.window.handleAt(offsetBytes);
  }

  /**
   * Declares fields of a driver object (the adapter context) shared with the ISR, so the race
   * detector tracks every read and write of them (ISR-SHARED-RACE, SPINLOCK-FOR-ISR-STATE). The
   * fields become accessors on the same object; the driver's code does not change. Returns the object.
   *
   * ```ts
   * const adapter = resources.shared({ causes: 0, regs: resources.registers }, 'causes');
   * ```
   */
  shared<T extends object>(object: T, ...fields: (keyof T & string)[]): T {
    if (typeof object !== 'object' || object === null)
      throw new TypeError('SimResources.shared: the first argument must be an object');
    if (fields.length === 0) throw new TypeError('SimResources.shared: name at least one field');
    for (const field of fields) {
      if (typeof field !== 'string' || field.length === 0)
        throw new TypeError('SimResources.shared: field names must be non-empty strings');
    }
    this.share?.(object, fields);
    return object;
  }

  /**
   * Keeps the automatic tracking of shared state away from an object the driver hands NDIS (or
   * reaches from one): with no field named, all of it and what is reachable only through it; else
   * the named fields. For state the driver knows the ISR never touches and wants no accessor on.
   * Call it before handing the object over (fields already tracked stay tracked). Returns the object.
   *
   * ```ts
   * resources.untracked(adapter, 'statistics');
   * ```
   */
  untracked<T extends object>(object: T, ...fields: (keyof T & string)[]): T {
    if (typeof object !== 'object' || object === null)
      throw new TypeError('SimResources.untracked: the first argument must be an object');
    for (const field of fields) {
      if (typeof field !== 'string' || field.length === 0)
        throw new TypeError('SimResources.untracked: field names must be non-empty strings');
    }
    markUntracked(object, fields);
    return object;
  }
}

/** The resources of the e1000 model: `regs.IMS` needs no `!`, `regs.IMZ` does not compile. */
export type E1000Resources = SimResources<E1000RegisterName>;

/**
 * The harness's resources from MiniportInitParameters.AllocatedResources (typed `unknown` by NDIS).
 * With a device name, the registers are typed with that device's names (DeviceRegisterNames) and the
 * run's device is checked to be that one. Throws a TypeError when the resources are not the
 * harness's, or belong to another device.
 *
 * ```ts
 * const regs = resourcesOf(parameters, 'e1000').registers;
 * regs.IMS.value = ENABLED;
 * ```
 */
export function resourcesOf(parameters: { readonly AllocatedResources?: unknown }): SimResources;
export function resourcesOf<Device extends keyof DeviceRegisterNames>(
  parameters: { readonly AllocatedResources?: unknown },
  device: Device,
): SimResources<DeviceRegisterNames[Device]>;
export function resourcesOf(parameters: { readonly AllocatedResources?: unknown }, device?: string): SimResources {
  const resources = resourcesFrom(parameters);
  if (device !== undefined && resources.device !== device) {
    throw new TypeError(
      `resourcesOf: the driver asked for the registers of ${String(device)}, but the run's device is ${resources.device}`,
    );
  }
  return resources;
}

function resourcesFrom(parameters: { readonly AllocatedResources?: unknown }): SimResources {
  const resources = parameters?.AllocatedResources;
  if (
    typeof resources !== 'object' ||
    resources === null ||
    (resources as { [RESOURCES_BRAND]?: true })[RESOURCES_BRAND] !== true
  ) {
    throw new TypeError(
      'MiniportInitParameters.AllocatedResources holds no @ddikit/sim resources (is the driver running in a simulation?)',
    );
  }
  return resources as SimResources;
}
