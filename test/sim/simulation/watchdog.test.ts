/**
 * The simulated-time watchdog: an ISR, a DPC or a synchronize function that loops — around
 * NdisStallExecution(1), or polling a register for a bit that never comes — stops the run at once
 * with a 0x133 report naming it, in bugcheck and collect mode, long before the run's ticks; a role
 * call over its budget but short of the watchdog is only TIME-BUDGET and the run goes on; a loop at
 * PASSIVE_LEVEL fails the run with a message naming the function.
 */
import { MINIPORT_SYNCHRONIZE_INTERRUPT } from '@ddikit/ndis';
import { createSimulation, type RunResult } from '@ddikit/sim';
import { describe, expect, it } from 'vitest';
import { testDriver, type Hooks, type TestAdapter } from '../drivers.js';
import { FakeDevice } from '../fake-device.js';

const TICKS = 1_000_000;

const stallForever = (a: TestAdapter): never => {
  for (;;) a.ndis.NdisStallExecution(1);
};
const pollForever = (a: TestAdapter): never => {
  for (;;) if (a.resources.registers.CAUSE!.value === 0xdeadbeef) break;
  throw new Error('unreachable');
};
const syncPolls = MINIPORT_SYNCHRONIZE_INTERRUPT('PollInSync', (context) => pollForever(context as TestAdapter));

const cases: { given: string; hooks: Hooks; fn: string; role: string; budgetTicks: number }[] = [
  {
    given: 'an ISR stalling 1 µs in a loop',
    hooks: { isr: (a) => stallForever(a) },
    fn: 'TestInterrupt',
    role: 'MINIPORT_ISR',
    budgetTicks: 250,
  },
  {
    given: 'an ISR polling a register',
    hooks: { isr: (a) => pollForever(a) },
    fn: 'TestInterrupt',
    role: 'MINIPORT_ISR',
    budgetTicks: 250,
  },
  {
    given: 'a DPC stalling 1 µs in a loop',
    hooks: { dpc: (a) => stallForever(a) },
    fn: 'TestInterruptDpc',
    role: 'MINIPORT_INTERRUPT_DPC',
    budgetTicks: 1000,
  },
  {
    given: 'a DPC polling a register',
    hooks: { dpc: (a) => pollForever(a) },
    fn: 'TestInterruptDpc',
    role: 'MINIPORT_INTERRUPT_DPC',
    budgetTicks: 1000,
  },
  {
    given: 'a synchronize function polling a register',
    hooks: { dpc: (a, messageId) => void a.ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, messageId, syncPolls, a) },
    fn: 'PollInSync',
    role: 'MINIPORT_SYNCHRONIZE_INTERRUPT',
    budgetTicks: 250,
  },
];

function run(hooks: Hooks, mode: 'bugcheck' | 'collect'): RunResult {
  const sim = createSimulation({ seed: 5, device: new FakeDevice({ periodTicks: 300 }), mode });
  return sim.run(testDriver(hooks), { ticks: TICKS });
}

describe('the watchdog stops a role call that never returns', () => {
  for (const c of cases) {
    for (const mode of ['bugcheck', 'collect'] as const) {
      it(`${c.given} (${mode}): TIME-BUDGET 0x133 from the watchdog, at once`, () => {
        const result = run(c.hooks, mode);
        const stop = result.bugCheck;
        expect(stop).not.toBeNull();
        expect(stop!.rule).toBe('TIME-BUDGET');
        expect(stop!.bugCheck!.code).toBe(0x133);
        expect(stop!.function).toBe(c.fn);
        expect(stop!.subject).toBe(c.role);
        expect(stop!.message).toMatch(
          new RegExp(`^watchdog: ${c.fn} has run for [\\d.]+ µs of simulated time without returning, over 10× the`),
        );
        // Stopped just past the watchdog's deadline, not at the run's end.
        expect(stop!.bugCheck!.parameters[1]).toBeGreaterThan(c.budgetTicks * 10);
        expect(stop!.bugCheck!.parameters[1]).toBeLessThan(c.budgetTicks * 10 + 50);
        expect(result.tick).toBeLessThan(TICKS / 10);
        expect(result.halted).toBe(false);
      });
    }
  }

  it('quiet: a DPC over its budget but short of the watchdog is reported once per site and the run goes on', () => {
    const result = run({ dpc: (a) => a.ndis.NdisStallExecution(500) }, 'collect');
    expect(result.bugCheck).toBeNull();
    expect(result.halted).toBe(true);
    expect(result.tick).toBeGreaterThanOrEqual(TICKS);
    const budget = result.reports.filter((r) => r.rule === 'TIME-BUDGET');
    expect(budget).toHaveLength(1);
    expect(budget[0]!.message).not.toMatch(/watchdog/);
  });

  it('the multiple is a budget option: watchdogMultiple 2 stops a 600 µs DPC stall loop sooner', () => {
    const sim = createSimulation({
      seed: 5,
      device: new FakeDevice({ periodTicks: 300 }),
      mode: 'collect',
      budgets: { watchdogMultiple: 2 },
    });
    const result = sim.run(testDriver({ dpc: (a) => stallForever(a) }), { ticks: TICKS });
    expect(result.bugCheck!.bugCheck!.parameters[1]).toBeGreaterThan(2000);
    expect(result.bugCheck!.bugCheck!.parameters[1]).toBeLessThan(2050);
  });

  it('a loop at PASSIVE_LEVEL fails the run after 1 s of simulated time, naming the function', () => {
    const sim = createSimulation({ seed: 5, device: new FakeDevice({ periodTicks: 300 }), mode: 'collect' });
    expect(() => sim.run(testDriver({ afterInitialize: (a) => stallForever(a) }), { ticks: 1000 })).toThrow(
      /^watchdog: TestInitializeEx \(MINIPORT_INITIALIZE\) has run for 100000\d µs of simulated time without returning; a role call is stopped after 1000000 µs \(a loop that never ends\?\) at test\/sim\/simulation\/watchdog\.test\.ts:17:19 \(seed=5 tick=\d+\)$/,
    );
  });
});
