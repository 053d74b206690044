/**
 * NDIS spin locks: LOCK-REACQUIRE, LOCK-RELEASE-UNHELD, LOCK-MISMATCH, LOCK-ORDER (both forms),
 * LOCK-UNINIT and the lock hold-time budget, each fired and shown quiet; and the IRQL an acquire
 * saves and a release restores.
 */
import { IRQL } from '@ddikit/ndis';
import { createSimulation } from '@ddikit/sim';
import { describe, expect, it } from 'vitest';
import { testDriver, type TestAdapter } from '../drivers.js';
import { FakeDevice } from '../fake-device.js';
import { ruleCase, runScenario } from '../rule-cases.js';

const inDpcOnce = (body: (a: TestAdapter) => void) => (a: TestAdapter, messageId: number) => {
  if (a.dpcCalls === 1) body(a);
  // the default work, so interrupts keep flowing
  a.ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, messageId, a.functions.takeCauses, a);
  a.notes.pop();
  a.ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, messageId, a.functions.enableInSync, a);
};

describe('spin-lock rules', () => {
  ruleCase({
    name: 'MiniportInitializeEx acquires a lock it already holds',
    rule: 'LOCK-REACQUIRE',
    code: 0xc4,
    p1: 0x1000,
    fire: {
      driver: testDriver({
        afterInitialize: (a) => {
          a.ndis.NdisAcquireSpinLock(a.lock);
          a.ndis.NdisDprAcquireSpinLock(a.lock);
          a.ndis.NdisReleaseSpinLock(a.lock);
        },
      }),
    },
    quiet: {
      driver: testDriver({
        afterInitialize: (a) => {
          a.ndis.NdisAcquireSpinLock(a.lock);
          a.ndis.NdisReleaseSpinLock(a.lock);
          a.ndis.NdisAcquireSpinLock(a.lock);
          a.ndis.NdisReleaseSpinLock(a.lock);
        },
      }),
    },
  });

  ruleCase({
    name: 'a DPC releases a lock it never acquired',
    rule: 'LOCK-RELEASE-UNHELD',
    code: 0xc4,
    p1: 0x1007,
    fire: { driver: testDriver({ dpc: inDpcOnce((a) => a.ndis.NdisDprReleaseSpinLock(a.lock)) }) },
    quiet: {
      driver: testDriver({
        dpc: inDpcOnce((a) => {
          a.ndis.NdisDprAcquireSpinLock(a.lock);
          a.ndis.NdisDprReleaseSpinLock(a.lock);
        }),
      }),
    },
  });

  ruleCase({
    name: 'a DPC takes a lock with NdisDprAcquireSpinLock and releases it with NdisReleaseSpinLock',
    rule: 'LOCK-MISMATCH',
    code: 0xc4,
    p1: 0x1009,
    fire: {
      driver: testDriver({
        dpc: inDpcOnce((a) => {
          a.ndis.NdisDprAcquireSpinLock(a.lock);
          a.ndis.NdisReleaseSpinLock(a.lock);
        }),
      }),
    },
    quiet: {
      driver: testDriver({
        dpc: inDpcOnce((a) => {
          a.ndis.NdisAcquireSpinLock(a.lock);
          a.ndis.NdisReleaseSpinLock(a.lock);
        }),
      }),
    },
  });

  ruleCase({
    name: 'acquire A, acquire B, release A, release B',
    rule: 'LOCK-ORDER',
    code: 0xc4,
    p1: 0x1003,
    fire: {
      driver: testDriver({
        afterInitialize: (a) => {
          a.ndis.NdisAcquireSpinLock(a.lock);
          a.ndis.NdisAcquireSpinLock(a.otherLock);
          a.ndis.NdisReleaseSpinLock(a.lock);
          a.ndis.NdisReleaseSpinLock(a.otherLock);
        },
      }),
    },
    quiet: {
      driver: testDriver({
        afterInitialize: (a) => {
          a.ndis.NdisAcquireSpinLock(a.lock);
          a.ndis.NdisAcquireSpinLock(a.otherLock);
          a.ndis.NdisReleaseSpinLock(a.otherLock);
          a.ndis.NdisReleaseSpinLock(a.lock);
        },
      }),
    },
  });

  ruleCase({
    name: 'two locks nested in both orders (a possible deadlock)',
    rule: 'LOCK-ORDER',
    code: 0xc4,
    p1: 0x1001,
    fire: {
      driver: testDriver({
        afterInitialize: (a) => {
          a.ndis.NdisAcquireSpinLock(a.lock);
          a.ndis.NdisAcquireSpinLock(a.otherLock);
          a.ndis.NdisReleaseSpinLock(a.otherLock);
          a.ndis.NdisReleaseSpinLock(a.lock);
        },
        dpc: inDpcOnce((a) => {
          a.ndis.NdisDprAcquireSpinLock(a.otherLock);
          a.ndis.NdisDprAcquireSpinLock(a.lock);
          a.ndis.NdisDprReleaseSpinLock(a.lock);
          a.ndis.NdisDprReleaseSpinLock(a.otherLock);
        }),
      }),
    },
    quiet: {
      driver: testDriver({
        afterInitialize: (a) => {
          a.ndis.NdisAcquireSpinLock(a.lock);
          a.ndis.NdisAcquireSpinLock(a.otherLock);
          a.ndis.NdisReleaseSpinLock(a.otherLock);
          a.ndis.NdisReleaseSpinLock(a.lock);
        },
        dpc: inDpcOnce((a) => {
          a.ndis.NdisDprAcquireSpinLock(a.lock);
          a.ndis.NdisDprAcquireSpinLock(a.otherLock);
          a.ndis.NdisDprReleaseSpinLock(a.otherLock);
          a.ndis.NdisDprReleaseSpinLock(a.lock);
        }),
      }),
    },
  });

  ruleCase({
    name: 'acquiring a lock NdisAllocateSpinLock never initialized',
    rule: 'LOCK-UNINIT',
    code: 0xc4,
    p1: 0x1002,
    fire: {
      driver: testDriver({
        afterInitialize: (a) => {
          const lock = {};
          a.ndis.NdisAcquireSpinLock(lock);
          a.ndis.NdisReleaseSpinLock(lock);
        },
      }),
    },
    quiet: {
      driver: testDriver({
        afterInitialize: (a) => {
          const lock = {};
          a.ndis.NdisAllocateSpinLock(lock);
          a.ndis.NdisAcquireSpinLock(lock);
          a.ndis.NdisReleaseSpinLock(lock);
          a.ndis.NdisFreeSpinLock(lock);
        },
      }),
    },
  });

  ruleCase({
    name: 'acquiring a lock after NdisFreeSpinLock',
    rule: 'LOCK-UNINIT',
    code: 0xc4,
    p1: 0x1002,
    fire: {
      driver: testDriver({
        afterInitialize: (a) => {
          const lock = {};
          a.ndis.NdisAllocateSpinLock(lock);
          a.ndis.NdisFreeSpinLock(lock);
          a.ndis.NdisAcquireSpinLock(lock);
          a.ndis.NdisReleaseSpinLock(lock);
        },
      }),
    },
    quiet: {
      driver: testDriver({
        afterInitialize: (a) => {
          const lock = {};
          a.ndis.NdisAllocateSpinLock(lock);
          a.ndis.NdisFreeSpinLock(lock);
          a.ndis.NdisAllocateSpinLock(lock);
          a.ndis.NdisAcquireSpinLock(lock);
          a.ndis.NdisReleaseSpinLock(lock);
        },
      }),
    },
  });

  ruleCase({
    name: 'NdisFreeSpinLock on a lock the caller holds, then its release',
    rule: 'LOCK-FREE-HELD',
    code: 0xc4,
    p1: 0xdd07,
    fire: {
      driver: testDriver({
        afterInitialize: (a) => {
          const lock = {};
          a.ndis.NdisAllocateSpinLock(lock);
          a.ndis.NdisAcquireSpinLock(lock);
          a.ndis.NdisFreeSpinLock(lock);
          a.ndis.NdisReleaseSpinLock(lock);
        },
      }),
    },
    quiet: {
      driver: testDriver({
        afterInitialize: (a) => {
          const lock = {};
          a.ndis.NdisAllocateSpinLock(lock);
          a.ndis.NdisAcquireSpinLock(lock);
          a.ndis.NdisReleaseSpinLock(lock);
          a.ndis.NdisFreeSpinLock(lock);
        },
      }),
    },
  });

  it('reports the free of a held lock at the free, naming the lock and its holder, and not again at the release', () => {
    const result = runScenario(
      {
        driver: testDriver({
          afterInitialize: (a) => {
            a.ndis.NdisAcquireSpinLock(a.otherLock);
            a.ndis.NdisFreeSpinLock(a.otherLock);
            a.ndis.NdisReleaseSpinLock(a.otherLock);
          },
        }),
      },
      'collect',
    );
    expect(result.reports.map((r) => `${r.rule} ${r.function}: ${r.message}`)).toEqual([
      'LOCK-FREE-HELD TestInitializeEx: NdisFreeSpinLock freed otherLock (spin lock #2), which processor 0 holds (the caller itself); release it first — its release would touch freed memory',
    ]);
    expect(result.reports[0]!.bugCheck!.parameters).toEqual([0xdd07, 2, 0, 0]);
  });

  ruleCase({
    name: 'a spin lock held across a 30 µs stall',
    rule: 'TIME-BUDGET',
    code: 0x133,
    p1: 0,
    fire: {
      driver: testDriver({
        afterInitialize: (a) => {
          a.ndis.NdisAcquireSpinLock(a.lock);
          a.ndis.NdisStallExecution(30);
          a.ndis.NdisReleaseSpinLock(a.lock);
        },
      }),
    },
    quiet: {
      driver: testDriver({
        afterInitialize: (a) => {
          a.ndis.NdisAcquireSpinLock(a.lock);
          a.ndis.NdisStallExecution(20);
          a.ndis.NdisReleaseSpinLock(a.lock);
        },
      }),
    },
  });
});

