/**
 * A driver that throws where no run can catch it (from a timer it set) ends the thread it runs in.
 * The command names the error and where it was thrown, whichever thread threw it: its own, or a pool
 * thread of --workers (not "exited with code 1", and not a process.exit the driver never called).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundled } from '../../generator/src/paths.js';
import '../built-harness.js';

const bin = join(bundled.root, 'generator/bin/ddikit.js');
const built = existsSync(join(bundled.root, 'generator/dist/cli.js'));

function ddikit(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const ran = spawnSync(process.execPath, [bin, ...args], { cwd: bundled.root, encoding: 'utf8', timeout: 60_000 });
  return { status: ran.status, stdout: ran.stdout, stderr: ran.stderr };
}

const PREFIX = 'the driver threw outside the run, where the harness cannot catch it: ';

describe.runIf(built)('a driver that throws outside its runs', () => {
  for (const command of [['simulate', '--seeds', '40'], ['explore']]) {
    it(`${command[0]}: from a timer its MiniportInitializeEx set, in the command's own thread`, () => {
      const { status, stdout, stderr } = ddikit([
        command[0]!,
        'test/cli/fixtures/throws-later.ts',
        ...command.slice(1),
      ]);
      expect(stderr).toBe(
        `ddikit ${command[0]}: ${PREFIX}thrown from a timer (at Timeout._onTimeout (${join(bundled.root, 'test/cli/fixtures/throws-later.ts')}:7:13))\n`,
      );
      expect(stdout).toBe('');
      expect(status).toBe(1);
    });

    it(`${command[0]} --workers 2 --json: from a timer, in a pool thread alone`, () => {
      const { status, stdout, stderr } = ddikit([
        command[0]!,
        'test/cli/fixtures/pool-throws.ts',
        ...command.slice(1),
        '--workers',
        '2',
        '--json',
      ]);
      const message = `thrown from a timer in a pool thread (at Timeout._onTimeout (${join(bundled.root, 'test/cli/fixtures/pool-throws.ts')}:8:11))`;
      expect(stderr).toBe(`ddikit ${command[0]}: ${PREFIX}${message}\n`);
      expect(JSON.parse(stdout)).toEqual({ clean: false, error: 'uncaught', message });
      expect(status).toBe(1);
    });
  }
});
