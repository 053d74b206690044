/**
 * The import graph of the source trees: no circle, and the generator's layers import only downward.
 * dependency-cruiser reads the imports as TypeScript sees them (type-only imports included) and
 * resolves the NodeNext `./x.js` specifiers to their `.ts` files through tsconfig.json.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cruise, type IForbiddenRuleType, type IViolation } from 'dependency-cruiser';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';
import { beforeAll, describe, expect, it } from 'vitest';
import { bundled } from '../generator/src/paths.js';

/** The source trees whose imports are checked, one per line. */
const roots = ['generator/src', 'packages/ndis/src', 'packages/sim/src', 'packages/sim-c/src', 'packages/cc/src'];

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
    name: 'driver-threads-read-no-spec',
    comment:
      'Every simulate/explore thread loads driver-worker.ts and what it reaches: not the spec reader, whose YAML parser alone took about 45 ms of each thread.',
    severity: 'error',
    from: { path: `${g}cli/commands/driver-worker\\.ts$` },
    to: { path: `${g}spec/`, reachable: true },
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

/**
 * The packages depend one way (ARCHITECTURE.md): @ddikit/cc → @ddikit/sim-c → @ddikit/sim →
 * @ddikit/ndis; the C runtime never needs the toolchain, the harness never knows C.
 */
const packageRules: IForbiddenRuleType[] = [
  {
    name: 'ndis-imports-no-other-package',
    comment: '@ddikit/ndis is at the bottom: it imports no other package of ours.',
    severity: 'error',
    from: { path: '^packages/ndis/src/' },
    to: { path: '^(packages/(sim|sim-c|cc)|generator)/' },
  },
  {
    name: 'sim-knows-no-c',
    comment: '@ddikit/sim runs drivers of any language through its definition; it imports neither C package.',
    severity: 'error',
    from: { path: '^packages/sim/src/' },
    to: { path: '^(packages/(sim-c|cc)|generator)/' },
  },
  {
    name: 'sim-c-needs-no-toolchain',
    comment: '@ddikit/sim-c runs compiled modules: it imports neither the compiler package nor the generator.',
    severity: 'error',
    from: { path: '^packages/sim-c/src/' },
    to: { path: '^(packages/cc|generator)/' },
  },
  {
    name: 'cc-knows-only-the-module-format',
    comment:
      '@ddikit/cc builds modules in the format of @ddikit/sim-c; it imports neither the harness nor the generator.',
    severity: 'error',
    from: { path: '^packages/cc/src/' },
    to: { path: '^(packages/(sim|ndis)|generator)/' },
  },
  {
    name: 'c-package-indexes-only-reexport',
    comment: 'Nothing inside @ddikit/sim-c or @ddikit/cc imports its own index.',
    severity: 'error',
    from: { path: '^packages/(sim-c|cc)/src/' },
    to: { path: '^packages/$1/src/index\\.ts$' },
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
    cruised = await cruiseWith(bundled.root, roots, [
      ...circleRules,
      ...layerRules,
      ...simLayerRules,
      ...packageRules,
      ...resolveRules,
    ]);
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

  it.each([...layerRules, ...simLayerRules, ...packageRules].map((rule) => ({ name: rule.name, rule })))(
    'keeps the layer rule $name',
    ({ rule }) => {
      expect(violationsOf(cruised, [rule]), rule.comment).toEqual([]);
    },
  );
});

describe('the toolchain', () => {
  it('is a dependency of @ddikit/cc alone, and only its toolchain module imports it', () => {
    const dependents = ['generator', 'packages/ndis', 'packages/sim', 'packages/sim-c', 'packages/cc'].filter((dir) => {
      const manifest = JSON.parse(readFileSync(join(bundled.root, dir, 'package.json'), 'utf8')) as Record<
        string,
        unknown
      >;
      return ['dependencies', 'optionalDependencies', 'peerDependencies'].some((field) =>
        Object.keys((manifest[field] as Record<string, string> | undefined) ?? {}).includes('@yowasp/clang'),
      );
    });
    expect(dependents).toEqual(['packages/cc']);
    const importers = roots
      .flatMap(sourceFiles)
      .filter((file) => readFileSync(join(bundled.root, file), 'utf8').includes("'@yowasp/clang'"));
    expect(importers).toEqual(['packages/cc/src/toolchain.ts']);
  });
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
