/**
 * The DDIs: IRQL-CALL fired and quiet; contracts come from the generated metadata; register access
 * (handles, `.value`, plain memory) goes through one checked path; NdisStallExecution advances
 * simulated time; sim.ddi.define supplies DDIs the harness does not model, with the generated checks.
 */
import { functionContract, metadata, MINIPORT_ISR, MINIPORT_SYNCHRONIZE_INTERRUPT } from '@ddikit/ndis';
import { createSimulation, MODELED_DDIS, RegisterHandle, resourcesOf, UnmodeledDdiError } from '@ddikit/sim';
import { describe, expect, it } from 'vitest';
import { testDriver, type TestAdapter } from '../drivers.js';
import { FakeDevice, SCRATCH } from '../fake-device.js';
import { ruleCase } from '../rule-cases.js';

describe('IRQL-CALL', () => {
  ruleCase({
    name: 'a DPC calls NdisMDeregisterInterruptEx (PASSIVE_LEVEL only)',
    rule: 'IRQL-CALL',
    code: 0xc4,
    p1: 0xe5,
    fire: {
      driver: testDriver({
        dpc: (a) => {
          if (a.dpcCalls === 1) a.ndis.NdisMDeregisterInterruptEx(a.interrupt);
        },
        halt: () => {},
      }),
    },
    quiet: { driver: testDriver() },
  });

  ruleCase({
    name: 'MiniportInitializeEx calls NdisDprAcquireSpinLock at PASSIVE_LEVEL',
    rule: 'IRQL-CALL',
    code: 0xc4,
    p1: 0xe5,
    fire: {
      driver: testDriver({
        afterInitialize: (a) => {
          a.ndis.NdisDprAcquireSpinLock(a.lock);
          a.ndis.NdisDprReleaseSpinLock(a.lock);
        },
      }),
    },
    quiet: {
      driver: testDriver({
        afterInitialize: (a) => {
          a.ndis.NdisAcquireSpinLock(a.lock);
          a.ndis.NdisDprAcquireSpinLock(a.otherLock);
          a.ndis.NdisDprReleaseSpinLock(a.otherLock);
          a.ndis.NdisReleaseSpinLock(a.lock);
        },
      }),
    },
  });

  it('reports the bounds found in the generated contract, not hand-typed ones', () => {
    const sim = createSimulation({ seed: 1, device: new FakeDevice() });
    const result = sim.run(
      testDriver({
        afterInitialize: (a) => {
          a.ndis.NdisAcquireSpinLock(a.lock);
          a.ndis.NdisMDeregisterInterruptEx(a.interrupt);
        },
      }),
      { ticks: 10 },
    );
    const report = result.bugCheck!;
    const contract = functionContract('NdisMDeregisterInterruptEx')!.irql;
    expect(contract.min).toBe('PASSIVE_LEVEL');
    expect(report.irqlRequired).toBe(contract.max);
    expect(report.irqlFound).toBe(2);
    expect(report.bugCheck!.parameters).toEqual([0xe5, 2, 0, 0]);
    expect(report.message).toBe('NdisMDeregisterInterruptEx was called at IRQL 2; its contract requires PASSIVE_LEVEL');
  });

  it('resolves DIRQL to the interrupt concerned: NdisMSynchronizeWithInterruptEx above its DIRQL', () => {
    const sync = MINIPORT_SYNCHRONIZE_INTERRUPT('S', () => true);
    const sim = createSimulation({ seed: 1, device: new FakeDevice({ messageCount: 2 }), interrupt: { irql: [4, 9] } });
    // Inside message 1's synchronize function (DIRQL 9), synchronizing with message 0 (DIRQL 4).
    const outer = MINIPORT_SYNCHRONIZE_INTERRUPT('Outer', (context) => {
      const a = context as { ndis: typeof sim.ndis; interrupt: unknown };
      return a.ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, 0, sync, a);
    });
    const result = sim.run(
      testDriver({ afterInitialize: (a) => void a.ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, 1, outer, a) }),
      { ticks: 10 },
    );
    // A synchronize function may call only DDIs callable at any IRQL: MAY-CALL comes first.
    expect(result.bugCheck!.rule).toBe('MAY-CALL');
    expect(result.bugCheck!.irqlRequired).toBe('<= DIRQL(4)');
    expect(result.bugCheck!.irqlFound).toBe(9);
  });

  it('every modeled DDI is a DDI of the spec, and every DDI of the spec is on the table', () => {
    const names = metadata.functions.map((f) => f.name).sort();
    for (const name of MODELED_DDIS) expect(names).toContain(name);
    const sim = createSimulation({ seed: 1, device: new FakeDevice() });
    for (const name of names)
      expect(typeof (sim.ndis as unknown as Record<string, unknown>)[name], name).toBe('function');
  });
});

