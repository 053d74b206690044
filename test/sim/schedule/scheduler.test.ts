/**
 * Scheduled runs: choice points at register accesses, spin-lock releases and synchronize returns;
 * an ISR run between a driver's read and its write, on the same processor or another; another
 * processor's DPCs; the interrupt lock keeping ISRs and synchronize functions of different
 * processors apart; schedules written and parsed; a seed plus a schedule replaying a run byte for
 * byte, random schedules included.
 */
import {
  createSimulation,
  formatSchedule,
  parseSchedule,
  RandomScheduler,
  ReplayScheduler,
  type ChoiceKind,
  type ChoicePoint,
  type RunResult,
  type Scheduler,
  type TraceEvent,
} from '@ddikit/sim';
import { describe, expect, it } from 'vitest';
import e1000Line, { scenario as e1000Scenario } from '../../../examples/scenarios/e1000-line.js';
import lostInterrupt, { scenario as lostScenario } from '../../../examples/scenarios/lost-interrupt.js';
import msixQueues, { scenario as msixScenario } from '../../../examples/scenarios/msix-queues.js';

/** Records every choice point; picks what `pick` says (default: go on). */
class Recorder implements Scheduler {
  readonly points: { index: number; kind: ChoiceKind; count: number; site: string; alternatives: string[] }[] = [];
  constructor(private readonly pick: (point: ChoicePoint) => number = () => 0) {}
  begin(): void {
    this.points.length = 0;
  }
  choose(point: ChoicePoint): number {
    this.points.push({
      index: point.index,
      kind: point.kind,
      count: point.count,
      site: point.site(),
      alternatives: Array.from({ length: point.count }, (_, a) => point.describe(a)),
    });
    return this.pick(point);
  }
}

function lostRun(scheduler: Scheduler, trace = false): { result: RunResult; events: readonly TraceEvent[] } {
  const sim = createSimulation({ seed: 1, device: lostScenario.device!(), mode: 'collect', trace });
  const result = sim.run(lostInterrupt, { ticks: lostScenario.ticks!, scheduler });
  return { result, events: sim.trace?.snapshot().events ?? [] };
}

describe('schedules as text', () => {
  const cases: { given: string; want: string }[] = [
    { given: '', want: '-' },
    { given: '-', want: '-' },
    { given: '0:1', want: '0:1' },
    { given: ' 14:1, 40:2 ', want: '14:1,40:2' },
  ];
  for (const { given, want } of cases) {
    it(`${JSON.stringify(given)} → ${want}`, () => expect(formatSchedule(parseSchedule(given))).toBe(want));
  }
  const bad: { given: string; want: RegExp }[] = [
    { given: '5-1', want: /INDEX:ALTERNATIVE pairs/ },
    { given: '3:0', want: /alternative 0 is the default/ },
    { given: '4:1,4:2', want: /indexes must increase/ },
    { given: '4:1,x', want: /got "x"/ },
  ];
  for (const { given, want } of bad)
    it(`rejects ${JSON.stringify(given)}`, () => expect(() => parseSchedule(given)).toThrow(want));
});

