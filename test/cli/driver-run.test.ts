/**
 * `ddikit simulate` and `ddikit explore` never hang and never crash: a loop that calls no DDI in an
 * ISR, a DPC or a synchronize function is stopped by the wall-clock watchdog (the function, seed,
 * tick and replay command printed; exit 1); a loop around NdisStallExecution(1) or polling a
 * register by the simulated-time watchdog (0x133); a driver that throws in its ISR, DPC or
 * MiniportInitializeEx is a located report from both commands, JSON under --json; a bad `scenario`
 * export is a located usage error; a DDI called after the run, a module that calls process.exit or
 * whose top-level await never settles all fail loudly. The clean fixture stays clean.
 */
import '../built-harness.js';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runExplore } from '../../generator/src/cli/commands/explore.js';
import { runSimulate } from '../../generator/src/cli/commands/simulate.js';
import type { CliIo } from '../../generator/src/cli/io.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const FIXTURE = 'test/cli/fixtures/misbehaving.ts';

async function ddikit(
  command: 'simulate' | 'explore',
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo & { progress: boolean } = {
    cwd: root,
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    color: false,
    progress: false,
  };
  const code = await (command === 'simulate' ? runSimulate : runExplore)(args, io);
  return { code, stdout, stderr };
}

/** The line of the fixture's `busy` loop. */
const BUSY_LINE = readFileSync(join(root, FIXTURE), 'utf8').split('\n').indexOf('  for (;;) spin++;') + 1;

