/**
 * Where the C compile cache goes (packages/cc/src/cache.ts): DDIKIT_CACHE_DIR when set, else the
 * node_modules/.cache of the nearest project, else XDG_CACHE_HOME (or ~/.cache).
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { defaultCacheDirectory, diskCache } from '../../packages/cc/src/cache.js';

describe('defaultCacheDirectory', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ddikit-cache-'));
    vi.stubEnv('DDIKIT_CACHE_DIR', '');
    vi.stubEnv('XDG_CACHE_HOME', join(dir, 'xdg'));
  });
  afterEach(() => {
    vi.unstubAllEnvs();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is the node_modules/.cache of the nearest folder above that has node_modules', () => {
    mkdirSync(join(dir, 'project', 'node_modules'), { recursive: true });
    mkdirSync(join(dir, 'project', 'drivers', 'nic'), { recursive: true });
    expect(defaultCacheDirectory(join(dir, 'project', 'drivers', 'nic'))).toBe(
      join(dir, 'project', 'node_modules', '.cache', 'ddikit', 'c'),
    );
  });

  it('DDIKIT_CACHE_DIR wins over node_modules, relative to the folder given', () => {
    mkdirSync(join(dir, 'project', 'node_modules'), { recursive: true });
    vi.stubEnv('DDIKIT_CACHE_DIR', 'ci-cache/c');
    expect(defaultCacheDirectory(join(dir, 'project'))).toBe(join(dir, 'project', 'ci-cache', 'c'));
    vi.stubEnv('DDIKIT_CACHE_DIR', join(dir, 'elsewhere'));
    expect(defaultCacheDirectory(join(dir, 'project'))).toBe(join(dir, 'elsewhere'));
    // diskCache() writes there.
    const cache = diskCache(defaultCacheDirectory(join(dir, 'project')));
    cache.put('abc', new Uint8Array([0, 97, 115, 109]));
    expect(diskCache(join(dir, 'elsewhere')).get('abc')).toEqual(new Uint8Array([0, 97, 115, 109]));
  });
});
