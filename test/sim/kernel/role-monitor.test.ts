/**
 * Roles at run time: ROLE-IRQL, IRQL-SAME (both forms), MAY-CALL (both forms), LOCK-LEAK, DPC-IRQL,
 * the ISR and DPC time budgets, ROLE-RETURN and ROLE-TYPE, each fired and shown quiet; the monitor is
 * installed only while a run lasts; frames nest as the calls do.
 */
import {
  currentRoleMonitor,
  declareRole,
  MINIPORT_HALT,
  MINIPORT_INITIALIZE,
  MINIPORT_SYNCHRONIZE_INTERRUPT,
  MINIPORT_SYNCHRONIZE_MESSAGE_INTERRUPT,
  NDIS_STATUS_SUCCESS,
  roleContract,
  type MINIPORT_SYNCHRONIZE_INTERRUPT_HANDLER,
  type RoleMeta,
} from '@ddikit/ndis';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createSimulation, defineMiniport, irqlUnexpectedP1, SimulationError } from '@ddikit/sim';
import { describe, expect, it } from 'vitest';
import { testDriver, type TestAdapter } from '../drivers.js';
import { FakeDevice } from '../fake-device.js';
import { ruleCase, runScenario } from '../rule-cases.js';

const returnsNumber = MINIPORT_SYNCHRONIZE_INTERRUPT('ReturnsNumber', (() => 1) as unknown as () => boolean);
const returnsTrue = MINIPORT_SYNCHRONIZE_INTERRUPT('ReturnsTrue', () => true);
const releasesCallersLock = MINIPORT_SYNCHRONIZE_INTERRUPT('ReleasesCallersLock', (context) => {
  const a = context as TestAdapter;
  a.ndis.NdisReleaseSpinLock(a.lock);
  return true;
});
const stallsInIsr = (microseconds: number) => (a: TestAdapter, queueDpc: { value: boolean }) => {
  a.ndis.NdisStallExecution(microseconds);
  const causes = a.resources.registers.CAUSE!.value;
  if (causes === 0) return false;
  a.causes |= causes;
  a.resources.registers.MASK_CLEAR!.value = 0xffffffff;
  queueDpc.value = true;
  return true;
};
const dpcWork = (a: TestAdapter, messageId: number) => {
  a.ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, messageId, a.functions.takeCauses, a);
  a.notes.pop();
  a.ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, messageId, a.functions.enableInSync, a);
};

