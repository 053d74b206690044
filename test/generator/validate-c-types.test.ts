/**
 * Validation of what the C headers need beyond names: pointer-sized scalars, scalars C declares as
 * records, handles that point at a structure, unions, members declared in place, bit-fields and the
 * size macros of revisions. Each case breaks a small valid spec one way and asserts the exact text.
 */
import { describe, expect, it } from 'vitest';
import { formatDiagnostic, sortDiagnostics } from '../../generator/src/diagnostics.js';
import { bundled } from '../../generator/src/paths.js';
import { load } from '../../generator/src/spec/load.js';
import { readSchema, validate } from '../../generator/src/spec/validate.js';

const schema = readSchema(bundled.schemaPath);

const base = `# yaml-language-server: $schema=../schema/ddi.schema.json
header: ndis.h
types:
  - name: ULONG
    kind: scalar
    c: unsigned int
    ts: number
    bits: 32
  - name: LONGLONG
    kind: scalar
    c: long long
    ts: bigint
    bits: 64
    signed: true
  - name: ULONG_PTR
    kind: scalar
    c: unsigned long long
    ts: bigint
    bits: 64
    pointerSized: true
  - name: LARGE_INTEGER
    kind: struct
    union: true
    fields:
      - name: Parts
        anonymous: true
        members:
          - name: LowPart
            type: ULONG
          - name: HighPart
            type: ULONG
      - name: QuadPart
        type: LONGLONG
  - name: PHYSICAL_ADDRESS
    kind: scalar
    c: long long
    ts: bigint
    bits: 64
    signed: true
    record: LARGE_INTEGER
  - name: RANGE
    kind: struct
    pack: 4
    fields:
      - name: Start
        type: PHYSICAL_ADDRESS
      - name: Flags
        type: ULONG
        width: 8
      - name: Length
        type: ULONG
    sizes:
      - name: RANGE_SIZE_1
        through: Length
  - name: PRANGE_LIST
    kind: handle
    c: void *
    ts: unknown
    to: RANGE
`;

function run(text: string): string[] {
  const loaded = load([{ path: 'spec/a.yaml', text }]);
  return sortDiagnostics([...loaded.diagnostics, ...validate(loaded.files, { schema })]).map(formatDiagnostic);
}

function replace(text: string, from: string, to: string): string {
  if (!text.includes(from)) throw new Error(`test fixture does not contain ${JSON.stringify(from)}`);
  return text.replace(from, to);
}

describe('validate: C layout facts', () => {
  it('accepts unions, members in place, bit-fields, packing, records and size macros', () => {
    expect(run(base)).toEqual([]);
  });

  const cases: { name: string; given: string; want: string[] }[] = [
    {
      name: 'DDI2016 a pointer-sized scalar that does not say 64 bits',
      given: replace(base, '    bits: 64\n    pointerSized: true', '    bits: 32\n    pointerSized: true'),
      want: [
        'spec/a.yaml:19:11 - error DDI2016: ULONG_PTR is pointer-sized, so bits must state its width on x64, 64 (got 32). Set bits: 64.',
      ],
    },
    {
      name: 'DDI2017 a scalar declared as something that is not a structure',
      given: replace(base, '    record: LARGE_INTEGER', '    record: ULONG'),
      want: [
        'spec/a.yaml:40:13 - error DDI2017: "ULONG" is a scalar, not a structure or union. Name a struct type, or remove the property.',
      ],
    },
    {
      name: 'DDI2017 a handle that points at a scalar',
      given: replace(base, '    to: RANGE\n', '    to: LONGLONG\n'),
      want: [
        'spec/a.yaml:59:9 - error DDI2017: "LONGLONG" is a scalar, not a structure or union. Name a struct type, or remove the property.',
      ],
    },
    {
      name: 'DDI2002 a record that no entry defines',
      given: replace(base, '    record: LARGE_INTEGER', '    record: LARGE_INTEGR'),
      want: [
        'spec/a.yaml:40:13 - error DDI2002: unknown type "LARGE_INTEGR". Did you mean "LARGE_INTEGER"? Define it under types:, or use a type the spec defines.',
      ],
    },
    {
      name: 'DDI2018 a bit-field wider than its type',
      given: replace(base, '        width: 8', '        width: 33'),
      want: [
        'spec/a.yaml:49:16 - error DDI2018: bit-field "Flags" is 33 bits wide, more than its type ULONG holds (32). Narrow it, or widen the type.',
      ],
    },
    {
      name: 'DDI2018 a bit-field of a scalar C declares as a record',
      given: replace(base, '        type: ULONG\n        width: 8', '        type: PHYSICAL_ADDRESS\n        width: 8'),
      want: [
        'spec/a.yaml:48:15 - error DDI2018: bit-field "Flags" has type PHYSICAL_ADDRESS, a scalar C declares as a record. Give a bit-field a fixed-width scalar type such as ULONG.',
      ],
    },
    {
      name: 'DDI2019 a field with both a type and members',
      given: replace(
        base,
        '      - name: Parts\n        anonymous: true',
        '      - name: Parts\n        type: ULONG\n        anonymous: true',
      ),
      want: [
        'spec/a.yaml:26:15 - error DDI2019: field "Parts" is declared in place with members, so it has no type of its own. Remove it, or the members.',
      ],
    },
    {
      name: 'DDI2019 anonymous without members',
      given: replace(
        base,
        '      - name: QuadPart\n        type: LONGLONG',
        '      - name: QuadPart\n        anonymous: true\n        type: LONGLONG',
      ),
      want: [
        'spec/a.yaml:33:20 - error DDI2019: field "QuadPart" is marked anonymous, which only a field declared in place with members can be. Add its members, or remove the mark.',
      ],
    },
    {
      name: 'DDI2019 a size macro through no field',
      given: replace(base, '        through: Length', '        through: Lenght'),
      want: [
        'spec/a.yaml:54:18 - error DDI2019: the size macro RANGE_SIZE_1 runs through "Lenght", which is no field of RANGE. Did you mean "Length"?',
      ],
    },
    {
      name: 'DDI2012 a field of an anonymous member that repeats a field of the record',
      given: replace(
        base,
        '          - name: HighPart\n            type: ULONG',
        '          - name: QuadPart\n            type: ULONG',
      ),
      want: ['spec/a.yaml:32:15 - error DDI2012: field "QuadPart" appears twice. Rename or remove one.'],
    },
    {
      name: 'DDI1003 a packing the Windows headers never use',
      given: replace(base, '    pack: 4', '    pack: 3'),
      want: ['spec/a.yaml:43:11 - error DDI1003: pack must be one of 1, 2, 4, 8 (got 3).'],
    },
    {
      name: 'DDI2011 union on a scalar',
      given: replace(base, '    record: LARGE_INTEGER', '    record: LARGE_INTEGER\n    union: true'),
      want: ['spec/a.yaml:41:5 - error DDI2011: union does not apply to a scalar type. Remove it, or change kind.'],
    },
  ];

  for (const { name, given, want } of cases) {
    it(name, () => {
      expect(run(given)).toEqual(want);
    });
  }
});
