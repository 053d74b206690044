/**
 * Role declarations at run time: a declared function carries its role and name, calls straight
 * through without a monitor, goes through the monitor when one is installed, and bad declarations
 * throw TypeError.
 */
import * as ndis from '@ddikit/ndis';
import {
  MINIPORT_ISR,
  MINIPORT_SYNCHRONIZE_INTERRUPT,
  MINIPORT_SYNCHRONIZE_MESSAGE_INTERRUPT,
  ROLE,
  currentRoleMonitor,
  metadata,
  roleContract,
  roleOf,
  setRoleMonitor,
  type RoleDeclaration,
  type RoleMonitor,
} from '@ddikit/ndis';
import { afterEach, describe, expect, it } from 'vitest';

afterEach(() => {
  setRoleMonitor(null);
});

describe('declared role functions', () => {
  it('carry their role, name and implementation', () => {
    const impl = (_context: unknown): boolean => true;
    const declared = MINIPORT_SYNCHRONIZE_INTERRUPT('MySynchronizeInterrupt', impl);
    const declaration = roleOf(declared);
    expect(declaration?.name).toBe('MySynchronizeInterrupt');
    expect(declaration?.impl).toBe(impl);
    expect(declaration?.role).toBe(roleContract('MINIPORT_SYNCHRONIZE_INTERRUPT'));
    expect(declared[ROLE]).toBe('MINIPORT_SYNCHRONIZE_INTERRUPT');
    expect(declared.name).toBe('MySynchronizeInterrupt');
    expect(declared.length).toBe(1);
    expect(Object.isFrozen(declared)).toBe(true);
  });

  it('carry the variant role when declared with the variant', () => {
    const declared = MINIPORT_SYNCHRONIZE_MESSAGE_INTERRUPT('MySynchronizeMessageInterrupt', () => true);
    expect(roleOf(declared)?.role.name).toBe('MINIPORT_SYNCHRONIZE_MESSAGE_INTERRUPT');
    expect(roleOf(declared)?.role.variantOf).toBe('MINIPORT_SYNCHRONIZE_INTERRUPT');
    expect(declared[ROLE]).toBe('MINIPORT_SYNCHRONIZE_MESSAGE_INTERRUPT');
  });

  it('every generated declarator declares with its own role metadata', () => {
    const exports = ndis as unknown as Record<string, unknown>;
    expect(metadata.roles.length).toBeGreaterThan(0);
    for (const role of metadata.roles) {
      const declarator = exports[role.name];
      expect(typeof declarator, role.name).toBe('function');
      const declared = (declarator as (name: string, impl: () => void) => unknown)('MyFunction', () => {});
      expect(roleOf(declared)?.role, role.name).toBe(role);
      expect((declared as { length: number }).length, role.name).toBe(role.params.length);
    }
  });

  it('hand over `this` and exactly the arguments given, for every parameter count, with and without a monitor', () => {
    const exports = ndis as unknown as Record<string, (name: string, impl: (...a: unknown[]) => unknown) => unknown>;
    const seen: { self: unknown; args: unknown[] }[] = [];
    const forwarded: unknown[][] = [];
    const monitor: RoleMonitor = {
      callRole(declaration, thisArg, args) {
        forwarded.push(args);
        return declaration.impl.apply(thisArg, args as never[]);
      },
    };
    const arities = new Set(metadata.roles.map((role) => role.params.length));
    expect(arities.size).toBeGreaterThan(4);
    for (const role of metadata.roles.filter(
      (r, i, all) => all.findIndex((o) => o.params.length === r.params.length) === i,
    )) {
      const declared = exports[role.name]!('MyFunction', function (this: unknown, ...args: unknown[]) {
        seen.push({ self: this, args });
        return args.length;
      }) as (...args: unknown[]) => unknown;
      expect(declared.name, role.name).toBe('MyFunction');
      expect(declared.length, role.name).toBe(role.params.length);
      const self = { role: role.name };
      const n = role.params.length;
      for (const count of [0, Math.max(n - 1, 0), n, n + 2]) {
        const args = Array.from({ length: count }, (_, i) => `${role.name}#${i}`);
        for (const installed of [null, monitor]) {
          setRoleMonitor(installed);
          seen.length = 0;
          forwarded.length = 0;
          expect(declared.apply(self, args), `${role.name} with ${count}`).toBe(count);
          expect(seen, `${role.name} with ${count}`).toEqual([{ self, args }]);
          if (installed !== null) expect(forwarded, `${role.name} with ${count}`).toEqual([args]);
        }
      }
      setRoleMonitor(null);
    }
  });

  it('roleOf is undefined for anything not declared', () => {
    for (const value of [() => true, function named() {}, null, undefined, 0, 'MINIPORT_ISR', {}]) {
      expect(roleOf(value)).toBeUndefined();
    }
  });

  it('call the implementation straight through when no monitor is installed', () => {
    expect(currentRoleMonitor()).toBeNull();
    const seen: unknown[] = [];
    const declared = MINIPORT_ISR('MyInterrupt', function (this: unknown, context, queueDpc, targets) {
      seen.push(this, context);
      queueDpc.value = true;
      targets.value = 2;
      return true;
    });
    const queueDpc = { value: false };
    const targets = { value: 0 };
    const self = { adapter: 1 };
    expect(declared.call(self, 'ctx', queueDpc, targets)).toBe(true);
    expect(seen).toEqual([self, 'ctx']);
    expect(queueDpc.value).toBe(true);
    expect(targets.value).toBe(2);
  });

  it('route every call through the installed monitor', () => {
    let implCalls = 0;
    const declared = MINIPORT_SYNCHRONIZE_INTERRUPT('MySynchronizeInterrupt', () => {
      implCalls++;
      return true;
    });
    const calls: { declaration: RoleDeclaration; thisArg: unknown; args: unknown[] }[] = [];
    const monitor: RoleMonitor = {
      callRole(declaration, thisArg, args) {
        calls.push({ declaration, thisArg, args });
        return false;
      },
    };
    expect(setRoleMonitor(monitor)).toBeNull();
    expect(currentRoleMonitor()).toBe(monitor);
    expect(declared('context')).toBe(false);
    expect(implCalls).toBe(0);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.declaration).toBe(roleOf(declared));
    expect(calls[0]!.args).toEqual(['context']);

    expect(setRoleMonitor(null)).toBe(monitor);
    expect(declared('context')).toBe(true);
    expect(implCalls).toBe(1);
    expect(calls).toHaveLength(1);
  });
});

