/**
 * The IRQL engine: raise and lower with stack discipline (RAISE-LOWER, both forms, both modes), the
 * bounded transition ring, processor validation; and RAISE-LOWER caught in a driver whose out-of-order
 * release would leave IRQL wrong, with the rules that would have caught it first switched off.
 */
import { createSimulation, Clock, IrqlEngine, Verifier, type VerifierMode } from '@ddikit/sim';
import { describe, expect, it } from 'vitest';
import { testDriver } from '../drivers.js';
import { FakeDevice } from '../fake-device.js';
import { ruleCase } from '../rule-cases.js';

function engineWith(mode: VerifierMode, processors = 2, kept = 4) {
  const clock = new Clock();
  const engine = new IrqlEngine(processors, kept, clock);
  const verifier = new Verifier(mode, {
    seed: 5,
    nowTicks: () => clock.nowTicks,
    processor: () => engine.cpu.index,
    frames: () => [],
    transitions: () => engine.transitions(),
  });
  engine.verifier = verifier;
  return { clock, engine, verifier };
}

describe('IrqlEngine', () => {
  it('raises and lowers, returning the previous level', () => {
    const { engine, verifier } = engineWith('bugcheck');
    expect(engine.raise(2, 'test')).toBe(0);
    expect(engine.raise(5, 'test')).toBe(2);
    engine.lower(2, 'test');
    engine.lower(0, 'test');
    expect(engine.cpu.irql).toBe(0);
    expect(verifier.reports).toEqual([]);
  });

  const cases = [
    {
      what: 'a raise to a lower level',
      form: 0x30,
      act: (e: IrqlEngine) => (e.raise(5, 'KeRaiseIrql'), e.raise(2, 'KeRaiseIrql')),
    },
    {
      what: 'a lower to a higher level',
      form: 0x31,
      act: (e: IrqlEngine) => (e.raise(2, 'KeRaiseIrql'), e.lower(5, 'KeLowerIrql')),
    },
  ];
  for (const c of cases) {
    it(`RAISE-LOWER fires in bugcheck mode on ${c.what}`, () => {
      const { engine, verifier } = engineWith('bugcheck');
      expect(() => c.act(engine)).toThrow(/RAISE-LOWER/);
      const report = verifier.reports[0]!;
      expect(report.rule).toBe('RAISE-LOWER');
      expect(report.bugCheck!.code).toBe(0xc4);
      expect(report.bugCheck!.parameters.slice(0, 3)).toEqual(c.form === 0x30 ? [0x30, 5, 2] : [0x31, 2, 5]);
      expect(report.seed).toBe(5);
    });

    it(`RAISE-LOWER fires in collect mode on ${c.what}, leaving IRQL as it was`, () => {
      const { engine, verifier } = engineWith('collect');
      c.act(engine);
      expect(verifier.reports.map((r) => [r.rule, r.bugCheck!.parameters[0]])).toEqual([['RAISE-LOWER', c.form]]);
      expect(engine.cpu.irql).toBe(c.form === 0x30 ? 5 : 2);
    });
  }

  it('RAISE-LOWER stays quiet for a raise to the same level and a lower to the same level', () => {
    const { engine, verifier } = engineWith('bugcheck');
    engine.raise(2, 'a');
    engine.raise(2, 'b');
    engine.lower(2, 'c');
    expect(verifier.reports).toEqual([]);
  });

  it('keeps the last transitions in a bounded ring, most recent first, with tick and processor', () => {
    const { clock, engine } = engineWith('collect', 2, 3);
    engine.raise(2, 'one');
    clock.advance(10);
    engine.cpu = engine.processors[1]!;
    engine.raise(5, 'two');
    clock.advance(10);
    engine.lower(0, 'three');
    engine.raise(1, 'four');
    expect(engine.transitions()).toEqual([
      { tick: 20, processor: 1, from: 0, to: 1, by: 'four' },
      { tick: 20, processor: 1, from: 5, to: 0, by: 'three' },
      { tick: 10, processor: 1, from: 0, to: 5, by: 'two' },
    ]);
    expect(engine.processors[0]!.irql).toBe(2);
  });

  it('rejects processor counts outside 1..64', () => {
    expect(() => new IrqlEngine(0, 4, new Clock())).toThrow(RangeError);
    expect(() => new IrqlEngine(65, 4, new Clock())).toThrow(RangeError);
    expect(() => new IrqlEngine(1.5, 4, new Clock())).toThrow(RangeError);
    expect(new IrqlEngine(64, 4, new Clock()).processorCount).toBe(64);
  });
});

describe('RAISE-LOWER in a driver', () => {
  // Acquire A (saves PASSIVE), acquire B (saves DISPATCH), release A (IRQL back to PASSIVE while B
  // is held), release B (would "lower" from PASSIVE to DISPATCH). LOCK-ORDER reports the first
  // release, and IRQL-CALL the second (it runs below DISPATCH_LEVEL); with both off, the engine's own
  // discipline check catches the wrong level.
  ruleCase({
    name: 'an out-of-order release leaves IRQL wrong (LOCK-ORDER and IRQL-CALL off)',
    rule: 'RAISE-LOWER',
    code: 0xc4,
    p1: 0x31,
    fire: {
      options: { disabledRules: ['LOCK-ORDER', 'IRQL-CALL'] },
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
      options: { disabledRules: ['LOCK-ORDER', 'IRQL-CALL'] },
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

  it('the transitions in the report show the lower to PASSIVE_LEVEL that went before', () => {
    const sim = createSimulation({ seed: 4, device: new FakeDevice(), disabledRules: ['LOCK-ORDER', 'IRQL-CALL'] });
    const result = sim.run(
      testDriver({
        afterInitialize: (a) => {
          a.ndis.NdisAcquireSpinLock(a.lock);
          a.ndis.NdisAcquireSpinLock(a.otherLock);
          a.ndis.NdisReleaseSpinLock(a.lock);
          a.ndis.NdisReleaseSpinLock(a.otherLock);
        },
      }),
      { ticks: 10 },
    );
    const report = result.bugCheck!;
    expect(report.irqlTransitions.slice(0, 2).map((t) => [t.from, t.to, t.by])).toEqual([
      [2, 0, 'NdisReleaseSpinLock'],
      [0, 2, 'NdisAcquireSpinLock'],
    ]);
    expect(report.subject).toBe('NdisReleaseSpinLock');
    expect(report.function).toBe('TestInitializeEx');
  });
});
