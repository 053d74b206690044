/**
 * Role declarations at run time. `MINIPORT_SYNCHRONIZE_INTERRUPT('MySynchronizeInterrupt', fn)` returns a
 * function that carries its role and name (the counterpart of C's
 * `MINIPORT_SYNCHRONIZE_INTERRUPT MySynchronizeInterrupt;`). Outside a simulation it calls `fn` straight
 * through; while a monitor is installed (the harness installs one), every call goes through the monitor,
 * which enforces the role's contract.
 */
import type { RoleMeta } from './metadata-types.js';

/** The key under which a declared function carries its role name (a type-level brand too). */
export const ROLE: unique symbol = Symbol.for('ddikit.role');

/** What a declared function knows about itself. */
export interface RoleDeclaration<F extends (...args: never[]) => unknown = (...args: never[]) => unknown> {
  /** The role's metadata (name, parameters, IRQL contract, mayCall, …). */
  readonly role: RoleMeta;
  /** The name the driver gave the function. */
  readonly name: string;
  /** The driver's implementation. */
  readonly impl: F;
}

/** A function declared with role R: the signature F plus the role brand. */
export type RoleFunction<R extends string, F extends (...args: never[]) => unknown> = F & {
  readonly [ROLE]: R;
};

/** Receives every call of a declared function while installed. */
export interface RoleMonitor {
  callRole(declaration: RoleDeclaration, thisArg: unknown, args: unknown[]): unknown;
}

const DECLARATION: unique symbol = Symbol.for('ddikit.roleDeclaration');

/**
 * The installed monitor lives in one process-wide slot, so that every loaded copy of this module (the
 * sources under a test runner and the built package under the CLI, say) sees the same monitor.
 */
interface MonitorSlot {
  monitor: RoleMonitor | null;
}

const SLOT_KEY = Symbol.for('ddikit.roleMonitorSlot');
const slot: MonitorSlot = ((globalThis as Record<symbol, MonitorSlot | undefined>)[SLOT_KEY] ??= { monitor: null });

/** Installs a monitor (or removes it with null) and returns the previous one. */
export function setRoleMonitor(next: RoleMonitor | null): RoleMonitor | null {
  const previous = slot.monitor;
  slot.monitor = next;
  return previous;
}

export function currentRoleMonitor(): RoleMonitor | null {
  return slot.monitor;
}

/** The declaration of a function declared with a role, or undefined for any other value. */
export function roleOf(value: unknown): RoleDeclaration | undefined {
  if (typeof value !== 'function') return undefined;
  return (value as unknown as { [DECLARATION]?: RoleDeclaration })[DECLARATION];
}

const identifier = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** What a declared function does with its `this` and its arguments (as given: no more, no fewer). */
type Invoke = (self: unknown, args: unknown[]) => unknown;

/** The arguments of a call, as an array. */
function argumentList(args: IArguments): unknown[] {
  return Array.prototype.slice.call(args);
}

/**
 * A function named `name`, with `arity` parameters (its `length`, up to 6; more are set by the
 * caller), that hands its `this` and its arguments to `invoke`. The name comes from the property key
 * and the length from the parameter list, not from defineProperty: drivers declare their role
 * functions anew on every run, and the two defineProperty calls were half of what a declaration cost.
 */
function namedFunction(name: string, arity: number, invoke: Invoke): (...args: unknown[]) => unknown {
  switch (arity) {
    case 0:
      return {
        [name]: function (this: unknown, ...args: unknown[]) {
          return invoke(this, args);
        },
      }[name]!;
    case 1:
      return {
        [name]: function (this: unknown, a: unknown) {
          return invoke(this, arguments.length === 1 ? [a] : argumentList(arguments));
        },
      }[name]!;
    case 2:
      return {
        [name]: function (this: unknown, a: unknown, b: unknown) {
          return invoke(this, arguments.length === 2 ? [a, b] : argumentList(arguments));
        },
      }[name]!;
    case 3:
      return {
        [name]: function (this: unknown, a: unknown, b: unknown, c: unknown) {
          return invoke(this, arguments.length === 3 ? [a, b, c] : argumentList(arguments));
        },
      }[name]!;
    case 4:
      return {
        [name]: function (this: unknown, a: unknown, b: unknown, c: unknown, d: unknown) {
          return invoke(this, arguments.length === 4 ? [a, b, c, d] : argumentList(arguments));
        },
      }[name]!;
    case 5:
      return {
        [name]: function (this: unknown, a: unknown, b: unknown, c: unknown, d: unknown, e: unknown) {
          return invoke(this, arguments.length === 5 ? [a, b, c, d, e] : argumentList(arguments));
        },
      }[name]!;
    case 6:
      return {
        [name]: function (this: unknown, a: unknown, b: unknown, c: unknown, d: unknown, e: unknown, f: unknown) {
          return invoke(this, arguments.length === 6 ? [a, b, c, d, e, f] : argumentList(arguments));
        },
      }[name]!;
    default:
      return {
        [name]: function (this: unknown, ...args: unknown[]) {
          return invoke(this, args);
        },
      }[name]!;
  }
}

/**
 * Makes the declarator function of a role. Used by the generated roles module; drivers call the
 * declarators it exports, not this.
 */
export function declareRole<R extends string, F extends (...args: never[]) => unknown>(
  role: RoleMeta & { readonly name: R },
): (name: string, impl: F) => RoleFunction<R, F> {
  return (name: string, impl: F): RoleFunction<R, F> => {
    if (typeof name !== 'string' || !identifier.test(name)) {
      throw new TypeError(`${role.name}: the function name must be a C identifier (got ${JSON.stringify(name)})`);
    }
    if (typeof impl !== 'function') {
      throw new TypeError(
        `${role.name} ${name}: the implementation must be a function (got ${impl === null ? 'null' : typeof impl})`,
      );
    }
    if (roleOf(impl)) {
      throw new TypeError(
        `${role.name} ${name}: the implementation is already declared as ${roleOf(impl)!.role.name} ${roleOf(impl)!.name}`,
      );
    }
    if (impl.length > role.params.length) {
      throw new TypeError(
        `${role.name} ${name}: the implementation takes ${impl.length} parameters; the role has ${role.params.length}`,
      );
    }
    const declaration: RoleDeclaration = { role, name, impl: impl as unknown as (...args: never[]) => unknown };
    const declared = namedFunction(name, role.params.length, (self, args) => {
      const current = slot.monitor;
      if (current === null) return (impl as unknown as (...a: unknown[]) => unknown).apply(self, args);
      return current.callRole(declaration, self, args);
    });
    if (declared.length !== role.params.length)
      Object.defineProperty(declared, 'length', { value: role.params.length });
    Object.defineProperty(declared, ROLE, { value: role.name, enumerable: false });
    Object.defineProperty(declared, DECLARATION, { value: declaration, enumerable: false });
    Object.freeze(declared);
    return declared as unknown as RoleFunction<R, F>;
  };
}
