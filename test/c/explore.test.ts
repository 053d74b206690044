/**
 * `ddikit explore` searches schedules of C miniports like those of TypeScript ones: the clean e1000
 * driver survives every schedule tried; a lost interrupt fails a schedule and a race on driver memory
 * shared with the ISR is found by lockset analysis, named by its pool block and offset.
 */
import '../built-harness.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runExplore } from '../../generator/src/cli/commands/explore.js';
import type { CliIo } from '../../generator/src/cli/io.js';
import { root } from './build.js';

async function explore(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { cwd: root, stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), color: false };
  const code = await runExplore(args, io);
  return { code, stdout, stderr };
}

describe('ddikit explore with C drivers', () => {
  it('finds no failing schedule of the clean e1000 driver', async () => {
    // 20 000 ticks: in explore's default 5 000 the NIC's traffic leaves fewer than 40 schedules to try.
    const { code, stdout, stderr } = await explore(['examples/c/e1000-line.c', '--budget', '40', '--ticks', '20000']);
    expect(stderr).toBe('');
    expect(stdout).toContain('No schedule failed: 40 schedules');
    expect(code).toBe(0);
  });

  it('fails a schedule of the driver that leaves the NIC masked (INT-LOST)', async () => {
    const { code, stdout } = await explore(['examples/c/broken/int-lost.c', '--budget', '40', '--ticks', '20000']);
    expect(stdout).toMatch(/FAILED after \d+ schedules? \(systematic\): INT-LOST/);
    expect(code).toBe(1);
  });

  it('lists the race on the ISR-shared field of the driver that skips NdisMSynchronizeWithInterruptEx', async () => {
    // A line shared with another device: the ISR may run while the NIC is masked, so the DPC's
    // unsynchronized read races with it (on a line of its own, a masked NIC keeps the ISR out).
    const { code, stdout } = await explore(['examples/c/broken/race.c', '--budget', '40', '--shared-line', '10']);
    expect(stdout).toMatch(/ISR-SHARED-RACE {2}field Cnto#\d+->PendingCauses/);
    expect(stdout).toMatch(/write Cnto#\d+->PendingCauses — ContosoIsr \(MINIPORT_ISR\)/);
    expect(stdout).toMatch(/read Cnto#\d+->PendingCauses — ContosoInterruptDpc \(MINIPORT_INTERRUPT_DPC\)/);
    expect(code).toBe(1);
    // Each access with its source line (the search runs without them; the race's schedule runs
    // once more with them): the ISR's update and the DPC's unsynchronized read of PendingCauses.
    const lines = readFileSync(join(root, 'examples/c/e1000-line.c'), 'utf8').split('\n');
    for (const fn of ['ContosoIsr', 'ContosoInterruptDpc']) {
      const at = new RegExp(`— ${fn} \\(.*\\n {8}at ${fn} \\(examples/c/e1000-line\\.c:(\\d+):\\d+\\)\\n`).exec(stdout);
      expect(at, fn).not.toBeNull();
      expect(lines[Number(at![1]) - 1]).toContain('PendingCauses');
    }
  });
});
