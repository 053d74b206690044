/**
 * One parsed reference page → one spec entry with the facts the page states: name, kind, header,
 * since, parameters (names, directions, optional), return type where stated, compliance rule names,
 * see-also targets and the IRQL contract. Prose is kept only on request (`withText`). Pure. The
 * parameters, fields and enumeration members are read in members.ts.
 */
import { quote, type Diagnostic, type DiagnosticCode, type Severity } from '../diagnostics.js';
import type { SpecFunction, SpecReturns, SpecRole, SpecType } from '../spec/spec-types.js';
import { irqlContract, irqlValue, type IrqlResult } from './irql.js';
import { linkTargets, plainText } from './markup.js';
import { frontValue, type Page, type PageLine, type Subsection } from './page.js';
import { enumValues, parameters, structFields, type EntryOptions, type Report } from './members.js';
import { normalizeSince } from './since.js';

export type ImportedKind = 'role' | 'function' | 'struct' | 'enum';

interface EntryBase {
  name: string;
  /** The page's file name, without folders (nf-ndis-ndisacquirespinlock.md). */
  page: string;
  /** The page path as diagnostics show it. */
  path: string;
  /** The line of the page's UID (where diagnostics about the whole entry point). */
  line: number;
  /** Lower-case stems (file names without .md) of the reference pages the see-also section links to. */
  links: string[];
  /** The title says the page documents an NDIS 5.x form. */
  legacy: boolean;
}

export interface ImportedRole extends EntryBase {
  kind: 'role';
  spec: SpecRole;
  irql: IrqlResult;
}

export interface ImportedFunction extends EntryBase {
  kind: 'function';
  spec: SpecFunction;
  irql: IrqlResult;
}

export interface ImportedType extends EntryBase {
  kind: 'struct' | 'enum';
  spec: SpecType;
}

export type ImportedEntry = ImportedRole | ImportedFunction | ImportedType;

export type { EntryOptions } from './members.js';

const kindsByPrefix: Readonly<Record<string, ImportedKind>> = { NC: 'role', NF: 'function', NS: 'struct', NE: 'enum' };
const identifier = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The entry of a page; null (with a diagnostic, or silently for the header overview page) when it has none. */
export function pageToEntry(
  page: Page,
  options: EntryOptions,
): { entry: ImportedEntry | null; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const report = (line: number, col: number, severity: Severity, code: DiagnosticCode, message: string): void => {
    diagnostics.push({ file: page.path, line, col, severity, code, message });
  };
  const uid = pageUid(page, report);
  if (uid === null) return { entry: null, diagnostics };
  const { kind, line } = uid;
  const facts: PageFacts = {
    // The spec holds a page's file name only in the form reference pages have (letters, digits, _ . ~ -).
    pageName: /^[A-Za-z0-9_.~-]+\.md$/.test(page.file) ? page.file : undefined,
    since: normalizeSince(frontValue(page, 'req.target-min-winverclnt')),
    header: headerOf(frontValue(page, 'req.header')),
    description: options.withText
      ? textOrUndefined(plainText(page.sections.get('description')?.lines ?? []))
      : undefined,
  };
  const base = {
    page: page.file,
    path: page.path,
    line,
    links: seeAlsoStems(page),
    legacy: /\(NDIS 5\.[x0-9]+\)/i.test(frontValue(page, 'title')),
  };
  if (kind === 'struct' || kind === 'enum') {
    const spec = typeSpec(page, kind, uid.name, facts, report, options);
    return { entry: { kind, name: spec.name, spec, ...base }, diagnostics };
  }
  return { entry: { ...callableEntry(page, kind, uid.name, facts, report, options), ...base }, diagnostics };
}

/** What every kind of entry takes from a page's front matter and description. */
interface PageFacts {
  pageName: string | undefined;
  since: string | null;
  header: string | null;
  description: string | undefined;
}

/**
 * The kind and name the page's UID gives (`NF:ndis.NdisMRegisterInterruptEx`), with the line of the
 * UID; null when the page names no entry (the header overview page, silently; a missing, malformed
 * or unread UID, with a diagnostic). A file name prefix that contradicts the UID is a warning.
 */
