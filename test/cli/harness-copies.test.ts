/**
 * Two copies of @ddikit/sim in one install: the ddikit command resolves one, @ddikit/sim-c the other
 * (a nested node_modules, or versions that do not match). A C driver is defined with sim-c's copy and
 * runs only under that copy, so every run would fail; the commands say it is the install, naming
 * both folders and the fix, instead of reporting the driver.
 *
 * Two copies of @ddikit/ndis: the driver's modules import one, the @ddikit/sim that runs it another.
 * Its roles would be checked against one copy's contracts and its DDI calls against the other's;
 * the commands refuse the install the same way, before the driver's code runs.
 *
 * The install is built inside the checkout, so that every other package resolves from its
 * node_modules: a copy of the built generator beside a copy of the built @ddikit/sim, which the
 * copied generator resolves first, while @ddikit/sim-c resolves the checkout's.
 */
import '../built-harness.js';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkOneHarness } from '../../generator/src/cli/c-driver.js';
import { cHarnessCopies, driverContractCopies } from '../../generator/src/cli/package-copies.js';
import { bundled } from '../../generator/src/paths.js';

const root = bundled.root;
const version = (JSON.parse(readFileSync(join(root, 'packages/sim/package.json'), 'utf8')) as { version: string })
  .version;
let install = '';

beforeAll(() => {
  mkdirSync(join(root, '.tmp'), { recursive: true });
  install = mkdtempSync(join(root, '.tmp', 'harness-copies-'));
  const generator = join(install, 'node_modules/@ddikit/generator');
  for (const part of ['package.json', 'bin', 'dist'])
    cpSync(join(root, 'generator', part), join(generator, part), { recursive: true });
  const sim = join(install, 'node_modules/@ddikit/sim');
  for (const part of ['package.json', 'dist'])
    cpSync(join(root, 'packages/sim', part), join(sim, part), { recursive: true });
});

afterAll(() => {
  if (install !== '') rmSync(install, { recursive: true, force: true });
});

describe('two copies of @ddikit/sim', { timeout: 60_000 }, () => {
  it.each(['simulate', 'explore'])(
    '%s of a C driver names both and the fix: an install error, not a report',
    (command) => {
      const result = spawnSync(
        process.execPath,
        [join(install, 'node_modules/@ddikit/generator/bin/ddikit.js'), command, join(root, 'examples/c/e1000-line.c')],
        { cwd: install, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 50_000 },
      );
      expect(result.stdout).toBe('');
      expect(result.stderr.split('\n')[0]).toBe(
        `ddikit: two copies of @ddikit/sim are installed: ddikit runs drivers on node_modules/@ddikit/sim (${version}), @ddikit/sim-c defines C drivers with ${join(root, 'packages/sim')} (${version}), and a C driver runs only on the copy it was defined with. Make them one: npm dedupe, or install matching versions of @ddikit/generator, @ddikit/sim and @ddikit/sim-c; npm ls @ddikit/sim then lists one.`,
      );
      expect(result.stderr).not.toContain('    at ');
      expect(result.status).toBe(2);
    },
  );

  it('says nothing when the command and @ddikit/sim-c resolve one copy (the checkout)', () => {
    expect(() => checkOneHarness(root)).not.toThrow();
  });
});

/** A copy of the built package `dir` (its package.json and dist) at `to`, with `version` when given. */
function copyPackage(dir: string, to: string, version?: string): void {
  cpSync(join(root, dir, 'dist'), join(to, 'dist'), { recursive: true });
  const manifest = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')) as Record<string, unknown>;
  writeFileSync(join(to, 'package.json'), JSON.stringify({ ...manifest, version: version ?? manifest['version'] }));
}

