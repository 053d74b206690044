/**
 * Builds the C examples for the tests: compiled once per content hash into the project's module
 * cache (node_modules/.cache/ddikit/c), so the suite compiles each variant once on a machine and
 * later runs start from the cache.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import { buildOptionsFor, type CompiledDriver, compileDriver, diskCache, withIncludedFiles } from '@ddikit/cc';
import { CDriverModule, harnessHeaderPath } from '@ddikit/sim-c';

export const root = fileURLToPath(new URL('../..', import.meta.url));
export const header = readFileSync(harnessHeaderPath(), 'utf8');
const cache = diskCache();

export interface BuildRequest {
  /** Source paths relative to the repository root. */
  readonly files: readonly string[];
  readonly defines?: Readonly<Record<string, string | number>>;
  readonly instrumentAccesses?: boolean;
  /** Replaces the text of the first file (a variant made in the test). */
  readonly text?: string;
}

export async function build(request: BuildRequest): Promise<CompiledDriver> {
  const files = request.files.map((path, i) => ({
    path,
    text: i === 0 && request.text !== undefined ? request.text : readFileSync(`${root}${path}`, 'utf8'),
  }));
  const tree = withIncludedFiles(files, (path) =>
    existsSync(`${root}${path}`) ? readFileSync(`${root}${path}`, 'utf8') : null,
  );
  return compileDriver(
    tree,
    header,
    buildOptionsFor(header, {
      cache,
      ...(request.defines === undefined ? {} : { defines: request.defines }),
      instrumentAccesses: request.instrumentAccesses ?? false,
    }),
  );
}

export async function load(request: BuildRequest): Promise<CDriverModule> {
  return new CDriverModule((await build(request)).wasm);
}
