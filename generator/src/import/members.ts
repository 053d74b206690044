/**
 * The members a reference page lists: parameters (names, directions, optional marks) and the fields
 * and enumeration members of structures and enumerations, each with its diagnostic when unreadable.
 */
import { quote, type DiagnosticCode, type Severity } from '../diagnostics.js';
import { cReservedWords, isCImplementationReserved, tsReservedWords } from '../names.js';
import type { Direction, SpecEnumValue, SpecField, SpecParam } from '../spec/spec-types.js';
import { plainText } from './markup.js';
import type { Page, PageLine } from './page.js';

const identifier = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface EntryOptions {
  /** Keep the page's prose as descriptions (for people importing their own copy of the docs). */
  withText: boolean;
}

/** Reports a problem at a line and column of the page. */
export type Report = (line: number, col: number, severity: Severity, code: DiagnosticCode, message: string) => void;

// ---------------------------------------------------------------------------------------------------
// Parameters

/** A parameter name as the spec can hold it: macro arguments (`_SpinLock`, `_OldIrql_`) lose their underscores. */
export function parameterName(name: string): string {
  return name.startsWith('_') ? name.replace(/^_+|_+$/g, '') : name;
}

/** Whether C or TypeScript reserves a name, so that the spec cannot hold it as written. */
function reserved(name: string): boolean {
  return cReservedWords.has(name) || tsReservedWords.has(name) || isCImplementationReserved(name);
}

/**
 * A member name (parameter, field, enumeration member) the spec can hold: a name C or TypeScript
 * reserves gets a trailing underscore, with a warning, so the member keeps its place.
 */
function memberName(name: string, what: string, line: number, report: Report): string {
  if (!reserved(name)) return name;
  const renamed = `${name.replace(/__+/g, '_')}_`;
  report(
    line,
    1,
    'warning',
    'DDI3007',
    `the ${what} name ${quote(name)} is reserved in C or TypeScript; it was written as ${quote(renamed)}.`,
  );
  return renamed;
}

/** `[in]`, `[in, optional]`, `[out]`, `[in, out]`, `[_out_]`, `[optional]` → direction and optional. */
export function directionOf(marker: string): { dir?: Direction; optional?: boolean; unknown: string[] } {
  const words = marker
    .toLowerCase()
    .split(/[\s,/]+/)
    .map((w) => w.replace(/^_+|_+$/g, ''))
    .filter((w) => w !== '');
  const input = words.includes('in') || words.includes('inout');
  const output = words.includes('out') || words.includes('inout');
  const unknown = words.filter((w) => !['in', 'out', 'inout', 'optional', 'opt'].includes(w));
  const result: { dir?: Direction; optional?: boolean; unknown: string[] } = { unknown };
  if (input && output) result.dir = 'inout';
  else if (input) result.dir = 'in';
  else if (output) result.dir = 'out';
  if (words.includes('optional') || words.includes('opt')) result.optional = true;
  return result;
}

