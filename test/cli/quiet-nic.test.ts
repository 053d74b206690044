/**
 * `simulate` says when clean runs never ran the driver's DPC: "all clean" alone would read as runs
 * that tested the interrupt path. Why is named: no interrupt was registered, the NIC raised nothing
 * of its own (and what makes it raise), or the ISR queued no DPC for what it raised.
 */
import '../built-harness.js';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runSimulate } from '../../generator/src/cli/commands/simulate.js';
import type { CliIo } from '../../generator/src/cli/io.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const FIXTURE = 'test/cli/fixtures/quiet-nic.ts';

async function simulate(args: string[]): Promise<{ code: number; stdout: string }> {
  let stdout = '';
  const io: CliIo & { progress: boolean } = {
    cwd: root,
    stdout: (text) => void (stdout += text),
    stderr: () => {},
    color: false,
    progress: false,
  };
  const code = await runSimulate(args, io);
  return { code, stdout };
}

const HOW =
  /\n {2}The NIC raises a cause once the driver unmasks it \(IMS\) and it happens: frames arrive only with the\n {2}receiver on \(RCTL\.EN\) and a receive ring to fill, link changes with --link-changes\.\n$/;

describe('simulate: clean runs where no DPC ran', () => {
  it('the NIC raised nothing of its own: says so, and what makes it raise', async () => {
    const { code, stdout } = await simulate([FIXTURE, '--seeds', '2', '--ticks', '200000']);
    expect(code).toBe(0);
    expect(stdout).toMatch(
      /\n2 runs, all clean\.\nBut no DPC ran in any run: the NIC raised no interrupt of its own, so the ISR ran only for another device's \(\d+ interrupts on the shared line\) and the DPC never ran\.\n/,
    );
    expect(stdout).toMatch(HOW);
    const alone = await simulate([FIXTURE, '--ticks', '200000', '--shared-line', '0']);
    expect(alone.stdout).toMatch(
      /\nNo violations\.\nBut no DPC ran in the run: the NIC raised no interrupt of its own, so neither the ISR nor the DPC ran\.\n/,
    );
  });

  it('the NIC raised interrupts and the ISR queued no DPC for them: says how many', async () => {
    const { code, stdout } = await simulate([
      FIXTURE,
      '--export',
      'isrOnly',
      '--seeds',
      '2',
      '--ticks',
      '200000',
      '--link-changes',
    ]);
    expect(code).toBe(0);
    const own = [...stdout.matchAll(/: clean — .*?; (\d+) interrupts \((\d+) raised by another device\), 0 DPCs/g)].map(
      (m) => Number(m[1]) - Number(m[2]),
    );
    expect(own).toHaveLength(2);
    expect(stdout).toContain(
      `\nBut no DPC ran in any run: the ISR queued none for the NIC's ${own[0]! + own[1]!} interrupts.\n`,
    );
    expect(stdout).not.toMatch(HOW);
  });

  it('no interrupt registered: says so', async () => {
    const { code, stdout } = await simulate([FIXTURE, '--export', 'unregistered', '--seeds', '2', '--ticks', '20000']);
    expect(code).toBe(0);
    expect(stdout).toMatch(
      /\n2 runs, all clean\.\nBut no interrupt was registered in any run: MiniportInitializeEx never called NdisMRegisterInterruptEx, so no ISR or DPC of the driver ran\.\n$/,
    );
  });

  it('says nothing once a DPC ran', async () => {
    const linked = await simulate([FIXTURE, '--seeds', '2', '--ticks', '200000', '--link-changes']);
    expect(linked.stdout).toMatch(/, [1-9]\d* DPCs,/);
    expect(linked.stdout).not.toContain('But no DPC ran');
    const example = await simulate(['examples/e1000-line.ts', '--ticks', '20000']);
    expect(example.stdout).not.toContain('But no DPC ran');
  });
});
