/**
 * Diagnostics: located, coded, sorted problems, printed the way tsc prints its own.
 *
 *   spec/ndis/interrupts.yaml:12:5 - error DDI1003: irql.runsAt must be one of ... (got "DIRQ"). Did you mean "DIRQL"?
 */

export type Severity = 'error' | 'warning';

export interface Diagnostic {
  /** Path of the file, relative to the working directory, with forward slashes. */
  file: string;
  /** 1-based line. */
  line: number;
  /** 1-based column. */
  col: number;
  severity: Severity;
  /** Stable code, DDI followed by four digits. */
  code: DiagnosticCode;
  /** What is wrong, what was found, and the fix. */
  message: string;
}

/** Every diagnostic code the generator emits, with a one-line summary (printed by `ddikit --help`). */
export const diagnosticCodes = {
  DDI1001: 'the file is not valid YAML',
  DDI1002: 'a property the schema does not know',
  DDI1003: 'a value outside the allowed set',
  DDI1004: 'a required property is missing',
  DDI1005: 'a value of the wrong type',
  DDI1006: 'a value of the wrong form (pattern, length, range)',
  DDI1007: 'the file does not start with the yaml-language-server $schema line',
  DDI1008: 'a key appears twice in one mapping',
  DDI1009: 'the file is too large or too deeply nested, or expands too many aliases',
  DDI1010: 'the spec folder holds no spec file',
  DDI1011: 'a YAML feature spec files never use: a tag, or a key that is a list, a mapping or an alias',
  DDI1012: 'a file that is not UTF-8 text (an invalid byte sequence, or a NUL byte of binary data)',
  DDI1013:
    'a path that is not read: a symbolic link, a special file, a folder too deep or looped, or a name with control characters',
  DDI2001: 'two entries share a name',
  DDI2002: 'a reference to a type that no entry defines',
  DDI2003: 'a reference to an entry that does not exist',
  DDI2004: 'a name that is a reserved word in C',
  DDI2005: 'a name that is a reserved word in TypeScript',
  DDI2006: 'a variant whose name does not follow its base role',
  DDI2007: 'an IRQL contract that contradicts itself',
  DDI2008: 'an IRQL contract that names a parameter the entry does not have',
  DDI2009: 'an out or inout parameter whose type is not a pointer',
  DDI2010: 'a name reserved for the implementation in C (leading underscore and capital, or double underscore)',
  DDI2011: 'a type of the wrong kind for where it is used',
  DDI2012: 'two parameters of one entry share a name',
  DDI2013: 'a contract rule id that the rule table (spec/rules.yaml) does not define',
  DDI2014: 'a curated entry whose contract disagrees with the reference page it was imported from (warning)',
  DDI2015: 'a rule whose bug checks do not fit its severity (an error names one, a warning none)',
  DDI2016: 'a pointer-sized scalar whose bits is not 64 (its width on x64)',
  DDI2017: "a record or handle target that is not a structure, or not of the scalar's size",
  DDI2018: 'a bit-field of a type that is not a scalar, or wider than its type',
  DDI2019: 'a field that is neither a typed field nor members declared in place, or a size macro through no field',
  DDI2020:
    'an acknowledged difference from the reference page (irql.differsFromPage) where the contract does not differ from it (warning)',
  DDI2021: 'references to names that a file which did not load may define, left unchecked until it loads (warning)',
  DDI3001: 'a reference page whose front matter is missing or broken',
  DDI3002: 'a reference page without a section the importer reads',
  DDI3003: 'markup (HTML or Markdown) in a heading of a reference page',
  DDI3004: 'an IRQL text the importer does not know; the contract is recorded as unknown',
  DDI3005: 'a reference page with mixed or bare-CR line endings',
  DDI3006: 'two reference pages document the same name; one is kept',
  DDI3007: 'a parameter, field or member heading the importer cannot read; it is left out',
  DDI3008: 'a reference page of a kind the importer does not know (not nc-, nf-, ns- or ne-)',
  DDI3009: 'a subfolder of the reference pages folder, whose pages are not read (warning)',
} as const;

export type DiagnosticCode = keyof typeof diagnosticCodes;

export function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  return (
    compareStrings(a.file, b.file) ||
    a.line - b.line ||
    a.col - b.col ||
    compareStrings(a.code, b.code) ||
    compareStrings(a.message, b.message)
  );
}

/** Sorts and drops exact duplicates (the same problem found through two paths). */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  const sorted = [...diagnostics].sort(compareDiagnostics);
  return sorted.filter((d, i) => i === 0 || compareDiagnostics(d, sorted[i - 1]!) !== 0);
}

/** Longest message a diagnostic line shows; a longer one (never expected) is cut. */
export const messageLengthMax = 1000;

/**
 * One line, as tsc prints it. The path and the message are shown with control, invisible and
 * bidirectional characters escaped (a hostile file name cannot drive the terminal), and the message
 * is cut at `messageLengthMax` characters.
 */
export function formatDiagnostic(d: Diagnostic): string {
  const message = escapeHidden(d.message);
  const cut = message.length > messageLengthMax ? `${message.slice(0, messageLengthMax - 3)}...` : message;
  return `${escapeHidden(d.file)}:${d.line}:${d.col} - ${d.severity} ${d.code}: ${cut}`;
}

/** Control, invisible and bidirectional formatting characters written as \uXXXX. */
export function escapeHidden(text: string): string {
  return text.replace(
    /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

export function formatSummary(diagnostics: readonly Diagnostic[]): string {
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = diagnostics.length - errors;
  const parts = [`${errors} error${errors === 1 ? '' : 's'}`];
  if (warnings > 0) parts.push(`${warnings} warning${warnings === 1 ? '' : 's'}`);
  return `Found ${parts.join(' and ')}.`;
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

/** Code-point order, independent of locale, so output never depends on LANG. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Quotes a found value for a message: JSON string form, cut to 60 characters, control characters escaped. */
export function quote(value: unknown): string {
  let text: string;
  if (typeof value === 'string') text = JSON.stringify(value);
  else if (value === null || value === undefined) text = String(value);
  else if (typeof value === 'object') text = Array.isArray(value) ? 'a list' : 'a mapping';
  else text = String(value);
  // JSON.stringify leaves bidi controls and line separators as they are; escape them too.
  text = escapeHidden(text);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
