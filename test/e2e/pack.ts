/**
 * Packs the five packages as npm publishes them, from a copy of their folders laid out as in the
 * checkout (spec/, templates/ and examples/e1000-line.ts with its lib/ beside them, which the generator's
 * prepack copies in), so packing never touches the checkout that other tests read. Each prepack also
 * checks that dist/ was built from the sources beside it (generator/scripts/built-from.mjs).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url));

/** The workspaces, as folders of the checkout. */
export const packageDirs = ['packages/ndis', 'packages/sim', 'packages/sim-c', 'packages/cc', 'generator'] as const;
/** The workspaces that run C drivers: optional peers of the generator, which installs without them. */
export const cPackageDirs: readonly (typeof packageDirs)[number][] = ['packages/sim-c', 'packages/cc'];

export interface Packed {
  /** The copied package folders, by their checkout path. */
  readonly dirs: Readonly<Record<(typeof packageDirs)[number], string>>;
  /** The tarballs npm pack made. */
  readonly tarballs: readonly string[];
  /** The tarball of each package, by its checkout path. */
  readonly tarballOf: Readonly<Record<(typeof packageDirs)[number], string>>;
}

export function packAll(work: string): Packed {
  const checkout = join(work, 'checkout');
  const packs = join(work, 'packs');
  mkdirSync(packs, { recursive: true });
  const keep = (path: string): boolean => !/[/\\](node_modules|\.ddikit\.lock)([/\\]|$)/.test(path);
  for (const dir of ['spec', 'templates'])
    cpSync(join(repositoryRoot, dir), join(checkout, dir), { recursive: true, filter: keep });
  mkdirSync(join(checkout, 'examples/lib'), { recursive: true });
  for (const file of ['e1000-line.ts', 'lib/e1000-rings.ts'])
    cpSync(join(repositoryRoot, 'examples', file), join(checkout, 'examples', file));
  const dirs = {} as Record<(typeof packageDirs)[number], string>;
  const tarballOf = {} as Record<(typeof packageDirs)[number], string>;
  // Every folder first: a package's prepack runs the generator's scripts/built-from.mjs.
  for (const dir of packageDirs) {
    dirs[dir] = join(checkout, dir);
    cpSync(join(repositoryRoot, dir), dirs[dir], { recursive: true, filter: keep });
  }
  for (const dir of packageDirs) {
    const packed = spawnSync('npm', ['pack', '--pack-destination', packs, '--loglevel=error'], {
      cwd: dirs[dir],
      encoding: 'utf8',
    });
    if (packed.status !== 0) throw new Error(`npm pack ${dir} exited ${packed.status}\n${packed.stderr}`);
    tarballOf[dir] = join(packs, packed.stdout.trim().split('\n').pop()!);
  }
  return { dirs, tarballs: readdirSync(packs).map((name) => join(packs, name)), tarballOf };
}