describe('the DDI table', () => {
  // A DDI of the spec that the harness does not model, and that any IRQL may call.
  const unmodeled = metadata.functions.find(
    (f) => !(MODELED_DDIS as readonly string[]).includes(f.name) && f.params.every((p) => !p.type.endsWith('_HANDLER')),
  )!.name;
  const table = (sim: { ndis: unknown }) => sim.ndis as unknown as Record<string, (...args: unknown[]) => unknown>;

  it('a DDI the harness does not model is one function per simulation, the same each time it is read', () => {
    const a = createSimulation({ seed: 1, device: new FakeDevice() });
    const b = createSimulation({ seed: 1, device: new FakeDevice() });
    const fromA = table(a)[unmodeled]!;
    expect(fromA.name).toBe(unmodeled);
    expect(table(a)[unmodeled]).toBe(fromA);
    expect(table(b)[unmodeled]).not.toBe(fromA);
    // Each runs what its own simulation was given.
    a.ddi.define(unmodeled, () => 'from a');
    expect(table(a)[unmodeled]!()).toBe('from a');
    expect(() => table(b)[unmodeled]!()).toThrow(UnmodeledDdiError);
    // A view of a table that a driver froze, before reading the DDI from it, still hands it out.
    const c = createSimulation({ seed: 1, device: new FakeDevice() });
    c.ddi.define(unmodeled, () => 'from c');
    const frozen = Object.freeze(Object.create(c.ndis)) as Record<string, (...args: unknown[]) => unknown>;
    expect(frozen[unmodeled]!()).toBe('from c');
  });

  it('lists every DDI of the spec, and an assignment changes only the table assigned to', () => {
    const a = createSimulation({ seed: 1, device: new FakeDevice() });
    const b = createSimulation({ seed: 1, device: new FakeDevice() });
    const listed: string[] = [];
    for (const name in a.ndis) listed.push(name);
    expect(listed.sort()).toEqual(metadata.functions.map((f) => f.name).sort());
    const wrapped = () => 'wrapped';
    table(a)[unmodeled] = wrapped;
    expect(table(a)[unmodeled]).toBe(wrapped);
    expect(table(b)[unmodeled]).not.toBe(wrapped);
    expect(table(b)[unmodeled]!.name).toBe(unmodeled);
  });
});

