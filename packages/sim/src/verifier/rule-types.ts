/**
 * The shapes of the rule registry: a rule's stable id, its severity and the bug-check forms it is
 * reported as. Types only; the table itself is rule-table.ts.
 */
/** The rules the harness enforces: the ids of the spec's rule table (spec/rules.yaml). Stable once shipped. */
export type { RuleId } from '@ddikit/ndis';
import type { RuleId } from '@ddikit/ndis';

export type Severity = 'error' | 'warning';

/** One way a rule is reported: a bug-check code and its first parameter. */
export interface BugCheckSpec {
  readonly code: number;
  readonly name: string;
  /** Parameter 1; null where it is computed from the violation (0xC8 packs IRQLs into it). */
  readonly p1: number | null;
  /** When this form applies. */
  readonly when: string;
  /** What parameters 2–4 hold. */
  readonly parameters: string;
}

export interface RuleSpec {
  readonly id: RuleId;
  readonly title: string;
  readonly severity: Severity;
  /** Where the rule comes from (SAL, SDV rule, Driver Verifier check, documentation page). */
  readonly source: string;
  /** The bug-check forms; empty for warnings. */
  readonly bugChecks: readonly BugCheckSpec[];
  /** A Static Driver Verifier DDI compliance rule and its 0xC4 code, where one corresponds. */
  readonly compliance: { readonly rule: string; readonly code: number } | null;
}