describe('choice points', () => {
  it('come where an interrupt is pending below its DIRQL, with go-on as alternative 0', () => {
    const recorder = new Recorder();
    lostRun(recorder);
    expect(recorder.points.length).toBeGreaterThan(0);
    const first = recorder.points[0]!;
    expect(first).toMatchObject({ index: 0, kind: 'register', count: 3 });
    expect(first.site).toBe('LostDpc (MINIPORT_INTERRUPT_DPC) on processor 0 after write IMS');
    expect(first.alternatives).toEqual([
      'go on',
      'LostIsr (line) preempts on processor 0',
      'LostIsr (line) runs on processor 1',
    ]);
    expect(recorder.points.map((p) => p.index)).toEqual(recorder.points.map((_, i) => i));
  });

  it('include shared-field accesses, spin-lock releases and synchronize returns', () => {
    const kinds = new Map<ChoiceKind, string>();
    for (let seed = 1; seed <= 3; seed++) {
      const recorder = new Recorder();
      createSimulation({ seed, device: msixScenario.device!(), mode: 'collect' }).run(msixQueues, {
        ticks: msixScenario.ticks!,
        scheduler: recorder,
      });
      for (const p of recorder.points) if (!kinds.has(p.kind)) kinds.set(p.kind, p.site);
    }
    const recorder = new Recorder((point) => (point.index === 0 ? 2 : 0));
    lostRun(recorder);
    expect(recorder.points.find((p) => p.kind === 'field')?.site).toBe(
      'LostDpc (MINIPORT_INTERRUPT_DPC) on processor 0 after touching causes',
    );
    // With a lock per message, another message's ISR may run while one message's ISR runs.
    expect(kinds.get('field')).toMatch(
      /^QueueIsr \(MINIPORT_MESSAGE_INTERRUPT\) on processor \d after touching interrupts$/,
    );
    expect(kinds.get('register')).toMatch(
      /^QueueDpc \(MINIPORT_MESSAGE_INTERRUPT_DPC\) on processor \d after (read|write) [A-Z]+\d$/,
    );
    expect(kinds.get('lock')).toMatch(
      /^QueueDpc \(MINIPORT_MESSAGE_INTERRUPT_DPC\) on processor \d after releasing NdisDprReleaseSpinLock$/,
    );
    expect(kinds.get('sync')).toMatch(/after returning from NdisMSynchronizeWithInterruptEx$/);
  });

  it('the default schedule is the same run every time', () => {
    const a = lostRun(new ReplayScheduler([])).result;
    const b = lostRun(new ReplayScheduler([])).result;
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
  });

  it('an out-of-range answer from a scheduler is taken as go-on', () => {
    const wild = lostRun(new Recorder(() => 99)).result;
    const plain = lostRun(new ReplayScheduler([])).result;
    expect(JSON.stringify(wild)).toBe(JSON.stringify(plain));
  });

  it('a scheduler must be one', () => {
    const sim = createSimulation({ seed: 1, device: lostScenario.device!() });
    expect(() => sim.run(lostInterrupt, { ticks: 10, scheduler: {} as Scheduler })).toThrow(
      /scheduler must implement Scheduler/,
    );
  });
});

