/**
 * coverage: how much of the spec is known, by kind of entry. Entries by kind and where they come from
 * (curated, imported, curated over imported), IRQL contracts resolved / conditional / unknown,
 * parameters typed / unknown, what the C header can declare, and where curated entries disagree with
 * the reference pages. Pure: model and loaded files in, a report and its text out.
 */
import { compareStrings, escapeHidden } from '../diagnostics.js';
import type { LoadedFile } from './load.js';
import type { FunctionModel, Model, RoleModel, TypeModel } from './model.js';
import { disagreementsOf, type Disagreement } from './disagreements.js';

export const coverageKinds = ['roles', 'functions', 'structures', 'enumerations'] as const;
export type CoverageKind = (typeof coverageKinds)[number];

type Counts = Record<CoverageKind, number>;

export interface CoverageRow {
  label: string;
  counts: Counts;
}

export interface CoverageReport {
  /** Spec files read, and how many of them are imported. */
  files: { total: number; imported: number };
  rows: CoverageRow[];
  /** Scalars, handles, pointers and void: types that have no reference page of their own. */
  otherTypes: number;
  /** Facts where curated entries and their reference pages differ (contract ones are DDI2014 warnings). */
  disagreements: Disagreement[];
}

function zero(): Counts {
  return { roles: 0, functions: 0, structures: 0, enumerations: 0 };
}

export function coverage(model: Model, files: readonly LoadedFile[]): CoverageReport {
  // Variants are entries of their own (with their base role's parameters and contract): counted in every row.
  const roles = model.roles;
  const structs = model.types.filter((t) => t.typeKind === 'struct');
  const enums = model.types.filter((t) => t.typeKind === 'enum');
  const byKind: Record<CoverageKind, readonly (RoleModel | FunctionModel | TypeModel)[]> = {
    roles: model.roles,
    functions: model.functions,
    structures: structs,
    enumerations: enums,
  };
  const row = (label: string, count: (kind: CoverageKind) => number): CoverageRow => {
    const counts = zero();
    for (const kind of coverageKinds) counts[kind] = count(kind);
    return { label, counts };
  };
  const where = (origin: string) => (kind: CoverageKind) => byKind[kind].filter((e) => e.origin === origin).length;
  const callables = (kind: CoverageKind): readonly (RoleModel | FunctionModel)[] =>
    kind === 'roles' ? roles : kind === 'functions' ? model.functions : [];
  const irql = (status: 'resolved' | 'conditional' | 'unknown') => (kind: CoverageKind) =>
    callables(kind).filter((e) => irqlStatus(e) === status).length;
  const params = (typed: boolean) => (kind: CoverageKind) => {
    if (kind === 'roles' || kind === 'functions') {
      return callables(kind)
        .flatMap((e) => e.params)
        .filter((p) => (p.type.kind !== 'unknown') === typed).length;
    }
    return byKind[kind].flatMap((t) => (t as TypeModel).fields).filter((f) => (f.type.kind !== 'unknown') === typed)
      .length;
  };
  const declared = (kind: CoverageKind): number => {
    if (kind === 'roles') return model.roles.filter((r) => r.prototype).length;
    if (kind === 'functions') return model.functions.filter((f) => f.prototype).length;
    return byKind[kind].filter((t) => (t as TypeModel).complete).length;
  };
  const disagreements = disagreementsOf(files).sort(
    (a, b) => compareStrings(a.file, b.file) || a.line - b.line || a.col - b.col || compareStrings(a.what, b.what),
  );
  const conflicts =
    (kind: 'contract' | 'signature', acknowledged = false) =>
    (k: CoverageKind) => {
      const names = new Set(callables(k).map((e) => e.name));
      const counted = disagreements.filter(
        (d) => d.kind === kind && names.has(d.name) && (d.acknowledged !== undefined) === acknowledged,
      );
      return new Set(counted.map((d) => d.name)).size;
    };
  const rows: CoverageRow[] = [
    row('entries', (kind) => byKind[kind].length),
    row('curated only', where('curated')),
    row('imported only', where('imported')),
    row('curated over imported', where('merged')),
    row('IRQL resolved', irql('resolved')),
    row('IRQL conditional', irql('conditional')),
    row('IRQL unknown', irql('unknown')),
    row('parameters / fields typed', params(true)),
    row('parameters / fields unknown', params(false)),
    row('declared in the C header', declared),
    row('contract conflicts (DDI2014)', conflicts('contract')),
    row('contract differences acknowledged', conflicts('contract', true)),
    row('signature differences', conflicts('signature')),
  ];
  return {
    files: {
      total: files.length,
      imported: files.filter((f) => (f.value as { imported?: unknown }).imported === true).length,
    },
    rows,
    otherTypes: model.types.length - structs.length - enums.length,
    disagreements,
  };
}

/** resolved: one contract; conditional: a known contract with conditional branches; unknown: no level known. */
export function irqlStatus(entry: RoleModel | FunctionModel): 'resolved' | 'conditional' | 'unknown' {
  if (entry.irql.min === null || entry.irql.max === null) return 'unknown';
  return entry.irql.when.length > 0 ? 'conditional' : 'resolved';
}

/** The report as a Markdown table, then the differences from the reference pages, one per line. */
export function formatCoverage(report: CoverageReport): string {
  const header = ['', 'role types', 'functions', 'structures', 'enumerations'];
  const lines = report.rows.map((r) => [r.label, ...coverageKinds.map((k) => String(r.counts[k]))]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const cell = (text: string, i: number): string => (i === 0 ? text.padEnd(widths[i]!) : text.padStart(widths[i]!));
  const out = [
    `| ${header.map(cell).join(' | ')} |`,
    `|${widths.map((w, i) => (i === 0 ? `${'-'.repeat(w + 2)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`,
    ...lines.map((l) => `| ${l.map(cell).join(' | ')} |`),
  ];
  out.push(
    '',
    `${report.files.total} spec files (${report.files.imported} imported); ${report.otherTypes} scalar, handle, pointer and void types besides.`,
  );
  if (report.disagreements.length > 0) {
    out.push('', 'Curated entries that differ from their reference pages:');
    for (const d of report.disagreements) {
      out.push(
        `  ${d.file}:${d.line}:${d.col}  ${d.name}: ${d.what} is ${d.curated} here, ${d.docs} in ${d.page}${d.acknowledged !== undefined ? ` (acknowledged: ${escapeHidden(d.acknowledged)})` : d.kind === 'contract' ? ' (DDI2014)' : ''}`,
      );
    }
  }
  return `${out.join('\n')}\n`;
}
