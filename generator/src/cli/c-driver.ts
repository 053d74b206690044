/**
 * Miniports written in C for `ddikit simulate` and `ddikit explore`: the `.c` sources are compiled to
 * a wasm32 module with @ddikit/cc (content-hash cached, so a re-run starts without the toolchain)
 * and run through @ddikit/sim-c, which turns the module into a miniport definition of the same
 * @ddikit/sim the TypeScript drivers run on. The build is access-instrumented, so the race detector
 * sees the driver's loads and stores, and includes the x64 syntax pass.
 *
 * Both packages are loaded only when a `.c` file is given: the toolchain (about 100 MB) is needed
 * for C alone. They are optional peers of the generator; without them a C driver gets a message that
 * names the missing ones and the command that installs them.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type * as CcModule from '@ddikit/cc';
import type * as SimModule from '@ddikit/sim';
import type * as SimCModule from '@ddikit/sim-c';
import { displayPath } from '../paths.js';
import { cHarnessCopies } from './package-copies.js';

/** Joins the C sources of one driver into the module path the driver commands carry (NUL is in no path). */
export const C_SOURCES_SEPARATOR = '\0';

/** Whether a positional names C source. */
export function isCSource(path: string): boolean {
  return /\.c$/i.test(path);
}

/** A C driver that cannot be compiled or loaded; the message is what the user sees. */
export class CDriverError extends Error {}

/** The packages a C driver needs are not installed (optional peers of the generator). */
export class CPackagesMissingError extends CDriverError {}

/** Two copies of @ddikit/sim (the CLI's and the one @ddikit/sim-c defines C miniports with), or of @ddikit/ndis. */
export class HarnessCopiesError extends CDriverError {}

/** The C driver does not compile: the message carries the compiler's own text. */
export class CCompileFailedError extends CDriverError {}

/** What each C package is, for the message that asks for it. */
const C_PACKAGES = { '@ddikit/cc': 'the C compiler', '@ddikit/sim-c': 'the C runtime' } as const;
type CPackage = keyof typeof C_PACKAGES;

/** A compiled C driver, shaped as a loaded driver module. */
export interface CDriverModule {
  /** The sources as shown in messages, space-separated. */
  readonly display: string;
  readonly exports: Record<string, unknown>;
  readonly sim: typeof SimModule;
  /** Compiler warnings, as clang printed them (empty when none). */
  readonly warnings: string;
  /** A compile cache that could not be used, as a warning line; '' when it worked (cacheProblem). */
  readonly cacheWarning: string;
  /** The digest of the compiled module (DriverModule.fingerprint). */
  readonly fingerprint: string;
  /** Nothing: C code has no environment to read (DriverModule.environment). */
  readonly environment: () => Readonly<Record<string, string | null>>;
  /** Never: C code does not enumerate an environment (DriverModule.environmentEnumerated). */
  readonly environmentEnumerated: () => string | null;
  /** Nothing, in any runs (DriverModule.environmentSince). */
  readonly environmentSince: () => () => { read: Readonly<Record<string, string | null>>; enumerated: string | null };
}

/** The C sources a module path names (one path, or several joined by C_SOURCES_SEPARATOR). */
export function cSourcesOf(modulePath: string): string[] | null {
  const paths = modulePath.split(C_SOURCES_SEPARATOR);
  return paths.every(isCSource) ? paths : null;
}

/**
 * Imports a package at run time. The specifier is a variable on purpose: the bundler must not inline
 * the package into the CLI (tsconfig paths would make it), so the CLI and the driver share the
 * installed copy of the harness.
 */
async function importOrExplain<T>(name: string): Promise<T> {
  try {
    return (await import(name)) as T;
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new CDriverError(
      `running a C driver needs ${name}, which cannot be loaded (${message}); install it with npm install ${name}.`,
    );
  }
}

/** Whether `error` says that package `name` itself is not installed (not one of its own imports). */
function notInstalled(error: unknown, name: string): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return (
    (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') &&
    error instanceof Error &&
    error.message.includes(`'${name}'`)
  );
}

/**
 * Imports @ddikit/cc and @ddikit/sim-c. When either is not installed, CPackagesMissingError names
 * every one that is missing and the command that installs them.
 */
async function importCPackages(): Promise<{ cc: typeof CcModule; simC: typeof SimCModule }> {
  const missing: CPackage[] = [];
  const load = async <T>(name: CPackage): Promise<T | null> => {
    try {
      return (await import(name)) as T;
    } catch (error) {
      if (!notInstalled(error, name)) return importOrExplain<T>(name);
      missing.push(name);
      return null;
    }
  };
  const cc = await load<typeof CcModule>('@ddikit/cc');
  const simC = await load<typeof SimCModule>('@ddikit/sim-c');
  if (cc === null || simC === null) {
    const names = missing.map((name) => `${name} (${C_PACKAGES[name]})`).join(' and ');
    const one = missing.length === 1;
    throw new CPackagesMissingError(
      `a C driver needs ${names}, which ${one ? 'is' : 'are'} not installed; install ${one ? 'it' : 'them'} with npm install --save-dev ${missing.join(' ')}`,
    );
  }
  return { cc, simC };
}

