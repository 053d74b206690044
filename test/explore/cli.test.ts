/**
 * `ddikit explore` end to end through runExplore: it finds the lost interrupt and prints the shrunk
 * schedule and the exact command that replays it — which, run, gives the same report byte for byte;
 * it reports the fixed driver clean up to the bound; --json, --timeline, --faults, progress only on a
 * terminal, and every usage error (exit 2) with its message.
 */
import '../built-harness.js';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { exploreUsage, runExplore, type ExploreIo } from '../../generator/src/cli/commands/explore.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const LOST = 'examples/scenarios/lost-interrupt.ts';
const FIXED = 'examples/scenarios/lost-interrupt-fixed.ts';

async function explore(args: string[], progress = false): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: ExploreIo = {
    cwd: root,
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    color: false,
    progress,
  };
  const code = await runExplore(args, io);
  return { code, stdout, stderr };
}

/** The report text block of an output (from the analysis banner to the REPRODUCE line). */
function reportBlock(stdout: string, rule: string): string {
  const blocks = stdout.split(
    '*******************************************************************************\n*                                                                             *\n*                          ddikit Verifier Analysis',
  );
  const block = blocks.find((b) => b.includes(`RULE_ID:  ${rule}\n`));
  expect(block, `no ${rule} report in the output`).toBeDefined();
  return block!.slice(0, block!.indexOf('\n', block!.indexOf('REPRODUCE:')));
}

