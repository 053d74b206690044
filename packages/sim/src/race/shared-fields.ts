/**
 * Driver state the race detector watches: the fields of every context the driver hands NDIS
 * (the interrupt context, SynchronizeContext, MiniportDpcContext) and of the objects reachable from
 * them, found automatically ({@link ContextTracker}); and fields a driver marks as shared with the
 * ISR (`resources.shared(adapter, 'causes')`). Each field becomes an accessor on the same object
 * that tells the race detector of every read and write, while the value stays where the driver sees it.
 */
import type { RaceDetector, RaceVar } from './race-detector.js';

interface SharedCell {
  /** The detector and the variable of the run that tracks the field (a later run takes it over). */
  detector: RaceDetector;
  variable: RaceVar;
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
export function shareFields(
  detector: RaceDetector,
  object: object,
  fields: readonly string[],
  how: { readonly prefix?: string; readonly automatic?: boolean } = {},
): void {
  const prefix = how.prefix ?? namePrefix(object);
  const automatic = how.automatic === true;
  const wanted = fieldsToTrack(detector, object, fields, prefix, automatic);
  if (wanted.size === 0) return;
  const record = object as Record<PropertyKey, unknown>;
  const cellOf = (field: string): SharedCell => ({
    detector,
    variable: detector.fieldVar(`${prefix}${field}`, !automatic),
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

/**
 * The fields not tracked yet; a TypeError for one that cannot be (a frozen object, a fixed property),
 * or, for the automatic tracking, the field left out. A field tracked automatically that the driver
 * then marks shared becomes an explicit one (a choice point of scheduled runs from then on).
 */
function fieldsToTrack(
  detector: RaceDetector,
  object: object,
  fields: readonly string[],
  prefix: string,
  automatic: boolean,
): Set<string> {
  const wanted = new Set<string>();
  for (const field of fields) {
    const cellKey = accessorsFor(field).cell;
    if (Object.prototype.hasOwnProperty.call(object, cellKey)) {
      const cell = (object as Record<symbol, SharedCell>)[cellKey]!;
      if (cell.detector !== detector || cell.variable.epoch !== detector.runEpoch) {
        // Tracked by an earlier run or another simulation (state kept outside the run): this run takes it over.
        cell.detector = detector;
        cell.variable = detector.fieldVar(`${prefix}${field}`, !automatic);
      } else if (!automatic) cell.variable.explicit = true;
      continue;
    }
    const own = Object.getOwnPropertyDescriptor(object, field);
    if (!Object.isExtensible(object) || (own !== undefined && own.configurable === false)) {
      if (automatic) continue;
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

// ---- Automatic tracking: the contexts the driver hands NDIS ---------------------------------------

/** Where `resources.untracked` marks an object (true: all of it) or its fields (a set of names). */
const UNTRACKED = Symbol.for('ddikit.sim.untracked');

/** Objects one walk visits at most (a context and what is reachable from it). */
export const REACHABLE_OBJECTS_MAX = 1024;
/** Elements of one array a walk looks at, for objects to visit. */
export const REACHABLE_ELEMENTS_MAX = 1024;

/**
 * Keeps the automatic tracking away from `object` (no field named: all of it, and what is reachable
 * only through it) or from the named fields of it. Fields already tracked stay tracked.
 */
export function markUntracked(object: object, fields: readonly string[]): void {
  const record = object as { [UNTRACKED]?: true | Set<string> };
  const existing = record[UNTRACKED];
  if (existing === true) return;
  let value: true | Set<string> = true;
  if (fields.length > 0) {
    value = existing ?? new Set<string>();
    for (const field of fields) value.add(field);
  }
  Object.defineProperty(object, UNTRACKED, { value, configurable: true, enumerable: false, writable: false });
}

/** Whether an object belongs to the harness (a spin lock, a register handle, the adapter handle, …). */
function harnessObject(object: object): boolean {
  for (const symbol of Object.getOwnPropertySymbols(object)) {
    const description = symbol.description;
    if (
      description !== undefined &&
      description.startsWith('ddikit.sim.') &&
      !description.startsWith('ddikit.sim.shared.') &&
      description !== 'ddikit.sim.untracked'
    )
      return true;
  }
  return false;
}

/** A plain object (`{ … }`, Object.create(null)) or an array: what a walk looks inside. */
function walkable(value: object): boolean {
  if (Array.isArray(value)) return true;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Whether a field's value is one the tracking can watch: anything but an object or a function. */
function primitive(value: unknown): boolean {
  return (typeof value !== 'object' || value === null) && typeof value !== 'function';
}

/**
 * Tracks, automatically, the state a driver shares through the contexts it hands NDIS. A context
 * handed over (the interrupt context at NdisMRegisterInterruptEx, a SynchronizeContext, a
 * MiniportDpcContext) is walked once per run, and with it every object reachable from it:
 *
 * - the context itself, whatever its class, and the plain objects (`{ … }`) and arrays reachable
 *   through its own enumerable properties, cycles included (each object is visited once);
 * - in each, the own enumerable data properties that hold a primitive value (number, string,
 *   boolean, bigint, null, undefined) become tracked fields, named by their path from the context
 *   (`causes`, `rx.head`, `queues[1].pending`; `Adapter.causes` when the context is an instance of a
 *   class); an array's elements are looked into for objects but are not fields themselves (an
 *   accessor per index would make every array a slow one);
 * - left alone: functions, getters and setters the driver wrote, instances of other classes (Map,
 *   Set, typed arrays — whose elements cannot become accessors — and the driver's own), frozen
 *   objects and fixed properties, what `resources.untracked` marks, and the harness's own objects;
 *   of those, the spin locks the driver keeps get the name of where it keeps them (`rxLock`).
 *
 * Fields that appear after the walk are not tracked (walk again by handing the object over again,
 * or mark them with `resources.shared`). A walk visits at most {@link REACHABLE_OBJECTS_MAX} objects.
 */
export class ContextTracker {
  /** Objects walked in this run. */
  private seen = new WeakSet<object>();

  constructor(
    /** The race detector; null: only locks are named. */
    private readonly detector: RaceDetector | null,
    /** Names a harness object found at `path` (the spin locks the driver keeps). */
    private readonly nameFound: (object: object, path: string) => void,
  ) {}

  /** A new run: every context is walked again when handed over. */
  reset(): void {
    this.seen = new WeakSet<object>();
  }

  /** The driver handed `context` to NDIS: track the fields reachable from it. */
  track(context: unknown): void {
    if (typeof context !== 'object' || context === null || this.seen.has(context)) return;
    if ((context as { [UNTRACKED]?: unknown })[UNTRACKED] === true) return;
    const detector = this.detector !== null && this.detector.trackContexts ? this.detector : null;
    const prefix = namePrefix(context);
    const queue: { readonly object: object; readonly path: string }[] = [{ object: context, path: '' }];
    for (let next = 0; next < queue.length && next < REACHABLE_OBJECTS_MAX; next++) {
      const { object, path } = queue[next]!;
      if (next > 0 && this.seen.has(object)) continue;
      this.seen.add(object);
      if (harnessObject(object)) {
        if (path !== '') this.nameFound(object, `${prefix}${path}`);
        continue;
      }
      const marks = (object as { [UNTRACKED]?: true | Set<string> })[UNTRACKED];
      if (marks === true) continue;
      const childPath = (key: string | number): string =>
        typeof key === 'number' ? `${path}[${key}]` : path === '' ? key : `${path}.${key}`;
      const visit = (value: unknown, key: string | number): void => {
        if (typeof value !== 'object' || value === null || this.seen.has(value)) return;
        if (walkable(value) || harnessObject(value)) queue.push({ object: value, path: childPath(key) });
      };
      if (Array.isArray(object)) {
        const length = Math.min(object.length, REACHABLE_ELEMENTS_MAX);
        for (let i = 0; i < length; i++) {
          const own = Object.getOwnPropertyDescriptor(object, i);
          if (own !== undefined && 'value' in own) visit(own.value, i);
        }
        continue;
      }
      const fields: string[] = [];
      for (const key of Object.keys(object)) {
        if (marks !== undefined && marks.has(key)) continue;
        const own = Object.getOwnPropertyDescriptor(object, key);
        if (own === undefined) continue;
        if (!('value' in own)) {
          // A field tracked already (by an earlier run, maybe): this run takes it over.
          if (FIELD_ACCESSORS.get(key)?.descriptor.get === own.get) fields.push(key);
          continue;
        }
        if (primitive(own.value)) {
          if (own.writable === true && own.configurable === true) fields.push(key);
        } else visit(own.value, key);
      }
      if (detector !== null && fields.length > 0 && Object.isExtensible(object))
        shareFields(detector, object, fields, { prefix: path === '' ? prefix : `${prefix}${path}.`, automatic: true });
    }
  }
}
