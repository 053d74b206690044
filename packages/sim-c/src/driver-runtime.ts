/**
 * What the DDI imports (ddi-imports.ts) and the memory checks (memory-checks.ts) need from one run's
 * instance of a C driver. The instance (instance.ts) implements it; the parts below it import only
 * this shape.
 */
import type { Box, NdisFunctions } from '@ddikit/ndis';
import type { RegisterHandle, RuleId, Simulation } from '@ddikit/sim';
import type { HandleTable } from './handles.js';
import type { DriverMemory, Pool } from './memory.js';
import type { RecordContext } from './records-io.js';

/** Four bug-check parameters of a C report (0 in the first: the rule's own parameter 1). */
export type CReportParameters = readonly [number, number, number, number];

export interface CReportOptions {
  /** The stack to name C frames from (a trap's); default the stack at the call. */
  readonly stack?: string;
  /** The driver cannot go on: stop the run in either mode. */
  readonly stop?: boolean;
  /** Which bug-check form of the rule. */
  readonly form?: number;
  /**
   * The innermost frame is where the code stopped (a trap): its line is the line table's row for
   * that very instruction, and none when the optimizer left it without one (CDriverModule.cFrames).
   */
  readonly exactTop?: boolean;
}

export interface DriverRuntime {
  readonly sim: Simulation;
  readonly ndis: NdisFunctions;
  readonly memory: DriverMemory;
  readonly pool: Pool;
  readonly handles: HandleTable;
  readonly records: RecordContext;
  readonly stackLow: number;
  readonly stackHigh: number;
  /** `__stack_pointer` now. */
  readonly stackPointerValue: number;
  /** The table function at `index` as the role-declared callable the harness takes. */
  handler(index: number, fieldRole: string, field: string): unknown;
  /**
   * The C global variable at `address` (`ContosoCount`, `ContosoStats.FramesSent`), or null.
   * `whole`: an object starting there is named itself, not by its first member.
   */
  globalName(address: number, whole: boolean): string | null;
  /**
   * The member at `offset` of a pool block of `size` bytes (`TxRing.InFlight`), when the size is
   * that of exactly one structure of the module; else null. `whole`: the member that starts there,
   * not its first member.
   */
  blockMember(size: number, offset: number, whole: boolean): string | null;
  /** The lock object the harness tracks for the NDIS_SPIN_LOCK at `address`. */
  spinLock(address: number): object;
  /** A register address → the harness's register handle; driver memory → a box over it. */
  register(address: number): RegisterHandle | Box<number>;
  /** Reports a C rule through the harness's verifier. */
  report(rule: RuleId, subject: string, message: string, parameters: CReportParameters, options?: CReportOptions): void;
}

/** The current JS stack with enough frames for deep C recursion. */
export function captureStack(): string {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 64;
  const stack = new Error().stack ?? '';
  Error.stackTraceLimit = limit;
  return stack;
}
