/**
 * NDIS timer objects: NdisAllocateTimerObject, NdisSetTimerObject, NdisCancelTimerObject and
 * NdisFreeTimerObject on the simulated clock. A set timer's NDIS_TIMER_FUNCTION runs at
 * DISPATCH_LEVEL on the processor that set it, once or every period; TIMER-PENDING, TIMER-LEAK and
 * TIMER-HANDLE fire and stay quiet; a periodic timer canceled above PASSIVE_LEVEL is IRQL-CALL.
 */
import {
  NDIS_OBJECT_TYPE_TIMER_CHARACTERISTICS,
  NDIS_STATUS_BAD_CHARACTERISTICS,
  NDIS_STATUS_SUCCESS,
  NDIS_TIMER_CHARACTERISTICS_REVISION_1,
  NDIS_TIMER_FUNCTION,
  MINIPORT_SYNCHRONIZE_INTERRUPT,
  type Box,
  type NDIS_HANDLE,
  type NDIS_TIMER_CHARACTERISTICS,
} from '@ddikit/ndis';
import {
  BUG_CHECKS,
  createSimulation,
  DDIKIT_P1,
  explore,
  TIMER_OBJECTS_MAX,
  type ChoicePoint,
  type Simulation,
} from '@ddikit/sim';
import { describe, expect, it } from 'vitest';
import { testDriver, type Hooks, type TestAdapter } from '../drivers.js';
import { FakeDevice } from '../fake-device.js';
import { DEFAULT_DEVICE, ruleCase } from '../rule-cases.js';

/** One timer expiration as the timer function saw it. */
interface Fired {
  readonly tick: number;
  readonly irql: number;
  readonly processor: number;
  readonly context: unknown;
}

/** Where a test's timer functions log (the simulation they run in reads IRQL and processor). */
const log: { sim: Simulation | null; fired: Fired[] } = { sim: null, fired: [] };

const Tick = NDIS_TIMER_FUNCTION('TestTimer', (_s1, FunctionContext) => {
  const sim = log.sim;
  if (sim !== null)
    log.fired.push({
      tick: sim.clock.nowTicks,
      irql: sim.engine.cpu.irql,
      processor: sim.engine.cpu.index,
      context: FunctionContext,
    });
});

function characteristics(over: Partial<NDIS_TIMER_CHARACTERISTICS> = {}): NDIS_TIMER_CHARACTERISTICS {
  return {
    Header: { Type: NDIS_OBJECT_TYPE_TIMER_CHARACTERISTICS, Revision: NDIS_TIMER_CHARACTERISTICS_REVISION_1, Size: 0 },
    AllocationTag: 0x74736574,
    TimerFunction: Tick,
    FunctionContext: 'from characteristics',
    ...over,
  };
}

/** The adapter's timer, kept in its scratch notes. */
function timerOf(a: TestAdapter): NDIS_HANDLE {
  return (a.notes.find((n) => typeof n === 'object' && n !== null && 'timer' in n) as { timer: NDIS_HANDLE }).timer;
}

function allocate(a: TestAdapter, chars = characteristics()): NDIS_HANDLE {
  const box: Box<NDIS_HANDLE> = { value: null };
  expect(a.ndis.NdisAllocateTimerObject(a.miniportHandle, chars, box)).toBe(NDIS_STATUS_SUCCESS);
  a.notes.push({ timer: box.value });
  return box.value;
}

/** The test driver's halt, with the timer handled as `cleanup` says first. */
function halt(cleanup: (a: TestAdapter, timer: NDIS_HANDLE) => void): Hooks['halt'] {
  return (a) => {
    cleanup(a, timerOf(a));
    a.ndis.NdisWriteRegisterUlong(a.resources.registers.MASK_CLEAR!, 0xffffffff);
    a.ndis.NdisMDeregisterInterruptEx(a.interrupt);
    a.ndis.NdisFreeSpinLock(a.lock);
    a.ndis.NdisFreeSpinLock(a.otherLock);
  };
}

