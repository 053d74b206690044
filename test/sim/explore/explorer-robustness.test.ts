/**
 * The explorer never crashes: a driver that throws in its ISR, DPC or MiniportInitializeEx becomes
 * a crash in the result (what threw, in which role function, at which line of the driver, on which
 * schedule), a failure that does not come back when replayed (state kept from one run to the next)
 * is returned unshrunk and marked so, and a driver that assigns to its ndis table changes only its
 * own run. A driver whose runs offer no choice point is searched with interrupt causes arriving at
 * its register accesses, and the result says when every schedule ran (the space is exhausted).
 */
import { createSimulation, explore, formatSchedule, type MiniportDefinition } from '@ddikit/sim';
import { describe, expect, it } from 'vitest';
import { testDriver, type Hooks } from '../drivers.js';
import { FakeDevice } from '../fake-device.js';

const target = (driver: MiniportDefinition) => ({
  driver,
  seed: 3,
  scenario: { device: () => new FakeDevice({ periodTicks: 300 }), ticks: 3_000 },
  budget: 200,
});

const throwing: { given: string; hooks: Hooks; fn: string; role: string }[] = [
  {
    given: 'the ISR',
    hooks: {
      isr: () => {
        throw new Error('ring corrupted');
      },
    },
    fn: 'TestInterrupt',
    role: 'MINIPORT_ISR',
  },
  {
    given: 'the DPC',
    hooks: {
      dpc: () => {
        throw new Error('ring corrupted');
      },
    },
    fn: 'TestInterruptDpc',
    role: 'MINIPORT_INTERRUPT_DPC',
  },
  {
    given: 'MiniportInitializeEx',
    hooks: {
      afterInitialize: () => {
        throw new Error('ring corrupted');
      },
    },
    fn: 'TestInitializeEx',
    role: 'MINIPORT_INITIALIZE',
  },
];

describe('a driver that throws', () => {
  for (const c of throwing) {
    it(`in ${c.given}: a crash naming the function, the driver's line and the schedule`, () => {
      const result = explore(target(testDriver(c.hooks)));
      expect(result.failure).toBeNull();
      expect(result.exhaustive).toBe(false);
      const crash = result.crash!;
      expect(crash.thrown).toBe('ring corrupted');
      expect(crash.frames[0]).toMatchObject({ function: c.fn, role: c.role });
      expect(crash.driverFrames[0]!.file).toBe('test/sim/explore/explorer-robustness.test.ts');
      expect(crash.driverFrames[0]!.line).toBeGreaterThan(20);
      expect(crash.message).toMatch(
        new RegExp(
          `^driver test-driver threw in ${c.fn} \\(${c.role}\\) at test/sim/explore/explorer-robustness\\.test\\.ts:\\d+:\\d+: ring corrupted \\(seed=3 tick=\\d+\\)$`,
        ),
      );
      expect(formatSchedule(crash.schedule)).toBe('-'); // the default schedule already throws
      expect(crash.foundAt).toBe(1);
      expect(result.schedules).toBe(1);
    });
  }
});

describe('a failure that does not come back', () => {
  it('state kept between runs: returned as found, unshrunk, reproduced false — no crash', () => {
    let runs = 0;
    const flaky = testDriver({
      afterInitialize: (a) => {
        runs++;
        // Only the first run leaks its lock: a replay never fails the same way.
        if (runs === 1) a.ndis.NdisAcquireSpinLock(a.lock);
      },
    });
    const result = explore(target(flaky));
    expect(result.crash).toBeNull();
    const failure = result.failure!;
    expect(failure.report.rule).toBe('LOCK-LEAK');
    expect(failure.reproduced).toBe(false);
    expect(failure.schedule).toEqual(failure.found);
    expect(failure.foundAt).toBe(1);
  });
});

describe('a driver that assigns to its ndis table', () => {
  it('changes only its own run: the next run gets the harness DDIs again', () => {
    const sim = createSimulation({ seed: 1, device: new FakeDevice({ periodTicks: 300 }), mode: 'collect' });
    let stalls = 0;
    let first = true;
    const wraps = testDriver({
      afterInitialize: (a) => {
        if (first) {
          first = false;
          (a.ndis as { NdisStallExecution: (us: number) => void }).NdisStallExecution = () => void stalls++;
        }
        a.ndis.NdisStallExecution(1);
      },
    });
    expect(sim.run(wraps, { ticks: 500 }).clean).toBe(true);
    expect(stalls).toBe(1);
    expect(sim.run(wraps, { ticks: 500 }).clean).toBe(true);
    expect(stalls).toBe(1);
  });
});

describe('nothing to search', () => {
  it('a driver without choice points: the space is exhausted after the default schedule, and said so', () => {
    const result = explore(target(testDriver()));
    expect(result.failure).toBeNull();
    expect(result.spaceExhausted).toBe(true);
    expect(result.schedules).toBe(1);
    expect(result.distinct).toBe(1);
    expect(result.random).toBe(0);
  });
});
