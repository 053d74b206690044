/**
 * Where a driver run is, in memory shared between the thread that runs the driver and the thread
 * that watches it: the wall-clock watchdog of `ddikit simulate` and `ddikit explore` reads it when a
 * driver loops without calling a DDI (no simulated time passes, nothing returns to the harness).
 *
 * The running side writes on every role call (a heartbeat, the role frames' names, the tick) and
 * every run (the seed and the command that replays it); the watching side only reads. Plain stores
 * into a SharedArrayBuffer: a torn read at worst garbles one name in a message already about a hang.
 */
import { threadId } from 'node:worker_threads';
import type { RunProbe } from '@ddikit/sim';

/** Role frames whose names are kept (the innermost ones). */
const FRAMES_KEPT = 8;
const NAME_BYTES = 120;
const REPLAY_BYTES = 4096;

// Int32 slots.
const HEARTBEAT = 0;
const DEPTH = 1;
const REPLAY_LENGTH = 2;
const PHASE = 3;
/** Set by the watching side to ask where the driver is (RunProbe.whereAsked); the answer's length. */
const WHERE_ASKED = 4;
const WHERE_LENGTH = 5;
/** The id of the thread that runs the driver (worker_threads' threadId): the watchdog pauses it to read its line. */
const THREAD = 6;
const NAME_LENGTH = 8; // FRAMES_KEPT slots from here
// Float64 slots (byte offset / 8).
const TICK = 8;
const SEED = 9;
// Byte regions.
const NAMES_AT = 128;
const REPLAY_AT = NAMES_AT + FRAMES_KEPT * NAME_BYTES;
const WHERE_AT = REPLAY_AT + REPLAY_BYTES;
const WHERE_BYTES = 512;
const BYTES = WHERE_AT + WHERE_BYTES;

/** What the watched thread is doing. */
export const PHASE_LOADING = 0;
export const PHASE_RUNNING = 1;
/** Waiting for other threads (a pool worker between jobs, the thread that hands them out): not watched. */
export const PHASE_WAITING = 2;
/** Letting what the drivers left behind run after a chunk of runs (settle.ts): watched, no run is on. */
export const PHASE_SETTLING = 3;

export function watchBuffer(): SharedArrayBuffer {
  return new SharedArrayBuffer(BYTES);
}

/** A thread that was ended (a pool thread closed in the middle of a chunk): the watchdog leaves its memory alone. */
export function watchEnded(buffer: SharedArrayBuffer): void {
  const ints = new Int32Array(buffer);
  ints[PHASE] = PHASE_WAITING;
  ints[HEARTBEAT]!++;
}

/** The running side: a RunProbe that writes into the shared buffer. */
export class WatchProbe implements RunProbe {
  private readonly ints: Int32Array;
  private readonly floats: Float64Array;
  private readonly bytes: Uint8Array;
  private readonly encoded = new Map<string, Uint8Array>();
  private readonly encoder = new TextEncoder();
  /** RunProbe.whereAsked: a view of the slot the watching side sets (askWhere). */
  readonly whereAsked: Int32Array;

  /** `replay(seed, schedule)`: the command that replays a run. */
  constructor(
    buffer: SharedArrayBuffer,
    private readonly replay: (seed: number, schedule: string | null) => string,
  ) {
    this.ints = new Int32Array(buffer);
    this.floats = new Float64Array(buffer);
    this.bytes = new Uint8Array(buffer);
    this.whereAsked = new Int32Array(buffer, WHERE_ASKED * 4, 1);
    this.ints[THREAD] = threadId;
  }

  /** RunProbe.tellWhere: where the driver's code is, for the watchdog's report. */
  tellWhere(where: string): void {
    const text = this.encoder.encode(where).subarray(0, WHERE_BYTES);
    this.bytes.set(text, WHERE_AT);
    this.ints[WHERE_LENGTH] = text.length;
  }

  /** The driver module is loaded: the runs begin. */
  loaded(): void {
    this.ints[PHASE] = PHASE_RUNNING;
    this.ints[HEARTBEAT]!++;
  }