const cancelAndFree = halt((a, timer) => {
  a.ndis.NdisCancelTimerObject(timer);
  a.ndis.NdisFreeTimerObject(timer);
});

/** A driver whose MiniportInitializeEx sets a timer: every `period` ms (0: once), first after `due`. */
function timerDriver(due: bigint, period: number, more: Hooks = {}) {
  return testDriver({
    afterInitialize: (a) => {
      const timer = allocate(a);
      expect(a.ndis.NdisSetTimerObject(timer, { QuadPart: due }, period, null)).toBe(false);
    },
    halt: cancelAndFree,
    ...more,
  });
}

function run(
  driver: ReturnType<typeof testDriver>,
  ticks = 100_000,
  options: { verifier?: boolean; processors?: number } = {},
) {
  const sim = createSimulation({ seed: 3, device: new FakeDevice(DEFAULT_DEVICE), mode: 'collect', ...options });
  log.sim = sim;
  log.fired = [];
  const result = sim.run(driver, { ticks });
  log.sim = null;
  return { sim, result, fired: log.fired };
}

describe('timer objects on the simulated clock', () => {
  it('a periodic timer fires every period at DISPATCH_LEVEL on the processor that set it, from its first due time on', () => {
    const { result, fired } = run(timerDriver(-5_000n, 1));
    expect(result.reports.map((r) => r.message)).toEqual([]);
    // Set at initialize (tick 0 + a few), due 0.5 ms later, then every 1 ms up to 10 ms: 10 expirations.
    expect(fired).toHaveLength(10);
    const first = fired[0]!.tick;
    expect(first).toBeGreaterThanOrEqual(5_000);
    expect(first).toBeLessThan(5_100);
    fired.forEach((f, k) => {
      // Each runs at its due tick, or a few ticks later when a processor was busy: no drift.
      expect(f.tick - (first + k * 10_000)).toBeLessThan(50);
      expect(f.tick - (first + k * 10_000)).toBeGreaterThanOrEqual(0);
      expect(f.irql).toBe(2);
      expect(f.processor).toBe(0);
      expect(f.context).toBe('from characteristics');
    });
    expect(result.clean).toBe(true);
  });

  it('runs on time under steady interrupts: an interrupt pending at every turn does not hold it back', () => {
    // A cause every 3 ticks: by the time one interrupt and its DPC are done, the next is pending.
    const sim = createSimulation({ seed: 3, device: new FakeDevice({ periodTicks: 3 }), mode: 'collect' });
    log.sim = sim;
    log.fired = [];
    const result = sim.run(timerDriver(-5_000n, 1), { ticks: 40_000 });
    log.sim = null;
    expect(result.reports).toEqual([]);
    expect(result.stats.interrupts).toBeGreaterThan(3_000);
    // Due at 0.5 ms and every 1 ms after: four expirations, each within a few ticks of its time.
    expect(log.fired.map((f) => Math.round((f.tick - 5_000) / 10_000))).toEqual([0, 1, 2, 3]);
    for (const [k, f] of log.fired.entries()) expect(f.tick - (5_000 + k * 10_000)).toBeLessThan(100);
  });

  it("at a scheduled run's choice point, a due timer may expire on another processor: its function runs there, inside the DPC", () => {
    // The DPC stalls 50 µs, so it is running most of the time; the stall's end is a choice point.
    let inDpc = false;
    const seen: { tick: number; processor: number; inDpc: boolean }[] = [];
    const Watch = NDIS_TIMER_FUNCTION('Watch', () => {
      const sim = log.sim!;
      seen.push({ tick: sim.clock.nowTicks, processor: sim.engine.cpu.index, inDpc });
    });
    const driver = testDriver({
      afterInitialize: (a) => {
        const timer = allocate(a, characteristics({ TimerFunction: Watch }));
        a.ndis.NdisSetTimerObject(timer, { QuadPart: -10_000n }, 1, null);
      },
      dpc: (a) => {
        inDpc = true;
        a.ndis.NdisStallExecution(50);
        inDpc = false;
        a.ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, 0, a.functions.takeCauses, a);
        a.notes.pop();
        a.ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, 0, a.functions.enableInSync, a);
      },
      halt: cancelAndFree,
    });
    const offered: string[] = [];
    const run = (take: boolean) => {
      const sim = createSimulation({ seed: 3, device: new FakeDevice(DEFAULT_DEVICE), mode: 'collect' });
      log.sim = sim;
      seen.length = 0;
      offered.length = 0;
      const result = sim.run(driver, {
        ticks: 25_000,
        scheduler: {
          begin: () => {},
          choose: (point: ChoicePoint) => {
            for (let k = 1; k < point.count; k++) {
              const what = point.describe(k);
              if (!what.startsWith('timer function')) continue;
              offered.push(`${point.site()}: ${what}`);
              if (take) return k;
            }
            return 0;
          },
        },
      });
      log.sim = null;
      expect(result.reports).toEqual([]);
      return [...seen];
    };
    // Declined, the loop runs it after the DPC, on the processor that set it.
    const declined = run(false);
    expect(offered.length).toBeGreaterThan(0);
    expect(offered[0]).toMatch(
      /^TestInterruptDpc \(MINIPORT_INTERRUPT_DPC\) on processor 0 after NdisStallExecution: timer function Watch runs on processor 1$/,
    );
    expect(declined.map((s) => [s.processor, s.inDpc])).toEqual([
      [0, false],
      [0, false],
    ]);
    // Taken, it runs on the other processor while the DPC is stalled in the middle; once per expiry.
    const taken = run(true);
    expect(taken).toHaveLength(2);
    for (const s of taken) expect([s.processor, s.inDpc]).toEqual([1, true]);
  });

  it('a timer that sets itself again at once does not starve the interrupts either', () => {
    // DueTime 0 is absolute and past: due at the next tick, every tick.
    let handle: NDIS_HANDLE = null;
    let sets = 0;
    const Busy = NDIS_TIMER_FUNCTION('BusyTimer', (_s1, FunctionContext) => {
      sets++;
      (FunctionContext as TestAdapter).ndis.NdisSetTimerObject(handle, { QuadPart: 0n }, 0, null);
    });
    const driver = testDriver({
      afterInitialize: (a) => {
        handle = allocate(a, characteristics({ TimerFunction: Busy, FunctionContext: a }));
        a.ndis.NdisSetTimerObject(handle, { QuadPart: 0n }, 0, null);
      },
      halt: cancelAndFree,
    });
    const sim = createSimulation({ seed: 1, device: new FakeDevice({ periodTicks: 400 }), mode: 'collect' });
    const result = sim.run(driver, { ticks: 20_000 });
    expect(result.reports).toEqual([]);
    expect(sets).toBeGreaterThan(5_000);
    // A cause every 400 ticks: each is still taken.
    expect(result.stats.interrupts).toBeGreaterThanOrEqual(49);
  });

  it('a one-shot timer fires once; an absolute DueTime in the past fires at the next tick', () => {
    expect(run(timerDriver(-20_000n, 0)).fired.map((f) => Math.floor(f.tick / 1000))).toEqual([20]);
    // DueTime by its halves, and from JavaScript as a plain bigint or number: the same time.
    for (const due of [{ u: { LowPart: -20_000 >>> 0, HighPart: -1 } }, -20_000n, -20_000]) {
      const driver = testDriver({
        afterInitialize: (a) => {
          const set = a.ndis.NdisSetTimerObject as (...args: unknown[]) => boolean;
          set(allocate(a), due, 0, null);
        },
        halt: cancelAndFree,
      });
      expect(run(driver).fired.map((f) => Math.floor(f.tick / 1000))).toEqual([20]);
    }
    const past = run(timerDriver(0n, 0)).fired;
    expect(past).toHaveLength(1);
    expect(past[0]!.tick).toBeLessThan(100);
  });

  it('NdisSetTimerObject says whether the timer was queued and takes its FunctionContext; NdisCancelTimerObject whether it dequeued it', () => {
    const seen: boolean[] = [];
    const driver = testDriver({
      afterInitialize: (a) => {
        const timer = allocate(a);
        seen.push(a.ndis.NdisSetTimerObject(timer, { QuadPart: -50_000n }, 0, null) as boolean);
        // Set again while queued: TRUE, and from now on the new due time and context.
        seen.push(a.ndis.NdisSetTimerObject(timer, { QuadPart: -30_000n }, 0, 'from set') as boolean);
        seen.push(a.ndis.NdisCancelTimerObject(timer) as boolean);
        seen.push(a.ndis.NdisCancelTimerObject(timer) as boolean);
        seen.push(a.ndis.NdisSetTimerObject(timer, { QuadPart: -30_000n }, 0, 'from set') as boolean);
      },
      halt: halt((a, timer) => {
        // It fired: nothing to cancel.
        seen.push(a.ndis.NdisCancelTimerObject(timer) as boolean);
        a.ndis.NdisFreeTimerObject(timer);
      }),
    });
    const { result, fired } = run(driver);
    expect(result.clean).toBe(true);
    expect(seen).toEqual([false, true, true, false, false, false]);
    expect(fired.map((f) => [Math.floor(f.tick / 1000), f.context])).toEqual([[30, 'from set']]);
  });

  it('a timer set from a DPC runs on that DPC’s processor; timers run in the order of their due times', () => {
    const order: string[] = [];
    const named = (name: string) =>
      NDIS_TIMER_FUNCTION(`Timer${name}`, () => {
        order.push(`${name}@${log.sim!.engine.cpu.index}`);
      });
    let dpcProcessor = -1;
    const timers: NDIS_HANDLE[] = [];
    const driver = testDriver({
      afterInitialize: (a) => {
        timers.push(allocate(a, characteristics({ TimerFunction: named('Late') })));
        timers.push(allocate(a, characteristics({ TimerFunction: named('Early') })));
        a.ndis.NdisSetTimerObject(timers[1], { QuadPart: -10_000n }, 0, null);
      },
      dpc: (a) => {
        // The first DPC sets the late timer, 3 ms on: it runs where this DPC runs.
        if (a.dpcCalls !== 1) return;
        dpcProcessor = log.sim!.engine.cpu.index;
        a.ndis.NdisSetTimerObject(timers[0], { QuadPart: -30_000n }, 0, null);
      },
      halt: halt((a) => {
        for (const timer of timers.splice(0)) a.ndis.NdisFreeTimerObject(timer);
      }),
    });
    const runs = [1, 2, 3, 4, 5].map((seed) => {
      const sim = createSimulation({ seed, device: new FakeDevice(DEFAULT_DEVICE), mode: 'collect' });
      log.sim = sim;
      order.length = 0;
      const result = sim.run(driver, { ticks: 100_000 });
      expect(result.reports.map((r) => r.message)).toEqual([]);
      return { dpcProcessor, order: [...order] };
    });
    log.sim = null;
    for (const r of runs) expect(r.order).toEqual(['Early@0', `Late@${r.dpcProcessor}`]);
    // The seeds put the first DPC on both processors.
    expect(new Set(runs.map((r) => r.dpcProcessor))).toEqual(new Set([0, 1]));
  });

  it('NdisSetCoalescableTimerObject: each expiry anywhere within its tolerance, drawn from the seed', () => {
    const coalescable = (tolerance: number) =>
      testDriver({
        afterInitialize: (a) => {
          const timer = allocate(a);
          // Due in 2 ms, every 2 ms, ± tolerance ms.
          a.ndis.NdisSetCoalescableTimerObject(timer, { QuadPart: -20_000n }, 2, null, tolerance);
        },
        halt: cancelAndFree,
      });
    const at = (seed: number, tolerance: number) => {
      const sim = createSimulation({ seed, device: new FakeDevice(DEFAULT_DEVICE), mode: 'collect' });
      log.sim = sim;
      log.fired = [];
      const result = sim.run(coalescable(tolerance), { ticks: 100_000 });
      log.sim = null;
      expect(result.reports).toEqual([]);
      return log.fired.map((f) => f.tick);
    };
    const runs = [1, 2, 3, 4, 5, 6].map((seed) => at(seed, 1));
    for (const ticks of runs) {
      // The first within 2 ms ± 1 ms of the set (at initialize), each later one 2 ms ± 1 ms after the one before.
      expect(ticks[0]).toBeGreaterThanOrEqual(10_000);
      expect(ticks[0]).toBeLessThanOrEqual(30_100);
      for (let k = 1; k < ticks.length; k++) {
        expect(ticks[k]! - ticks[k - 1]!).toBeGreaterThanOrEqual(10_000);
        expect(ticks[k]! - ticks[k - 1]!).toBeLessThanOrEqual(30_100);
      }
    }
    // Drawn: the seeds disagree; the same seed agrees with itself.
    expect(new Set(runs.map((ticks) => ticks[0])).size).toBeGreaterThan(3);
    expect(at(3, 1)).toEqual(runs[2]);
    // No tolerance: exactly NdisSetTimerObject's times.
    expect(at(1, 0)).toEqual(at(2, 0));
    expect(at(1, 0)[0]! % 20_000).toBeLessThan(100);
  });

  it('runs the same way with the verifier off, and the same seed gives the same expirations', () => {
    const on = run(timerDriver(-5_000n, 2)).fired.map((f) => f.tick);
    const off = run(timerDriver(-5_000n, 2), 100_000, { verifier: false }).fired.map((f) => f.tick);
    expect(on).toHaveLength(5);
    expect(run(timerDriver(-5_000n, 2)).fired.map((f) => f.tick)).toEqual(on);
    expect(off).toHaveLength(5);
  });

  it('refuses characteristics NDIS would refuse: NDIS_STATUS_BAD_CHARACTERISTICS, no handle', () => {
    const statuses: unknown[] = [];
    const driver = testDriver({
      afterInitialize: (a) => {
        for (const chars of [
          characteristics({ Header: { Type: 0x84, Revision: 1, Size: 0 } }),
          characteristics({ AllocationTag: 0 }),
        ]) {
          const box: Box<NDIS_HANDLE> = { value: 'untouched' };
          statuses.push(a.ndis.NdisAllocateTimerObject(a.miniportHandle, chars, box), box.value);
        }
      },
    });
    const { result } = run(driver);
    expect(statuses).toEqual([NDIS_STATUS_BAD_CHARACTERISTICS, null, NDIS_STATUS_BAD_CHARACTERISTICS, null]);
    expect(result.clean).toBe(true);
  });

  it('a timer that sets itself again for now, from its own function, runs once per tick and the run still ends', () => {
    let runs = 0;
    const driver = testDriver({
      afterInitialize: (a) => {
        const Again = NDIS_TIMER_FUNCTION('Again', () => {
          runs++;
          a.ndis.NdisSetTimerObject(timerOf(a), { QuadPart: 0n }, 0, null);
        });
        const timer = allocate(a, characteristics({ TimerFunction: Again }));
        a.ndis.NdisSetTimerObject(timer, { QuadPart: 0n }, 0, null);
      },
      halt: cancelAndFree,
    });
    const { result } = run(driver, 2_000);
    expect(result.reports.map((r) => r.message)).toEqual([]);
    expect(result.tick).toBeLessThan(2_100);
    // Each turn costs the role call and the turn itself: at most one run per tick.
    expect(runs).toBeGreaterThan(100);
    expect(runs).toBeLessThanOrEqual(2_000);
  });

  it('a timer function is a DPC: TIME-BUDGET past 100 µs, quiet within; a PASSIVE_LEVEL DDI in it is IRQL-CALL', () => {
    const budget = (microseconds: number, passive = false) =>
      testDriver({
        afterInitialize: (a) => {
          const Slow = NDIS_TIMER_FUNCTION('SlowTimer', () => {
            a.ndis.NdisStallExecution(microseconds);
            if (passive) a.ndis.NdisMDeregisterInterruptEx(a.interrupt);
          });
          a.ndis.NdisSetTimerObject(
            allocate(a, characteristics({ TimerFunction: Slow })),
            { QuadPart: -5_000n },
            0,
            null,
          );
        },
        halt: cancelAndFree,
      });
    const over = run(budget(150)).result.reports.map((r) => [r.rule, r.message]);
    // 150 µs of stall, and an ISR that preempted it on its processor (its time counts, as on Windows).
    expect(over).toEqual([
      [
        'TIME-BUDGET',
        expect.stringMatching(/^SlowTimer ran for 15\d(\.\d)? µs of simulated time; the budget of a DPC is 100 µs$/),
      ],
    ]);
    expect(run(budget(50)).result.reports).toEqual([]);
    const waits = run(budget(1, true)).result.reports.map((r) => [r.rule, r.subject]);
    expect(waits[0]).toEqual(['IRQL-CALL', 'NdisMDeregisterInterruptEx']);
  });

  it('a DueTime that is no time fails the run with the DDI named, never a stack overflow', () => {
    const cyclic: { QuadPart?: unknown } = {};
    cyclic.QuadPart = cyclic;
    for (const [due, want] of [
      [cyclic, /NdisSetTimerObject: DueTime\.QuadPart must be a bigint or an integer number \(got object\)/],
      [{ u: { LowPart: 1.5, HighPart: 0 } }, /NdisSetTimerObject: DueTime\.u must have integer LowPart and HighPart/],
      [{}, /NdisSetTimerObject: DueTime must be a LARGE_INTEGER/],
      [2n ** 80n, /NdisSetTimerObject: DueTime \d+ is out of range/],
    ] as const) {
      const driver = testDriver({
        afterInitialize: (a) => {
          const set = a.ndis.NdisSetTimerObject as (...args: unknown[]) => boolean;
          set(allocate(a), due, 0, null);
        },
      });
      const sim = createSimulation({ seed: 3, device: new FakeDevice(DEFAULT_DEVICE), mode: 'collect' });
      expect(() => sim.run(driver, { ticks: 1_000 })).toThrow(want);
    }
  });

  it('a driver allocating timers without bound fails the run, naming the limit, instead of growing the heap', () => {
    const driver = testDriver({
      afterInitialize: (a) => {
        for (;;) a.ndis.NdisAllocateTimerObject(a.miniportHandle, characteristics(), { value: null });
      },
    });
    const sim = createSimulation({ seed: 3, device: new FakeDevice(DEFAULT_DEVICE), mode: 'collect' });
    expect(() => sim.run(driver, { ticks: 1_000 })).toThrow(
      new RegExp(`NdisAllocateTimerObject: more than ${TIMER_OBJECTS_MAX} timer objects allocated in one run`),
    );
  });

  it('a TimerFunction declared with no role is ROLE-TYPE, and the allocation fails', () => {
    let status: unknown;
    const driver = testDriver({
      afterInitialize: (a) => {
        const box: Box<NDIS_HANDLE> = { value: null };
        status = a.ndis.NdisAllocateTimerObject(
          a.miniportHandle,
          characteristics({ TimerFunction: function PlainTimer() {} as unknown as NDIS_TIMER_FUNCTION }),
          box,
        );
      },
    });
    const { result } = run(driver);
    expect(status).toBe(NDIS_STATUS_BAD_CHARACTERISTICS);
    expect(result.reports.map((r) => [r.rule, r.message])).toEqual([
      [
        'ROLE-TYPE',
        expect.stringMatching(
          /NDIS_TIMER_CHARACTERISTICS\.TimerFunction.*the plain function PlainTimer, declared with no role/,
        ),
      ],
    ]);
  });

  it('ISR-SHARED-RACE: a timer function reading ISR state outside a synchronize function; quiet inside one', () => {
    const peek = MINIPORT_SYNCHRONIZE_INTERRUPT('PeekCauses', (context) => (context as TestAdapter).causes !== 0);
    const watching = (synchronized: boolean) =>
      testDriver({
        afterInitialize: (a) => {
          a.resources.shared(a, 'causes');
          const Watch = NDIS_TIMER_FUNCTION('WatchCauses', (_s1, context) => {
            const adapter = context as TestAdapter;
            if (synchronized) adapter.ndis.NdisMSynchronizeWithInterruptEx(adapter.interrupt, 0, peek, adapter);
            else adapter.notes.push(adapter.causes);
          });
          const timer = allocate(a, characteristics({ TimerFunction: Watch, FunctionContext: a }));
          a.ndis.NdisSetTimerObject(timer, { QuadPart: -1_000n }, 1, null);
        },
        halt: cancelAndFree,
      });
    const racing = run(watching(false)).result.reports.filter((r) => r.rule === 'ISR-SHARED-RACE');
    expect(racing.length).toBeGreaterThan(0);
    expect(racing[0]!.message).toContain('WatchCauses');
    expect(run(watching(true)).result.reports).toEqual([]);
  });

  it('explore sees timers too: the same runs on every schedule, and a leak found on the first', () => {
    const explored = explore({
      driver: timerDriver(-2_000n, 1, { halt: halt((a, timer) => void a.ndis.NdisCancelTimerObject(timer)) }),
      scenario: { device: () => new FakeDevice(DEFAULT_DEVICE), ticks: 20_000 },
      seed: 1,
      budget: 50,
    });
    expect(explored.failure?.report.rule).toBe('TIMER-LEAK');
    expect(explored.failure?.foundAt).toBe(1);
  });
});

