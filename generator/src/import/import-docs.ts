/**
 * import-docs: reference pages (path + text) → spec YAML files of facts, and per-page diagnostics.
 * Each page is read on its own, so a broken page costs only itself. Pure: the CLI reads the folder
 * and writes the files (all-or-nothing, through write.ts).
 */
import { compareStrings, quote, sortDiagnostics, type Diagnostic } from '../diagnostics.js';
import type { OutputFile } from '../render/output.js';
import { emitImported } from './emit.js';
import {
  functionOrder,
  pageToEntry,
  reorder,
  roleOrder,
  type EntryOptions,
  type ImportedEntry,
  type ImportedKind,
} from './entry.js';
import { parsePage, type PageSource } from './page.js';

export interface ImportOptions extends Partial<EntryOptions> {
  /** The schema path written in each file's modeline, relative to the output folder. */
  schemaPath?: string;
  /** The generator version written in each file's mark; the package's own by default. */
  version?: string;
}

export interface ImportSummary {
  pages: number;
  /** Pages that gave no entry (the header overview page, or a page with an error). */
  skipped: number;
  byKind: Record<ImportedKind, number>;
  irql: { resolved: number; conditional: number; unknown: number; fromRemarks: number };
  params: { total: number; withDirection: number };
  since: { known: number; unknown: number };
}

export interface ImportResult {
  entries: ImportedEntry[];
  files: OutputFile[];
  /** Sorted; errors mean a page was skipped, warnings that something of it was. */
  diagnostics: Diagnostic[];
  summary: ImportSummary;
}

export function importDocs(sources: readonly PageSource[], options: ImportOptions = {}): ImportResult {
  const entryOptions: EntryOptions = { withText: options.withText === true };
  const diagnostics: Diagnostic[] = [];
  const read: ImportedEntry[] = [];
  let skipped = 0;
  for (const source of [...sources].sort((a, b) => compareStrings(a.path, b.path))) {
    const entry = readOne(source, entryOptions, diagnostics);
    if (entry === null) skipped++;
    else read.push(entry);
  }
  const { kept, aliases } = dropRepeats(read, diagnostics);
  resolveLinks(kept, aliases);
  return {
    entries: kept,
    files: emitImported(kept, options.schemaPath, options.version),
    diagnostics: sortDiagnostics(diagnostics),
    summary: summarize(sources.length, skipped, kept),
  };
}

function readOne(source: PageSource, options: EntryOptions, diagnostics: Diagnostic[]): ImportedEntry | null {
  try {
    const parsed = parsePage(source);
    for (const d of parsed.diagnostics) diagnostics.push(d);
    if (parsed.page === null) return null;
    const result = pageToEntry(parsed.page, options);
    for (const d of result.diagnostics) diagnostics.push(d);
    return result.entry;
  } catch (error) {
    // A page the importer cannot read must not stop the others; the message says what broke.
    diagnostics.push({
      file: source.path,
      line: 1,
      col: 1,
      severity: 'error',
      code: 'DDI3001',
      message: `the page could not be read (${quote((error as Error).message)}); it was skipped.`,
    });
    return null;
  }
}

/**
 * One entry per name: where two pages document the same name, the one for NDIS 6 (not titled
 * "NDIS 5.x") is kept, else the first by file name. The dropped page's links resolve to the kept entry.
 */
function dropRepeats(
  entries: readonly ImportedEntry[],
  diagnostics: Diagnostic[],
): { kept: ImportedEntry[]; aliases: Map<string, string> } {
  const byName = new Map<string, ImportedEntry[]>();
  for (const entry of entries) {
    const group = byName.get(entry.name);
    if (group === undefined) byName.set(entry.name, [entry]);
    else group.push(entry);
  }
  const kept: ImportedEntry[] = [];
  const aliases = new Map<string, string>();
  for (const [name, group] of byName) {
    const ordered = [...group].sort((a, b) => Number(a.legacy) - Number(b.legacy) || compareStrings(a.page, b.page));
    const winner = ordered[0]!;
    kept.push(winner);
    for (const loser of ordered.slice(1)) {
      aliases.set(stem(loser.page), name);
      diagnostics.push({
        file: loser.path,
        line: loser.line,
        col: 1,
        severity: 'warning',
        code: 'DDI3006',
        message: `${winner.page} also documents ${quote(name)}${winner.kind === loser.kind ? '' : ` (as a ${winner.kind}, here a ${loser.kind})`}; ${loser.legacy && !winner.legacy ? 'this page is the NDIS 5.x form, so the other one was kept' : 'the other one was kept (first by file name)'}.`,
      });
    }
  }
  return { kept: kept.sort((a, b) => compareStrings(a.name, b.name)), aliases };
}

function stem(page: string): string {
  return page.replace(/\.md$/i, '').toLowerCase();
}

/** See-also stems → entry names, for roles and functions; links to pages not imported are dropped. */
function resolveLinks(entries: ImportedEntry[], aliases: ReadonlyMap<string, string>): void {
  const byStem = new Map<string, string>(aliases);
  for (const entry of entries) byStem.set(stem(entry.page), entry.name);
  for (const entry of entries) {
    if (entry.kind !== 'role' && entry.kind !== 'function') continue;
    const names = [
      ...new Set(entry.links.map((s) => byStem.get(s)).filter((n): n is string => n !== undefined && n !== entry.name)),
    ];
    if (names.length === 0) continue;
    if (entry.kind === 'role') entry.spec = reorder({ ...entry.spec, seeAlso: names }, roleOrder);
    else entry.spec = reorder({ ...entry.spec, seeAlso: names }, functionOrder);
  }
}

function summarize(pages: number, skipped: number, entries: readonly ImportedEntry[]): ImportSummary {
  const summary: ImportSummary = {
    pages,
    skipped,
    byKind: { role: 0, function: 0, struct: 0, enum: 0 },
    irql: { resolved: 0, conditional: 0, unknown: 0, fromRemarks: 0 },
    params: { total: 0, withDirection: 0 },
    since: { known: 0, unknown: 0 },
  };
  for (const entry of entries) {
    summary.byKind[entry.kind]++;
    if (entry.spec.since === undefined) summary.since.unknown++;
    else summary.since.known++;
    if (entry.kind === 'role' || entry.kind === 'function') {
      summary.irql[entry.irql.status]++;
      if (entry.irql.source === 'remarks') summary.irql.fromRemarks++;
      summary.params.total += entry.spec.params.length;
      summary.params.withDirection += entry.spec.params.filter((p) => p.dir !== undefined).length;
    }
  }
  return summary;
}
