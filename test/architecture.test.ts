/**
 * The import graph of the source trees: no circle, and the generator's layers import only downward.
 * dependency-cruiser reads the imports as TypeScript sees them (type-only imports included) and
 * resolves the NodeNext `./x.js` specifiers to their `.ts` files through tsconfig.json.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cruise, type IForbiddenRuleType, type IViolation } from 'dependency-cruiser';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';
import { beforeAll, describe, expect, it } from 'vitest';
import { bundled } from '../generator/src/paths.js';

/** The source trees whose imports are checked, one per line. */
const roots = ['generator/src', 'packages/ndis/src', 'packages/sim/src'];

/** The generated declarations of @ddikit/ndis. */
const generated = '^packages/ndis/src/generated/';

const circleRules: IForbiddenRuleType[] = [
  {
    name: 'no-circular',
    comment: 'A module never reaches itself through its imports, type-only imports included.',
    severity: 'error',
    from: { pathNot: generated },
    to: { circular: true },
  },
  {
    // Structures hold role handler pointers and role types take structures, as in the C header; the
    // generated roles.ts and types.ts therefore name each other's types. A circle of type-only
    // imports there loads nothing; one with a value import would.
    name: 'no-circular-values-in-generated',
    comment: 'Among the generated declarations, only a circle of type-only imports is allowed.',
    severity: 'error',
    from: { path: generated },
    to: { circular: true, via: { dependencyTypesNot: ['type-only'] } },
  },
];

const g = '^generator/src/';
/** The modules at the bottom of the generator: they import none of the others. */
const bottom = `${g}(diagnostics|names|paths|version)\\.ts$`;

const layerRules: IForbiddenRuleType[] = [
  {
    name: 'bottom-imports-nothing-above',
    comment: 'diagnostics, names, paths and version import no other generator module but each other.',
    severity: 'error',
    from: { path: bottom },
    to: { path: g, pathNot: bottom },
  },
  {
    name: 'spec-below-render',
    comment: 'spec/ (load, validate, model) knows nothing of rendering, writing, importing, the pipeline or the CLI.',
    severity: 'error',
    from: { path: `${g}spec/` },
    to: { path: `${g}(render/|write/|import/|cli/|pipeline\\.ts|index\\.ts)` },
  },
  {
    name: 'render-below-write-and-cli',
    comment:
      'render/ turns a model into files; it neither writes them nor knows the importer, the pipeline or the CLI.',
    severity: 'error',
    from: { path: `${g}render/` },
    to: { path: `${g}(write/|import/|cli/|pipeline\\.ts|index\\.ts)` },
  },
  {
    name: 'import-stands-apart',
    comment: 'import/ reads reference pages into spec YAML: it uses only the spec types and the output file shape.',
    severity: 'error',
    from: { path: `${g}import/` },
    to: {
      path: `${g}(spec/|render/|write/|cli/|pipeline\\.ts|index\\.ts)`,
      pathNot: `${g}(spec/spec-types|render/output)\\.ts$`,
    },
  },
  {
    name: 'write-knows-only-files',
    comment: 'write/ takes output files to the disk and knows nothing of where they came from.',
    severity: 'error',
    from: { path: `${g}write/` },
    to: { path: `${g}(spec/|render/|import/|cli/|pipeline\\.ts|index\\.ts)`, pathNot: `${g}render/output\\.ts$` },
  },
  {
    name: 'pipeline-below-cli',
    comment: 'The pipeline runs the stages without the disk: no write/, no importer, no CLI.',
    severity: 'error',
    from: { path: `${g}pipeline\\.ts$` },
    to: { path: `${g}(write/|import/|cli/|index\\.ts)` },
  },
  {
    name: 'only-cli-imports-cli',
    comment: 'The CLI sits on top: nothing outside cli/ imports it (the library index included).',
    severity: 'error',
    from: { path: g, pathNot: `${g}cli/` },
    to: { path: `${g}cli/` },
  },
];

const s = '^packages/sim/src/';
/**
 * The harness's folders, bottom first (ARCHITECTURE.md): each imports only from the folders before it
 * (and from itself). explore/ and timeline/ sit side by side on top.
 */
const simLayers = ['core', 'verifier', 'kernel', 'race', 'device', 'schedule', 'interrupts', 'ndis', 'simulation'];
const simTop = ['explore', 'timeline'];