describe('TIMER-PENDING', () => {
  ruleCase({
    name: 'MiniportHaltEx returns with a periodic timer still set',
    rule: 'TIMER-PENDING',
    code: BUG_CHECKS.TIMER_OR_DPC_INVALID,
    p1: 0,
    fire: { driver: timerDriver(-5_000n, 1, { halt: halt(() => {}) }) },
    quiet: { driver: timerDriver(-5_000n, 1) },
    haltsInBugcheck: true,
  });

  ruleCase({
    name: 'MiniportHaltEx frees a timer it never canceled',
    rule: 'TIMER-PENDING',
    code: BUG_CHECKS.TIMER_OR_DPC_INVALID,
    p1: 0,
    fire: { driver: timerDriver(-5_000n, 1, { halt: halt((a, timer) => void a.ndis.NdisFreeTimerObject(timer)) }) },
    quiet: { driver: timerDriver(-5_000n, 1) },
  });

  ruleCase({
    name: 'MiniportInitializeEx fails with a one-shot timer still set',
    rule: 'TIMER-PENDING',
    code: BUG_CHECKS.TIMER_OR_DPC_INVALID,
    p1: 0,
    fire: {
      driver: testDriver({
        afterInitialize: (a) => {
          const timer = allocate(a);
          a.ndis.NdisSetTimerObject(timer, { QuadPart: -50_000n }, 0, null);
          a.ndis.NdisMDeregisterInterruptEx(a.interrupt);
          a.ndis.NdisFreeTimerObject(timer);
        },
        initializeStatus: () => 0xc0000001 | 0,
      }),
    },
    quiet: { driver: timerDriver(-50_000n, 0) },
    haltsInCollect: false,
  });

  it('names the timer, the function and the fix; the harness cancels it, so it never runs after', () => {
    const { result, fired } = run(timerDriver(-5_000n, 1, { halt: halt(() => {}) }), 20_000);
    expect(result.reports.map((r) => [r.rule, r.subject, r.message])).toEqual([
      [
        'TIMER-PENDING',
        'MINIPORT_HALT',
        'TestHaltEx returned with timer 1 still set (periodic, every 1 ms); call NdisCancelTimerObject first',
      ],
      [
        'TIMER-LEAK',
        'MINIPORT_HALT',
        'TestHaltEx returned with 1 timer object never freed (1, allocated by TestInitializeEx); free each with NdisFreeTimerObject',
      ],
    ]);
    expect(result.reports[0]!.bugCheck!.parameters).toEqual([0, 1, 0, 0]);
    expect(fired).toHaveLength(2);
  });
});

