/**
 * Race detection (ISR-SHARED-RACE, SPINLOCK-FOR-ISR-STATE) and lost interrupts (INT-LOST): each rule
 * fires on a driver that has the bug — whichever order the racing accesses come in — and stays
 * quiet on the same driver without it; reports name the register or field, both accesses with
 * their IRQL, processor, function and locks, and the interleaving that led up to them.
 */
import {
  MINIPORT_DISABLE_INTERRUPT,
  MINIPORT_ENABLE_INTERRUPT,
  MINIPORT_HALT,
  MINIPORT_INITIALIZE,
  MINIPORT_INTERRUPT_DPC,
  MINIPORT_ISR,
  MINIPORT_SYNCHRONIZE_INTERRUPT,
  NDIS_MINIPORT_INTERRUPT_REVISION_1,
  NDIS_OBJECT_TYPE_MINIPORT_INTERRUPT,
  NDIS_STATUS_SUCCESS,
  type NDIS_HANDLE,
} from '@ddikit/ndis';
import {
  conflicts,
  createSimulation,
  defineMiniport,
  E1000Nic,
  e1000,
  formatReportText,
  parseSchedule,
  ReplayScheduler,
  resourcesOf,
  setMiniportAdapterContext,
  type Report,
  type RunResult,
  type SimResources,
} from '@ddikit/sim';
import { mapHeadTrackedRings } from '../../../examples/lib/e1000-rings.js';
import { describe, expect, it } from 'vitest';
import lostInterrupt, {
  lostInterruptDriver,
  scenario as lostScenario,
} from '../../../examples/scenarios/lost-interrupt.js';
import { msixQueues, scenario as msixScenario } from '../../../examples/scenarios/msix-queues.js';
import { testDriver, type Hooks, type TestAdapter } from '../drivers.js';
import { FakeDevice } from '../fake-device.js';
import { ruleCase } from '../rule-cases.js';

const share: Hooks['characteristics'] = (_chars, a) => void a.resources.shared(a, 'causes');

/** The default driver (causes taken in a synchronize function), with `causes` marked shared. */
const sharedDriver = (hooks: Hooks = {}) => testDriver({ characteristics: share, ...hooks });

/**
 * A DPC that re-enables interrupts first (through a synchronize function) and then runs `body`:
 * what `body` touches, it touches while the device can interrupt again.
 */
const afterUnmask =
  (body: (a: TestAdapter) => void): Hooks['dpc'] =>
  (a) => {
    a.ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, 0, a.functions.enableInSync, a);
    body(a);
  };

function lostRun(options: {
  fixed: boolean;
  seed?: number;
  schedule?: string;
  mode?: 'bugcheck' | 'collect';
}): RunResult {
  const sim = createSimulation({
    seed: options.seed ?? 1,
    device: lostScenario.device!(),
    mode: options.mode ?? 'collect',
  });
  const driver = options.fixed ? lostInterruptDriver({ fixed: true }) : lostInterrupt;
  const scheduler = options.schedule === undefined ? undefined : new ReplayScheduler(parseSchedule(options.schedule));
  return sim.run(driver, { ticks: lostScenario.ticks!, ...(scheduler !== undefined ? { scheduler } : {}) });
}

function find(result: RunResult, rule: string, subject?: string): Report {
  const report = result.reports.find((r) => r.rule === rule && (subject === undefined || r.subject === subject));
  expect(
    report,
    `no ${rule}${subject === undefined ? '' : ` on ${subject}`}; got ${result.reports.map((r) => `${r.rule} ${r.subject}`).join(', ') || 'nothing'}`,
  ).toBeDefined();
  return report!;
}