function pageUid(page: Page, report: Report): { kind: ImportedKind; name: string; line: number } | null {
  const uidField = page.frontMatter.get('UID');
  // The header overview page (NA:ndis) documents no entry.
  if (/^NA:[A-Za-z0-9_]+$/.test(uidField?.value ?? '')) return null;
  const uid = /^(N[A-Z]):([A-Za-z0-9_]+)\.([A-Za-z_][A-Za-z0-9_]*)(?:~r\d+)?$/.exec(uidField?.value ?? '');
  const kind = uid ? kindsByPrefix[uid[1]!] : undefined;
  if (!uid || kind === undefined) {
    const filePrefix = /^(n[cfse])-/.exec(page.file)?.[1];
    if (uidField === undefined) {
      report(
        1,
        1,
        'error',
        'DDI3001',
        `the front matter has no UID, so the page names no entry; it was skipped. Add "UID: NF:ndis.Name" (NC for callbacks, NS structures, NE enumerations).`,
      );
    } else if (uid) {
      report(
        uidField.line,
        6,
        'error',
        'DDI3008',
        `the UID ${quote(uidField.value)} is of kind ${uid[1]}, which the importer does not read (NC callbacks, NF functions, NS structures, NE enumerations); the page was skipped.`,
      );
    } else {
      report(
        uidField.line,
        6,
        'error',
        'DDI3001',
        `the UID ${quote(uidField.value)} is not of the form "NF:ndis.Name"; the page was skipped.${filePrefix ? '' : ' Its file name has no nc-, nf-, ns- or ne- prefix either.'}`,
      );
    }
    return null;
  }
  const line = uidField!.line;
  const filePrefix = /^(n[cfse])-/.exec(page.file)?.[1]?.toUpperCase();
  if (filePrefix !== undefined && filePrefix !== uid[1]) {
    report(
      line,
      6,
      'warning',
      'DDI3008',
      `the UID says ${uid[1]} but the file name says ${filePrefix}; the UID was followed. Rename the file or correct the UID.`,
    );
  }
  return { kind, name: uid[3]!, line };
}

/** A structure or enumeration: the UID names its C tag, req.typenames its name. */
function typeSpec(
  page: Page,
  kind: 'struct' | 'enum',
  tag: string,
  facts: PageFacts,
  report: Report,
  options: EntryOptions,
): SpecType {
  const { pageName, since, header, description } = facts;
  const typeNames = frontValue(page, 'req.typenames')
    .split(',')
    .map((n) => n.trim())
    .filter((n) => identifier.test(n));
  const name = typeNames[0] ?? tag;
  // The UID names the C tag (often _NAME, sometimes NAME itself): written always, never left to a default.
  const spec: SpecType = { name, kind, tag, ...(pageName === undefined ? {} : { page: pageName }) };
  if (since !== null) spec.since = since;
  if (header !== null && header !== 'ndis.h') spec.header = header;
  if (kind === 'struct') {
    const fields = structFields(page, report, options);
    if (fields.length > 0) spec.fields = fields;
  } else {
    const values = enumValues(page, report, options);
    if (values.length > 0) spec.values = values;
  }
  if (description !== undefined) spec.description = description;
  return spec;
}