describe('TIMER-LEAK', () => {
  ruleCase({
    name: 'MiniportHaltEx cancels its timer but never frees it',
    rule: 'TIMER-LEAK',
    code: BUG_CHECKS.DRIVER_VERIFIER_DETECTED_VIOLATION,
    p1: 0x62,
    fire: { driver: timerDriver(-5_000n, 1, { halt: halt((a, timer) => void a.ndis.NdisCancelTimerObject(timer)) }) },
    quiet: { driver: timerDriver(-5_000n, 1) },
    haltsInBugcheck: true,
  });
});

describe('TIMER-HANDLE', () => {
  ruleCase({
    name: 'NdisSetTimerObject with a handle no NdisAllocateTimerObject returned',
    rule: 'TIMER-HANDLE',
    code: BUG_CHECKS.DRIVER_VERIFIER_DETECTED_VIOLATION,
    p1: DDIKIT_P1.TIMER_HANDLE,
    fire: {
      driver: testDriver({
        afterInitialize: (a) => void a.ndis.NdisSetTimerObject({ timer: 1 }, { QuadPart: -5_000n }, 0, null),
      }),
    },
    quiet: { driver: timerDriver(-5_000n, 0) },
  });

  it('a freed timer, and a timer of an earlier run, are no timers: each call does nothing and returns FALSE', () => {
    let kept: NDIS_HANDLE = null;
    const returned: unknown[] = [];
    const driver = testDriver({
      afterInitialize: (a) => {
        if (kept !== null) returned.push(a.ndis.NdisSetTimerObject(kept, { QuadPart: -5_000n }, 0, null));
        const timer = allocate(a);
        kept = timer;
        a.ndis.NdisFreeTimerObject(timer);
        returned.push(a.ndis.NdisCancelTimerObject(timer));
        a.ndis.NdisFreeTimerObject(timer);
      },
    });
    const sim = createSimulation({ seed: 3, device: new FakeDevice(DEFAULT_DEVICE), mode: 'collect' });
    const first = sim.run(driver, { ticks: 1_000 });
    const second = sim.run(driver, { ticks: 1_000 });
    const messages = (r: typeof first) => r.reports.map((x) => `${x.rule} ${x.subject}: ${x.message}`);
    expect(messages(first)).toEqual([
      'TIMER-HANDLE NdisCancelTimerObject: NdisCancelTimerObject was called with timer 1, which NdisFreeTimerObject already freed',
      'TIMER-HANDLE NdisFreeTimerObject: NdisFreeTimerObject was called with timer 1, which NdisFreeTimerObject already freed',
    ]);
    expect(messages(second)[0]).toBe(
      'TIMER-HANDLE NdisSetTimerObject: NdisSetTimerObject was called with a handle that no NdisAllocateTimerObject of this run returned',
    );
    expect(returned).toEqual([false, false, false]);
  });
});

