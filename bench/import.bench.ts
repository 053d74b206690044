/**
 * The imported NDIS surface, measured against baselines of the same run:
 *
 * - generate for the whole spec (curated + imported) against its floor, parsing the same YAML and
 *   writing the same bytes: target at most 3×;
 * - import-docs over the reference pages against its floor, reading the pages and writing the same
 *   YAML: printed, no target;
 * - `tsc --noEmit` of a small consumer of @ddikit/ndis against the package's declaration files (as a
 *   project that installs the package compiles it), full surface against curated entries only:
 *   target at most 1.25×. The same with the package's sources compiled along (as this repository's
 *   tests do) is printed too, without a target.
 *
 * The reference pages are looked for at ../shared/ddi-docs/ndis; without them the import figure is
 * left out (the committed spec/ndis/imported/ is still measured by the other two).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { importDocs } from '../generator/src/import/import-docs.js';
import { bundled } from '../generator/src/paths.js';
import { generate } from '../generator/src/pipeline.js';
import type { OutputFile } from '../generator/src/render/output.js';
import { generatedDirs } from '../generator/src/render/render.js';
import { readSpecSources } from '../generator/src/spec/read-spec-folder.js';
import { readSchema } from '../generator/src/spec/validate.js';
import { withOutputLock } from '../generator/src/write/output-lock.js';
import { applyWrite, planWrite } from '../generator/src/write/write.js';
import { compare, type Result, scaled } from './harness.js';

const pagesDir = join(bundled.root, '..', 'shared', 'ddi-docs', 'ndis');

function writeAll(out: string, files: readonly OutputFile[]): void {
  for (const file of files) {
    const path = join(out, file.path);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, file.content);
  }
}

function benchGenerateFull(schema: object, scratch: string): Result[] {
  const sources = readSpecSources(bundled.specDir, bundled.root);
  const imported = sources.filter((s) => s.path.includes('/imported/')).length;
  if (imported === 0) throw new Error('spec/ndis/imported/ holds no file; run ddikit import-docs first');
  const files = generate(sources, { schema, templatesDir: bundled.templatesDir }).files ?? [];
  let round = 0;
  const [gen, floor] = compare(
    {
      name: 'generate',
      run: () => {
        const fresh = readSpecSources(bundled.specDir, bundled.root);
        const result = generate(fresh, { schema, templatesDir: bundled.templatesDir });
        const out = join(scratch, 'gen', String(round++));
        withOutputLock(out, () => applyWrite(planWrite(out, result.files!, generatedDirs)));
      },
    },
    {
      name: 'floor',
      run: () => {
        for (const source of readSpecSources(bundled.specDir, bundled.root)) parse(source.text);
        writeAll(join(scratch, 'floor', String(round)), files);
      },
    },
    scaled(9, 1),
  );
  const ratio = gen.medianMs / floor.medianMs;
  const bench = 'generate (full surface)';
  return [
    {
      bench,
      metric: `generate, ${sources.length} spec files → ${files.length} files`,
      value: gen.medianMs,
      unit: 'ms',
      target: '-',
      met: true,
    },
    {
      bench,
      metric: 'floor: parse YAML + write same bytes',
      value: floor.medianMs,
      unit: 'ms',
      target: '-',
      met: true,
    },
    { bench, metric: 'generate / floor', value: ratio, unit: '×', target: '≤ 3×', met: ratio <= 3 },
  ];
}

function benchImportDocs(scratch: string): Result[] {
  if (!existsSync(pagesDir)) {
    process.stdout.write(`import-docs: reference pages not found at ${pagesDir}; figure left out\n`);
    return [];
  }
  const read = () =>
    readdirSync(pagesDir)
      .filter((n) => n.endsWith('.md') && n !== 'README.md')
      .sort()
      .map((n) => ({ path: n, text: readFileSync(join(pagesDir, n), 'utf8') }));
  const files = importDocs(read()).files;
  let round = 0;
  const [run, floor] = compare(
    { name: 'import', run: () => writeAll(join(scratch, 'import', String(round++)), importDocs(read()).files) },
    {
      name: 'floor',
      run: () => {
        read();
        writeAll(join(scratch, 'import-floor', String(round)), files);
      },
    },
    scaled(9, 1),
  );
  const bench = 'import-docs (NDIS pages)';
  return [
    {
      bench,
      metric: `import, ${read().length} pages → ${files.length} files`,
      value: run.medianMs,
      unit: 'ms',
      target: '-',
      met: true,
    },
    {
      bench,
      metric: 'floor: read pages + write same bytes',
      value: floor.medianMs,
      unit: 'ms',
      target: '-',
      met: true,
    },
    { bench, metric: 'import / floor', value: run.medianMs / floor.medianMs, unit: '×', target: '-', met: true },
  ];
}

const consumer = `import { MINIPORT_ISR, functionContract, irqlBounds, type NdisFunctions, type NDIS_HANDLE } from './ndis/index.js';

export const MyInterrupt = MINIPORT_ISR('MyInterrupt', (context, queueDpc, targets) => {
  queueDpc.value = context !== null;
  targets.value = 0;
  return true;
});

export function synchronize(ndis: NdisFunctions, interrupt: NDIS_HANDLE): boolean {
  const contract = functionContract('NdisMSynchronizeWithInterruptEx');
  return contract !== undefined && irqlBounds(contract.irql, 5) !== null && ndis.NdisMSynchronizeWithInterruptEx(interrupt, 0, null as never, null);
}
`;

const compilerOptions = {
  target: 'ES2022',
  module: 'NodeNext',
  moduleResolution: 'NodeNext',
  lib: ['ES2022'],
  types: ['node'],
  strict: true,
  noUncheckedIndexedAccess: true,
  verbatimModuleSyntax: true,
  isolatedModules: true,
  skipLibCheck: true,
};

function writeJson(path: string, value: object): void {
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
}

/**
 * Two consumer projects of the same @ddikit/ndis: `sources/` compiles the package's TypeScript
 * sources with the consumer (as this repository's own tests do); `declarations/` compiles the
 * consumer against the package's declaration files, as a project that installs the package does.
 */
