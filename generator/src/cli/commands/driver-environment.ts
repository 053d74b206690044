/**
 * The environment variables a TypeScript or JavaScript driver reads. A driver whose behaviour
 * depends on `process.env.X` runs another driver under another value of X, which its code's
 * fingerprint (driver-module.ts) does not see; a shard file keeps what its driver read, so that a
 * merge refuses shards run under different values. Only what the driver's own modules read counts:
 * the command, the loader and the harness read variables too (NO_COLOR, the cache folder, …), and
 * those that differ harmlessly between machines (PATH, HOME) are no part of the driver.
 *
 * Values are kept as SHA-256 digests, never as text: a shard file is handed around, and a variable a
 * driver reads may hold a secret.
 *
 * A driver that enumerates the environment (`Object.keys(process.env)`, `{ ...process.env }`,
 * `for … in`) depends on variables it never names, which no list of names can hold; the watch says
 * where it first did, and `explore --shard` refuses such a driver (explore.ts) rather than record the
 * whole environment, which differs between any two machines (HOSTNAME, a CI runner's own variables)
 * and would fail every merge of shards run on more than one.
 *
 * With `--workers N` the runs are spread over threads, each with its own `process.env` and its own
 * watch: each thread says what the driver did in each chunk of runs it ran (`since`), and the search's
 * thread puts together what the chunks whose results it used say (`environmentOfChunks`), so that a
 * shard keeps the same variables whichever thread ran what.
 */
import { createHash } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/** Each variable read, by name (sorted): the SHA-256 of its value, or null when it was unset. */
export type EnvironmentDigests = Readonly<Record<string, string | null>>;

/** What a driver's code did with the environment over some of its runs (a chunk of `--workers`). */
export interface EnvironmentUse {
  /** The variables it read. */
  readonly read: EnvironmentDigests;
  /** Where it first enumerated the environment (a location), or null when it did not. */
  readonly enumerated: string | null;
}

/** What a driver's modules read of the environment while they are watched. */
export interface EnvironmentWatch {
  /** The variables read so far. */
  read(): EnvironmentDigests;
  /** Where the driver's code first enumerated the environment (a stack location), or null. */
  enumerated(): string | null;
  /**
   * Starts a stretch (one at a time: a new one ends the last): the function returned says what the
   * driver's code did from now until it is called, even with variables it had read before.
   */
  since(): () => EnvironmentUse;
  /** Puts `process.env` back as it was. */
  stop(): void;
}

/**
 * Watches `process.env` of this thread from now until `stop()`: a read (`process.env.X`,
 * `'X' in process.env`, `Object.hasOwn(process.env, 'X')`) counts when the code that makes it is one
 * of `files`, the driver's modules, and so does an enumeration. What Node or a package reads while a
 * driver's module loads or runs is theirs, not the driver's.
 */