export function parameters(page: Page, report: Report, options: EntryOptions): SpecParam[] {
  const section = page.sections.get('parameters');
  if (section === undefined) return [];
  const params: SpecParam[] = [];
  const seen = new Set<string>();
  for (const sub of section.subsections) {
    if (sub.kind !== 'param') continue;
    const heading = /^(\S+)\s*(?:\[([^\]]*)\])?\s*(.*)$/.exec(sub.title);
    const rawName = heading?.[1] ?? '';
    if (rawName === '...' || rawName === '…') {
      report(
        sub.line,
        1,
        'warning',
        'DDI3007',
        `the parameter "${rawName}" stands for a variable argument list, which the spec cannot state; it was left out.`,
      );
      continue;
    }
    const stripped = parameterName(rawName);
    const name = identifier.test(stripped) ? memberName(stripped, 'parameter', sub.line, report) : stripped;
    if (!identifier.test(name)) {
      report(
        sub.line,
        1,
        'warning',
        'DDI3007',
        `the parameter heading ${quote(sub.title)} does not start with a C identifier; the parameter was left out. Write it as "### -param Name [in]".`,
      );
      continue;
    }
    if (seen.has(name)) {
      report(
        sub.line,
        1,
        'warning',
        'DDI3007',
        `the parameter ${quote(name)} is listed twice; the second was left out.`,
      );
      continue;
    }
    seen.add(name);
    // The direction is on the heading line, or on the first line of text below it.
    let marker = heading?.[2];
    if (marker === undefined) marker = markerBelow(sub.lines);
    const param: SpecParam = { name };
    if (marker !== undefined) {
      const direction = directionOf(marker);
      if (direction.dir !== undefined) param.dir = direction.dir;
      if (direction.optional) param.optional = true;
      if (direction.unknown.length > 0) {
        report(
          sub.line,
          1,
          'warning',
          'DDI3007',
          `the parameter ${quote(name)} is marked ${quote(`[${marker}]`)}; ${direction.unknown.map((w) => quote(w)).join(', ')} is no direction (in, out, in/out, optional) and was ignored.`,
        );
      }
    }
    if (options.withText) {
      const text = plainText(sub.lines.filter((l) => !/^\s*(?:[*_]*\[[^\]]*\][*_]*)\s*$/.test(l.text)));
      if (text !== '') param.description = text;
    }
    params.push(param);
  }
  return params;
}

/** A direction marker alone at the start of the first non-empty line under a heading (`[in]`, `*[in, optional]*`). */
function markerBelow(lines: readonly PageLine[]): string | undefined {
  const first = lines.find((l) => l.text.trim() !== '');
  if (first === undefined) return undefined;
  const match = /^\s*[*_`]*\[([A-Za-z_, /]+)\][*_`]*(?:\s|$)/.exec(first.text);
  return match?.[1];
}

// ---------------------------------------------------------------------------------------------------
// Structures and enumerations

export function structFields(page: Page, report: Report, options: EntryOptions): SpecField[] {
  const section = page.sections.get('struct-fields');
  if (section === undefined) return [];
  const fields: SpecField[] = [];
  const seen = new Set<string>();
  for (const sub of section.subsections) {
    if (sub.kind !== 'field') continue;
    // Members of nested unions and structures (`Receive.NextHeader`) belong to the outer field.
    const first = (/^(\S+)/.exec(sub.title)?.[1] ?? '').split('.')[0]!;
    if (!identifier.test(first)) {
      report(
        sub.line,
        1,
        'warning',
        'DDI3007',
        `the field heading ${quote(sub.title)} does not start with a C identifier; the field was left out.`,
      );
      continue;
    }
    if (seen.has(first)) continue;
    seen.add(first);
    const name = memberName(first, 'field', sub.line, report);
    const field: SpecField = { name };
    if (options.withText) {
      const text = plainText(sub.lines);
      if (text !== '') field.description = text;
    }
    fields.push(field);
  }
  return fields;
}

export function enumValues(page: Page, report: Report, options: EntryOptions): SpecEnumValue[] {
  const section = page.sections.get('enum-fields');
  if (section === undefined) return [];
  const values: SpecEnumValue[] = [];
  const seen = new Set<string>();
  for (const sub of section.subsections) {
    if (sub.kind !== 'field') continue;
    const match = /^([A-Za-z_][A-Za-z0-9_]*)(?:\s*(?:[:=])\s*(-?\d+|0x[0-9A-Fa-f]+))?\s*$/.exec(sub.title);
    if (!match) {
      report(
        sub.line,
        1,
        'warning',
        'DDI3007',
        `the member heading ${quote(sub.title)} is not a C identifier (optionally with ": value"); the member was left out.`,
      );
      continue;
    }
    if (seen.has(match[1]!)) {
      report(
        sub.line,
        1,
        'warning',
        'DDI3007',
        `the member ${quote(match[1])} is listed twice; the second was left out.`,
      );
      continue;
    }
    seen.add(match[1]!);
    const value: SpecEnumValue = { name: memberName(match[1]!, 'member', sub.line, report) };
    if (match[2] !== undefined) value.value = Number(match[2]);
    if (options.withText) {
      const text = plainText(sub.lines);
      if (text !== '') value.description = text;
    }
    values.push(value);
  }
  return values;
}
