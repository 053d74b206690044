/**
 * Hostile spec files, one table per defect class: every case is either rejected with a located
 * diagnostic (the exact text) or generated into code that does only what the spec says. Nothing
 * throws, and the YAML library never prints a process warning of its own.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { formatDiagnostic } from '../../generator/src/diagnostics.js';
import { bundled } from '../../generator/src/paths.js';
import { generate, type PipelineResult } from '../../generator/src/pipeline.js';
import { prose } from '../../generator/src/render/markdown.js';
import { render } from '../../generator/src/render/render.js';
import { scaffold } from '../../generator/src/render/scaffold.js';
import { load } from '../../generator/src/spec/load.js';
import { buildModel } from '../../generator/src/spec/model.js';
import { readSchema } from '../../generator/src/spec/validate.js';
import { baseSpec, modeline } from './sample-spec.js';

const schema = readSchema(bundled.schemaPath);
const rulesText = readFileSync(bundled.rulesPath, 'utf8');
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

// ---------------------------------------------------------------------------------------------------
// Template slots: every value that reaches C, TypeScript or Markdown outside a comment has a kind.

/** The base spec with the `equals` of its one conditional contract replaced (YAML text). */
function withEquals(param: string, equals: string): string {
  return baseSpec.replace(
    '        - param: Flags\n          equals: 1\n',
    `        - param: ${param}\n          equals: ${equals}\n`,
  );
}

