/** `ddikit import-docs`: Windows DDI reference pages → spec YAML of their facts. */
import { existsSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { parseArgs } from 'node:util';
import { compareStrings, hasErrors, sortDiagnostics, type Diagnostic } from '../../diagnostics.js';
import { isImportedMark } from '../../import/emit.js';
import { importDocs, type ImportResult, type ImportSummary } from '../../import/import-docs.js';
import type { PageSource } from '../../import/page.js';
import { bundled } from '../../paths.js';
import { walkFolder, type ReadProblem, type WalkLimits } from '../../spec/read-file.js';
import { displayPath } from '../../paths.js';
import { withOutputLock } from '../../write/output-lock.js';
import { applyWrite, planWrite, type WritePlan, type WriteResult } from '../../write/write.js';
import { readHead, realFs } from '../../write/write-fs.js';
import type { CliIo } from '../io.js';
import { UsageError } from '../arguments.js';
import { plural, printDiagnostics } from '../print.js';

export const importDocsUsage = `  ddikit import-docs DIR --out DIR [--with-text] [--check] [--json]
      Read the Windows DDI reference pages in DIR (YAML front matter + sections) and write spec
      YAML of their facts to --out: names, kinds, header, first version, parameters with their
      directions, return types where stated, compliance rules, see-also links, IRQL contracts.
      A bad page gets a diagnostic and never stops the others; files are written all-or-nothing.
      Pages are the regular .md files of DIR itself: links, special files, pages over 4 MiB and
      pages that are not UTF-8 are errors, and a subfolder gets a warning (it is not read).
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
  const read = readPages(request.pagesDir, io);
  const schemaPath = relative(request.outDir, bundled.schemaPath).split(sep).join('/');
  const imported = importDocs(read.pages, { withText: request.withText, schemaPath });
  // Paths that are no page to read count as pages that gave no entry.
  const unread = read.diagnostics.filter((d) => d.severity === 'error').length;
  const result: ImportResult = {
    ...imported,
    diagnostics: sortDiagnostics([...read.diagnostics, ...imported.diagnostics]),
    summary: {
      ...imported.summary,
      pages: imported.summary.pages + unread,
      skipped: imported.summary.skipped + unread,
    },
  };
  // Files this import owns in --out: the ones it writes, and earlier imported files it no longer writes.
  const plan = { ...planWrite(request.outDir, result.files, []), stale: staleImports(request.outDir, result) };
  if (request.check) return reportCheck(request, result, plan, io);
  // Planned again under the lock, after what a dead run left there is finished or undone.
  const written = withOutputLock(request.outDir, () =>
    applyWrite({ ...planWrite(request.outDir, result.files, []), stale: staleImports(request.outDir, result) }),
  );
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

/** The bounds of reading a folder of reference pages (pages are read from the folder itself only). */
export const pagesFolderLimits: WalkLimits = {
  fileBytesMax: 4 * 1024 * 1024,
  folderBytesMax: 256 * 1024 * 1024,
  depthMax: 0,
  entriesMax: 100_000,
  fileNoun: 'a reference page',
};

/**
 * The reference pages of a folder: every .md file but its README, sorted, read by the rules of the
 * spec folder (regular files only, no link followed, a size cap, strict UTF-8). A subfolder is not
 * read: it gets a warning, so that no page is left out unseen.
 */
function readPages(dir: string, io: CliIo): { pages: PageSource[]; diagnostics: Diagnostic[] } {
  const root = realpathSync(dir);
  const shown = (path: string): string => displayPath(join(dir, relative(root, path)), io.cwd);
  const wanted = (name: string): boolean => name.toLowerCase().endsWith('.md') && name.toLowerCase() !== 'readme.md';
  const { files, others } = walkFolder(root, shown, wanted, pagesFolderLimits, {
    subfolder: (path) => ({
      line: 1,
      col: 1,
      severity: 'warning',
      code: 'DDI3009',
      message: `${shown(path)} is a folder; import-docs reads the pages of the folder it is given, not of its subfolders. Import it on its own, or move its pages up.`,
    }),
  });
  const diagnostics: Diagnostic[] = [];
  const located = (path: string, problem: ReadProblem): Diagnostic => ({ file: shown(path), ...problem });
  for (const { path, problem } of others) diagnostics.push(located(path, problem));
  const pages: PageSource[] = [];
  for (const file of files) {
    if (file.problem !== undefined) diagnostics.push(located(file.path, file.problem));
    else pages.push({ path: shown(file.path), text: file.text });
  }
  return { pages, diagnostics };
}

/**
 * Imported files in --out (they carry the import's mark) that this import no longer writes: regular
 * files only, read without following a link or blocking on a FIFO.
 */
function staleImports(outDir: string, result: ImportResult): string[] {
  if (!existsSync(outDir)) return [];
  const produced = new Set(result.files.map((f) => f.path));
  return readdirSync(outDir, { withFileTypes: true })
    .filter((entry) => /\.ya?ml$/.test(entry.name) && !produced.has(entry.name) && entry.isFile())
    .map((entry) => entry.name)
    .filter((name) =>
      (readHead(join(outDir, name), 1024, realFs)?.toString('utf8') ?? '').split('\n', 3).some(isImportedMark),
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