describe('register access', () => {
  it('hands the driver a handle per named register; NdisReadRegisterUlong, NdisWriteRegisterUlong and .value all reach the device', () => {
    const device = new FakeDevice();
    const sim = createSimulation({ seed: 1, device });
    const seen: number[] = [];
    const result = sim.run(
      testDriver({
        afterInitialize: (a) => {
          const regs = a.resources.registers;
          expect(Object.keys(regs)).toEqual(['CAUSE', 'MASK_SET', 'MASK_CLEAR', 'MASK', 'RAISE', 'SCRATCH']);
          expect(regs.SCRATCH).toBeInstanceOf(RegisterHandle);
          expect(a.resources.register(SCRATCH)).toBe(regs.SCRATCH);
          a.ndis.NdisWriteRegisterUlong(regs.SCRATCH!, 0x1234);
          const data = { value: 0 };
          a.ndis.NdisReadRegisterUlong(regs.SCRATCH!, data);
          seen.push(data.value);
          regs.SCRATCH!.value = -1; // a negative 32-bit value is its bit pattern
          seen.push(regs.SCRATCH!.value);
          const memory = { value: 77 };
          a.ndis.NdisReadRegisterUlong(memory, data); // plain memory, not the device
          seen.push(data.value);
        },
      }),
      { ticks: 10 },
    );
    expect(result.clean).toBe(true);
    expect(seen).toEqual([0x1234, 0xffffffff, 77]);
    expect(device.scratch).toBe(0xffffffff);
    expect(result.stats.registerReads).toBe(2);
    expect(result.stats.registerWrites).toBeGreaterThanOrEqual(2);
  });

  it('a register name a device lists twice is the last one listed, in the place of the first', () => {
    class Twice extends FakeDevice {
      override readonly registers = [...new FakeDevice().registers, { name: 'CAUSE', offset: SCRATCH }];
    }
    const sim = createSimulation({ seed: 1, device: new Twice() });
    let names: string[] = [];
    let offset = -1;
    let frozen = false;
    sim.run(
      testDriver({
        afterInitialize: (a) => {
          names = Object.keys(a.resources.registers);
          offset = a.resources.registers.CAUSE!.offsetBytes;
          frozen = Object.isFrozen(a.resources.registers);
        },
      }),
      { ticks: 10 },
    );
    expect(names).toEqual(['CAUSE', 'MASK_SET', 'MASK_CLEAR', 'MASK', 'RAISE', 'SCRATCH']);
    expect(offset).toBe(SCRATCH);
    expect(frozen).toBe(true);
  });

  it('every register access costs simulated time', () => {
    const sim = createSimulation({
      seed: 1,
      device: new FakeDevice(),
      costs: { registerReadTicks: 7, registerWriteTicks: 3 },
    });
    const ticks: number[] = [];
    sim.run(
      testDriver({
        afterInitialize: (a) => {
          ticks.push(sim.clock.nowTicks);
          void a.resources.registers.SCRATCH!.value;
          ticks.push(sim.clock.nowTicks);
          a.resources.registers.SCRATCH!.value = 1;
          ticks.push(sim.clock.nowTicks);
        },
      }),
      { ticks: 10 },
    );
    expect([ticks[1]! - ticks[0]!, ticks[2]! - ticks[1]!]).toEqual([7, 3]);
  });

  it('a register access is a preemption point: a pending interrupt can run between a read and a write', () => {
    const order: string[] = [];
    const sim = createSimulation({ seed: 1, device: new FakeDevice(), interrupt: { preemptPerMille: 1000 } });
    const isr = (a: { resources: { registers: Record<string, RegisterHandle | undefined> } }) => {
      order.push('isr');
      return a.resources.registers.CAUSE!.value !== 0;
    };
    const result = sim.run(
      testDriver({
        isr: (a, queueDpc) => {
          queueDpc.value = isr(a);
          return queueDpc.value;
        },
        afterInitialize: (a) => {
          order.push('raise');
          a.resources.registers.RAISE!.value = 1; // the line asserts (the mask is set)
          order.push('after raise');
        },
      }),
      { ticks: 10 },
    );
    expect(result.clean).toBe(true);
    expect(order).toEqual(['raise', 'isr', 'after raise']);
  });

  it('register handles of an earlier run fail loudly, with seed and tick', () => {
    const sim = createSimulation({ seed: 9, device: new FakeDevice() });
    let stale: RegisterHandle | undefined;
    sim.run(testDriver({ afterInitialize: (a) => void (stale = a.resources.registers.SCRATCH) }), { ticks: 10 });
    sim.run(testDriver(), { ticks: 10 });
    expect(() => stale!.value).toThrow(
      /SCRATCH was mapped for an earlier run at test\/sim\/ndis\/ndis-ddis\.test\.ts:248:25 \(seed=9 tick=\d+\)/,
    );
  });

  it("resourcesOf rejects parameters that are not the harness's", () => {
    expect(() => resourcesOf({ AllocatedResources: {} })).toThrow(TypeError);
  });
});

describe('NdisStallExecution', () => {
  it('advances simulated time by the microseconds asked for', () => {
    const sim = createSimulation({ seed: 1, device: new FakeDevice() });
    const ticks: number[] = [];
    sim.run(
      testDriver({
        afterInitialize: (a) => {
          ticks.push(sim.clock.nowTicks);
          a.ndis.NdisStallExecution(12);
          ticks.push(sim.clock.nowTicks);
        },
      }),
      { ticks: 10 },
    );
    expect(ticks[1]! - ticks[0]!).toBe(120);
  });

  it('rejects a stall that is not an integer number of microseconds', () => {
    const sim = createSimulation({ seed: 1, device: new FakeDevice() });
    expect(() =>
      sim.run(testDriver({ afterInitialize: (a) => a.ndis.NdisStallExecution(1.5) }), { ticks: 10 }),
    ).toThrow(/MicroSecondsToStall/);
  });
});

