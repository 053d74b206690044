/**
 * Property: however a page is mangled (lines dropped, doubled or cut, line endings mixed, markup in
 * headings, odd IRQL text, random bytes, a front matter that never closes), the import never throws,
 * reports every problem of that page at a line of that page with a DDI3xxx code, leaves every other
 * page's entry exactly as it imports alone, and writes YAML that validates.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatDiagnostic, sortDiagnostics } from '../../generator/src/diagnostics.js';
import { importDocs } from '../../generator/src/import/import-docs.js';
import { load } from '../../generator/src/spec/load.js';
import { bundled } from '../../generator/src/paths.js';
import { readSchema, validate } from '../../generator/src/spec/validate.js';

const schema = readSchema(bundled.schemaPath);

const goodFunction = {
  path: 'pages/nf-ndis-ndisgood.md',
  text: `---
UID: NF:ndis.NdisGood
title: NdisGood function (ndis.h)
req.header: ndis.h
req.target-min-winverclnt: Supported in NDIS 6.20 and later.
req.ddi-compliance: GoodRule
req.irql: <= DISPATCH_LEVEL
---

# NdisGood function

## -description

Does good.

## -parameters

### -param Handle [in]

A handle.

## -returns

None

## -see-also

[Callback](nc-ndis-good_callback.md)
`,
};

const goodRole = {
  path: 'pages/nc-ndis-good_callback.md',
  text: `---
UID: NC:ndis.GOOD_CALLBACK
title: GOOD_CALLBACK (ndis.h)
ms.keywords: GOOD_CALLBACK, ndis/GoodCallback
req.header: ndis.h
req.target-min-winverclnt: Supported in NDIS 6.0 and later.
req.irql: See Remarks section
---

# GOOD_CALLBACK callback function

## -description

Called back.

## -parameters

### -param Context [in]

The context.

## -remarks

NDIS calls <i>GoodCallback</i> at IRQL = PASSIVE_LEVEL.
`,
};

/** The page every run mangles: a function with all the sections and both direction layouts. */
const victim = `---
UID: NF:ndis.NdisVictim
title: NdisVictim macro (ndis.h)
ms.keywords: NdisVictim, ndis/NdisVictim
req.header: ndis.h
req.target-min-winverclnt: Supported for NDIS 6.0 and NDIS 5.1 drivers in Windows Vista.
req.ddi-compliance: VictimRule, OtherRule
req.irql: See Remarks section
api_name:
 - NdisVictim
---

# NdisVictim macro

## -description

Does something to a buffer.

## -parameters

### -param _Buffer_ [in, out]

The buffer.

### -param Length

[in, optional] Its length.

### -param Flags [out]

Bits.

## -returns

Returns a ULONG value that is the count.

## -remarks

Callers of NdisVictim can run at any IRQL if the buffer is resident. Otherwise, callers must be running at IRQL &lt; DISPATCH_LEVEL.

## -see-also

[Good](nf-ndis-ndisgood.md)
`;

/** A curated file with every type an imported return type can name. */
const curated = `# yaml-language-server: $schema=../schema/ddi.schema.json
header: ndis.h
types:
  - { name: VOID, kind: void }
  - { name: BOOLEAN, kind: scalar, c: unsigned char, ts: boolean }
  - { name: UCHAR, kind: scalar, c: unsigned char, ts: number }
  - { name: USHORT, kind: scalar, c: unsigned short, ts: number }
  - { name: ULONG, kind: scalar, c: unsigned int, ts: number }
  - { name: KIRQL, kind: scalar, c: unsigned char, ts: number }
  - { name: KAFFINITY, kind: scalar, c: unsigned long long, ts: bigint }
  - { name: NDIS_STATUS, kind: scalar, c: int, ts: number }
  - { name: NDIS_HANDLE, kind: handle, c: void *, ts: unknown }
  - { name: PVOID, kind: handle, c: void *, ts: unknown }
`;

/** Fragments that reference pages are made of, and ways they go wrong. */
const fragment = fc.oneof(
  fc.constantFrom(
    '---',
    '## -parameters',
    '## -remarks',
    '## -description',
    '### -param',
    '### -param Extra [in]',
    '### -param ... ',
    '### -param <b>Bold</b> [out]',
    '### -param int [in]',
    '### -field Inner.Member',
    '```',
    'req.irql: Sometimes',
    'req.irql: <= DIRQL',
    'req.irql: ',
    'UID: NF:ndis.NdisVictim~r1',
    'UID: NS:ndis._VICTIM',
    'Callers of NdisVictim must be running at IRQL = PASSIVE_LEVEL.',
    'If the caller of NdisVictim is odd, it must be running at IRQL = DISPATCH_LEVEL.',
    'If the, NdisVictim must run at IRQL = PASSIVE_LEVEL.',
    '[in, sideways]',
    '<h3>Examples</h3>',
    ' - item',
    '\r',
    '\r\n',
  ),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
);

