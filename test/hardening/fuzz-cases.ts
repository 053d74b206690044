/**
 * Spec mutations for fuzzing the generator: text-level edits (lines deleted, duplicated, swapped,
 * re-indented, tokens replaced with hostile strings) and value-level edits (a random key removed,
 * renamed or given a random value), starting from real spec files.
 */
import fc from 'fast-check';
import { parse, stringify } from 'yaml';

export const hostileTokens = [
  '',
  ' ',
  '-',
  ':',
  '[',
  ']',
  '{',
  '}',
  '&a',
  '*a',
  '!!str',
  '!!binary',
  '? ',
  '|',
  '>',
  '#',
  '%YAML 1.1',
  '---',
  '...',
  '"',
  "'",
  '\\',
  '\t',
  '\u0000',
  '\u202e',
  '\ufeff',
  '0x',
  '-0',
  '1e999',
  'NaN',
  '.inf',
  'null',
  '~',
  'true',
  'no',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'DIRQL',
  'DIRQ',
  'PASSIVE_LEVEL',
  'HIGH_LEVEL',
  'register',
  'interface',
  '*/',
  '/*',
  '{{x}}',
  '`',
  '${x}',
  'É',
  'МINIPORT',
  '\u00a0',
  'a'.repeat(300),
];

export type Mutation =
  | { kind: 'deleteLine'; at: number }
  | { kind: 'duplicateLine'; at: number }
  | { kind: 'swapLines'; at: number; with: number }
  | { kind: 'indent'; at: number; by: number }
  | { kind: 'insert'; at: number; column: number; token: string }
  | { kind: 'replaceWord'; at: number; token: string }
  | { kind: 'truncate'; at: number }
  | { kind: 'value'; path: number[]; action: 'delete' | 'rename' | 'set'; value: unknown };

export const mutationArbitrary: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('deleteLine' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('duplicateLine' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('swapLines' as const), at: fc.nat(), with: fc.nat() }),
  fc.record({ kind: fc.constant('indent' as const), at: fc.nat(), by: fc.integer({ min: -4, max: 4 }) }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    column: fc.nat(),
    token: fc.oneof(fc.constantFrom(...hostileTokens), fc.string({ maxLength: 6 })),
  }),
  fc.record({
    kind: fc.constant('replaceWord' as const),
    at: fc.nat(),
    token: fc.oneof(fc.constantFrom(...hostileTokens), fc.string({ maxLength: 12 })),
  }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('value' as const),
    path: fc.array(fc.nat(), { minLength: 1, maxLength: 6 }),
    action: fc.constantFrom('delete' as const, 'rename' as const, 'set' as const),
    value: fc.oneof(
      fc.constantFrom(...hostileTokens),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.array(fc.string({ maxLength: 4 }), { maxLength: 3 }),
      fc.dictionary(
        fc.constantFrom('name', 'type', 'dir', 'irql', 'runsAt', '__proto__', 'x'),
        fc.string({ maxLength: 5 }),
        { maxKeys: 3 },
      ),
    ),
  }),
);

export function mutate(text: string, mutation: Mutation): string {
  const lines = text.split('\n');
  const pick = (n: number): number => (lines.length === 0 ? 0 : n % lines.length);
  switch (mutation.kind) {
    case 'deleteLine':
      lines.splice(pick(mutation.at), 1);
      return lines.join('\n');
    case 'duplicateLine': {
      const i = pick(mutation.at);
      lines.splice(i, 0, lines[i] ?? '');
      return lines.join('\n');
    }
    case 'swapLines': {
      const i = pick(mutation.at);
      const j = pick(mutation.with);
      [lines[i], lines[j]] = [lines[j] ?? '', lines[i] ?? ''];
      return lines.join('\n');
    }
    case 'indent': {
      const i = pick(mutation.at);
      const line = lines[i] ?? '';
      lines[i] =
        mutation.by >= 0 ? ' '.repeat(mutation.by) + line : line.replace(new RegExp(`^ {0,${-mutation.by}}`), '');
      return lines.join('\n');
    }
    case 'insert': {
      const i = pick(mutation.at);
      const line = lines[i] ?? '';
      const column = line.length === 0 ? 0 : mutation.column % (line.length + 1);
      lines[i] = line.slice(0, column) + mutation.token + line.slice(column);
      return lines.join('\n');
    }
    case 'replaceWord': {
      const i = pick(mutation.at);
      lines[i] = (lines[i] ?? '').replace(/[A-Za-z_][A-Za-z0-9_.]*(?=\s*$)/, mutation.token);
      return lines.join('\n');
    }
    case 'truncate':
      return text.slice(0, text.length === 0 ? 0 : mutation.at % text.length);
    case 'value': {
      let doc: unknown;
      try {
        // logLevel: the mutation's own parse must not print the library's warnings either.
        doc = parse(text, { logLevel: 'error' });
      } catch {
        return text;
      }
      mutateValue(doc, mutation.path, mutation.action, mutation.value);
      const modeline = lines[0]?.startsWith('#') ? `${lines[0]}\n` : '';
      return modeline + stringify(doc, { lineWidth: 0 });
    }
  }
}

function mutateValue(
  root: unknown,
  path: readonly number[],
  action: 'delete' | 'rename' | 'set',
  value: unknown,
): void {
  let node = root;
  for (let depth = 0; depth < path.length; depth++) {
    if (node === null || typeof node !== 'object') return;
    const keys = Object.keys(node);
    if (keys.length === 0) return;
    const key = keys[path[depth]! % keys.length]!;
    const last = depth === path.length - 1;
    const child = (node as Record<string, unknown>)[key];
    if (last || child === null || typeof child !== 'object') {
      if (Array.isArray(node)) {
        const index = Number(key);
        if (action === 'delete') node.splice(index, 1);
        else node[index] = value;
      } else {
        const record = node as Record<string, unknown>;
        if (action === 'delete') delete record[key];
        else if (action === 'rename') {
          const renamed = `${key}${typeof value === 'string' ? value : 'x'}`;
          Object.defineProperty(record, renamed, {
            value: record[key],
            enumerable: true,
            writable: true,
            configurable: true,
          });
          delete record[key];
        } else record[key] = value;
      }
      return;
    }
    node = child;
  }
}
