/**
 * `ddikit explore --workers N` and `ddikit simulate --workers M`: the same bytes out whatever N —
 * the same schedules, the same shortest failure, the same report — and the same findings when the
 * driver hangs, throws or fails to load inside a worker thread. (`--shard K/N` and `--merge`:
 * shards.test.ts.)
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { root, FIXED, MISBEHAVING, UNEVEN, explorations, ddikit as ddikitIn, type Output } from './parallel-cli.js';

const work = mkdtempSync(join(tmpdir(), 'ddikit-parallel-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const ddikit = (command: 'explore' | 'simulate', args: string[], cwd = work): Promise<Output> =>
  ddikitIn(command, args, cwd);

describe('explore --workers N', () => {
  for (const { given, args, code } of explorations) {
    it(`${given}: the same output with 1, 2 and 3 workers (text with 1 and 3, JSON with 1 and 2)`, async () => {
      const single = await ddikit('explore', args);
      expect(single.code).toBe(code);
      // Two workers as JSON (every field of the result), three as text (what prints it).
      const json = await ddikit('explore', [...args, '--json']);
      expect(await ddikit('explore', [...args, '--workers', '2', '--json'])).toEqual(json);
      expect(await ddikit('explore', [...args, '--workers', '3'])).toEqual(single);
    });
  }

  it('an interval left running by every run (it fires once or twice per wait): the same late call whatever N', async () => {
    const args = [MISBEHAVING, '--export', 'lateInterval', '--budget', '2000'];
    const single = await ddikit('explore', args);
    expect(single.code).toBe(1);
    expect(single.stdout).toContain('\n  NdisStallExecution was called after the run ended at ');
    expect(await ddikit('explore', [...args, '--workers', '2'])).toEqual(single);
    expect(await ddikit('explore', [...args, '--workers', '3'])).toEqual(single);
    const seeds = [MISBEHAVING, '--export', 'lateInterval', '--seeds', '40'];
    const simulated = await ddikit('simulate', seeds);
    expect(simulated.code).toBe(1);
    expect(await ddikit('simulate', [...seeds, '--workers', '2'])).toEqual(simulated);
  });

  it('--workers auto (one per processor): the same output as one thread; a count that is neither is refused', async () => {
    const args = [FIXED, '--budget', '300'];
    const single = await ddikit('explore', args);
    expect(single.code).toBe(0);
    expect(await ddikit('explore', [...args, '--workers', 'auto'])).toEqual(single);
    const seeds = [MISBEHAVING, '--export', 'lateSometimes', '--seeds', '6'];
    expect(await ddikit('simulate', [...seeds, '--workers', 'auto'])).toEqual(await ddikit('simulate', seeds));
    for (const command of ['explore', 'simulate'] as const) {
      const refused = await ddikit(command, [FIXED, '--workers', 'many']);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(
        /^ddikit: --workers must be an integer in 1\.\.64, or auto for one per processor \(got "many"\)\.\n/,
      );
    }
  });

  it('a driver that throws in a worker: the same crash report as in one thread', async () => {
    const args = [MISBEHAVING, '--export', 'throwsInIsr'];
    const single = await ddikit('explore', args);
    expect(single.code).toBe(1);
    expect(single.stdout).toContain('The driver threw: descriptor ring corrupted');
    expect(await ddikit('explore', [...args, '--workers', '2'])).toEqual(single);
  });

  it('a driver that hangs in a worker: the watchdog stops it and reports it as in one thread', async () => {
    const args = [MISBEHAVING, '--export', 'busyDpc', '--watchdog', '1'];
    const single = await ddikit('explore', args);
    expect(single.code).toBe(1);
    expect(single.stderr).toMatch(
      /^ddikit explore: the watchdog stopped the run: \w+ \(MINIPORT_INTERRUPT_DPC\) has not returned for 1 s/,
    );
    expect(pausedAnywhere(await ddikit('explore', [...args, '--workers', '2']))).toEqual(pausedAnywhere(single));
  });
});

describe("--workers N: the chunks come back in any order, the output is in the jobs' order", () => {
  // Runs of uneven wall-clock length (the fixture spins at random), in many small chunks: a chunk
  // put in the wrong place, or a result read from the wrong chunk, changes the output.
  it('explore: the same crash, found after the same schedules, with 1, 2 and 3 workers', async () => {
    const args = [UNEVEN, '--seed', '5', '--preemptions', '0', '--budget', '3000', '--json'];
    const single = await ddikit('explore', args);
    expect(single.code).toBe(1);
    expect(JSON.parse(single.stdout)).toMatchObject({ schedules: 1649, crash: { foundAt: 1649, phase: 'random' } });
    expect(await ddikit('explore', [...args, '--workers', '2'])).toEqual(single);
    expect(await ddikit('explore', [...args, '--workers', '3'])).toEqual(single);
  });

  it('simulate: the same output with 1, 2 and 3 workers, seed after seed', async () => {
    const args = [UNEVEN, '--seeds', '60', '--ticks', '5000'];
    const single = await ddikit('simulate', args);
    expect(single.code).toBe(0);
    expect(single.stdout.match(/^seed=\d+/gm)).toEqual(Array.from({ length: 60 }, (_, i) => `seed=${i + 1}`));
    expect(await ddikit('simulate', [...args, '--workers', '2'])).toEqual(single);
    expect(await ddikit('simulate', [...args, '--workers', '3'])).toEqual(single);
  });
});

/**
 * A result with the line and column of the watchdog's `at` line left out: a thread paused in a loop
 * of several lines or calls may be on any of them, from one run to the next.
 */