/** A role or a function: parameters, return type, compliance rules and the IRQL contract. */
function callableEntry(
  page: Page,
  kind: 'role' | 'function',
  name: string,
  facts: PageFacts,
  report: Report,
  options: EntryOptions,
): Pick<ImportedRole, 'kind' | 'name' | 'spec' | 'irql'> | Pick<ImportedFunction, 'kind' | 'name' | 'spec' | 'irql'> {
  const { pageName, since, header, description } = facts;
  const title = page.title ?? frontValue(page, 'title');
  const params = parameters(page, report, options);
  const returns = returnsOf(page, name, options);
  const compliance = unique(
    frontValue(page, 'req.ddi-compliance')
      .split(',')
      .map((c) => c.trim())
      .filter((c) => /^[A-Za-z][A-Za-z0-9_]*$/.test(c)),
  );
  const conventional = kind === 'role' ? conventionalName(page, name) : null;
  const irql = pageIrql(page, [name, ...(conventional === null ? [] : [conventional])], report);
  if (kind === 'role') {
    const spec: SpecRole = { name, ...(pageName === undefined ? {} : { page: pageName }), params, irql: irql.irql };
    if (conventional !== null) spec.function = conventional;
    const pointer = pointerName(page, name);
    if (pointer !== null) spec.pointer = pointer;
    finishCallable(spec, { since, header, returns, compliance, description });
    return { kind, name, spec: reorder(spec, roleOrder), irql };
  }
  const spec: SpecFunction = { name, ...(pageName === undefined ? {} : { page: pageName }), params, irql: irql.irql };
  if (/\bmacro\b/i.test(title ?? '') || /\bmacro\b/i.test(frontValue(page, 'title'))) spec.macro = true;
  finishCallable(spec, { since, header, returns, compliance, description });
  return { kind, name, spec: reorder(spec, functionOrder), irql };
}

/** The IRQL contract from req.irql, or from the remarks where req.irql states none the importer reads. */
function pageIrql(page: Page, names: readonly string[], report: Report): IrqlResult {
  const rawIrql = frontValue(page, 'req.irql');
  const value = irqlValue(rawIrql);
  const remarks = plainText(withoutExamples(page.sections.get('remarks')?.lines ?? []));
  const irql = irqlContract(value, value.contract === null ? remarks : '', names, rawIrql);
  if (value.unreadable) {
    const field = page.frontMatter.get('req.irql')!;
    report(
      field.line,
      11,
      'warning',
      'DDI3004',
      `req.irql ${quote(rawIrql.trim())} is no IRQL form the importer reads (such as "<= DISPATCH_LEVEL", "PASSIVE_LEVEL", "Any level" or "See Remarks section"); the contract is recorded as unknown.`,
    );
  }
  return irql;
}

export const roleOrder = [
  'name',
  'page',
  'function',
  'pointer',
  'header',
  'since',
  'params',
  'returns',
  'irql',
  'compliance',
  'seeAlso',
  'description',
];
export const functionOrder = [
  'name',
  'page',
  'macro',
  'header',
  'since',
  'params',
  'returns',
  'irql',
  'compliance',
  'seeAlso',
  'description',
];

/** A copy of an object with its keys in a fixed order (so emitted YAML reads the same for every entry). */
export function reorder<T extends object>(value: T, order: readonly string[]): T {
  const entries = Object.entries(value).sort(([a], [b]) => rankOf(order, a) - rankOf(order, b));
  return Object.fromEntries(entries) as T;
}

function rankOf(order: readonly string[], key: string): number {
  const index = order.indexOf(key);
  return index === -1 ? order.length : index;
}

function finishCallable(
  spec: SpecRole | SpecFunction,
  facts: {
    since: string | null;
    header: string | null;
    returns: SpecReturns | null;
    compliance: string[];
    description: string | undefined;
  },
): void {
  if (facts.since !== null) spec.since = facts.since;
  if (facts.header !== null && facts.header !== 'ndis.h') spec.header = facts.header;
  if (facts.returns !== null) spec.returns = facts.returns;
  if (facts.compliance.length > 0) spec.compliance = facts.compliance;
  if (facts.description !== undefined) spec.description = facts.description;
}

function headerOf(value: string): string | null {
  const header = value.trim().toLowerCase();
  return /^[a-z0-9_]+\.h$/.test(header) ? header : null;
}

function textOrUndefined(text: string): string | undefined {
  return text === '' ? undefined : text;
}

function unique<T>(list: readonly T[]): T[] {
  return [...new Set(list)];
}

// ---------------------------------------------------------------------------------------------------
// Role names

/** The conventional function name of a callback role: the `ndis/Name` keyword that is not the role itself. */
function conventionalName(page: Page, role: string): string | null {
  const keywords = frontValue(page, 'ms.keywords');
  for (const match of keywords.matchAll(/(?:^|[\s,])ndis\/([A-Za-z_][A-Za-z0-9_]*)(?=$|[\s,])/g)) {
    if (match[1] !== role) return match[1]!;
  }
  return null;
}

