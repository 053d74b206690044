/**
 * Interrupt objects: SYNC-UNREGISTERED, SYNC-MESSAGE-ID, ISR-CLAIM (three forms) and INT-DEREGISTER
 * (both forms), fired and quiet; and what NdisMRegisterInterruptEx grants, what
 * NdisMSynchronizeWithInterruptEx does, NdisMQueueDpcEx's KAFFINITY, DPC draining, ISR dispatch.
 */
import {
  IRQL,
  MINIPORT_SYNCHRONIZE_INTERRUPT,
  type MINIPORT_SYNCHRONIZE_INTERRUPT as SynchronizeFunction,
  NDIS_CONNECT_LINE_BASED,
  NDIS_CONNECT_MESSAGE_BASED,
  NDIS_STATUS_FAILURE,
  type Box,
  type NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS,
} from '@ddikit/ndis';
import { createSimulation, InterruptObject, type SimulationOptions } from '@ddikit/sim';
import { describe, expect, it } from 'vitest';
import { testDriver, type Hooks, type TestAdapter } from '../drivers.js';
import { FakeDevice, type FakeDeviceOptions } from '../fake-device.js';
import { ruleCase } from '../rule-cases.js';

const returnsTrue = MINIPORT_SYNCHRONIZE_INTERRUPT('ReturnsTrue', () => true);
const returnsFalse = MINIPORT_SYNCHRONIZE_INTERRUPT('ReturnsFalse', () => false);
const affinity = (mask: bigint) => ({ Mask: mask, Group: 0, Reserved: [0, 0, 0] });

function makeSim(device: FakeDeviceOptions = {}, options: Partial<SimulationOptions> = {}) {
  return createSimulation({ seed: 11, device: new FakeDevice(device), mode: 'collect', ...options });
}

function run(hooks: Hooks, device: FakeDeviceOptions = {}, options: Partial<SimulationOptions> = {}, ticks = 100) {
  const sim = makeSim(device, options);
  const result = sim.run(testDriver(hooks), { ticks });
  return { sim, result };
}

