/**
 * Imported entries under curated ones: the curated interrupt family is unchanged by the merge
 * (golden test/golden/curated-merge), curated entries win field by field, a contract that disagrees
 * with its page is a DDI2014 warning naming both, and the relaxed rules of imported files (unknown
 * types, directions, levels) stay out of curated ones.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { coverage, formatCoverage } from '../../generator/src/spec/coverage.js';
import { formatDiagnostic, sortDiagnostics } from '../../generator/src/diagnostics.js';
import { load, type SpecSource } from '../../generator/src/spec/load.js';
import { buildModel, type Model } from '../../generator/src/spec/model.js';
import { bundled } from '../../generator/src/paths.js';
import { check, generate } from '../../generator/src/pipeline.js';
import { cHeaderPath } from '../../generator/src/render/c-header.js';
import { metadataOf } from '../../generator/src/render/metadata.js';
import { provenanceLine } from '../../generator/src/render/output.js';
import { generatorVersion } from '../../generator/src/version.js';
import { readSpecSources } from '../../generator/src/spec/read-spec-folder.js';
import { readSchema, validate } from '../../generator/src/spec/validate.js';

const schema = readSchema(bundled.schemaPath);
const goldenDir = join(bundled.root, 'test/golden/curated-merge');
const expectedPath = join(goldenDir, 'expected/curated-metadata.json');
const update = process.env['UPDATE_GOLDEN'] === '1';

type Entry = Record<string, unknown> & { name: string; provenance: string };
type Sections = Record<'roles' | 'functions' | 'types', Entry[]>;

function modelOf(sources: readonly SpecSource[]): Model {
  const result = check(sources, { schema });
  expect(result.diagnostics.map(formatDiagnostic)).toEqual([]);
  return result.model!;
}

const all = readSpecSources(bundled.specDir, bundled.root);
const curatedOnly = all.filter((s) => !s.path.includes('/imported/'));

describe('golden case curated-merge (UPDATE_GOLDEN=1 rewrites expected/)', () => {
  const before = metadataOf(modelOf(curatedOnly)) as unknown as Sections;
  const after = metadataOf(modelOf(all)) as unknown as Sections;

  it('the curated files alone give expected/curated-metadata.json byte for byte', () => {
    // The entries' sections; the rule table (spec/rules.yaml) is no curated entry.
    const text = `${JSON.stringify({ roles: before.roles, functions: before.functions, types: before.types }, null, 2)}\n`;
    if (update) {
      mkdirSync(join(goldenDir, 'expected'), { recursive: true });
      writeFileSync(expectedPath, text);
    }
    expect(existsSync(expectedPath)).toBe(true);
    expect(text, 'curated-metadata.json differs; if intended, rerun with UPDATE_GOLDEN=1 and review the diff').toBe(
      readFileSync(expectedPath, 'utf8'),
    );
  });

  it('with the import merged under them, the interrupt family is byte-identical, and the rest differs only where the page fills a gap', () => {
    const expected = JSON.parse(readFileSync(expectedPath, 'utf8')) as Sections;
    const differences: string[] = [];
    let interrupts = 0;
    for (const section of ['roles', 'functions', 'types'] as const) {
      const merged = new Map(after[section].map((e) => [e.name, e]));
      for (const entry of expected[section]) {
        const now = merged.get(entry.name);
        expect(now, `${section} ${entry.name} is missing after the merge`).toBeDefined();
        if (entry.provenance.startsWith('spec/ndis/interrupts.yaml:')) {
          interrupts++;
          expect(JSON.stringify(now, null, 2), entry.name).toBe(JSON.stringify(entry, null, 2));
          continue;
        }
        for (const key of new Set([...Object.keys(entry), ...Object.keys(now!)])) {
          if (JSON.stringify(entry[key]) !== JSON.stringify(now![key]))
            differences.push(`${entry.name}.${key}: ${JSON.stringify(entry[key])} → ${JSON.stringify(now![key])}`);
        }
      }
    }
    expect(interrupts).toBeGreaterThanOrEqual(14);
    // hardware.yaml leaves compliance out of NdisStallExecution; its reference page names the rule.
    // The opaque structures the curated driver file names by name only get their field names from their pages.
    const fieldNames = (names: string[]): string =>
      JSON.stringify(names.map((name) => ({ name, type: 'unknown', count: null, optional: false })));
    expect(differences).toEqual([
      'NdisStallExecution.compliance: [] → ["NdisStallExecution_Delay"]',
      `NDIS_MINIPORT_PAUSE_PARAMETERS.fields: [] → ${fieldNames(['Header', 'Flags', 'PauseReason'])}`,
      `NDIS_MINIPORT_RESTART_PARAMETERS.fields: [] → ${fieldNames(['Header', 'RestartAttributes', 'Flags'])}`,
      `NET_DEVICE_PNP_EVENT.fields: [] → ${fieldNames(['Header', 'PortNumber', 'DevicePnPEvent', 'InformationBuffer', 'InformationBufferLength', 'NdisReserved'])}`,
    ]);
  });

  it('declares every curated prototype in the C header exactly as before the merge', () => {
    const header = (sources: readonly SpecSource[]): string =>
      generate(sources, { schema, templatesDir: bundled.templatesDir }).files!.find((f) => f.path === cHeaderPath)!
        .content;
    const beforeHeader = header(curatedOnly);
    const afterHeader = header(all);
    const block = (text: string, declarator: string): string => {
      const at = text.indexOf(`\n${declarator}(\n`);
      expect(at, declarator).toBeGreaterThan(0);
      return text.slice(text.lastIndexOf('\n\n', at) + 2, text.indexOf('\n    );\n', at));
    };
    const model = modelOf(curatedOnly);
    const declarators = [
      ...model.roles.filter((r) => r.variantOf === null).map((r) => `(${r.name})`),
      ...model.functions.map((f) => f.name),
    ];
    expect(declarators.length).toBe(53);
    for (const declarator of declarators)
      expect(block(afterHeader, declarator), declarator).toBe(block(beforeHeader, declarator));
  });
});

// ---------------------------------------------------------------------------------------------------
// Merge rules on small specs

const modeline = '# yaml-language-server: $schema=../schema/ddi.schema.json';
const importedModeline = '# yaml-language-server: $schema=../../schema/ddi.schema.json';

const types = `${modeline}
header: ndis.h
types:
  - { name: VOID, kind: void }
  - { name: ULONG, kind: scalar, c: unsigned int, ts: number }
  - { name: NDIS_HANDLE, kind: handle, c: void *, ts: unknown }
  - { name: PULONG, kind: pointer, to: ULONG }
`;

const curatedFile = `${modeline}
header: ndis.h
roles:
  - name: THING_CALLBACK
    function: ThingCallback
    pointer: THING_CALLBACK_HANDLER
    since: NDIS 6.0
    params:
      - { name: Context, type: NDIS_HANDLE, dir: in }
    returns: { type: VOID }
    irql: { runsAt: PASSIVE_LEVEL }
    variants:
      - { name: THING_MESSAGE_CALLBACK, function: ThingMessageCallback, pointer: THING_MESSAGE_CALLBACK_HANDLER }
functions:
  - name: NdisThing
    since: NDIS 6.0
    params:
      - { name: Handle, type: NDIS_HANDLE, dir: in }
      - { name: Count, type: PULONG, dir: out }
    returns: { type: VOID }
    irql: { max: DISPATCH_LEVEL }
`;

function importedFile(body: string): string {
  return `${importedModeline}\nheader: ndis.h\nfamily: reference\nimported: true\n${body}`;
}

const importedFunctions = importedFile(`functions:
  - name: NdisThing
    page: nf-ndis-ndisthing.md
    macro: true
    since: NDIS 6.0
    params:
      - { name: Handle, dir: in }
      - { name: Count, dir: out }
    irql: { max: DISPATCH_LEVEL }
    compliance: [ThingRule]
  - name: NdisOther
    page: nf-ndis-ndisother.md
    params:
      - { name: Value }
    irql:
      max: APC_LEVEL
      when:
        - { condition: value resident, irql: { any: true } }
`);

const importedRoles = importedFile(`roles:
  - name: THING_CALLBACK
    page: nc-ndis-thing_callback.md
    params:
      - { name: Context, dir: in }
    irql: { runsAt: PASSIVE_LEVEL }
  - name: THING_MESSAGE_CALLBACK
    page: nc-ndis-thing_message_callback.md
    params: []
    irql: { unknown: "the page leaves the IRQL empty, and it has no remarks" }
  - name: OTHER_CALLBACK
    page: nc-ndis-other_callback.md
    function: OtherCallback
    params:
      - { name: Context, dir: in }
    returns: { type: ULONG }
    irql: { runsAt: DISPATCH_LEVEL }
`);

function spec(files: Record<string, string>): SpecSource[] {
  return Object.entries(files).map(([path, text]) => ({ path, text }));
}

function diagnose(sources: readonly SpecSource[]): string[] {
  const loaded = load(sources);
  return sortDiagnostics([...loaded.diagnostics, ...validate(loaded.files, { schema })]).map(formatDiagnostic);
}

const base = {
  'spec/ndis/types.yaml': types,
  'spec/ndis/thing.yaml': curatedFile,
  'spec/ndis/imported/functions.yaml': importedFunctions,
  'spec/ndis/imported/roles.yaml': importedRoles,
};

describe('merging imported entries under curated ones', () => {
  it('is no duplicate: a curated entry (or variant) and an imported one of the same name validate cleanly', () => {
    expect(diagnose(spec(base))).toEqual([]);
  });

  it('lets the curated entry win field by field, and fills what it leaves out from the page', () => {
    const model = buildModel(load(spec(base)).files);
    const thing = model.functions.find((f) => f.name === 'NdisThing')!;
    expect([thing.origin, thing.page, thing.macro, thing.compliance, thing.provenance.file]).toEqual([
      'merged',
      'nf-ndis-ndisthing.md',
      true,
      ['ThingRule'],
      'spec/ndis/thing.yaml',
    ]);
    expect(thing.params.map((p) => [p.name, p.type.name, p.sal])).toEqual([
      ['Handle', 'NDIS_HANDLE', '_In_'],
      ['Count', 'PULONG', '_Out_'],
    ]);
    expect(thing.prototype).toBe(true);
    // The imported role named like the curated variant is that variant: no second entry, no unknown contract.
    expect(model.roles.map((r) => [r.name, r.origin, r.irql.text])).toEqual([
      ['OTHER_CALLBACK', 'imported', 'exactly DISPATCH_LEVEL'],
      ['THING_CALLBACK', 'merged', 'exactly PASSIVE_LEVEL'],
      ['THING_MESSAGE_CALLBACK', 'curated', 'exactly PASSIVE_LEVEL'],
    ]);
  });

  it('still reports a name defined twice by imported files, or by an imported entry of another kind', () => {
    const twice = {
      ...base,
      'spec/ndis/imported/more.yaml': importedFile(
        'functions:\n  - { name: NdisOther, params: [], irql: { any: true } }\n',
      ),
    };
    expect(diagnose(spec(twice))).toEqual([
      'spec/ndis/imported/more.yaml:6:13 - error DDI2001: "NdisOther" is already defined as a function at spec/ndis/imported/functions.yaml:15:11. Rename one of them or remove the repeat.',
    ]);
    const kinds = {
      ...base,
      'spec/ndis/imported/roles.yaml': importedFile(
        'roles:\n  - { name: NdisThing, params: [], irql: { any: true } }\n',
      ),
    };
    expect(diagnose(spec(kinds))).toEqual([
      'spec/ndis/imported/roles.yaml:6:13 - error DDI2001: "NdisThing" is already defined as a function at spec/ndis/thing.yaml:15:11. Rename one of them or remove the repeat.',
    ]);
  });

  it('DDI2014 warns, at the curated entry, where its contract disagrees with the page, naming the page', () => {
    const disagreeing = {
      ...base,
      'spec/ndis/imported/functions.yaml': importedFunctions
        .replace(
          '    irql: { max: DISPATCH_LEVEL }\n    compliance',
          '    irql: { runsAt: PASSIVE_LEVEL }\n    compliance',
        )
        .replace('{ name: Count, dir: out }', '{ name: Count, dir: in, optional: true }'),
    };
    expect(diagnose(spec(disagreeing))).toEqual([
      'spec/ndis/thing.yaml:19:11 - warning DDI2014: NdisThing: the curated optional mark of Count is not optional, but the reference page nf-ndis-ndisthing.md says optional (imported at spec/ndis/imported/functions.yaml:6). Check the page, and correct whichever is wrong.',
      'spec/ndis/thing.yaml:19:38 - warning DDI2014: NdisThing: the curated direction of Count is out, but the reference page nf-ndis-ndisthing.md says in (imported at spec/ndis/imported/functions.yaml:6). Check the page, and correct whichever is wrong.',
      'spec/ndis/thing.yaml:21:5 - warning DDI2014: NdisThing: the curated IRQL contract is at most DISPATCH_LEVEL, but the reference page nf-ndis-ndisthing.md says exactly PASSIVE_LEVEL (imported at spec/ndis/imported/functions.yaml:6). Check the page, and correct whichever is wrong; if the difference is deliberate, say why in irql.differsFromPage.',
    ]);
    // A warning stops nothing: the curated contract is the one generated.
    expect(check(spec(disagreeing), { schema }).model!.functions.find((f) => f.name === 'NdisThing')!.irql.text).toBe(
      'at most DISPATCH_LEVEL',
    );
  });

  describe('irql.differsFromPage acknowledges a deliberate IRQL difference', () => {
    const pagePassive = importedFunctions.replace(
      '    irql: { max: DISPATCH_LEVEL }\n    compliance',
      '    irql: { runsAt: PASSIVE_LEVEL }\n    compliance',
    );
    const withReason = (reason: string) =>
      curatedFile.replace(
        '    irql: { max: DISPATCH_LEVEL }\n',
        `    irql:\n      max: DISPATCH_LEVEL\n      differsFromPage: ${reason}\n`,
      );

    it('silences DDI2014 for the IRQL contract only, and coverage lists it as acknowledged with its reason', () => {
      const files = {
        ...base,
        'spec/ndis/thing.yaml': withReason('Pool memory "may" be freed <at> DISPATCH_LEVEL; */ not code.'),
        'spec/ndis/imported/functions.yaml': pagePassive.replace(
          '{ name: Count, dir: out }',
          '{ name: Count, dir: in }',
        ),
      };
      expect(diagnose(spec(files))).toEqual([
        'spec/ndis/thing.yaml:19:38 - warning DDI2014: NdisThing: the curated direction of Count is out, but the reference page nf-ndis-ndisthing.md says in (imported at spec/ndis/imported/functions.yaml:6). Check the page, and correct whichever is wrong.',
      ]);
      const loaded = load(spec(files));
      const model = buildModel(loaded.files);
      const text = formatCoverage(coverage(model, loaded.files));
      expect(text).toContain(
        '  spec/ndis/thing.yaml:21:5  NdisThing: IRQL contract is at most DISPATCH_LEVEL here, exactly PASSIVE_LEVEL in nf-ndis-ndisthing.md (acknowledged: Pool memory "may" be freed <at> DISPATCH_LEVEL; */ not code.)\n',
      );
      expect(text).toMatch(/\| contract conflicts \(DDI2014\)\s+\|\s+0 \|\s+1 \|/);
      expect(text).toMatch(/\| contract differences acknowledged\s+\|\s+0 \|\s+1 \|/);
      // The reason is for readers: it reaches no generated output.
      const generated = generate(spec(files), { schema, templatesDir: bundled.templatesDir }).files!;
      expect(generated.filter((f) => f.content.includes('freed <at>')).map((f) => f.path)).toEqual([]);
    });

    it('DDI2020 when the contract does not differ from the page, or the entry is imported', () => {
      const same = { ...base, 'spec/ndis/thing.yaml': withReason('The page is stricter.') };
      expect(diagnose(spec(same))).toEqual([
        'spec/ndis/thing.yaml:23:7 - warning DDI2020: NdisThing: irql.differsFromPage acknowledges a difference from the reference page, but its IRQL contract is what the reference page nf-ndis-ndisthing.md says. Remove the stale acknowledgement.',
      ]);
      const imported = {
        ...base,
        'spec/ndis/imported/functions.yaml': importedFunctions.replace(
          '    irql: { max: DISPATCH_LEVEL }\n    compliance',
          '    irql: { max: DISPATCH_LEVEL, differsFromPage: no }\n    compliance',
        ),
      };
      expect(diagnose(spec(imported))).toEqual([
        'spec/ndis/imported/functions.yaml:13:34 - warning DDI2020: NdisThing: irql.differsFromPage acknowledges a difference from the reference page, but an imported entry is what the reference page says, so it has no difference to acknowledge. Remove the stale acknowledgement.',
      ]);
    });

    it('a reason is text: a control or invisible character is a schema error', () => {
      const hostile = { ...base, 'spec/ndis/thing.yaml': withReason('"ok\\u202Eevil"') };
      expect(diagnose(spec(hostile))).toEqual([
        'spec/ndis/thing.yaml:23:24 - error DDI1006: irql.differsFromPage contains the invisible or control character U+202E, which could hide text in generated comments and code. Remove it.',
      ]);
    });
  });

  it('lists signature differences (names, counts, return types, versions) in the coverage report, not as warnings', () => {
    const renamed = {
      ...base,
      'spec/ndis/imported/functions.yaml': importedFunctions
        .replace('{ name: Count, dir: out }', '{ name: Total, dir: out }')
        .replace(
          '    since: NDIS 6.0\n    params:\n      - { name: Handle',
          '    since: NDIS 6.20\n    params:\n      - { name: Handle',
        ),
    };
    expect(diagnose(spec(renamed))).toEqual([]);
    const loaded = load(spec(renamed));
    const text = formatCoverage(coverage(buildModel(loaded.files), loaded.files));
    expect(text).toContain('Curated entries that differ from their reference pages:\n');
    expect(text).toContain(
      '  spec/ndis/thing.yaml:16:5  NdisThing: first version is NDIS 6.0 here, NDIS 6.20 in nf-ndis-ndisthing.md\n',
    );
    expect(text).toContain(
      '  spec/ndis/thing.yaml:19:11  NdisThing: name of parameter 2 is "Count" here, "Total" in nf-ndis-ndisthing.md\n',
    );
  });
});