/** A C driver's sources read from disk with what builds them: the packages, the header, the options. */
interface PreparedC {
  readonly cc: typeof CcModule;
  readonly simC: typeof SimCModule;
  readonly files: CcModule.SourceFile[];
  readonly header: string;
  readonly options: CcModule.CompileOptions;
}

/** Reads the sources at `paths` (relative to `cwd`) and their quoted includes; CDriverError when one is missing. */
async function prepare(
  paths: readonly string[],
  cwd: string,
  instrumentAccesses: boolean,
  defines: Readonly<Record<string, string>>,
): Promise<PreparedC> {
  const absolute = paths.map((path) => resolve(cwd, path));
  for (const [i, file] of absolute.entries()) {
    if (!existsSync(file)) throw new CDriverError(`cannot find the C source ${JSON.stringify(paths[i])}.`);
    if (!statSync(file).isFile()) throw new CDriverError(`${JSON.stringify(paths[i])} is a folder; name a .c file.`);
  }
  // Compile paths are relative and inside one folder: diagnostics name them as the user does.
  const base = absolute.every((file) => !relative(cwd, file).startsWith('..')) ? cwd : dirname(absolute[0]!);
  const sources = absolute.map((file) => ({
    path: relative(base, file).split(sep).join('/'),
    text: readFileSync(file, 'utf8'),
  }));
  const { cc, simC } = await importCPackages();
  const header = readFileSync(simC.harnessHeaderPath(), 'utf8');
  const files = cc.withIncludedFiles(sources, (path) => {
    const file = resolve(base, path);
    return existsSync(file) && statSync(file).isFile() ? readFileSync(file, 'utf8') : null;
  });
  const options = cc.buildOptionsFor(header, {
    cache: cc.diskCache(cc.defaultCacheDirectory(cwd)),
    instrumentAccesses,
    defines,
  });
  return { cc, simC, files, header, options };
}

/** A compile cache that could not be used, as a warning line (the build went on without it); '' when it worked. */
function cacheProblem(prepared: PreparedC): string {
  const problem = prepared.options.cache?.problem ?? null;
  return problem === null
    ? ''
    : `ddikit: warning: the compile cache was not used (${problem}); the driver was compiled anew.\n`;
}

async function compile(prepared: PreparedC, cwd: string): Promise<CcModule.CompiledDriver> {
  try {
    return await prepared.cc.compileDriver(prepared.files, prepared.header, prepared.options);
  } catch (error) {
    if (error instanceof prepared.cc.CompileError)
      throw new CCompileFailedError(
        `cannot compile the C driver:\n${error.message}${await unmodeledDdiNotes(error.diagnostics, prepared, cwd)}`,
      );
    throw error;
  }
}

/**
 * Notes for calls clang found undeclared that name NDIS DDIs of the spec which the harness does not
 * run (NdisMIndicateStatusEx): its ndis.h declares only the DDIs it runs, so such a call reads as a
 * typo, which it is not. A misspelt DDI clang answers itself ("did you mean"). One note per DDI, at
 * its first call, in clang's form; '' when there is none (or @ddikit/ndis cannot be loaded).
 */
async function unmodeledDdiNotes(
  diagnostics: readonly CcModule.Diagnostic[],
  prepared: PreparedC,
  cwd: string,
): Promise<string> {
  const calls = diagnostics.flatMap((d) => {
    const name = d.severity === 'error' ? /^call to undeclared function '(\w+)'/.exec(d.message)?.[1] : undefined;
    return name !== undefined && d.file !== null ? [{ name, at: `${d.file}:${d.line}:${d.column}` }] : [];
  });
  if (calls.length === 0) return '';
  let spec: ReadonlySet<string>;
  try {
    const ndis = (await import('@ddikit/ndis')) as { metadata: { functions: readonly { name: string }[] } };
    spec = new Set(ndis.metadata.functions.map((f) => f.name));
  } catch {
    return '';
  }
  const runs = new Set(prepared.options.ddiNames);
  const header = relative(cwd, prepared.simC.harnessHeaderPath()).split(sep).join('/');
  const seen = new Set<string>();
  const notes: string[] = [];
  for (const { name, at } of calls) {
    if (seen.has(name) || runs.has(name) || !spec.has(name)) continue;
    seen.add(name);
    notes.push(
      `${at}: note: ${name} is an NDIS DDI the harness does not run; its ndis.h declares the ${runs.size} it runs (${header})`,
    );
  }
  return notes.length === 0 ? '' : `\n${notes.join('\n')}`;
}

