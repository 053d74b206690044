/** `ddikit scaffold`: writes a C or TypeScript driver scaffold for functions of given roles. */
import { existsSync, lstatSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { parseArgs } from 'node:util';
import { bundled, ndisIncludeDir } from '../../paths.js';
import { check } from '../../pipeline.js';
import type { OutputFile } from '../../render/output.js';
import { scaffold, type ScaffoldRequest } from '../../render/scaffold.js';
import { entryPointRole } from '../../render/scaffold-registration.js';
import { wdkEntryPoint } from '../../names.js';
import type { Model } from '../../spec/model.js';
import { readSpecSources } from '../../spec/read-spec-folder.js';
import { displayPath } from '../../paths.js';
import { readSchema } from '../../spec/validate.js';
import { withOutputLock } from '../../write/output-lock.js';
import { applyWrite, planWrite } from '../../write/write.js';
import type { CliIo } from '../io.js';
import { UsageError } from '../arguments.js';
import { noSpecFiles, readSpec, specOption, specOptions } from '../options.js';
import { printDiagnostics, shellWord } from '../print.js';
import { harnessHeaderPath } from '../../render/c-harness-header.js';
import { cHeaderPath } from '../../render/c-header.js';

export const scaffoldUsage = `  ddikit scaffold --role ROLE:Name [--role ROLE:Name ...] --out DIR [--lang c|ts] [--name BASE] [--force]
                  [--spec DIR [--extend-bundled] [--generated DIR]] [--json]
      Write a driver scaffold: for C a .h with role-type declarations and a .c with
      _Use_decl_annotations_ definitions; for TypeScript a module against @ddikit/ndis.
      --generated DIR  what \`generate --out DIR\` made from the same --spec: a TypeScript scaffold
                   imports from its declarations, a C one compiles against its header (needed
                   when the roles or types the scaffold uses come from your spec)
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
      generated: { type: 'string' },
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
  const outDir = resolve(io.cwd, values.out);
  const generatedDir = values.generated === undefined ? null : resolve(io.cwd, values.generated);
  if (values.generated !== undefined && !spec.custom)
    throw new UsageError('--generated goes with --spec: the bundled spec is @ddikit/ndis itself.');
  const problem =
    generatedDir === null ? null : generatedProblem(generatedDir, values.lang, requests, values.generated!, io);
  if (problem !== null) {
    io.stderr(`ddikit scaffold: error: ${problem}\n`);
    return 1;
  }
  const typesModule = generatedDir === null ? undefined : generatedModule(outDir, generatedDir);
  if (typesModule === null) {
    io.stderr(
      `ddikit scaffold: error: the path from ${displayPath(outDir, io.cwd)} to ${displayPath(generatedDir!, io.cwd)} has characters a module path in the scaffold cannot carry; use folders named with letters, digits and "@._-".\n`,
    );
    return 1;
  }
  const result = scaffold(
    checked.model,
    requests,
    values.lang,
    values.name,
    undefined,
    undefined,
    typesModule === undefined ? {} : { typesModule },
  );
  if (result.diagnostics.length > 0) {
    for (const message of result.diagnostics) io.stderr(`ddikit scaffold: error: ${message}\n`);
    return 1;
  }
  // Names the bundled spec lacks: @ddikit/ndis does not declare them. A TypeScript scaffold would
  // import them from it, so it needs --generated; a C one is the same text whatever header it
  // compiles against, so it is written, and the hint says which header that must be.
  const added = generatedDir === null && spec.custom ? namesFromOwnSpec(checked.model, result.files, io.cwd) : [];
  const generateFirst = `ddikit generate --spec ${values.spec} ${values['extend-bundled'] === true ? '--extend-bundled ' : ''}--out generated`;
  if (added.length > 0 && values.lang === 'ts') {
    io.stderr(
      `ddikit scaffold: error: the scaffold uses ${added.join(', ')}, which your spec adds: @ddikit/ndis does not declare ${added.length === 1 ? 'it' : 'them'}. Generate from the same spec first (${generateFirst}), then scaffold with --generated generated; nothing was written.\n`,
    );
    return 1;
  }
  const written = writeScaffold(outDir, result.files, values.force === true, io);
  if (written && values.lang === 'c') {
    const entry = entryPointHint(checked.model, requests);
    if (entry !== null) io.stdout(`${entry}\n`);
    if (added.length > 0)
      io.stdout(
        `It uses ${added.join(', ')}, which your spec adds: compile it against the header generate writes from the same spec (${generateFirst}), not @ddikit/ndis's: ${compileCommand(outDir, resolve(io.cwd, 'generated'), io)}\n`,
      );
    else
      io.stdout(
        `Compile against the generated headers (the DDIs and the roles, as ddikit check builds it): ${compileCommand(outDir, generatedDir ?? dirname(ndisIncludeDir(io.cwd)), io)}\n`,
      );
  }
  return written ? 0 : 1;
}