function pausedAnywhere<T extends { stderr: string }>(result: T): T {
  return { ...result, stderr: result.stderr.replace(/^( {2}at \S+ \(.*?):\d+:\d+\)$/m, '$1)') };
}

describe('--workers N: the watchdog, whichever thread runs the hanging run', () => {
  it('simulate: one seed late in the run hangs; the same report with 1, 2 and 3 workers', async () => {
    // Seed 54 of 60 hangs: the command's own thread or a pool thread runs it (the other threads run
    // out of seeds and wait), and either way the watchdog names it.
    const args = [UNEVEN, '--export', 'hangsLate', '--seeds', '60', '--ticks', '5000', '--watchdog', '1'];
    const single = await ddikit('simulate', args);
    expect(single.code).toBe(1);
    expect(single.stderr.split('\n').slice(0, 3)).toEqual([
      'ddikit simulate: the watchdog stopped the run: Isr (MINIPORT_ISR) has not returned for 1 s of wall-clock time.',
      // The loop touches nothing tracked: the thread that runs it, whichever it is, is paused to read its line.
      expect.stringMatching(/^ {2}at spin \(\S*test\/cli\/fixtures\/uneven\.ts:\d+:\d+\)$/),
      expect.stringMatching(/^ {2}seed=54 tick=\d+$/),
    ]);
    expect(pausedAnywhere(await ddikit('simulate', [...args, '--workers', '2']))).toEqual(pausedAnywhere(single));
    expect(pausedAnywhere(await ddikit('simulate', [...args, '--workers', '3']))).toEqual(pausedAnywhere(single));
  });

  for (const [command, more] of [
    ['simulate', ['--seeds', '20']],
    ['explore', ['--budget', '100']],
  ] as const) {
    it(`${command}: a timer left behind that never returns is stopped after the runs, naming no run whatever N`, async () => {
      const args = [MISBEHAVING, '--export', 'busyTimer', ...more, '--watchdog', '1'];
      const single = await ddikit(command, args);
      expect(single.code).toBe(1);
      expect(single.stdout).toBe('');
      expect(single.stderr).toBe(
        `ddikit ${command}: the watchdog stopped the run: a timer or a promise the driver left behind has not returned for 1 s of wall-clock time.\n` +
          '  It ran after the runs had ended (ddikit lets what a driver leaves behind run after each chunk of\n' +
          '  runs, to report the DDIs it calls): a timer the driver set and never cancelled, looping without\n' +
          '  calling a DDI. A driver must cancel its timers before MiniportHaltEx returns (--watchdog sets the limit).\n',
      );
      expect(await ddikit(command, [...args, '--workers', '2'])).toEqual(single);
      const json = await ddikit(command, [...args, '--json']);
      expect(JSON.parse(json.stdout)).toEqual({ clean: false, watchdog: { seconds: 1, phase: 'after-runs' } });
    });
  }
});

describe('--workers N: a driver that fails to load is reported once, as with one worker', () => {
  // The pool's threads load the driver at the same time as the command's own thread: what they run
  // into is not reported again.
  const cases: { given: string; command: 'explore' | 'simulate'; args: string[]; code: number; want: RegExp }[] = [
    {
      given: 'a module that throws while it loads',
      command: 'explore',
      args: ['test/cli/fixtures/throws-at-load.ts'],
      code: 1,
      want: /^ddikit explore: cannot load test\/cli\/fixtures\/throws-at-load\.ts: no e1000 adapter found \(at test\/cli\/fixtures\/throws-at-load\.ts:5:31\)\n$/,
    },
    {
      given: 'a module that calls process.exit while it loads',
      command: 'simulate',
      args: ['test/cli/fixtures/exits.ts', '--seeds', '4'],
      code: 1,
      want: /^ddikit simulate: the driver module called process\.exit\(0\) at test\/cli\/fixtures\/exits\.ts:4:\d+; /,
    },
    {
      given: 'a module that signals its own process while it loads',
      command: 'explore',
      args: ['test/cli/fixtures/kills.ts'],
      code: 1,
      want: /^ddikit explore: the driver module called process\.kill with "SIGTERM" for its own process at test\/cli\/fixtures\/kills\.ts:4:\d+; /,
    },
    {
      given: 'a module whose top-level await never settles',
      command: 'explore',
      args: ['test/cli/fixtures/never-settles.ts'],
      code: 1,
      want: /^ddikit explore: the driver module never finished loading: /,
    },
    {
      given: 'a module that is not there',
      command: 'simulate',
      args: ['test/cli/fixtures/nothing-here.ts', '--seeds', '4'],
      code: 2,
      want: /^ddikit: cannot find the driver module "test\/cli\/fixtures\/nothing-here\.ts"\.\n/,
    },
  ];
  for (const { given, command, args, code, want } of cases) {
    it(`${command}: ${given}`, async () => {
      const single = await ddikit(command, args, root);
      expect(single.code).toBe(code);
      expect(single.stderr).toMatch(want);
      expect(await ddikit(command, [...args, '--workers', '2'], root)).toEqual(single);
      expect(await ddikit(command, [...args, '--workers', '3'], root)).toEqual(single);
    });
  }
});

