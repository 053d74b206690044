/**
 * Adversarial specs: hostile names and texts are either rejected with a clear diagnostic, or escaped
 * so that the generated TypeScript still type-checks and the generated C still compiles.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../generator/src/diagnostics.js';
import { bundled } from '../../generator/src/paths.js';
import { generate } from '../../generator/src/pipeline.js';
import { readSchema } from '../../generator/src/spec/validate.js';
import { stringify } from 'yaml';

const schema = readSchema(bundled.schemaPath);
const modeline = '# yaml-language-server: $schema=../schema/ddi.schema.json';

/** Texts that break naive generators: comment terminators, template syntax, quotes, newlines. */
const hostileTexts = [
  'Ends a comment early */ int injected; /* and opens one',
  'Opens /* a comment and // a line comment',
  'Template {{provenance}} and {{#each model.roles}}x{{/each}} and {{{raw}}}',
  'Backticks `code` and ``` fences ``` and ${injected} and \\`escaped\\`',
  `Quotes "double" and 'single' and \\" escaped`,
  'Line one\nline two\n\nparagraph two',
  'Markdown | pipes | and <script>alert(1)</script> and <!-- comment --> and [link](javascript:x)',
  'A backslash at the end \\',
  'Confusable МINIPORT (Cyrillic M) and ﬁ ligature',
  '@param injected - a fake tag and @returns nothing',
  '#define TRUE 0',
  '*/',
];

function specWith(texts: readonly string[]): string {
  const doc = {
    header: 'ndis.h',
    types: [
      { name: 'VOID', kind: 'void', description: texts[0] },
      {
        name: 'BOOLEAN',
        kind: 'scalar',
        c: 'unsigned char',
        ts: 'boolean',
        bits: 8,
        signed: false,
        description: texts[1],
      },
      { name: 'NDIS_HANDLE', kind: 'handle', c: 'void *', ts: 'unknown', description: texts[2] },
      {
        name: 'SAMPLE_STRUCT',
        kind: 'struct',
        description: texts[3],
        fields: [{ name: 'Flag', type: 'BOOLEAN', description: texts[4] }],
      },
      {
        name: 'SAMPLE_ENUM',
        kind: 'enum',
        description: texts[5],
        values: [{ name: 'SampleOne', value: 1, description: texts[6] }],
      },
    ],
    constants: [{ name: 'SAMPLE_CONSTANT', type: 'BOOLEAN', value: 1, description: texts[7] }],
    roles: [
      {
        name: 'SAMPLE_ROLE',
        function: 'SampleRole',
        pointer: 'SAMPLE_ROLE_HANDLER',
        since: 'NDIS 6.0',
        description: texts[8],
        remarks: texts.slice(9),
        params: [{ name: 'Context', type: 'NDIS_HANDLE', dir: 'in', description: texts[9] }],
        returns: { type: 'BOOLEAN', description: texts[10] },
        irql: { runsAt: 'DIRQL', same: true, note: texts[11] },
        mayCall: 'anyLevel',
        invokedBy: ['SampleCall'],
      },
    ],
    functions: [
      {
        name: 'SampleCall',
        since: 'NDIS 6.0',
        description: texts.join(' '),
        remarks: [...texts],
        params: [
          { name: 'Function', type: 'SAMPLE_ROLE_HANDLER', dir: 'in', description: texts[0] },
          { name: 'Context', type: 'NDIS_HANDLE', dir: 'in', optional: true, description: texts[3] },
        ],
        returns: { type: 'BOOLEAN', description: texts[5] },
        irql: { max: 'DIRQL', note: texts[2] },
      },
    ],
  };
  return `${modeline}\n${stringify(doc, { lineWidth: 0 })}`;
}

let out: string;

beforeAll(() => {
  out = mkdtempSync(join(tmpdir(), 'ddikit-adversarial-'));
});

afterAll(() => {
  rmSync(out, { recursive: true, force: true });
});

describe('hostile texts are escaped', () => {
  it('generates, and the TypeScript type-checks and the C compiles', () => {
    const result = generate([{ path: 'spec/hostile.yaml', text: specWith(hostileTexts) }], {
      schema,
      templatesDir: bundled.templatesDir,
    });
    expect(result.diagnostics.map(formatDiagnostic)).toEqual([]);
    const files = result.files!;
    for (const file of files) {
      mkdirSync(dirname(join(out, file.path)), { recursive: true });
      writeFileSync(join(out, file.path), file.content);
    }
    writeFileSync(join(out, 'package.json'), '{ "type": "module" }\n');
    // The hand-written runtime the generated modules import.
    for (const name of ['role.ts', 'contract.ts', 'metadata-types.ts']) {
      copyFileSync(join(bundled.outDir, 'src', name), join(out, 'src', name));
    }
    const roots = files.filter((f) => f.path.endsWith('.ts')).map((f) => join(out, f.path));
    const program = ts.createProgram(roots, {
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      verbatimModuleSyntax: true,
      isolatedModules: true,
      noUncheckedIndexedAccess: true,
      skipLibCheck: true,
      types: [],
    });
    const diagnostics = ts
      .getPreEmitDiagnostics(program)
      .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    expect(diagnostics).toEqual([]);

    // Nothing outside comments and strings changed: the injected declaration does not exist.
    const roles = files.find((f) => f.path === 'src/generated/roles.ts')!.content;
    expect(roles).not.toMatch(/^\s*int injected;/m);

    writeFileSync(
      join(out, 'use.c'),
      '#include "ndis_roles.h"\nint main(void) { return SAMPLE_CONSTANT == TRUE ? 0 : 1; }\n',
    );
    const gcc = spawnSync(
      'gcc',
      [
        '-std=c11',
        '-fsyntax-only',
        '-Wall',
        '-Wextra',
        '-Werror',
        '-pedantic',
        `-I${join(out, 'include')}`,
        join(out, 'use.c'),
      ],
      { encoding: 'utf8' },
    );
    expect(gcc.stderr).toBe('');
    expect(gcc.status).toBe(0);

    const json = files.find((f) => f.path === 'src/generated/metadata.json')!.content;
    expect(() => JSON.parse(json)).not.toThrow();
  }, 60_000);
});

