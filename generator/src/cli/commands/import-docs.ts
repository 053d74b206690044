/** `ddikit import-docs`: Windows DDI reference pages → spec YAML of their facts. */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { parseArgs } from 'node:util';
import { compareStrings, hasErrors } from '../../diagnostics.js';
import { importedMark } from '../../import/emit.js';
import { importDocs, type ImportResult, type ImportSummary } from '../../import/import-docs.js';
import type { PageSource } from '../../import/page.js';
import { bundled } from '../../paths.js';
import { displayPath } from '../../spec/read-spec-folder.js';
import { withOutputLock } from '../../write/output-lock.js';
import { applyWrite, planWrite, type WritePlan, type WriteResult } from '../../write/write.js';
import type { CliIo } from '../io.js';
import { UsageError } from '../options.js';
import { plural, printDiagnostics } from '../print.js';

export const importDocsUsage = `  ddikit import-docs DIR --out DIR [--with-text] [--check] [--json]
      Read the Windows DDI reference pages in DIR (YAML front matter + sections) and write spec
      YAML of their facts to --out: names, kinds, header, first version, parameters with their
      directions, return types where stated, compliance rules, see-also links, IRQL contracts.
      A bad page gets a diagnostic and never stops the others; files are written all-or-nothing.
      --with-text  keep the pages' descriptions too (for your own copy of the docs; never commit)
      --check      write nothing; exit 1 if the files in --out differ from a fresh import
`;

interface ImportRequest {
  /** The pages folder and --out as given, for the command to run again. */
  pagesArg: string;
  outArg: string;
  pagesDir: string;
  outDir: string;
  withText: boolean;
  check: boolean;
  json: boolean;
}

export function runImportDocs(args: readonly string[], io: CliIo): number {
  const request = parseRequest(args, io);
  const pages = readPages(request.pagesDir, io);
  const schemaPath = relative(request.outDir, bundled.schemaPath).split(sep).join('/');
  const result = importDocs(pages, { withText: request.withText, schemaPath });
  // Files this import owns in --out: the ones it writes, and earlier imported files it no longer writes.
  const plan = { ...planWrite(request.outDir, result.files, []), stale: staleImports(request.outDir, result) };
  if (request.check) return reportCheck(request, result, plan, io);
  const written = withOutputLock(request.outDir, () => applyWrite(plan));
  const outShown = displayPath(request.outDir, io.cwd);
  if (request.json) {
    io.stdout(
      `${JSON.stringify({ diagnostics: result.diagnostics, summary: result.summary, ...written, out: outShown }, null, 2)}\n`,
    );
  } else {
    printDiagnostics(result.diagnostics, io, false);
    io.stdout(summaryText(result.summary, displayPath(request.pagesDir, io.cwd), outShown, written));
  }
  return hasErrors(result.diagnostics) ? 1 : 0;
}

function parseRequest(args: readonly string[], io: CliIo): ImportRequest {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: {
      out: { type: 'string' },
      'with-text': { type: 'boolean' },
      check: { type: 'boolean' },
      json: { type: 'boolean' },
    },
    strict: true,
    allowPositionals: true,
  });
  if (positionals.length !== 1)
    throw new UsageError(
      'give exactly one folder of reference pages, e.g. ddikit import-docs ../shared/ddi-docs/ndis --out spec/ndis/imported.',
    );
  if (values.out === undefined)
    throw new UsageError('--out DIR is required: the folder to write the spec YAML into (e.g. spec/ndis/imported).');
  const pagesDir = resolve(io.cwd, positionals[0]!);
  if (!existsSync(pagesDir) || !statSync(pagesDir).isDirectory())
    throw new UsageError(`${JSON.stringify(positionals[0])} is not a folder.`);
  return {
    pagesArg: positionals[0]!,
    outArg: values.out,
    pagesDir,
    outDir: resolve(io.cwd, values.out),
    withText: values['with-text'] === true,
    check: values.check === true,
    json: values.json === true,
  };
}

/** The reference pages of a folder: every .md file but its README, sorted. */
function readPages(dir: string, io: CliIo): PageSource[] {
  return readdirSync(dir)
    .filter((name) => name.toLowerCase().endsWith('.md') && name.toLowerCase() !== 'readme.md')
    .sort(compareStrings)
    .filter((name) => statSync(join(dir, name)).isFile())
    .map((name) => ({ path: displayPath(join(dir, name), io.cwd), text: readFileSync(join(dir, name), 'utf8') }));
}

/** Imported files in --out (they carry the import's mark) that this import no longer writes. */
function staleImports(outDir: string, result: ImportResult): string[] {
  if (!existsSync(outDir)) return [];
  const produced = new Set(result.files.map((f) => f.path));
  return readdirSync(outDir)
    .filter((name) => /\.ya?ml$/.test(name) && !produced.has(name) && statSync(join(outDir, name)).isFile())
    .filter((name) =>
      readFileSync(join(outDir, name), 'utf8')
        .split('\n', 3)
        .some((line) => line.startsWith(importedMark)),
    )
    .sort(compareStrings);
}

/** --check: lists the imported files that differ from a fresh import; 1 when any does or a page failed. */
function reportCheck(request: ImportRequest, result: ImportResult, plan: WritePlan, io: CliIo): number {
  const outShown = displayPath(request.outDir, io.cwd);
  const produced = new Set(result.files.map((f) => f.path));
  const changed = [...plan.changed.map((f) => f.path), ...plan.stale].sort(compareStrings);
  if (request.json) {
    io.stdout(
      `${JSON.stringify({ diagnostics: result.diagnostics, summary: result.summary, stale: changed.map((p) => `${outShown}/${p}`) }, null, 2)}\n`,
    );
  } else {
    printDiagnostics(result.diagnostics, io, false);
    if (changed.length > 0) {
      io.stderr(`imported spec files are not up to date with ${displayPath(request.pagesDir, io.cwd)}:\n`);
      for (const path of changed) {
        const state = produced.has(path) ? (existsSync(join(request.outDir, path)) ? 'changed' : 'missing') : 'extra  ';
        io.stderr(`  ${state}  ${outShown}/${path}\n`);
      }
      io.stderr(`Run "ddikit import-docs ${request.pagesArg} --out ${request.outArg}" to update them.\n`);
    } else {
      io.stdout(`${result.files.length} imported spec files in ${outShown} are up to date.\n`);
    }
  }
  return changed.length > 0 || hasErrors(result.diagnostics) ? 1 : 0;
}

function summaryText(summary: ImportSummary, from: string, out: string, written: WriteResult): string {
  const { byKind, irql, params, since } = summary;
  return [
    `ddikit import-docs: ${plural(summary.pages, 'page')} in ${from} → ${out}`,
    `  entries     ${plural(byKind.role, 'role type')}, ${plural(byKind.function, 'function')}, ${plural(byKind.struct, 'structure')}, ${plural(byKind.enum, 'enumeration')} (${plural(summary.skipped, 'page')} without an entry)`,
    `  irql        ${irql.resolved} resolved, ${irql.conditional} conditional, ${irql.unknown} unknown (${irql.fromRemarks} read from the remarks)`,
    `  parameters  ${params.total}, ${params.withDirection} with a direction; types are not in the pages`,
    `  since       ${since.known} known, ${since.unknown} unknown`,
    `  disk        ${written.written.length} written, ${written.unchanged.length} unchanged, ${written.removed.length} removed`,
    '',
  ].join('\n');
}
