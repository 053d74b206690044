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
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

/** Bump when the layout of cached modules changes. */
export const CACHE_FORMAT = 2;

export interface ModuleCache {
  readonly directory: string;
  get(key: string): Uint8Array | undefined;
  put(key: string, wasm: Uint8Array): void;
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

/** A content-addressed cache in `directory`. Writes are atomic (temporary file, then rename). */
export function diskCache(directory: string = defaultCacheDirectory()): ModuleCache {
  return {
    directory,
    get(key) {
      const file = join(directory, `${key}.wasm`);
      return existsSync(file) ? new Uint8Array(readFileSync(file)) : undefined;
    },
    put(key, wasm) {
      mkdirSync(directory, { recursive: true });
      const file = join(directory, `${key}.wasm`);
      const temporary = `${file}.${process.pid}.tmp`;
      writeFileSync(temporary, wasm);
      renameSync(temporary, file);
    },
  };
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
