/** Option parsing shared by the commands: usage errors, integer options and the --spec folder. */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { bundled } from '../paths.js';
import type { SpecSource } from '../spec/load.js';
import { compareStrings } from '../diagnostics.js';
import { readSpecFolder, readSpecSources } from '../spec/read-spec-folder.js';
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
  /** With --extend-bundled: the bundled spec is read too, the --spec folder adds to it. */
  extendsBundled: boolean;
}

/** The options every command that reads a spec declares, for node:util parseArgs. */
export const specOptions = {
  spec: { type: 'string' },
  'extend-bundled': { type: 'boolean' },
} as const;

/** The folder of --spec, or the bundled spec when the option is absent; --extend-bundled needs --spec. */
export function specOption(value: string | undefined, io: CliIo, extendBundled = false): SpecOption {
  if (value === undefined) {
    if (extendBundled)
      throw new UsageError('--extend-bundled needs --spec DIR: the folder that extends the bundled spec.');
    return { specDir: bundled.specDir, custom: false, extendsBundled: false };
  }
  const specDir = resolve(io.cwd, value);
  if (!existsSync(specDir) || !statSync(specDir).isDirectory()) {
    throw new UsageError(`--spec ${JSON.stringify(value)} is not a folder.`);
  }
  return { specDir, custom: true, extendsBundled: extendBundled };
}

/**
 * The spec files a command reads: the --spec folder (with the bundled rule table when it has
 * none), or with --extend-bundled the bundled spec's files and the folder's, in one sorted list.
 * A folder that holds no spec file reads as none, so the command reports it.
 */
export function readSpec(spec: SpecOption, cwd: string): SpecSource[] {
  if (!spec.extendsBundled) return readSpecFolder(spec.specDir, cwd);
  const own = readSpecSources(spec.specDir, cwd);
  if (own.length === 0) return own;
  return [...readSpecSources(bundled.specDir, cwd), ...own].sort((a, b) => compareStrings(a.path, b.path));
}
