/**
 * DDIs a driver calls after its run ended, in the explorer: the job runner's settle lets what the
 * runs left behind run and writes each late call into the summary of the run that left it, however
 * many runs shared the settle; `exploreSettled` names the first schedule with one, `explore` (which
 * never lets the event loop turn) none. A run keeps at most LATE_CALLS_MAX of its own.
 */
import {
  createJobRunner,
  explore,
  exploreSettled,
  LATE_CALLS_MAX,
  runJobs,
  runJobsSettled,
  type SearchJob,
} from '@ddikit/sim';
import { describe, expect, it } from 'vitest';
import { testDriver } from '../drivers.js';
import { FakeDevice } from '../fake-device.js';

const root: SearchJob = { kind: 'schedule', schedule: [], arrivals: undefined, from: 0, expand: false, counted: true };
const jobs = (n: number): SearchJob[] => Array.from({ length: n }, () => root);
const scenario = { device: () => new FakeDevice({ periodTicks: 300 }), ticks: 2_000 };

/** A driver that leaves `calls(run)` timers calling NDIS behind in its run-th run (1-based, counted by the driver). */
function leaving(calls: (run: number) => number) {
  let runs = 0;
  return testDriver({
    afterInitialize: (a) => {
      const n = calls(++runs);
      for (let i = 0; i < n; i++) setTimeout(() => a.ndis.NdisStallExecution(1), 0);
    },
  });
}

describe('late calls in the explorer', () => {
  it('fire: each run’s late calls land in its own summary, whatever runs share a settle', async () => {
    const oddRuns = (run: number): number => (run % 2 === 1 ? run : 0);
    const together = createJobRunner({ driver: leaving(oddRuns), scenario }, { settled: true });
    const all = await runJobsSettled(together, jobs(6));
    expect(all.map((s) => s.late?.calls ?? 0)).toEqual([1, 0, 3, 0, 5, 0]);
    expect(all[0]!.late!.ddi).toBe('NdisStallExecution');
    expect(all[0]!.late!.driverFrames[0]!.file).toBe('test/sim/explore/late-calls.test.ts');

    const apart = createJobRunner({ driver: leaving(oddRuns), scenario }, { settled: true });
    const first = runJobs(apart, jobs(4));
    // Not settled yet: nothing the runs left behind has run.
    expect(first.map((s) => s.late)).toEqual([null, null, null, null]);
    await apart.settle();
    const rest = await runJobsSettled(apart, jobs(2));
    expect([...first, ...rest]).toEqual(all);
  });

  it('a runner not made to be settled keeps nothing and refuses to settle', async () => {
    const runner = createJobRunner({ driver: leaving(() => 1), scenario });
    expect(runJobs(runner, jobs(2)).map((s) => s.late)).toEqual([null, null]);
    await expect(runJobsSettled(runner, jobs(1))).rejects.toThrow(
      'explore: settle needs a runner made with createJobRunner(target, { settled: true })',
    );
  });

  it('quiet: a driver that leaves nothing behind has no late call in any summary', async () => {
    const runner = createJobRunner({ driver: testDriver(), scenario }, { settled: true });
    expect((await runJobsSettled(runner, jobs(3))).map((s) => s.late)).toEqual([null, null, null]);
  });

  it(`a run keeps ${LATE_CALLS_MAX} of its own late calls; the next run still has its own`, async () => {
    const runner = createJobRunner(
      { driver: leaving((run) => (run === 1 ? LATE_CALLS_MAX + 50 : 1)), scenario },
      { settled: true },
    );
    const summaries = await runJobsSettled(runner, jobs(2));
    expect(summaries.map((s) => s.late?.calls)).toEqual([LATE_CALLS_MAX, 1]);
  });

  it('exploreSettled names the first schedule whose driver called NDIS late; explore cannot see it', async () => {
    const options = { driver: leaving(() => 1), scenario, budget: 20 };
    const settled = await exploreSettled(options);
    expect(settled.lateCall).toMatchObject({ schedule: [], foundAt: 1, phase: 'systematic', calls: 1 });
    expect(settled.lateCall!.ddi).toBe('NdisStallExecution');
    const quick = explore({ ...options, driver: leaving(() => 1) });
    expect(quick.lateCall).toBeNull();
    expect({ ...quick, lateCall: settled.lateCall }).toEqual(settled);
  });
});
