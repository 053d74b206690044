/** Option parsing shared by the commands: usage errors, integer options and the --spec folder. */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { bundled } from '../paths.js';
import type { CliIo } from './io.js';

/** A bad command line: main prints the message with a pointer to --help and exits 2. */
export class UsageError extends Error {}

/** An error thrown by node:util parseArgs for an unknown or malformed option. */
export function isParseArgsError(error: unknown): boolean {
  const code = (error as { code?: string } | undefined)?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}

/** An integer option in min..max, or the fallback when absent; `fail` makes the usage error to throw. */
export function integerOption(
  flag: string,
  value: string | undefined,
  fallback: number,
  min: number,
  max: number,
  fail: (message: string) => Error,
): number {
  if (value === undefined) return fallback;
  const parsed = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
    throw fail(`${flag} must be an integer in ${min}..${max} (got ${JSON.stringify(value)}).`);
  }
  return parsed;
}

export interface SpecOption {
  specDir: string;
  /** Given with --spec (not the bundled spec). */
  custom: boolean;
}

/** The folder of --spec, or the bundled spec when the option is absent. */
export function specOption(value: string | undefined, io: CliIo): SpecOption {
  if (value === undefined) return { specDir: bundled.specDir, custom: false };
  const specDir = resolve(io.cwd, value);
  if (!existsSync(specDir) || !statSync(specDir).isDirectory()) {
    throw new UsageError(`--spec ${JSON.stringify(value)} is not a folder.`);
  }
  return { specDir, custom: true };
}
