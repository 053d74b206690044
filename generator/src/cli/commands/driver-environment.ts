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
 */
import { createHash } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/** Each variable read, by name (sorted): the SHA-256 of its value, or null when it was unset. */
export type EnvironmentDigests = Readonly<Record<string, string | null>>;

/** What a driver's modules read of the environment while they are watched. */
export interface EnvironmentWatch {
  /** The variables read so far. */
  read(): EnvironmentDigests;
  /** Puts `process.env` back as it was. */
  stop(): void;
}

/**
 * Watches `process.env` of this thread from now until `stop()`: a read (`process.env.X`,
 * `'X' in process.env`) counts when the code that makes it is one of `files`, the driver's modules.
 * What Node or a package reads while a driver's module loads or runs is theirs, not the driver's.
 */
export function watchEnvironment(files: readonly string[]): EnvironmentWatch {
  const original = process.env;
  // A frame names a module by path (CommonJS) or file URL (ESM), through links or resolved.
  const marks = [...new Set(files.flatMap((file) => [file, realPath(file)]))].flatMap((file) => [
    `${file}:`,
    `${pathToFileURL(file).href}:`,
  ]);
  const seen = new Map<string, string | null>();
  /** Whether the frame that called `trap` is in the driver's code. */
  const byDriver = (trap: (...args: never[]) => unknown): boolean => {
    const holder: { stack?: string } = {};
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 1;
    Error.captureStackTrace(holder, trap);
    Error.stackTraceLimit = limit;
    const caller = holder.stack?.split('\n')[1] ?? '';
    return marks.some((mark) => caller.includes(mark));
  };
  const note = (target: NodeJS.ProcessEnv, name: string | symbol, trap: (...args: never[]) => unknown): void => {
    if (typeof name === 'string' && !seen.has(name) && byDriver(trap))
      seen.set(name, environmentDigest(Reflect.get(target, name)));
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
  };
  process.env = new Proxy(original, handler);
  return {
    read: () => Object.fromEntries([...seen].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
    stop: () => {
      process.env = original;
    },
  };
}

function realPath(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    return file;
  }
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
