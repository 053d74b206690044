/** `ddikit scaffold`: writes a C or TypeScript driver scaffold for functions of given roles. */
import { existsSync, lstatSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { bundled, ndisIncludeDir } from '../../paths.js';
import { check } from '../../pipeline.js';
import type { OutputFile } from '../../render/output.js';
import { scaffold, type ScaffoldRequest } from '../../render/scaffold.js';
import { displayPath } from '../../paths.js';
import { readSchema } from '../../spec/validate.js';
import { withOutputLock } from '../../write/output-lock.js';
import { applyWrite, planWrite } from '../../write/write.js';
import type { CliIo } from '../io.js';
import { UsageError } from '../arguments.js';
import { noSpecFiles, readSpec, specOption, specOptions } from '../options.js';
import { printDiagnostics } from '../print.js';

export const scaffoldUsage = `  ddikit scaffold --role ROLE:Name [--role ROLE:Name ...] --out DIR [--lang c|ts] [--name BASE] [--force]
                  [--spec DIR [--extend-bundled]] [--json]
      Write a driver scaffold: for C a .h with role-type declarations and a .c with
      _Use_decl_annotations_ definitions; for TypeScript a module against @ddikit/ndis.
      An existing file is never overwritten without --force; with --force it is kept as FILE.bak,
      or as FILE.1.bak, FILE.2.bak, … when that exists, so no earlier version is lost.
`;

export function runScaffold(args: readonly string[], io: CliIo): number {
  const { values } = parseArgs({
    args: [...args],
    options: {
      role: { type: 'string', multiple: true },
      out: { type: 'string' },
      lang: { type: 'string', default: 'c' },
      name: { type: 'string' },
      force: { type: 'boolean' },
      ...specOptions,
      json: { type: 'boolean' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (!values.role || values.role.length === 0)
    throw new UsageError(
      'give at least one --role ROLE:Name, e.g. --role MINIPORT_SYNCHRONIZE_INTERRUPT:MySynchronizeInterrupt.',
    );
  if (values.out === undefined) throw new UsageError('--out DIR is required: the folder to write the scaffold into.');
  if (values.lang !== 'c' && values.lang !== 'ts')
    throw new UsageError(`--lang must be c or ts (got ${JSON.stringify(values.lang)}).`);
  const requests = roleRequests(values.role);
  if (values.name !== undefined && !/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(values.name)) {
    throw new UsageError(`--name must be a plain file name without folders (got ${JSON.stringify(values.name)}).`);
  }
  const spec = specOption(values.spec, io, values['extend-bundled'] === true);
  const sources = readSpec(spec, io.cwd);
  const checked = check(sources, { schema: readSchema(bundled.schemaPath) });
  if (!checked.model) {
    const diagnostics = checked.diagnostics.length > 0 ? checked.diagnostics : [noSpecFiles(spec, io)];
    printDiagnostics(diagnostics, io, values.json === true);
    return 1;
  }
  const result = scaffold(checked.model, requests, values.lang, values.name);
  if (result.diagnostics.length > 0) {
    for (const message of result.diagnostics) io.stderr(`ddikit scaffold: error: ${message}\n`);
    return 1;
  }
  const written = writeScaffold(resolve(io.cwd, values.out), result.files, values.force === true, io);
  if (written && values.lang === 'c') io.stdout(compileHint(resolve(io.cwd, values.out), io));
  return written ? 0 : 1;
}

/** The --role ROLE:Name values as requests. */
function roleRequests(roles: readonly string[]): ScaffoldRequest[] {
  return roles.map((text) => {
    const match = /^([^:]+):([^:]+)$/.exec(text);
    if (!match)
      throw new UsageError(
        `--role must be ROLE:Name, e.g. MINIPORT_SYNCHRONIZE_INTERRUPT:MySynchronizeInterrupt (got ${JSON.stringify(text)}).`,
      );
    return { role: match[1]!, name: match[2]! };
  });
}

/** Most numbered backups kept of one file; past it, --force refuses rather than drop one. */
const backupsMax = 1000;

/**
 * The first backup name of a file that is free: FILE.bak, then FILE.1.bak, FILE.2.bak, …, so every
 * earlier version is kept; null when all `backupsMax` are taken.
 */
function backupName(outDir: string, path: string, taken: ReadonlySet<string>): string | null {
  for (let n = 0; n < backupsMax; n++) {
    const name = n === 0 ? `${path}.bak` : `${path}.${n}.bak`;
    if (taken.has(name)) continue;
    try {
      lstatSync(join(outDir, name));
    } catch {
      return name;
    }
  }
  return null;
}

/**
 * Writes the files, never replacing a different existing file without `force` (then the old one is
 * kept as FILE.bak, or the first free FILE.N.bak); prints what it did. False when a file was in the
 * way.
 */
function writeScaffold(outDir: string, files: readonly OutputFile[], force: boolean, io: CliIo): boolean {
  const outShown = displayPath(outDir, io.cwd);
  const plan = planWrite(outDir, files, []);
  const blocked = plan.changed.filter((f) => existsSync(join(outDir, f.path)));
  if (blocked.length > 0 && !force) {
    for (const file of blocked) {
      io.stderr(
        `ddikit scaffold: error: ${outShown}/${file.path} exists and differs from the scaffold; it was left as it is. Pass --force to replace it (the old file is kept as ${file.path}.bak, or ${file.path}.1.bak, … when that exists).\n`,
      );
    }
    return false;
  }
  const backups: OutputFile[] = [];
  const taken = new Set<string>();
  for (const file of blocked) {
    const name = backupName(outDir, file.path, taken);
    if (name === null) {
      io.stderr(
        `ddikit scaffold: error: ${outShown}/${file.path} already has ${backupsMax} backups; nothing was written. Remove old backups and run again.\n`,
      );
      return false;
    }
    taken.add(name);
    // Byte for byte: the driver's own file, whatever its encoding.
    const bytes = readFileSync(join(outDir, file.path));
    backups.push({ path: name, content: bytes.toString('utf8'), bytes });
  }
  const written = withOutputLock(outDir, () => applyWrite(planWrite(outDir, [...files, ...backups], [])));
  for (const path of written.written)
    io.stdout(`${backups.some((b) => b.path === path) ? 'kept' : 'wrote'}  ${outShown}/${path}\n`);
  for (const path of written.unchanged) io.stdout(`same   ${outShown}/${path}\n`);
  return true;
}

/** How to compile the C scaffold against the generated header. */
function compileHint(outDir: string, io: CliIo): string {
  const include = ndisIncludeDir(io.cwd);
  const shown = displayPath(include, io.cwd);
  return `Compile against the generated header: gcc -std=c11 -fsyntax-only -Wall -Wextra -Werror -I${shown.startsWith('../..') ? include : shown} ${displayPath(outDir, io.cwd)}/*.c\n`;
}