function consumerProjects(
  dir: string,
  generated: readonly OutputFile[],
  tsc: string,
): { sources: string; declarations: string } {
  const sources = join(dir, 'sources');
  for (const name of ['role.ts', 'contract.ts', 'metadata-types.ts', 'index.ts']) {
    cpSync(join(bundled.outDir, 'src', name), join(sources, 'ndis', name));
  }
  for (const file of generated.filter((f) => f.path.startsWith('src/'))) {
    const path = join(sources, 'ndis', file.path.slice('src/'.length));
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, file.content);
  }
  const declarations = join(dir, 'declarations');
  writeJson(join(sources, 'tsconfig.declarations.json'), {
    compilerOptions: {
      ...compilerOptions,
      declaration: true,
      emitDeclarationOnly: true,
      rootDir: 'ndis',
      outDir: '../declarations/ndis',
    },
    include: ['ndis'],
  });
  const emitted = spawnSync(process.execPath, [tsc, '-p', join(sources, 'tsconfig.declarations.json')], {
    encoding: 'utf8',
  });
  if (emitted.status !== 0) throw new Error(`emitting declarations failed:\n${emitted.stdout}${emitted.stderr}`);
  // metadata.js ships with its own declaration.
  cpSync(join(sources, 'ndis', 'generated', 'metadata.d.ts'), join(declarations, 'ndis', 'generated', 'metadata.d.ts'));
  for (const project of [sources, declarations]) {
    writeFileSync(join(project, 'package.json'), '{ "type": "module" }\n');
    writeFileSync(join(project, 'consumer.ts'), consumer);
    writeJson(join(project, 'tsconfig.json'), {
      compilerOptions: { ...compilerOptions, noEmit: true },
      files: ['consumer.ts'],
    });
  }
  return { sources, declarations };
}

