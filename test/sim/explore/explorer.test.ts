/**
 * The explorer: within its default budget it finds the classic lost interrupt with one preemption
 * and shrinks it to that; it reports the fixed driver clean up to the bound; the failing schedule
 * replays byte for byte; random schedules find what the systematic bound misses and are shrunk;
 * lockset races are gathered once each; the search is deterministic.
 */
import {
  explore,
  formatSchedule,
  manifestError,
  replay,
  EXPLORE_BUDGET_DEFAULT,
  type ExploreProgress,
} from '@ddikit/sim';
import { describe, expect, it } from 'vitest';
import lostInterrupt, {
  lostInterruptDriver,
  scenario as lostScenario,
} from '../../../examples/scenarios/lost-interrupt.js';
import { msixQueues, scenario as msixScenario } from '../../../examples/scenarios/msix-queues.js';

const fixed = lostInterruptDriver({ fixed: true });

describe('the lost interrupt', () => {
  const result = explore({ driver: lostInterrupt, scenario: lostScenario, seed: 1 });

  it('is found within the default budget, by the systematic search, with one preemption', () => {
    expect(result.budget).toBe(EXPLORE_BUDGET_DEFAULT);
    expect(result.failure).not.toBeNull();
    const failure = result.failure!;
    expect(failure.report.rule).toBe('INT-LOST');
    expect(failure.phase).toBe('systematic');
    expect(failure.foundAt).toBeLessThanOrEqual(10);
    expect(failure.schedule).toHaveLength(1);
    expect(failure.steps).toEqual([
      expect.objectContaining({
        index: failure.schedule[0]!.index,
        kind: 'register',
        site: 'LostDpc (MINIPORT_INTERRUPT_DPC) on processor 0 after write IMS',
        choice: 'LostIsr (line) preempts on processor 0',
      }),
    ]);
    expect(result.schedules).toBe(failure.foundAt);
  });

  it('comes with a run cut just after it, and the races lockset analysis found on the way', () => {
    const failure = result.failure!;
    expect(failure.ticks).toBe(failure.report.tick + 1);
    // The DPC's direct IMS write comes while every cause is masked (no ISR can run then): only
    // its write of causes, after the unmask, races.
    expect(result.races.map((r) => `${r.rule} ${r.subject}`).sort()).toEqual(['ISR-SHARED-RACE causes']);
  });

  it('replays byte for byte from the seed and the schedule', () => {
    const failure = result.failure!;
    const a = replay({
      driver: lostInterrupt,
      scenario: lostScenario,
      seed: 1,
      ticks: failure.ticks,
      schedule: failure.schedule,
    });
    const b = replay({
      driver: lostInterrupt,
      scenario: lostScenario,
      seed: 1,
      ticks: failure.ticks,
      schedule: failure.schedule,
    });
    expect(JSON.stringify(b.result)).toBe(JSON.stringify(a.result));
    expect(manifestError(a.result)).toEqual(failure.report);
    expect(a.result.reports).toEqual(failure.reports);
    expect(a.steps).toEqual(failure.steps);
    expect(a.unmatched).toEqual([]);
  });

  it('with no preemption allowed, random schedules find it, and it is shrunk to one departure', () => {
    const random = explore({ driver: lostInterrupt, scenario: lostScenario, seed: 1, preemptions: 0, budget: 2_000 });
    expect(random.perLevel).toEqual([1]);
    expect(random.failure?.phase).toBe('random');
    expect(random.failure?.report.rule).toBe('INT-LOST');
    expect(random.failure!.schedule.length).toBeLessThanOrEqual(random.failure!.found.length);
    expect(random.failure!.schedule).toHaveLength(1);
    const again = replay({
      driver: lostInterrupt,
      scenario: lostScenario,
      seed: 1,
      ticks: random.failure!.ticks,
      schedule: random.failure!.schedule,
    });
    expect(manifestError(again.result)?.rule).toBe('INT-LOST');
  });
});

