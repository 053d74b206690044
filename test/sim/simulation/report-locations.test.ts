/**
 * Every report carries the driver's file:line of the call that raised it: a spin lock taken twice is
 * reported at the line of the second acquire, in this file; a report raised with no driver code on
 * the stack has none; the same run gives the same locations.
 */
import { createSimulation } from '@ddikit/sim';
import { describe, expect, it } from 'vitest';
import { testDriver } from '../drivers.js';
import { FakeDevice } from '../fake-device.js';

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
    expect(result.reportLocations[first]).toBe('test/sim/simulation/report-locations.test.ts:14:12');
  });

  it('quiet: a clean run has none, and the same run gives the same locations', () => {
    const clean = createSimulation({ seed: 2, device: new FakeDevice({ periodTicks: 300 }) }).run(testDriver(), {
      ticks: 500,
    });
    expect(clean.reportLocations).toEqual([]);
    expect(run().reportLocations).toEqual(run().reportLocations);
  });
});