describe('interrupt rules', () => {
  ruleCase({
    name: 'MiniportHaltEx synchronizes after deregistering',
    rule: 'SYNC-UNREGISTERED',
    code: 0xc4,
    p1: 0xdd01,
    fire: {
      driver: testDriver({
        halt: (a) => {
          a.ndis.NdisMDeregisterInterruptEx(a.interrupt);
          a.notes.push(a.ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, 0, returnsTrue, a));
        },
      }),
    },
    quiet: {
      driver: testDriver({
        halt: (a) => {
          a.ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, 0, returnsTrue, a);
          a.ndis.NdisMDeregisterInterruptEx(a.interrupt);
        },
      }),
    },
  });

  ruleCase({
    name: 'MiniportInitializeEx synchronizes before registering',
    rule: 'SYNC-UNREGISTERED',
    code: 0xc4,
    p1: 0xdd01,
    fire: {
      driver: testDriver({
        characteristics: (_chars, a) => void a.ndis.NdisMSynchronizeWithInterruptEx(null, 0, returnsTrue, a),
      }),
    },
    quiet: { driver: testDriver({ characteristics: () => {} }) },
  });

  ruleCase({
    name: 'MessageId 2 for an interrupt with 2 messages',
    rule: 'SYNC-MESSAGE-ID',
    code: 0xc4,
    p1: 0xdd02,
    fire: {
      device: { messageCount: 2, periodTicks: 400 },
      driver: testDriver({
        afterInitialize: (a) => void a.ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, 2, returnsTrue, a),
      }),
    },
    quiet: {
      device: { messageCount: 2, periodTicks: 400 },
      driver: testDriver({
        afterInitialize: (a) => void a.ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, 1, returnsTrue, a),
      }),
    },
  });

  ruleCase({
    name: 'a line ISR claims every interrupt on a shared line',
    rule: 'ISR-CLAIM',
    code: null,
    p1: null,
    fire: {
      options: { interrupt: { sharedLinePerMille: 100 } },
      driver: testDriver({
        isr: (a, queueDpc) => {
          a.causes |= a.resources.registers.CAUSE!.value;
          a.resources.registers.MASK_CLEAR!.value = 0xffffffff;
          queueDpc.value = true;
          return true;
        },
      }),
    },
    quiet: { options: { interrupt: { sharedLinePerMille: 100 } }, driver: testDriver() },
  });

  ruleCase({
    name: 'a line ISR returns FALSE for its own interrupt',
    rule: 'ISR-CLAIM',
    code: null,
    p1: null,
    fire: {
      driver: testDriver({
        isr: (a) => {
          a.resources.registers.MASK_CLEAR!.value = 0xffffffff;
          return false;
        },
      }),
    },
    quiet: { driver: testDriver() },
  });

  ruleCase({
    name: 'a message ISR returns FALSE',
    rule: 'ISR-CLAIM',
    code: null,
    p1: null,
    fire: {
      device: { messageCount: 2, periodTicks: 400 },
      driver: testDriver({
        messageIsr: (a, _id, queueDpc) => {
          a.causes |= a.resources.registers.CAUSE!.value;
          a.resources.registers.MASK_CLEAR!.value = 0xffffffff;
          queueDpc.value = true;
          return false;
        },
      }),
    },
    quiet: { device: { messageCount: 2, periodTicks: 400 }, driver: testDriver() },
  });

  ruleCase({
    name: 'MiniportHaltEx returns without deregistering the interrupt',
    rule: 'INT-DEREGISTER',
    code: 0x7c,
    p1: 0x08,
    haltsInBugcheck: true,
    fire: { driver: testDriver({ halt: (a) => a.ndis.NdisFreeSpinLock(a.lock) }) },
    quiet: { driver: testDriver() },
  });

  // The device raises a cause just before halt deregisters: masked first, or left asserting.
  const raiseCause = MINIPORT_SYNCHRONIZE_INTERRUPT('RaiseCause', (c) => {
    (c as TestAdapter).resources.registers.RAISE!.value = 1;
    return true;
  });
  const raiseCauseThenMask = MINIPORT_SYNCHRONIZE_INTERRUPT('RaiseCauseThenMask', (c) => {
    const a = c as TestAdapter;
    a.resources.registers.RAISE!.value = 1;
    a.resources.registers.MASK_CLEAR!.value = 0xffffffff;
    return true;
  });
  const haltAfter = (fn: SynchronizeFunction) => (a: TestAdapter) => {
    a.ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, 0, fn, a);
    a.ndis.NdisMDeregisterInterruptEx(a.interrupt);
    a.ndis.NdisFreeSpinLock(a.lock);
    a.ndis.NdisFreeSpinLock(a.otherLock);
  };
  ruleCase({
    name: 'MiniportHaltEx deregisters while its device asserts the line, causes unmasked',
    rule: 'INT-DEREGISTER-ASSERTED',
    code: null,
    p1: null,
    fire: { driver: testDriver({ halt: haltAfter(raiseCause) }) },
    quiet: { driver: testDriver({ halt: haltAfter(raiseCauseThenMask) }) },
  });

  it('INT-DEREGISTER-ASSERTED names the function that deregistered and what the device still does', () => {
    const { result } = run({ halt: haltAfter(raiseCause) }, {}, {}, 2_000);
    expect(result.reports.map((r) => `${r.rule} ${r.function}: ${r.message}`)).toEqual([
      "INT-DEREGISTER-ASSERTED TestHaltEx: NdisMDeregisterInterruptEx deregistered interrupt 1 while the device still asserts its line: causes are enabled and unmasked with no ISR left to acknowledge them; mask the device's interrupts (in a function called through NdisMSynchronizeWithInterruptEx) before deregistering",
    ]);
  });

  ruleCase({
    name: 'MiniportInitializeEx fails after registering, without deregistering',
    rule: 'INT-DEREGISTER',
    code: 0x7c,
    p1: 0x0b,
    haltsInCollect: false,
    fire: { driver: testDriver({ initializeStatus: () => NDIS_STATUS_FAILURE }) },
    quiet: {
      driver: testDriver({
        initializeStatus: (a) => {
          a.ndis.NdisMDeregisterInterruptEx(a.interrupt);
          return NDIS_STATUS_FAILURE;
        },
      }),
    },
  });
});

