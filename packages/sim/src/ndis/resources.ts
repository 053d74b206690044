/**
 * The adapter's resources as the harness hands them to MiniportInitializeEx (in
 * NDIS_MINIPORT_INIT_PARAMETERS.AllocatedResources): handles of the device's named registers, a
 * handle at any offset, the interrupt capabilities, and the way to mark driver state shared with the
 * ISR.
 */
import type { Device } from '../device/device.js';
import type { RegisterHandle, RegisterWindow } from './register-window.js';

/** Marks SimResources across copies of this module (a driver may load its own copy of @ddikit/sim). */
const RESOURCES_BRAND = Symbol.for('ddikit.sim.resources');

/** Makes fields of a driver object tracked as shared with the ISR (see {@link SimResources.shared}). */
export type ShareFields = (object: object, fields: readonly string[]) => void;

/** What the harness puts in NDIS_MINIPORT_INIT_PARAMETERS.AllocatedResources. */
export class SimResources {
  /** The device's name (`e1000`). */
  readonly device: string;
  /** Handles of the device's named registers. */
  readonly registers: Readonly<Record<string, RegisterHandle>>;
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
    this.registers = Object.freeze(window.namedHandles());
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
}

/**
 * The harness's resources from MiniportInitParameters.AllocatedResources (typed `unknown` by NDIS).
 * Throws a TypeError when they are not the harness's.
 */
export function resourcesOf(parameters: { readonly AllocatedResources?: unknown }): SimResources {
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
