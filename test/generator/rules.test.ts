/**
 * The rule table (spec/rules.yaml) is the one source of the harness's rules: it states every rule of
 * @ddikit/sim's verifier exactly as the verifier reports it, and the generated metadata carries it.
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

  it("states every rule of the harness's verifier as the verifier reports it", () => {
    const table = result.model!.rules.map((rule) => ({
      id: rule.id,
      title: rule.title,
      severity: rule.severity,
      source: rule.source,
      bugChecks: rule.bugChecks,
      compliance: rule.compliance,
    }));
    const verifier = Object.values(RULES)
      .map((rule) => ({
        id: rule.id,
        title: rule.title,
        severity: rule.severity,
        source: rule.source,
        bugChecks: rule.bugChecks.map((b) => ({ ...b })),
        compliance: rule.compliance === null ? null : { ...rule.compliance },
      }))
      .sort((a, b) => (a.id < b.id ? -1 : 1));
    expect(table).toEqual(verifier);
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