describe('hostile characters are rejected with a located diagnostic', () => {
  const cases: { what: string; text: string; codePoint: string }[] = [
    { what: 'NUL', text: 'before\u0000after', codePoint: 'U+0000' },
    { what: 'escape (terminal control)', text: 'red \u001b[31m text', codePoint: 'U+001B' },
    { what: 'right-to-left override (Trojan Source)', text: 'access \u202e level', codePoint: 'U+202E' },
    { what: 'left-to-right isolate', text: 'a \u2066 b', codePoint: 'U+2066' },
    { what: 'line separator', text: 'a \u2028 b', codePoint: 'U+2028' },
    { what: 'zero-width space', text: 'in\u200bvisible', codePoint: 'U+200B' },
  ];
  for (const { what, text, codePoint } of cases) {
    it(what, () => {
      const yaml = specWith([text, ...hostileTexts.slice(1)]);
      const result = generate([{ path: 'spec/hostile.yaml', text: yaml }], {
        schema,
        templatesDir: bundled.templatesDir,
      });
      expect(result.files).toBeUndefined();
      const lines = result.diagnostics.map(formatDiagnostic);
      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines) {
        expect(line).toMatch(
          new RegExp(
            `^spec/hostile\\.yaml:\\d+:\\d+ - error DDI1006: .* contains the invisible or control character ${codePoint.replace('+', '\\+')}`,
          ),
        );
      }
    });
  }
});

describe('oversized and deeply nested specs', () => {
  it('rejects nesting deeper than the limit quickly, at line 1', () => {
    const depth = 5000;
    const yaml = `${modeline}\nheader: ndis.h\nfamily: ${'['.repeat(depth)}${']'.repeat(depth)}\n`;
    const started = performance.now();
    const result = generate([{ path: 'spec/deep.yaml', text: yaml }], { schema, templatesDir: bundled.templatesDir });
    expect(performance.now() - started).toBeLessThan(5000);
    expect(result.files).toBeUndefined();
    expect(result.diagnostics.map(formatDiagnostic)).toEqual([
      'spec/deep.yaml:1:1 - error DDI1009: the document nests too deeply for the parser. A spec never needs that; check the file for runaway brackets or indentation.',
    ]);
  });

  it('rejects nesting just past the limit with its depth', () => {
    const yaml = `${modeline}\nheader: ndis.h\nfamily: ${'['.repeat(70)}${']'.repeat(70)}\n`;
    const result = generate([{ path: 'spec/deep.yaml', text: yaml }], { schema, templatesDir: bundled.templatesDir });
    expect(result.diagnostics.map(formatDiagnostic)).toEqual([
      'spec/deep.yaml:1:1 - error DDI1009: the document nests more than the 64 levels allowed. A spec never needs that; check the file for runaway brackets or indentation.',
    ]);
  });

  it('validates a 10 MB spec of 40,000 types in bounded time and reports its one error', () => {
    const entries: string[] = [];
    for (let i = 0, length = 0; length < 10 * 1024 * 1024; i++) {
      const entry = `  - name: TYPE_${i}\n    kind: scalar\n    c: unsigned int\n    ts: number\n    description: Type number ${i} of a very large spec, padded with words to make the file big enough.\n`;
      entries.push(entry);
      length += entry.length;
    }
    entries.push('  - name: TYPE_BROKEN\n    kind: scalr\n');
    const yaml = `${modeline}\nheader: ndis.h\ntypes:\n${entries.join('')}`;
    expect(yaml.length).toBeGreaterThan(10 * 1024 * 1024);
    const started = performance.now();
    const result = generate([{ path: 'spec/big.yaml', text: yaml }], { schema, templatesDir: bundled.templatesDir });
    const seconds = (performance.now() - started) / 1000;
    expect(seconds).toBeLessThan(60);
    const lines = result.diagnostics.map(formatDiagnostic);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^spec\/big\.yaml:\d+:11 - error DDI1003: kind must be one of scalar, handle, pointer, struct, enum, void \(got "scalr"\)\. Did you mean "scalar"\?$/,
    );
  }, 120_000);

  it('rejects a file over 16 MB without parsing it', () => {
    const yaml = `${modeline}\nheader: ndis.h\n#${'x'.repeat(17 * 1024 * 1024)}\n`;
    const started = performance.now();
    const result = generate([{ path: 'spec/huge.yaml', text: yaml }], { schema, templatesDir: bundled.templatesDir });
    expect(performance.now() - started).toBeLessThan(2000);
    expect(result.diagnostics.map(formatDiagnostic)).toEqual([
      `spec/huge.yaml:1:1 - error DDI1009: the file is ${Buffer.byteLength(yaml)} bytes, more than the 16777216 a spec file may have. Split it into several files.`,
    ]);
  });
});
