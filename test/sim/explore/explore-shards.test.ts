/**
 * The search's one enumeration, run in parts: shards K/N run disjoint parts that together are every
 * schedule one search runs, and a search that reads their summaries (as `ddikit explore --merge`
 * does) comes to the same result as the single search, byte for byte; batches of any size, run
 * whole or stopped at the first failure (as worker threads and this thread run them), do too.
 */
import {
  createJobRunner,
  driveSearch,
  endsSearch,
  explore,
  finishExploration,
  jobKey,
  runJobs,
  searchExploration,
  type ExploreOptions,
  type RunSummary,
  type SearchJob,
} from '@ddikit/sim';
import { describe, expect, it } from 'vitest';
import lostInterrupt, {
  lostInterruptDriver,
  scenario as lostScenario,
} from '../../../examples/scenarios/lost-interrupt.js';
import { msixQueues, scenario as msixScenario } from '../../../examples/scenarios/msix-queues.js';

/** Runs one shard, recording what each counted job gave; `runs` counts every run it made. */
function runShard(
  options: ExploreOptions,
  index: number,
  count: number,
): Map<string, RunSummary> & { runs: number; placing: number } {
  const runner = createJobRunner(options);
  const records = Object.assign(new Map<string, RunSummary>(), { runs: 0, placing: 0 });
  driveSearch(searchExploration(options, { shard: { index, count } }), (jobs) => {
    const summaries = runJobs(runner, jobs);
    records.runs += summaries.length;
    summaries.forEach((summary, i) => {
      const job = jobs[i]!;
      if (job.kind === 'schedule' && job.foreign === true) records.placing++;
      if (job.kind === 'schedule' && !job.counted) return;
      records.set(jobKey(job), summary);
    });
    return summaries;
  });
  return records;
}

/** The search again, every run answered from the shards' records. */
function merge(options: ExploreOptions, shards: readonly Map<string, RunSummary>[]) {
  const all = new Map<string, RunSummary>();
  for (const records of shards) for (const [key, summary] of records) all.set(key, summary);
  const answer = (job: SearchJob): RunSummary => {
    const summary = all.get(jobKey(job));
    if (summary === undefined) throw new Error(`no shard ran ${jobKey(job)}`);
    if (job.kind === 'schedule' && !job.counted && summary.counts === null) throw new Error('no counts');
    return summary;
  };
  return finishExploration(
    driveSearch(searchExploration(options), (jobs) => {
      const out: RunSummary[] = [];
      for (const job of jobs) {
        out.push(answer(job));
        if (endsSearch(job, out.at(-1)!)) break;
      }
      return out;
    }),
  );
}

const cases: { given: string; options: ExploreOptions }[] = [
  {
    given: 'the lost interrupt (found by the systematic search)',
    options: { driver: lostInterrupt, scenario: lostScenario, seed: 1 },
  },
  {
    given: 'the fixed driver (systematic, then random to the budget)',
    options: { driver: lostInterruptDriver({ fixed: true }), scenario: lostScenario, seed: 3, budget: 1_500 },
  },
  {
    given: 'three preemptions (level 3 placed from below), systematic then random',
    options: {
      driver: lostInterruptDriver({ fixed: true }),
      scenario: lostScenario,
      seed: 5,
      preemptions: 3,
      budget: 400,
    },
  },
  {
    given: 'a budget that ends inside level 2, with a race',
    options: {
      driver: msixQueues({ syncWithAll: false, sharedCounter: true }),
      scenario: msixScenario,
      seed: 1,
      budget: 120,
    },
  },
];

describe('shards K/N', () => {
  for (const { given, options } of cases) {
    const single = explore(options);
    for (const count of [1, 2, 3]) {
      it(`${given}: ${count} shard(s) merged give the single search's result`, () => {
        const shards = Array.from({ length: count }, (_, index) => runShard(options, index, count));
        // Disjoint: only the default schedule (every shard runs it) is in two shards.
        const seen = new Set<string>();
        for (const records of shards)
          for (const key of records.keys()) {
            if (key.endsWith('-')) continue;
            expect(seen.has(key), key).toBe(false);
            seen.add(key);
          }
        expect(JSON.stringify(merge(options, shards))).toBe(JSON.stringify(single));
      });
    }
  }

  // The shards split the work: together they run exactly what the single search runs (each knows
  // every schedule's place in the whole order), in equal parts, and besides their own only the other
  // shards' schedules of the levels before the last the budget reaches, to learn those places.
  for (const { given, options } of cases) {
    it(`${given}: 3 shards run the single search's schedules between them, no more`, () => {
      const whole = runShard(options, 0, 1);
      const shards = [0, 1, 2].map((index) => runShard(options, index, 3));
      const union = new Set(shards.flatMap((records) => [...records.keys()]));
      const single = explore(options);
      if (single.failure === null && single.crash === null) expect([...union].sort()).toEqual([...whole.keys()].sort());
      else for (const key of whole.keys()) expect(union.has(key), key).toBe(true);
      // Levels 1 … K−1 (the last level never needs placing).
      const interior = single.perLevel.slice(1, -1).reduce((a, b) => a + b, 0);
      for (const records of shards) {
        // Dealt out by place in each level and among the random ones: a third of each, give or take
        // one, and the default schedule. (A search that fails stops early, in every shard.)
        if (single.failure === null && single.crash === null) {
          expect(records.placing).toBeLessThanOrEqual(interior);
          expect(records.size).toBeLessThanOrEqual(Math.ceil((whole.size - 1) / 3) + single.perLevel.length + 1);
          expect(records.runs).toBe(records.size + records.placing);
        }
      }
    });
  }

  it("a shard whose first level-1 schedule is another shard's finding stops there, and the merge finds it", () => {
    const options: ExploreOptions = { driver: lostInterrupt, scenario: lostScenario, seed: 1 };
    const single = explore(options);
    expect(single.failure?.foundAt).toBe(2);
    // The failing schedule is the first of level 1: shard 1/2's. Shard 2/2 runs it to place its own
    // level-2 schedules, sees it fail, and stops: the whole search ends there.
    const second = runShard(options, 1, 2);
    expect([...second.keys()]).toEqual(['-']);
    expect(second.placing).toBe(1);
    const first = runShard(options, 0, 2);
    expect(JSON.stringify(merge(options, [first, second]))).toBe(JSON.stringify(single));
  });
});

describe('batches', () => {
  for (const { given, options } of cases) {
    it(`${given}: any batch size, run whole or stopped early, gives the same result`, () => {
      const single = JSON.stringify(explore(options));
      for (const batch of [1, 7, 256]) {
        const runner = createJobRunner(options);
        const whole = driveSearch(searchExploration(options, { batch }), (jobs) => jobs.map((job) => runner(job)));
        expect(JSON.stringify(finishExploration(whole))).toBe(single);
      }
    });
  }
});
