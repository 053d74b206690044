/**
 * Golden case test/golden/import-pages: reference pages written for the test → the YAML that
 * `ddikit import-docs` writes and the diagnostics it prints. UPDATE_GOLDEN=1 rewrites expected/.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { formatDiagnostic, sortDiagnostics } from '../../generator/src/diagnostics.js';
import { importDocs } from '../../generator/src/import/import-docs.js';
import { goldenVersion } from '../golden/version.js';
import { load } from '../../generator/src/spec/load.js';
import { buildModel } from '../../generator/src/spec/model.js';
import { bundled } from '../../generator/src/paths.js';
import { readSchema, validate } from '../../generator/src/spec/validate.js';

const caseDir = join(bundled.root, 'test/golden/import-pages');
const pagesDir = join(caseDir, 'pages');
const expectedDir = join(caseDir, 'expected');
const update = process.env['UPDATE_GOLDEN'] === '1';

function pages(): { path: string; text: string }[] {
  return readdirSync(pagesDir)
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => ({
      path: relative(bundled.root, join(pagesDir, name)).split('\\').join('/'),
      text: readFileSync(join(pagesDir, name), 'utf8'),
    }));
}

function run() {
  return importDocs(pages(), { schemaPath: '../../../../spec/schema/ddi.schema.json', version: goldenVersion });
}

/** A curated file with the types the imported return types name. */
const curated = `# yaml-language-server: $schema=../schema/ddi.schema.json
header: ndis.h
types:
  - { name: VOID, kind: void }
  - { name: ULONG, kind: scalar, c: unsigned int, ts: number, bits: 32, signed: false }
  - { name: NDIS_STATUS, kind: scalar, c: int, ts: number, bits: 32, signed: true }
`;