export function watchEnvironment(files: readonly string[]): EnvironmentWatch {
  const original = process.env;
  // A frame names a module by path (CommonJS) or file URL (ESM), through links or resolved.
  const marks = [...new Set(files.flatMap((file) => [file, realPath(file)]))].flatMap((file) => [
    `${file}:`,
    `${pathToFileURL(file).href}:`,
  ]);
  const seen = new Map<string, string | null>();
  let enumeratedAt: string | null = null;
  /** What the driver's code did in the current stretch (since), or null when none is open. */
  let stretch: { read: Map<string, string | null>; enumeratedAt: string | null } | null = null;
  /** The driver's frame that called `trap` (its location), or null when the caller is not the driver's code. */
  const driverCaller = (trap: (...args: never[]) => unknown): string | null => {
    const holder: { stack?: string } = {};
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = CALLER_FRAMES_MAX;
    Error.captureStackTrace(holder, trap);
    Error.stackTraceLimit = limit;
    const caller = callerFrame(holder.stack ?? '');
    return caller !== null && marks.some((mark) => caller.includes(mark)) ? caller : null;
  };
  const note = (target: NodeJS.ProcessEnv, name: string | symbol, trap: (...args: never[]) => unknown): void => {
    if (typeof name !== 'string' || (seen.has(name) && (stretch === null || stretch.read.has(name)))) return;
    if (driverCaller(trap) === null) return;
    const digest = environmentDigest(Reflect.get(target, name));
    if (!seen.has(name)) seen.set(name, digest);
    stretch?.read.set(name, digest);
  };
  const handler: ProxyHandler<NodeJS.ProcessEnv> = {
    get: function get(target, name) {
      note(target, name, get);
      return Reflect.get(target, name);
    },
    has: function has(target, name) {
      note(target, name, has);
      return Reflect.has(target, name);
    },
    // Object.hasOwn, hasOwnProperty, Object.getOwnPropertyDescriptor: a read of whether it is set.
    getOwnPropertyDescriptor: function getOwnPropertyDescriptor(target, name) {
      note(target, name, getOwnPropertyDescriptor);
      return Reflect.getOwnPropertyDescriptor(target, name);
    },
    ownKeys: function ownKeys(target) {
      if (enumeratedAt === null || (stretch !== null && stretch.enumeratedAt === null)) {
        const at = driverCaller(ownKeys);
        enumeratedAt ??= at;
        if (stretch !== null) stretch.enumeratedAt ??= at;
      }
      return Reflect.ownKeys(target);
    },
  };
  process.env = new Proxy(original, handler);
  return {
    read: () => sortedDigests(seen),
    enumerated: () => enumeratedAt,
    since: () => {
      const current = { read: new Map<string, string | null>(), enumeratedAt: null as string | null };
      stretch = current;
      return () => {
        if (stretch === current) stretch = null;
        return { read: sortedDigests(current.read), enumerated: current.enumeratedAt };
      };
    },
    stop: () => {
      process.env = original;
    },
  };
}

/**
 * Frames a trap looks through for its caller: the engine's own functions between the caller and the
 * trap (`Object.keys`, `Object.entries`, `Object.hasOwn`, `Reflect.get`, `JSON.stringify`) are one
 * or two.
 */
const CALLER_FRAMES_MAX = 4;

/**
 * The location of the first frame of `stack` (below its message line) that is not a function of the
 * engine's own (`at Function.keys (<anonymous>)`); null when there is none.
 */
function callerFrame(stack: string): string | null {
  for (const line of stack.split('\n').slice(1)) {
    const frame = line.trim().replace(/^at /, '');
    if (frame.endsWith('(<anonymous>)') || frame.endsWith('(native)') || frame === '<anonymous>') continue;
    return /\((.*)\)$/.exec(frame)?.[1] ?? frame;
  }
  return null;
}

function realPath(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    return file;
  }
}

/**
 * What the driver did over chunks of runs, given in the order of their runs: every variable read
 * (sorted by name; the first chunk's value when two read one), and the first chunk's enumeration.
 * The same whichever thread ran which chunk, and however the runs were cut into chunks.
 */
export function environmentOfChunks(chunks: readonly EnvironmentUse[]): EnvironmentUse {
  const read = new Map<string, string | null>();
  for (const chunk of chunks)
    for (const [name, digest] of Object.entries(chunk.read)) if (!read.has(name)) read.set(name, digest);
  return {
    read: sortedDigests(read),
    enumerated: chunks.find((chunk) => chunk.enumerated !== null)?.enumerated ?? null,
  };
}

function sortedDigests(digests: ReadonlyMap<string, string | null>): EnvironmentDigests {
  return Object.fromEntries([...digests].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The digest a variable's value is kept as; null when it is unset. */
export function environmentDigest(value: unknown): string | null {
  return typeof value === 'string' ? createHash('sha256').update(value).digest('hex') : null;
}

/** These variables as this thread's environment has them now. */
export function environmentNow(names: readonly string[]): EnvironmentDigests {
  return Object.fromEntries(names.map((name) => [name, environmentDigest(process.env[name])]));
}

/**
 * The first variable (by name) both read with different values, or null. A variable only one of
 * them read did not shape the other's runs.
 */
export function environmentDifference(a: EnvironmentDigests, b: EnvironmentDigests): string | null {
  for (const name of Object.keys(a).sort()) if (Object.hasOwn(b, name) && a[name] !== b[name]) return name;
  return null;
}
