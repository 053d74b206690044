/**
 * The top-level API: determinism (same seed, same report JSON), the run's life cycle and result,
 * option checks, the verifier switch, surprise removal, failures that carry seed and tick, and the
 * correct test driver staying clean across seeds, processor counts and interrupt kinds.
 */
import {
  MINIPORT_HALT,
  NdisHaltDeviceDisabled,
  NdisHaltDeviceSurpriseRemoved,
  NDIS_STATUS_SUCCESS,
} from '@ddikit/ndis';
import {
  createSimulation,
  defineMiniport,
  isMiniportDefinition,
  REGISTER_REMOVED_VALUE,
  type RunResult,
} from '@ddikit/sim';
import { describe, expect, it } from 'vitest';
import { testDriver, type Hooks, type TestAdapter } from '../drivers.js';
import { FakeDevice, type FakeDeviceOptions } from '../fake-device.js';

/** A driver with several bugs, so a collect run has several reports with frames and transitions. */
const buggy: Hooks = {
  afterInitialize: (a) => {
    a.ndis.NdisAcquireSpinLock(a.lock);
    a.ndis.NdisAcquireSpinLock(a.otherLock);
    a.ndis.NdisReleaseSpinLock(a.lock);
    a.ndis.NdisReleaseSpinLock(a.otherLock);
  },
  dpc: (a, messageId) => {
    a.ndis.NdisDprAcquireSpinLock(a.lock);
    a.ndis.NdisStallExecution(a.dpcCalls % 7 === 0 ? 150 : 1);
    a.ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, messageId, a.functions.takeCauses, a);
    a.notes.pop();
    a.ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, messageId, a.functions.enableInSync, a);
    if (a.dpcCalls % 3 !== 0) a.ndis.NdisDprReleaseSpinLock(a.lock);
  },
};

function collect(seed: number, device: FakeDeviceOptions = { periodTicks: 300 }, hooks: Hooks = buggy): RunResult {
  const sim = createSimulation({
    seed,
    device: new FakeDevice(device),
    mode: 'collect',
    interrupt: { sharedLinePerMille: 50 },
  });
  return sim.run(testDriver(hooks), { ticks: 50_000 });
}

describe('determinism', () => {
  it('the same seed gives byte-identical report JSON, across simulations and across runs of one simulation', () => {
    const first = collect(1234);
    expect(first.reports.length).toBeGreaterThanOrEqual(3);
    const second = collect(1234);
    expect(JSON.stringify(second)).toBe(JSON.stringify(first));
    const sim = createSimulation({
      seed: 1234,
      device: new FakeDevice({ periodTicks: 300 }),
      mode: 'collect',
      interrupt: { sharedLinePerMille: 50 },
    });
    const a = sim.run(testDriver(buggy), { ticks: 50_000 });
    const b = sim.run(testDriver(buggy), { ticks: 50_000 });
    expect(JSON.stringify(a)).toBe(JSON.stringify(first));
    expect(JSON.stringify(b)).toBe(JSON.stringify(first));
  });

  it('different seeds give different runs (DIRQLs, processors, shared-line interrupts come from the seed)', () => {
    const runs = [1, 2, 3, 4, 5].map((seed) =>
      JSON.stringify(collect(seed).reports.map((r) => [r.irqlFound, r.processor, r.tick, r.occurrences])),
    );
    expect(new Set(runs).size).toBeGreaterThan(1);
  });

  it('every report carries the seed and tick of its run', () => {
    const result = collect(77);
    for (const report of result.reports) {
      expect(report.seed).toBe(77);
      expect(report.tick).toBeGreaterThan(0);
      expect(report.tick).toBeLessThanOrEqual(result.tick);
    }
  });
});

