/**
 * Generates one large synthetic spec (bench/synthetic-spec.ts) in a process of its own and prints
 * `{ ms, files, diagnostics, first }` as JSON: large-spec.test.ts runs it with a timeout, so a case
 * that is quadratic or crashes fails the test instead of holding the test runner. @ddikit/generator
 * is the build when TSX_TSCONFIG_PATH names test/tsconfig.installed.json (as the test runs it),
 * else the sources.
 *
 *   TSX_TSCONFIG_PATH=test/tsconfig.installed.json node --import tsx test/hardening/large-spec-run.ts enum 150000
 *   node --import tsx test/hardening/large-spec-run.ts copies 3
 */
import { readFileSync } from 'node:fs';
import { bundled, formatDiagnostic, generate, readSchema, readSpecSources, type SpecSource } from '@ddikit/generator';
import { entriesOfSize, hugeEnum, manyConstants, manyKeys, replicatedSpec } from '../../bench/synthetic-spec.js';

const [kind, size] = [process.argv[2], Number(process.argv[3])];
const makers: Record<string, (n: number) => SpecSource> = {
  enum: hugeEnum,
  constants: manyConstants,
  bytes: entriesOfSize,
  keys: manyKeys,
};
const make = makers[kind ?? ''];
if ((make === undefined && kind !== 'copies') || !Number.isSafeInteger(size))
  throw new Error(`usage: large-spec-run.ts ${Object.keys(makers).join('|')}|copies N`);
// copies N: the bundled spec N times over under renamed entries (the bench's 10× spec).
const sources =
  make === undefined
    ? replicatedSpec(readSpecSources(bundled.specDir, bundled.root), size)
    : [{ path: 'spec/rules.yaml', text: readFileSync(bundled.rulesPath, 'utf8') }, make(size)];
const schema = readSchema(bundled.schemaPath);
const started = performance.now();
const result = generate(sources, { schema, templatesDir: bundled.templatesDir });
const ms = performance.now() - started;
process.stdout.write(
  `${JSON.stringify({
    ms: Math.round(ms),
    files: result.files?.length ?? 0,
    diagnostics: result.diagnostics.length,
    first: result.diagnostics.slice(0, 2).map(formatDiagnostic),
  })}\n`,
);
