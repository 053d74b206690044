/**
 * DDIs a driver calls after its run ended, in the explorer: the job runner's settle lets what the
 * runs left behind run and writes each run's late calls into its summary, however many runs shared
 * the settle, as places (a DDI and a line) whatever their order or number; `exploreSettled` names
 * the first schedule with one, `explore` (which never lets the event loop turn) none. A run keeps at
 * most LATE_CALLS_MAX of its own.
 */
import {
  createJobRunner,
  explore,
  exploreSettled,
  LATE_CALLS_MAX,
  lateCallInfo,
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

/**
 * A driver that leaves `places(run)` timers behind in its run-th run (1-based, counted by the
 * driver), each calling another DDI through its ended table (which records any name), `times` times.
 */
function leaving(places: (run: number) => number, times = 1) {
  let runs = 0;
  return testDriver({
    afterInitialize: (a) => {
      const n = places(++runs);
      const table = a.ndis as unknown as Record<string, (...args: unknown[]) => void>;
      for (let i = 0; i < n; i++)
        setTimeout(() => {
          for (let k = 0; k < times; k++) table[`NdisLate${String.fromCharCode(65 + i)}`]!(1);
        }, 0);
    },
  });
}

describe('late calls in the explorer', () => {
  it('fire: each run’s late calls land in its own summary, whatever runs share a settle', async () => {
    const oddRuns = (run: number): number => (run % 2 === 1 ? run : 0);
    const together = createJobRunner({ driver: leaving(oddRuns), scenario }, { settled: true });
    const all = await runJobsSettled(together, jobs(6));
    expect(all.map((s) => s.late?.places ?? 0)).toEqual([1, 0, 3, 0, 5, 0]);
    expect(all.map((s) => s.late?.ddi ?? null)).toEqual(['NdisLateA', null, 'NdisLateA', null, 'NdisLateA', null]);
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

  it(`a run keeps ${LATE_CALLS_MAX} of its own late calls (capped); the next run still has its own`, async () => {
    const driver = leaving(() => 1, LATE_CALLS_MAX + 50);
    const runner = createJobRunner({ driver, scenario }, { settled: true });
    const summaries = await runJobsSettled(runner, jobs(2));
    expect(summaries.map((s) => [s.late?.places, s.late?.capped])).toEqual([
      [1, true],
      [1, true],
    ]);
    const few = createJobRunner({ driver: leaving(() => 2, 3), scenario }, { settled: true });
    expect((await runJobsSettled(few, jobs(1)))[0]!.late).toMatchObject({ places: 2, capped: false });
  });

  it('the same places however often and in what order they were called (an interval fires once or twice)', () => {
    const frame = (line: number) => [{ file: 'd.ts', line, column: 3, function: '' }];
    const call = (ddi: string, line: number) => ({ run: 1, driver: 'd', ddi, driverFrames: frame(line) });
    const once = lateCallInfo([call('NdisB', 9), call('NdisA', 20), call('NdisA', 3)]);
    const again = lateCallInfo([
      call('NdisA', 3),
      call('NdisA', 20),
      call('NdisB', 9),
      call('NdisA', 3),
      call('NdisB', 9),
    ]);
    expect(once).toEqual(again);
    expect(once).toEqual({ ddi: 'NdisA', driverFrames: frame(3), places: 3, capped: false });
  });

  it('exploreSettled names the first schedule whose driver called NDIS late; explore cannot see it', async () => {
    const options = { driver: leaving(() => 1), scenario, budget: 20 };
    const settled = await exploreSettled(options);
    expect(settled.lateCall).toMatchObject({ schedule: [], foundAt: 1, phase: 'systematic', places: 1, capped: false });
    expect(settled.lateCall!.ddi).toBe('NdisLateA');
    const quick = explore({ ...options, driver: leaving(() => 1) });
    expect(quick.lateCall).toBeNull();
    expect({ ...quick, lateCall: settled.lateCall }).toEqual(settled);
  });
});
