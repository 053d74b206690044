/**
 * What `ddikit simulate` and `ddikit explore` share: loading a driver module through tsx, finding
 * the @ddikit/sim that the driver itself resolves, picking the export to run, and the options and
 * usage errors both commands read the same way.
 *
 * The harness is taken from the module graph of the driver: `@ddikit/sim` is imported from the
 * driver's location through the same loader, so the driver's `resourcesOf` and
 * `setMiniportAdapterContext` and the simulation that runs it are one copy of the package. A driver
 * whose modules resolve another @ddikit/ndis than that @ddikit/sim does is refused before it loads
 * (package-copies.ts): its roles would be checked against the contracts of one copy and its DDI
 * calls against the other's.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as SimModule from '@ddikit/sim';
import { displayPath } from '../../paths.js';
import {
  C_SOURCES_SEPARATOR,
  CCompileFailedError,
  CDriverError,
  cSourcesOf,
  isCSource,
  loadCDriver,
} from '../c-driver.js';
import type { CliIo } from '../io.js';
import { integerOption, isParseArgsError } from '../arguments.js';
import { firstLines } from '../print.js';
import { driverContractCopies, packageFolder } from '../package-copies.js';
import { type EnvironmentDigests, type EnvironmentUse, watchEnvironment } from './driver-environment.js';

export type DriverCommand = 'simulate' | 'explore';

/** A bad command line or a driver module that cannot be run: printed with a pointer to the command's --help, exit 2. */
export class DriverUsageError extends Error {}

/**
 * The driver itself failed before its runs: its module threw at its top level or does not parse,
 * or its C sources do not compile. A finding about the driver, as a violation is: exit 1, no pointer
 * to --help (the command line was right).
 */
export class DriverLoadError extends Error {
  constructor(
    message: string,
    /** Where the module threw (`file:line:col`, relative to the working folder), when known. */
    readonly at: string | null = null,
  ) {
    super(message);
  }
}

/** A loaded driver module: its exports, and the harness it resolves. */
export interface DriverModule {
  /** The module path as shown in messages (relative to the working folder). */
  readonly display: string;
  readonly exports: Record<string, unknown>;
  readonly sim: typeof SimModule;
  /**
   * A digest of the driver's code, which a shard file keeps so that a merge refuses shards of
   * another version of the driver: a C driver's compiled module (its sources, headers and flags);
   * a TypeScript one's module and the modules of the working folder it imports by relative path.
   */
  readonly fingerprint: string;
  /**
   * The environment variables the driver's modules have read so far (driver-environment.ts), which
   * a shard file keeps beside the fingerprint; none for a C driver (its code has no environment).
   */
  readonly environment: () => EnvironmentDigests;
  /**
   * Where the driver's modules first enumerated the environment (`file:line:col`, relative to the
   * working folder), or null: such a driver depends on variables it does not name.
   */
  readonly environmentEnumerated: () => string | null;
  /**
   * Starts a stretch of runs (EnvironmentWatch.since): the function returned says what the driver's
   * modules read and where they first enumerated (as environmentEnumerated) from then until it is
   * called. A `--workers` thread says it of each chunk of runs it ran.
   */
  readonly environmentSince: () => () => EnvironmentUse;
}

/** What tsx loads as a module: TypeScript and JavaScript, ESM or CommonJS, with JSX or without. */
const DRIVER_MODULE = /\.[cm]?[jt]sx?$/;

/** Loader namespaces made so far: each invocation loads the driver afresh. */
let loads = 0;

/**
 * Loads the driver module at `modulePath` (relative to `cwd`) through tsx and runs `use` with it;
 * the loader is unregistered afterwards. Throws DriverUsageError when the module is missing, is a
 * folder, or fails to load, or when no @ddikit/sim can be found for it, or when the driver resolves
 * another @ddikit/ndis than that @ddikit/sim does.
 */