describe('role rules', () => {
  ruleCase({
    name: 'MiniportInitializeEx calls its synchronize function directly, at PASSIVE_LEVEL',
    rule: 'ROLE-IRQL',
    code: 0xc4,
    p1: 0xe5,
    fire: { driver: testDriver({ afterInitialize: (a) => void a.functions.takeCauses(a) }) },
    quiet: {
      driver: testDriver({
        afterInitialize: (a) => void a.ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, 0, a.functions.takeCauses, a),
      }),
    },
  });

  ruleCase({
    name: "a synchronize function that releases its caller's spin lock returns at a lower IRQL (MAY-CALL and IRQL-CALL off)",
    rule: 'IRQL-SAME',
    code: 0xc4,
    p1: 0x111,
    fire: {
      options: { disabledRules: ['MAY-CALL', 'IRQL-CALL'] },
      driver: testDriver({
        afterInitialize: (a) => {
          a.ndis.NdisAcquireSpinLock(a.lock);
          a.ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, 0, releasesCallersLock, a);
        },
      }),
    },
    quiet: {
      options: { disabledRules: ['MAY-CALL', 'IRQL-CALL'] },
      driver: testDriver({
        afterInitialize: (a) => {
          a.ndis.NdisAcquireSpinLock(a.lock);
          a.ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, 0, returnsTrue, a);
          a.ndis.NdisReleaseSpinLock(a.lock);
        },
      }),
    },
  });

  ruleCase({
    name: 'MiniportInitializeEx returns at DISPATCH_LEVEL, holding a lock (LOCK-LEAK off)',
    rule: 'IRQL-SAME',
    code: 0xc8,
    p1: irqlUnexpectedP1(2, 0),
    fire: {
      options: { disabledRules: ['LOCK-LEAK'] },
      driver: testDriver({ afterInitialize: (a) => a.ndis.NdisAcquireSpinLock(a.lock) }),
    },
    quiet: {
      options: { disabledRules: ['LOCK-LEAK'] },
      driver: testDriver({
        afterInitialize: (a) => {
          a.ndis.NdisAcquireSpinLock(a.lock);
          a.ndis.NdisReleaseSpinLock(a.lock);
        },
      }),
    },
  });

  ruleCase({
    name: 'an ISR acquires a spin lock',
    rule: 'MAY-CALL',
    code: 0xc4,
    p1: 0x42,
    fire: {
      driver: testDriver({
        isr: (a, queueDpc) => {
          a.ndis.NdisDprAcquireSpinLock(a.lock);
          a.ndis.NdisDprReleaseSpinLock(a.lock);
          return stallsInIsr(0)(a, queueDpc);
        },
      }),
    },
    quiet: { driver: testDriver({ isr: (a, queueDpc) => stallsInIsr(0)(a, queueDpc) }) },
  });

  ruleCase({
    name: 'an ISR calls NdisMSynchronizeWithInterruptEx',
    rule: 'MAY-CALL',
    code: 0xc4,
    p1: 0xe5,
    fire: {
      driver: testDriver({
        isr: (a, queueDpc) => {
          a.ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, 0, returnsTrue, a);
          return stallsInIsr(0)(a, queueDpc);
        },
      }),
    },
    quiet: {
      driver: testDriver({
        isr: (a, queueDpc) => {
          // DDIs callable at any IRQL are fine.
          a.ndis.NdisMQueueDpcEx(a.interrupt, 0, { Mask: 0n, Group: 0, Reserved: [0, 0, 0] }, null);
          return stallsInIsr(0)(a, queueDpc);
        },
      }),
    },
  });

  ruleCase({
    name: 'MiniportInitializeEx returns holding a spin lock',
    rule: 'LOCK-LEAK',
    code: 0xc8,
    p1: irqlUnexpectedP1(2, 0),
    // Where the lock was taken: the DDI and the tick.
    message:
      /^\w+ returned holding lock \(spin lock #1\), which it acquired with NdisAcquireSpinLock at tick \d+ and did not release$/,
    fire: { driver: testDriver({ afterInitialize: (a) => a.ndis.NdisAcquireSpinLock(a.lock) }) },
    quiet: {
      driver: testDriver({
        afterInitialize: (a) => {
          a.ndis.NdisAcquireSpinLock(a.lock);
          a.ndis.NdisReleaseSpinLock(a.lock);
        },
      }),
    },
  });

  ruleCase({
    name: 'a DPC returns holding a lock taken with NdisDprAcquireSpinLock',
    rule: 'LOCK-LEAK',
    code: 0xc8,
    p1: irqlUnexpectedP1(2, 2),
    message:
      /^\w+ returned holding otherLock \(spin lock #\d+\), which it acquired with NdisDprAcquireSpinLock at tick \d+ and did not release$/,
    fire: {
      driver: testDriver({
        dpc: (a, messageId) => {
          dpcWork(a, messageId);
          if (a.dpcCalls === 2) a.ndis.NdisDprAcquireSpinLock(a.otherLock);
        },
      }),
    },
    quiet: { driver: testDriver({ dpc: dpcWork }) },
  });

  it('with the lockSites option LOCK-LEAK also names the line of the acquire; without it, only the DDI and tick', () => {
    const driver = testDriver({ afterInitialize: (a) => a.ndis.NdisAcquireSpinLock(a.lock) });
    const leak = (lockSites: boolean): string => {
      const sim = createSimulation({
        seed: 7,
        device: new FakeDevice({ periodTicks: 400 }),
        mode: 'collect',
        lockSites,
      });
      return sim.run(driver, { ticks: 20_000 }).reports.find((r) => r.rule === 'LOCK-LEAK')!.message;
    };
    const kept = /, at \S+ \(test\/sim\/kernel\/role-monitor\.test\.ts:(\d+):(\d+)\), and did not release$/.exec(
      leak(true),
    );
    expect(kept).not.toBeNull();
    const line = readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n')[Number(kept![1]) - 1]!;
    expect(line.slice(Number(kept![2]) - 1)).toMatch(/^NdisAcquireSpinLock\(a\.lock\)/);
    expect(leak(false)).toMatch(/acquired with NdisAcquireSpinLock at tick \d+ and did not release$/);
  });

  ruleCase({
    name: 'MiniportInitializeEx calls its DPC directly, at PASSIVE_LEVEL',
    rule: 'DPC-IRQL',
    code: 0xc4,
    p1: 0x3b,
    fire: { driver: testDriver({ afterInitialize: (a) => void a.functions.dpc(a, null, null, null) }) },
    quiet: {
      driver: testDriver({
        afterInitialize: (a) =>
          void a.ndis.NdisMQueueDpcEx(a.interrupt, 0, { Mask: 1n, Group: 0, Reserved: [0, 0, 0] }, 'from initialize'),
      }),
    },
  });

  ruleCase({
    name: 'an ISR stalls 30 µs',
    rule: 'TIME-BUDGET',
    code: 0x133,
    p1: 0,
    fire: { driver: testDriver({ isr: (a, q) => stallsInIsr(30)(a, q) }) },
    quiet: { driver: testDriver({ isr: (a, q) => stallsInIsr(10)(a, q) }) },
  });

  ruleCase({
    name: 'a DPC stalls 120 µs',
    rule: 'TIME-BUDGET',
    code: 0x133,
    p1: 0,
    fire: {
      driver: testDriver({
        dpc: (a, m) => {
          a.ndis.NdisStallExecution(120);
          dpcWork(a, m);
        },
      }),
    },
    quiet: {
      driver: testDriver({
        dpc: (a, m) => {
          a.ndis.NdisStallExecution(60);
          dpcWork(a, m);
        },
      }),
    },
  });

  ruleCase({
    name: 'a synchronize function returns the number 1, not a BOOLEAN',
    rule: 'ROLE-RETURN',
    code: 0xc4,
    p1: 0xdd03,
    fire: {
      driver: testDriver({
        afterInitialize: (a) => void a.ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, 0, returnsNumber, a),
      }),
    },
    quiet: {
      driver: testDriver({
        afterInitialize: (a) => void a.ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, 0, returnsTrue, a),
      }),
    },
  });

  ruleCase({
    name: 'a plain function handed to NdisMSynchronizeWithInterruptEx',
    rule: 'ROLE-TYPE',
    code: 0xc4,
    p1: 0xdd04,
    fire: {
      driver: testDriver({
        afterInitialize: (a) =>
          void a.ndis.NdisMSynchronizeWithInterruptEx(
            a.interrupt,
            0,
            (() => true) as unknown as MINIPORT_SYNCHRONIZE_INTERRUPT_HANDLER,
            a,
          ),
      }),
    },
    quiet: {
      driver: testDriver({
        afterInitialize: (a) => void a.ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, 0, returnsTrue, a),
      }),
    },
  });

  ruleCase({
    name: 'an ISR handed to NdisMSynchronizeWithInterruptEx as SynchronizeFunction',
    rule: 'ROLE-TYPE',
    code: 0xc4,
    p1: 0xdd04,
    fire: {
      driver: testDriver({
        afterInitialize: (a) =>
          void a.ndis.NdisMSynchronizeWithInterruptEx(
            a.interrupt,
            0,
            a.functions.isr as unknown as MINIPORT_SYNCHRONIZE_INTERRUPT_HANDLER,
            a,
          ),
      }),
    },
    quiet: {
      driver: testDriver({
        // The variant role is accepted where the base role is.
        afterInitialize: (a) =>
          void a.ndis.NdisMSynchronizeWithInterruptEx(
            a.interrupt,
            0,
            MINIPORT_SYNCHRONIZE_MESSAGE_INTERRUPT('MessageVariant', () => true),
            a,
          ),
      }),
    },
  });

  ruleCase({
    name: 'a plain function registered as the DPC handler',
    rule: 'ROLE-TYPE',
    code: 0xc4,
    p1: 0xdd04,
    haltsInCollect: false,
    fire: {
      driver: testDriver({
        characteristics: (chars) => {
          (chars as unknown as Record<string, unknown>).InterruptDpcHandler = function MyPlainDpc() {};
        },
      }),
    },
    quiet: { driver: testDriver() },
  });
});