describe('ISR-CLAIM on a shared line', () => {
  it('does not blame an ISR called for another device when its own NIC raises the line while it runs', () => {
    const claims: boolean[] = [];
    const { result } = run(
      {
        isr: (a, queueDpc) => {
          a.ndis.NdisStallExecution(2); // the NIC raises its cause meanwhile (tick 5)
          const causes = a.resources.registers.CAUSE!.value;
          claims.push(causes !== 0);
          a.causes |= causes;
          queueDpc.value = causes !== 0;
          return causes !== 0;
        },
        // The ISR runs before NdisMRegisterInterruptEx returns, so this DPC may too: it must not
        // need the interrupt handle yet.
        dpc: (a) => void a.notes.push('dpc'),
      },
      { maskAtReset: 1, schedule: [{ tick: 5, cause: 1 }] },
      { interrupt: { isrBeforeRegisterReturns: true } },
    );
    expect(claims[0]).toBe(true);
    expect(result.stats.spuriousInterrupts).toBe(1);
    expect(result.reports).toEqual([]);
  });
});

describe('ISR-CLAIM after surprise removal', () => {
  // An ISR that claims whenever its cause register reads non-zero: all-ones, once the NIC is gone.
  const naive: Hooks = {
    isr: (a, queueDpc) => {
      const causes = a.resources.registers.CAUSE!.value;
      if (causes === 0) return false;
      queueDpc.value = true;
      return true;
    },
    dpc: (a) => void a.ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, 0, a.functions.enableInSync, a),
  };
  const removed = (hooks: Hooks) =>
    run(hooks, { periodTicks: 300 }, { faults: { surpriseRemoval: 2_000, sharedLine: 300 } }, 6_000).result;

  it('names the all-ones read as the cause when the ISR claims another device’s interrupt', () => {
    const claim = removed(naive).reports.find((r) => r.rule === 'ISR-CLAIM');
    expect(claim?.message).toBe(
      'TestInterrupt returned TRUE for an interrupt its NIC did not raise: its read of CAUSE returned 0xFFFFFFFF, what every register of a device that left the bus (surprise removal) reads — take all-ones as "not mine" and return FALSE (another device on the shared line raised it)',
    );
  });

  it('stays quiet for an ISR that takes all-ones as "not mine"', () => {
    const careful: Hooks = {
      ...naive,
      isr: (a, queueDpc) => {
        const causes = a.resources.registers.CAUSE!.value;
        if (causes === 0 || causes === 0xffffffff) return false;
        queueDpc.value = true;
        return true;
      },
    };
    expect(removed(careful).reports).toEqual([]);
  });
});

