/**
 * Fuzzing the generator: mutated specs, from the bundled spec, go through load, validate, model and
 * render. Nothing may throw, no diagnostic may carry a stack trace, and every diagnostic's line:col
 * must lie inside its file. A bounded run is part of every `npm test` (fuzz.test.ts for the curated
 * files, fuzz-imported.test.ts for the imported ones: two files, so the long run before a release,
 * `npm run fuzz`, uses two cores).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, vi, type MockInstance } from 'vitest';
import type { Diagnostic } from '../../generator/src/diagnostics.js';
import type { SpecSource } from '../../generator/src/spec/load.js';
import { bundled } from '../../generator/src/paths.js';
import { generate } from '../../generator/src/pipeline.js';
import { readSpecSources } from '../../generator/src/spec/read-spec-folder.js';
import { readSchema } from '../../generator/src/spec/validate.js';
import { mutate, mutationArbitrary } from './fuzz-cases.js';

export const schema = readSchema(bundled.schemaPath);
export const sources = readSpecSources(bundled.specDir, bundled.root);
export const curated = sources.filter((s) => !s.path.includes('/imported/'));
export const imported = sources.filter((s) => s.path.includes('/imported/'));
/** Cases that mutate a curated file (generating from the curated files: fast) and an imported one (the whole spec). */
export const runs = Number(process.env['FUZZ_RUNS'] ?? 150);
export const importedRuns = Number(process.env['FUZZ_IMPORTED_RUNS'] ?? 20);
export const seed = process.env['FUZZ_SEED'] === undefined ? 20261129 : Number(process.env['FUZZ_SEED']);

/** Problems with one diagnostic, empty when it is well-formed and inside its file. */
export function diagnosticProblems(d: Diagnostic, texts: ReadonlyMap<string, string>): string[] {
  const problems: string[] = [];
  const text = texts.get(d.file);
  if (text === undefined) {
    // Only DDI1010 (empty folder) names a folder; every other diagnostic names an input file.
    if (d.code !== 'DDI1010') problems.push(`names a file that is not an input: ${d.file}`);
    return problems;
  }
  const lines = text
    .replace(/\r\n?/g, '\n')
    .replace(/^\ufeff/, '')
    .split('\n');
  if (!Number.isInteger(d.line) || d.line < 1 || d.line > lines.length)
    problems.push(`line ${d.line} outside 1..${lines.length}`);
  else if (!Number.isInteger(d.col) || d.col < 1 || d.col > lines[d.line - 1]!.length + 1)
    problems.push(`col ${d.col} outside line ${d.line} (length ${lines[d.line - 1]!.length})`);
  if (/\n\s+at .+[:(]\d+/.test(d.message) || d.message.includes('node_modules'))
    problems.push('message carries a stack trace');
  if (!/^DDI\d{4}$/.test(d.code)) problems.push(`bad code ${d.code}`);
  if (d.message.length === 0) problems.push('empty message');
  return problems;
}

/**
 * Process warnings (the YAML library prints its own unless told not to): each one is a finding.
 * Called at the top of each fuzz test file.
 */
let warnings: MockInstance;
export function catchProcessWarnings(): void {
  beforeAll(() => {
    warnings = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
  });
  afterAll(() => {
    warnings.mockRestore();
  });
}

/** Runs `numRuns` mutations of the files of `mutable`, generating each time with the files of `base`. */
export function fuzz(
  base: readonly SpecSource[],
  mutable: readonly SpecSource[],
  numRuns: number,
): { withErrors: number; generated: number } {
  let withErrors = 0;
  let generated = 0;
  fc.assert(
    fc.property(
      fc.nat({ max: mutable.length - 1 }),
      fc.array(mutationArbitrary, { minLength: 1, maxLength: 4 }),
      (which, mutations) => {
        const target = mutable[which]!;
        const mutated = base.map((source) =>
          source.path === target.path ? { ...source, text: mutations.reduce(mutate, source.text) } : source,
        );
        const warned = warnings.mock.calls.length;
        const result = generate(mutated, { schema, templatesDir: bundled.templatesDir });
        if (warnings.mock.calls.length > warned)
          throw new Error(`a process warning: ${String(warnings.mock.calls[warned]![0])}`);
        const texts = new Map(mutated.map((s) => [s.path, s.text]));
        for (const d of result.diagnostics) {
          const problems = diagnosticProblems(d, texts);
          if (problems.length > 0)
            throw new Error(`${d.file}:${d.line}:${d.col} ${d.code} ${d.message}\n  ${problems.join('\n  ')}`);
        }
        if (result.files) generated++;
        else withErrors++;
      },
    ),
    { numRuns, seed },
  );
  return { withErrors, generated };
}
