/**
 * Fault injection: every fault is checked when configured, switched on by itself, drawn from the
 * seed (a seed replays its faults), and does what it says to the run; the scenario drivers survive
 * each fault — or, where the driver has a bug, are reported with the right rule.
 */
import {
  createSimulation,
  defineMiniport,
  faultsFromNames,
  FAULT_NAMES,
  REGISTER_REMOVED_VALUE,
  resolveFaults,
  type FaultOptions,
  type MiniportDefinition,
  type RunResult,
  type Scenario,
} from '@ddikit/sim';
import { MINIPORT_HALT, NdisHaltDeviceSurpriseRemoved, NDIS_CONNECT_LINE_BASED } from '@ddikit/ndis';
import { describe, expect, it } from 'vitest';
import e1000Line, { scenario as e1000Scenario } from '../../../examples/scenarios/e1000-line.js';
import lostInterrupt, {
  lostInterruptDriver,
  scenario as lostScenario,
} from '../../../examples/scenarios/lost-interrupt.js';
import msixQueues, {
  msixQueues as msixQueuesDriver,
  scenario as msixScenario,
} from '../../../examples/scenarios/msix-queues.js';
import { testDriver } from '../drivers.js';
import { FakeDevice } from '../fake-device.js';

function run(
  driver: MiniportDefinition,
  scenario: Scenario,
  faults: FaultOptions,
  seed = 1,
  ticks = 20_000,
): RunResult {
  return createSimulation({ seed, device: scenario.device!(), mode: 'collect', faults }).run(driver, { ticks });
}