  /** The thread waits for other threads: the watchdog leaves it alone until `running`. */
  waiting(): void {
    this.ints[PHASE] = PHASE_WAITING;
    this.ints[HEARTBEAT]!++;
  }

  /** What the drivers left behind (timers, promises) runs after the runs: watched, but no run is on. */
  settling(): void {
    this.ints[PHASE] = PHASE_SETTLING;
    this.ints[DEPTH] = 0;
    this.ints[HEARTBEAT]!++;
  }

  /** The thread runs the driver again. */
  running(): void {
    this.ints[PHASE] = PHASE_RUNNING;
    this.ints[HEARTBEAT]!++;
  }

  run(seed: number, schedule: string | null): void {
    this.ints[HEARTBEAT]!++;
    this.floats[SEED] = seed;
    this.floats[TICK] = 0;
    const text = this.encoder.encode(this.replay(seed, schedule)).subarray(0, REPLAY_BYTES);
    this.bytes.set(text, REPLAY_AT);
    this.ints[REPLAY_LENGTH] = text.length;
  }

  enter(name: string, role: string, depth: number, tick: number): void {
    const ints = this.ints;
    ints[HEARTBEAT]!++;
    ints[DEPTH] = depth;
    this.floats[TICK] = tick;
    if (depth > FRAMES_KEPT) return;
    let bytes = this.encoded.get(name);
    if (bytes === undefined) {
      bytes = this.encoder.encode(`${name} (${role})`).subarray(0, NAME_BYTES);
      this.encoded.set(name, bytes);
    }
    this.bytes.set(bytes, NAMES_AT + (depth - 1) * NAME_BYTES);
    ints[NAME_LENGTH + depth - 1] = bytes.length;
  }

  exit(depth: number, tick: number): void {
    this.ints[HEARTBEAT]!++;
    this.ints[DEPTH] = depth;
    this.floats[TICK] = tick;
  }
}

/** What the watching side reads. */
export interface WatchState {
  readonly heartbeat: number;
  readonly phase: number;
  readonly seed: number;
  readonly tick: number;
  /** Role frames running, innermost first (`MyIsr (MINIPORT_ISR)`). */
  readonly frames: readonly string[];
  /** The command that replays the run, '' before the first run. */
  readonly replay: string;
  /** Where the driver's code was when asked (askWhere): `at Fn (file:line:col)`; '' when not told. */
  readonly where: string;
  /** The thread that runs the driver (its threadId); 0 before its probe is made. */
  readonly thread: number;
}

/**
 * Asks the watched thread where the driver's code is (RunProbe.whereAsked): code that can tell (a
 * C driver's loads and stores) answers, and readWatch returns it as `where`.
 */
export function askWhere(buffer: SharedArrayBuffer): void {
  const ints = new Int32Array(buffer);
  ints[WHERE_LENGTH] = 0;
  ints[WHERE_ASKED] = 1;
}

export function readWatch(buffer: SharedArrayBuffer): WatchState {
  const ints = new Int32Array(buffer);
  const floats = new Float64Array(buffer);
  const bytes = new Uint8Array(buffer);
  const decoder = new TextDecoder();
  const depth = Math.min(ints[DEPTH]!, FRAMES_KEPT);
  const frames: string[] = [];
  for (let d = depth; d >= 1; d--) {
    const at = NAMES_AT + (d - 1) * NAME_BYTES;
    frames.push(decoder.decode(bytes.slice(at, at + ints[NAME_LENGTH + d - 1]!)));
  }
  return {
    heartbeat: ints[HEARTBEAT]!,
    phase: ints[PHASE]!,
    seed: floats[SEED]!,
    tick: floats[TICK]!,
    frames,
    replay: decoder.decode(bytes.slice(REPLAY_AT, REPLAY_AT + ints[REPLAY_LENGTH]!)),
    where: decoder.decode(bytes.slice(WHERE_AT, WHERE_AT + Math.min(ints[WHERE_LENGTH]!, WHERE_BYTES))),
    thread: ints[THREAD]!,
  };
}