/**
 * Runs a and b alternately and returns their median times and the median of the per-round ratios
 * a/b: each round's pair shares the machine's load, so the ratio drifts less than the times do.
 */
function paired(a: () => void, b: () => void, rounds: number): [number, number, number] {
  const time = (run: () => void): number => {
    const started = process.hrtime.bigint();
    run();
    return Number(process.hrtime.bigint() - started) / 1e6;
  };
  for (let i = 0; i < scaled(1, 0); i++) {
    a();
    b();
  }
  const ta: number[] = [];
  const tb: number[] = [];
  const ratios: number[] = [];
  for (let i = 0; i < rounds; i++) {
    ta.push(time(a));
    tb.push(time(b));
    ratios.push(ta[i]! / tb[i]!);
  }
  const median = (list: number[]): number => [...list].sort((x, y) => x - y)[Math.floor(list.length / 2)]!;
  return [median(ta), median(tb), median(ratios)];
}

function benchTypecheck(schema: object, scratch: string): Result[] {
  const sources = readSpecSources(bundled.specDir, bundled.root);
  const full = generate(sources, { schema, templatesDir: bundled.templatesDir }).files ?? [];
  const curated =
    generate(
      sources.filter((s) => !s.path.includes('/imported/')),
      { schema, templatesDir: bundled.templatesDir },
    ).files ?? [];
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const withFull = consumerProjects(join(scratch, 'tsc-full'), full, tsc);
  const withCurated = consumerProjects(join(scratch, 'tsc-curated'), curated, tsc);
  const run = (dir: string) => () => {
    const result = spawnSync(process.execPath, [tsc, '--noEmit', '-p', join(dir, 'tsconfig.json')], {
      encoding: 'utf8',
    });
    if (result.status !== 0) throw new Error(`tsc failed in ${dir}:\n${result.stdout}${result.stderr}`);
  };
  const [declFull, declCurated, ratio] = paired(
    run(withFull.declarations),
    run(withCurated.declarations),
    scaled(15, 1),
  );
  const [, , sourcesRatio] = paired(run(withFull.sources), run(withCurated.sources), scaled(7, 1));
  const lines = (files: readonly OutputFile[]): number =>
    files
      .filter((f) => f.path.startsWith('src/') && /\.(?:d\.)?ts$/.test(f.path))
      .reduce((n, f) => n + f.content.split('\n').length, 0);
  const bench = 'tsc --noEmit (consumer)';
  return [
    {
      bench,
      metric: `against the full declarations (${lines(full)} source lines)`,
      value: declFull,
      unit: 'ms',
      target: '-',
      met: true,
    },
    {
      bench,
      metric: `against the curated ones only (${lines(curated)} lines)`,
      value: declCurated,
      unit: 'ms',
      target: '-',
      met: true,
    },
    {
      bench,
      metric: 'full / curated (declaration files)',
      value: ratio,
      unit: '×',
      target: '≤ 1.25×',
      met: ratio <= 1.25,
    },
    {
      bench,
      metric: 'full / curated (compiling the sources too)',
      value: sourcesRatio,
      unit: '×',
      target: '-',
      met: true,
    },
  ];
}

export function benchImport(): Result[] {
  const schema = readSchema(bundled.schemaPath);
  // Under the repository (.tmp/ is ignored) so the consumer projects resolve @types/node and typescript.
  mkdirSync(join(bundled.root, '.tmp'), { recursive: true });
  const scratch = mkdtempSync(join(bundled.root, '.tmp', 'bench-import-'));
  try {
    return [...benchGenerateFull(schema, scratch), ...benchImportDocs(scratch), ...benchTypecheck(schema, scratch)];
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