describe('the wall-clock watchdog: a loop that calls no DDI', () => {
  const cases = [
    { name: 'busyIsr', fn: 'Isr (MINIPORT_ISR)' },
    { name: 'busyDpc', fn: 'Dpc (MINIPORT_INTERRUPT_DPC)' },
    { name: 'busySync', fn: 'EnableInSync (MINIPORT_SYNCHRONIZE_INTERRUPT)' },
  ];
  for (const command of ['simulate', 'explore'] as const) {
    for (const c of cases) {
      it(`${command} --export ${c.name}: stopped after --watchdog 1, naming ${c.fn}, seed, tick and replay; exit 1`, async () => {
        const started = Date.now();
        const { code, stderr } = await ddikit(command, [FIXTURE, '--export', c.name, '--watchdog', '1']);
        expect(code).toBe(1);
        expect(Date.now() - started).toBeLessThan(15_000);
        const lines = stderr.split('\n');
        expect(lines[0]).toBe(
          `ddikit ${command}: the watchdog stopped the run: ${c.fn} has not returned for 1 s of wall-clock time.`,
        );
        // The loop touches nothing the harness tracks: the thread is paused to read its line.
        expect(lines[1]).toMatch(new RegExp(`^ {2}at busy \\(${FIXTURE}:${BUSY_LINE}:\\d+\\)$`));
        expect(lines[2]).toMatch(/^ {2}seed=1 tick=\d+$/);
        const replay = lines.find((line) => line.startsWith('Replay: '));
        expect(replay).toEqual(
          command === 'simulate'
            ? `Replay: ddikit simulate ${FIXTURE} --export ${c.name} --watchdog 1 --seed 1`
            : expect.stringMatching(
                new RegExp(
                  `^Replay: ddikit explore ${FIXTURE} --seed 1 --ticks 5000 --export ${c.name} --replay [-\\d:,]+$`,
                ),
              ),
        );
      });
    }
  }

  it('with --json the watchdog report is JSON on stdout', async () => {
    const { code, stdout } = await ddikit('simulate', [FIXTURE, '--export', 'busyDpc', '--watchdog', '1', '--json']);
    expect(code).toBe(1);
    expect(JSON.parse(stdout)).toMatchObject({
      clean: false,
      watchdog: {
        seconds: 1,
        phase: 'running',
        function: 'Dpc (MINIPORT_INTERRUPT_DPC)',
        seed: 1,
        at: expect.stringMatching(new RegExp(`^busy \\(${FIXTURE}:${BUSY_LINE}:\\d+\\)$`)),
      },
    });
  });

  it("a loop that waits on a field of its context is reported at the driver's line of the loop", async () => {
    // The field is tracked (a context's), so the loop's next read answers the watchdog's question.
    const line =
      readFileSync(join(root, FIXTURE), 'utf8').split('\n').indexOf('    while (a.interrupt !== null) {') + 1;
    const text = await ddikit('simulate', [FIXTURE, '--export', 'waitsOnField', '--watchdog', '1']);
    expect(text.code).toBe(1);
    expect(text.stderr.split('\n').slice(0, 3)).toEqual([
      'ddikit simulate: the watchdog stopped the run: Dpc (MINIPORT_INTERRUPT_DPC) has not returned for 1 s of wall-clock time.',
      `  at Object.dpc (${FIXTURE}:${line}:14)`,
      expect.stringMatching(/^ {2}seed=1 tick=\d+$/),
    ]);
    const json = await ddikit('explore', [FIXTURE, '--export', 'waitsOnField', '--watchdog', '1', '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ watchdog: { at: `Object.dpc (${FIXTURE}:${line}:14)` } });
  });

  it('names a role function written as an arrow function by the name it was declared with', async () => {
    const driver = 'test/cli/fixtures/_driver.ts';
    const line =
      readFileSync(join(root, driver), 'utf8')
        .split('\n')
        .indexOf('      if (hooks.dpcWaitsInline === true) while (a.interrupt !== null) {}') + 1;
    const text = await ddikit('simulate', [FIXTURE, '--export', 'waitsInDpcBody', '--watchdog', '1']);
    expect(text.code).toBe(1);
    expect(text.stderr.split('\n')[1]).toMatch(
      new RegExp(`^ {2}at Dpc \\(${driver.replaceAll('.', '\\.')}:${line}:\\d+\\)$`),
    );
  });
});

describe('the simulated-time watchdog: loops that call DDIs', () => {
  const cases = [
    { name: 'stallIsr', fn: 'Isr' },
    { name: 'stallDpc', fn: 'Dpc' },
    { name: 'pollIsr', fn: 'Isr' },
    { name: 'pollSync', fn: 'EnableInSync' },
  ];
  for (const c of cases) {
    it(`simulate --export ${c.name}: TIME-BUDGET 0x133 from the watchdog in ${c.fn}; exit 1`, async () => {
      const { code, stdout } = await ddikit('simulate', [FIXTURE, '--export', c.name, '--json']);
      expect(code).toBe(1);
      const [run] = (
        JSON.parse(stdout) as {
          runs: { bugCheck: string; reports: { function: string; message: string; bugCheck: { code: number } }[] }[];
        }
      ).runs;
      expect(run!.bugCheck).toBe('TIME-BUDGET');
      const report = run!.reports.at(-1)!;
      expect(report.bugCheck.code).toBe(0x133);
      expect(report.function).toBe(c.fn);
      expect(report.message).toMatch(/^watchdog: /);
    });
  }
});

describe('a driver that throws', () => {
  const cases = [
    { name: 'throwsInIsr', fn: 'Isr', role: 'MINIPORT_ISR', thrown: 'descriptor ring corrupted' },
    { name: 'throwsInDpc', fn: 'Dpc', role: 'MINIPORT_INTERRUPT_DPC', thrown: 'descriptor ring corrupted' },
    {
      name: 'throwsInInitialize',
      fn: 'InitializeEx',
      role: 'MINIPORT_INITIALIZE',
      thrown: 'TypeError: cannot read the MAC address',
    },
  ];
  for (const c of cases) {
    it(`explore --export ${c.name}: a crash report with the function, the driver's .ts line and the replay; exit 1`, async () => {
      const { code, stdout, stderr } = await ddikit('explore', [FIXTURE, '--export', c.name]);
      expect(stderr).toBe('');
      expect(code).toBe(1);
      expect(stdout).toContain('CRASHED after 1 schedule (systematic): the run did not finish\n');
      expect(stdout).toContain(`\nThe driver threw: ${c.thrown}\n  in ${c.fn} (${c.role}) on cpu `);
      expect(stdout).toMatch(/\n {2}at \S+ \(test\/cli\/fixtures\/misbehaving\.ts:\d+:\d+\)\n/);
      expect(stdout).toContain(
        `\nReplay: ddikit explore ${FIXTURE} --seed 1 --ticks 5000 --export ${c.name} --replay -\n`,
      );
    });

    it(`explore --export ${c.name} --json: JSON with the crash`, async () => {
      const { code, stdout } = await ddikit('explore', [FIXTURE, '--export', c.name, '--json']);
      expect(code).toBe(1);
      const json = JSON.parse(stdout) as {
        failure: null;
        crash: { thrown: string; frames: { function: string }[]; driverFrames: { file: string }[]; replay: string };
      };
      expect(json.failure).toBeNull();
      expect(json.crash.thrown).toBe(c.thrown);
      expect(json.crash.frames[0]!.function).toBe(c.fn);
      expect(json.crash.driverFrames[0]!.file).toBe(FIXTURE);
    });

    it(`simulate --export ${c.name}: the failure names the function and the driver's .ts line`, async () => {
      const { code, stdout } = await ddikit('simulate', [FIXTURE, '--export', c.name]);
      expect(code).toBe(1);
      expect(stdout).toMatch(
        new RegExp(
          `\\nseed=1: the run failed: driver [\\w-]+ threw in ${c.fn} \\(${c.role}\\) at test/cli/fixtures/misbehaving\\.ts:\\d+:\\d+: ${c.thrown} \\(seed=1 tick=\\d+\\)\\n`,
        ),
      );
    });
  }

  it('explore --replay of a throwing schedule is a crash report too', async () => {
    const { code, stdout } = await ddikit('explore', [FIXTURE, '--export', 'throwsInDpc', '--replay', '-']);
    expect(code).toBe(1);
    expect(stdout).toContain('\nThe driver threw: descriptor ring corrupted\n');
  });
});

describe('a bad scenario export', () => {
  const cases = [
    { key: 'processors', want: 'processors must be an integer in 1..64 (got 1000).' },
    { key: 'ticks', want: 'ticks must be an integer in 1..2^40 (got -5).' },
    { key: 'device', want: 'device must be a function that returns a new device, e.g. () => new E1000Nic() (got 42).' },
    {
      key: 'faults',
      want: 'faults.lightning is not a fault (one of sharedLine, spurious, storm, surpriseRemoval, interruptDuringRegister, dpcCoalescing, lineForMsiDriver).',
    },
    { key: 'costs', want: 'costs.registerReadTicks must be a non-negative integer number of ticks (got -1).' },
    { key: 'interrupt', want: 'interrupt.irql must be device levels 3..12 (got 99).' },
  ];
  for (const c of cases) {
    it(`${c.key}: a usage error at the property's line; exit 2`, async () => {
      const { code, stdout, stderr } = await ddikit('explore', [`test/cli/fixtures/bad-scenario-${c.key}.ts`]);
      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toBe(
        `ddikit: test/cli/fixtures/bad-scenario-${c.key}.ts:7:3: the \`scenario\` export is not valid: ${c.want}\nRun "ddikit explore --help" for usage.\n`,
      );
    });
  }
});

describe('after the run and around it', () => {
  it('a DDI called from a timer after the run is a finding of that run, with its line; exit 1', async () => {
    const { code, stdout } = await ddikit('simulate', [FIXTURE, '--export', 'lateTimer']);
    expect(code).toBe(1);
    expect(stdout).toMatch(
      /\nseed=1: NdisStallExecution was called after the run ended at test\/cli\/fixtures\/misbehaving\.ts:\d+:\d+, from a timer or a promise the driver left behind; NDIS calls must end before MiniportHaltEx returns\n/,
    );
    expect(stdout).toMatch(/\nViolations found\.\n$/);
  });

  it('explore: a DDI called from a timer after the run is a finding with the first schedule and its replay; exit 1', async () => {
    const { code, stdout } = await ddikit('explore', [FIXTURE, '--export', 'lateTimer', '--budget', '40']);
    expect(code).toBe(1);
    expect(stdout).toContain('\nNo schedule failed: 40 schedules');
    expect(stdout).toMatch(
      /\n\nCalled after the run ended \(the search goes on, but the driver is not clean; exit 1 as in simulate\), first in schedule 1 \(systematic\):\n {2}NdisStallExecution was called after the run ended at test\/cli\/fixtures\/misbehaving\.ts:\d+:\d+, from a timer or a promise the driver left behind; NDIS calls must end before MiniportHaltEx returns\n {2}Replay: ddikit explore test\/cli\/fixtures\/misbehaving\.ts --seed 1 --ticks 5000 --arrivals --export lateTimer --replay -\n$/,
    );
    const json = JSON.parse(
      (await ddikit('explore', [FIXTURE, '--export', 'lateTimer', '--budget', '40', '--json'])).stdout,
    );
    expect(json.lateCall).toMatchObject({
      ddi: 'NdisStallExecution',
      places: 1,
      capped: false,
      schedule: '-',
      foundAt: 1,
      phase: 'systematic',
      replay:
        'ddikit explore test/cli/fixtures/misbehaving.ts --seed 1 --ticks 5000 --arrivals --export lateTimer --replay -',
    });
    expect(json.lateCall.driverFrames[0].at).toMatch(/^test\/cli\/fixtures\/misbehaving\.ts:\d+:\d+$/);
  });

  it('more late calls than a run keeps say so, in simulate and explore', async () => {
    const simulated = await ddikit('simulate', [FIXTURE, '--export', 'lateFlood']);
    expect(simulated.code).toBe(1);
    expect(simulated.stdout).toContain('left behind (100 late calls or more); NDIS calls');
    const explored = await ddikit('explore', [FIXTURE, '--export', 'lateFlood', '--budget', '5']);
    expect(explored.code).toBe(1);
    expect(explored.stdout).toContain('left behind (100 late calls or more); NDIS calls');
    const few = await ddikit('simulate', [FIXTURE, '--export', 'lateTimer']);
    expect(few.stdout).not.toContain('or more');
  });

  it('explore --replay: the late call of the replayed run, text and JSON; exit 1', async () => {
    const args = [FIXTURE, '--export', 'lateTimer', '--ticks', '5000', '--arrivals', '--replay', '-'];
    const { code, stdout } = await ddikit('explore', args);
    expect(code).toBe(1);
    expect(stdout).toMatch(
      /\nNdisStallExecution was called after the run ended at test\/cli\/fixtures\/misbehaving\.ts:\d+:\d+, from a timer or a promise the driver left behind; NDIS calls must end before MiniportHaltEx returns\nA DDI was called after the run ended\.\n$/,
    );
    const json = await ddikit('explore', [...args, '--json']);
    expect(json.code).toBe(1);
    const parsed = JSON.parse(json.stdout);
    expect(parsed.clean).toBe(false);
    expect(parsed.lateCall).toMatchObject({ ddi: 'NdisStallExecution', places: 1, capped: false });
  });

  it('explore: a driver that leaves nothing behind has no late call (JSON null; exit 0)', async () => {
    const { code, stdout } = await ddikit('explore', [FIXTURE, '--budget', '40', '--json']);
    expect(code).toBe(0);
    expect(JSON.parse(stdout).lateCall).toBeNull();
    const replayed = await ddikit('explore', [FIXTURE, '--ticks', '5000', '--arrivals', '--replay', '-', '--json']);
    expect(replayed.code).toBe(0);
    expect(JSON.parse(replayed.stdout)).toMatchObject({ clean: true, lateCall: null });
  });

  it('a module that calls process.exit(0) fails loudly; exit 1', async () => {
    const { code, stdout, stderr } = await ddikit('simulate', ['test/cli/fixtures/exits.ts']);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toMatch(
      /^ddikit simulate: the driver module called process\.exit\(0\) at test\/cli\/fixtures\/exits\.ts:4:\d+; the run was cut short and nothing it would have found was reported\. A driver must not end the process\.\n$/,
    );
  });

  it('a module that signals its own process fails loudly, as process.exit does; exit 1', async () => {
    const { code, stdout, stderr } = await ddikit('simulate', ['test/cli/fixtures/kills.ts']);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toMatch(
      /^ddikit simulate: the driver module called process\.kill with "SIGTERM" for its own process at test\/cli\/fixtures\/kills\.ts:4:\d+; the run was cut short and nothing it would have found was reported\. A driver must not end the process\.\n$/,
    );
    const json = await ddikit('explore', ['test/cli/fixtures/kills.ts', '--json']);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ clean: false, error: 'process-kill', signal: 'SIGTERM' });
  });

  it('what a driver prints goes to stderr: stdout is the report alone, and --json stays JSON', async () => {
    for (const args of [
      ['simulate', 'test/cli/fixtures/chatty.ts', '--seeds', '2', '--json'],
      ['simulate', 'test/cli/fixtures/chatty.ts', '--seeds', '4', '--workers', '2', '--json'],
      ['explore', 'test/cli/fixtures/chatty.ts', '--budget', '20', '--workers', '2', '--json'],
    ] as const) {
      const [command, ...rest] = args;
      const { code, stdout, stderr } = await ddikit(command, [...rest]);
      expect(code, args.join(' ')).toBe(0);
      expect(JSON.parse(stdout)).toMatchObject(command === 'simulate' ? { clean: true } : { failure: null });
      expect(stderr).toContain('chatty: loaded\n');
      expect(stderr).toContain('chatty: first DPC\n');
    }
    const text = await ddikit('simulate', ['test/cli/fixtures/chatty.ts']);
    expect(text.stdout).not.toContain('chatty:');
    expect(text.stdout).toMatch(/\nNo violations\.\n$/);
  });

  it('simulate runs a seed that leaked a lock again to name the acquire, and what the driver prints shows once', async () => {
    const { code, stdout, stderr } = await ddikit('simulate', ['test/cli/fixtures/chatty.ts', '--export', 'leaks']);
    expect(code).toBe(1);
    expect(stdout).toMatch(
      /DESCRIPTION: {2}Dpc returned holding spin lock #\d+, which it acquired with NdisDprAcquireSpinLock at tick \d+, at Object\.dpc \(test\/cli\/fixtures\/chatty\.ts:\d+:\d+\), and did not release\n/,
    );
    // The bug check stops the run in its first DPC: printed once, though the seed ran twice.
    expect(stderr.split('chatty-leaks: a DPC\n')).toHaveLength(2);
    // In collect mode the run goes on past the leak: the second run stops just after it, and only
    // the message comes from it; the rest is the whole first run.
    const collect = await ddikit('simulate', [
      'test/cli/fixtures/chatty.ts',
      '--export',
      'leaks',
      '--mode',
      'collect',
      '--ticks',
      '20000',
      '--json',
    ]);
    const [run] = (
      JSON.parse(collect.stdout) as { runs: { tick: number; reports: { rule: string; message: string }[] }[] }
    ).runs;
    expect(run!.tick).toBeGreaterThanOrEqual(20_000);
    expect(run!.reports.find((r) => r.rule === 'LOCK-LEAK')!.message).toMatch(
      /, at Object\.dpc \(test\/cli\/fixtures\/chatty\.ts:\d+:\d+\), and did not release$/,
    );
  });

  it('simulate --disable: a rule left out reports nothing (fires without it, quiet with it)', async () => {
    const args = ['examples/broken/nic-unmodeled-register.ts', '--seeds', '2', '--ticks', '20000'];
    const fired = await ddikit('simulate', args);
    expect(fired.code).toBe(1);
    expect(fired.stdout).toContain('NIC-UNMODELED-REGISTER (warning) MRQC in E1000InitializeEx');
    const quiet = await ddikit('simulate', [...args, '--disable', 'NIC-UNMODELED-REGISTER,ISR-CLAIM']);
    expect(quiet.code).toBe(0);
    expect(quiet.stdout.split('\n')[1]).toMatch(/ disabled=NIC-UNMODELED-REGISTER,ISR-CLAIM$/);
    expect(quiet.stdout).toMatch(/\n2 runs, all clean\.\n$/);
    const json = await ddikit('simulate', [...args, '--disable', 'NIC-UNMODELED-REGISTER', '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ options: { disable: ['NIC-UNMODELED-REGISTER'] }, clean: true });
    const unknown = await ddikit('simulate', [...args, '--disable', 'NIC-UNMODELED']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(
      /^ddikit: --disable: "NIC-UNMODELED" is not a rule\. Did you mean "NIC-UNMODELED-REGISTER"\? /,
    );
  });

  it('simulate --timeline when no run finished: no page, and a line that says why', async () => {
    const { code, stdout } = await ddikit('simulate', [
      FIXTURE,
      '--export',
      'throwsInDpc',
      '--seeds',
      '2',
      '--timeline',
      'never-drawn.html',
    ]);
    expect(code).toBe(1);
    expect(stdout).toMatch(
      /\nNo timeline written: a timeline draws a run that finished, and every run here failed before its end\.\n$/,
    );
    expect(existsSync(join(root, 'never-drawn.html'))).toBe(false);
  });

  it('a run whose MiniportInitializeEx failed is clean, and its line says the adapter never started', async () => {
    const { code, stdout } = await ddikit('simulate', ['test/cli/fixtures/refuses.ts', '--seeds', '2']);
    expect(code).toBe(0);
    expect(stdout).toMatch(
      /\nseed=1 tick=\d+: clean — MiniportInitializeEx failed with status 0xC000009A, so the adapter never started; 0 frames received, /,
    );
    // The summary says so too: "all clean" alone would read as two runs that tested the driver.
    expect(stdout).toMatch(
      /\n2 runs, all clean\.\nBut the adapter never started in every run: MiniportInitializeEx failed, so nothing of the driver ran after it there\.\n$/,
    );
    // A run that started says nothing of it.
    const started = await ddikit('simulate', [FIXTURE, '--seeds', '1', '--ticks', '5000']);
    expect(started.stdout).not.toContain('MiniportInitializeEx failed');
    expect(started.stdout).not.toContain('never started');
  });

  it('--faults all: a driver that handles only MSI-X never starts under line-for-msi, and the summary says why', async () => {
    const args = ['test/cli/fixtures/msix-late-races.ts', '--export', 'dpcRace', '--ticks', '3000'];
    const all = await ddikit('simulate', [...args, '--faults', 'all', '--seeds', '2']);
    expect(all.code).toBe(0);
    expect(all.stdout).toMatch(
      /\n2 runs, all clean\.\nBut the adapter never started in every run: MiniportInitializeEx failed, so nothing of the driver ran after it there\.\n  The line-for-msi fault, one of --faults all, has NDIS grant a line interrupt to a driver that supports MSI:\n  a driver that handles only messages cannot start then\. Name the other faults to test the rest\.\n$/,
    );
    // Without that fault the same driver starts, and nothing is said.
    const others = await ddikit('simulate', [...args, '--faults', 'shared-line,spurious', '--seeds', '2']);
    expect(others.stdout).not.toContain('never started');
  });

  it('counts the timer functions a run ran, and says when a timer set never expired in it', async () => {
    const long = await ddikit('simulate', ['test/cli/fixtures/watchdog.ts', '--ticks', '25000']);
    expect(long.code).toBe(0);
    expect(long.stdout).toMatch(/\nseed=1 tick=\d+: clean — .*, \d+ writes, 2 timer functions run\n/);
    const short = await ddikit('simulate', ['test/cli/fixtures/watchdog.ts', '--ticks', '5000']);
    expect(short.code).toBe(0);
    expect(short.stdout).toMatch(
      /, \d+ writes, no timer function run \(a timer was set but none expired within the run's 5000 ticks: raise --ticks\)\n/,
    );
    // A driver that sets no timer: nothing about timers.
    const none = await ddikit('simulate', [FIXTURE, '--seeds', '1', '--ticks', '5000']);
    expect(none.stdout).not.toContain('timer');
  });

  it('a module whose top-level await never settles fails with a message; exit 1', async () => {
    const { code, stderr } = await ddikit('explore', ['test/cli/fixtures/never-settles.ts', '--json']);
    expect(code).toBe(1);
    expect(stderr).toBe(
      'ddikit explore: the driver module never finished loading: its top-level await did not settle (nothing was left that could settle it).\n',
    );
  });

  it('quiet: the clean fixture is clean in both commands; exit 0', async () => {
    const simulated = await ddikit('simulate', [FIXTURE, '--mode', 'collect']);
    expect(simulated.stdout).toMatch(/\nNo violations\.\n$/);
    expect(simulated.code).toBe(0);
    const explored = await ddikit('explore', [FIXTURE, '--budget', '50']);
    expect(explored.stdout).toMatch(/\nNo schedule failed: /);
    expect(explored.code).toBe(0);
  });
});

describe('one option set', () => {
  it('simulate and explore take the same run options, from one table, in their usage', async () => {
    const { RUN_OPTIONS } = await import('../../generator/src/cli/commands/run-options.js');
    const { simulateUsage } = await import('../../generator/src/cli/commands/simulate.js');
    const { exploreUsage } = await import('../../generator/src/cli/commands/explore.js');
    for (const option of RUN_OPTIONS.filter((o) => o.commands.length === 2)) {
      expect(simulateUsage).toContain(`      --${option.name}`);
      expect(exploreUsage).toContain(`      --${option.name}`);
    }
    for (const name of ['faults', 'link-changes', 'messages', 'interrupt', 'watchdog'])
      expect(RUN_OPTIONS.find((o) => o.name === name)!.commands).toEqual(['simulate', 'explore']);
  });

  it('simulate --faults all: every fault and link changes, echoed in the settings; an unknown fault is a usage error', async () => {
    const { code, stdout } = await ddikit('simulate', [FIXTURE, '--faults', 'all', '--json', '--mode', 'collect']);
    const json = JSON.parse(stdout) as {
      options: { faults: string[] };
      runs: { stats: { spuriousInterrupts: number } }[];
    };
    expect(json.options.faults).toEqual(['all']);
    expect(json.runs[0]!.stats.spuriousInterrupts).toBeGreaterThan(0);
    expect([0, 1]).toContain(code);
    const bad = await ddikit('simulate', [FIXTURE, '--faults', 'lightning']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^ddikit: --faults: unknown fault "lightning" \(one of shared-line, .*, or all\)\.\n/);
  });

  it('explore --link-changes --messages 1 --interrupt line --shared-line 0: echoed in the replay command', async () => {
    const { code, stdout } = await ddikit('explore', [
      FIXTURE,
      '--export',
      'throwsInDpc',
      '--link-changes',
      '--messages',
      '1',
      '--interrupt',
      'line',
      '--shared-line',
      '0',
    ]);
    expect(code).toBe(1);
    expect(stdout).toContain(
      `Replay: ddikit explore ${FIXTURE} --seed 1 --ticks 5000 --interrupt line --messages 1 --shared-line 0 --link-changes --export throwsInDpc --replay -\n`,
    );
  });
});

describe('explore has something to search without faults', () => {
  it('a driver that masks in its ISR: causes arrive at its choice points, many schedules run, and the setting is echoed', async () => {
    const { code, stdout } = await ddikit('explore', [FIXTURE, '--budget', '300', '--json']);
    expect(code).toBe(0);
    const json = JSON.parse(stdout) as {
      arrivals: boolean;
      schedules: number;
      distinct: number;
      spaceExhausted: boolean;
    };
    expect(json.arrivals).toBe(true);
    expect(json.schedules).toBe(300);
    expect(json.distinct).toBe(300);
    expect(json.spaceExhausted).toBe(false);
  });
});

describe('one policy for warnings: exit 1 in both commands', () => {
  it('fire: an ISR claiming another device’s interrupt on a shared line (ISR-CLAIM) exits 1 in simulate and explore', async () => {
    const simulated = await ddikit('simulate', ['examples/broken/isr-claim.ts']);
    expect(simulated.code).toBe(1);
    const explored = await ddikit('explore', ['examples/broken/isr-claim.ts', '--shared-line', '50', '--budget', '50']);
    expect(explored.stdout).toMatch(
      /\nWarnings \(they do not stop a schedule, but the driver is not clean; exit 1 as in simulate\):\n {2}ISR-CLAIM /,
    );
    expect(explored.code).toBe(1);
  });

  it('quiet: the clean fixture on a shared line exits 0 in both', async () => {
    expect((await ddikit('simulate', [FIXTURE, '--shared-line', '50'])).code).toBe(0);
    expect((await ddikit('explore', [FIXTURE, '--shared-line', '50', '--budget', '50'])).code).toBe(0);
  });
});

describe("every simulate report carries the driver's line", () => {
  it('text: DRIVER CALL after the report; JSON: location on each report', async () => {
    const text = await ddikit('simulate', ['examples/broken/lock-order.ts']);
    expect(text.stdout).toContain('\nDRIVER CALL:  examples/broken/lock-order.ts:23:10\n');
    const json = await ddikit('simulate', ['examples/broken/lock-order.ts', '--json']);
    const [run] = (JSON.parse(json.stdout) as { runs: { reports: { rule: string; location: string | null }[] }[] })
      .runs;
    expect(run!.reports.map((r) => [r.rule, r.location])).toEqual([
      ['LOCK-ORDER', 'examples/broken/lock-order.ts:23:10'],
    ]);
  });
});