describe('a run', () => {
  it('initializes, runs the interrupt path over simulated time, halts, and reports statistics', () => {
    const actions: number[] = [];
    const sim = createSimulation({ seed: 5, device: new FakeDevice({ periodTicks: 1_000 }) });
    const result = sim.run(
      testDriver({ halt: (a) => (actions.push(a.dpcCalls), a.ndis.NdisMDeregisterInterruptEx(a.interrupt)) }),
      { ticks: 100_000 },
    );
    expect(result).toMatchObject({
      driver: 'test-driver',
      seed: 5,
      mode: 'bugcheck',
      verifier: true,
      processors: 2,
      ticksRequested: 100_000,
      initializeStatus: NDIS_STATUS_SUCCESS,
      halted: true,
      clean: true,
      errors: 0,
      warnings: 0,
      bugCheck: null,
    });
    expect(result.tick).toBeGreaterThanOrEqual(100_000);
    // Causes at ticks 1000, 2000, … 99000: 99 interrupts, each an ISR, a DPC and two synchronize calls.
    expect(result.stats.interrupts).toBe(99);
    expect(result.stats.dpcs).toBe(99);
    expect(result.stats.synchronizeCalls).toBe(198);
    expect(result.stats.roleCalls).toBe(2 + 99 * 4);
    expect(actions).toEqual([99]);
  });

  it('passes MiniportHaltEx the adapter context and NdisHaltDeviceDisabled', () => {
    const seen: unknown[] = [];
    const sim = createSimulation({ seed: 5, device: new FakeDevice() });
    sim.run(
      testDriver({
        halt: (a) => (seen.push(a.miniportHandle !== undefined), a.ndis.NdisMDeregisterInterruptEx(a.interrupt)),
      }),
      { ticks: 10, haltAction: NdisHaltDeviceDisabled },
    );
    expect(seen).toEqual([true]);
  });

  it('surprise removal: registers read all ones and MiniportHaltEx gets NdisHaltDeviceSurpriseRemoved', () => {
    const seen: unknown[] = [];
    const sim = createSimulation({ seed: 5, device: new FakeDevice({ periodTicks: 300 }) });
    const driver = defineMiniport('removal', (ndis) => {
      const inner = testDriver({ halt: (a) => void ndis.NdisMDeregisterInterruptEx(a.interrupt) }).create(ndis);
      const halt = MINIPORT_HALT('RemovalHaltEx', (context, action) => {
        const a = context as TestAdapter;
        seen.push([a.resources.registers.MASK!.value, action]);
        inner.MiniportHaltEx(context, action);
      });
      return { ...inner, MiniportHaltEx: halt };
    });
    const result = sim.run(driver, { ticks: 10_000, surpriseRemoveAtTick: 2_000 });
    expect(result.clean).toBe(true);
    expect(result.tick).toBeGreaterThanOrEqual(2_000);
    expect(result.tick).toBeLessThan(3_000);
    expect(seen).toEqual([[REGISTER_REMOVED_VALUE, NdisHaltDeviceSurpriseRemoved]]);
  });

  it('with the verifier off, checks nothing and still runs the driver', () => {
    const sim = createSimulation({ seed: 1234, device: new FakeDevice({ periodTicks: 300 }), verifier: false });
    const isrTakingALock: Hooks = {
      isr: (a, queueDpc) => {
        a.ndis.NdisAcquireSpinLock(a.lock);
        a.causes |= a.resources.registers.CAUSE!.value;
        a.ndis.NdisReleaseSpinLock(a.lock);
        a.resources.registers.MASK_CLEAR!.value = 0xffffffff;
        queueDpc.value = true;
        return true;
      },
    };
    const result = sim.run(testDriver(isrTakingALock), { ticks: 50_000 });
    expect(result.reports).toEqual([]);
    expect(result.verifier).toBe(false);
    expect(result.stats.interrupts).toBeGreaterThan(100);
    expect(result.stats.dpcs).toBe(result.stats.interrupts);
  });

  it('with the verifier off, a lock left held deadlocks the next processor that takes it: a failure with seed and tick', () => {
    const sim = createSimulation({ seed: 1234, device: new FakeDevice({ periodTicks: 300 }), verifier: false });
    expect(() => sim.run(testDriver({ dpc: buggy.dpc }), { ticks: 50_000 })).toThrow(
      /^NdisDprAcquireSpinLock: spin lock #1 is already held by processor \d; the processor would spin forever at test\/sim\/simulation\/simulation\.test\.ts:32:12 \(seed=1234 tick=\d+\)$/,
    );
  });

  it('bugcheck mode is the default and stops at the first error', () => {
    const sim = createSimulation({ seed: 1234, device: new FakeDevice({ periodTicks: 300 }) });
    const result = sim.run(testDriver(buggy), { ticks: 50_000 });
    expect(result.mode).toBe('bugcheck');
    expect(result.reports).toHaveLength(1);
    expect(result.bugCheck).toBe(result.reports[0]);
    expect(result.halted).toBe(false);
  });

  it('a driver that throws fails the run with seed and tick', () => {
    const sim = createSimulation({ seed: 8, device: new FakeDevice() });
    expect(() =>
      sim.run(
        testDriver({
          afterInitialize: () => {
            throw new Error('boom');
          },
        }),
        { ticks: 10 },
      ),
    ).toThrow(
      /^driver test-driver threw in TestInitializeEx \(MINIPORT_INITIALIZE\) at test\/sim\/simulation\/simulation\.test\.ts:\d+:\d+: boom \(seed=8 tick=\d+\)$/,
    );
  });

  it('refuses a nested run, a driver not made with defineMiniport, and bad tick counts', () => {
    const sim = createSimulation({ seed: 8, device: new FakeDevice() });
    expect(() =>
      sim.run(testDriver({ afterInitialize: () => void sim.run(testDriver(), { ticks: 1 }) }), { ticks: 10 }),
    ).toThrow(/already in progress/);
    expect(() => sim.run({} as never, { ticks: 10 })).toThrow(/defineMiniport/);
    expect(() => sim.run(testDriver(), { ticks: -1 })).toThrow(RangeError);
    expect(() => sim.run(testDriver(), { ticks: 1.5 })).toThrow(RangeError);
    expect(sim.run(testDriver(), { ticks: 0 }).halted).toBe(true);
  });

  it('refuses bad options', () => {
    const device = new FakeDevice();
    expect(() => createSimulation({ seed: -1, device })).toThrow(/seed/);
    expect(() => createSimulation({ seed: 1, device: {} as never })).toThrow(/Device interface/);
    expect(() => createSimulation({ seed: 1, device, processors: 0 })).toThrow(/processors/);
    expect(() => createSimulation({ seed: 1, device, costs: { interruptDispatchTicks: 0 } })).toThrow(
      /at least 1 tick/,
    );
    expect(() => createSimulation({ seed: 1, device, budgets: { isrTicksMax: 0 } })).toThrow(/budgets.isrTicksMax/);
    expect(() => createSimulation({ seed: 1, device, interrupt: { preemptPerMille: 2000 } })).toThrow(
      /preemptPerMille/,
    );
    expect(() => createSimulation({ seed: 1, device, interrupt: { irql: 2 } }).run(testDriver(), { ticks: 1 })).toThrow(
      /device levels 3..12/,
    );
  });

  it('refuses a flag that is not a boolean, naming it and what it got', () => {
    const device = new FakeDevice();
    // "false" as a string would read as on where the option is tested for truth.
    expect(() => createSimulation({ seed: 1, device, verifier: 'false' as never })).toThrow(
      /^createSimulation: verifier must be true or false \(got "false"\)$/,
    );
    expect(() => createSimulation({ seed: 1, device, lockSites: 1 as never })).toThrow(
      /^createSimulation: lockSites must be true or false \(got 1\)$/,
    );
    expect(() => createSimulation({ seed: 1, device, races: { contexts: 0 as never } })).toThrow(/races\.contexts/);
    expect(() => createSimulation({ seed: 1, device, races: 'on' as never })).toThrow(/races must be true, false or/);
    expect(() => createSimulation({ seed: 1, device, trace: 5 as never })).toThrow(/trace must be true, false or/);
    for (const lockSites of [true, false, undefined])
      expect(
        createSimulation({ seed: 1, device, lockSites, races: { contexts: false }, trace: false }).run(testDriver(), {
          ticks: 10,
        }).clean,
      ).toBe(true);
  });

  it('defineMiniport marks its result; other values are not drivers', () => {
    expect(isMiniportDefinition(testDriver())).toBe(true);
    expect(isMiniportDefinition({ name: 'x', create: () => ({}) })).toBe(false);
    expect(() => defineMiniport('', () => ({}) as never)).toThrow(TypeError);
  });
});