describe('ROLE-RETURN names an async role function', () => {
  it('a synchronize function declared async returns a Promise: the report says so, and why it matters', () => {
    const asyncSync = MINIPORT_SYNCHRONIZE_INTERRUPT('AsyncSync', (async () => true) as unknown as () => boolean);
    const result = createSimulation({ seed: 1, device: new FakeDevice(), mode: 'collect' }).run(
      testDriver({ afterInitialize: (a) => void a.ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, 0, asyncSync, a) }),
      { ticks: 10 },
    );
    const report = result.reports.find((r) => r.rule === 'ROLE-RETURN');
    expect(report?.message).toBe(
      'AsyncSync returned a Promise; the role MINIPORT_SYNCHRONIZE_INTERRUPT returns a boolean (BOOLEAN) (an async function? A role function runs to its end at its IRQL; what follows an await runs after it returned, outside its role and its locks)',
    );
  });

  it('any other object is named by its type, with no word on async', () => {
    const returnsObject = MINIPORT_SYNCHRONIZE_INTERRUPT('ReturnsObject', (() => ({})) as unknown as () => boolean);
    const result = createSimulation({ seed: 1, device: new FakeDevice(), mode: 'collect' }).run(
      testDriver({
        afterInitialize: (a) => void a.ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, 0, returnsObject, a),
      }),
      { ticks: 10 },
    );
    expect(result.reports.find((r) => r.rule === 'ROLE-RETURN')?.message).toBe(
      'ReturnsObject returned object; the role MINIPORT_SYNCHRONIZE_INTERRUPT returns a boolean (BOOLEAN)',
    );
  });
});

