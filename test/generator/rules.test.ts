/**
 * The rule table (spec/rules.yaml) is the one source of the harness's rules: the generated metadata
 * carries it and @ddikit/sim's verifier reads it from there.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RULES } from '@ddikit/sim';
import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../generator/src/diagnostics.js';
import { bundled } from '../../generator/src/paths.js';
import { check } from '../../generator/src/pipeline.js';
import { readSpecSources } from '../../generator/src/spec/read-spec-folder.js';
import { readSchema } from '../../generator/src/spec/validate.js';

const result = check(readSpecSources(bundled.specDir, bundled.root), { schema: readSchema(bundled.schemaPath) });

describe('spec/rules.yaml', () => {
  it('is valid', () => {
    expect(result.diagnostics.map(formatDiagnostic)).toEqual([]);
  });

  it("is the harness's rule table: the verifier reads every rule from the generated metadata", () => {
    expect(Object.keys(RULES).sort()).toEqual(result.model!.rules.map((r) => r.id));
    for (const rule of result.model!.rules)
      expect(RULES[rule.id as keyof typeof RULES]).toMatchObject({ title: rule.title, severity: rule.severity });
  });

  it('is the table of the generated metadata', () => {
    const metadata = JSON.parse(readFileSync(join(bundled.outDir, 'src/generated/metadata.json'), 'utf8')) as {
      rules: { id: string; summary: string; bugChecks: unknown[] }[];
    };
    expect(metadata.rules.map((r) => r.id)).toEqual(result.model!.rules.map((r) => r.id));
    expect(metadata.rules.map((r) => r.summary)).toEqual(result.model!.rules.map((r) => r.summary));
    expect(metadata.rules.map((r) => r.bugChecks)).toEqual(result.model!.rules.map((r) => r.bugChecks));
  });
});
