/**
 * The --spec option the spec commands share: the folder, and reading it. (What every command's
 * options share is in arguments.ts, which reads no spec: `simulate` and `explore` threads load it.)
 */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { bundled, displayPath } from '../paths.js';
import type { SpecSource } from '../spec/load.js';
import { compareStrings, type Diagnostic } from '../diagnostics.js';
import { readSpecFolder, readSpecSources } from '../spec/read-spec-folder.js';
import { UsageError } from './arguments.js';
import type { CliIo } from './io.js';

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

/** DDI1010 for a spec folder that holds no spec file. */
export function noSpecFiles(spec: SpecOption, io: CliIo): Diagnostic {
  return {
    file: displayPath(spec.specDir, io.cwd),
    line: 1,
    col: 1,
    severity: 'error',
    code: 'DDI1010',
    message: `no .yaml file in the spec folder. Add spec files, or point --spec at the folder that holds them.`,
  };
}