type Mutation =
  | { kind: 'delete'; at: number; count: number }
  | { kind: 'double'; at: number }
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'endings'; at: number; ending: string }
  | { kind: 'markup'; at: number; tag: string }
  | { kind: 'cut'; at: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(60), count: fc.integer({ min: 1, max: 5 }) }),
  fc.record({ kind: fc.constant('double' as const), at: fc.nat(60) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(60), text: fragment }),
  fc.record({ kind: fc.constant('endings' as const), at: fc.nat(60), ending: fc.constantFrom('\r\n', '\r', '\n\n') }),
  fc.record({
    kind: fc.constant('markup' as const),
    at: fc.nat(60),
    tag: fc.constantFrom('b', 'i', 'a href="x"', 'div'),
  }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat(2000) }),
);

function mangle(text: string, mutations: readonly Mutation[]): string {
  let lines = text.split('\n');
  for (const m of mutations) {
    const at = lines.length === 0 ? 0 : m.kind === 'cut' ? 0 : m.at % lines.length;
    switch (m.kind) {
      case 'delete':
        lines.splice(at, m.count);
        break;
      case 'double':
        lines.splice(at, 0, lines[at] ?? '');
        break;
      case 'insert':
        lines.splice(at, 0, m.text);
        break;
      case 'endings':
        lines[at] = `${lines[at] ?? ''}${m.ending}`;
        break;
      case 'markup': {
        const line = lines[at] ?? '';
        const heading = /^(#+\s+)(.*)$/.exec(line);
        const tag = m.tag.split(' ')[0]!;
        lines[at] = heading ? `${heading[1]}<${m.tag}>${heading[2]}</${tag}>` : `<${m.tag}>${line}</${tag}>`;
        break;
      }
      case 'cut': {
        const joined = lines.join('\n');
        lines = joined.slice(0, m.at % (joined.length + 1)).split('\n');
        break;
      }
    }
  }
  return lines.join('\n');
}

const alone = importDocs([goodFunction, goodRole]);
const goodSpecs = new Map(alone.entries.map((e) => [e.name, e.spec]));

describe('import of mangled pages (property)', () => {
  it('never throws, locates every problem in the mangled page, keeps the good pages, writes valid YAML', () => {
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 8 }), (mutations) => {
        const text = mangle(victim, mutations);
        const mangled = { path: 'pages/nf-ndis-ndisvictim.md', text };
        const result = importDocs([goodFunction, mangled, goodRole]);
        const lineCount = text.split(/\r\n|\r|\n/).length;
        for (const d of result.diagnostics) {
          const shown = formatDiagnostic(d);
          expect(d.file, shown).toBe(mangled.path);
          expect(d.code, shown).toMatch(/^DDI3\d{3}$/);
          expect(d.line >= 1 && d.line <= lineCount + 1, shown).toBe(true);
          expect(d.col, shown).toBeGreaterThanOrEqual(1);
          expect(d.message, shown).not.toMatch(/could not be read/);
        }
        for (const [name, spec] of goodSpecs) {
          const found = result.entries.find((e) => e.name === name);
          // A link from the good function to the victim, or back, may come and go; the rest stays.
          const { seeAlso: _a, ...got } = (found?.spec ?? {}) as Record<string, unknown>;
          const { seeAlso: _b, ...want } = spec as unknown as Record<string, unknown>;
          expect(got, name).toEqual(want);
        }
        const sources = [
          { path: 'spec/ndis/types.yaml', text: curated },
          ...result.files.map((f) => ({ path: `spec/ndis/imported/${f.path}`, text: f.content })),
        ];
        const loaded = load(sources);
        const problems = sortDiagnostics([...loaded.diagnostics, ...validate(loaded.files, { schema })]).map(
          formatDiagnostic,
        );
        expect(problems, `YAML of the import of:\n${JSON.stringify(text)}`).toEqual([]);
      }),
      { numRuns: 300, seed: 20261129 },
    );
  });

  it('the unmangled page imports cleanly (the property starts from a valid page)', () => {
    const result = importDocs([goodFunction, { path: 'pages/nf-ndis-ndisvictim.md', text: victim }, goodRole]);
    expect(result.diagnostics).toEqual([]);
    expect(result.entries.find((e) => e.name === 'NdisVictim')!.spec).toEqual({
      name: 'NdisVictim',
      page: 'nf-ndis-ndisvictim.md',
      macro: true,
      since: 'NDIS 6.0',
      params: [
        { name: 'Buffer', dir: 'inout' },
        { name: 'Length', dir: 'in', optional: true },
        { name: 'Flags', dir: 'out' },
      ],
      returns: { type: 'ULONG' },
      irql: {
        max: 'APC_LEVEL',
        note: 'Read from the remarks of the reference page.',
        when: [{ condition: 'buffer resident', irql: { any: true } }],
      },
      compliance: ['VictimRule', 'OtherRule'],
      seeAlso: ['NdisGood'],
    });
  });
});