export async function withDriverModule<T>(
  command: DriverCommand,
  modulePath: string,
  cwd: string,
  use: (module: DriverModule) => T | Promise<T>,
  /**
   * Where warnings about loading go (a C driver's compiler warnings, and a compile cache that could
   * not be used); none: dropped.
   */
  warn?: (text: string) => void,
  /** --define: macros a C driver's sources are compiled with (none for a TypeScript driver). */
  defines: Readonly<Record<string, string>> = {},
): Promise<T> {
  const cSources = cSourcesOf(modulePath);
  if (cSources !== null) return withCDriver(cSources, cwd, use, warn, defines);
  const display = displayPath(modulePath, cwd);
  if (Object.keys(defines).length > 0)
    throw new DriverUsageError(
      `--define gives macros to a C driver's sources; ${display} is a TypeScript or JavaScript module (read process.env there instead).`,
    );
  const absolute = resolve(cwd, modulePath);
  if (!existsSync(absolute)) throw new DriverUsageError(`cannot find the driver module ${JSON.stringify(modulePath)}.`);
  if (!statSync(absolute).isFile())
    throw new DriverUsageError(
      `${JSON.stringify(modulePath)} is a folder; name a driver module (.ts or .js) or the driver's C sources (.c).`,
    );
  if (!DRIVER_MODULE.test(absolute))
    throw new DriverUsageError(
      `${JSON.stringify(modulePath)} is not a driver module; name a .ts or .js file (or the driver's C sources, .c).`,
    );
  const code = driverCode(absolute, cwd);
  // Before the driver's code runs: a split install is no finding about it.
  const copies = driverContractCopies(
    code.ndisImporters,
    packageFolder('@ddikit/sim', absolute) ?? packageFolder('@ddikit/sim', import.meta.url),
    cwd,
  );
  if (copies !== null) throw new DriverUsageError(copies);
  const { register } = await import('tsx/esm/api');
  const loader = register({ namespace: `ddikit-${command}-${++loads}` });
  // A driver of a CommonJS package is CommonJS: it is required through tsx's CommonJS hook, so its
  // own require() calls (of `./lib/x.js`, a .ts file beside it) resolve as they do under tsc.
  const commonJs = isCommonJs(absolute);
  const unregisterCommonJs = commonJs ? (await import('tsx/cjs/api')).register() : () => {};
  const environment = watchEnvironment(code.files);
  try {
    const moduleUrl = pathToFileURL(absolute).href;
    let exports: Record<string, unknown>;
    try {
      exports = commonJs
        ? moduleExports({ default: createRequire(absolute)(absolute) as unknown })
        : moduleExports((await loader.import(moduleUrl, import.meta.url)) as Record<string, unknown>);
    } catch (error) {
      const at = throwSite(error, cwd);
      // Node names the files by absolute path: as the user named them, relative to the working folder.
      const message = firstLines(error)
        .split(`${cwd.endsWith('/') ? cwd : `${cwd}/`}`)
        .join('');
      throw new DriverLoadError(`cannot load ${display}: ${message}${at !== null ? ` (at ${at})` : ''}`, at);
    }
    let sim: typeof SimModule;
    try {
      sim = await harnessFor(loader.import, moduleUrl);
    } catch (error) {
      throw new DriverUsageError(`cannot load @ddikit/sim for ${display}: ${firstLines(error)}`);
    }
    return await use({
      display,
      exports,
      sim,
      fingerprint: code.fingerprint,
      environment: environment.read,
      environmentEnumerated: () => {
        const at = environment.enumerated();
        return at === null ? null : stackPlace(at, cwd);
      },
      environmentSince: () => {
        const used = environment.since();
        return () => {
          const { read, enumerated } = used();
          return { read, enumerated: enumerated === null ? null : stackPlace(enumerated, cwd) };
        };
      },
    });
  } finally {
    environment.stop();
    unregisterCommonJs();
    await loader.unregister();
  }
}

/**
 * Whether a command's pool threads (--workers) start while its own thread loads the driver, so that
 * they load it at the same time, or only once it has loaded. A C driver is compiled by the command's
 * thread first: the pool's threads then find the module in the compile cache, where each would
 * otherwise load the toolchain and compile the same sources again (about 350 MB and several seconds
 * of CPU a thread, on a first run).
 */
export function poolStartsWithLoad(modulePath: string): boolean {
  return cSourcesOf(modulePath) === null;
}

