/** `ddikit validate`: checks the spec and prints every problem; writes nothing. */
import { parseArgs } from 'node:util';
import { hasErrors } from '../../diagnostics.js';
import { bundled } from '../../paths.js';
import { check } from '../../pipeline.js';
import { readSchema } from '../../spec/validate.js';
import type { CliIo } from '../io.js';
import { noSpecFiles, readSpec, specOption, specOptions } from '../options.js';
import { printDiagnostics } from '../print.js';

export const validateUsage = `  ddikit validate [--spec DIR [--extend-bundled]] [--json]
      Check the spec and print every problem; write nothing.
`;

export function runValidate(args: readonly string[], io: CliIo): number {
  const { values } = parseArgs({
    args: [...args],
    options: { ...specOptions, json: { type: 'boolean' } },
    strict: true,
    allowPositionals: false,
  });
  const spec = specOption(values.spec, io, values['extend-bundled'] === true);
  const sources = readSpec(spec, io.cwd);
  const result = check(sources, { schema: readSchema(bundled.schemaPath) });
  const diagnostics = sources.length === 0 ? [noSpecFiles(spec, io)] : result.diagnostics;
  printDiagnostics(diagnostics, io, values.json === true, { files: sources.length });
  if (hasErrors(diagnostics)) return 1;
  if (!values.json) {
    const model = result.model!;
    io.stdout(
      `${sources.length} spec files are valid: ${model.roles.length} roles, ${model.functions.length} functions, ${model.types.length} types, ${model.constants.length} constants.\n`,
    );
  }
  return 0;
}