describe('NdisMRegisterInterruptEx', () => {
  it('grants a line-based interrupt to a device without messages', () => {
    let chars: NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS | null = null;
    const { result } = run({ characteristics: (c) => void (chars = c) });
    expect(result.clean).toBe(true);
    expect(chars!.InterruptType).toBe(NDIS_CONNECT_LINE_BASED);
    expect(chars!.MessageInfoTable).toBeNull();
  });

  it('grants messages to an MSI driver on an MSI-X device, with a table of DIRQLs', () => {
    let chars: NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS | null = null;
    const { sim, result } = run({ characteristics: (c) => void (chars = c) }, { messageCount: 4 });
    expect(result.clean).toBe(true);
    expect(chars!.InterruptType).toBe(NDIS_CONNECT_MESSAGE_BASED);
    const table = chars!.MessageInfoTable!;
    expect(table.MessageCount).toBe(4);
    expect(table.MessageInfo).toHaveLength(4);
    for (const entry of table.MessageInfo) {
      expect(entry.Irql).toBeGreaterThanOrEqual(3);
      expect(entry.Irql).toBeLessThanOrEqual(12);
      expect(entry.TargetProcessorSet).toBe(0b11n);
    }
    expect(table.UnifiedIrql).toBe(Math.max(...table.MessageInfo.map((e) => e.Irql)));
    expect(sim.device).toBeInstanceOf(FakeDevice);
    expect((sim.device as FakeDevice).messageSignaled).toBe(true);
  });

  it('may grant a line-based interrupt to an MSI driver (configuration switch)', () => {
    let chars: NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS | null = null;
    const { result } = run(
      { characteristics: (c) => void (chars = c) },
      { messageCount: 4, periodTicks: 300 },
      { interrupt: { grantLineToMsiDriver: true } },
      5_000,
    );
    expect(result.clean).toBe(true);
    expect(chars!.MsiSupported).toBe(true);
    expect(chars!.InterruptType).toBe(NDIS_CONNECT_LINE_BASED);
    expect(result.stats.interrupts).toBeGreaterThan(10);
  });

  it('uses the configured DIRQLs', () => {
    let chars: NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS | null = null;
    run({ characteristics: (c) => void (chars = c) }, { messageCount: 3 }, { interrupt: { irql: [4, 9, 6] } });
    expect(chars!.MessageInfoTable!.MessageInfo.map((e) => e.Irql)).toEqual([4, 9, 6]);
    expect(chars!.MessageInfoTable!.UnifiedIrql).toBe(9);
  });

  it('with MsiSyncWithAllMessages, runs every message at the unified DIRQL under one lock', () => {
    const held: boolean[] = [];
    const probe = MINIPORT_SYNCHRONIZE_INTERRUPT('Probe', (context) => {
      const object = (context as TestAdapter).interrupt as InterruptObject;
      held.push(object.locks.every((lock) => lock.holder === 0));
      return true;
    });
    const { sim, result } = run(
      {
        characteristics: (c) => void (c.MsiSyncWithAllMessages = true),
        afterInitialize: (a) => void a.ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, 0, probe, a),
      },
      { messageCount: 3 },
      { interrupt: { irql: [4, 9, 6] } },
    );
    expect(result.clean).toBe(true);
    expect(held).toEqual([true]);
    void sim;
  });

  it('without MsiSyncWithAllMessages, a synchronize call excludes only its own message', () => {
    const held: boolean[][] = [];
    const levels: number[] = [];
    const probe = MINIPORT_SYNCHRONIZE_INTERRUPT('Probe', (context) => {
      const object = (context as TestAdapter).interrupt as InterruptObject;
      held.push(object.locks.map((lock) => lock.holder === 0));
      levels.push(sim.engine.cpu.irql);
      return true;
    });
    const sim = makeSim({ messageCount: 3 }, { interrupt: { irql: [4, 9, 6] } });
    const result = sim.run(
      testDriver({
        afterInitialize: (a) => {
          a.ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, 1, probe, a);
          a.ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, 2, probe, a);
        },
      }),
      { ticks: 100 },
    );
    expect(result.reports.map((r) => r.message)).toEqual([]);
    expect(held).toEqual([
      [false, true, false],
      [false, false, true],
    ]);
    expect(levels).toEqual([9, 6]);
  });

  it('can call the ISR before it returns (configuration switch)', () => {
    const seen: number[] = [];
    run({ afterInitialize: (a) => seen.push(a.isrCalls) }, {}, { interrupt: { isrBeforeRegisterReturns: true } });
    run({ afterInitialize: (a) => seen.push(a.isrCalls) }, {}, {});
    expect(seen).toEqual([1, 0]);
  });

  it('fails a second registration for the same adapter', () => {
    const statuses: number[] = [];
    const { result } = run({
      characteristics: (c, a) => void a.notes.push(c),
      afterInitialize: (a) => {
        const chars = a.notes.shift() as NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS;
        const handle: Box<unknown> = { value: null };
        statuses.push(a.ndis.NdisMRegisterInterruptEx(a.miniportHandle, a, chars, handle));
      },
    });
    expect(result.clean).toBe(true);
    expect(statuses).toEqual([NDIS_STATUS_FAILURE]);
  });
});

