/**
 * Fuzzing the generator: mutated specs, from the bundled spec, go through load, validate, model and
 * render. Nothing may throw, no diagnostic may carry a stack trace, and every diagnostic's line:col
 * must lie inside its file. A bounded run is part of every `npm test`; `npm run fuzz` runs 100,000
 * cases (FUZZ_RUNS) before a release.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../generator/src/diagnostics.js';
import { bundled } from '../../generator/src/paths.js';
import { generate } from '../../generator/src/pipeline.js';
import { readSpecSources } from '../../generator/src/spec-files.js';
import { readSchema } from '../../generator/src/validate.js';
import { mutate, mutationArbitrary } from './fuzz-cases.js';

const schema = readSchema(bundled.schemaPath);
const sources = readSpecSources(bundled.specDir, bundled.root);
const runs = Number(process.env['FUZZ_RUNS'] ?? 150);
const seed = process.env['FUZZ_SEED'] === undefined ? 20261129 : Number(process.env['FUZZ_SEED']);

/** Problems with one diagnostic, empty when it is well-formed and inside its file. */
export function diagnosticProblems(d: Diagnostic, texts: ReadonlyMap<string, string>): string[] {
  const problems: string[] = [];
  const text = texts.get(d.file);
  if (text === undefined) {
    // Only DDI1010 (empty folder) names a folder; every other diagnostic names an input file.
    if (d.code !== 'DDI1010') problems.push(`names a file that is not an input: ${d.file}`);
    return problems;
  }
  const lines = text.replace(/\r\n?/g, '\n').replace(/^\ufeff/, '').split('\n');
  if (!Number.isInteger(d.line) || d.line < 1 || d.line > lines.length) problems.push(`line ${d.line} outside 1..${lines.length}`);
  else if (!Number.isInteger(d.col) || d.col < 1 || d.col > lines[d.line - 1]!.length + 1) problems.push(`col ${d.col} outside line ${d.line} (length ${lines[d.line - 1]!.length})`);
  if (/\n\s+at .+[:(]\d+/.test(d.message) || d.message.includes('node_modules')) problems.push('message carries a stack trace');
  if (!/^DDI\d{4}$/.test(d.code)) problems.push(`bad code ${d.code}`);
  if (d.message.length === 0) problems.push('empty message');
  return problems;
}

describe('fuzzing the spec pipeline', () => {
  it(`${runs} mutated specs: no exception, no stack trace, every diagnostic inside its file (seed ${seed})`, () => {
    let withErrors = 0;
    let generated = 0;
    fc.assert(
      fc.property(fc.nat({ max: sources.length - 1 }), fc.array(mutationArbitrary, { minLength: 1, maxLength: 4 }), (which, mutations) => {
        const mutated = sources.map((source, i) => (i === which ? { ...source, text: mutations.reduce(mutate, source.text) } : source));
        const result = generate(mutated, { schema, templatesDir: bundled.templatesDir });
        const texts = new Map(mutated.map((s) => [s.path, s.text]));
        for (const d of result.diagnostics) {
          const problems = diagnosticProblems(d, texts);
          if (problems.length > 0) throw new Error(`${d.file}:${d.line}:${d.col} ${d.code} ${d.message}\n  ${problems.join('\n  ')}`);
        }
        if (result.files) generated++;
        else withErrors++;
      }),
      { numRuns: runs, seed },
    );
    // The mutations must reach both outcomes, or the fuzzer tests nothing.
    expect(withErrors).toBeGreaterThan(runs / 10);
    expect(generated).toBeGreaterThan(0);
  }, 600_000);
});