/** Writes the generated header and a C scaffold of SAMPLE_CALLBACK and compiles both with -Werror. */
function compileC(result: PipelineResult): { status: number | null; stderr: string; header: string } {
  const dir = mkdtempSync(join(tmpdir(), 'ddikit-hostile-c-'));
  try {
    const header = result.files!.find((f) => f.path === 'include/ndis_roles.h')!.content;
    mkdirSync(join(dir, 'include'));
    writeFileSync(join(dir, 'include/ndis_roles.h'), header);
    const scaffolded = scaffold(result.model!, [{ role: 'SAMPLE_CALLBACK', name: 'ContosoCallback' }], 'c');
    expect(scaffolded.diagnostics).toEqual([]);
    for (const file of scaffolded.files) writeFileSync(join(dir, file.path), file.content);
    writeFileSync(join(dir, 'use.c'), '#include "ndis_roles.h"\nint main(void) { return 0; }\n');
    const gcc = spawnSync(
      'gcc',
      [
        '-std=c11',
        '-fsyntax-only',
        '-Wall',
        '-Wextra',
        '-Werror',
        '-pedantic',
        `-I${join(dir, 'include')}`,
        join(dir, 'use.c'),
        join(dir, 'contosocallback.c'),
      ],
      { encoding: 'utf8' },
    );
    return { status: gcc.status, stderr: gcc.stderr, header };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('irql.when[].equals is an integer in range, TRUE/FALSE, a level name or a constant or member name', () => {
  const rejected: { what: string; given: string; want: string[] }[] = [
    {
      what: 'C code after the value (the injection into _When_)',
      given: withEquals('Flags', '"0, x) int injected_by_spec = 1; void evil(void) { } _When_(0"'),
      want: [
        'spec/ndis/sample.yaml:33:19 - error DDI1006: irql.when[0].equals has the wrong form (got "0, x) int injected_by_spec = 1; void evil(void) { } _Whe...). Write an integer, TRUE or FALSE, a level name, or the name of a constant or enum member.',
      ],
    },
    {
      what: 'an expression',
      given: withEquals('Flags', '"1 || 1"'),
      want: [
        'spec/ndis/sample.yaml:33:19 - error DDI1006: irql.when[0].equals has the wrong form (got "1 || 1"). Write an integer, TRUE or FALSE, a level name, or the name of a constant or enum member.',
      ],
    },
    {
      what: 'a fraction',
      given: withEquals('Flags', '1.5'),
      want: [
        'spec/ndis/sample.yaml:33:19 - error DDI1005: irql.when[0].equals must be a string, an integer or a boolean (got number 1.5).',
      ],
    },
    {
      what: 'an integer out of the range of the parameter type',
      given: withEquals('Small', '256'),
      want: [
        "spec/ndis/sample.yaml:33:19 - error DDI1006: irql.when[0].equals is 256, which does not fit in Small's type UCHAR (unsigned 8 bits). Correct the value.",
      ],
    },
    {
      what: 'a negative integer for an unsigned parameter',
      given: withEquals('Flags', '-1'),
      want: [
        "spec/ndis/sample.yaml:33:19 - error DDI1006: irql.when[0].equals is -1, which does not fit in Flags's type ULONG (unsigned 32 bits). Correct the value.",
      ],
    },
    {
      what: 'a hexadecimal string out of range',
      given: withEquals('Small', '"0x100"'),
      want: [
        "spec/ndis/sample.yaml:33:19 - error DDI1006: irql.when[0].equals is 0x100, which does not fit in Small's type UCHAR (unsigned 8 bits). Correct the value.",
      ],
    },
    {
      what: 'a name the spec does not define',
      given: withEquals('Flags', 'SAMPLE_FLAGS'),
      want: [
        'spec/ndis/sample.yaml:33:19 - error DDI2003: irql.when[0].equals names "SAMPLE_FLAGS", which is no constant of the spec. Did you mean "SAMPLE_FLAG"? Use an integer, TRUE or FALSE, a level name, or the name of a constant.',
      ],
    },
    {
      what: 'a member of the parameter type that the spec does not define',
      given: withEquals('Mode', 'SampleModeMaybe'),
      want: [
        'spec/ndis/sample.yaml:33:19 - error DDI2003: irql.when[0].equals names "SampleModeMaybe", which is no constant of the spec and no member of SAMPLE_MODE. Did you mean "SampleModeOff"? Use an integer, TRUE or FALSE, a level name, or the name of a constant or member.',
      ],
    },
    {
      what: 'DIRQL, which C has no name for',
      given: withEquals('Flags', 'DIRQL'),
      want: [
        'spec/ndis/sample.yaml:33:19 - error DDI2003: irql.when[0].equals names "DIRQL", which is no constant of the spec; DIRQL is a range of levels with no C name. Use an integer, TRUE or FALSE, a level name, or the name of a constant.',
      ],
    },
  ];
  it.each(rejected)('rejects $what', ({ given, want }) => {
    expect(diagnosticsOf({ 'spec/ndis/sample.yaml': given })).toEqual(want);
  });

  const accepted: { what: string; given: string; want: string }[] = [
    { what: 'a decimal integer', given: withEquals('Flags', '4294967295'), want: '_When_(Flags == 4294967295,' },
    { what: 'a hexadecimal string', given: withEquals('Small', '"0xFF"'), want: '_When_(Small == 0xFF,' },
    { what: 'a boolean', given: withEquals('Wait', 'true'), want: '_When_(Wait == TRUE,' },
    { what: 'FALSE', given: withEquals('Wait', 'FALSE'), want: '_When_(Wait == FALSE,' },
    { what: 'a constant', given: withEquals('Flags', 'SAMPLE_FLAG'), want: '_When_(Flags == SAMPLE_FLAG,' },
    {
      what: 'a member of the parameter enum',
      given: withEquals('Mode', 'SampleModeOn'),
      want: '_When_(Mode == SampleModeOn,',
    },
    { what: 'a level name', given: withEquals('Small', 'DISPATCH_LEVEL'), want: '_When_(Small == DISPATCH_LEVEL,' },
  ];
  it.each(accepted)('accepts $what, and the header compiles', ({ given, want }) => {
    const result = generateFrom({ 'spec/ndis/sample.yaml': given });
    expect(result.diagnostics.map(formatDiagnostic)).toEqual([]);
    const compiled = compileC(result);
    expect(compiled.header).toContain(want);
    expect(compiled.stderr).toBe('');
    expect(compiled.status).toBe(0);
  });

  it('the renderer refuses a value of no kind even when validation is skipped', () => {
    const hostile = withEquals('Flags', '"0) int injected; _When_(0"');
    const loaded = load([
      { path: 'spec/rules.yaml', text: rulesText },
      { path: 'spec/ndis/sample.yaml', text: hostile },
    ]);
    expect(() => render(buildModel(loaded.files), { templatesDir: bundled.templatesDir, version: '0.0.0' })).toThrow(
      /internal error: .*equals.* is not a C constant \(got "0\) int injected; _When_\(0"\)/,
    );
  });
});

describe('prose reaches C comments without opening or splicing one', () => {
  const prose = 'Opens /* a comment, ends one */ and splices ??/';
  const cases: { what: string; given: string }[] = [
    {
      what: 'a condition stated in words',
      given: baseSpec.replace('        - param: Flags\n          equals: 1\n', `        - condition: "${prose}"\n`),
    },
    {
      what: 'a return description',
      given: baseSpec.replace(
        '    returns: { type: VOID }\n    irql:\n      max',
        `    returns: { type: ULONG, description: "${prose}" }\n    irql:\n      max`,
      ),
    },
    {
      what: 'the description of an out parameter the scaffold fills in',
      given: baseSpec
        .replace(
          '  - { name: NDIS_HANDLE, kind: handle, c: void *, ts: unknown }',
          '  - { name: NDIS_HANDLE, kind: handle, c: void *, ts: unknown }\n  - { name: PULONG, kind: pointer, to: ULONG }',
        )
        .replace(
          '      - { name: Context, type: NDIS_HANDLE, dir: in }',
          `      - { name: Context, type: NDIS_HANDLE, dir: in }\n      - { name: Count, type: PULONG, dir: out, description: "${prose}" }`,
        ),
    },
  ];
  it.each(cases)('$what: the header and the scaffold compile with -Wall -Wextra -Werror', ({ given }) => {
    const result = generateFrom({ 'spec/ndis/sample.yaml': given });
    expect(result.diagnostics.map(formatDiagnostic)).toEqual([]);
    const compiled = compileC(result);
    expect(compiled.stderr).toBe('');
    expect(compiled.status).toBe(0);
  });
});

describe('raw HTML in prose does not reach the reference pages', () => {
  const hostile = 'A <img src=x onerror=alert(1)> and <script>alert(2)</script>, <!-- hidden, a & b, `x<y` stays code';
  const given = baseSpec
    .replace('    description: A sample role.', `    description: "${hostile}"`)
    .replace(
      '      - { name: Context, type: NDIS_HANDLE, dir: in }',
      `      - { name: Context, type: NDIS_HANDLE, dir: in, description: "${hostile}" }`,
    )
    .replace('        - param: Flags\n          equals: 1\n', `        - condition: "${hostile}"\n`);
  const result = generateFrom({ 'spec/ndis/sample.yaml': given });
  const pages = (result.files ?? []).filter((f) => f.path.endsWith('.md'));

  it('escapes <, > and & outside code spans, everywhere prose appears', () => {
    expect(result.diagnostics.map(formatDiagnostic)).toEqual([]);
    const page = pages.find((f) => f.path === 'docs/reference/sample_callback.md')!.content;
    const escaped =
      'A &lt;img src=x onerror=alert(1)&gt; and &lt;script&gt;alert(2)&lt;/script&gt;, &lt;!-- hidden, a &amp; b, `x<y` stays code';
    expect(page).toContain(`${escaped}\n`);
    expect(page).toContain(`| \`Context\` | [\`NDIS_HANDLE\`](./types.md#ndis_handle) | in (\`_In_\`) | ${escaped} |`);
    for (const { path, content } of pages) {
      // Past the two provenance comments at the top, and outside code, no tag or comment but the
      // generator's own anchors and line breaks.
      const body = content
        .split('\n')
        .slice(2)
        .join('\n')
        .replace(/```[\s\S]*?```/g, '')
        .replace(/`[^`\n]*`/g, '');
      expect(body, path).not.toMatch(/<(?!a id="[a-z0-9_-]+"><\/a>|br>|\/a>)[A-Za-z!/]/);
    }
  });
});

describe('prose(): HTML escaped outside code spans, code spans as written', () => {
  const cases: { given: string; want: string }[] = [
    { given: 'plain text stays as it is', want: 'plain text stays as it is' },
    { given: 'a < b && c > d', want: 'a &lt; b &amp;&amp; c &gt; d' },
    { given: '`a<b` < c', want: '`a<b` &lt; c' },
    { given: '``a`b<`` <!--', want: '``a`b<`` &lt;!--' },
    { given: 'an unclosed ` <x> stays text', want: 'an unclosed ` &lt;x&gt; stays text' },
    { given: '`` closes only on two: ` <a> ``', want: '`` closes only on two: ` <a> ``' },
    { given: '<script>`</script>`', want: '&lt;script&gt;`</script>`' },
  ];
  it.each(cases)('$given', ({ given, want }) => {
    expect(prose(given)).toBe(want);
  });
});

// ---------------------------------------------------------------------------------------------------
// Numbers: every literal fits its type and is held exactly.

describe('numeric literals are checked against the range and exactness of their type', () => {
  const withMode = (value: string): string =>
    baseSpec.replace('{ name: SampleModeOn, value: 1 }', `{ name: SampleModeOn, value: ${value} }`);
  const withTypes = (types: string, constant: string): string =>
    baseSpec
      .replace(
        '  - { name: NDIS_HANDLE, kind: handle, c: void *, ts: unknown }',
        `  - { name: NDIS_HANDLE, kind: handle, c: void *, ts: unknown }\n${types}`,
      )
      .replace(
        '  - { name: SAMPLE_FLAG, type: ULONG, value: 4 }',
        `  - { name: SAMPLE_FLAG, type: ULONG, value: 4 }\n${constant}`,
      );
  const cases: { what: string; given: string; want: string[] }[] = [
    {
      what: 'an enum value that overflows to Infinity',
      given: withMode('1e309'),
      want: [
        'spec/ndis/sample.yaml:13:38 - error DDI1006: the number 1e309 cannot be held exactly: a spec number is an integer of at most 2^53 - 1 in magnitude, and this one would be read as Infinity. Correct it, or write it as a string ("0x…") where the property allows one.',
      ],
    },
    {
      what: 'an enum value in exponent form',
      given: withMode('1e21'),
      want: [
        'spec/ndis/sample.yaml:13:38 - error DDI1006: the number 1e21 cannot be held exactly: a spec number is an integer of at most 2^53 - 1 in magnitude, and this one would be read as 1e+21. Correct it, or write it as a string ("0x…") where the property allows one.',
      ],
    },
    {
      what: 'an integer beyond 2^53, silently rounded by the parser',
      given: withMode('9007199254740993'),
      want: [
        'spec/ndis/sample.yaml:13:38 - error DDI1006: the number 9007199254740993 cannot be held exactly: a spec number is an integer of at most 2^53 - 1 in magnitude, and this one would be read as 9007199254740992. Correct it, or write it as a string ("0x…") where the property allows one.',
      ],
    },
    {
      what: 'NaN',
      given: withMode('.nan'),
      want: [
        'spec/ndis/sample.yaml:13:38 - error DDI1006: the number .nan cannot be held exactly: a spec number is an integer of at most 2^53 - 1 in magnitude, and this one would be read as NaN. Correct it, or write it as a string ("0x…") where the property allows one.',
      ],
    },
    {
      what: 'an enum value past a C int',
      given: withMode('4294967296'),
      want: [
        'spec/ndis/sample.yaml:13:38 - error DDI1006: the value 4294967296 of SampleModeOn does not fit in a C enum (a signed 32-bit int, -2147483648 to 2147483647). Correct the value.',
      ],
    },
    {
      what: 'a negative decimal string below a signed type',
      given: withTypes(
        '  - { name: LONG, kind: scalar, c: int, ts: number, bits: 32, signed: true }',
        '  - { name: SAMPLE_LOW, type: LONG, value: "-99999999999999999999" }',
      ),
      want: [
        'spec/ndis/sample.yaml:17:44 - error DDI1006: the value "-99999999999999999999" does not fit in LONG (signed 32 bits). Correct the value or the type.',
      ],
    },
    {
      what: 'a 64-bit constant of a type TypeScript holds as a number',
      given: withTypes(
        '  - { name: ULONG64, kind: scalar, c: unsigned long long, ts: number, bits: 64, signed: false }',
        '  - { name: SAMPLE_ALL, type: ULONG64, value: "0xFFFFFFFFFFFFFFFF" }',
      ),
      want: [
        'spec/ndis/sample.yaml:17:47 - error DDI1006: the value "0xFFFFFFFFFFFFFFFF" of SAMPLE_ALL is beyond 2^53 - 1, which a TypeScript number (the ts of ULONG64) cannot hold exactly. Give ULONG64 ts: bigint, or correct the value.',
      ],
    },
    {
      what: 'an array count past the bound',
      given: baseSpec.replace(
        '  - name: SAMPLE_MODE',
        '  - name: SAMPLE_BUFFER\n    kind: struct\n    fields:\n      - { name: Data, type: UCHAR, count: 100000 }\n  - name: SAMPLE_MODE',
      ),
      want: ['spec/ndis/sample.yaml:12:43 - error DDI1006: fields[0].count must be at most 65535 (got 100000).'],
    },
  ];
  it.each(cases)('$what', ({ given, want }) => {
    expect(diagnosticsOf({ 'spec/ndis/sample.yaml': given })).toEqual(want);
  });

  it('a 64-bit constant of a bigint type keeps every bit in C and TypeScript', () => {
    const result = generateFrom({
      'spec/ndis/sample.yaml': withTypes(
        '  - { name: ULONG64, kind: scalar, c: unsigned long long, ts: bigint, bits: 64, signed: false }',
        '  - { name: SAMPLE_ALL, type: ULONG64, value: "0xFFFFFFFFFFFFFFFF" }',
      ),
    });
    expect(result.diagnostics.map(formatDiagnostic)).toEqual([]);
    const types = result.files!.find((f) => f.path === 'src/generated/types.ts')!.content;
    expect(types).toContain('export const SAMPLE_ALL: ULONG64 = 0xFFFFFFFFFFFFFFFFn;');
    expect(result.files!.find((f) => f.path === 'include/ndis_roles.h')!.content).toMatch(
      /#define SAMPLE_ALL +\(\(ULONG64\)0xFFFFFFFFFFFFFFFFULL\)/,
    );
  });
});

// ---------------------------------------------------------------------------------------------------
// Names: within MSVC's limit, file names the file system takes, and scaffold names C leaves free.

describe('identifiers are at most 2,048 characters (MSVC), and long ones still make valid file names', () => {
  const long = (n: number): string => `SAMPLE_${'X'.repeat(n - 7)}`;
  it('rejects a name of 2,049 characters', () => {
    const given = baseSpec.replaceAll('SAMPLE_MODE', long(2049));
    expect(diagnosticsOf({ 'spec/ndis/sample.yaml': given })).toEqual([
      `spec/ndis/sample.yaml:9:11 - error DDI1006: name is 2049 characters long, more than the 2048 allowed (got "${long(2049).slice(0, 56)}...). Shorten it.`,
      `spec/ndis/sample.yaml:25:29 - error DDI1006: params[2].type is 2049 characters long, more than the 2048 allowed (got "${long(2049).slice(0, 56)}...). Shorten it.`,
    ]);
  });

  it('generates for a name of 2,048 characters, its page under a file name of at most 255 bytes', () => {
    const given = baseSpec.replaceAll('SAMPLE_MODE', long(2048));
    const result = generateFrom({ 'spec/ndis/sample.yaml': given });
    expect(result.diagnostics.map(formatDiagnostic)).toEqual([]);
    const page = result.files!.find((f) => f.content.includes(`# ${long(2048)}\n`))!;
    const name = page.path.split('/').pop()!;
    expect(Buffer.byteLength(name)).toBeLessThanOrEqual(255 - '.ddikit-4194304-zzzzzz.tmp'.length);
    expect(name).toMatch(/^sample_x+-[0-9a-f]{8}\.md$/);
    // The index links to it under that name.
    expect(result.files!.find((f) => f.path === 'docs/reference/README.md')!.content).toContain(`(./${name})`);
  });
});

describe('scaffold names that C or the WDK already use are refused with a suggestion', () => {
  const model = generateFrom({ 'spec/ndis/sample.yaml': baseSpec }).model!;
  const cases: { given: string; want: string }[] = [
    {
      given: 'main',
      want: 'DDI4003: --role SAMPLE_CALLBACK:main: "main" is the name of a C program\'s entry point; a driver function of that name conflicts with it (gcc -Werror fails). Choose another name, such as "ContosoMain".',
    },
    {
      given: 'abs',
      want: 'DDI4003: --role SAMPLE_CALLBACK:abs: "abs" is a name of the C standard library; a driver function of that name conflicts with its declaration (gcc -Werror fails). Choose another name, such as "ContosoAbs".',
    },
    {
      given: 'printf',
      want: 'DDI4003: --role SAMPLE_CALLBACK:printf: "printf" is a name of the C standard library; a driver function of that name conflicts with its declaration (gcc -Werror fails). Choose another name, such as "ContosoPrintf".',
    },
    {
      given: 'strsample',
      want: 'DDI4003: --role SAMPLE_CALLBACK:strsample: "strsample" is reserved for the C standard library (names starting with str, mem, wcs, is or to and a lower-case letter). Choose another name, such as "ContosoStrsample".',
    },
    {
      given: 'DriverEntry',
      want: 'DDI4003: --role SAMPLE_CALLBACK:DriverEntry: "DriverEntry" is the entry point the WDK gives every driver. Choose another name, such as "ContosoDriverEntry".',
    },
    {
      given: 'KeSampleCallback',
      want: 'DDI4003: --role SAMPLE_CALLBACK:KeSampleCallback: "KeSampleCallback" starts with Ke, a prefix the WDK reserves for its own routines. Choose another name, such as "ContosoSampleCallback".',
    },
  ];
  it.each(cases)('$given', ({ given, want }) => {
    expect(scaffold(model, [{ role: 'SAMPLE_CALLBACK', name: given }], 'c').diagnostics).toEqual([want]);
  });

  it('accepts DriverEntry only for the role whose function the spec names DriverEntry, never GsDriverEntry', () => {
    const entry = generateFrom({
      'spec/ndis/sample.yaml': baseSpec.replace('function: SampleCallback', 'function: DriverEntry'),
    }).model!;
    expect(scaffold(entry, [{ role: 'SAMPLE_CALLBACK', name: 'DriverEntry' }], 'c').diagnostics).toEqual([]);
    expect(scaffold(entry, [{ role: 'SAMPLE_CALLBACK', name: 'GsDriverEntry' }], 'c').diagnostics).toEqual([
      'DDI4003: --role SAMPLE_CALLBACK:GsDriverEntry: "GsDriverEntry" is the entry point the WDK gives every driver. Choose another name, such as "ContosoGsDriverEntry".',
    ]);
  });

  it('accepts driver names, and the TypeScript scaffold is not held to C names', () => {
    for (const name of ['ContosoCallback', 'MySampleCallback', 'Kernel', 'IsrHandler']) {
      expect(scaffold(model, [{ role: 'SAMPLE_CALLBACK', name }], 'c').diagnostics, name).toEqual([]);
    }
    expect(scaffold(model, [{ role: 'SAMPLE_CALLBACK', name: 'printf' }], 'ts').diagnostics).toEqual([]);
  });
});