describe('the fixed driver', () => {
  it('is clean up to the bound: every schedule with up to 2 preemptions, then random ones to the budget', () => {
    const result = explore({ driver: fixed, scenario: lostScenario, seed: 1 });
    expect(result.failure).toBeNull();
    expect(result.races).toEqual([]);
    expect(result.exhaustive).toBe(true);
    expect(result.perLevel).toHaveLength(3);
    expect(result.perLevel[1]).toBeGreaterThan(0);
    expect(result.perLevel[2]).toBeGreaterThan(0);
    expect(result.systematic).toBe(result.perLevel.reduce((a, b) => a + b, 0));
    expect(result.schedules).toBe(EXPLORE_BUDGET_DEFAULT);
    expect(result.random).toBe(EXPLORE_BUDGET_DEFAULT - result.systematic);
  });

  it('across seeds too (other traffic, other DIRQLs)', () => {
    for (let seed = 2; seed <= 6; seed++) {
      const result = explore({ driver: fixed, scenario: lostScenario, seed, budget: 300 });
      expect(result.failure, `seed ${seed}`).toBeNull();
    }
  });
});

describe('the search', () => {
  it('is deterministic', () => {
    const a = explore({ driver: lostInterrupt, scenario: lostScenario, seed: 4, preemptions: 0, budget: 500 });
    const b = explore({ driver: lostInterrupt, scenario: lostScenario, seed: 4, preemptions: 0, budget: 500 });
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
  });

  it('stops at the budget, saying the systematic search was not complete', () => {
    const result = explore({ driver: msixQueues({ syncWithAll: false }), scenario: msixScenario, seed: 1, budget: 50 });
    expect(result.schedules).toBe(50);
    expect(result.exhaustive).toBe(false);
    expect(result.perLevel).toEqual([1, 49]);
    expect(result.random).toBe(0);
    expect(result.failure).toBeNull();
  });

  it('gathers each lockset race once, from the first schedule that shows it', () => {
    const result = explore({
      driver: msixQueues({ syncWithAll: false, sharedCounter: true }),
      scenario: msixScenario,
      seed: 1,
      budget: 40,
    });
    expect(result.races.map((r) => `${r.rule} ${r.subject}`)).toEqual(['ISR-SHARED-RACE interruptsTotal']);
    expect(result.failure).toBeNull();
  });

  it('reports progress', () => {
    const seen: ExploreProgress[] = [];
    explore({
      driver: fixed,
      scenario: lostScenario,
      seed: 1,
      budget: 250,
      progressEvery: 100,
      onProgress: (p) => seen.push(p),
    });
    expect(seen.map((p) => p.schedules)).toEqual([100, 200]);
    expect(seen.every((p) => p.phase === 'systematic' || p.phase === 'random')).toBe(true);
  });

  it('checks its options', () => {
    expect(() => explore({ driver: fixed, preemptions: -1 })).toThrow(/preemptions must be an integer in 0\.\.16/);
    expect(() => explore({ driver: fixed, budget: 0 })).toThrow(/budget must be a positive integer/);
    expect(() => explore({ driver: fixed, seed: -3 })).toThrow(/seed must be a non-negative safe integer/);
    expect(formatSchedule([])).toBe('-');
  });
});

describe('rules left out of a search', () => {
  it("a target's disabledRules and its scenario's both count; without them the warning is there", async () => {
    const { default: warns } = await import('../../../examples/broken/nic-unmodeled-register.js');
    const rules = (result: ReturnType<typeof explore>): string[] => result.warnings.map((w) => w.rule);
    expect(rules(explore({ driver: warns, budget: 20 }))).toEqual(['NIC-UNMODELED-REGISTER']);
    expect(rules(explore({ driver: warns, budget: 20, disabledRules: ['NIC-UNMODELED-REGISTER'] }))).toEqual([]);
    expect(
      rules(explore({ driver: warns, budget: 20, scenario: { disabledRules: ['NIC-UNMODELED-REGISTER'] } })),
    ).toEqual([]);
    // The two lists add up: the scenario's rule stays disabled when the target names another.
    expect(
      rules(
        explore({
          driver: warns,
          budget: 20,
          scenario: { disabledRules: ['NIC-UNMODELED-REGISTER'] },
          disabledRules: ['ISR-CLAIM'],
        }),
      ),
    ).toEqual([]);
  });
});