/** A driver written in C (c-driver.ts): compiled, then run like a loaded module. */
async function withCDriver<T>(
  paths: readonly string[],
  cwd: string,
  use: (module: DriverModule) => T | Promise<T>,
  warn: ((text: string) => void) | undefined,
  defines: Readonly<Record<string, string>>,
): Promise<T> {
  try {
    const driver = await loadCDriver(paths, cwd, defines);
    // clang's warnings, as `check` prints them, on every run (from the cache too, as the build
    // would print them), then the cache's own.
    if (driver.warnings !== '') warn?.(driver.warnings);
    if (driver.cacheWarning !== '') warn?.(driver.cacheWarning);
    return await use(driver);
  } catch (error) {
    if (error instanceof CCompileFailedError) throw new DriverLoadError(error.message);
    if (error instanceof CDriverError) throw new DriverUsageError(error.message);
    throw error;
  }
}

/** Whether Node treats `file` as CommonJS: `.cts`/`.cjs`, or `.ts`/`.js` in a package without `"type": "module"`. */
function isCommonJs(file: string): boolean {
  if (/\.c[jt]s$/.test(file)) return true;
  if (!/\.[jt]s$/.test(file)) return false;
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        return (JSON.parse(readFileSync(manifest, 'utf8')) as { type?: unknown }).type !== 'module';
      } catch {
        return true;
      }
    }
    if (dirname(dir) === dir) return true;
  }
}

/** Relative imports in a module's text: `from './x.js'`, `import('./x')`, `require('../y.cjs')`. */
const RELATIVE_IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|\bimport\s+)['"](\.{1,2}\/[^'"\n]+)['"]/g;

/** An import of @ddikit/ndis (or a file of it) in a module's text. */
const NDIS_IMPORT = /['"]@ddikit\/ndis(?:\/[^'"\n]*)?['"]/;

/** Most files a fingerprint reads (a driver's own modules, not a whole tree). */
const FINGERPRINT_FILES_MAX = 500;

/**
 * The code of a TypeScript or JavaScript driver: its module and every module of the working folder
 * it reaches by relative import (as tsx resolves them: `./x.js` is `x.ts` when that is the file
 * there), in the order met, and their digest (the bytes of each); and those of them that import
 * @ddikit/ndis. Packages are not followed: their versions are the install's.
 */
function driverCode(entry: string, cwd: string): { fingerprint: string; files: string[]; ndisImporters: string[] } {
  const hash = createHash('sha256');
  const seen = new Set<string>();
  const ndisImporters: string[] = [];
  const queue = [entry];
  while (queue.length > 0 && seen.size < FINGERPRINT_FILES_MAX) {
    const file = queue.shift()!;
    if (seen.has(file)) continue;
    seen.add(file);
    let bytes: Buffer;
    try {
      bytes = readFileSync(file);
    } catch {
      continue;
    }
    hash.update(`${relative(cwd, file)}\0${bytes.length}\0`).update(bytes);
    const text = bytes.toString('utf8');
    if (NDIS_IMPORT.test(text)) ndisImporters.push(file);
    for (const match of text.matchAll(RELATIVE_IMPORT)) {
      const target = resolveImport(resolve(dirname(file), match[1]!));
      const rel = target === null ? '' : relative(cwd, target);
      if (target !== null && rel !== '' && !isAbsolute(rel) && !rel.startsWith('..') && !seen.has(target))
        queue.push(target);
    }
  }
  return { fingerprint: hash.digest('hex'), files: [...seen], ndisImporters };
}

/** The file a relative import names, as tsx finds it (`.js` written for a `.ts` file, or no extension); null when none. */
function resolveImport(path: string): string | null {
  const candidates = [path, path.replace(/\.([cm]?)js$/, '.$1ts'), `${path}.ts`, `${path}.js`, join(path, 'index.ts')];
  for (const candidate of candidates) {
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not this one
    }
  }
  return null;
}

/**
 * The exports of a driver module as it was written. A module of a CommonJS package (a `.ts` driver
 * in a project without `"type": "module"`) is compiled to CommonJS, and importing it gives its
 * `module.exports` as the default export; when that object is marked `__esModule`, its own
 * properties are the module's exports (`default`, the named ones).
 */
function moduleExports(namespace: Record<string, unknown>): Record<string, unknown> {
  const compiled = namespace['default'];
  if (compiled !== null && typeof compiled === 'object' && (compiled as { __esModule?: unknown }).__esModule === true) {
    const { __esModule: _, ...exports } = compiled as Record<string, unknown>;
    return exports;
  }
  return namespace;
}

