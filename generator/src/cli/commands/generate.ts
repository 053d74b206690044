/** `ddikit generate`: the spec → @ddikit/ndis (declarations, metadata, C header, reference pages). */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { hasErrors } from '../../diagnostics.js';
import { bundled, isPackedGenerator } from '../../paths.js';
import { generate, type PipelineResult } from '../../pipeline.js';
import type { OutputFile, RuntimeLocation } from '../../render/output.js';
import { generatedDirs } from '../../render/render.js';
import { displayPath } from '../../paths.js';
import { readSchema } from '../../spec/validate.js';
import { withOutputLock } from '../../write/output-lock.js';
import { applyWrite, planWrite, type WritePlan } from '../../write/write.js';
import type { CliIo } from '../io.js';
import { UsageError } from '../arguments.js';
import { noSpecFiles, readSpec, specOption, specOptions, type SpecOption } from '../options.js';
import { plural, printDiagnostics } from '../print.js';

export const generateUsage = `  ddikit generate [--spec DIR [--extend-bundled]] [--out DIR] [--check] [--json]
      Regenerate declarations, metadata, the C header and reference pages from the spec.
      --spec DIR   spec folder (default: the bundled spec/)
      --extend-bundled
                   read the bundled spec too: the --spec folder adds entries to it
      --out DIR    output folder (default in the ddikit checkout: packages/ndis; required
                   with --spec and wherever the generator is installed from a package)
      --check      write nothing; list files that are stale and exit 1 if any
`;

interface GenerateRequest {
  spec: SpecOption;
  /** The --spec and --out values as given, for the command to run again. */
  specArg: string | undefined;
  outArg: string | undefined;
  outDir: string;
  check: boolean;
  json: boolean;
}

export function runGenerate(args: readonly string[], io: CliIo): number {
  const request = parseRequest(args, io);
  const sources = readSpec(request.spec, io.cwd);
  if (sources.length === 0) {
    printDiagnostics([noSpecFiles(request.spec, io)], io, request.json);
    return 1;
  }
  const result = generate(sources, {
    schema: readSchema(bundled.schemaPath),
    templatesDir: bundled.templatesDir,
    runtime: runtimeLocation(request.outDir),
  });
  if (!result.files || hasErrors(result.diagnostics)) {
    printDiagnostics(result.diagnostics, io, request.json);
    return 1;
  }
  const files = result.files;
  if (request.check) return reportCheck(request, result, planWrite(request.outDir, files, generatedDirs), io);
  const written = withOutputLock(request.outDir, () => applyWrite(planWrite(request.outDir, files, generatedDirs)), {
    ownedDirs: generatedDirs,
  });
  const outShown = displayPath(request.outDir, io.cwd);
  if (request.json) {
    io.stdout(`${JSON.stringify({ diagnostics: result.diagnostics, ...written, out: outShown }, null, 2)}\n`);
  } else {
    io.stdout(summaryText(result, sources.length, outShown, written));
  }
  return 0;
}

/**
 * Where the output folder's TypeScript finds the role runtime: beside it when the folder is the
 * @ddikit/ndis package (its package.json says so), else in the installed @ddikit/ndis — a project's
 * `--out generated` then compiles and imports as it is.
 */
function runtimeLocation(outDir: string): RuntimeLocation {
  try {
    const manifest = JSON.parse(readFileSync(join(outDir, 'package.json'), 'utf8')) as { name?: unknown };
    return manifest.name === '@ddikit/ndis' ? 'package' : 'installed';
  } catch {
    return 'installed';
  }
}

function parseRequest(args: readonly string[], io: CliIo): GenerateRequest {
  const { values } = parseArgs({
    args: [...args],
    options: {
      ...specOptions,
      out: { type: 'string' },
      check: { type: 'boolean' },
      json: { type: 'boolean' },
    },
    strict: true,
    allowPositionals: false,
  });
  const spec = specOption(values.spec, io, values['extend-bundled'] === true);
  if (spec.custom && values.out === undefined) {
    throw new UsageError('--out is required with --spec, so a custom spec never overwrites the bundled package.');
  }
  if (values.out === undefined && isPackedGenerator()) {
    throw new UsageError('--out DIR is required: the folder to write the generated package into.');
  }
  return {
    spec,
    specArg: values.spec,
    outArg: values.out,
    outDir: values.out === undefined ? bundled.outDir : resolve(io.cwd, values.out),
    check: values.check === true,
    json: values.json === true,
  };
}

/** --check: lists the stale files (or says all are up to date); 1 when any is stale. */
function reportCheck(request: GenerateRequest, result: PipelineResult, plan: WritePlan, io: CliIo): number {
  const files: readonly OutputFile[] = result.files ?? [];
  const outShown = displayPath(request.outDir, io.cwd);
  const stale = [...plan.changed.map((f) => f.path), ...plan.stale].sort();
  if (request.json) {
    io.stdout(
      `${JSON.stringify({ diagnostics: result.diagnostics, stale: stale.map((p) => `${outShown}/${p}`) }, null, 2)}\n`,
    );
  } else if (stale.length > 0) {
    io.stderr(`generated files are not up to date (${stale.length} of ${files.length + plan.stale.length}):\n`);
    for (const path of plan.changed.map((f) => f.path))
      io.stderr(`  ${existsSync(join(request.outDir, path)) ? 'changed' : 'missing'}  ${outShown}/${path}\n`);
    for (const path of plan.stale) io.stderr(`  extra    ${outShown}/${path}\n`);
    const again = `${request.spec.custom ? ` --spec ${request.specArg}` : ''}${request.spec.extendsBundled ? ' --extend-bundled' : ''}${request.outArg !== undefined ? ` --out ${request.outArg}` : ''}`;
    io.stderr(`Run "npm run generate" (or "ddikit generate${again}") to update them.\n`);
  } else {
    io.stdout(`${files.length} generated files in ${outShown} are up to date.\n`);
  }
  return stale.length > 0 ? 1 : 0;
}

function summaryText(
  result: PipelineResult,
  sourceCount: number,
  outShown: string,
  written: { written: string[]; unchanged: string[]; removed: string[] },
): string {
  const model = result.model!;
  const files = result.files ?? [];
  const count = (prefix: string): number => files.filter((f) => f.path.startsWith(prefix)).length;
  const variants = model.roles.filter((r) => r.variantOf).length;
  return [
    `ddikit generate: ${plural(sourceCount, 'spec file')} → ${outShown}`,
    `  model       ${plural(model.roles.length, 'role')} (${plural(variants, 'variant')}), ${plural(model.functions.length, 'function')}, ${plural(model.types.length, 'type')}, ${plural(model.constants.length, 'constant')}`,
    `  typescript  ${plural(count('src/'), 'file')} in src/generated (declarations, metadata)`,
    `  c           ${plural(count('include/'), 'file')} in include`,
    `  reference   ${plural(count('docs/'), 'page')} in docs/reference`,
    `  disk        ${written.written.length} written, ${written.unchanged.length} unchanged, ${written.removed.length} removed`,
    '',
  ].join('\n');
}