describe('simulate --seeds N --workers M', () => {
  const cases: { given: string; args: string[] }[] = [
    { given: 'a clean driver', args: [join(root, 'examples/e1000-line.ts'), '--seeds', '5', '--ticks', '20000'] },
    {
      given: 'a driver with findings, in collect mode',
      args: [join(root, 'examples/broken/lock-leak.ts'), '--seeds', '5', '--ticks', '20000', '--mode', 'collect'],
    },
    { given: 'a driver that throws', args: [MISBEHAVING, '--export', 'throwsInDpc', '--seeds', '3'] },
    {
      given: 'a driver that calls NDIS from a timer after each run',
      args: [MISBEHAVING, '--export', 'lateTimer', '--seeds', '6'],
    },
  ];
  for (const { given, args } of cases) {
    it(`${given}: the same output with 1, 2 and 3 workers, in the same order (text with 1 and 3, JSON with 1 and 2)`, async () => {
      const single = await ddikit('simulate', args);
      // Two workers as JSON (every field of each run), three as text (what prints them).
      const json = await ddikit('simulate', [...args, '--json']);
      expect(await ddikit('simulate', [...args, '--workers', '2', '--json'])).toEqual(json);
      expect(await ddikit('simulate', [...args, '--workers', '3'])).toEqual(single);
    });
  }

  it('the same timeline page, made again from the run a worker made', async () => {
    const args = [join(root, 'examples/broken/lock-leak.ts'), '--seeds', '3', '--ticks', '20000', '--mode', 'collect'];
    await ddikit('simulate', [...args, '--timeline', 'one.html']);
    await ddikit('simulate', [...args, '--timeline', 'two.html', '--workers', '2']);
    expect(readFileSync(join(work, 'two.html'), 'utf8')).toBe(readFileSync(join(work, 'one.html'), 'utf8'));
  });

  it('a driver that hangs in a worker: the watchdog reports it as in one thread', async () => {
    const args = [MISBEHAVING, '--export', 'busyIsr', '--watchdog', '1', '--seeds', '2'];
    const single = await ddikit('simulate', args);
    expect(single.code).toBe(1);
    expect(await ddikit('simulate', [...args, '--workers', '2'])).toEqual(single);
  });
});

describe("--workers N: the pool threads took every job before the command's own thread had loaded the driver", () => {
  // That thread then only waits for the pool's answers: waiting is no hang. It was watched as running
  // a driver that had not returned, so a hang in a pool thread was reported as "no role function
  // started or returned … seed=0" and without the replay command, and a healthy run that kept the
  // pool busy longer than the limit was stopped by the watchdog.
  const POOL_FIRST = join(root, 'test/cli/fixtures/pool-first.ts');
  it('explore: a hang in a pool thread is reported as in one thread', async () => {
    // (simulate's pool waits the same way: the healthy run below, and the watchdog test above.)
    const args = [POOL_FIRST, '--export', 'busyDpc', '--watchdog', '1'];
    const single = await ddikit('explore', args);
    expect(single.code).toBe(1);
    expect(single.stderr).toMatch(
      /^ddikit explore: the watchdog stopped the run: Dpc \(MINIPORT_INTERRUPT_DPC\) has not returned for 1 s of wall-clock time\.\n {2}at busy \(\S*test\/cli\/fixtures\/misbehaving\.ts:\d+:\d+\)\n {2}seed=1 tick=99\n/,
    );
    expect(pausedAnywhere(await ddikit('explore', [...args, '--workers', '2']))).toEqual(pausedAnywhere(single));
  });

  it("simulate: seeds that keep the pool busy longer than the watchdog's limit run to the end", async () => {
    // Two seeds of about 1.5 s each: both go to the pool thread, and the command's thread waits 3 s.
    const result = await ddikit('simulate', [
      POOL_FIRST,
      '--export',
      'clean',
      '--seeds',
      '2',
      '--ticks',
      '150000000',
      '--watchdog',
      '1',
      '--workers',
      '2',
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/\n2 runs, all clean\.\n$/);
  });
});
