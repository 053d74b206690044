/**
 * The verifier: the reporting of violations (the rules are the table of rule-table.ts), in one of two
 * modes.
 *
 * - `bugcheck`: the first error stops the run, as a real bug check stops the machine. The error is
 *   thrown as {@link BugCheck}; once stopped, every further DDI or role call throws it again.
 * - `collect`: the violation is recorded, the harness restores a consistent state (IRQL put back, a
 *   bad lock released or skipped) and the run goes on. Each bug is reported once: a repeat of the
 *   same rule at the same site (same driver function, same DDI or role, same detail) only counts up
 *   `occurrences` on the first report.
 *
 * Warnings (ISR-CLAIM) never stop a run. The watchdog ({@link Verifier.stop}) stops it in either mode.
 */
import type { IrqlTransitionReport, Report, RoleFrameReport, SourceFrameReport } from './report-types.js';
import { formatReportText } from './report-text.js';
import { RULE_IDS, RULES } from './rule-table.js';
import type { RuleId } from './rule-types.js';
import type { Violation, ViolationSink } from './violation-sink.js';

/** What the verifier reads from the simulation when it writes a report. */
export interface ReportContext {
  readonly seed: number;
  nowTicks(): number;
  processor(): number;
  /** Role frames, innermost first. */
  frames(): RoleFrameReport[];
  /** Last IRQL transitions, most recent first. */
  transitions(): IrqlTransitionReport[];
}

export type VerifierMode = 'bugcheck' | 'collect';

/** The error that stops a run in bugcheck mode. */
export class BugCheck extends Error {
  readonly report: Report;
  constructor(report: Report) {
    super(formatReportText(report));
    this.name = 'BugCheck';
    this.report = report;
  }
}

/** Bound on distinct reports kept in one run; past it, reports are counted but not stored. */
export const REPORTS_MAX = 1000;

export class Verifier implements ViolationSink {
  readonly mode: VerifierMode;
  readonly reports: Report[] = [];
  /** The report that stopped the run (bugcheck mode). */
  stopped: BugCheck | null = null;
  /** Reports dropped because REPORTS_MAX was reached. */
  droppedCount = 0;
  private readonly sites = new Map<string, Report>();
  private readonly context: ReportContext;

  private readonly disabled: ReadonlySet<RuleId>;
  /** Told of every report kept, with its index in {@link reports} (the trace listens). */
  onReport: ((report: Report, index: number) => void) | null = null;
  /**
   * The source frames of the driver at this moment, for drivers compiled from another language (C):
   * asked only when a report is made. Set by the driver's runtime for its run; null otherwise.
   */
  sourceFrames: (() => readonly SourceFrameReport[]) | null = null;
  /**
   * Where a driver function is defined, for drivers compiled from another language (C): `fn` is the
   * implementation a violation's `declared` holds, `name` the name it was declared with; null for
   * one it does not know. Asked only when such a report is made, before {@link definitionOf}. Set
   * by the driver's runtime for its run; null otherwise.
   */
  sourceDefinition: ((fn: unknown, name: string) => SourceFrameReport | null) | null = null;
  /** Where a driver function is defined, as {@link sourceDefinition}: a JavaScript function's place (set by the simulation). */
  definitionOf: ((fn: unknown, name: string) => SourceFrameReport | null) | null = null;

  constructor(mode: VerifierMode, context: ReportContext, disabledRules: readonly RuleId[] = []) {
    if (mode !== 'bugcheck' && mode !== 'collect') {
      throw new TypeError(`verifier mode must be "bugcheck" or "collect" (got ${JSON.stringify(mode)})`);
    }
    for (const rule of disabledRules) {
      if (!(rule in RULES))
        throw new TypeError(`disabledRules: ${JSON.stringify(rule)} is not a rule id (one of ${RULE_IDS.join(', ')})`);
    }
    this.mode = mode;
    this.context = context;
    this.disabled = new Set(disabledRules);
  }

  /** Whether a rule is checked (not in the disabledRules option). */
  enabled(rule: RuleId): boolean {
    return !this.disabled.has(rule);
  }

