/**
 * rules: the contract rules of the harness, read from the spec's rule table (spec/rules.yaml). Each
 * rule has a stable id, a title, a one-line summary for the reference pages, a severity, its source,
 * the bug checks it stands for and the Static Driver Verifier compliance rule that corresponds.
 * Validation checks the table (ids once, codes in range, bug checks that fit the severity); the model
 * carries it, sorted by id, for the reference pages, the metadata and the DDI2013 check of entries.
 */
import { compareStrings, quote, type Diagnostic, type DiagnosticCode } from '../diagnostics.js';
import { positionOf, type LoadedFile } from './load.js';
import type { SchemaPassed } from './schema-passed.js';
import type { SpecFile, SpecRule } from './spec-types.js';

export interface BugCheckModel {
  code: number;
  name: string;
  p1: number | null;
  when: string;
  parameters: string;
}

export interface RuleModel {
  id: string;
  title: string;
  summary: string;
  severity: 'error' | 'warning';
  source: string;
  bugChecks: BugCheckModel[];
  compliance: { rule: string; code: number } | null;
  /** The anchor of the rule's row in the reference index (README.md): `rule-irql-call`. */
  anchor: string;
  /** Spec file and line of the rule. */
  provenance: { file: string; line: number };
}

/** Largest bug-check code, parameter 1 and compliance code: they are 32-bit values. */
const codeMax = 0xffff_ffff;

/** Where a rule is defined. */
export interface RuleDefinition {
  file: LoadedFile;
  index: number;
}

/**
 * The rule ids a spec defines, each with where it is first defined: from every file with a readable
 * rule table, so a table with a schema error elsewhere does not make entries' rule ids unknown.
 */
export function ruleDefinitions(files: readonly LoadedFile[]): Map<string, RuleDefinition> {
  const found = new Map<string, RuleDefinition>();
  for (const file of files) {
    const rules = (file.value as { rules?: unknown } | null)?.rules;
    if (!Array.isArray(rules)) continue;
    rules.forEach((rule: unknown, index) => {
      const id = (rule as { id?: unknown } | null)?.id;
      if (typeof id === 'string' && !found.has(id)) found.set(id, { file, index });
    });
  }
  return found;
}

/** Problems of the rules that passed the schema: repeated ids, codes out of range, bug checks that do not fit the severity. */
export function ruleDiagnostics(passed: SchemaPassed, all: readonly LoadedFile[]): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const report = (file: LoadedFile, path: (string | number)[], code: DiagnosticCode, message: string): void => {
    const { line, col } = positionOf(file, path);
    diagnostics.push({ file: file.path, line, col, severity: 'error', code, message });
  };
  const first = ruleDefinitions(all);
  for (const file of passed.files) {
    const rules: unknown = (file.value as SpecFile).rules;
    if (!Array.isArray(rules)) continue;
    rules.forEach((rule: SpecRule, i) => {
      const at = ['rules', i];
      if (!passed.entry(file, at)) return;
      const defined = first.get(rule.id)!;
      if (defined.file !== file || defined.index !== i) {
        const { line, col } = positionOf(defined.file, ['rules', defined.index, 'id']);
        report(
          file,
          [...at, 'id'],
          'DDI2001',
          `rule ${quote(rule.id)} is already defined at ${defined.file.path}:${line}:${col}. Remove the repeat, or give the rule an id of its own.`,
        );
      }
      checkSeverity(rule, (path, message) => report(file, [...at, ...path], 'DDI2015', message));
      checkCodes(rule, (path, message) => report(file, [...at, ...path], 'DDI1006', message));
    });
  }
  return diagnostics;
}

/** An error stands for at least one bug check; a warning stops no run, so it stands for none. */
function checkSeverity(rule: SpecRule, report: (path: (string | number)[], message: string) => void): void {
  if (rule.severity === 'error' && rule.bugChecks.length === 0) {
    report(
      ['bugChecks'],
      `rule ${quote(rule.id)} is an error but names no bug check. Add the bug check it is reported as, or make it a warning.`,
    );
  }
  if (rule.severity === 'warning' && rule.bugChecks.length > 0) {
    report(
      ['bugChecks'],
      `rule ${quote(rule.id)} is a warning but names bug checks, which a warning never raises. Remove them, or make it an error.`,
    );
  }
}

function checkCodes(rule: SpecRule, report: (path: (string | number)[], message: string) => void): void {
  rule.bugChecks.forEach((check, j) => {
    if (check.code < 1 || check.code > codeMax) {
      report(
        ['bugChecks', j, 'code'],
        `bugChecks[${j}].code must be a bug-check code in 0x1..0xFFFFFFFF (got ${hexText(check.code)}).`,
      );
    }
    if (check.p1 !== null && (check.p1 < 0 || check.p1 > codeMax)) {
      report(['bugChecks', j, 'p1'], `bugChecks[${j}].p1 must be in 0x0..0xFFFFFFFF (got ${hexText(check.p1)}).`);
    }
  });
  if (rule.compliance !== null && (rule.compliance.code < 0 || rule.compliance.code > codeMax)) {
    report(
      ['compliance', 'code'],
      `compliance.code must be in 0x0..0xFFFFFFFF (got ${hexText(rule.compliance.code)}).`,
    );
  }
}

function hexText(value: number): string {
  return value < 0 ? `-0x${(-value).toString(16).toUpperCase()}` : `0x${value.toString(16).toUpperCase()}`;
}

/** The rules of the spec's rule tables, sorted by id. */
export function ruleModels(files: readonly LoadedFile[]): RuleModel[] {
  const rules: RuleModel[] = [];
  for (const file of files) {
    (file.value as SpecFile).rules?.forEach((rule, index) => {
      rules.push({
        id: rule.id,
        title: rule.title,
        summary: rule.summary,
        severity: rule.severity,
        source: rule.source,
        bugChecks: rule.bugChecks.map((b) => ({ ...b })),
        compliance: rule.compliance === null ? null : { ...rule.compliance },
        anchor: `rule-${rule.id.toLowerCase()}`,
        provenance: { file: file.origin, line: positionOf(file, ['rules', index]).line },
      });
    });
  }
  return rules.sort((a, b) => compareStrings(a.id, b.id));
}