describe('golden case import-pages (UPDATE_GOLDEN=1 rewrites expected/)', () => {
  it('matches expected/ byte for byte: the YAML files and the diagnostics', () => {
    const result = run();
    const produced = [
      ...result.files,
      { path: 'diagnostics.txt', content: `${result.diagnostics.map(formatDiagnostic).join('\n')}\n` },
    ].sort((a, b) => (a.path < b.path ? -1 : 1));
    if (update) {
      rmSync(expectedDir, { recursive: true, force: true });
      mkdirSync(expectedDir, { recursive: true });
      for (const file of produced) writeFileSync(join(expectedDir, file.path), file.content);
    }
    expect(existsSync(expectedDir)).toBe(true);
    expect(readdirSync(expectedDir).sort()).toEqual(produced.map((f) => f.path));
    for (const file of produced) {
      expect(file.content, `${file.path} differs; if intended, rerun with UPDATE_GOLDEN=1 and review the diff`).toBe(
        readFileSync(join(expectedDir, file.path), 'utf8'),
      );
    }
  });

  it('reports each bad page at its line, and imports every other page', () => {
    const result = run();
    const lines = result.diagnostics.map(formatDiagnostic);
    expect(lines).toEqual([
      'test/golden/import-pages/pages/nf-ndis-broken.md:1:1 - error DDI3001: the page does not start with a "---" line, so it has no front matter (got "UID: NF:ndis.NdisSampleBroken"). A reference page starts with YAML front matter between two "---" lines; the page was skipped.',
      'test/golden/import-pages/pages/nf-ndis-ndissampleempty.md:21:1 - warning DDI3007: the parameter "..." stands for a variable argument list, which the spec cannot state; it was left out.',
      'test/golden/import-pages/pages/nf-ndis-ndissampleodd.md:6:11 - warning DDI3004: req.irql "Whenever convenient" is no IRQL form the importer reads (such as "<= DISPATCH_LEVEL", "PASSIVE_LEVEL", "Any level" or "See Remarks section"); the contract is recorded as unknown.',
      'test/golden/import-pages/pages/nf-ndis-ndissampleodd.md:17:12 - warning DDI3003: the heading holds markup ("<b>"); it was read without it. Headings of reference pages are plain text.',
      'test/golden/import-pages/pages/nf-ndis-ndissamplestatus.md:2:1 - warning DDI3006: nf-ndis-ndissamplestatus~r1.md also documents "NdisSampleStatus"; this page is the NDIS 5.x form, so the other one was kept.',
    ]);
    expect(result.summary).toMatchObject({
      pages: 12,
      skipped: 2,
      byKind: { role: 1, function: 6, struct: 1, enum: 1 },
    });
    expect(result.entries.map((e) => e.name)).toEqual([
      'NdisSampleAcquire',
      'NdisSampleCopy',
      'NdisSampleEmpty',
      'NdisSampleOdd',
      'NdisSampleRelease',
      'NdisSampleStatus',
      'SAMPLE_BLOCK',
      'SAMPLE_CALLBACK',
      'SAMPLE_KIND',
    ]);
  });

  it('reads the facts: directions in both layouts, macro arguments, versions, links, returns and contracts', () => {
    const functions = parse(run().files.find((f) => f.path === 'functions.yaml')!.content).functions as Record<
      string,
      unknown
    >[];
    const byName = new Map(functions.map((f) => [f['name'], f]));
    expect(byName.get('NdisSampleAcquire')).toEqual({
      name: 'NdisSampleAcquire',
      page: 'nf-ndis-ndissampleacquire.md',
      macro: true,
      since: 'NDIS 6.0',
      params: [
        { name: 'SampleLock', dir: 'in' },
        { name: 'Flags', dir: 'in', optional: true },
      ],
      irql: { max: 'DISPATCH_LEVEL' },
      compliance: ['SampleLock', 'SampleLockBalanced'],
      // The link to a page that is not in the folder and the one to another header are left out.
      seeAlso: ['NdisSampleRelease'],
    });
    expect(byName.get('NdisSampleRelease')).toMatchObject({
      since: 'NDIS 6.20',
      params: [
        { name: 'SampleLock', dir: 'in' },
        { name: 'OldState', dir: 'out', optional: true },
      ],
      returns: { type: 'VOID' },
      irql: { runsAt: 'DISPATCH_LEVEL' },
    });
    expect(byName.get('NdisSampleCopy')).toMatchObject({
      since: 'NDIS 6.80',
      irql: {
        max: 'APC_LEVEL',
        note: 'Read from the remarks of the reference page.',
        when: [{ condition: 'both buffers locked in memory', irql: { any: true } }],
      },
    });
    expect(byName.get('NdisSampleEmpty')).toMatchObject({
      params: [{ name: 'Value', dir: 'in' }],
      returns: { type: 'ULONG' },
      irql: { unknown: 'the page leaves the IRQL empty, and it has no remarks' },
    });
    expect(byName.get('NdisSampleEmpty')).not.toHaveProperty('since');
    expect(byName.get('NdisSampleOdd')).toMatchObject({
      returns: { type: 'NDIS_STATUS' },
      params: [{ name: 'Handle', dir: 'in' }],
    });
    expect(byName.get('NdisSampleStatus')).toMatchObject({
      page: 'nf-ndis-ndissamplestatus~r1.md',
      since: 'NDIS 6.0',
      irql: { max: 'DISPATCH_LEVEL' },
    });
    const roles = parse(run().files.find((f) => f.path === 'roles.yaml')!.content).roles as Record<string, unknown>[];
    expect(roles).toEqual([
      {
        name: 'SAMPLE_CALLBACK',
        page: 'nc-ndis-sample_callback.md',
        function: 'SampleCallback',
        pointer: 'SAMPLE_CALLBACK_HANDLER',
        since: 'NDIS 6.0',
        params: [
          { name: 'Context', dir: 'in' },
          { name: 'Result', dir: 'out' },
        ],
        returns: { type: 'VOID' },
        // The Examples part ("runs at DIRQL in this example") is not read.
        irql: {
          runsAt: 'PASSIVE_LEVEL',
          note: 'Read from the remarks of the reference page.',
          when: [{ condition: 'driver asked for quick calls', irql: { max: 'DISPATCH_LEVEL' } }],
        },
        compliance: ['Irql_Sample_Function'],
        seeAlso: ['NdisSampleAcquire'],
      },
    ]);
    const types = (name: string) => parse(run().files.find((f) => f.path === name)!.content).types as unknown[];
    expect(types('structures.yaml')).toEqual([
      {
        name: 'SAMPLE_BLOCK',
        kind: 'struct',
        tag: '_SAMPLE_BLOCK',
        page: 'ns-ndis-_sample_block.md',
        since: 'NDIS 6.0',
        fields: [{ name: 'Header' }, { name: 'Inner' }, { name: 'Size' }],
      },
    ]);
    expect(types('enumerations.yaml')).toEqual([
      {
        name: 'SAMPLE_KIND',
        kind: 'enum',
        tag: '_SAMPLE_KIND',
        page: 'ne-ndis-_sample_kind.md',
        since: 'NDIS 6.20',
        values: [{ name: 'SampleKindSmall' }, { name: 'SampleKindLarge' }],
      },
    ]);
  });

  it("keeps the pages' prose only with --with-text", () => {
    const plain = run()
      .files.map((f) => f.content)
      .join('\n');
    expect(plain).not.toMatch(/description:/);
    const withText = importDocs(pages(), { withText: true });
    const functions = parse(withText.files.find((f) => f.path === 'functions.yaml')!.content).functions as Record<
      string,
      unknown
    >[];
    expect(functions.find((f) => f['name'] === 'NdisSampleAcquire')).toMatchObject({
      description: 'Takes the sample lock so that its holder alone touches the guarded data.',
      params: [
        { name: 'SampleLock', dir: 'in', description: 'The lock, set up earlier by NdisSampleSetup.' },
        { name: 'Flags' },
      ],
    });
  });

  it('writes YAML that loads and validates with a curated spec, with no diagnostic', () => {
    const sources = [
      { path: 'spec/ndis/base.yaml', text: curated },
      ...run().files.map((f) => ({
        path: `spec/ndis/imported/${f.path}`,
        text: f.content.replace(/\$schema=\S+/, '$schema=../../schema/ddi.schema.json'),
      })),
    ];
    const loaded = load(sources);
    const diagnostics = sortDiagnostics([
      ...loaded.diagnostics,
      ...validate(loaded.files, { schema: readSchema(bundled.schemaPath) }),
    ]);
    expect(diagnostics.map(formatDiagnostic)).toEqual([]);
    const model = buildModel(loaded.files);
    expect(model.functions.map((f) => [f.name, f.origin, f.prototype])).toEqual([
      ['NdisSampleAcquire', 'imported', false],
      ['NdisSampleCopy', 'imported', false],
      ['NdisSampleEmpty', 'imported', false],
      ['NdisSampleOdd', 'imported', false],
      ['NdisSampleRelease', 'imported', false],
      ['NdisSampleStatus', 'imported', false],
    ]);
  });
});
