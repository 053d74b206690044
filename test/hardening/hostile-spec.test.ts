/**
 * Hostile spec files, one table per defect class: every case is either rejected with a located
 * diagnostic (the exact text) or generated into code that does only what the spec says. Nothing
 * throws, and the YAML library never prints a process warning of its own.
 */
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { formatDiagnostic } from '../../generator/src/diagnostics.js';
import { bundled } from '../../generator/src/paths.js';
import { generate, type PipelineResult } from '../../generator/src/pipeline.js';
import { readSchema } from '../../generator/src/spec/validate.js';

const schema = readSchema(bundled.schemaPath);
const modeline = '# yaml-language-server: $schema=../schema/ddi.schema.json';
const rulesText = readFileSync(bundled.rulesPath, 'utf8');

/** A small valid curated spec that the cases below change one way each. */
export const baseSpec = `${modeline}
header: ndis.h
types:
  - { name: VOID, kind: void }
  - { name: BOOLEAN, kind: scalar, c: unsigned char, ts: boolean, bits: 8, signed: false }
  - { name: UCHAR, kind: scalar, c: unsigned char, ts: number, bits: 8, signed: false }
  - { name: ULONG, kind: scalar, c: unsigned int, ts: number, bits: 32, signed: false }
  - { name: NDIS_HANDLE, kind: handle, c: void *, ts: unknown }
  - name: SAMPLE_MODE
    kind: enum
    values:
      - { name: SampleModeOff, value: 0 }
      - { name: SampleModeOn, value: 1 }
constants:
  - { name: SAMPLE_FLAG, type: ULONG, value: 4 }
roles:
  - name: SAMPLE_CALLBACK
    function: SampleCallback
    pointer: SAMPLE_CALLBACK_HANDLER
    since: NDIS 6.0
    description: A sample role.
    params:
      - { name: Context, type: NDIS_HANDLE, dir: in }
      - { name: Flags, type: ULONG, dir: in }
      - { name: Mode, type: SAMPLE_MODE, dir: in }
      - { name: Small, type: UCHAR, dir: in }
      - { name: Wait, type: BOOLEAN, dir: in }
    returns: { type: VOID }
    irql:
      max: DISPATCH_LEVEL
      when:
        - param: Flags
          equals: 1
          irql: { runsAt: PASSIVE_LEVEL }
functions:
  - name: SampleCall
    since: NDIS 6.0
    description: A sample DDI.
    params:
      - { name: Handle, type: NDIS_HANDLE, dir: in }
    returns: { type: VOID }
    irql: { max: DISPATCH_LEVEL }
`;

/** Generates from spec/ndis/sample.yaml (and the bundled rule table), and any other files given. */
export function generateFrom(files: Record<string, string>): PipelineResult {
  const all: Record<string, string> = { 'spec/rules.yaml': rulesText, ...files };
  return generate(
    Object.entries(all).map(([path, text]) => ({ path, text })),
    { schema, templatesDir: bundled.templatesDir },
  );
}

export function diagnosticsOf(files: Record<string, string>): string[] {
  return generateFrom(files).diagnostics.map(formatDiagnostic);
}

let warnings: MockInstance;

beforeEach(() => {
  warnings = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
});

afterEach(() => {
  // No case may make the YAML library (or anything else) print a process warning.
  expect(warnings.mock.calls.map((call) => String(call[0]))).toEqual([]);
  warnings.mockRestore();
});

describe('YAML features a spec never uses are located errors, never process warnings', () => {
  const cases: { what: string; given: string; want: string[] }[] = [
    {
      what: 'an unknown tag',
      given: baseSpec.replace('description: A sample DDI.', 'description: !evil A sample DDI.'),
      want: [
        'spec/ndis/sample.yaml:38:18 - error DDI1011: the tag "!evil" is not a tag of YAML\'s core schema; spec files use no tags. Remove it.',
      ],
    },
    {
      what: 'a tag of the YAML 1.1 types (binary)',
      given: baseSpec.replace('description: A sample DDI.', 'description: !!binary QSBzYW1wbGUgRERJLg=='),
      want: [
        'spec/ndis/sample.yaml:38:18 - error DDI1011: the tag "tag:yaml.org,2002:binary" is not a tag of YAML\'s core schema; spec files use no tags. Remove it.',
      ],
    },
    {
      what: 'a key that is a list',
      given: baseSpec.replace('header: ndis.h', 'header: ndis.h\n? [a, b]\n: 1'),
      want: [
        'spec/ndis/sample.yaml:3:3 - error DDI1011: a mapping key must be a plain name (got a list). Write the key as a word.',
      ],
    },
    {
      what: 'a key that is a mapping, in flow style',
      given: baseSpec.replace('header: ndis.h', 'header: ndis.h\nextra: {{a: 1}: 2}'),
      want: [
        'spec/ndis/sample.yaml:3:9 - error DDI1011: a mapping key must be a plain name (got a mapping). Write the key as a word.',
      ],
    },
  ];
  it.each(cases)('$what', ({ given, want }) => {
    expect(diagnosticsOf({ 'spec/ndis/sample.yaml': given })).toEqual(want);
  });
});

describe('values of the wrong type in merged entries are diagnostics, not exceptions', () => {
  const imported = `${modeline}
header: ndis.h
imported: true
functions:
  - name: { x: 1 }
    params: []
    irql: { max: DISPATCH_LEVEL }
  - name: [SampleCall]
    params: []
    irql: { max: DISPATCH_LEVEL }
`;
  const cases: { what: string; given: Record<string, string>; want: string[] }[] = [
    {
      // The first full fuzz run: a name set to a mapping in an imported file threw a TypeError.
      what: 'an imported entry whose name is a mapping or a list',
      given: { 'spec/ndis/sample.yaml': baseSpec, 'spec/ndis/imported/functions.yaml': imported },
      want: [
        'spec/ndis/imported/functions.yaml:5:11 - error DDI1005: name must be a string (got a mapping).',
        'spec/ndis/imported/functions.yaml:8:11 - error DDI1005: name must be a string (got a list).',
      ],
    },
  ];
  it.each(cases)('$what', ({ given, want }) => {
    expect(diagnosticsOf(given)).toEqual(want);
  });
});
