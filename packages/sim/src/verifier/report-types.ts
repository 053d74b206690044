/**
 * The shapes of a violation report — plain JSON, the same in every output (the text summary, the
 * JSON, the timeline). Types only, at the bottom of the harness: the checks that fill them in and the
 * formatters that print them both import from here.
 */
import type { Severity } from './rule-types.js';

/** A role function that was running, as the report shows it. */
export interface RoleFrameReport {
  /** The role type (`MINIPORT_ISR`). */
  readonly role: string;
  /** The name the driver gave the function (`MyInterrupt`). */
  readonly function: string;
  readonly processor: number;
  /** IRQL on entry. */
  readonly irql: number;
}

/** One IRQL change, as `!verifier 0x8` lists them. */
export interface IrqlTransitionReport {
  readonly tick: number;
  readonly processor: number;
  readonly from: number;
  readonly to: number;
  /** What changed it (a DDI, `interrupt`, `dpc`, `repair`). */
  readonly by: string;
}

export interface BugCheckReport {
  readonly code: number;
  readonly name: string;
  /** Parameters 1–4. */
  readonly parameters: readonly [number, number, number, number];
  /** What parameters 2–4 hold for this form of the rule. */
  readonly parametersMeaning: string;
}

export interface Report {
  /** Stable rule id (`IRQL-CALL`). */
  readonly rule: string;
  readonly title: string;
  readonly severity: Severity;
  /** The bug check the violation stands for; null for warnings. */
  readonly bugCheck: BugCheckReport | null;
  /** A Static Driver Verifier DDI compliance rule that covers the same bug, with its 0xC4 code. */
  readonly compliance: { readonly rule: string; readonly code: number } | null;
  /** The DDI or role concerned. */
  readonly subject: string;
  /** The driver function running when it happened (innermost role frame), if any. */
  readonly function: string | null;
  readonly message: string;
  /** The IRQL contract that applied, as text, if any. */
  readonly irqlRequired: string | null;
  /** The IRQL found, if any. */
  readonly irqlFound: number | null;
  readonly processor: number;
  /** Role frames, innermost first. */
  readonly frames: readonly RoleFrameReport[];
  /** The last IRQL transitions, most recent first. */
  readonly irqlTransitions: readonly IrqlTransitionReport[];
  readonly seed: number;
  readonly tick: number;
  /** How many times the same bug was seen at the same site (collect mode). */
  readonly occurrences: number;
  /** Races only: the variable and both accesses, the earlier first. */
  readonly race?: RaceReport;
  /** Races and INT-LOST: the tracked register and field accesses that led up to it, oldest first. */
  readonly interleaving?: readonly InterleavingStep[];
  /** Drivers compiled from C: the C frames at the moment of the report, innermost first (the DDI call site first). */
  readonly source?: readonly SourceFrameReport[];
  /**
   * Where the driver function the report concerns (`function`) is defined, for the reports made when
   * none of its code is running — ROLE-RETURN, INT-LOST, INT-DEREGISTER — when that is known: a
   * TypeScript function's `.ts` line, a C function's line in the C source.
   */
  readonly defined?: SourceFrameReport;
}

/** One C frame of a report, or a function's definition: the function and where in the source it was. */
export interface SourceFrameReport {
  readonly function: string;
  /** The source file as the build named it; null when the code has no line information. */
  readonly file: string | null;
  readonly line: number;
  /** 1-based; 0 when not known (DWARF gives a C function's line alone). */
  readonly column: number;
}

/** One access of a race, as a report shows it. */
export interface RaceAccessReport {
  readonly function: string;
  readonly role: string;
  readonly processor: number;
  readonly irql: number;
  readonly tick: number;
  /** `write IMS = 0x00000084`, `read causes`. */
  readonly access: string;
  /** The locks held: `interrupt lock #1`, `spin lock #2`, or `none`. */
  readonly locks: string;
  /** Made in (or below) the DPC of this message of a message-signaled interrupt (DPC-SHARED-RACE). */
  readonly message?: number;
  /**
   * Where the driver's source made it (the innermost source frame: a C driver's function and
   * `file:line`), when the driver has source frames; the earlier access's is the first made of its
   * kind (same function, locks and operation), which may be an earlier run of the same line.
   */
  readonly source?: SourceFrameReport;
}

/** What a race report adds: the variable and both accesses, the earlier first. */
export interface RaceReport {
  /** The register (through the state it touches) or field. */
  readonly variable: string;
  readonly kind: 'register' | 'field';
  readonly accesses: readonly [RaceAccessReport, RaceAccessReport];
}

/** One step of the interleaving that led to a report (tracked accesses, oldest first). */
export interface InterleavingStep {
  readonly tick: number;
  readonly processor: number;
  readonly irql: number;
  readonly function: string;
  readonly access: string;
}
