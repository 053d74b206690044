/**
 * Fields a driver marks as shared with the ISR (`resources.shared(adapter, 'causes')`): each becomes
 * an accessor on the same object that tells the race detector of every read and write, while the
 * value stays where the driver sees it.
 */
import type { RaceDetector, RaceVar } from './race-detector.js';

interface SharedCell {
  readonly detector: RaceDetector;
  readonly variable: RaceVar;
  value: unknown;
}

interface FieldAccessors {
  /** The (non-enumerable) symbol under which an object keeps the field's cell. */
  readonly cell: symbol;
  readonly descriptor: PropertyDescriptor;
}

/**
 * Per field name: one accessor pair — the same functions for every object and run, so objects that
 * share the same fields keep one hidden class and the driver's property accesses stay fast.
 */
const FIELD_ACCESSORS = new Map<string, FieldAccessors>();

function accessorsFor(field: string): FieldAccessors {
  let entry = FIELD_ACCESSORS.get(field);
  if (entry === undefined) {
    const cellKey = Symbol(`ddikit.sim.shared.${field}`);
    type WithCell = Record<symbol, SharedCell>;
    entry = {
      cell: cellKey,
      descriptor: {
        configurable: true,
        enumerable: true,
        // The access happens, then the detector sees it (a preemption point comes after it).
        get(this: WithCell): unknown {
          const cell = this[cellKey]!;
          const value = cell.value;
          cell.detector.field(cell.variable, false);
          return value;
        },
        set(this: WithCell, value: unknown) {
          const cell = this[cellKey]!;
          cell.value = value;
          cell.detector.field(cell.variable, true);
        },
      },
    };
    FIELD_ACCESSORS.set(field, entry);
  }
  return entry;
}

/**
 * Turns `fields` of `object` into accessors that report every read and write to `detector`; the
 * values stay where the driver sees them. Names in reports: the field, prefixed with the object's
 * class name when it has one (`Adapter.causes`).
 *
 * Redefining a data property as an accessor would drop the object into V8's slow dictionary mode,
 * and every property access of the driver's adapter with it; so the properties from the first
 * shared field on are taken off (last first, which keeps the object fast) and put back in their
 * order, the shared ones as accessors.
 */
export function shareFields(detector: RaceDetector, object: object, fields: readonly string[]): void {
  const prefix = namePrefix(object);
  const wanted = fieldsToTrack(object, fields, prefix);
  if (wanted.size === 0) return;
  const record = object as Record<PropertyKey, unknown>;
  const cellOf = (field: string): SharedCell => ({
    detector,
    variable: detector.fieldVar(`${prefix}${field}`),
    value: record[field],
  });
  const keys = Reflect.ownKeys(object);
  let first = keys.length;
  for (let i = 0; i < keys.length; i++) {
    if (typeof keys[i] === 'string' && wanted.has(keys[i] as string)) {
      first = i;
      break;
    }
  }
  const tail = keys.slice(first).map((key) => [key, Object.getOwnPropertyDescriptor(object, key)!] as const);
  if (tail.some(([, descriptor]) => descriptor.configurable === false)) {
    // Cannot take the tail off: define in place (correct, only slower).
    for (const field of wanted) installField(object, field, cellOf(field));
    return;
  }
  const cells = new Map<string, SharedCell>();
  for (const field of wanted) cells.set(field, cellOf(field));
  for (let i = tail.length - 1; i >= 0; i--) delete record[tail[i]![0]];
  for (const [key, descriptor] of tail) {
    if (typeof key === 'string' && wanted.has(key)) {
      installField(object, key, cells.get(key)!);
      wanted.delete(key);
    } else if (
      'value' in descriptor &&
      descriptor.writable === true &&
      descriptor.enumerable === true &&
      descriptor.configurable === true
    ) {
      record[key] = descriptor.value;
    } else {
      Object.defineProperty(object, key, descriptor);
    }
  }
  // Fields named but not yet on the object come last.
  for (const field of wanted) installField(object, field, cells.get(field)!);
}

/** `Adapter.` for an instance of a named class, '' for a plain object. */
function namePrefix(object: object): string {
  const constructorName = (object as { constructor?: { name?: string } }).constructor?.name;
  return constructorName === undefined || constructorName === '' || constructorName === 'Object'
    ? ''
    : `${constructorName}.`;
}

/** The fields not tracked yet; a TypeError for one that cannot be (a frozen object, a fixed property). */
function fieldsToTrack(object: object, fields: readonly string[], prefix: string): Set<string> {
  const wanted = new Set<string>();
  for (const field of fields) {
    if (Object.prototype.hasOwnProperty.call(object, accessorsFor(field).cell)) continue;
    const own = Object.getOwnPropertyDescriptor(object, field);
    if (!Object.isExtensible(object) || (own !== undefined && own.configurable === false)) {
      throw new TypeError(
        `shared: ${prefix}${field} cannot be tracked (the object is frozen or the property is not configurable)`,
      );
    }
    wanted.add(field);
  }
  return wanted;
}

/** Puts the field's cell on the object and the field's accessors in place of the property. */
function installField(object: object, field: string, cell: SharedCell): void {
  const accessors = accessorsFor(field);
  Object.defineProperty(object, accessors.cell, {
    value: cell,
    configurable: false,
    enumerable: false,
    writable: false,
  });
  Object.defineProperty(object, field, accessors.descriptor);
}