describe('bad declarations throw TypeError', () => {
  const declare = MINIPORT_SYNCHRONIZE_INTERRUPT as unknown as (name: unknown, impl: unknown) => unknown;
  const already = MINIPORT_ISR('MyInterrupt', () => true);

  it.each([
    { given: 'an empty name', name: '', impl: () => true, want: /must be a C identifier \(got ""\)/ },
    { given: 'a name starting with a digit', name: '1Sync', impl: () => true, want: /must be a C identifier/ },
    {
      given: 'a name with a hyphen',
      name: 'my-sync',
      impl: () => true,
      want: /must be a C identifier \(got "my-sync"\)/,
    },
    { given: 'a name with a space', name: 'My Sync', impl: () => true, want: /must be a C identifier/ },
    { given: 'a name that is not a string', name: 42, impl: () => true, want: /must be a C identifier \(got 42\)/ },
    { given: 'a null implementation', name: 'MySync', impl: null, want: /must be a function \(got null\)/ },
    { given: 'a number as implementation', name: 'MySync', impl: 1, want: /must be a function \(got number\)/ },
    { given: 'an object as implementation', name: 'MySync', impl: {}, want: /must be a function \(got object\)/ },
    {
      given: 'a function declared already',
      name: 'MySync',
      impl: already,
      want: /MINIPORT_SYNCHRONIZE_INTERRUPT MySync: the implementation is already declared as MINIPORT_ISR MyInterrupt/,
    },
    {
      given: 'more parameters than the role has',
      name: 'MySync',
      impl: (_a: unknown, _b: unknown) => true,
      want: /takes 2 parameters; the role has 1/,
    },
  ])('$given', ({ name, impl, want }) => {
    expect(() => declare(name, impl)).toThrow(TypeError);
    expect(() => declare(name, impl)).toThrow(want);
  });
});
