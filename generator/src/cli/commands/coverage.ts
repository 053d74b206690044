/** `ddikit coverage`: how much of the spec is known, by kind of entry. */
import { parseArgs } from 'node:util';
import { bundled } from '../../paths.js';
import { check } from '../../pipeline.js';
import { coverage, formatCoverage } from '../../spec/coverage.js';
import { load } from '../../spec/load.js';
import { readSchema } from '../../spec/validate.js';
import type { CliIo } from '../io.js';
import { noSpecFiles, readSpec, specOption, specOptions } from '../options.js';
import { printDiagnostics } from '../print.js';

export const coverageUsage = `  ddikit coverage [--spec DIR [--extend-bundled]] [--json]
      Print how much of the spec is known: entries by kind, IRQL contracts resolved, conditional
      or unknown, parameters typed or unknown, curated overrides, and conflicts with the docs.
`;

export function runCoverage(args: readonly string[], io: CliIo): number {
  const { values } = parseArgs({
    args: [...args],
    options: { ...specOptions, json: { type: 'boolean' } },
    strict: true,
    allowPositionals: false,
  });
  const spec = specOption(values.spec, io, values['extend-bundled'] === true);
  const sources = readSpec(spec, io.cwd);
  const result = check(sources, { schema: readSchema(bundled.schemaPath) });
  if (!result.model) {
    printDiagnostics(sources.length === 0 ? [noSpecFiles(spec, io)] : result.diagnostics, io, values.json === true);
    return 1;
  }
  const report = coverage(result.model, load(sources).files);
  if (values.json === true) {
    io.stdout(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    io.stdout(formatCoverage(report));
  }
  return 0;
}
