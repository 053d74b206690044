/**
 * Every report carries the driver's file:line of the call that raised it: a spin lock taken twice is
 * reported at the line of the second acquire, in this file; a report raised with no driver code on
 * the stack has none; the same run gives the same locations. A DDI the driver calls wrongly, which
 * stops the run, names the role function and the line of the call too.
 */
import { readFileSync } from 'node:fs';
import { createSimulation, SimulationError } from '@ddikit/sim';
import { describe, expect, it } from 'vitest';
import { testDriver } from '../drivers.js';
import { FakeDevice } from '../fake-device.js';

const FILE = 'test/sim/simulation/report-locations.test.ts';
const lines = readFileSync(new URL(import.meta.url), 'utf8').split('\n');
/** The 1-based line of this file that ends with `marker`. */
const lineOf = (marker: string): number => lines.findIndex((line) => line.endsWith(marker)) + 1;

const reacquire = testDriver({
  afterInitialize: (a) => {
    a.ndis.NdisAcquireSpinLock(a.lock);
    a.ndis.NdisAcquireSpinLock(a.lock); // LOCK-REACQUIRE here
  },
});

function run() {
  return createSimulation({ seed: 2, device: new FakeDevice({ periodTicks: 300 }), mode: 'collect' }).run(reacquire, {
    ticks: 500,
  });
}

describe('report locations', () => {
  it("fire: a report names the driver's line of the DDI call that raised it", () => {
    const result = run();
    expect(result.reportLocations).toHaveLength(result.reports.length);
    const first = result.reports.findIndex((r) => r.rule !== 'LOCK-LEAK');
    expect(result.reportLocations[first]).toBe(`${FILE}:${lineOf('// LOCK-REACQUIRE here')}:12`);
  });

  it('quiet: a clean run has none, and the same run gives the same locations', () => {
    const clean = createSimulation({ seed: 2, device: new FakeDevice({ periodTicks: 300 }) }).run(testDriver(), {
      ticks: 500,
    });
    expect(clean.reportLocations).toEqual([]);
    expect(run().reportLocations).toEqual(run().reportLocations);
  });

  it('a DDI given a handle it does not take stops the run naming the role function and the line of the call', () => {
    const wrongHandle = testDriver({
      afterInitialize: (a) => {
        a.ndis.NdisMAllocateSharedMemory(a, 64, false, { value: null }, { value: 0n }); // the adapter, not its handle
      },
    });
    const sim = createSimulation({ seed: 4, device: new FakeDevice({ periodTicks: 300 }) });
    let thrown: unknown = null;
    try {
      sim.run(wrongHandle, { ticks: 500 });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(SimulationError);
    expect((thrown as Error).message).toBe(
      'NdisMAllocateSharedMemory: MiniportAdapterHandle is not the handle MiniportInitializeEx received' +
        ` — in TestInitializeEx (MINIPORT_INITIALIZE) at ${FILE}:${lineOf('// the adapter, not its handle')}:16 (seed=4 tick=2)`,
    );
  });
});