describe('spin-lock semantics', () => {
  it('NdisAcquireSpinLock raises to IRQL.DISPATCH_LEVEL and NdisReleaseSpinLock restores the saved IRQL', () => {
    const seen: number[] = [];
    const sim = createSimulation({ seed: 3, device: new FakeDevice() });
    const result = sim.run(
      testDriver({
        afterInitialize: (a) => {
          seen.push(sim.engine.cpu.irql);
          a.ndis.NdisAcquireSpinLock(a.lock);
          seen.push(sim.engine.cpu.irql);
          a.ndis.NdisDprAcquireSpinLock(a.otherLock);
          seen.push(sim.engine.cpu.irql);
          // Named after where the driver keeps them (the adapter it hands NdisMRegisterInterruptEx).
          expect(sim.locks.heldNames()).toEqual(['lock (spin lock #1)', 'otherLock (spin lock #2)']);
          a.ndis.NdisDprReleaseSpinLock(a.otherLock);
          seen.push(sim.engine.cpu.irql);
          a.ndis.NdisReleaseSpinLock(a.lock);
          seen.push(sim.engine.cpu.irql);
          expect(sim.locks.heldNames()).toEqual([]);
        },
      }),
      { ticks: 100 },
    );
    expect(result.clean).toBe(true);
    expect(seen).toEqual([0, IRQL.DISPATCH_LEVEL, IRQL.DISPATCH_LEVEL, IRQL.DISPATCH_LEVEL, 0]);
  });

  it('in collect mode an out-of-order release keeps IRQL at IRQL.DISPATCH_LEVEL until the last lock goes', () => {
    const seen: number[] = [];
    const sim = createSimulation({ seed: 3, device: new FakeDevice(), mode: 'collect' });
    const result = sim.run(
      testDriver({
        afterInitialize: (a) => {
          a.ndis.NdisAcquireSpinLock(a.lock);
          a.ndis.NdisAcquireSpinLock(a.otherLock);
          a.ndis.NdisReleaseSpinLock(a.lock);
          seen.push(sim.engine.cpu.irql);
          a.ndis.NdisReleaseSpinLock(a.otherLock);
          seen.push(sim.engine.cpu.irql);
        },
      }),
      { ticks: 100 },
    );
    expect(result.reports.map((r) => r.rule)).toEqual(['LOCK-ORDER']);
    expect(seen).toEqual([IRQL.DISPATCH_LEVEL, 0]);
  });

  it('a repeated bug at the same site is reported once, with a count', () => {
    const result = runScenario(
      {
        driver: testDriver({
          dpc: (a) => {
            a.ndis.NdisDprReleaseSpinLock(a.lock);
            a.ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, 0, a.functions.takeCauses, a);
            a.notes.pop();
            a.ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, 0, a.functions.enableInSync, a);
          },
        }),
      },
      'collect',
    );
    expect(result.reports).toHaveLength(1);
    expect(result.reports[0]!.rule).toBe('LOCK-RELEASE-UNHELD');
    expect(result.reports[0]!.occurrences).toBe(result.stats.dpcs);
    expect(result.stats.dpcs).toBeGreaterThan(10);
  });

  it('the report names the lock, the DDI, the function and the SDV rule with the code ddikit chose', () => {
    const result = runScenario(
      { driver: testDriver({ dpc: inDpcOnce((a) => a.ndis.NdisDprReleaseSpinLock(a.lock)) }) },
      'bugcheck',
    );
    const report = result.bugCheck!;
    expect(report.subject).toBe('NdisDprReleaseSpinLock');
    expect(report.function).toBe('TestInterruptDpc');
    expect(report.message).toContain('spin lock #1');
    expect(report.bugCheck!.parameters[1]).toBe(1); // lock id
    expect(report.compliance).toEqual({ rule: 'SpinlockRelease', code: 0x0004000b });
    expect(report.frames.map((f) => f.role)).toEqual(['MINIPORT_INTERRUPT_DPC']);
  });
});