describe('fault options', () => {
  const cases: { given: FaultOptions; want: Partial<ReturnType<typeof resolveFaults>> }[] = [
    {
      given: {},
      want: {
        sharedLinePerMille: 0,
        spuriousPerMille: 0,
        stormGapTicks: 0,
        surpriseRemovalTick: null,
        dpcCoalescingPerMille: 0,
      },
    },
    {
      given: { sharedLine: true, spurious: true, dpcCoalescing: true },
      want: { sharedLinePerMille: 50, spuriousPerMille: 20, dpcCoalescingPerMille: 300 },
    },
    { given: { sharedLine: 7, spurious: false }, want: { sharedLinePerMille: 7, spuriousPerMille: 0 } },
    { given: { storm: true }, want: { stormGapTicks: 20 } },
    { given: { storm: 5 }, want: { stormGapTicks: 5 } },
    { given: { surpriseRemoval: true }, want: { surpriseRemovalTick: -1 } },
    { given: { surpriseRemoval: 1234 }, want: { surpriseRemovalTick: 1234 } },
    {
      given: { interruptDuringRegister: true, lineForMsiDriver: true },
      want: { interruptDuringRegister: true, lineForMsiDriver: true },
    },
  ];
  for (const { given, want } of cases)
    it(`${JSON.stringify(given)}`, () => expect(resolveFaults(given)).toMatchObject(want));

  const bad: { given: unknown; want: RegExp }[] = [
    { given: { sharedLine: 1001 }, want: /faults.sharedLine must be true, false or a chance in 1000/ },
    { given: { storm: 0 }, want: /faults.storm must be true or a gap of 1..1000000 ticks/ },
    { given: { surpriseRemoval: -2 }, want: /faults.surpriseRemoval must be true or a tick/ },
    { given: { thunder: true }, want: /faults.thunder is not a fault/ },
  ];
  for (const { given, want } of bad)
    it(`rejects ${JSON.stringify(given)}`, () => expect(() => resolveFaults(given as FaultOptions)).toThrow(want));

  it('names each fault for the command line', () => {
    expect(Object.keys(FAULT_NAMES).sort()).toEqual([
      'dpc-coalescing',
      'interrupt-during-register',
      'line-for-msi',
      'shared-line',
      'spurious',
      'storm',
      'surprise-removal',
    ]);
    expect(faultsFromNames(['storm', 'line-for-msi'])).toEqual({ storm: true, lineForMsiDriver: true });
    expect(() => faultsFromNames(['rain'])).toThrow(/unknown fault "rain" \(one of shared-line, /);
  });
});

describe('each fault does what it says', () => {
  it('shared line: another device raises the line; the ISR sees interrupts its NIC did not raise', () => {
    const quiet = run(e1000Line, e1000Scenario, {});
    const shared = run(e1000Line, e1000Scenario, { sharedLine: true });
    expect(quiet.stats.spuriousInterrupts).toBe(0);
    expect(shared.stats.spuriousInterrupts).toBeGreaterThan(3);
    expect(shared.reports).toEqual([]);
  });

  it('spurious: line and message interrupts with no cause; message ISRs claim them, line ISRs do not', () => {
    const line = run(e1000Line, e1000Scenario, { spurious: true });
    expect(line.stats.spuriousInterrupts).toBeGreaterThan(5);
    const messages = run(msixQueues, msixScenario, { spurious: true });
    const plain = run(msixQueues, msixScenario, {});
    expect(messages.stats.interrupts).toBeGreaterThan(plain.stats.interrupts);
    expect([...line.reports, ...messages.reports]).toEqual([]);
  });

  it('storm: the device raises a cause every few ticks', () => {
    const plain = run(e1000Line, e1000Scenario, {});
    const storm = run(e1000Line, e1000Scenario, { storm: true });
    expect(storm.stats.interrupts).toBeGreaterThan(plain.stats.interrupts * 3);
    expect(storm.reports).toEqual([]);
  });

  it('surprise removal: mid-run the device is gone — registers read all-ones — the run goes on, and MiniportHaltEx is told', () => {
    const causes: number[] = [];
    const actions: unknown[] = [];
    const inner = testDriver({
      isr: (a, queueDpc) => {
        const cause = a.resources.registers.CAUSE!.value;
        causes.push(cause);
        if (cause === 0 || cause === REGISTER_REMOVED_VALUE) return false;
        a.causes |= cause;
        a.resources.registers.MASK_CLEAR!.value = 0xffffffff;
        queueDpc.value = true;
        return true;
      },
    });
    const driver = defineMiniport('removal', (ndis) => {
      const handlers = inner.create(ndis);
      return {
        MiniportInitializeEx: handlers.MiniportInitializeEx,
        MiniportHaltEx: MINIPORT_HALT('RecordingHaltEx', (context, action) => {
          actions.push(action);
          handlers.MiniportHaltEx(context, action);
        }),
      };
    });
    // A line shared with another device keeps the ISR called after the NIC is gone.
    const sim = createSimulation({
      seed: 2,
      device: new FakeDevice({ periodTicks: 300 }),
      mode: 'collect',
      faults: { surpriseRemoval: 5_000, sharedLine: 200 },
    });
    const result = sim.run(driver, { ticks: 20_000 });
    expect(result.tick).toBeGreaterThanOrEqual(20_000);
    expect(causes.filter((v) => v === 1).length).toBeGreaterThan(5);
    expect(causes.filter((v) => v === REGISTER_REMOVED_VALUE).length).toBeGreaterThan(5);
    expect(causes.slice(causes.indexOf(REGISTER_REMOVED_VALUE)).every((v) => v === REGISTER_REMOVED_VALUE)).toBe(true);
    expect(actions).toEqual([NdisHaltDeviceSurpriseRemoved]);
    expect(result.reports).toEqual([]);
    // Drawn from the seed in the middle half of the run when the fault is just switched on.
    const drawn = createSimulation({
      seed: 2,
      device: new FakeDevice({ periodTicks: 300 }),
      mode: 'collect',
      faults: { surpriseRemoval: true, sharedLine: 200 },
    });
    causes.length = 0;
    drawn.run(driver, { ticks: 20_000 });
    const first = causes.indexOf(REGISTER_REMOVED_VALUE);
    expect(first).toBeGreaterThan(causes.length / 8);
    expect(first).toBeLessThan(causes.length);
  });

  it('interrupt during registration: the ISR runs before NdisMRegisterInterruptEx returns', () => {
    const order: string[] = [];
    const sim = createSimulation({
      seed: 1,
      device: new FakeDevice({ periodTicks: 300 }),
      faults: { interruptDuringRegister: true },
    });
    sim.run(
      testDriver({
        isr: (a) => (order.push(a.interrupt === null ? 'isr before the handle' : 'isr'), false),
        afterInitialize: () => void order.push('registered'),
      }),
      { ticks: 100 },
    );
    expect(order[0]).toBe('isr before the handle');
    expect(order).toContain('registered');
  });

  it('DPC coalescing: DPCs are held back, so later requests find them queued and fewer DPCs run', () => {
    // An ISR that does not mask: every cause is an interrupt, and each asks for the DPC.
    const counts = (faults: FaultOptions): { claims: number; dpcs: number } => {
      let claims = 0;
      let dpcs = 0;
      const driver = testDriver({
        isr: (a, queueDpc) => {
          const cause = a.resources.registers.CAUSE!.value;
          if (cause === 0) return false;
          claims++;
          queueDpc.value = true;
          return true;
        },
        dpc: () => void dpcs++,
      });
      createSimulation({ seed: 3, device: new FakeDevice({ periodTicks: 40 }), mode: 'collect', faults }).run(driver, {
        ticks: 10_000,
      });
      return { claims, dpcs };
    };
    const plain = counts({});
    const held = counts({ dpcCoalescing: 1000 });
    expect(plain.dpcs).toBe(plain.claims);
    expect(held.claims).toBeGreaterThan(100);
    expect(held.dpcs).toBeLessThan(held.claims / 2);
  });

  it('a line for an MSI driver: NDIS grants a line-based interrupt though MsiSupported is set', () => {
    let type: unknown = null;
    const sim = createSimulation({
      seed: 1,
      device: new FakeDevice({ messageCount: 4, periodTicks: 300 }),
      faults: { lineForMsiDriver: true },
    });
    sim.run(
      testDriver({ afterInitialize: (a) => void (type = a.messageBased ? 'message' : NDIS_CONNECT_LINE_BASED) }),
      { ticks: 1_000 },
    );
    expect(type).toBe(NDIS_CONNECT_LINE_BASED);
  });

  it('faults come from the seed: the same seed gives the same faulted run, another seed another one', () => {
    const all: FaultOptions = {
      sharedLine: true,
      spurious: true,
      storm: 97,
      surpriseRemoval: true,
      dpcCoalescing: true,
    };
    const a = run(e1000Line, e1000Scenario, all, 11);
    expect(JSON.stringify(run(e1000Line, e1000Scenario, all, 11))).toBe(JSON.stringify(a));
    expect(JSON.stringify(run(e1000Line, e1000Scenario, all, 12).stats)).not.toBe(JSON.stringify(a.stats));
  });
});

describe('the scenario drivers under each fault', () => {
  // [driver, scenario, rules expected under any fault] — the correct drivers survive every fault.
  const drivers: [string, MiniportDefinition, Scenario, string[]][] = [
    ['e1000-line', e1000Line, e1000Scenario, []],
    ['msix-queues', msixQueues, msixScenario, []],
    ['msix-queues-sync-all', msixQueuesDriver({ syncWithAll: true }), msixScenario, []],
    ['lost-interrupt-fixed', lostInterruptDriver({ fixed: true }), lostScenario, []],
    ['lost-interrupt', lostInterrupt, lostScenario, ['INT-LOST', 'ISR-SHARED-RACE']],
  ];
  const faults = Object.keys(FAULT_NAMES);
  for (const [name, driver, scenario, expected] of drivers) {
    for (const fault of faults) {
      it(`${name} with ${fault}: ${expected.length === 0 ? 'clean' : expected.join(' + ')}`, () => {
        const rules = new Set<string>();
        for (let seed = 1; seed <= 6; seed++)
          for (const r of run(driver, scenario, faultsFromNames([fault]), seed, 10_000).reports) rules.add(r.rule);
        expect([...rules].sort()).toEqual(expected);
      });
    }
  }
});