describe('ISR-SHARED-RACE', () => {
  ruleCase({
    name: 'a DPC reads a field the ISR writes, without the interrupt lock',
    rule: 'ISR-SHARED-RACE',
    code: 0xc4,
    p1: 0xdd05,
    fire: { driver: sharedDriver({ dpc: afterUnmask((a) => void (a.handled |= a.causes)) }) },
    quiet: { driver: sharedDriver() },
  });

  it('is found whichever access comes first: the unprotected write before any ISR ran', () => {
    const sim = createSimulation({ seed: 3, device: new FakeDevice({ periodTicks: 400 }), mode: 'collect' });
    const result = sim.run(sharedDriver({ afterInitialize: (a) => void (a.causes = 0) }), { ticks: 5_000 });
    const report = find(result, 'ISR-SHARED-RACE', 'causes');
    const [first, second] = report.race!.accesses;
    expect(first).toMatchObject({
      function: 'TestInitializeEx',
      role: 'MINIPORT_INITIALIZE',
      irql: 0,
      access: 'write causes',
      locks: 'none',
    });
    expect(second).toMatchObject({ function: 'TestInterrupt', role: 'MINIPORT_ISR', access: 'read causes' });
    expect(second.irql).toBeGreaterThanOrEqual(3);
    expect(second.locks).toMatch(/^interrupt lock #\d+$/);
    expect(first.tick).toBeLessThan(second.tick);
    expect(report.function).toBe('TestInitializeEx');
    expect(report.irqlFound).toBe(0);
  });

  it('is found whichever access comes first: the ISR before the unprotected read', () => {
    const sim = createSimulation({ seed: 3, device: new FakeDevice({ periodTicks: 400 }), mode: 'collect' });
    const result = sim.run(sharedDriver({ dpc: afterUnmask((a) => void (a.handled |= a.causes)) }), {
      ticks: 5_000,
    });
    const report = find(result, 'ISR-SHARED-RACE', 'causes');
    expect(report.race!.accesses.map((a) => a.function)).toEqual(['TestInterrupt', 'TestInterruptDpc']);
    expect(report.race!.accesses[1].irql).toBe(2);
    expect(report.function).toBe('TestInterruptDpc');
  });

  it('ignores accesses while no interrupt is registered (before NdisMRegisterInterruptEx, after deregistering)', () => {
    const sim = createSimulation({ seed: 3, device: new FakeDevice({ periodTicks: 400 }), mode: 'collect' });
    const hooks: Hooks = {
      characteristics: (chars, a) => {
        a.resources.shared(a, 'causes');
        a.causes = 0; // not registered yet
      },
      halt: (a) => {
        a.ndis.NdisMDeregisterInterruptEx(a.interrupt);
        a.causes = 0; // deregistered
        a.ndis.NdisFreeSpinLock(a.lock);
        a.ndis.NdisFreeSpinLock(a.otherLock);
      },
    };
    const result = sim.run(testDriver(hooks), { ticks: 5_000 });
    expect(result.reports.map((r) => r.rule)).toEqual([]);
    expect(result.stats.interrupts).toBeGreaterThan(5);
  });

  it('on registers: a DPC masks the NIC with a direct IMC write while it can interrupt; the fix does it under the lock', () => {
    const run = (fixed: boolean): RunResult =>
      createSimulation({
        seed: 4,
        device: new E1000Nic({ rxArrivalGapTicksMin: 50, rxArrivalGapTicksMax: 100 }),
        mode: 'collect',
      }).run(e1000Driver({ queueDpc: true, dpcMasksDirectly: !fixed }), { ticks: 5_000 });
    const report = find(run(false), 'ISR-SHARED-RACE', 'IMS');
    expect(report.race!.kind).toBe('register');
    const accesses = report.race!.accesses.map((a) => `${a.function} ${a.access} @${a.irql} ${a.locks}`);
    expect(accesses).toContainEqual(expect.stringMatching(/^Isr read IMS → 0x00000080 @\d+ interrupt lock #\d+$/));
    expect(accesses).toContain('Dpc write IMC (IMS) = 0xffffffff @2 none');
    expect(report.interleaving!.length).toBeGreaterThan(2);
    expect(report.interleaving!.at(-1)).toMatchObject({ function: 'Dpc', access: 'write IMC (IMS) = 0xffffffff' });
    expect(run(true).reports).toEqual([]);
    expect(lostRun({ fixed: true }).reports).toEqual([]);
  });

  it('two message ISRs holding different locks race on one counter; MsiSyncWithAllMessages (one lock) makes it safe', () => {
    const run = (syncWithAll: boolean): RunResult =>
      createSimulation({ seed: 2, device: msixScenario.device!(), mode: 'collect' }).run(
        msixQueues({ syncWithAll, sharedCounter: true }),
        { ticks: 3_000 },
      );
    const report = find(run(false), 'ISR-SHARED-RACE', 'interruptsTotal');
    expect(report.race!.accesses.map((a) => a.role)).toEqual([
      'MINIPORT_MESSAGE_INTERRUPT',
      'MINIPORT_MESSAGE_INTERRUPT',
    ]);
    expect(report.race!.accesses[0].locks).not.toBe(report.race!.accesses[1].locks);
    expect(report.message).toContain('MsiSyncWithAllMessages');
    expect(run(true).reports).toEqual([]);
  });

  it('reports each distinct pair of racing sites, each once: a fix of one does not hide the next', () => {
    const sim = createSimulation({ seed: 3, device: new FakeDevice({ periodTicks: 400 }), mode: 'collect' });
    const result = sim.run(
      sharedDriver({
        afterInitialize: (a) => void (a.causes = 0),
        dpc: afterUnmask((a) => void (a.handled |= a.causes)),
      }),
      { ticks: 5_000 },
    );
    const pairs = result.reports
      .filter((r) => r.rule === 'ISR-SHARED-RACE' && r.subject === 'causes')
      .map((r) =>
        r
          .race!.accesses.map((x) => x.function)
          .sort()
          .join(' / '),
      );
    expect(pairs.sort()).toEqual(['TestInitializeEx / TestInterrupt', 'TestInterrupt / TestInterruptDpc']);
    expect(result.reports.every((r) => r.occurrences === 1)).toBe(true);
  });

  it('a DPC synchronizing with the wrong MessageId: the fix names the right MessageId', () => {
    interface Slot {
      causes: number;
    }
    const takeSlot = MINIPORT_SYNCHRONIZE_INTERRUPT('TakeSlot', (c) => {
      const slot = c as Slot;
      const taken = slot.causes;
      slot.causes = 0;
      return taken !== 0;
    });
    const driver = (offset: number) =>
      testDriver({
        characteristics: (_c, a) => void a.notes.push({ causes: 0 }, { causes: 0 }),
        messageIsr: (a, messageId, queueDpc) => {
          (a.notes[messageId] as Slot).causes |= a.resources.registers.CAUSE!.value;
          a.resources.registers.MASK_CLEAR!.value = 0xffffffff;
          queueDpc.value = true;
          return true;
        },
        dpc: (a, messageId) => {
          a.ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, messageId, a.functions.enableInSync, a);
          // The bug (offset 1): the slot of message 0 taken under message 1's lock.
          a.ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, messageId ^ offset, takeSlot, a.notes[messageId]);
        },
      });
    const run = (offset: number): RunResult =>
      createSimulation({ seed: 3, device: new FakeDevice({ messageCount: 2, periodTicks: 400 }), mode: 'collect' }).run(
        driver(offset),
        { ticks: 5_000 },
      );
    const report = find(run(1), 'ISR-SHARED-RACE', 'notes[0].causes');
    expect(report.message).toMatch(
      /^field notes\[0\]\.causes is shared with the ISR of message 0, TestMessageInterrupt \(MINIPORT_MESSAGE_INTERRUPT\) on processor \d at DIRQL\(\d+\) \([a-z]+ notes\[0\]\.causes, holding interrupt lock #\d+\), but TakeSlot ran under the lock of message 1 \([a-z]+ notes\[0\]\.causes, holding interrupt lock #\d+\): call NdisMSynchronizeWithInterruptEx with MessageId 0, the message whose ISR touches it$/,
    );
    expect(report.message).not.toContain('MsiSyncWithAllMessages');
    expect(run(0).reports).toEqual([]);
  });

  it('in bugcheck mode stops the run with 0xC4 / 0xDD05, P2 field (2), P3 the IRQL and P4 the processor of the unprotected access', () => {
    const sim = createSimulation({ seed: 3, device: new FakeDevice({ periodTicks: 400 }) });
    const result = sim.run(sharedDriver({ dpc: afterUnmask((a) => void (a.handled |= a.causes)) }), {
      ticks: 5_000,
    });
    expect(result.bugCheck?.rule).toBe('ISR-SHARED-RACE');
    expect(result.bugCheck?.bugCheck?.parameters).toEqual([0xdd05, 2, 2, result.bugCheck!.race!.accesses[1].processor]);
  });

  it('prints both accesses and the interleaving in the text report', () => {
    const text = formatReportText(find(lostRun({ fixed: false }), 'ISR-SHARED-RACE', 'causes'));
    expect(text).toContain('RACE:  field causes');
    expect(text).toMatch(
      /access 1: {2}read causes\n {4}by LostIsr \(MINIPORT_ISR\) on cpu \d at DIRQL\(\d+\), tick \d+, holding interrupt lock #\d+/,
    );
    expect(text).toMatch(
      /access 2: {2}write causes\n {4}by LostDpc \(MINIPORT_INTERRUPT_DPC\) on cpu \d at DISPATCH_LEVEL, tick \d+, holding none/,
    );
    expect(text).toContain('INTERLEAVING:  (tracked accesses, oldest first)');
  });
});

describe('SPINLOCK-FOR-ISR-STATE', () => {
  ruleCase({
    name: 'a DPC guards a field the ISR writes with an NDIS spin lock',
    rule: 'SPINLOCK-FOR-ISR-STATE',
    code: 0xc4,
    p1: 0xdd05,
    fire: {
      driver: sharedDriver({
        dpc: afterUnmask((a) => {
          a.ndis.NdisDprAcquireSpinLock(a.lock);
          a.handled |= a.causes;
          a.causes = 0;
          a.ndis.NdisDprReleaseSpinLock(a.lock);
        }),
      }),
    },
    quiet: { driver: sharedDriver() },
  });

  it('names the spin lock that was taken for the ISR lock', () => {
    const sim = createSimulation({ seed: 3, device: new FakeDevice({ periodTicks: 400 }), mode: 'collect' });
    const result = sim.run(
      sharedDriver({
        dpc: afterUnmask((a) => {
          a.ndis.NdisDprAcquireSpinLock(a.lock);
          a.causes = 0;
          a.ndis.NdisDprReleaseSpinLock(a.lock);
        }),
      }),
      { ticks: 5_000 },
    );
    const report = find(result, 'SPINLOCK-FOR-ISR-STATE', 'causes');
    // Named after where the driver keeps it: the adapter's `lock`.
    expect(report.race!.accesses.find((a) => a.function === 'TestInterruptDpc')!.locks).toMatch(
      /^lock \(spin lock #\d+\)$/,
    );
    expect(report.message).toContain('a spin lock never keeps the ISR out');
  });
});

describe('marking fields shared', () => {
  it('keeps the object, its keys in order, its values and its other properties as they were', () => {
    const sim = createSimulation({ seed: 1, device: new FakeDevice() });
    let hidden = 5;
    const object = {
      a: 1,
      causes: 2,
      b: 'x',
      get c(): number {
        return hidden;
      },
      set c(v: number) {
        hidden = v;
      },
    };
    Object.defineProperty(object, 'quiet', { value: 7, enumerable: false, writable: true, configurable: true });
    const same = sim.shared(object, 'causes');
    expect(same).toBe(object);
    expect(Object.keys(object)).toEqual(['a', 'causes', 'b', 'c']);
    expect({ ...object }).toEqual({ a: 1, causes: 2, b: 'x', c: 5 });
    object.causes = 9;
    object.c = 11;
    expect([object.causes, hidden, (object as unknown as { quiet: number }).quiet]).toEqual([9, 11, 7]);
    expect(Object.getOwnPropertyDescriptor(object, 'quiet')).toMatchObject({ enumerable: false, writable: true });
    sim.shared(object, 'causes'); // twice is once
    expect(object.causes).toBe(9);
  });

  it('names fields of class instances after the class, and refuses frozen objects', () => {
    class Adapter {
      causes = 0;
    }
    const sim = createSimulation({ seed: 3, device: new FakeDevice({ periodTicks: 400 }), mode: 'collect' });
    const result = sim.run(
      testDriver({
        characteristics: (_c, a) => {
          const adapter = sim.shared(new Adapter(), 'causes');
          a.notes.push(adapter);
        },
        isr: (a, queueDpc) => {
          const cause = a.resources.registers.CAUSE!.value;
          if (cause === 0) return false;
          (a.notes[0] as Adapter).causes |= cause;
          a.resources.registers.MASK_CLEAR!.value = 0xffffffff;
          queueDpc.value = true;
          return true;
        },
        dpc: afterUnmask((a) => void ((a.notes[0] as Adapter).causes = 0)),
      }),
      { ticks: 3_000 },
    );
    expect(find(result, 'ISR-SHARED-RACE').subject).toBe('Adapter.causes');
    expect(() => sim.shared(Object.freeze({ causes: 1 }), 'causes')).toThrow(/cannot be tracked/);
  });

  it('does nothing when race detection is off', () => {
    const sim = createSimulation({ seed: 1, device: new FakeDevice(), races: false });
    const object = { causes: 1 };
    sim.shared(object, 'causes');
    expect(Object.getOwnPropertyDescriptor(object, 'causes')).toMatchObject({ value: 1, writable: true });
    expect(sim.races).toBeNull();
  });
});

describe('conflicts: which pairs of accesses to one state can race', () => {
  const cases: { given: [string, number, string, number]; want: boolean }[] = [
    { given: ['read', 0, 'read', 0], want: false },
    { given: ['read', 0, 'write', 1], want: true },
    { given: ['write', 1, 'write', 1], want: true },
    { given: ['set', 0x4, 'set', 0x80], want: false },
    { given: ['clear', 0xffffffff, 'clear', 0xffffffff], want: false },
    { given: ['set', 0x84, 'clear', 0xffffffff], want: true },
    { given: ['set', 0x10, 'clear', 0x20], want: false },
    { given: ['read', 0, 'set', 0x4], want: true },
    { given: ['readClear', 0, 'readClear', 0], want: true },
    { given: ['readClear', 0, 'read', 0], want: true },
    { given: ['interlocked', 0, 'interlocked', 0], want: false },
    { given: ['interlocked', 0, 'read', 0], want: false },
    { given: ['interlocked', 0, 'write', 0], want: true },
  ];
  const op = { read: 1, write: 2, set: 3, clear: 4, readClear: 5, interlocked: 6 } as const;
  for (const { given, want } of cases) {
    it(`${given[0]} ${given[1].toString(16)} vs ${given[2]} ${given[3].toString(16)} → ${want ? 'conflict' : 'commute'}`, () => {
      expect(conflicts(op[given[0] as keyof typeof op], given[1], op[given[2] as keyof typeof op], given[3])).toBe(
        want,
      );
      expect(conflicts(op[given[2] as keyof typeof op], given[3], op[given[0] as keyof typeof op], given[1])).toBe(
        want,
      );
    });
  }
});

describe('INT-LOST', () => {
  it('fires when the ISR preempts the DPC between its direct IMS write and its reset of causes (schedule 0:1)', () => {
    const result = lostRun({ fixed: false, schedule: '0:1' });
    const report = find(result, 'INT-LOST');
    expect(report.bugCheck!.parameters.slice(0, 2)).toEqual([0xdd06, 0x80]);
    expect(report.subject).toBe('MINIPORT_INTERRUPT_DPC');
    expect(report.function).toBe('LostDpc');
    expect(report.message).toMatch(
      /causes 0x00000080 are pending and no DPC is queued: the last DPC, LostDpc, returned on processor 0 at tick \d+; the mask last changed with write IMC \(IMS\) = 0xffffffff by LostIsr on processor 0 at DIRQL\(\d+\), tick \d+/,
    );
    const steps = report.interleaving!.map((s) => `${s.function}: ${s.access}`);
    // The ISR runs between the DPC's IMS write and its reset of causes, which wipes what it recorded.
    const write = steps.lastIndexOf('LostDpc: write IMS = 0x00000084');
    expect(steps.slice(write + 1)).toEqual([
      'LostIsr: read IMS → 0x00000084',
      'LostIsr: read-to-clear ICR → 0x80000080',
      'LostIsr: write IMC (IMS) = 0xffffffff',
      'LostIsr: read causes',
      'LostIsr: write causes',
      'LostDpc: write causes',
      'LostDpc: read causes',
    ]);
  });

  it('fires when an ISR masks the NIC and queues no DPC; bugcheck mode stops with 0xC4 / 0xDD06', () => {
    const sim = createSimulation({
      seed: 4,
      device: new E1000Nic({ rxArrivalGapTicksMin: 50, rxArrivalGapTicksMax: 100 }),
    });
    const result = sim.run(e1000Driver({ queueDpc: false }), { ticks: 5_000 });
    expect(result.bugCheck?.rule).toBe('INT-LOST');
    expect(result.bugCheck?.bugCheck?.parameters[0]).toBe(0xdd06);
    expect(result.bugCheck?.message).toContain('no DPC ran yet');
    // The ISR that masked and queued nothing is blamed, not a DPC.
    expect(result.bugCheck?.function).toBe('Isr');
    expect(result.bugCheck?.subject).toBe('MINIPORT_ISR');
    expect(result.bugCheck?.message).toMatch(
      /; Isr masked the interrupt at tick \d+ and queued no DPC: an ISR that masks must queue the DPC that unmasks/,
    );
  });

  it('blames the ISR that masked after the last DPC and queued nothing, not that DPC', () => {
    // DPCs run for a while; then the ISR stops queueing them.
    let interrupts = 0;
    const sim = createSimulation({
      seed: 4,
      device: new E1000Nic({ rxArrivalGapTicksMin: 50, rxArrivalGapTicksMax: 100 }),
      mode: 'collect',
    });
    const result = sim.run(e1000Driver({ queueDpc: () => ++interrupts < 4 }), { ticks: 5_000 });
    const report = find(result, 'INT-LOST');
    expect(report.function).toBe('Isr');
    expect(report.message).toMatch(/the last DPC, Dpc, returned on processor \d at tick \d+/);
    expect(report.message).toMatch(/Isr masked the interrupt at tick \d+ and queued no DPC/);
  });

  it('stays quiet: the fixed driver under the same schedule and across seeds, and a DPC that re-enables', () => {
    expect(lostRun({ fixed: true, schedule: '0:1' }).reports).toEqual([]);
    for (let seed = 1; seed <= 20; seed++)
      expect(lostRun({ fixed: true, seed }).reports.map((r) => `${seed}: ${r.rule}`)).toEqual([]);
    const sim = createSimulation({
      seed: 4,
      device: new E1000Nic({ rxArrivalGapTicksMin: 50, rxArrivalGapTicksMax: 100 }),
    });
    expect(sim.run(e1000Driver({ queueDpc: true }), { ticks: 5_000 }).reports).toEqual([]);
  });

  it('is not checked on a device that cannot tell masked work (no maskedPendingCauses): the fake device', () => {
    const sim = createSimulation({ seed: 3, device: new FakeDevice({ periodTicks: 400 }), mode: 'collect' });
    const result = sim.run(
      testDriver({
        isr: (a, queueDpc) => (
          a.resources.registers.CAUSE!.value,
          (a.resources.registers.MASK_CLEAR!.value = 0xffffffff),
          (queueDpc.value = false),
          true
        ),
      }),
      { ticks: 5_000 },
    );
    expect(result.reports.filter((r) => r.rule === 'INT-LOST')).toEqual([]);
  });

  it('can be switched off with disabledRules', () => {
    const sim = createSimulation({
      seed: 1,
      device: lostScenario.device!(),
      mode: 'collect',
      disabledRules: ['INT-LOST'],
    });
    const result = sim.run(lostInterrupt, {
      ticks: lostScenario.ticks!,
      scheduler: new ReplayScheduler([{ index: 0, alternative: 1 }]),
    });
    expect(result.reports.map((r) => r.rule)).not.toContain('INT-LOST');
  });
});

// ---- helpers ----------------------------------------------------------------------------------------

/** A small e1000 line driver; with `queueDpc: false` its ISR masks the NIC and forgets to queue the DPC. */
function e1000Driver(options: { queueDpc: boolean | (() => boolean); dpcMasksDirectly?: boolean }) {
  interface A {
    regs: SimResources['registers'];
    interrupt: NDIS_HANDLE;
  }
  const ENABLED = e1000.E1000_IMS_RXT0;
  return defineMiniport('e1000-int-lost', (ndis) => {
    const enable = MINIPORT_SYNCHRONIZE_INTERRUPT('Enable', (c) => (((c as A).regs.IMS!.value = ENABLED), true));
    const disable = MINIPORT_SYNCHRONIZE_INTERRUPT('Disable', (c) => (((c as A).regs.IMC!.value = 0xffffffff), true));
    const isr = MINIPORT_ISR('Isr', (c, queueDpc) => {
      const a = c as A;
      if ((a.regs.IMS!.value & ENABLED) === 0) return false;
      if ((a.regs.ICR!.value & ENABLED) === 0) return false;
      a.regs.IMC!.value = 0xffffffff;
      queueDpc.value = typeof options.queueDpc === 'function' ? options.queueDpc() : options.queueDpc;
      return true;
    });
    const dpc = MINIPORT_INTERRUPT_DPC('Dpc', (c) => {
      const a = c as A;
      ndis.NdisWriteRegisterUlong(a.regs.RDT0!, (a.regs.RDH0!.value + 255) % 256);
      ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, 0, enable, a);
      // The bug: masking again with a direct write, while the NIC can interrupt.
      if (options.dpcMasksDirectly === true) a.regs.IMC!.value = 0xffffffff;
      if (options.dpcMasksDirectly === true) ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, 0, enable, a);
    });
    return {
      MiniportInitializeEx: MINIPORT_INITIALIZE('Init', (handle, _c, parameters) => {
        const a: A = { regs: resourcesOf(parameters).registers, interrupt: null };
        const box = { value: null as NDIS_HANDLE };
        ndis.NdisMRegisterInterruptEx(
          handle,
          a,
          {
            Header: {
              Type: NDIS_OBJECT_TYPE_MINIPORT_INTERRUPT,
              Revision: NDIS_MINIPORT_INTERRUPT_REVISION_1,
              Size: 0,
            },
            InterruptHandler: isr,
            InterruptDpcHandler: dpc,
            DisableInterruptHandler: MINIPORT_DISABLE_INTERRUPT(
              'D',
              (x) => void ((x as A).regs.IMC!.value = 0xffffffff),
            ),
            EnableInterruptHandler: MINIPORT_ENABLE_INTERRUPT('E', (x) => void ((x as A).regs.IMS!.value = ENABLED)),
            MsiSupported: false,
            MsiSyncWithAllMessages: false,
          },
          box,
        );
        a.interrupt = box.value;
        setMiniportAdapterContext(handle, a);
        mapHeadTrackedRings(ndis, handle, a.regs, 1, 256); // RX ring in shared memory, RDT = 255
        ndis.NdisWriteRegisterUlong(a.regs.RCTL!, e1000.E1000_RCTL_EN);
        ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, 0, enable, a);
        return NDIS_STATUS_SUCCESS;
      }),
      MiniportHaltEx: MINIPORT_HALT('Halt', (c) => {
        ndis.NdisMSynchronizeWithInterruptEx((c as A).interrupt, 0, disable, c);
        ndis.NdisMDeregisterInterruptEx((c as A).interrupt);
      }),
    };
  });
}