describe('ddikit explore on the lost interrupt', () => {
  it('finds it, prints the shrunk schedule, the report and the command that replays it; exit 1', async () => {
    const { code, stdout, stderr } = await explore([LOST]);
    expect(stderr).toBe('');
    expect(code).toBe(1);
    const lines = stdout.split('\n');
    expect(lines[0]).toBe('ddikit explore: lost-interrupt (examples/scenarios/lost-interrupt.ts)');
    expect(lines[1]).toBe(`seed=1 ticks=800 processors=2 faults=none preemptions≤2 budget=10000`);
    expect(lines[3]).toMatch(
      /^FAILED after \d+ schedules \(systematic\): INT-LOST — interrupts left masked after the last DPC while work is pending$/,
    );
    expect(lines[4]).toMatch(/^Schedule: 1 preemption; the run stops at tick \d+$/);
    expect(lines[5]).toMatch(
      /^ {2}#\d+ {2}tick \d+ {2}LostDpc \(MINIPORT_INTERRUPT_DPC\) on processor 0 after write IMS$/,
    );
    expect(lines[6]).toBe('      → LostIsr (line) preempts on processor 0  (alternative 1 of 2)');
    expect(stdout).toMatch(
      /\nReplay: ddikit explore examples\/scenarios\/lost-interrupt\.ts --seed 1 --ticks \d+ --replay \d+:1\n/,
    );
    expect(stdout).toContain(
      '\nRaces (lockset analysis: found without needing any particular interleaving):\n  ISR-SHARED-RACE  field causes\n',
    );
    // The DPC's direct IMS write comes while every cause is masked: no ISR can run then, no race.
    expect(stdout).not.toContain('register IMS');
  });

  it('the printed replay command reproduces the report byte for byte', async () => {
    const found = await explore([LOST]);
    const command = /\nReplay: ddikit explore (.*)\n/.exec(found.stdout)![1]!.split(' ');
    const replayed = await explore(command);
    expect(replayed.code).toBe(1);
    expect(replayed.stdout).toContain('— replay\n');
    expect(reportBlock(replayed.stdout, 'INT-LOST')).toBe(reportBlock(found.stdout, 'INT-LOST'));
    const again = await explore(command);
    expect(again.stdout).toBe(replayed.stdout);
  });

  it('writes the timeline of the failing run with --timeline', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ddikit-explore-'));
    try {
      const file = join(dir, 'out.html');
      const { code, stdout } = await explore([LOST, '--timeline', file]);
      expect(code).toBe(1);
      expect(stdout).toContain(`\nTimeline: `);
      const html = readFileSync(file, 'utf8');
      expect(html).toContain('<title>lost-interrupt — ddikit explore</title>');
      expect(html).toMatch(/data-rule="INT-LOST"/);
      expect(html).toMatch(
        /replay: ddikit explore examples\/scenarios\/lost-interrupt\.ts --seed 1 --ticks \d+ --replay \d+:1/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('prints JSON with --json', async () => {
    const { code, stdout } = await explore([LOST, '--json', '--budget', '500']);
    expect(code).toBe(1);
    const result = JSON.parse(stdout) as {
      failure: { rule: string; schedule: string; replay: string; steps: unknown[] };
      races: { rule: string }[];
      schedules: number;
    };
    expect(result.failure.rule).toBe('INT-LOST');
    expect(result.failure.schedule).toMatch(/^\d+:1$/);
    expect(result.failure.replay).toContain(`--replay ${result.failure.schedule}`);
    expect(result.races.map((r) => r.rule)).toEqual(['ISR-SHARED-RACE']);
  });
});

describe('ddikit explore: races that only some schedules run into', () => {
  const LATE = 'test/cli/fixtures/msix-late-races.ts';

  it('names the schedule that first ran into the race, and replaying it reports the race', async () => {
    const found = await explore([LATE, '--export', 'dpcRace', '--budget', '40']);
    expect(found.code).toBe(1);
    expect(found.stdout).toContain('\n  DPC-SHARED-RACE  field dpcRuns\n');
    const line = /\nThe full reports: replay the schedule that first ran into them \(ddikit explore (.*)\)\.\n/.exec(
      found.stdout,
    );
    expect(line, found.stdout).not.toBeNull();
    const command = line![1]!.split(' ');
    expect(command.at(-1)).not.toBe('-');
    const replayed = await explore(command);
    expect(replayed.code).toBe(1);
    expect(replayed.stdout).toContain('RULE_ID:  DPC-SHARED-RACE\n');
    // The default schedule does not run into it: the line named another for a reason.
    const defaultRun = await explore([...command.slice(0, -1), '-']);
    expect(defaultRun.stdout).not.toContain('DPC-SHARED-RACE');
  });

  it('races first met in different schedules each get their replay command, in text and JSON', async () => {
    const found = await explore([LATE, '--export', 'isrRaces', '--budget', '40']);
    expect(found.code).toBe(1);
    const races = found.stdout.slice(found.stdout.indexOf('\nRaces ('));
    const replays = [...races.matchAll(/\n {6}Replay: ddikit explore (.*)\n/g)].map((m) => m[1]!);
    const subjects = [...races.matchAll(/\n {2}ISR-SHARED-RACE {2}field (\S+)\n/g)].map((m) => m[1]!);
    expect(subjects).toHaveLength(2);
    expect(replays).toHaveLength(2);
    expect(new Set(replays).size).toBe(2);
    expect(races).not.toContain('The full reports');
    for (const [i, replay] of replays.entries()) {
      const replayed = await explore(replay.split(' '));
      expect(replayed.stdout, replay).toContain(`RACE:  field ${subjects[i]}\n`);
    }
    const json = JSON.parse((await explore([LATE, '--export', 'isrRaces', '--budget', '40', '--json'])).stdout) as {
      races: { subject: string; schedule: string; replay: string }[];
    };
    expect(json.races.map((race) => `ddikit explore ${race.replay.slice('ddikit explore '.length)}`)).toEqual(
      replays.map((replay) => `ddikit explore ${replay}`),
    );
    expect(json.races.map((race) => race.replay.endsWith(`--replay ${race.schedule || '-'}`))).toEqual([true, true]);
  });
});

describe('ddikit explore on the fixed driver', () => {
  it('reports it clean up to the bound; exit 0', async () => {
    const { code, stdout } = await explore([FIXED]);
    expect(code).toBe(0);
    expect(stdout).toMatch(
      /\nNo schedule failed: 10000 schedules — every schedule with up to 2 preemptions \(1 with 0 preemptions, \d+ with 1 preemption, \d+ with 2 preemptions\), then \d+ random schedules \(\d+ distinct in all\)\.\n$/,
    );
  });

  it('with faults, named on the command line and echoed in the replay command', async () => {
    const { code, stdout } = await explore([FIXED, '--faults', 'spurious,dpc-coalescing', '--budget', '300']);
    expect(code).toBe(0);
    expect(stdout.split('\n')[1]).toBe(
      'seed=1 ticks=800 processors=2 faults=spurious,dpc-coalescing preemptions≤2 budget=300',
    );
    const lost = await explore([LOST, '--faults', 'spurious', '--budget', '300']);
    expect(lost.stdout).toMatch(/--faults spurious --replay /);
  });

  it('with device options, each named in the settings line as simulate names it', async () => {
    const { stdout } = await explore([
      FIXED,
      '--budget',
      '50',
      '--shared-line',
      '10',
      '--rx-queues',
      '1',
      '--interrupt',
      'line',
      '--isr-early',
      '--link-changes',
    ]);
    expect(stdout.split('\n')[1]).toBe(
      'seed=1 ticks=800 processors=2 faults=none grant=line rx-queues=1 shared-line=10‰ isr-early link-changes preemptions≤2 budget=50 arrivals',
    );
  });
});

describe('a race between the DPCs of two messages', () => {
  it('lists DPC-SHARED-RACE with the message each access ran for, and exits 1', async () => {
    const { code, stdout, stderr } = await explore(['test/cli/fixtures/msix-shared-frames.ts', '--budget', '50']);
    expect(stderr).toBe('');
    expect(code).toBe(1);
    expect(stdout).toContain('\n  DPC-SHARED-RACE  field framesTotal\n');
    const listed = stdout
      .split('\n')
      .filter((line) => / — QueueDpc \(MINIPORT_MESSAGE_INTERRUPT_DPC, message \d\) on cpu /.test(line));
    expect(listed).toHaveLength(2);
    // The two RX queues' messages, 0 and 1.
    expect(listed.map((line) => /message (\d)/.exec(line)![1]).sort()).toEqual(['0', '1']);
  });
});

describe('--timeline when no schedule failed', () => {
  it('writes nothing, says so, and gives the replay command that draws one', async () => {
    const { code, stdout } = await explore([FIXED, '--budget', '30', '--timeline', 'not-drawn.html']);
    expect(code).toBe(0);
    expect(stdout).toMatch(
      /\n\nNo timeline written: --timeline draws the failing schedule, and no schedule failed\. To draw one schedule, replay it: ddikit explore examples\/scenarios\/lost-interrupt-fixed\.ts --seed 1 --ticks 800 --replay - --timeline not-drawn\.html\n$/,
    );
    expect(existsSync(join(root, 'not-drawn.html'))).toBe(false);
  });
});

describe('a driver that never starts', () => {
  it('says so under "No schedule failed" (text), and gives the status (JSON)', async () => {
    const { code, stdout } = await explore(['test/cli/fixtures/refuses.ts']);
    expect(code).toBe(0);
    expect(stdout).toMatch(
      /\nNo schedule failed: 1 schedule — .*\nBut the adapter never started: MiniportInitializeEx failed with status 0xC000009A in the default schedule, so little of the driver ran\.\n$/,
    );
    const json = await explore(['test/cli/fixtures/refuses.ts', '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ failure: null, initializeStatus: -1073741670 });
  });

  it('says when the driver set a timer that no schedule ran long enough to expire', async () => {
    const short = await explore(['test/cli/fixtures/watchdog.ts', '--budget', '20']);
    expect(short.code).toBe(0);
    expect(short.stdout).toMatch(
      /\nNo schedule failed: 20 schedules — .*\nBut no timer function ran: the driver set a timer, and none expired within the 5000 ticks of a schedule\. Raise --ticks to explore its timer functions too\.\n$/,
    );
    const long = await explore(['test/cli/fixtures/watchdog.ts', '--budget', '20', '--ticks', '15000']);
    expect(long.code).toBe(0);
    expect(long.stdout).not.toContain('timer');
    // examples/e1000-watchdog.ts exports a scenario long enough for its watchdog.
    const example = await explore(['examples/e1000-watchdog.ts', '--budget', '10']);
    expect(example.code).toBe(0);
    expect(example.stdout).toContain('\nseed=1 ticks=25000 processors=2 ');
    expect(example.stdout).not.toContain('no timer function ran');
  });

  it('says when the default schedule registered no interrupt: nothing of the ISR or DPC to interleave', async () => {
    const { code, stdout } = await explore(['test/cli/fixtures/quiet-nic.ts', '--export', 'unregistered']);
    expect(code).toBe(0);
    expect(stdout).toMatch(
      /\nNo schedule failed: 1 schedule — .*\nBut no interrupt was registered in the default schedule: MiniportInitializeEx never called NdisMRegisterInterruptEx, so no ISR or DPC of the driver ran to interleave\.\n$/,
    );
    const registered = await explore(['test/cli/fixtures/quiet-nic.ts', '--budget', '20']);
    expect(registered.stdout).not.toContain('no interrupt was registered');
  });

  it('a driver that starts gets no such line', async () => {
    const { stdout } = await explore([FIXED, '--budget', '50']);
    expect(stdout).not.toContain('never started');
    expect(JSON.parse((await explore([FIXED, '--budget', '50', '--json'])).stdout)).not.toHaveProperty(
      'initializeStatus',
    );
  });
});

describe('explore --disable', () => {
  const WARNS = 'examples/broken/nic-unmodeled-register.ts';

  it('fires: a warning in every run makes the search exit 1', async () => {
    const { code, stdout } = await explore([WARNS, '--budget', '50']);
    expect(code).toBe(1);
    expect(stdout).toContain('\n  NIC-UNMODELED-REGISTER  MRQC in E1000InitializeEx — ');
  });

  it('quiet: with the rule disabled the same search is clean, and says which rules it left out', async () => {
    const { code, stdout } = await explore([WARNS, '--budget', '50', '--disable', 'NIC-UNMODELED-REGISTER']);
    expect(code).toBe(0);
    expect(stdout.split('\n')[1]).toBe(
      'seed=1 ticks=5000 processors=2 faults=none disabled=NIC-UNMODELED-REGISTER preemptions≤2 budget=50',
    );
    expect(stdout).not.toContain('NIC-UNMODELED-REGISTER  ');
    const json = await explore([WARNS, '--budget', '50', '--disable', 'NIC-UNMODELED-REGISTER', '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ disable: ['NIC-UNMODELED-REGISTER'], warnings: [] });
  });

  it('a scenario export may disable rules too; the settings line names them', async () => {
    const { code, stdout } = await explore(['test/cli/fixtures/scenario-disables.ts', '--budget', '50']);
    expect(code).toBe(0);
    expect(stdout.split('\n')[1]).toMatch(/ disabled=NIC-UNMODELED-REGISTER preemptions≤2 /);
  });

  it('the replay command carries --disable, and replays the same failure', async () => {
    const { code, stdout } = await explore([LOST, '--disable', 'ISR-CLAIM']);
    expect(code).toBe(1);
    const replay = /^Replay: ddikit explore (\S+) (.*)$/m.exec(stdout);
    expect(replay![2]).toMatch(/ --disable ISR-CLAIM --replay \S+$/);
    const again = await explore([replay![1]!, ...replay![2]!.split(' ')]);
    expect(again.code).toBe(1);
    expect(again.stdout).toContain('INT-LOST');
  });

  it('an unknown rule is a usage error naming the closest one', async () => {
    const { code, stdout, stderr } = await explore([LOST, '--disable', 'int-lost']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^ddikit: --disable: "int-lost" is not a rule\. Did you mean "INT-LOST"\? Rules: C-TRAP, /);
  });
});

describe('progress', () => {
  it('is drawn on a terminal, in place, and cleared at the end', async () => {
    const { stderr } = await explore([FIXED, '--budget', '6000'], true);
    expect(stderr).toMatch(/\r\x1b\[K {2}[\d,]+ schedules \((systematic, \d preemptions?|random)\) — [\d,]+\/s/);
    expect(stderr.endsWith('\r\x1b[K')).toBe(true);
  });

  it('stays quiet otherwise', async () => {
    const { stderr } = await explore([FIXED, '--budget', '2000']);
    expect(stderr).toBe('');
  });
});

describe('usage', () => {
  it('--help prints the usage', async () => {
    const { code, stdout } = await explore(['--help']);
    expect(code).toBe(0);
    expect(stdout).toBe(`Usage:\n${exploreUsage}`);
    expect(exploreUsage).toContain('ddikit explore MODULE [--seed N] [--ticks N] [--preemptions K] [--budget N]');
  });

  const cases: { args: string[]; want: string }[] = [
    { args: [], want: 'explore needs a driver module, e.g. ddikit explore examples/scenarios/lost-interrupt.ts.' },
    {
      args: [LOST, FIXED],
      want: 'explore takes one driver module (got 2: examples/scenarios/lost-interrupt.ts examples/scenarios/lost-interrupt-fixed.ts).',
    },
    { args: ['nope.ts'], want: 'cannot find the driver module "nope.ts".' },
    {
      args: ['examples'],
      want: '"examples" is a folder; name a driver module (.ts or .js) or the driver\'s C sources (.c).',
    },
    { args: [LOST, '--budget', '0'], want: '--budget must be an integer in 1..100000000 (got "0").' },
    { args: [LOST, '--preemptions', '17'], want: '--preemptions must be an integer in 0..16 (got "17").' },
    { args: [LOST, '--seed', 'x'], want: '--seed must be an integer in 0..9007199254740991 (got "x").' },
    {
      args: [LOST, '--replay', '3-1'],
      want: '--replay: a schedule is a list of INDEX:ALTERNATIVE pairs such as 14:1,40:2 (got "3-1").',
    },
    {
      args: [LOST, '--faults', 'hail'],
      want: '--faults: unknown fault "hail" (one of shared-line, spurious, storm, surprise-removal, interrupt-during-register, dpc-coalescing, line-for-msi, or all).',
    },
    {
      args: [LOST, '--export', 'nothing'],
      want: 'examples/scenarios/lost-interrupt.ts has no export "nothing" (it exports: default, lostInterruptDriver, scenario).',
    },
    {
      args: [LOST, '--export', 'scenario'],
      want: 'examples/scenarios/lost-interrupt.ts: the export "scenario" is not a miniport made with defineMiniport of @ddikit/sim.',
    },
    { args: [LOST, '--frobnicate'], want: "Unknown option '--frobnicate'" },
  ];
  for (const { args, want } of cases) {
    it(`${args.join(' ') || '(no arguments)'} → exit 2`, async () => {
      const { code, stderr, stdout } = await explore(args);
      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toContain(`ddikit: ${want}`);
      expect(stderr.endsWith('Run "ddikit explore --help" for usage.\n')).toBe(true);
    });
  }

  it('a race that needs another device on the line: a clean search says the default schedule races with one', async () => {
    const args = ['test/cli/fixtures/shared-line-race.ts', '--budget', '50'];
    const text = await explore(args);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(
      /\nNo schedule failed: 50 schedules — [^\n]*\n\nWith another device on the line, the default schedule races: ISR-SHARED-RACE field seen\.\nNo other device raised the line in these runs \(explore's default; simulate's is --shared-line 10\):\nexplore with --faults shared-line to search those schedules too\.\n$/,
    );
    const json = JSON.parse((await explore([...args, '--json'])).stdout) as {
      races: unknown[];
      sharedLineRaces?: string[];
    };
    expect(json.races).toEqual([]);
    expect(json.sharedLineRaces).toEqual(['ISR-SHARED-RACE field seen']);
    // With the shared line the search itself lists the race, and the hint has nothing to add.
    const shared = await explore([...args, '--faults', 'shared-line']);
    expect(shared.code).toBe(1);
    expect(shared.stdout).toContain('ISR-SHARED-RACE  field seen');
    expect(shared.stdout).not.toContain('With another device on the line');
  });

  // A driver that fails before its runs is a finding about the driver, not about the command line:
  // exit 1, no pointer to --help, and a JSON report under --json.
  it('a module that does not parse → exit 1, naming it, with no pointer to --help', async () => {
    mkdirSync(join(root, '.tmp'), { recursive: true });
    const dir = mkdtempSync(join(root, '.tmp', 'explore-'));
    try {
      writeFileSync(join(dir, 'broken.ts'), 'export default (;\n');
      const { code, stderr, stdout } = await explore([join(dir, 'broken.ts')]);
      expect(code).toBe(1);
      expect(stdout).toBe('');
      expect(stderr).toMatch(/^ddikit explore: cannot load \.tmp\/explore-\w+\/broken\.ts: .*\n$/);
      expect(stderr).not.toContain('--help');
      // Node names files by absolute path; ddikit names them as the user did.
      expect(stderr).not.toContain(root);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(existsSync(dir)).toBe(false);
  });

  it('a module that throws at its top level → exit 1, naming where it threw, in text and JSON', async () => {
    mkdirSync(join(root, '.tmp'), { recursive: true });
    const dir = mkdtempSync(join(root, '.tmp', 'explore-'));
    try {
      writeFileSync(
        join(dir, 'throws.ts'),
        "const ring: number[] = [];\nif (ring.length === 0) throw new RangeError('no ring');\n",
      );
      const shown = `.tmp/${basename(dir)}/throws.ts`;
      const text = await explore([join(dir, 'throws.ts')]);
      expect(text).toEqual({
        code: 1,
        stdout: '',
        stderr: `ddikit explore: cannot load ${shown}: no ring (at ${shown}:2:30)\n`,
      });
      const json = await explore([join(dir, 'throws.ts'), '--json']);
      expect(json.code).toBe(1);
      expect(JSON.parse(json.stdout)).toEqual({
        clean: false,
        error: 'cannot-load',
        message: `cannot load ${shown}: no ring (at ${shown}:2:30)`,
        at: `${shown}:2:30`,
      });
      expect(json.stderr).toBe(text.stderr);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("ddikit explore, a failure's driver call", () => {
  it('names the line of the DDI call that broke the contract, as simulate does: the text, the JSON and the replay', async () => {
    const lines = readFileSync(join(root, 'examples/broken/irql-call.ts'), 'utf8').split('\n');
    const line = lines.findIndex((text) => text.includes('NdisDprAcquireSpinLock(a.rxLock); // the bug')) + 1;
    const at = new RegExp(`^DRIVER CALL: {2}examples/broken/irql-call\\.ts:${line}:\\d+$`, 'm');
    const text = await explore(['examples/broken/irql-call.ts']);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/FAILED after \d+ schedules? \(systematic\): IRQL-CALL/);
    expect(text.stdout).toMatch(at);
    const json = JSON.parse((await explore(['examples/broken/irql-call.ts', '--json'])).stdout) as {
      failure: { location: string };
    };
    expect(json.failure.location).toMatch(new RegExp(`^examples/broken/irql-call\\.ts:${line}:\\d+$`));
    const replayed = await explore(['examples/broken/irql-call.ts', '--replay', '-']);
    expect(replayed.stdout).toMatch(at);
  });
});

describe("ddikit explore, a TypeScript driver's races", () => {
  it('name the line of each access, as a C driver’s do', async () => {
    const { stdout } = await explore(['examples/broken/dpc-shared-race.ts', '--budget', '100']);
    expect(stdout).toMatch(
      /write framesReceived — E1000InterruptDpc .*\n {8}at cleanRxRing \(examples\/broken\/_e1000\.ts:\d+:\d+\)\n/,
    );
    expect(stdout).toMatch(
      /read framesReceived — E1000Watchdog .*\n {8}at E1000Watchdog \(examples\/broken\/dpc-shared-race\.ts:\d+:\d+\)\n/,
    );
  });
});

describe('ddikit explore, a failure of a lock left held', () => {
  it("the replayed report names the driver's line of the acquire never released", async () => {
    const { code, stdout } = await explore(['examples/broken/lock-leak.ts']);
    expect(code).toBe(1);
    expect(stdout).toMatch(/FAILED after \d+ schedules? \(systematic\): LOCK-LEAK/);
    const at =
      /which it acquired with NdisDprAcquireSpinLock at tick \d+, at receive \(examples\/broken\/lock-leak\.ts:(\d+):\d+\), and did not release/.exec(
        reportBlock(stdout, 'LOCK-LEAK'),
      );
    expect(at).not.toBeNull();
    const lines = readFileSync(join(root, 'examples/broken/lock-leak.ts'), 'utf8').split('\n');
    expect(lines[Number(at![1]) - 1]).toContain('NdisDprAcquireSpinLock(a.rxLock)');
  });
});
