/**
 * A DDI called after its run ended — from a timer or a promise the driver left behind — does not
 * reach the harness (no crash after the result): it is recorded as a late call of the run it belongs
 * to, with the driver's line. A driver that leaves nothing behind has none.
 */
import { createSimulation } from '@ddikit/sim';
import { describe, expect, it } from 'vitest';
import { testDriver } from '../drivers.js';
import { FakeDevice } from '../fake-device.js';

const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

describe('late calls', () => {
  it('fire: a timer and a promise calling NDIS after the run are recorded against runs 1 and 2', async () => {
    const sim = createSimulation({ seed: 1, device: new FakeDevice({ periodTicks: 300 }) });
    const timer = testDriver({
      afterInitialize: (a) => void setTimeout(() => a.ndis.NdisMQueueDpcEx(a.interrupt, 0, null as never, null), 0),
    });
    const promise = testDriver({
      afterInitialize: (a) => void Promise.resolve().then(() => a.ndis.NdisStallExecution(1)),
    });
    expect(sim.run(timer, { ticks: 500 }).clean).toBe(true);
    expect(sim.run(promise, { ticks: 500 }).clean).toBe(true);
    await tick();
    expect(sim.lateCalls.map((c) => [c.run, c.ddi])).toEqual([
      [2, 'NdisStallExecution'],
      [1, 'NdisMQueueDpcEx'],
    ]);
    expect(sim.lateCalls[0]!.driverFrames[0]!.file).toBe('test/sim/simulation/late-calls.test.ts');
  });

  it('quiet: a driver that leaves nothing behind has no late call', async () => {
    const sim = createSimulation({ seed: 1, device: new FakeDevice({ periodTicks: 300 }) });
    expect(sim.run(testDriver(), { ticks: 500 }).clean).toBe(true);
    await tick();
    expect(sim.lateCalls).toEqual([]);
  });
});