describe('IRQL-CALL: NdisCancelTimerObject’s contract depends on the timer', () => {
  const cancelInDpc = (period: number) =>
    testDriver({
      afterInitialize: (a) => {
        const timer = allocate(a);
        a.ndis.NdisSetTimerObject(timer, { QuadPart: -500_000n }, period, null);
      },
      dpc: (a) => {
        if (a.dpcCalls === 1) a.ndis.NdisCancelTimerObject(timerOf(a));
      },
      halt: halt((a, timer) => {
        a.ndis.NdisCancelTimerObject(timer);
        a.ndis.NdisFreeTimerObject(timer);
      }),
    });

  ruleCase({
    name: 'a DPC cancels a periodic timer (PASSIVE_LEVEL only); a one-shot one it may',
    rule: 'IRQL-CALL',
    code: BUG_CHECKS.DRIVER_VERIFIER_DETECTED_VIOLATION,
    p1: 0xe5,
    fire: { driver: cancelInDpc(1) },
    quiet: { driver: cancelInDpc(0) },
  });

  it('says which condition narrowed the contract', () => {
    const report = run(cancelInDpc(1)).result.reports[0]!;
    expect(report.message).toBe(
      'NdisCancelTimerObject was called at IRQL 2; its contract requires PASSIVE_LEVEL (canceling periodic timer)',
    );
    expect(report.bugCheck!.parameters).toEqual([0xe5, 2, 0, 0]);
  });
});
