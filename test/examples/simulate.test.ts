/**
 * `ddikit simulate` end to end through runSimulate: a clean example (exit 0) and a broken one
 * (exit 1) in text and JSON, several seeds, a named export, a driver that throws, the same output
 * for the same seed, every usage error (exit 2) with its exact message, and the run that
 * examples/README.md shows.
 */
import '../built-harness.js';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { CliIo } from '../../generator/src/cli/io.js';
import { runSimulate, simulateUsage } from '../../generator/src/cli/commands/simulate.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

async function simulate(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { cwd: root, stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), color: false };
  const code = await runSimulate(args, io);
  return { code, stdout, stderr };
}

interface JsonRun {
  seed: number;
  tick: number;
  clean: boolean;
  errors: number;
  warnings: number;
  halted: boolean;
  bugCheck: string | null;
  stats: { interrupts: number; dpcs: number; synchronizeCalls: number };
  reports: {
    rule: string;
    bugCheck: { code: number; parameters: number[] } | null;
    seed: number;
    tick: number;
    occurrences: number;
  }[];
  failure?: string;
}

interface JsonOutput {
  driver: string;
  module: string;
  clean: boolean;
  options: Record<string, unknown>;
  runs: JsonRun[];
}

describe('ddikit simulate with a clean example', () => {
  it('prints the settings and a clean line, and exits 0', async () => {
    const { code, stdout, stderr } = await simulate(['examples/e1000-line.ts', '--ticks', '20000']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const lines = stdout.split('\n');
    expect(lines[0]).toBe('ddikit simulate: e1000-line (examples/e1000-line.ts)');
    expect(lines[1]).toBe(
      'seed=1 ticks=20000 mode=bugcheck processors=2 grant=msix-if-supported rx-queues=1 shared-line=10‰',
    );
    expect(lines[3]).toMatch(
      /^seed=1 tick=200\d\d: clean — [1-9]\d* frames received, [1-9]\d* sent, 0 missed; \d+ interrupts( \(\d+ raised by another device\))?, \d+ DPCs, \d+ synchronize calls, \d+ role calls, \d+ register reads, \d+ writes$/,
    );
    expect(stdout.endsWith('\nNo violations.\n')).toBe(true);
  });

  it('prints JSON with --json: one clean run per seed, with its statistics', async () => {
    const { code, stdout } = await simulate([
      'examples/e1000-line.ts',
      '--json',
      '--seeds',
      '3',
      '--seed',
      '7',
      '--ticks',
      '10000',
      '--mode',
      'collect',
    ]);
    expect(code).toBe(0);
    const output = JSON.parse(stdout) as JsonOutput;
    expect(output.driver).toBe('e1000-line');
    expect(output.module).toBe('examples/e1000-line.ts');
    expect(output.clean).toBe(true);
    expect(output.options).toMatchObject({
      seed: 7,
      seeds: 3,
      ticks: 10000,
      mode: 'collect',
      processors: 2,
      interrupt: 'msix',
      sharedLinePerMille: 10,
    });
    expect(output.runs.map((r) => r.seed)).toEqual([7, 8, 9]);
    for (const run of output.runs) {
      expect(run).toMatchObject({ clean: true, errors: 0, warnings: 0, halted: true, bugCheck: null, reports: [] });
      expect(run.stats.interrupts).toBeGreaterThan(0);
      expect(run.stats.synchronizeCalls).toBeGreaterThan(run.stats.dpcs);
    }
  });

  it('runs a named export: --export syncWithAllMessages', async () => {
    const { code, stdout } = await simulate([
      'examples/msix-queues.ts',
      '--export',
      'syncWithAllMessages',
      '--rx-queues',
      '2',
      '--ticks',
      '20000',
    ]);
    expect(code).toBe(0);
    expect(stdout.split('\n')[0]).toBe('ddikit simulate: msix-queues-sync-all (examples/msix-queues.ts)');
  });

  it('gives the same bytes for the same seed', async () => {
    const args = [
      'examples/msix-queues.ts',
      '--json',
      '--seed',
      '11',
      '--ticks',
      '20000',
      '--interrupt',
      'line',
      '--link-changes',
    ];
    const first = await simulate(args);
    const second = await simulate(args);
    expect(second.stdout).toBe(first.stdout);
  });
});

describe('ddikit simulate with a broken example', () => {
  it('prints the bug-check analysis and exits 1', async () => {
    const { code, stdout, stderr } = await simulate(['examples/broken/may-call.ts']);
    expect(stderr).toBe('');
    expect(code).toBe(1);
    expect(stdout).toContain('\nDRIVER_VERIFIER_DETECTED_VIOLATION (c4)\n');
    expect(stdout).toContain('\nArg1: 0000000000000042\n');
    expect(stdout).toContain('\nRULE_ID:  MAY-CALL\n');
    expect(stdout).toContain('\nFUNCTION:  E1000Isr\n');
    expect(stdout).toMatch(/\nREPRODUCE: {2}seed=1 tick=\d+\n/);
    expect(stdout).toMatch(
      /\nseed=1 tick=\d+: 1 error, 0 warnings — MAY-CALL \(0xC4\/0x42\) NdisDprAcquireSpinLock in E1000Isr; bug check 0xC4 stopped the run\nReplay: ddikit simulate examples\/broken\/may-call\.ts --seed 1\n\nViolations found\.\n$/,
    );
  });

  it('names the command that runs the first seed with findings alone, and that command reports it again', async () => {
    const args = [
      'examples/broken/lock-order.ts',
      '--seed',
      '5',
      '--seeds',
      '4',
      '--mode',
      'collect',
      '--ticks',
      '3000',
    ];
    const { stdout } = await simulate([...args, '--json']);
    const first = (JSON.parse(stdout) as JsonOutput).runs.find((run) => !run.clean)!;
    const text = (await simulate(args)).stdout;
    const replay = /\nReplay: ddikit simulate (.*)\n/.exec(text)![1]!;
    expect(replay).toBe(`examples/broken/lock-order.ts --mode collect --ticks 3000 --seed ${first.seed}`);
    expect(text.match(/\nReplay: /g)).toHaveLength(1);
    const again = await simulate(replay.split(' '));
    expect(again.code).toBe(1);
    expect(again.stdout).toContain(`\nseed=${first.seed} tick=${first.tick}: `);
    expect(again.stdout).toContain(`\nReplay: ddikit simulate ${replay}\n`);
  });

  it('prints the report as JSON with --json', async () => {
    const { code, stdout } = await simulate(['examples/broken/may-call.ts', '--json']);
    expect(code).toBe(1);
    const output = JSON.parse(stdout) as JsonOutput;
    expect(output.clean).toBe(false);
    const [run] = output.runs;
    expect(run).toMatchObject({ seed: 1, clean: false, errors: 1, warnings: 0, halted: false, bugCheck: 'MAY-CALL' });
    expect(run!.reports).toHaveLength(1);
    expect(run!.reports[0]!.rule).toBe('MAY-CALL');
    expect(run!.reports[0]!.bugCheck!.code).toBe(0xc4);
    expect(run!.reports[0]!.bugCheck!.parameters[0]).toBe(0x42);
    expect(run!.reports[0]!.tick).toBe(run!.tick);
  });

  it('in collect mode over several seeds, reports each seed in a line and the first in full', async () => {
    const { code, stdout } = await simulate([
      'examples/broken/lock-order.ts',
      '--mode',
      'collect',
      '--seeds',
      '3',
      '--ticks',
      '20000',
    ]);
    expect(code).toBe(1);
    expect(stdout.match(/RULE_ID: {2}LOCK-ORDER\n/g)).toHaveLength(1);
    expect(
      stdout.match(
        /^seed=\d tick=\d+: 1 error, 0 warnings — LOCK-ORDER \(0xC4\/0x1003\) NdisReleaseSpinLock in E1000InterruptDpc ×\d+$/gm,
      ),
    ).toHaveLength(3);
    expect(stdout.endsWith('\n3 runs: 0 clean, 3 with findings.\n')).toBe(true);
  });

  it('exits 1 on a warning alone (ISR-CLAIM)', async () => {
    const { code, stdout } = await simulate(['examples/broken/isr-claim.ts', '--json']);
    expect(code).toBe(1);
    const [run] = (JSON.parse(stdout) as JsonOutput).runs;
    expect(run).toMatchObject({ errors: 0, bugCheck: null, halted: true });
    expect(run!.warnings).toBe(1);
  });

  it('reports a run the driver made fail (it threw) with seed and tick, and exits 1', async () => {
    const { code, stdout } = await simulate(['test/examples/fixtures/throwing-driver.ts', '--json']);
    expect(code).toBe(1);
    const [run] = (JSON.parse(stdout) as JsonOutput).runs;
    expect(run!.clean).toBe(false);
    expect(run!.failure).toMatch(
      /^driver throwing-driver threw in ThrowingDpc \(MINIPORT_INTERRUPT_DPC\) at test\/examples\/fixtures\/throwing-driver\.ts:36:11: descriptor ring corrupted \(seed=1 tick=\d+\)$/,
    );
  });
});

describe('ddikit simulate --timeline', () => {
  it('writes one self-contained page that marks the violation and links it to its report', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ddikit-timeline-'));
    try {
      const file = join(dir, 'run.html');
      const result = await simulate(['examples/broken/may-call.ts', '--ticks', '20000', '--timeline', file]);
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(/\nTimeline: .*run\.html\n$/);
      const html = readFileSync(file, 'utf8');
      expect(html).toMatch(/^<!DOCTYPE html>/i);
      expect(html).toContain('MAY-CALL');
      expect(html).toContain('NdisDprAcquireSpinLock');
      // The report's DRIVER CALL line, as the text output prints it.
      const call = /\nDRIVER CALL: {2}(examples\/broken\/may-call\.ts:\d+:\d+)\n/.exec(result.stdout)?.[1];
      expect(call).toBeDefined();
      expect(html).toContain(`\nDRIVER CALL:  ${call}\n</pre>`);
      // Offline: no external resource of any kind.
      expect(html).not.toMatch(/\b(src|href)=["']https?:/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects a timeline file that is not .html', async () => {
    const result = await simulate(['examples/e1000-line.ts', '--timeline', 'out.txt']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^ddikit: --timeline needs a file name ending in \.html \(got "out\.txt"\)\./);
  });
});

describe('ddikit simulate usage', () => {
  it('prints its usage with --help and exits 0', async () => {
    const { code, stdout } = await simulate(['--help']);
    expect(code).toBe(0);
    expect(stdout).toBe(`Usage:\n${simulateUsage}`);
  });

  const hint = '\nRun "ddikit simulate --help" for usage.\n';
  it.each([
    [[], 'simulate needs a driver module, e.g. ddikit simulate examples/e1000-line.ts.'],
    [['a.ts', 'b.ts'], 'simulate takes one driver module (got 2: a.ts b.ts).'],
    [['examples/nope.ts'], 'cannot find the driver module "examples/nope.ts".'],
    [['examples'], '"examples" is a folder; name a driver module (.ts or .js) or the driver\'s C sources (.c).'],
    [['examples/e1000-line.ts', '--mode', 'panic'], '--mode must be bugcheck or collect (got "panic").'],
    [['examples/e1000-line.ts', '--interrupt', 'msi'], '--interrupt must be msix or line (got "msi").'],
    [['examples/e1000-line.ts', '--seed=-1'], '--seed must be an integer in 0..9007199254740990 (got "-1").'],
    [['examples/e1000-line.ts', '--ticks', '0'], '--ticks must be an integer in 1..1099511627776 (got "0").'],
    [['examples/e1000-line.ts', '--ticks', '1e5'], '--ticks must be an integer in 1..1099511627776 (got "1e5").'],
    [['examples/e1000-line.ts', '--processors', '65'], '--processors must be an integer in 1..64 (got "65").'],
    [['examples/e1000-line.ts', '--rx-queues', '3'], '--rx-queues must be an integer in 1..2 (got "3").'],
    [['examples/e1000-line.ts', '--shared-line', '1001'], '--shared-line must be an integer in 0..1000 (got "1001").'],
    [['examples/e1000-line.ts', '--seeds', '0'], '--seeds must be an integer in 1..100000 (got "0").'],
    [
      ['examples/e1000-line.ts', '--export', 'nope'],
      'examples/e1000-line.ts has no export "nope" (it exports: default, e1000LineDriver).',
    ],
    [
      ['examples/broken/_e1000.ts'],
      'examples/broken/_e1000.ts has no default export; a driver module ends with `export default defineMiniport(...)` (it exports: ALL_CAUSES, BUFFER_BYTES, LINE_CAUSES, MESSAGE_CAUSES, RING_DESCRIPTORS, brokenE1000, cleanRxRing, correctDpc, correctHalt, correctIsr, correctProgramRings, freeRings, serviceTxRing, startWatchdog).',
    ],
    [
      ['examples/msix-queues.ts', '--export', 'msixQueuesMiniport'],
      'examples/msix-queues.ts: the export "msixQueuesMiniport" is a function (msixQueuesMiniport), not a miniport made with defineMiniport of @ddikit/sim.',
    ],
    [['README.md'], '"README.md" is not a driver module; name a .ts or .js file (or the driver\'s C sources, .c).'],
  ])('ddikit simulate %j → exit 2: %s', async (args, message) => {
    const { code, stdout, stderr } = await simulate(args);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe(`ddikit: ${message}${hint}`);
  });

  it('rejects an unknown flag with exit 2', async () => {
    const { code, stderr } = await simulate(['examples/e1000-line.ts', '--bogus']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^ddikit: Unknown option '--bogus'.*\nRun "ddikit simulate --help" for usage\.\n$/s);
  });
});

describe('examples/README.md', () => {
  it('shows the output ddikit simulate prints for examples/broken/lock-order.ts', async () => {
    const readme = readFileSync(`${root}examples/README.md`, 'utf8');
    const command = '$ npx ddikit simulate examples/broken/lock-order.ts\n';
    const shown = readme.split(`\`\`\`text\n${command}`)[1]!.split('```')[0]!;
    const { code, stdout } = await simulate(['examples/broken/lock-order.ts']);
    expect(code).toBe(1);
    expect(stdout).toBe(shown);
  });
});