describe('NdisMSynchronizeWithInterruptEx', () => {
  it('runs the function at the DIRQL holding the interrupt lock, restores IRQL and returns its BOOLEAN', () => {
    const inside: [number, number][] = [];
    const probe = MINIPORT_SYNCHRONIZE_INTERRUPT('Probe', (context) => {
      const object = (context as TestAdapter).interrupt as InterruptObject;
      inside.push([sim.engine.cpu.irql, object.locks[0]!.holder]);
      return true;
    });
    const returned: unknown[] = [];
    const after: number[] = [];
    const sim = makeSim({}, { interrupt: { irql: 7 } });
    const result = sim.run(
      testDriver({
        afterInitialize: (a) => {
          returned.push(a.ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, 0, probe, a));
          after.push(sim.engine.cpu.irql);
          a.ndis.NdisAcquireSpinLock(a.lock);
          returned.push(a.ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, 0, returnsFalse, a));
          after.push(sim.engine.cpu.irql);
          a.ndis.NdisReleaseSpinLock(a.lock);
        },
      }),
      { ticks: 100 },
    );
    expect(result.reports.map((r) => r.message)).toEqual([]);
    expect(inside).toEqual([[7, 0]]);
    expect(returned).toEqual([true, false]);
    expect(after).toEqual([0, IRQL.DISPATCH_LEVEL]);
  });

  it('returns FALSE without calling the function for a bad MessageId; a line-based interrupt ignores MessageId', () => {
    const returned: unknown[] = [];
    const messages = run(
      {
        afterInitialize: (a) =>
          void returned.push(a.ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, 7, returnsTrue, a)),
      },
      { messageCount: 2 },
    );
    const line = run({
      afterInitialize: (a) =>
        void returned.push(a.ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, 7, returnsTrue, a)),
    });
    expect(returned).toEqual([false, true]);
    expect(messages.result.reports.map((r) => r.rule)).toEqual(['SYNC-MESSAGE-ID']);
    expect(line.result.clean).toBe(true);
  });
});

