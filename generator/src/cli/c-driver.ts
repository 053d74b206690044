/**
 * Miniports written in C for `ddikit simulate` and `ddikit explore`: the `.c` sources are compiled to
 * a wasm32 module with @ddikit/cc (content-hash cached, so a re-run starts without the toolchain)
 * and run through @ddikit/sim-c, which turns the module into a miniport definition of the same
 * @ddikit/sim the TypeScript drivers run on. The build is access-instrumented, so the race detector
 * sees the driver's loads and stores, and includes the x64 syntax pass.
 *
 * Both packages are loaded only when a `.c` file is given: the toolchain (about 100 MB) is needed
 * for C alone.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, relative, resolve, sep } from 'node:path';
import type * as CcModule from '@ddikit/cc';
import type * as SimModule from '@ddikit/sim';
import type * as SimCModule from '@ddikit/sim-c';
import { displayPath } from '../spec/read-spec-folder.js';

/** Joins the C sources of one driver into the module path the driver commands carry (NUL is in no path). */
export const C_SOURCES_SEPARATOR = '\0';

/** Whether a positional names C source. */
export function isCSource(path: string): boolean {
  return /\.c$/i.test(path);
}

/** A C driver that cannot be compiled or loaded; the message is what the user sees. */
export class CDriverError extends Error {}

/** A compiled C driver, shaped as a loaded driver module. */
export interface CDriverModule {
  /** The sources as shown in messages, space-separated. */
  readonly display: string;
  readonly exports: Record<string, unknown>;
  readonly sim: typeof SimModule;
  /** Compiler warnings, as clang printed them (empty when none). */
  readonly warnings: string;
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

/**
 * Compiles the C sources at `paths` (relative to `cwd`) and returns the driver as a module whose
 * default export is its miniport definition. Throws CDriverError with the compiler's own text when a
 * file is missing or does not compile.
 */
export async function loadCDriver(paths: readonly string[], cwd: string): Promise<CDriverModule> {
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
  const cc = await importOrExplain<typeof CcModule>('@ddikit/cc');
  const simC = await importOrExplain<typeof SimCModule>('@ddikit/sim-c');
  const sim = await importOrExplain<typeof SimModule>('@ddikit/sim');
  const header = readFileSync(simC.harnessHeaderPath(), 'utf8');
  const files = cc.withIncludedFiles(sources, (path) => {
    const file = resolve(base, path);
    return existsSync(file) && statSync(file).isFile() ? readFileSync(file, 'utf8') : null;
  });
  let compiled: CcModule.CompiledDriver;
  try {
    compiled = await cc.compileDriver(
      files,
      header,
      cc.buildOptionsFor(header, { cache: cc.diskCache(cc.defaultCacheDirectory(cwd)), instrumentAccesses: true }),
    );
  } catch (error) {
    if (error instanceof cc.CompileError) throw new CDriverError(`cannot compile the C driver:\n${error.message}`);
    throw error;
  }
  const definition = simC.defineCMiniport(new simC.CDriverModule(compiled.wasm));
  return {
    display: paths.map((path) => displayPath(path, cwd)).join(' '),
    exports: { default: definition },
    sim,
    warnings: compiled.diagnosticsText,
  };
}
