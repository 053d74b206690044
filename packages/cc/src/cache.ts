/**
 * Compiled driver modules cached on disk by content hash. The key covers everything the bytes depend
 * on — the cache format, the toolchain version, the header, the flags and every source file (path and
 * text) — so a hit can never be stale and no timestamps are involved.
 *
 * Location: `$DDIKIT_CACHE_DIR` when set, else `<project>/node_modules/.cache/ddikit/c/` (the
 * find-cache-dir convention: it goes away with node_modules and is ignored by git already), else
 * `$XDG_CACHE_HOME/ddikit/c` or `~/.cache/ddikit/c`. One entry is `<hash>.wasm`; its roles and diagnostics travel inside the module
 * as custom sections, so there is nothing else to keep in step.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

/** Bump when the layout of cached modules changes. */
export const CACHE_FORMAT = 2;

export interface ModuleCache {
  readonly directory: string;
  get(key: string): Uint8Array | undefined;
  put(key: string, wasm: Uint8Array): void;
  /**
   * Why the cache could not be read or written, when it could not (the disk cache: a folder that is
   * a file, or not writable); null while it works. A cache that fails is a miss, never a failed build.
   */
  readonly problem?: string | null;
}

/**
 * The cache folder for a project folder (see the module comment). `DDIKIT_CACHE_DIR`, when set,
 * wins (relative to `from`): a CI job keeps the cache where its cache step saves and restores it.
 */
export function defaultCacheDirectory(from: string = process.cwd()): string {
  const chosen = process.env['DDIKIT_CACHE_DIR'];
  if (chosen !== undefined && chosen !== '') return resolve(from, chosen);
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'node_modules'))) return join(dir, 'node_modules', '.cache', 'ddikit', 'c');
    if (dirname(dir) === dir) break;
  }
  const xdg = process.env['XDG_CACHE_HOME'];
  return join(xdg !== undefined && xdg !== '' ? xdg : join(homedir(), '.cache'), 'ddikit', 'c');
}

/**
 * A content-addressed cache in `directory`. Writes are atomic (temporary file, then rename). A read
 * or write that fails (the folder is a file, is not writable, cannot be made) is a miss: the build
 * goes on, and `problem` says why.
 */
export function diskCache(directory: string = defaultCacheDirectory()): ModuleCache {
  const cache = {
    directory,
    problem: null as string | null,
    get(key: string): Uint8Array | undefined {
      const file = join(directory, `${key}.wasm`);
      try {
        return existsSync(file) ? new Uint8Array(readFileSync(file)) : undefined;
      } catch (error) {
        cache.problem = `cannot read ${file}: ${reason(error)}`;
        return undefined;
      }
    },
    put(key: string, wasm: Uint8Array): void {
      const file = join(directory, `${key}.wasm`);
      const temporary = `${file}.${process.pid}.tmp`;
      try {
        makeDirectory(directory);
        writeFileSync(temporary, wasm);
        renameSync(temporary, file);
      } catch (error) {
        cache.problem = `cannot write ${file}: ${reason(error)}`;
        try {
          rmSync(temporary, { force: true });
        } catch {
          // Not there, or no folder to hold it (the cache folder is a file).
        }
      }
    },
  };
  return cache;
}

/**
 * Makes `directory` and the folders above it that are missing, one at a time: Node 20's recursive
 * mkdir never returns for a path under /proc.
 */
function makeDirectory(directory: string): void {
  const missing: string[] = [];
  for (let dir = resolve(directory); !existsSync(dir); dir = dirname(dir)) {
    missing.push(dir);
    if (dirname(dir) === dir) break;
  }
  for (const dir of missing.reverse()) {
    try {
      mkdirSync(dir);
    } catch (error) {
      // Another process made it meanwhile.
      if ((error as { code?: unknown }).code !== 'EEXIST') throw error;
    }
  }
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The key of a build: SHA-256 over length-prefixed parts, so no two part lists collide. */
export function cacheKey(parts: readonly (string | Uint8Array)[]): string {
  const hash = createHash('sha256');
  hash.update(`ddikit-c-cache-${CACHE_FORMAT}\0`);
  for (const part of parts) {
    const bytes = typeof part === 'string' ? Buffer.from(part, 'utf8') : part;
    hash.update(`${bytes.length}:`);
    hash.update(bytes);
  }
  return hash.digest('hex');
}