describe('preemption', () => {
  const names = (events: readonly TraceEvent[]) => events.map((e) => `${e.processor} ${e.kind} ${e.name}`);

  it('runs the ISR between the DPC’s write and its next statement, on the same processor', () => {
    const { events } = lostRun(new ReplayScheduler(parseSchedule('0:1')), true);
    const trace = names(events);
    const choice = trace.indexOf('0 choice LostIsr (line) preempts on processor 0');
    expect(trace[choice - 1]).toBe('0 write IMS');
    expect(events[choice - 1]!.irql).toBe(2);
    const after = trace.slice(choice + 1).filter((e) => /enter|exit|field-write/.test(e));
    expect(after.slice(0, 5)).toEqual([
      '0 enter LostIsr',
      '0 field-write causes',
      '0 exit LostIsr',
      '0 field-write causes',
      '0 exit LostDpc',
    ]);
  });

  it('runs the ISR concurrently on another processor; its DPC stays queued there for later', () => {
    const { events } = lostRun(new ReplayScheduler(parseSchedule('0:2')), true);
    const trace = names(events);
    const choice = trace.indexOf('0 choice LostIsr (line) runs on processor 1');
    expect(choice).toBeGreaterThan(0);
    const next = trace.slice(choice + 1).filter((e) => /enter|exit/.test(e));
    // LostIsr on processor 1 while LostDpc on processor 0 is suspended; then processor 0's DPC
    // finishes before processor 1's DPC runs.
    expect(next.slice(0, 4)).toEqual(['1 enter LostIsr', '1 exit LostIsr', '0 exit LostDpc', '1 enter LostDpc']);
  });

  it('runs another processor’s DPCs at a choice point', () => {
    // Deliver an ISR on processor 1 at the first choice, then take "run the DPCs queued on
    // processor 1" at the first point that offers it.
    let taken = '';
    const scheduler = new Recorder((point) => {
      if (point.index === 0) return 2;
      for (let a = 1; a < point.count && taken === ''; a++) {
        if (point.describe(a) === 'run the DPCs queued on processor 1') {
          taken = `${point.index}:${a}`;
          return a;
        }
      }
      return 0;
    });
    const { events } = lostRun(scheduler, true);
    expect(taken).not.toBe('');
    const trace = names(events);
    const at = trace.indexOf('0 choice run the DPCs queued on processor 1');
    expect(trace.slice(at + 1).find((e) => e.includes('enter'))).toBe('1 enter LostDpc');
  });

  it('never runs an ISR while another processor holds its interrupt lock (as KeSynchronizeExecution)', () => {
    // The most aggressive schedule: at every choice the last alternative.
    for (const [driver, scenario] of [
      [e1000Line, e1000Scenario],
      [msixQueues, msixScenario],
    ] as const) {
      for (let seed = 1; seed <= 5; seed++) {
        const sim = createSimulation({
          seed,
          device: scenario.device!(),
          mode: 'collect',
          trace: { eventsMax: 1 << 20 },
        });
        const recorder = new Recorder((point) => point.count - 1);
        const result = sim.run(driver, { ticks: scenario.ticks!, scheduler: recorder });
        expect(recorder.points.length).toBeGreaterThan(0);
        expect(result.reports.map((r) => `${driver.name} seed ${seed}: ${r.rule} ${r.message}`)).toEqual([]);
        const holder = new Map<string, number>();
        for (const e of sim.trace!.snapshot().events) {
          if (!e.name.startsWith('interrupt lock')) continue;
          if (e.kind === 'lock-acquire') {
            expect(holder.get(e.name), `${e.name} taken by ${e.processor} at ${e.tick} while held`).toBeUndefined();
            holder.set(e.name, e.processor);
          } else if (e.kind === 'lock-release') {
            expect(holder.get(e.name)).toBe(e.processor);
            holder.delete(e.name);
          }
        }
      }
    }
  });
});

describe('replay', () => {
  it('a seed plus the deviations replays a scheduled run byte for byte', () => {
    const first = lostRun(new ReplayScheduler(parseSchedule('0:1'))).result;
    const again = lostRun(new ReplayScheduler(parseSchedule('0:1'))).result;
    expect(JSON.stringify(again)).toBe(JSON.stringify(first));
    expect(first.reports.map((r) => r.rule)).toContain('INT-LOST');
  });

  it('a random schedule replays byte for byte from its recorded deviations (the device draws stay the same)', () => {
    for (let seed = 1; seed <= 10; seed++) {
      const random = new RandomScheduler(seed, 200);
      const sim = createSimulation({ seed: 7, device: msixScenario.device!(), mode: 'collect' });
      const result = sim.run(msixQueues, { ticks: msixScenario.ticks!, scheduler: random });
      const schedule = random.schedule();
      const replayed = sim.run(msixQueues, { ticks: msixScenario.ticks!, scheduler: new ReplayScheduler(schedule) });
      expect(JSON.stringify(replayed)).toBe(JSON.stringify(result));
      if (seed === 1) expect(schedule.length).toBeGreaterThan(0);
    }
  });

  it('reports deviations a run never reached or that name no alternative', () => {
    const scheduler = new ReplayScheduler(parseSchedule('0:7,100000:1'));
    lostRun(scheduler);
    expect(scheduler.unmatched).toEqual([{ index: 0, alternative: 7 }]);
    expect(scheduler.unreached()).toEqual([{ index: 100000, alternative: 1 }]);
  });
});