describe('NdisMQueueDpcEx and DPCs', () => {
  it('returns the processors where the DPC was queued now; a processor that already had it is left out', () => {
    const masks: bigint[] = [];
    const cpus: number[] = [];
    const sim = makeSim();
    const result = sim.run(
      testDriver({
        dpc: (a) => {
          cpus.push(sim.engine.cpu.index);
          a.notes.push(`dpc at ${sim.engine.cpu.irql}`);
        },
        afterInitialize: (a) => {
          a.ndis.NdisAcquireSpinLock(a.lock); // at DISPATCH_LEVEL the DPC cannot run yet
          masks.push(a.ndis.NdisMQueueDpcEx(a.interrupt, 0, affinity(0b111n), 'ctx'));
          masks.push(a.ndis.NdisMQueueDpcEx(a.interrupt, 0, affinity(0b11n), 'ctx'));
          a.ndis.NdisReleaseSpinLock(a.lock); // processor 0 drops below DISPATCH_LEVEL: its DPC runs
          masks.push(a.ndis.NdisMQueueDpcEx(a.interrupt, 0, affinity(0b10n), 'ctx'));
        },
      }),
      { ticks: 100 },
    );
    expect(result.reports.map((r) => r.message)).toEqual([]);
    // Two processors: bit 2 never sets. Processor 0's DPC ran on release, processor 1's is queued still.
    expect(masks).toEqual([0b11n, 0n, 0n]);
    expect(cpus).toEqual([0, 1]);
  });

  it('hands the DPC its MiniportDpcContext and runs it at DISPATCH_LEVEL', () => {
    const seen: unknown[] = [];
    const sim = makeSim();
    const result = sim.run(
      testDriver({
        dpc: (_a, _id, dpcContext) => seen.push([sim.engine.cpu.irql, dpcContext]),
        afterInitialize: (a) => void a.ndis.NdisMQueueDpcEx(a.interrupt, 0, affinity(1n), 'my context'),
      }),
      { ticks: 100 },
    );
    expect(result.reports.map((r) => r.message)).toEqual([]);
    expect(seen).toEqual([[IRQL.DISPATCH_LEVEL, 'my context']]);
  });

  it('NdisMDeregisterInterruptEx runs the DPCs still queued before it returns', () => {
    const order: string[] = [];
    const sim = makeSim();
    const result = sim.run(
      testDriver({
        dpc: () => order.push(`dpc on ${sim.engine.cpu.index}`),
        initializeStatus: (a) => {
          a.ndis.NdisMQueueDpcEx(a.interrupt, 0, affinity(0b10n), null);
          order.push('deregister');
          a.ndis.NdisMDeregisterInterruptEx(a.interrupt);
          order.push('deregistered');
          return NDIS_STATUS_FAILURE;
        },
      }),
      { ticks: 100 },
    );
    expect(result.reports.map((r) => r.message)).toEqual([]);
    expect(order).toEqual(['deregister', 'dpc on 1', 'deregistered']);
  });

  it('an ISR runs at its DIRQL with the interrupt lock held, and its DPC at DISPATCH_LEVEL', () => {
    const isrSeen: [number, number][] = [];
    const dpcSeen: number[] = [];
    const sim = makeSim({ schedule: [{ tick: 50, cause: 1 }] }, { interrupt: { irql: 8 } });
    const result = sim.run(
      testDriver({
        isr: (a, queueDpc) => {
          const object = a.interrupt as InterruptObject;
          isrSeen.push([sim.engine.cpu.irql, object.locks[0]!.holder === sim.engine.cpu.index ? 1 : 0]);
          a.resources.registers.CAUSE!.value;
          queueDpc.value = true;
          return true;
        },
        dpc: () => dpcSeen.push(sim.engine.cpu.irql),
      }),
      { ticks: 1_000 },
    );
    expect(result.reports.map((r) => r.message)).toEqual([]);
    expect(isrSeen).toEqual([[8, 1]]);
    expect(dpcSeen).toEqual([IRQL.DISPATCH_LEVEL]);
  });

  it('queues DPCs on the processors an ISR names in TargetProcessors', () => {
    const cpus: number[] = [];
    const sim = makeSim({ schedule: [{ tick: 50, cause: 1 }] }, {});
    const result = sim.run(
      testDriver({
        isr: (a, _queueDpc, targets) => {
          a.resources.registers.CAUSE!.value;
          targets.value = 0b11;
          return true;
        },
        dpc: () => cpus.push(sim.engine.cpu.index),
      }),
      { ticks: 1_000 },
    );
    expect(result.reports.map((r) => r.message)).toEqual([]);
    expect([...cpus].sort()).toEqual([0, 1]);
  });

  it('delivers line interrupts to processors chosen from the seed', () => {
    const cpus = new Set<number>();
    const sim = makeSim({ periodTicks: 200 }, { processors: 4 });
    const result = sim.run(
      testDriver({
        isr: (a, queueDpc) => {
          cpus.add(sim.engine.cpu.index);
          a.causes |= a.resources.registers.CAUSE!.value;
          queueDpc.value = true;
          return true;
        },
      }),
      { ticks: 20_000 },
    );
    expect(result.reports.map((r) => r.message)).toEqual([]);
    expect([...cpus].sort()).toEqual([0, 1, 2, 3]);
  });

  it('passes each message ISR its MessageId', () => {
    const ids = new Set<number>();
    run(
      {
        messageIsr: (a, messageId, queueDpc) => {
          ids.add(messageId);
          a.causes |= a.resources.registers.CAUSE!.value;
          queueDpc.value = true;
          return true;
        },
      },
      {
        messageCount: 2,
        schedule: [
          { tick: 100, cause: 0b01 },
          { tick: 3_000, cause: 0b10 },
        ],
      },
      {},
      10_000,
    );
    expect([...ids].sort()).toEqual([0, 1]);
  });
});