describe('what only imported files may leave out', () => {
  it('a curated file must state types, directions, return types, versions, pointer and function names (DDI1004)', () => {
    const missing = curatedFile
      .replace('      - { name: Handle, type: NDIS_HANDLE, dir: in }', '      - { name: Handle, dir: in }')
      .replace(
        '      - { name: Context, type: NDIS_HANDLE, dir: in }\n    returns: { type: VOID }',
        '      - { name: Context, type: NDIS_HANDLE }',
      )
      .replace('    pointer: THING_CALLBACK_HANDLER\n', '');
    expect(diagnose(spec({ 'spec/ndis/types.yaml': types, 'spec/ndis/thing.yaml': missing }))).toEqual([
      'spec/ndis/thing.yaml:4:5 - error DDI1004: roles[0] is missing the required property "pointer". Add it.',
      'spec/ndis/thing.yaml:4:5 - error DDI1004: roles[0] is missing the required property "returns". Add it.',
      'spec/ndis/thing.yaml:8:9 - error DDI1004: params[0] is missing the required property "dir". Add it.',
      'spec/ndis/thing.yaml:16:9 - error DDI1004: params[0] is missing the required property "type". Add it.',
    ]);
  });

  it('checks the new IRQL forms: unknown excludes a level, a condition is a parameter test or words, not both', () => {
    const bad = importedFile(`functions:
  - name: NdisA
    params: []
    irql: { unknown: not stated, runsAt: PASSIVE_LEVEL }
  - name: NdisB
    params: [{ name: P }]
    irql:
      any: true
      when:
        - { param: P, condition: both, equals: 1, irql: { any: true } }
        - { irql: { any: true } }
        - { param: P, irql: { any: true } }
        - { equals: 1, condition: words, irql: { any: true } }
`);
    expect(diagnose(spec({ 'spec/ndis/types.yaml': types, 'spec/ndis/imported/bad.yaml': bad }))).toEqual([
      'spec/ndis/imported/bad.yaml:8:13 - error DDI2007: unknown says no level is known, but the contract states runsAt. Keep the level and remove unknown, or the reverse.',
      'spec/ndis/imported/bad.yaml:14:23 - error DDI2007: the condition both tests the parameter "P" and states "both". Give param and equals, or condition, not both.',
      'spec/ndis/imported/bad.yaml:15:11 - error DDI1004: when[1] is missing the required property "param" (with "equals") or "condition". Add one.',
      'spec/ndis/imported/bad.yaml:16:11 - error DDI1004: when[2] is missing the required property "equals". Add the value the parameter must have.',
      'spec/ndis/imported/bad.yaml:17:13 - error DDI1004: when[3] has equals but no param. Add the parameter it tests.',
    ]);
  });
});