  reset(): void {
    this.sourceFrames = null;
    this.sourceDefinition = null;
    this.reports.length = 0;
    this.sites.clear();
    this.stopped = null;
    this.droppedCount = 0;
  }

  /** Throws the stopping bug check again if the run is already stopped. */
  assertRunning(): void {
    if (this.stopped !== null) throw this.stopped;
  }

  /**
   * Reports a violation. In bugcheck mode an error throws {@link BugCheck}; otherwise the call
   * returns and the caller restores a consistent state.
   */
  report(violation: Violation): void {
    if (this.stopped !== null) throw this.stopped;
    if (this.disabled.size > 0 && this.disabled.has(violation.rule)) return;
    const report = this.record(violation);
    if (report !== null && this.mode === 'bugcheck' && report.severity === 'error') {
      this.stopped = new BugCheck(report);
      throw this.stopped;
    }
  }

  /**
   * Reports a violation that stops the run in either mode (the watchdog: code that would run
   * forever cannot be repaired and gone on from). Disabled rules stop it too.
   */
  stop(violation: Violation): never {
    if (this.stopped !== null) throw this.stopped;
    const report = this.record(violation) ?? this.reports[this.reports.length - 1]!;
    this.stopped = new BugCheck(report);
    throw this.stopped;
  }

  /** Makes and keeps the report of a violation; null when it repeats a site already reported. */
  private record(violation: Violation): Report | null {
    const spec = RULES[violation.rule];
    const frames = this.context.frames();
    const fn = violation.function ?? (frames.length > 0 ? frames[0]!.function : null);
    const key = `${violation.rule}|${fn ?? ''}|${violation.subject}|${violation.site ?? ''}`;
    const seen = this.sites.get(key);
    if (seen !== undefined) {
      (seen as { occurrences: number }).occurrences += 1;
      return null;
    }
    const form = spec.bugChecks[violation.form ?? 0] ?? null;
    const source = this.sourceFrames?.() ?? [];
    const defined = violation.declared === undefined || fn === null ? null : this.definition(violation.declared, fn);
    const report: Report = {
      rule: spec.id,
      title: spec.title,
      severity: spec.severity,
      bugCheck:
        form === null
          ? null
          : {
              code: form.code,
              name: form.name,
              parameters: [violation.p1 ?? form.p1 ?? 0, violation.p2 ?? 0, violation.p3 ?? 0, violation.p4 ?? 0],
              parametersMeaning: form.parameters,
            },
      compliance: spec.compliance,
      subject: violation.subject,
      function: fn,
      message: violation.message,
      irqlRequired: violation.irqlRequired ?? null,
      irqlFound: violation.irqlFound ?? null,
      processor: this.context.processor(),
      frames,
      irqlTransitions: this.context.transitions(),
      seed: this.context.seed,
      tick: this.context.nowTicks(),
      occurrences: 1,
      ...(violation.race === undefined ? {} : { race: violation.race }),
      ...(violation.interleaving === undefined ? {} : { interleaving: violation.interleaving }),
      ...(source.length === 0 ? {} : { source }),
      ...(defined === null ? {} : { defined }),
    };
    if (this.reports.length < REPORTS_MAX) {
      this.sites.set(key, report);
      this.reports.push(report);
      if (this.onReport !== null) this.onReport(report, this.reports.length - 1);
    } else {
      this.droppedCount += 1;
    }
    return report;
  }

  /** Where the driver function `fn` (named `name`) is defined, or null when not known. */
  private definition(fn: unknown, name: string): SourceFrameReport | null {
    return this.sourceDefinition?.(fn, name) ?? this.definitionOf?.(fn, name) ?? null;
  }
}

/**
 * A failure of the simulation itself (a deadlock the verifier is not there to report, a driver that
 * never stops, a bound exceeded). Its message ends with `seed=… tick=…` so the run can be replayed.
 */
export class SimulationError extends Error {
  readonly seed: number;
  readonly tick: number;
  constructor(message: string, seed: number, tick: number) {
    super(`${message} (seed=${seed} tick=${tick})`);
    this.name = 'SimulationError';
    this.seed = seed;
    this.tick = tick;
  }
}