describe('role monitor', () => {
  it('is installed while a run lasts and removed after it', () => {
    let during: unknown = 'unset';
    const sim = createSimulation({ seed: 1, device: new FakeDevice() });
    expect(currentRoleMonitor()).toBeNull();
    sim.run(testDriver({ afterInitialize: () => (during = currentRoleMonitor()) }), { ticks: 10 });
    expect(during).toBe(sim.monitor);
    expect(currentRoleMonitor()).toBeNull();
  });

  it('is not installed with the verifier off, and declared functions run unchecked', () => {
    let during: unknown = 'unset';
    const sim = createSimulation({ seed: 1, device: new FakeDevice(), verifier: false });
    const result = sim.run(
      testDriver({
        afterInitialize: (a) => {
          during = currentRoleMonitor();
          a.functions.takeCauses(a); // at PASSIVE_LEVEL: ROLE-IRQL, were the verifier on
        },
      }),
      { ticks: 10 },
    );
    expect(during).toBeNull();
    expect(result.reports).toEqual([]);
  });

  it('reports frames innermost first, with the IRQL each was entered at', () => {
    const result = runScenario(
      {
        driver: testDriver({
          isr: (a, q) => stallsInIsr(0)(a, q) && a.ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, 0, returnsTrue, a),
        }),
      },
      'bugcheck',
    );
    const frames = result.bugCheck!.frames;
    expect(frames.map((f) => [f.role, f.function])).toEqual([['MINIPORT_ISR', 'TestInterrupt']]);
    expect(frames[0]!.irql).toBe(result.bugCheck!.irqlFound);
    expect(frames[0]!.irql).toBeGreaterThanOrEqual(3);
  });

  it('nests frames: a synchronize function called from a DPC', () => {
    let depthSeen = 0;
    const nested = MINIPORT_SYNCHRONIZE_INTERRUPT('Nested', () => {
      depthSeen = sim.monitor.frames().length;
      expect(sim.monitor.frames().map((f) => f.function)).toEqual(['Nested', 'TestInterruptDpc']);
      return true;
    });
    const sim = createSimulation({ seed: 2, device: new FakeDevice({ periodTicks: 400 }) });
    const result = sim.run(
      testDriver({
        dpc: (a, m) => void (a.ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, m, nested, a), dpcWork(a, m)),
      }),
      { ticks: 2_000 },
    );
    expect(result.clean).toBe(true);
    expect(depthSeen).toBe(2);
  });

  /**
   * Another copy of @ddikit/ndis declares with its own metadata objects: declareRole with a RoleMeta
   * that is not the harness's is what a driver's MINIPORT_SYNCHRONIZE_INTERRUPT(...) of that copy does.
   */
  const otherCopy = (change: (meta: RoleMeta) => RoleMeta) =>
    declareRole(change(roleContract('MINIPORT_SYNCHRONIZE_INTERRUPT')!))('OtherCopySync', () => true);
  const callsDirectly = (fn: ReturnType<typeof otherCopy>) =>
    testDriver({ afterInitialize: (a) => void (fn as unknown as (context: unknown) => boolean)(a) }); // at PASSIVE_LEVEL

  it('stops the run at a function declared with another version of @ddikit/ndis whose contract of its role differs', () => {
    // A version that lets the role run at PASSIVE_LEVEL would hide ROLE-IRQL: checked against the
    // driver's copy, the call is clean; against the harness's, it is not. The run says neither.
    const lenient = otherCopy((meta) => ({ ...meta, irql: { ...meta.irql, min: 'PASSIVE_LEVEL' } }));
    const run = () =>
      createSimulation({ seed: 1, device: new FakeDevice() }).run(callsDirectly(lenient), { ticks: 10 });
    expect(run).toThrow(SimulationError);
    expect(run).toThrow(
      /^OtherCopySync is declared MINIPORT_SYNCHRONIZE_INTERRUPT with another contract of MINIPORT_SYNCHRONIZE_INTERRUPT than the harness checks with \(it differs in irql\): its declarator is of another version of @ddikit\/ndis than @ddikit\/sim's, or generated from a spec that changes the role\. The harness checks a driver against the contracts of its own @ddikit\/ndis; when two are installed, npm ls @ddikit\/ndis lists them, and npm dedupe, or installing the version @ddikit\/sim asks for, makes them one — in TestInitializeEx \(MINIPORT_INITIALIZE\) at .*\(seed=1 tick=\d+\)$/,
    );
    const stricter = otherCopy((meta) => ({ ...meta, returns: { type: 'VOID' }, rules: [...meta.rules, 'ISR-CLAIM'] }));
    expect(() =>
      createSimulation({ seed: 1, device: new FakeDevice() }).run(callsDirectly(stricter), { ticks: 10 }),
    ).toThrow(/\(it differs in returns, rules\)/);
  });

  it('checks a function declared with another copy of the same contract, and a role the harness does not know by its own', () => {
    // Another copy's objects, equal in every field the checks read (in another key order), whatever
    // their documentation says: no reason to stop, and the harness's checks apply.
    const same = otherCopy(
      (meta) =>
        Object.fromEntries(
          Object.entries({ ...structuredClone(meta), provenance: 'generated/spec/roles.yaml:1', sal: [] }).reverse(),
        ) as unknown as RoleMeta,
    );
    const result = createSimulation({ seed: 1, device: new FakeDevice() }).run(callsDirectly(same), { ticks: 10 });
    expect(result.bugCheck?.rule).toBe('ROLE-IRQL');
    expect(result.bugCheck?.message).toContain('OtherCopySync (MINIPORT_SYNCHRONIZE_INTERRUPT) was entered at IRQL 0');
    // A project's own role (ddikit generate --extend-bundled) is checked by the contract it declares.
    const own = otherCopy((meta) => ({ ...meta, name: 'MY_NIC_SYNCHRONIZE' }));
    const ownResult = createSimulation({ seed: 1, device: new FakeDevice() }).run(callsDirectly(own), { ticks: 10 });
    expect(ownResult.bugCheck?.rule).toBe('ROLE-IRQL');
    expect(ownResult.bugCheck?.message).toContain('OtherCopySync (MY_NIC_SYNCHRONIZE) was entered at IRQL 0');
  });

  it('rejects a MiniportInitializeEx declared with no role', () => {
    const plain = defineMiniport('plain', () => ({
      MiniportInitializeEx: (() => NDIS_STATUS_SUCCESS) as unknown as ReturnType<typeof MINIPORT_INITIALIZE>,
      MiniportHaltEx: MINIPORT_HALT('H', () => {}),
    }));
    const result = createSimulation({ seed: 1, device: new FakeDevice() }).run(plain, { ticks: 10 });
    expect(result.bugCheck?.rule).toBe('ROLE-TYPE');
    expect(result.bugCheck?.message).toContain(
      'MiniportHandlers.MiniportInitializeEx takes a function declared as MINIPORT_INITIALIZE',
    );
    expect(result.initializeStatus).toBeNull();
  });
});
