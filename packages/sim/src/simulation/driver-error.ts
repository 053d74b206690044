/**
 * A driver that threw: what it threw, the role function it threw in, and its own stack frames — so
 * `ddikit simulate` and `ddikit explore` can say where, instead of printing the harness's stack.
 */
import type { RoleFrameReport } from '../verifier/report-types.js';
import { SimulationError } from '../verifier/verifier.js';
import { driverFrames, frameText, type DriverFrame } from './driver-frames.js';

export class DriverError extends SimulationError {
  /** The driver's name (defineMiniport). */
  readonly driver: string;
  /** What the driver threw. */
  readonly thrown: unknown;
  /** The thrown value's message (or the value as text). */
  readonly thrownMessage: string;
  /** The role frames it was thrown in, innermost first (empty: outside any, e.g. in the factory). */
  readonly frames: readonly RoleFrameReport[];
  /** The driver's own stack frames, innermost first. */
  readonly driverFrames: readonly DriverFrame[];

  constructor(driver: string, thrown: unknown, frames: readonly RoleFrameReport[], seed: number, tick: number) {
    const thrownMessage =
      thrown instanceof Error
        ? thrown.name === 'Error'
          ? thrown.message
          : `${thrown.name}: ${thrown.message}`
        : String(thrown);
    const own = driverFrames(
      thrown instanceof Error ? thrown.stack : undefined,
      frames.map((frame) => frame.function),
    );
    const where = frames.length > 0 ? ` in ${frames[0]!.function} (${frames[0]!.role})` : '';
    const at = own.length > 0 ? ` at ${frameText(own[0]!)}` : '';
    super(`driver ${driver} threw${where}${at}: ${thrownMessage}`, seed, tick);
    this.name = 'DriverError';
    this.driver = driver;
    this.thrown = thrown;
    this.thrownMessage = thrownMessage;
    this.frames = frames;
    this.driverFrames = own;
  }

  /** The innermost role function it threw in, or null. */
  get function(): string | null {
    return this.frames[0]?.function ?? null;
  }
}