describe('entries the spec does not know enough to declare', () => {
  const model = buildModel(load(spec(base)).files);
  const other = model.functions.find((f) => f.name === 'NdisOther')!;
  const role = model.roles.find((r) => r.name === 'OTHER_CALLBACK')!;

  it('types them unknown in TypeScript and the metadata, with no SAL where no direction is known', () => {
    expect([other.tsSignature, other.prototype, other.params[0]!.sal, other.params[0]!.direction]).toEqual([
      '(Value: unknown) => unknown',
      false,
      null,
      null,
    ]);
    expect([role.tsSignature, role.pointer, role.pointerC, role.prototype]).toEqual([
      '(Context: unknown) => ULONG',
      null,
      'OTHER_CALLBACK *',
      false,
    ]);
    const metadata = metadataOf(model) as unknown as Sections;
    expect(metadata.functions.find((f) => f.name === 'NdisOther')).toMatchObject({
      since: null,
      params: [{ name: 'Value', type: 'unknown', direction: null, optional: false, sal: null }],
      returns: { type: 'unknown' },
      sal: ['_IRQL_requires_max_(APC_LEVEL)'],
      irql: {
        min: 'PASSIVE_LEVEL',
        max: 'APC_LEVEL',
        when: [{ param: null, equals: null, condition: 'value resident', min: 'PASSIVE_LEVEL', max: 'HIGH_LEVEL' }],
        reason: null,
      },
    });
    expect(metadata.roles.find((r) => r.name === 'OTHER_CALLBACK')).toMatchObject({
      function: 'OtherCallback',
      pointer: 'OTHER_CALLBACK *',
    });
    expect(metadata.roles.find((r) => r.name === 'THING_MESSAGE_CALLBACK')).toMatchObject({
      pointer: 'THING_MESSAGE_CALLBACK_HANDLER',
    });
  });

  it('states the unknown contract with its reason, and the enforced bound of a conditional one', () => {
    const unknown = buildModel(
      load(spec({ 'spec/ndis/types.yaml': types, 'spec/ndis/imported/roles.yaml': importedRoles })).files,
    ).roles.find((r) => r.name === 'THING_MESSAGE_CALLBACK')!;
    expect([unknown.irql.min, unknown.irql.reason, unknown.irql.text, unknown.irql.enforced]).toEqual([
      null,
      'the page leaves the IRQL empty, and it has no remarks',
      'unknown',
      null,
    ]);
    expect([other.irql.text, other.irql.enforced]).toEqual([
      'at most APC_LEVEL; any level when value resident',
      { min: 'PASSIVE_LEVEL', max: 'APC_LEVEL' },
    ]);
  });

  it('leaves them out of the C header, says how many, and the header still compiles with gcc', (ctx) => {
    const result = generate(spec(base), { schema, templatesDir: bundled.templatesDir });
    const header = result.files!.find((f) => f.path === cHeaderPath)!.content;
    expect(header).toContain(
      '/*\n * Not declared here: 1 role type and 1 DDI whose parameter or return types the reference pages do\n * not state. Their contracts are in the metadata; add a curated entry with the types to declare\n * one.\n */\n',
    );
    expect(header).not.toMatch(/\bOTHER_CALLBACK\b|\bNdisOther\b/);
    expect(header).toContain('\nNdisThing(\n');
    expect(header.startsWith(`/* ${provenanceLine(result.model!, generatorVersion(), 'c/ndis_roles.h')} */`)).toBe(
      true,
    );
    if (spawnSync('gcc', ['--version']).status !== 0) ctx.skip('gcc is not installed');
    const dir = mkdtempSync(join(tmpdir(), 'ddikit-import-merge-'));
    try {
      writeFileSync(join(dir, 'ndis_roles.h'), header);
      writeFileSync(join(dir, 'use.c'), '#include "ndis_roles.h"\nint main(void) { return 0; }\n');
      const gcc = spawnSync(
        'gcc',
        ['-std=c11', '-fsyntax-only', '-Wall', '-Wextra', '-Werror', '-pedantic', `-I${dir}`, join(dir, 'use.c')],
        { encoding: 'utf8' },
      );
      expect(gcc.stderr).toBe('');
      expect(gcc.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