const simLayerRules: IForbiddenRuleType[] = [
  ...simLayers.map(
    (folder, i): IForbiddenRuleType => ({
      name: `sim-${folder}-imports-down`,
      comment: `packages/sim/src/${folder}/ imports only from ${i === 0 ? 'no other folder' : simLayers.slice(0, i).join(', ')}.`,
      severity: 'error',
      from: { path: `${s}${folder}/` },
      to: { path: `${s}(${[...simLayers.slice(i + 1), ...simTop].join('|')})/` },
    }),
  ),
  {
    name: 'sim-top-folders-apart',
    comment: 'explore/ and timeline/ sit side by side on the layers below them and import neither the other.',
    severity: 'error',
    from: { path: `${s}(explore|timeline)/` },
    to: { path: `${s}(explore|timeline)/`, pathNot: `${s}$1/` },
  },
  {
    name: 'sim-index-only-reexports',
    comment: 'Nothing inside the harness imports its index.',
    severity: 'error',
    from: { path: s },
    to: { path: `${s}index\\.ts$` },
  },
];

const resolveRules: IForbiddenRuleType[] = [
  {
    name: 'not-to-unresolvable',
    comment: 'Every import resolves, so no edge of the graph is missing from the checks above.',
    severity: 'error',
    from: {},
    to: { couldNotResolve: true },
  },
];

interface Cruised {
  violations: IViolation[];
  modules: string[];
}

/** Cruises `paths` (relative to `baseDir`) with the rules, reading tsconfig.json of `baseDir`. */
async function cruiseWith(baseDir: string, paths: readonly string[], rules: IForbiddenRuleType[]): Promise<Cruised> {
  const tsConfigFile = join(baseDir, 'tsconfig.json');
  const result = await cruise(
    [...paths],
    {
      baseDir,
      tsPreCompilationDeps: true,
      includeOnly: `^(${paths.join('|')})/`,
      tsConfig: { fileName: tsConfigFile },
      validate: true,
      ruleSet: { forbidden: rules },
    },
    {},
    { tsConfig: extractTSConfig(tsConfigFile) },
  );
  const output = result.output as Exclude<typeof result.output, string>;
  return { violations: output.summary.violations, modules: [...new Set(output.modules.map((m) => m.source))].sort() };
}

function describeViolation(v: IViolation): string {
  const path = v.cycle && v.cycle.length > 0 ? [v.from, ...v.cycle.map((step) => step.name)] : [v.from, v.to];
  return `${v.rule.name}: ${path.join(' → ')}`;
}

function violationsOf(cruised: Cruised, rules: readonly IForbiddenRuleType[]): string[] {
  const names = new Set(rules.map((r) => r.name));
  return cruised.violations.filter((v) => names.has(v.rule.name)).map(describeViolation);
}

function sourceFiles(dir: string): string[] {
  const found: string[] = [];
  for (const name of readdirSync(join(bundled.root, dir)).sort()) {
    const path = `${dir}/${name}`;
    if (statSync(join(bundled.root, path)).isDirectory()) found.push(...sourceFiles(path));
    else if (/\.(ts|js)$/.test(name)) found.push(path);
  }
  return found;
}

describe('the import graph', () => {
  let cruised: Cruised;
  beforeAll(async () => {
    cruised = await cruiseWith(bundled.root, roots, [...circleRules, ...layerRules, ...simLayerRules, ...resolveRules]);
  });

  it('takes in every source file of the roots', () => {
    expect(cruised.modules).toEqual(roots.flatMap(sourceFiles).sort());
  });

  it('resolves every import', () => {
    expect(violationsOf(cruised, resolveRules)).toEqual([]);
  });

  it('has no import circle', () => {
    expect(violationsOf(cruised, circleRules)).toEqual([]);
  });

  it.each([...layerRules, ...simLayerRules].map((rule) => ({ name: rule.name, rule })))(
    'keeps the layer rule $name',
    ({ rule }) => {
      expect(violationsOf(cruised, [rule]), rule.comment).toEqual([]);
    },
  );
});

describe('the circle check', () => {
  it('finds a circle through type-only imports with .js specifiers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ddikit-circle-'));
    try {
      mkdirSync(join(dir, 'src'));
      writeFileSync(
        join(dir, 'tsconfig.json'),
        JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true } }),
      );
      writeFileSync(join(dir, 'src/a.ts'), "import type { B } from './b.js';\nexport interface A { b: B }\n");
      writeFileSync(join(dir, 'src/b.ts'), "import { c } from './c.js';\nexport interface B { c: typeof c }\n");
      writeFileSync(join(dir, 'src/c.ts'), "import type { A } from './a.js';\nexport const c: A | null = null;\n");
      const found = await cruiseWith(dir, ['src'], [...circleRules, ...resolveRules]);
      expect(found.violations.map(describeViolation)).toEqual([
        'no-circular: src/a.ts → src/b.ts → src/c.ts → src/a.ts',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