/** The pointer typedef of a role where the page names it (`(*MINIPORT_SYNCHRONIZE_INTERRUPT_HANDLER)`). */
function pointerName(page: Page, role: string): string | null {
  const keywords = frontValue(page, 'ms.keywords');
  const names = unique([...keywords.matchAll(/\(\*([A-Za-z_][A-Za-z0-9_]*)\)/g)].map((m) => m[1]!)).filter(
    (n) => n !== role && n.endsWith('_HANDLER'),
  );
  return names.length === 1 ? names[0]! : null;
}

// ---------------------------------------------------------------------------------------------------
// Return values

/**
 * The return type where the page states it: none ("does not return a value"), BOOLEAN (a Boolean
 * value, TRUE or FALSE), NDIS_STATUS (NDIS_STATUS_Xxx codes), or a type the sentence names
 * ("returns a ULONG value"). Anything else is not stated, and the type stays unknown.
 */
export function returnTypeOf(text: string, name: string): string | null {
  const t = text.replace(/\s+/g, ' ').trim();
  if (t === '') return null;
  if (
    /^none\.?$/i.test(t) ||
    /\b(?:does not|doesn't) return a value\b/i.test(t) ||
    /^this (?:function|macro|routine) has no return value\b/i.test(t)
  ) {
    return 'VOID';
  }
  if (
    /\bNDIS_STATUS_[A-Z]/.test(t) &&
    !/(?<![A-Z_])STATUS_(?!PENDING\b)[A-Z]/.test(t.replace(/NDIS_STATUS_[A-Z_]+/g, ''))
  )
    return 'NDIS_STATUS';
  if (
    /\breturns? (?:a |an |the )?Boolean\b/i.test(t) ||
    new RegExp(`\\b(?:${escape(name)}|it|this function) returns TRUE\\b`, 'i').test(t)
  )
    return 'BOOLEAN';
  const named =
    /\b[Rr]eturns? (?:a |an )?(ULONG|USHORT|UCHAR|BOOLEAN|KIRQL|KAFFINITY|NDIS_STATUS|NDIS_HANDLE|PVOID) value\b/.exec(
      t,
    );
  if (named) return named[1]!;
  return null;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function returnsOf(page: Page, name: string, options: EntryOptions): SpecReturns | null {
  const section = page.sections.get('returns');
  if (section === undefined) return null;
  const lines = [...section.lines, ...section.subsections.flatMap((s) => s.lines)];
  const text = plainText(lines);
  const type = returnTypeOf(text, name);
  if (type === null) return null;
  return options.withText && text !== '' ? { type, description: text } : { type };
}

// ---------------------------------------------------------------------------------------------------
// Remarks and see-also

/** Remarks up to an "Examples" heading (the examples declare functions; they state no contract). */
function withoutExamples(lines: readonly PageLine[]): PageLine[] {
  const end = lines.findIndex((l) => /^\s*(?:#{2,6}\s*|<h\d[^>]*>(?:<a [^>]*><\/a>)*)\s*Examples?\b/i.test(l.text));
  return end === -1 ? [...lines] : lines.slice(0, end);
}

/** Stems of the NDIS reference pages the see-also section links to, in order, without repeats. */
function seeAlsoStems(page: Page): string[] {
  const section = page.sections.get('see-also');
  if (section === undefined) return [];
  const lines: PageLine[] = [...section.lines, ...section.subsections.flatMap((s: Subsection) => s.lines)];
  const stems: string[] = [];
  for (const target of linkTargets(lines)) {
    const path = target.replace(/[?#].*$/, '');
    const segments = path.split('/').filter((s) => s !== '' && s !== '.');
    const last = segments[segments.length - 1];
    if (last === undefined) continue;
    const parent = segments[segments.length - 2];
    // Only pages of this folder: a bare file name, or one under an `ndis` folder.
    if (parent !== undefined && parent !== 'ndis') continue;
    const stem = last.replace(/\.md$/i, '').toLowerCase();
    if (/^n[cfse]-ndis-[a-z0-9_~]+$/.test(stem)) stems.push(stem);
  }
  return unique(stems);
}
