/**
 * Generation on the bundled spec against its floor: parsing the same YAML and writing the same bytes.
 * Target: at most 3× the floor.
 */
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { bundled } from '../generator/src/paths.js';
import { generate } from '../generator/src/pipeline.js';
import { generatedDirs } from '../generator/src/render/render.js';
import { readSpecSources } from '../generator/src/spec/read-spec-folder.js';
import { readSchema } from '../generator/src/spec/validate.js';
import { withOutputLock } from '../generator/src/write/output-lock.js';
import { applyWrite, planWrite } from '../generator/src/write/write.js';
import { compare, type Result, scaled } from './harness.js';
import { replicatedSpec } from './synthetic-spec.js';

export function benchGenerate(): Result[] {
  const schema = readSchema(bundled.schemaPath);
  const outA = mkdtempSync(join(tmpdir(), 'ddikit-bench-gen-'));
  const outB = mkdtempSync(join(tmpdir(), 'ddikit-bench-floor-'));
  try {
    const sources = readSpecSources(bundled.specDir, bundled.root);
    const once = generate(sources, { schema, templatesDir: bundled.templatesDir });
    const files = once.files ?? [];
    if (files.length === 0) throw new Error('generation produced no files');
    let round = 0;
    const [gen, floor] = compare(
      {
        name: 'generate',
        run: () => {
          // Fresh folder each round so every file is written, as in the floor.
          const out = join(outA, String(round++));
          const fresh = readSpecSources(bundled.specDir, bundled.root);
          const result = generate(fresh, { schema, templatesDir: bundled.templatesDir });
          withOutputLock(out, () => applyWrite(planWrite(out, result.files!, generatedDirs)));
        },
      },
      {
        name: 'floor',
        run: () => {
          const out = join(outB, String(round));
          const fresh = readSpecSources(bundled.specDir, bundled.root);
          for (const source of fresh) parse(source.text);
          for (const file of files) {
            const path = join(out, file.path);
            mkdirSync(dirname(path), { recursive: true });
            writeFileSync(path, file.content);
          }
        },
      },
      scaled(15, 1),
    );
    const ratio = gen.medianMs / floor.medianMs;
    return [
      {
        bench: 'generate (bundled spec)',
        metric: `generate, ${files.length} files`,
        value: gen.medianMs,
        unit: 'ms',
        target: '-',
        met: true,
      },
      {
        bench: 'generate (bundled spec)',
        metric: 'floor: parse YAML + write same bytes',
        value: floor.medianMs,
        unit: 'ms',
        target: '-',
        met: true,
      },
      {
        bench: 'generate (bundled spec)',
        metric: 'generate / floor',
        value: ratio,
        unit: '×',
        target: '≤ 3×',
        met: ratio <= 3,
      },
    ];
  } finally {
    rmSync(outA, { recursive: true, force: true });
    rmSync(outB, { recursive: true, force: true });
  }
}

/** Copies of the bundled spec in the synthetic one. */
const COPIES = scaled(10, 2);

/**
 * Generation of a synthetic spec ten times the bundled one (bench/synthetic-spec.ts: every entry
 * copied ten times under new names) against the bundled spec, both through the whole pipeline
 * (load, validate, model, render) in the same run. Linear stages make it about 10×; target ≤ 12×.
 */
export function benchGenerateSynthetic(): Result[] {
  const schema = readSchema(bundled.schemaPath);
  const sources = readSpecSources(bundled.specDir, bundled.root);
  const large = replicatedSpec(sources, COPIES);
  const files = { bundled: 0, large: 0 };
  const [small, big] = compare(
    {
      name: 'bundled',
      run: () => {
        files.bundled = generate(sources, { schema, templatesDir: bundled.templatesDir }).files?.length ?? 0;
      },
    },
    {
      name: `synthetic ${COPIES}×`,
      run: () => {
        files.large = generate(large, { schema, templatesDir: bundled.templatesDir }).files?.length ?? 0;
      },
    },
    scaled(3, 1),
  );
  if (files.large < (COPIES - 1) * files.bundled) throw new Error(`the synthetic spec gave ${files.large} files`);
  const ratio = big.medianMs / small.medianMs;
  return [
    {
      bench: `generate (synthetic ${COPIES}×)`,
      metric: `bundled spec, ${files.bundled} files`,
      value: small.medianMs,
      unit: 'ms',
      target: '-',
      met: true,
    },
    {
      bench: `generate (synthetic ${COPIES}×)`,
      metric: `${COPIES}× the bundled spec, ${files.large} files`,
      value: big.medianMs,
      unit: 'ms',
      target: '-',
      met: true,
    },
    {
      bench: `generate (synthetic ${COPIES}×)`,
      metric: `synthetic ${COPIES}× / bundled`,
      value: ratio,
      unit: '×',
      target: '≤ 12×',
      met: ratio <= 12,
    },
  ];
}