/**
 * Throws HarnessCopiesError when @ddikit/sim-c resolves another copy of @ddikit/sim than the one
 * the CLI runs drivers on (resolved from `from`, the CLI's own module): a C miniport is defined with
 * sim-c's copy and runs only under `sim.run` of that same copy, so every run would fail at its first
 * step. Also when sim-c resolves another copy of @ddikit/ndis than that @ddikit/sim: the C driver's
 * roles would be declared with the contracts of one and its DDI calls checked against the other's.
 * An install problem (a nested node_modules, mismatched versions), not a defect of the driver.
 * Nothing to say when a package cannot be resolved: loading it says why.
 */
export function checkOneHarness(cwd: string, from: string = import.meta.url): void {
  const message = cHarnessCopies(cwd, from);
  if (message !== null) throw new HarnessCopiesError(message);
}

/**
 * Compiles the C sources at `paths` (relative to `cwd`) and returns the driver as a module whose
 * default export is its miniport definition. Throws CDriverError with the compiler's own text when a
 * file is missing or does not compile.
 */
export async function loadCDriver(
  paths: readonly string[],
  cwd: string,
  defines: Readonly<Record<string, string>> = {},
): Promise<CDriverModule> {
  const prepared = await prepare(paths, cwd, true, defines);
  const sim = await importOrExplain<typeof SimModule>('@ddikit/sim');
  checkOneHarness(cwd);
  const compiled = await compile(prepared, cwd);
  const module = new prepared.simC.CDriverModule(compiled.wasm);
  if (!WebAssembly.Module.exports(module.module).some((e) => e.name === 'DriverEntry' && e.kind === 'function'))
    throw new CCompileFailedError(noDriverEntry(paths, cwd, compiled.roles));
  const definition = prepared.simC.defineCMiniport(module);
  return {
    display: paths.map((path) => displayPath(path, cwd)).join(' '),
    exports: { default: definition },
    sim,
    warnings: compiled.diagnosticsText,
    cacheWarning: cacheProblem(prepared),
    fingerprint: createHash('sha256').update(compiled.wasm).digest('hex'),
    environment: () => ({}),
    environmentEnumerated: () => null,
    environmentSince: () => () => ({ read: {}, enumerated: null }),
  };
}

/**
 * The build error of sources with no DriverEntry, which is where the harness starts a C driver (a
 * WDK build fails to link without one too). `check` does not ask for it: it checks what the sources
 * declare, as Code Analysis does a file at a time.
 */
function noDriverEntry(
  paths: readonly string[],
  cwd: string,
  roles: readonly { readonly name: string; readonly role: string; readonly file: string; readonly line: number }[],
): string {
  const shown = paths.map((path) => displayPath(path, cwd)).join(', ');
  // The entry point declared under another name: the WDK's GsDriverEntry, as the harness, calls DriverEntry.
  const renamed = roles.find((declared) => declared.role === 'DRIVER_INITIALIZE' && declared.name !== 'DriverEntry');
  if (renamed !== undefined)
    return [
      'cannot run the C driver:',
      `${renamed.file}:${renamed.line}: error: ${renamed.name} is declared DRIVER_INITIALIZE, but a driver's entry point must be named DriverEntry: the harness starts the driver there, as the WDK's GsDriverEntry does.`,
      `  Rename ${renamed.name} to DriverEntry (not static).`,
    ].join('\n');
  return [
    'cannot run the C driver:',
    `error: no DriverEntry in ${shown}: a driver starts at DriverEntry (DRIVER_INITIALIZE), which registers its MiniportInitializeEx and MiniportHaltEx with NdisMRegisterMiniportDriver.`,
    `  Add one, not static (${paths.length > 1 ? 'in one of the files' : 'in the file'} or another passed with it): ddikit scaffold --role DRIVER_INITIALIZE:DriverEntry writes it.`,
  ].join('\n');
}

/** What `ddikit check` found in a C driver. */
export interface CDriverCheck {
  /** Compiler warnings, as clang printed them. */
  readonly warnings: string;
  /** Functions declared with a role. */
  readonly declarations: number;
  /** Handlers stored or passed with another role than the place takes, or with none (C28023 class). */
  readonly findings: readonly { file: string; line: number; column: number; code: string; message: string }[];
}

/**
 * The static role check of a C driver: it must compile (wasm32 and the x64 pass); the build's scan
 * of the preprocessed sources finds every handler stored in a field (assignments, designated
 * initializers) or passed to a DDI by name, and checks its declared role against the place's.
 */
export async function checkCDriver(
  paths: readonly string[],
  cwd: string,
  defines: Readonly<Record<string, string>> = {},
): Promise<CDriverCheck> {
  const prepared = await prepare(paths, cwd, false, defines);
  const compiled = await compile(prepared, cwd);
  const findings = [...compiled.roleFindings].sort((a, b) =>
    a.file === b.file ? a.line - b.line || a.column - b.column : a.file < b.file ? -1 : 1,
  );
  return {
    warnings: compiled.diagnosticsText + cacheProblem(prepared),
    declarations: new Set(compiled.roles.map((role) => role.name)).size,
    findings,
  };
}
