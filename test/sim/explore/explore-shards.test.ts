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

/** Runs one shard, recording what each counted job gave. */
function runShard(options: ExploreOptions, index: number, count: number): Map<string, RunSummary> {
  const runner = createJobRunner(options);
  const records = new Map<string, RunSummary>();
  driveSearch(searchExploration(options, { shard: { index, count } }), (jobs) => {
    const summaries = runJobs(runner, jobs);
    summaries.forEach((summary, i) => {
      const job = jobs[i]!;
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