describe('the correct test driver stays clean', () => {
  const configurations: { name: string; device: FakeDeviceOptions; processors: number; syncAll?: boolean }[] = [
    { name: 'line, 1 processor', device: { periodTicks: 250 }, processors: 1 },
    { name: 'line, 2 processors', device: { periodTicks: 250 }, processors: 2 },
    { name: 'line, 4 processors', device: { periodTicks: 97 }, processors: 4 },
    { name: 'MSI-X with 2 messages, 2 processors', device: { messageCount: 2, periodTicks: 250 }, processors: 2 },
    {
      name: 'MSI-X with 4 messages, one lock for all',
      device: { messageCount: 4, periodTicks: 250 },
      processors: 4,
      syncAll: true,
    },
  ];
  for (const c of configurations) {
    it(`across 100 seeds with preemption and a shared line: ${c.name}`, () => {
      for (let seed = 0; seed < 100; seed++) {
        const sim = createSimulation({
          seed,
          device: new FakeDevice(c.device),
          processors: c.processors,
          mode: 'collect',
          interrupt: { sharedLinePerMille: 20, preemptPerMille: 1000, isrBeforeRegisterReturns: seed % 2 === 0 },
        });
        const result = sim.run(
          testDriver({ characteristics: (chars) => void (chars.MsiSyncWithAllMessages = c.syncAll === true) }),
          { ticks: 20_000 },
        );
        expect(result.reports.map((r) => `seed ${seed}: ${r.rule} ${r.message}`)).toEqual([]);
        expect(result.stats.interrupts).toBeGreaterThan(40);
      }
    });
  }
});