/**
 * Why `--generated DIR` cannot serve the scaffold (null when it can): it lacks what the language
 * needs (the declarations' index.ts, the C header), or was generated before the spec had a role asked for.
 */
function generatedProblem(
  dir: string,
  lang: 'c' | 'ts',
  requests: readonly ScaffoldRequest[],
  given: string,
  io: CliIo,
): string | null {
  // A C scaffold compiles against both headers: the roles, and the harness ndis.h with the DDIs.
  const needed = lang === 'ts' ? ['src/generated/index.ts'] : [cHeaderPath, harnessHeaderPath];
  const fix = `run ddikit generate with the same --spec and --out ${given} first`;
  const absent = needed.find((path) => !existsSync(join(dir, path)));
  if (absent !== undefined) return `--generated ${given} has no ${absent}: ${fix}.`;
  let roles: Set<string>;
  try {
    const metadata = JSON.parse(readFileSync(join(dir, 'src/generated/metadata.json'), 'utf8')) as {
      roles?: { name?: unknown }[];
    };
    roles = new Set((metadata.roles ?? []).map((role) => String(role.name)));
  } catch {
    return `--generated ${given}: ${displayPath(join(dir, 'src/generated/metadata.json'), io.cwd)} is missing or not JSON: ${fix}.`;
  }
  const missing = requests.map((r) => r.role).filter((role) => !roles.has(role));
  if (missing.length > 0)
    return `--generated ${given} does not declare ${[...new Set(missing)].join(', ')} (it was generated before the spec had ${missing.length === 1 ? 'it' : 'them'}?): ${fix}.`;
  return null;
}

/** The module a TypeScript scaffold in `outDir` imports the generated declarations as; null when the path needs quoting. */
function generatedModule(outDir: string, generatedDir: string): string | null {
  let path = relative(outDir, join(generatedDir, 'src/generated/index.js')).split(sep).join('/');
  if (!path.startsWith('.')) path = `./${path}`;
  return /^[A-Za-z0-9@._/-]+$/.test(path) ? path : null;
}

/**
 * The names the scaffold's files use that the bundled spec lacks: the roles, DDIs and types the
 * --spec folder adds, which @ddikit/ndis and its header do not declare. Sorted.
 */
function namesFromOwnSpec(model: Model, files: readonly OutputFile[], cwd: string): string[] {
  const bundledModel = check(readSpecSources(bundled.specDir, cwd), { schema: readSchema(bundled.schemaPath) }).model;
  if (bundledModel === undefined) return [];
  const used = new Set<string>();
  for (const file of files) for (const word of file.content.match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? []) used.add(word);
  return [...model.byName.keys()].filter((name) => used.has(name) && !bundledModel.byName.has(name)).sort();
}

/**
 * What a C scaffold lacks to run on the harness, which starts a C driver at DriverEntry: the entry
 * point's role (DRIVER_INITIALIZE), or that name for its function. Null when it has both, or the
 * spec has no entry point role.
 */
function entryPointHint(model: Model, requests: readonly ScaffoldRequest[]): string | null {
  const entry = entryPointRole(model);
  if (entry === null) return null;
  const add = `--role ${entry.name}:${wdkEntryPoint}`;
  const given = requests.find((r) => r.role === entry.name);
  if (given === undefined)
    return `Next: ddikit simulate starts a C driver at ${wdkEntryPoint}. Add ${add} to this command for one that registers the miniport with NDIS.`;
  if (given.name !== wdkEntryPoint)
    return `Next: the WDK and ddikit simulate start a driver at ${wdkEntryPoint}, not ${given.name}: name it so (${add}).`;
  return null;
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

/**
 * The gcc command that checks the C scaffold once its bodies call DDIs, against the headers under
 * `headersDir` (@ddikit/ndis, or what `generate --out` wrote): the harness `ndis.h`
 * (`include/harness/`, what `ddikit check` and the harness build it with), included first (by its
 * path: never an ndis.h of the working folder) and as `<ndis.h>`; it declares the DDIs and, as the
 * WDK's does, makes `ndis_roles.h` add nothing. `_WIN64` picks the header's x64 (LLP64)
 * branch, as the x64 syntax pass does; pool tags are multi-character constants, as in the WDK.
 * Every path is quoted for a POSIX shell where it needs it; the `*.c` stays outside the quotes.
 */
function compileCommand(outDir: string, headersDir: string, io: CliIo): string {
  const shown = (path: string): string => shellWord(displayPath(path, io.cwd));
  const harness = join(headersDir, harnessHeaderPath);
  return [
    'gcc -std=c11 -fsyntax-only -Wall -Wextra -Werror -Wno-multichar -D_WIN64',
    `-isystem ${shown(dirname(harness))} -include ${shown(harness)} -I${shown(dirname(join(headersDir, cHeaderPath)))}`,
    `${shellWord(displayPath(outDir, io.cwd))}/*.c`,
  ].join(' ');
}
