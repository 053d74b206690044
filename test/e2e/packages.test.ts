/**
 * The packages as published pass publint --strict (package.json against the files that ship) and
 * @arethetypeswrong/cli (types that resolve, and match the JavaScript, under node10, node16 from
 * CommonJS and from ESM, and bundler), and carry what the registry page and installers read.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageDirs, packAll, repositoryRoot, type Packed } from './pack.js';

let work = '';
let packed: Packed;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'ddikit-packages-'));
  packed = packAll(work);
}, 120_000);

afterAll(() => {
  if (work !== '') rmSync(work, { recursive: true, force: true });
});

function bin(name: string): string {
  return join(repositoryRoot, 'node_modules/.bin', name);
}

interface Manifest {
  name: string;
  license: string;
  sideEffects: boolean;
  engines: { node: string };
  publishConfig: { access: string };
  exports: Record<string, unknown>;
  files: string[];
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

const manifests = Object.fromEntries(
  packageDirs.map((dir) => [
    dir,
    JSON.parse(readFileSync(join(repositoryRoot, dir, 'package.json'), 'utf8')) as Manifest,
  ]),
);

describe.each(packageDirs)('%s', { timeout: 120_000 }, (dir) => {
  it('passes publint --strict', () => {
    const ran = spawnSync(bin('publint'), ['--strict', packed.dirs[dir]], { encoding: 'utf8' });
    expect(`${ran.stdout}${ran.stderr}`).toContain('All good!');
    expect(ran.status).toBe(0);
  });

  it('passes @arethetypeswrong/cli under every module resolution', () => {
    const tarball = packed.tarballOf[dir];
    // The C headers are data files the exports map names, not modules: they have no types to resolve.
    const ran = spawnSync(
      bin('attw'),
      [tarball, '--format', 'ascii', '--exclude-entrypoints', 'include/ndis_roles.h', 'include/harness/ndis.h'],
      {
        encoding: 'utf8',
        env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
      },
    );
    expect(ran.stdout).toContain('No problems found');
    expect(ran.status).toBe(0);
  });

  it('declares its license, engines, public access and no side effects', () => {
    const manifest = manifests[dir]!;
    expect(manifest.license).toBe('MIT');
    expect(manifest.files).toContain('LICENSE');
    expect(manifest.files).toContain('README.md');
    expect(manifest.engines.node).toBe('>=20.19');
    expect(manifest.publishConfig.access).toBe('public');
    expect(manifest.sideEffects).toBe(false);
    expect(Object.keys(manifest.exports['.'] as object)).toEqual(['import', 'require']);
  });

  it('depends on the other packages by range, never by exact version', () => {
    const manifest = manifests[dir]!;
    for (const [name, range] of Object.entries({ ...manifest.dependencies, ...manifest.peerDependencies })) {
      if (name.startsWith('@ddikit/')) expect(range, name).toMatch(/^\^/);
    }
    expect(Object.keys(manifest.dependencies ?? {}).filter((name) => name.startsWith('@ddikit/'))).toEqual([]);
  });

  it('refuses to pack a dist/ older than its sources, naming what changed; ships no build record', () => {
    const tarball = spawnSync('tar', ['tzf', packed.tarballOf[dir]], { encoding: 'utf8' });
    expect(tarball.stdout).toContain('package/dist/');
    expect(tarball.stdout).not.toContain('.built-from.json');
    const pack = () =>
      spawnSync('npm', ['pack', '--dry-run', '--loglevel=error'], { cwd: packed.dirs[dir], encoding: 'utf8' });
    const index = join(packed.dirs[dir], 'src/index.ts');
    const added = join(packed.dirs[dir], 'src/added-after-the-build.ts');
    const before = readFileSync(index, 'utf8');
    try {
      appendFileSync(index, '// changed after the build\n');
      writeFileSync(added, 'export {};\n');
      const stale = pack();
      expect(stale.status).not.toBe(0);
      expect(stale.stderr).toContain(
        `${manifests[dir]!.name}: dist/ is older than the sources beside it: src/added-after-the-build.ts (added), src/index.ts (changed) since the last build; run "npm run build" at the repository root, then pack again.`,
      );
    } finally {
      writeFileSync(index, before);
      rmSync(added, { force: true });
    }
    expect(pack().status).toBe(0);
  });

  it('links only to places that work on the registry page: absolute, or inside the package', () => {
    const readme = readFileSync(join(repositoryRoot, dir, 'README.md'), 'utf8');
    for (const [, target] of readme.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^(https?:|#)/.test(target!)) continue;
      expect(target, 'a relative link').not.toMatch(/^\.\.\//);
    }
  });
});
