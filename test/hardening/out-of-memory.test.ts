/**
 * A driver that allocates without bound ends the thread that runs it at the heap limit. The command
 * says so, as out of memory, not as an error the driver threw; and the process itself lives on to
 * say it: exit 1, whether the driver ran in the command's own thread or in a pool thread.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundled } from '../../generator/src/paths.js';
import '../built-harness.js';
import { memoryLimitMb } from '../../generator/src/cli/commands/driver-run.js';

const bin = join(bundled.root, 'generator/bin/ddikit.js');
const built = existsSync(join(bundled.root, 'generator/dist/cli.js'));

const OUT_OF_MEMORY =
  'the driver ran out of memory: the thread that runs it reached the JavaScript heap limit and was stopped (does the driver allocate without bound, or keep something from every run?).';

function ddikit(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const ran = spawnSync(process.execPath, ['--max-old-space-size=96', bin, ...args], {
    cwd: bundled.root,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: ran.status, stdout: ran.stdout, stderr: ran.stderr };
}

describe.runIf(built)('a driver that runs out of memory', () => {
  for (const workers of ['1', '2']) {
    it(`simulate --seeds 8 --workers ${workers}: reported as out of memory; exit 1`, () => {
      const { status, stdout, stderr } = ddikit([
        'simulate',
        'test/cli/fixtures/hoards.ts',
        '--seeds',
        '8',
        '--workers',
        workers,
      ]);
      expect(stderr).toBe(`ddikit simulate: ${OUT_OF_MEMORY}\n`);
      expect(stdout).toBe('');
      expect(status).toBe(1);
    });
  }

  it('explore --workers 2 --json: the same, from whichever thread ran out', () => {
    const { status, stdout, stderr } = ddikit(['explore', 'test/cli/fixtures/hoards.ts', '--workers', '2', '--json']);
    expect(stderr).toBe(`ddikit explore: ${OUT_OF_MEMORY}\n`);
    expect(JSON.parse(stdout)).toEqual({ clean: false, error: 'out-of-memory' });
    expect(status).toBe(1);
  });

  // A pool thread alone runs out, while it loads: Node ends it with 'error' and 'exit' in one turn,
  // and the pool holds both until the command's thread has loaded the driver too. Its exit must not
  // end the command's thread before the error does (that was reported as a bare "exited with code 1").
  // The command's thread waits for the pool thread to start failing (fixtures/_pool-only.ts); 40
  // seeds, and explore's 10,000 schedules, keep it at work should the end come later than that.
  for (const command of [['simulate', '--seeds', '40'], ['explore']]) {
    it(`${command[0]} --workers 2 --json: a pool thread alone runs out`, () => {
      const { status, stdout, stderr } = ddikit([
        command[0]!,
        'test/cli/fixtures/pool-hoards.ts',
        ...command.slice(1),
        '--workers',
        '2',
        '--json',
      ]);
      expect(stderr).toBe(`ddikit ${command[0]}: ${OUT_OF_MEMORY}\n`);
      expect(JSON.parse(stdout)).toEqual({ clean: false, error: 'out-of-memory' });
      expect(status).toBe(1);
    });
  }
});

// Typed arrays and Buffers live outside the JavaScript heap: its limit lets them grow until the system
// kills the process, with no word on why. The process's memory is watched instead (--max-memory).
describe.runIf(built)('a driver whose typed arrays pile up', () => {
  // Then, with one thread, the run that was going on (its role function, seed, tick and replay); with
  // a pool, that it is not known.
  const grew = (command: string, limit: number, pooled: boolean): RegExp =>
    new RegExp(
      `^ddikit ${command}: the driver ran out of memory: the process grew to \\d+ MB, past --max-memory ${limit} MB, and the run was stopped \\(does the driver allocate without bound, or keep something from every run\\? Typed arrays and Buffers count here, though the JavaScript heap limit leaves them out\\)\\.\\n${
        pooled
          ? ' {2}Which run grew is not known with --workers: run with --workers 1 to name it\\.\\n'
          : ` {2}(in \\S+ \\(MINIPORT_\\w+\\), )?seed=\\d+ tick=\\d+\\n(.*\\n)?Replay: ddikit ${command} test/cli/fixtures/keeps-buffers\\.ts .*--seed \\d+\\n`
      }$`,
    );

  for (const workers of ['1', '2']) {
    it(`simulate --workers ${workers}: stopped past --max-memory, reported as out of memory; exit 1`, () => {
      const { status, stdout, stderr } = ddikit([
        'simulate',
        'test/cli/fixtures/keeps-buffers.ts',
        '--seeds',
        '1000',
        '--max-memory',
        '400',
        '--workers',
        workers,
      ]);
      expect(stderr).toMatch(grew('simulate', 400, workers === '2'));
      // The seeds run before the limit was reached are printed as they ran; none after.
      expect(stdout).not.toMatch(/seed=1000 /);
      expect(status).toBe(1);
    });
  }

  it('explore --json: the resident size and the limit in the JSON', () => {
    const { status, stdout, stderr } = ddikit([
      'explore',
      'test/cli/fixtures/keeps-buffers.ts',
      '--max-memory',
      '400',
      '--workers',
      '2',
      '--json',
    ]);
    expect(stderr).toMatch(grew('explore', 400, true));
    const result = JSON.parse(stdout) as { memory: { residentMb: number; limitMb: number } };
    expect(result).toEqual({ clean: false, error: 'out-of-memory', memory: result.memory });
    expect(result.memory.limitMb).toBe(400);
    expect(result.memory.residentMb).toBeGreaterThan(400);
    expect(status).toBe(1);
  });

  it('quiet: the same driver for three seeds stays under the limit and runs clean', () => {
    const { status, stdout, stderr } = ddikit([
      'simulate',
      'test/cli/fixtures/keeps-buffers.ts',
      '--seeds',
      '3',
      '--max-memory',
      '400',
      '--workers',
      '2',
    ]);
    expect(stderr).toBe('');
    expect(stdout).toMatch(/3 runs, all clean\.\n$/);
    expect(status).toBe(0);
  });

  it('--max-memory below what a process needs to load a driver is a usage error; exit 2', () => {
    const { status, stderr } = ddikit(['simulate', 'examples/e1000-line.ts', '--max-memory', '10']);
    expect(stderr).toMatch(/^ddikit: --max-memory must be an integer in 64\.\.1073741824 \(got "10"\)\./);
    expect(status).toBe(2);
  });
});

describe('the default --max-memory', () => {
  const GB = 2 ** 30;
  it("is three quarters of the machine's memory when the process has no limit of its own", () => {
    expect(memoryLimitMb(16 * GB, 0)).toBe(12 * 1024);
    // Node reports an unlimited control group as a number far above the machine's memory.
    expect(memoryLimitMb(16 * GB, 2 ** 64)).toBe(12 * 1024);
  });

  it("is three quarters of the container's limit when that is lower", () => {
    expect(memoryLimitMb(16 * GB, 2 * GB)).toBe(1536);
    expect(memoryLimitMb(16 * GB, 32 * GB)).toBe(12 * 1024);
  });

  it('is never below what a process needs to load a driver', () => {
    expect(memoryLimitMb(32 * 2 ** 20, 0)).toBe(64);
  });
});
