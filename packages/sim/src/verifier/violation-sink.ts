/**
 * What a check hands on when it fires, and the small interface it hands it to. The IRQL engine, the
 * spin locks, the role monitor, the race detector and the interrupt parts report into a
 * {@link ViolationSink}; they never import the verifier, which implements it (state tracking →
 * checks → error reporting, one way).
 */
import type { InterleavingStep, RaceReport } from './report-types.js';
import type { RuleId } from './rule-types.js';

/** What a check hands the verifier when it fires. */
export interface Violation {
  readonly rule: RuleId;
  /** Which bug-check form of the rule (index into RuleSpec.bugChecks); 0 by default. */
  readonly form?: number;
  /** The DDI or role concerned. */
  readonly subject: string;
  /** One sentence: what happened. */
  readonly message: string;
  /** Overrides the form's parameter 1 (computed forms). */
  readonly p1?: number;
  readonly p2?: number;
  readonly p3?: number;
  readonly p4?: number;
  /** The IRQL contract that was required, as text (`<= DISPATCH_LEVEL`), if any. */
  readonly irqlRequired?: string | null;
  /** The IRQL found, if it matters. */
  readonly irqlFound?: number | null;
  /** Distinguishes sites beyond function and subject (a lock, a message). */
  readonly site?: string;
  /** The driver function concerned, where no role frame is running it any more (ISR-CLAIM, INT-DEREGISTER). */
  readonly function?: string;
  /**
   * The driver function concerned, as the implementation the driver declared, for a report made when
   * none of its code is running (ROLE-RETURN, INT-LOST, INT-DEREGISTER): the report names where it
   * is defined (Report.defined).
   */
  readonly declared?: unknown;
  /** The variable and both accesses (ISR-SHARED-RACE, SPINLOCK-FOR-ISR-STATE). */
  readonly race?: RaceReport;
  /** The tracked accesses that led up to it, oldest first. */
  readonly interleaving?: readonly InterleavingStep[];
}

/** Where checks report. The verifier is the one implementation. */
export interface ViolationSink {
  /** The error that stopped the run (bugcheck mode), or null; a check that finds it set throws it again. */
  readonly stopped: Error | null;
  /** Whether a rule is checked (not in the disabledRules option). */
  enabled(rule: RuleId): boolean;
  /**
   * Reports a violation. In bugcheck mode an error throws; otherwise the call returns and the caller
   * restores a consistent state.
   */
  report(violation: Violation): void;
  /** Reports a violation and stops the run whatever the mode (code that would never return). */
  stop(violation: Violation): never;
}