/**
 * The @ddikit/sim the driver itself resolves (so both use one copy), else the one next to this
 * module. Both go through the loader at run time: the harness is never bundled into the CLI.
 */
async function harnessFor(
  scopedImport: (specifier: string, parent: string) => Promise<unknown>,
  moduleUrl: string,
): Promise<typeof SimModule> {
  try {
    return (await scopedImport('@ddikit/sim', moduleUrl)) as typeof SimModule;
  } catch {
    return (await scopedImport('@ddikit/sim', import.meta.url)) as typeof SimModule;
  }
}

/** The message saying the module lacks the export to run, or null when it has it. */
export function missingExport(module: DriverModule, exportName: string): string | null {
  if (exportName in module.exports) return null;
  const listed = Object.keys(module.exports).sort().join(', ') || 'nothing';
  return exportName === 'default'
    ? `${module.display} has no default export; a driver module ends with \`export default defineMiniport(...)\` (it exports: ${listed}).`
    : `${module.display} has no export ${JSON.stringify(exportName)} (it exports: ${listed}).`;
}

/** The one driver module among the positionals; `example` is a module path for the message. */
export function modulePositional(command: DriverCommand, positionals: readonly string[], example: string): string {
  if (positionals.length === 0)
    throw new DriverUsageError(`${command} needs a driver module, e.g. ddikit ${command} ${example}.`);
  // A C driver may span several files: they travel as one module path.
  if (positionals.every(isCSource)) return positionals.join(C_SOURCES_SEPARATOR);
  if (positionals.length > 1)
    throw new DriverUsageError(
      `${command} takes one driver module (got ${positionals.length}: ${positionals.join(' ')}).`,
    );
  return positionals[0]!;
}

/** --export NAME: the export to run, `default` when absent. */
export function exportOption(value: string | undefined): string {
  const exportName = value ?? 'default';
  if (exportName.length === 0) throw new DriverUsageError('--export needs a name.');
  return exportName;
}

/**
 * Usage errors print with a pointer to the command's help and give exit code 2; a driver that failed
 * to load prints as the command's finding (as JSON too with `json`, --json) and gives exit code 1;
 * anything else is rethrown.
 */
export function usageError(command: DriverCommand, error: unknown, io: CliIo, json = false): number {
  if (error instanceof DriverLoadError) {
    if (json)
      io.stdout(
        `${JSON.stringify({ clean: false, error: 'cannot-load', message: error.message, at: error.at }, null, 2)}\n`,
      );
    io.stderr(`ddikit ${command}: ${error.message}\n`);
    return 1;
  }
  if (error instanceof DriverUsageError || isParseArgsError(error)) {
    io.stderr(`ddikit: ${(error as Error).message}\nRun "ddikit ${command} --help" for usage.\n`);
    return 2;
  }
  throw error;
}

/**
 * Where a module threw while it loaded: the first stack frame outside Node's own code, as
 * `file:line:col` relative to `cwd`; null when there is none (a module that does not resolve or
 * parse fails inside Node's loader, and its message names the file).
 */
function throwSite(error: unknown, cwd: string): string | null {
  if (!(error instanceof Error) || typeof error.stack !== 'string') return null;
  for (const line of error.stack.split('\n')) {
    const frame = /^\s+at (?:.*\()?(.+?:\d+:\d+)\)?$/.exec(line)?.[1];
    if (frame === undefined) continue;
    if (frame.startsWith('node:') || frame.includes('/node_modules/tsx/')) return null;
    return stackPlace(frame, cwd);
  }
  return null;
}

/** A stack location (`fn (file:line:col)`, a file URL or a path) as `file:line:col`, relative to `cwd`. */
export function stackPlace(where: string, cwd: string): string {
  const inner = /\((.*)\)$/.exec(where)?.[1] ?? where;
  const path = inner.startsWith('file://') ? decodeURIComponent(inner.slice('file://'.length)) : inner;
  const prefix = cwd.endsWith('/') ? cwd : `${cwd}/`;
  return path.startsWith(prefix) ? path.slice(prefix.length) : path;
}

/** An integer option in min..max, or the fallback when absent; a usage error otherwise. */
export function driverInteger(
  flag: string,
  value: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  return integerOption(flag, value, fallback, min, max, (message) => new DriverUsageError(message));
}