describe('two copies of @ddikit/ndis', { timeout: 60_000 }, () => {
  let project = '';
  const ndisVersion = (
    JSON.parse(readFileSync(join(root, 'packages/ndis/package.json'), 'utf8')) as { version: string }
  ).version;

  beforeAll(() => {
    // As npm lays out an install where @ddikit/sim asks for another @ddikit/ndis than the project
    // has: the project's copy at the top, @ddikit/sim's own nested under it.
    project = mkdtempSync(join(root, '.tmp', 'ndis-copies-'));
    copyPackage('packages/sim', join(project, 'node_modules/@ddikit/sim'));
    copyPackage('packages/ndis', join(project, 'node_modules/@ddikit/ndis'), '0.0.1-other');
    copyPackage('packages/ndis', join(project, 'node_modules/@ddikit/sim/node_modules/@ddikit/ndis'));
    writeFileSync(join(project, 'package.json'), JSON.stringify({ type: 'module' }));
    // The project's own compiler options: not the checkout's, whose paths lead to its sources.
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'nodenext' } }));
    mkdirSync(join(project, 'drv'));
    writeFileSync(
      join(project, 'drv/roles.ts'),
      "export { MINIPORT_HALT, MINIPORT_INITIALIZE, NDIS_STATUS_SUCCESS } from '@ddikit/ndis';\n",
    );
    writeFileSync(
      join(project, 'drv/driver.ts'),
      [
        "import { defineMiniport } from '@ddikit/sim';",
        "import { MINIPORT_HALT, MINIPORT_INITIALIZE, NDIS_STATUS_SUCCESS } from './roles.js';",
        "export default defineMiniport('copies', () => ({",
        "  MiniportInitializeEx: MINIPORT_INITIALIZE('CopiesInitializeEx', () => NDIS_STATUS_SUCCESS),",
        "  MiniportHaltEx: MINIPORT_HALT('CopiesHaltEx', () => {}),",
        '}));',
        '',
      ].join('\n'),
    );
  });

  afterAll(() => {
    if (project !== '') rmSync(project, { recursive: true, force: true });
  });

  const ddikit = (command: string) =>
    spawnSync(process.execPath, [join(root, 'generator/bin/ddikit.js'), command, 'drv/driver.ts'], {
      cwd: project,
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
      timeout: 50_000,
    });

  it.each(['simulate', 'explore'])(
    '%s of a driver whose modules import another copy than @ddikit/sim names both and the fix: an install error',
    (command) => {
      const result = ddikit(command);
      expect(result.stdout).toBe('');
      // The module that imports @ddikit/ndis is named, though the driver reaches it by relative import.
      expect(result.stderr.split('\n')[0]).toBe(
        `ddikit: two copies of @ddikit/ndis are installed: drv/roles.ts imports node_modules/@ddikit/ndis (0.0.1-other), @ddikit/sim (node_modules/@ddikit/sim) checks drivers against node_modules/@ddikit/sim/node_modules/@ddikit/ndis (${ndisVersion}), and the driver's roles would be checked against the contracts of one copy while its DDI calls are checked against the other's. Make them one: npm dedupe, or install the @ddikit/ndis version that @ddikit/sim asks for; npm ls @ddikit/ndis then lists one.`,
      );
      expect(result.stderr).not.toContain('    at ');
      expect(result.status).toBe(2);
    },
  );

  it('runs the same driver once the install has one copy', () => {
    const nested = join(project, 'node_modules/@ddikit/sim/node_modules');
    const moved = join(project, 'nested-aside');
    cpSync(nested, moved, { recursive: true });
    rmSync(nested, { recursive: true });
    try {
      const result = ddikit('simulate');
      expect(result.stderr).toBe('');
      expect(result.stdout).toContain('No violations.');
      expect(result.status).toBe(0);
    } finally {
      cpSync(moved, nested, { recursive: true });
      rmSync(moved, { recursive: true });
    }
  });

  it('says nothing for the checkout, whose driver modules and @ddikit/sim resolve one copy', () => {
    expect(
      driverContractCopies(
        [join(root, 'examples/e1000-line.ts'), join(root, 'examples/broken/_e1000.ts')],
        join(root, 'packages/sim'),
        root,
      ),
    ).toBeNull();
  });

  it('refuses a C driver when @ddikit/sim-c resolves another copy than @ddikit/sim', () => {
    // Resolution reads package.json files only: an install of them is enough to tell the copies apart.
    const install = mkdtempSync(join(root, '.tmp', 'ndis-copies-c-'));
    try {
      const manifest = (dir: string, to: string, version?: string): void => {
        mkdirSync(to, { recursive: true });
        const text = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')) as Record<string, unknown>;
        writeFileSync(join(to, 'package.json'), JSON.stringify({ ...text, version: version ?? text['version'] }));
      };
      manifest('packages/sim-c', join(install, 'node_modules/@ddikit/sim-c'));
      manifest('packages/ndis', join(install, 'node_modules/@ddikit/sim-c/node_modules/@ddikit/ndis'), '0.0.1-other');
      writeFileSync(join(install, 'package.json'), '{}');
      // @ddikit/sim and its @ddikit/ndis resolve from the checkout's node_modules, above the install.
      expect(cHarnessCopies(root, join(install, 'package.json'))).toBe(
        `two copies of @ddikit/ndis are installed: @ddikit/sim-c declares a C driver's roles with ${join(install, 'node_modules/@ddikit/sim-c/node_modules/@ddikit/ndis').slice(root.length + 1)} (0.0.1-other), @ddikit/sim checks drivers against packages/ndis (${ndisVersion}), and the driver's roles would be checked against the contracts of one copy while its DDI calls are checked against the other's. Make them one: npm dedupe, or install the @ddikit/ndis version that @ddikit/sim and @ddikit/sim-c ask for; npm ls @ddikit/ndis then lists one.`,
      );
      rmSync(join(install, 'node_modules/@ddikit/sim-c/node_modules'), { recursive: true });
      expect(cHarnessCopies(root, join(install, 'package.json'))).toBeNull();
    } finally {
      rmSync(install, { recursive: true, force: true });
    }
  });
});