describe('sim.ddi.define', () => {
  it('a DDI the test replaces keeps its generated contract check', () => {
    const sim = createSimulation({ seed: 1, device: new FakeDevice(), mode: 'collect' });
    const calls: unknown[] = [];
    sim.ddi.define('NdisStallExecution', (microseconds: number) => void calls.push(microseconds), { replace: true });
    sim.ddi.define('NdisMDeregisterInterruptEx', (handle: unknown) => void calls.push(handle === null), {
      replace: true,
    });
    const result = sim.run(
      testDriver({
        afterInitialize: (a) => {
          a.ndis.NdisStallExecution(5);
          a.ndis.NdisAcquireSpinLock(a.lock);
          a.ndis.NdisMDeregisterInterruptEx(null); // PASSIVE_LEVEL only: IRQL-CALL from the generated contract
          a.ndis.NdisReleaseSpinLock(a.lock);
        },
        halt: () => {},
      }),
      { ticks: 10 },
    );
    expect(calls).toEqual([5, true]);
    expect(result.reports.map((r) => [r.rule, r.subject])).toEqual([
      ['IRQL-CALL', 'NdisMDeregisterInterruptEx'],
      ['INT-DEREGISTER', 'MINIPORT_HALT'],
    ]);
  });

  it('NdisFreeMemory may run up to DISPATCH_LEVEL, as its contract in the spec says (no exception of the harness)', () => {
    const freeAtDispatch = (flags: number) => {
      const sim = createSimulation({ seed: 1, device: new FakeDevice(), mode: 'collect' });
      const freed: number[] = [];
      sim.ddi.define('NdisFreeMemory', (_address: unknown, _length: number, given: number) => void freed.push(given));
      const result = sim.run(
        testDriver({
          afterInitialize: (a: TestAdapter) => {
            (a.ndis.NdisFreeMemory as (...args: unknown[]) => void)({}, 16, flags); // PASSIVE_LEVEL: always allowed
            a.ndis.NdisAcquireSpinLock(a.lock);
            (a.ndis.NdisFreeMemory as (...args: unknown[]) => void)({}, 16, flags); // DISPATCH_LEVEL
            a.ndis.NdisReleaseSpinLock(a.lock);
          },
        }),
        { ticks: 10 },
      );
      expect(freed).toEqual([flags, flags]);
      return result.reports.map((r) => [r.rule, r.message, r.occurrences]);
    };
    // Pool memory (MemoryFlags 0, from NdisAllocateMemoryWithTagPriority): allowed at DISPATCH_LEVEL.
    expect(freeAtDispatch(0)).toEqual([]);
    // The curated contract is one range, with no condition the harness would have to tell from MemoryFlags.
    expect(freeAtDispatch(1)).toEqual([]);
    const contract = functionContract('NdisFreeMemory')!.irql;
    expect([contract.min, contract.max, contract.when]).toEqual(['PASSIVE_LEVEL', 'DISPATCH_LEVEL', []]);
  });

  it('a DDI the harness does not model throws until a test supplies it, naming sim.ddi.define', () => {
    const unmodeled = MODELED_DDIS.filter((name) => name !== 'NdisStallExecution');
    const stall = testDriver({ afterInitialize: (a) => a.ndis.NdisStallExecution(3) });
    const bare = createSimulation({ seed: 1, device: new FakeDevice(), modeledDdis: unmodeled });
    expect(() => bare.run(stall, { ticks: 10 })).toThrow(
      "UnmodeledDdiError: NdisStallExecution is in the spec but the simulator does not model it; supply its behaviour with sim.ddi.define('NdisStallExecution', impl) (seed=1 tick=",
    );
    const supplied = createSimulation({ seed: 1, device: new FakeDevice(), modeledDdis: unmodeled });
    const calls: number[] = [];
    supplied.ddi.define('NdisStallExecution', (microseconds: number) => void calls.push(microseconds));
    expect(supplied.run(stall, { ticks: 10 }).clean).toBe(true);
    expect(calls).toEqual([3]);
    expect(() => createSimulation({ seed: 1, device: new FakeDevice(), modeledDdis: ['NdisFoo'] })).toThrow(
      /does not model NdisFoo/,
    );
  });

  it('a DDI of the spec the harness does not model: throws until defined, then runs with its generated contract check', () => {
    // Any PASSIVE_LEVEL-only DDI the spec carries and the harness does not model.
    const modeled = new Set<string>(MODELED_DDIS);
    const passiveOnly = metadata.functions.find(
      (f) =>
        !modeled.has(f.name) &&
        f.irql.min === 'PASSIVE_LEVEL' &&
        f.irql.max === 'PASSIVE_LEVEL' &&
        f.irql.when.length === 0,
    );
    if (passiveOnly === undefined) return; // the spec has none (yet): the modeledDdis test covers the path
    const name = passiveOnly.name;
    const call = (a: { ndis: unknown }) => (a.ndis as Record<string, (...args: unknown[]) => unknown>)[name]!();
    const bare = createSimulation({ seed: 1, device: new FakeDevice() });
    expect(() => bare.run(testDriver({ afterInitialize: call }), { ticks: 10 })).toThrow(
      `${name} is in the spec but the simulator does not model it`,
    );
    const sim = createSimulation({ seed: 1, device: new FakeDevice({ periodTicks: 400 }), mode: 'collect' });
    const calls: string[] = [];
    sim.ddi.define(name, () => void calls.push(name));
    const result = sim.run(
      testDriver({
        afterInitialize: call,
        dpc: (a, messageId) => {
          if (a.dpcCalls === 1) call(a); // at DISPATCH_LEVEL: IRQL-CALL from the generated contract
          a.ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, messageId, a.functions.takeCauses, a);
          a.notes.pop();
          a.ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, messageId, a.functions.enableInSync, a);
        },
      }),
      { ticks: 2_000 },
    );
    expect(calls).toEqual([name, name]);
    expect(result.reports.map((r) => [r.rule, r.subject, r.irqlFound])).toEqual([['IRQL-CALL', name, 2]]);
  });

  it('a DDI whose contract the spec does not know is not IRQL-checked, and is no any-IRQL DDI for MAY-CALL', () => {
    const unknown = metadata.functions.find(
      (f) => f.irql.min === null && f.params.every((p) => !p.type.endsWith('_HANDLER')),
    );
    if (unknown === undefined) return; // every contract known: nothing to show
    const name = unknown.name;
    const call = (a: { ndis: unknown }) => (a.ndis as Record<string, (...args: unknown[]) => unknown>)[name]!();
    const sim = createSimulation({ seed: 1, device: new FakeDevice({ periodTicks: 400 }), mode: 'collect' });
    sim.ddi.define(name, () => undefined);
    const result = sim.run(
      testDriver({
        afterInitialize: (a) => {
          call(a);
          a.ndis.NdisAcquireSpinLock(a.lock);
          call(a);
          a.ndis.NdisReleaseSpinLock(a.lock);
        },
        isr: (a, queueDpc) => {
          call(a);
          const causes = a.resources.registers.CAUSE!.value;
          a.causes |= causes;
          a.resources.registers.MASK_CLEAR!.value = 0xffffffff;
          queueDpc.value = causes !== 0;
          return causes !== 0;
        },
      }),
      { ticks: 1_000 },
    );
    expect(result.reports.map((r) => [r.rule, r.subject, r.bugCheck!.parameters[0], r.irqlRequired])).toEqual([
      ['MAY-CALL', name, 0xe5, null],
    ]);
    expect(result.reports[0]!.message).toContain('an IRQL contract the spec does not know');
  });

  it('refuses names that are not DDIs of the spec, and modeled DDIs without replace', () => {
    const sim = createSimulation({ seed: 1, device: new FakeDevice() });
    expect(() => sim.ddi.define('NdisNoSuchFunction', () => {})).toThrow(/not a DDI of the spec/);
    expect(() => sim.ddi.define('NdisStallExecution', () => {})).toThrow(/pass \{ replace: true \}/);
  });

  it('checks handler parameters of a replaced DDI against their role', () => {
    const sim = createSimulation({ seed: 1, device: new FakeDevice(), mode: 'collect' });
    const calls: unknown[] = [];
    sim.ddi.define('NdisMSynchronizeWithInterruptEx', (...args: unknown[]) => void calls.push(args.length), {
      replace: true,
    });
    const isr = MINIPORT_ISR('NotASyncFunction', () => true);
    const result = sim.run(
      testDriver({
        afterInitialize: (a) => void a.ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, 0, isr as never, a),
      }),
      { ticks: 10 },
    );
    expect(result.reports.map((r) => r.rule)).toEqual(['ROLE-TYPE']);
    expect(calls).toEqual([]);
  });

  it('UnmodeledDdiError says how to supply the behaviour', () => {
    expect(new UnmodeledDdiError('NdisFoo').message).toBe(
      "NdisFoo is in the spec but the simulator does not model it; supply its behaviour with sim.ddi.define('NdisFoo', impl)",
    );
  });
});
