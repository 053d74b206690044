/**
 * Synthetic specs for the large-input bench and tests: the bundled spec copied `copies` times under
 * renamed entries (every name the spec defines gets a `C<k>` prefix in copy k, references and all,
 * so each copy is a complete, valid spec of its own), and single files of one huge enum, of many
 * constants, or of entries up to a size.
 */
import type { SpecSource } from '../generator/src/spec/load.js';

const modeline = '# yaml-language-server: $schema=../schema/ddi.schema.json';

/** Every name a spec file defines: entries, role pointers and variants, enum members. */
function definedNames(texts: readonly string[]): Set<string> {
  const names = new Set<string>();
  for (const text of texts) {
    for (const match of text.matchAll(/(?:^|[{,]\s*|\n\s*-?\s*)(?:name|pointer): ([A-Za-z_][A-Za-z0-9_]*)/g)) {
      names.add(match[1]!);
    }
  }
  return names;
}

/**
 * A word of copy k: a defined name gets the `C<k>` prefix; `P` + a defined name (a pointer typedef
 * the kernel's way, PDRIVER_INITIALIZE) gets it after the P, as the copy's pointer must be named.
 * Parts of hyphenated words (rule ids such as INT-LOST) are never names.
 */
function renamed(word: string, k: number, names: ReadonlySet<string>): string {
  if (word.startsWith('P') && names.has(word.slice(1))) return `PC${k}${word.slice(1)}`;
  return names.has(word) ? `C${k}${word}` : word;
}

/**
 * The bundled spec `copies` times over: copy 0 as it is, copy k with every defined name prefixed
 * `C<k>` (parameter and field names too, which is harmless). The rule table is shared.
 */
export function replicatedSpec(sources: readonly SpecSource[], copies: number): SpecSource[] {
  const rules = sources.filter((s) => s.path.endsWith('/rules.yaml'));
  const entries = sources.filter((s) => !s.path.endsWith('/rules.yaml'));
  const names = definedNames(entries.map((s) => s.text));
  const out: SpecSource[] = [...rules];
  for (let k = 0; k < copies; k++) {
    for (const source of entries) {
      const text =
        k === 0
          ? source.text
          : source.text.replace(/(?<![\w-])[A-Za-z_][A-Za-z0-9_]*(?![\w:-])/g, (word) => renamed(word, k, names));
      const path = k === 0 ? source.path : source.path.replace(/\.yaml$/, `-c${k}.yaml`);
      out.push({ path, origin: path, text });
    }
  }
  return out;
}

/** Shared types every synthetic file below uses. */
const baseTypes = `types:
  - { name: VOID, kind: void }
  - { name: ULONG, kind: scalar, c: unsigned int, ts: number, bits: 32, signed: false }
`;

/** One enum of `members` members. */
export function hugeEnum(members: number): SpecSource {
  const lines = [
    modeline,
    'header: ndis.h',
    baseTypes.trimEnd(),
    '  - name: HUGE_ENUM',
    '    kind: enum',
    '    values:',
  ];
  for (let i = 0; i < members; i++) lines.push(`      - { name: HugeMember${i}, value: ${i} }`);
  return { path: 'spec/ndis/huge-enum.yaml', text: `${lines.join('\n')}\n` };
}

/** `count` constants of one type. */
export function manyConstants(count: number): SpecSource {
  const lines = [modeline, 'header: ndis.h', baseTypes.trimEnd(), 'constants:'];
  for (let i = 0; i < count; i++) lines.push(`  - { name: SYNTHETIC_CONSTANT_${i}, type: ULONG, value: ${i} }`);
  return { path: 'spec/ndis/constants.yaml', text: `${lines.join('\n')}\n` };
}

/**
 * Entries up to `bytes`: for each number, a structure of two fields with a page of its own, and a
 * function of three parameters (one a pointer to that structure) with a description and a contract.
 */
export function entriesOfSize(bytes: number): SpecSource {
  const types: string[] = [baseTypes.trimEnd(), '  - { name: NDIS_HANDLE, kind: handle, c: void *, ts: unknown }'];
  const functions: string[] = ['functions:'];
  let length = types.join('\n').length + 200;
  for (let i = 0; length < bytes; i++) {
    const type = [
      `  - name: SYNTHETIC_STRUCT_${i}`,
      '    kind: struct',
      `    description: Synthetic structure number ${i}, described in a sentence of prose.`,
      '    fields:',
      '      - { name: Size, type: ULONG, description: Its size in bytes. }',
      '      - { name: Handle, type: NDIS_HANDLE, description: The handle it belongs to. }',
      `  - { name: PSYNTHETIC_STRUCT_${i}, kind: pointer, to: SYNTHETIC_STRUCT_${i} }`,
    ].join('\n');
    const fn = [
      `  - name: SyntheticCall${i}`,
      '    since: NDIS 6.0',
      `    description: Synthetic DDI number ${i}, with a sentence of prose to give the entry the size of a real one.`,
      '    params:',
      '      - { name: Handle, type: NDIS_HANDLE, dir: in, description: The handle. }',
      `      - { name: Buffer, type: PSYNTHETIC_STRUCT_${i}, dir: in, description: The structure. }`,
      '      - { name: Count, type: ULONG, dir: in, description: How many. }',
      '    returns: { type: ULONG, description: A count. }',
      `    irql: { max: ${i % 2 === 0 ? 'DISPATCH_LEVEL' : 'PASSIVE_LEVEL'} }`,
    ].join('\n');
    types.push(type);
    functions.push(fn);
    length += type.length + fn.length + 2;
  }
  return {
    path: 'spec/ndis/entries.yaml',
    text: `${[modeline, 'header: ndis.h', ...types, ...functions].join('\n')}\n`,
  };
}

/** A mapping of `keys` keys (none of which the schema knows): the parser must stay linear in them. */
export function manyKeys(keys: number): SpecSource {
  const lines = [modeline, 'header: ndis.h'];
  for (let i = 0; i < keys; i++) lines.push(`unknownKey${i}: ${i}`);
  return { path: 'spec/ndis/keys.yaml', text: `${lines.join('\n')}\n` };
}
