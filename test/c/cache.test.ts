/**
 * Where the C compile cache goes (packages/cc/src/cache.ts): DDIKIT_CACHE_DIR when set, else the
 * node_modules/.cache of the nearest project, else XDG_CACHE_HOME (or ~/.cache).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { defaultCacheDirectory, diskCache } from '../../packages/cc/src/cache.js';

const cacheModule = fileURLToPath(new URL('../../packages/cc/src/cache.ts', import.meta.url));
const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

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

describe('diskCache: a cache that cannot be used is a miss, never a failed build', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ddikit-cache-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('makes the folders it needs, and reads back what it wrote', () => {
    const cache = diskCache(join(dir, 'a', 'b', 'c'));
    cache.put('k', new Uint8Array([1, 2, 3]));
    expect(cache.get('k')).toEqual(new Uint8Array([1, 2, 3]));
    expect(cache.problem).toBeNull();
    expect(readdirSync(join(dir, 'a', 'b', 'c'))).toEqual(['k.wasm']);
  });

  it('a cache folder that is a file: put and get return, and problem says why', () => {
    writeFileSync(join(dir, 'file'), 'not a folder');
    const cache = diskCache(join(dir, 'file'));
    expect(() => cache.put('k', new Uint8Array([1]))).not.toThrow();
    expect(cache.problem).toMatch(/^cannot write .*file\/k\.wasm: ENOTDIR/);
    expect(cache.get('k')).toBeUndefined();
  });

  it.runIf(existsSync('/proc/self'))(
    'a folder that cannot be made under /proc: put returns (a recursive mkdir never did)',
    () => {
      // In a process of its own, with a timeout: a hang here would otherwise stop the whole fork.
      const script = `import { diskCache } from ${JSON.stringify(pathToFileURL(cacheModule).href)};
const cache = diskCache('/proc/ddikit-no-such/c');
cache.put('k', new Uint8Array([1]));
process.stdout.write(String(cache.problem));`;
      const ran = spawnSync(process.execPath, ['--import', tsx, '--input-type=module', '-e', script], {
        encoding: 'utf8',
        timeout: 20_000,
      });
      expect(ran.error).toBeUndefined();
      expect(ran.stdout).toMatch(/^cannot write \/proc\/ddikit-no-such\/c\/k\.wasm: /);
    },
  );
});
