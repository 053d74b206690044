/**
 * The line-based e1000 miniport in C (examples/c/e1000-line.c) — DriverEntry, registration,
 * resources, mapped registers, pool, spin locks, the interrupt — runs on the harness exactly as the
 * TypeScript e1000 driver does, through the API and through `ddikit simulate`.
 */
import '../built-harness.js';
import { createSimulation, E1000Nic } from '@ddikit/sim';
import { defineCMiniport } from '@ddikit/sim-c';
import { describe, expect, it } from 'vitest';
import { runSimulate } from '../../generator/src/cli/commands/simulate.js';
import type { CliIo } from '../../generator/src/cli/io.js';
import tsDriver, { e1000LineDriver } from '../../examples/e1000-line.js';
import tsWatchdog from '../../examples/e1000-watchdog.js';
import { load, root } from './build.js';

const E1000_LINE = 'examples/c/e1000-line.c';

describe('the C e1000 line miniport', () => {
  it('runs clean with the statistics of the TypeScript e1000 line driver (seed 7, 200 000 ticks)', async () => {
    const driver = await load({ files: [E1000_LINE] });
    const c = createSimulation({ seed: 7, device: new E1000Nic(), mode: 'collect' }).run(defineCMiniport(driver), {
      ticks: 200_000,
    });
    const ts = createSimulation({ seed: 7, device: new E1000Nic(), mode: 'collect' }).run(tsDriver, {
      ticks: 200_000,
    });
    expect(c.reports).toEqual([]);
    expect(c.halted).toBe(true);
    expect(c.stats.interrupts).toBeGreaterThan(1000);
    expect(c.stats).toEqual(ts.stats);
  });

  it('with its watchdog timer on (e1000-watchdog.c): runs clean, the timer function at DISPATCH_LEVEL every millisecond, as the TypeScript watchdog does', async () => {
    const definition = defineCMiniport(await load({ files: ['examples/c/e1000-watchdog.c'] }));
    const sim = createSimulation({ seed: 7, device: new E1000Nic(), mode: 'collect' });
    const watched = sim.run(definition, { ticks: 200_000 });
    expect(watched.reports).toEqual([]);
    expect(watched.halted).toBe(true);
    // Set 1 ms after initialize, every 1 ms up to 20 ms: 19 expirations, each a role call of
    // NDIS_TIMER_FUNCTION (checked at DISPATCH_LEVEL) that takes and releases the RX lock.
    expect(watched.stats.timerCalls).toBe(19);
    expect(watched.stats.interrupts).toBeGreaterThan(1000);
    // examples/e1000-watchdog.ts: the same driver in TypeScript, the same run.
    const ts = createSimulation({ seed: 7, device: new E1000Nic(), mode: 'collect' }).run(tsWatchdog, {
      ticks: 200_000,
    });
    expect(watched.stats).toEqual(ts.stats);
    // Coalescable (CONTOSO_WATCHDOG 2): every 2 ms ± 1 ms, so 6 to 19 expirations in 20 ms, the
    // seed's — the same draws in C and TypeScript.
    const coalesced = defineCMiniport(await load({ files: [E1000_LINE], defines: { CONTOSO_WATCHDOG: 2 } }));
    const tsCoalesced = e1000LineDriver({ watchdog: 2 });
    for (const seed of [7, 8]) {
      const c = createSimulation({ seed, device: new E1000Nic(), mode: 'collect' }).run(coalesced, { ticks: 200_000 });
      expect(c.reports).toEqual([]);
      expect(c.stats.timerCalls).toBeGreaterThanOrEqual(6);
      expect(c.stats.timerCalls).toBeLessThanOrEqual(19);
      const t = createSimulation({ seed, device: new E1000Nic(), mode: 'collect' }).run(tsCoalesced, {
        ticks: 200_000,
      });
      expect(c.stats).toEqual(t.stats);
    }
  });

  it('is named after its MINIPORT_INITIALIZE function and replays a seed exactly', async () => {
    const definition = defineCMiniport(await load({ files: [E1000_LINE] }));
    expect(definition.name).toBe('ContosoInitializeEx');
    const runs = [1, 2].map(() =>
      createSimulation({ seed: 3, device: new E1000Nic() }).run(definition, { ticks: 30_000 }),
    );
    expect(runs[0]!.stats).toEqual(runs[1]!.stats);
  });

  it('runs under ddikit simulate, access-instrumented, and exits 0', async () => {
    let stdout = '';
    let stderr = '';
    const io: CliIo = { cwd: root, stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), color: false };
    const code = await runSimulate([E1000_LINE, '--ticks', '50000', '--seeds', '2'], io);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const lines = stdout.split('\n');
    expect(lines[0]).toBe(`ddikit simulate: ContosoInitializeEx (${E1000_LINE})`);
    const clean = /^seed=\d tick=\d+: clean — [1-9]\d* frames received, [1-9]\d* sent, \d+ missed; [1-9]\d* interrupts/;
    expect(lines.filter((line) => clean.test(line))).toHaveLength(2);
  });
});
