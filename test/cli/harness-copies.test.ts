/**
 * Two copies of @ddikit/sim in one install: the ddikit command resolves one, @ddikit/sim-c the other
 * (a nested node_modules, or versions that do not match). A C driver is defined with sim-c's copy and
 * runs only under that copy, so every run would fail; the commands say it is the install, naming
 * both folders and the fix, instead of reporting the driver.
 *
 * The install is built inside the checkout, so that every other package resolves from its
 * node_modules: a copy of the built generator beside a copy of the built @ddikit/sim, which the
 * copied generator resolves first, while @ddikit/sim-c resolves the checkout's.
 */
import '../built-harness.js';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkOneHarness } from '../../generator/src/cli/c-driver.js';
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
