/**
 * DPC-SHARED-RACE: state two deferred functions touch — the interrupt DPC and a timer function, which
 * other processors run side by side at DISPATCH_LEVEL — with no lock both hold. It fires whichever
 * access comes first, names both sides with their locks, and stays quiet when one spin lock (or one
 * interrupt lock, through a synchronize function) orders them, when both only read, when the two
 * accesses come from one deferred function (a DPC and the synchronize function it calls), and with
 * one processor, where a DPC never runs beside another.
 */
import {
  NDIS_OBJECT_TYPE_TIMER_CHARACTERISTICS,
  NDIS_STATUS_SUCCESS,
  NDIS_TIMER_CHARACTERISTICS_REVISION_1,
  NDIS_TIMER_FUNCTION,
  MINIPORT_SYNCHRONIZE_INTERRUPT,
  MINIPORT_SYNCHRONIZE_MESSAGE_INTERRUPT,
  type Box,
  type NDIS_HANDLE,
} from '@ddikit/ndis';
import {
  BUG_CHECKS,
  createSimulation,
  DDIKIT_P1,
  explore,
  formatReportText,
  type Report,
  type Scheduler,
} from '@ddikit/sim';
import { describe, expect, it } from 'vitest';
import { testDriver, type Hooks, type TestAdapter } from '../drivers.js';
import { FakeDevice } from '../fake-device.js';
import { DEFAULT_DEVICE, ruleCase } from '../rule-cases.js';

/**
 * The test driver with a watchdog: MiniportInitializeEx allocates a timer whose context is the
 * adapter and sets it every millisecond; `watch` is the timer function's body. Halt cancels and
 * frees it.
 */
function watchdogDriver(watch: (a: TestAdapter) => void, more: Hooks = {}) {
  const Watchdog = NDIS_TIMER_FUNCTION('TestWatchdog', (_s1, FunctionContext) => watch(FunctionContext as TestAdapter));
  let timer: NDIS_HANDLE = null;
  return testDriver({
    afterInitialize: (a) => {
      const box: Box<NDIS_HANDLE> = { value: null };
      const status = a.ndis.NdisAllocateTimerObject(
        a.miniportHandle,
        {
          Header: {
            Type: NDIS_OBJECT_TYPE_TIMER_CHARACTERISTICS,
            Revision: NDIS_TIMER_CHARACTERISTICS_REVISION_1,
            Size: 0,
          },
          AllocationTag: 0x67647477,
          TimerFunction: Watchdog,
          FunctionContext: a,
        },
        box,
      );
      expect(status).toBe(NDIS_STATUS_SUCCESS);
      timer = box.value;
      a.ndis.NdisSetTimerObject(timer, { QuadPart: -10_000n }, 1, null);
    },
    halt: (a) => {
      a.ndis.NdisCancelTimerObject(timer);
      a.ndis.NdisFreeTimerObject(timer);
      a.ndis.NdisWriteRegisterUlong(a.resources.registers.MASK_CLEAR!, 0xffffffff);
      a.ndis.NdisMDeregisterInterruptEx(a.interrupt);
      a.ndis.NdisFreeSpinLock(a.lock);
      a.ndis.NdisFreeSpinLock(a.otherLock);
    },
    ...more,
  });
}

/** The timer function reads what the DPC adds to under `a.lock`. */
const unlockedRead = watchdogDriver((a) => void a.handled);
const lockedRead = watchdogDriver((a) => {
  a.ndis.NdisDprAcquireSpinLock(a.lock);
  void a.handled;
  a.ndis.NdisDprReleaseSpinLock(a.lock);
});

function run(driver: ReturnType<typeof testDriver>, options: { processors?: number; seed?: number } = {}) {
  const sim = createSimulation({
    seed: options.seed ?? 3,
    device: new FakeDevice(DEFAULT_DEVICE),
    mode: 'collect',
    ...(options.processors !== undefined ? { processors: options.processors } : {}),
  });
  return sim.run(driver, { ticks: 50_000 });
}

function races(reports: readonly Report[]): Report[] {
  return reports.filter((r) => r.rule === 'DPC-SHARED-RACE');
}

describe('DPC-SHARED-RACE', () => {
  ruleCase({
    name: 'a timer function reads, without a lock, a field the DPC changes under a spin lock',
    rule: 'DPC-SHARED-RACE',
    code: 0xc4,
    p1: 0xdd0e,
    fire: { driver: unlockedRead, run: { ticks: 50_000 } },
    quiet: { driver: lockedRead, run: { ticks: 50_000 } },
  });

  it('has its own ddikit code', () => {
    expect(DDIKIT_P1.DPC_SHARED_RACE).toBe(0xdd0e);
    expect(BUG_CHECKS.DRIVER_VERIFIER_DETECTED_VIOLATION).toBe(0xc4);
  });

  it('names the field, both deferred functions with their locks, and the interleaving', () => {
    const result = run(unlockedRead);
    const found = races(result.reports);
    expect(found).toHaveLength(1);
    const report = found[0]!;
    expect(report.subject).toBe('handled');
    expect(report.function).toBe('TestWatchdog');
    expect(report.irqlFound).toBe(2);
    expect(report.bugCheck!.parameters.slice(0, 3)).toEqual([0xdd0e, 2, 2]);
    const [first, second] = report.race!.accesses;
    expect(first).toMatchObject({
      function: 'TestInterruptDpc',
      role: 'MINIPORT_INTERRUPT_DPC',
      irql: 2,
      access: 'write handled',
    });
    // The spin lock goes by where the driver keeps it (the adapter's `lock`).
    expect(first.locks).toMatch(/^lock \(spin lock #\d+\)$/);
    expect(second).toMatchObject({
      function: 'TestWatchdog',
      role: 'NDIS_TIMER_FUNCTION',
      irql: 2,
      access: 'read handled',
      locks: 'none',
    });
    expect(first.tick).toBeLessThan(second.tick);
    expect(report.message).toMatch(
      /^field handled is shared by deferred functions that can run on different processors at the same time: TestInterruptDpc \(MINIPORT_INTERRUPT_DPC\) at DISPATCH_LEVEL \(write handled, holding lock \(spin lock #\d+\)\) and TestWatchdog \(NDIS_TIMER_FUNCTION\) at DISPATCH_LEVEL \(read handled, holding none\); no lock they both hold keeps one out while the other runs — take the same NDIS spin lock around both/,
    );
    // The interleaving ends with the access that completed the race.
    expect(report.interleaving!.at(-1)).toMatchObject({ function: 'TestWatchdog', access: 'read handled' });
    expect(formatReportText(report)).toContain('DPC-SHARED-RACE');
  });

  it('is found whichever access comes first: the timer function before any DPC ran', () => {
    // The timer's first expiry (1 ms) comes before the device's first interrupt.
    const early = watchdogDriver((a) => void a.handled);
    const sim = createSimulation({
      seed: 3,
      device: new FakeDevice({ periodTicks: 30_000 }),
      mode: 'collect',
    });
    const report = races(sim.run(early, { ticks: 50_000 }).reports)[0];
    expect(report, 'no DPC-SHARED-RACE').toBeDefined();
    const [first, second] = report!.race!.accesses;
    expect(first.function).toBe('TestWatchdog');
    expect(second.function).toBe('TestInterruptDpc');
    // The access with no lock is the one to guard, whichever came first.
    expect(report!.function).toBe('TestWatchdog');
  });

  it('fires when each side holds a different spin lock, and names both', () => {
    const otherLock = watchdogDriver((a) => {
      a.ndis.NdisDprAcquireSpinLock(a.otherLock);
      a.handled |= 0x100;
      a.ndis.NdisDprReleaseSpinLock(a.otherLock);
    });
    const report = races(run(otherLock).reports)[0];
    expect(report, 'no DPC-SHARED-RACE').toBeDefined();
    const locks = report!.race!.accesses.map((a) => a.locks);
    expect(locks[0]).not.toBe(locks[1]);
    expect(locks.sort()).toEqual([
      expect.stringMatching(/^lock \(spin lock #\d+\)$/),
      expect.stringMatching(/^otherLock \(spin lock #\d+\)$/),
    ]);
  });

  it('stays quiet when both only read', () => {
    const readOnly = watchdogDriver((a) => void a.messageCount, {
      dpc: (a) => {
        void a.messageCount;
        a.ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, 0, a.functions.takeCauses, a);
        a.notes.pop();
        a.ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, 0, a.functions.enableInSync, a);
      },
    });
    const result = run(readOnly);
    expect(result.reports.map((r) => r.rule)).toEqual([]);
  });

  it('stays quiet when both go through a synchronize function (one interrupt lock orders them)', () => {
    // The timer function takes the ISR's causes through the same synchronize function the DPC calls.
    const throughSync = watchdogDriver((a) => {
      a.ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, 0, a.functions.takeCauses, a);
      const taken = a.notes.pop() as number;
      a.ndis.NdisDprAcquireSpinLock(a.lock);
      a.handled |= taken;
      a.ndis.NdisDprReleaseSpinLock(a.lock);
    });
    const result = run(throughSync);
    expect(result.reports.map((r) => r.rule)).toEqual([]);
  });

  it('fires when one side goes through a synchronize function and the other holds no lock', () => {
    const Peek = MINIPORT_SYNCHRONIZE_INTERRUPT('PeekCauses', (context) => (context as TestAdapter).causes !== 0);
    // The DPC reads causes inside a synchronize function; the timer function writes it with no lock:
    // both an ISR race (the ISR writes causes) and a race between the two deferred functions.
    const result = run(
      watchdogDriver((a) => void (a.causes = 0), {
        dpc: (a) => {
          a.ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, 0, Peek, a);
          a.ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, 0, a.functions.takeCauses, a);
          a.notes.pop();
          a.ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, 0, a.functions.enableInSync, a);
        },
      }),
    );
    const report = races(result.reports).find((r) => r.race!.accesses.some((x) => x.function === 'PeekCauses'));
    expect(report, `got ${result.reports.map((r) => `${r.rule} ${r.subject} ${r.function}`).join('; ')}`).toBeDefined();
    expect(report!.message).toContain('PeekCauses (MINIPORT_SYNCHRONIZE_INTERRUPT, called from TestInterruptDpc)');
    expect(result.reports.some((r) => r.rule === 'ISR-SHARED-RACE' && r.function === 'TestWatchdog')).toBe(true);
  });

  it('stays quiet on accesses of one deferred function (a DPC and the synchronize function it calls)', () => {
    // The DPC writes `handled` itself and reads it in a synchronize function it calls: one thread of
    // execution, never two processors at once.
    const Read = MINIPORT_SYNCHRONIZE_INTERRUPT('ReadHandled', (context) => (context as TestAdapter).handled > 0);
    const result = run(
      watchdogDriver(() => {}, {
        dpc: (a) => {
          a.handled++;
          a.ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, 0, Read, a);
          a.ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, 0, a.functions.takeCauses, a);
          a.notes.pop();
          a.ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, 0, a.functions.enableInSync, a);
        },
      }),
    );
    expect(result.reports.map((r) => r.rule)).toEqual([]);
  });

  describe('between the DPCs of two messages', () => {
    /** Cause bit 0 (message 0) every 400 ticks, bit 1 (message 1) 200 ticks after it. */
    const staggered = { periodTicks: 0, messageCount: 2, schedule: [] as { tick: number; cause: number }[] };
    for (let tick = 400; tick < 50_000; tick += 400)
      staggered.schedule.push({ tick, cause: 0b01 }, { tick: tick + 200, cause: 0b10 });
    /** Both causes at once. */
    const together = { periodTicks: 0, messageCount: 2, schedule: [] as { tick: number; cause: number }[] };
    for (let tick = 400; tick < 50_000; tick += 400) together.schedule.push({ tick, cause: 0b11 });

    /** The cause bits the fake device routes to message `messageId` (bit n to n % messageCount). */
    const ownCauses = (a: TestAdapter, messageId: number): number => {
      let bits = 0;
      for (let bit = messageId; bit < 32; bit += a.messageCount) bits |= 1 << bit;
      return bits >>> 0;
    };
    /** Unmasks the message's own causes, under its interrupt lock. */
    const EnableOwn = MINIPORT_SYNCHRONIZE_MESSAGE_INTERRUPT('EnableOwnMessage', (context) => {
      const c = context as { a: TestAdapter; messageId: number };
      c.a.resources.registers.MASK_SET!.value = ownCauses(c.a, c.messageId);
      return true;
    });
    /**
     * The test driver whose message DPC counts into `handled` (under `a.lock` if `locked`). `own`:
     * each message ISR masks only its own causes and its DPC unmasks only them (per-queue MSI-X); else
     * each masks every cause (the test driver's default) and unmasks them all.
     */
    const counting = (how: { locked?: boolean; own: boolean; targets?: boolean }) =>
      testDriver({
        messageIsr: (a, messageId, queueDpc, targets) => {
          a.causes |= a.resources.registers.CAUSE!.value;
          a.resources.registers.MASK_CLEAR!.value = how.own ? ownCauses(a, messageId) : 0xffffffff;
          // Each message's DPC on a processor of its own, or on the ISR's.
          if (how.targets === true) targets.value = 1 << messageId;
          else queueDpc.value = true;
          return true;
        },
        dpc: (a, messageId) => {
          if (how.locked === true) a.ndis.NdisDprAcquireSpinLock(a.lock);
          a.handled += 1;
          if (how.locked === true) a.ndis.NdisDprReleaseSpinLock(a.lock);
          if (how.own) a.ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, messageId, EnableOwn, { a, messageId });
          else a.ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, messageId, a.functions.enableInSync, a);
        },
      });
    const runMessages = (
      driver: ReturnType<typeof testDriver>,
      device: ConstructorParameters<typeof FakeDevice>[0],
      processors = 2,
    ) =>
      createSimulation({ seed: 3, device: new FakeDevice(device), mode: 'collect', processors }).run(driver, {
        ticks: 50_000,
      });
    /** The fields of the DPC-SHARED-RACE reports between the DPCs of two different messages. */
    const betweenMessages = (result: ReturnType<typeof runMessages>): string[] =>
      races(result.reports)
        .filter((r) => r.race!.accesses[0]!.message !== r.race!.accesses[1]!.message)
        .map((r) => r.subject)
        .sort();
    /** The fields the DPC-SHARED-RACE reports name. */
    const subjects = (result: ReturnType<typeof runMessages>): string[] =>
      races(result.reports)
        .map((r) => r.subject)
        .sort();

    it('fires: one function, two messages, no common lock; the report names each message', () => {
      const result = runMessages(counting({ own: true }), staggered);
      expect(result.stats.dpcs).toBeGreaterThan(200);
      expect(subjects(result)).toEqual(['handled']);
      const report = races(result.reports).find((r) => r.subject === 'handled')!;
      const accesses = report.race!.accesses;
      expect(accesses.map((a) => [a.function, a.role])).toEqual([
        ['TestMessageInterruptDpc', 'MINIPORT_MESSAGE_INTERRUPT_DPC'],
        ['TestMessageInterruptDpc', 'MINIPORT_MESSAGE_INTERRUPT_DPC'],
      ]);
      expect(accesses.map((a) => a.message).sort()).toEqual([0, 1]);
      expect(report.message).toMatch(
        /^field handled is shared by deferred functions that can run on different processors at the same time: TestMessageInterruptDpc \(MINIPORT_MESSAGE_INTERRUPT_DPC, message [01]\) at DISPATCH_LEVEL \(\w+ handled, holding none\) and TestMessageInterruptDpc \(MINIPORT_MESSAGE_INTERRUPT_DPC, message [01]\) at DISPATCH_LEVEL/,
      );
      expect(formatReportText(report)).toMatch(
        /by TestMessageInterruptDpc \(MINIPORT_MESSAGE_INTERRUPT_DPC, message [01]\) on cpu/,
      );
    });

    it('stays quiet when both hold the same spin lock, with one processor, and with one message', () => {
      expect(subjects(runMessages(counting({ own: true, locked: true }), staggered))).toEqual([]);
      expect(subjects(runMessages(counting({ own: true }), staggered, 1))).toEqual([]);
      // One message: its DPC counts while its cause is still masked, before it unmasks it, so no
      // second run of that DPC can be beside it.
      const alone = runMessages(counting({ own: true }), { ...staggered, messageCount: 1 });
      expect(alone.stats.dpcs).toBeGreaterThan(100);
      expect(subjects(alone)).toEqual([]);
    });

    it("stays quiet when no other message's DPC can run: each ISR masked every cause, nothing else queued", () => {
      // While a DPC runs the device can raise nothing and no other DPC waits: another message's DPC
      // comes only after this one unmasks.
      const result = runMessages(counting({ own: false }), staggered);
      expect(result.stats.dpcs).toBeGreaterThan(200);
      expect(subjects(result)).toEqual([]);
      // Both messages' DPCs queued on the one processor that took both ISRs: they run one after the
      // other. (What is left is one message's DPC beside itself: see "one interrupt DPC on two
      // processors at once".)
      expect(betweenMessages(runMessages(counting({ own: false }), together))).toEqual([]);
    });

    it("fires under ISRs that mask every cause when the other message's DPC waits on another processor", () => {
      // Both causes at once, each message's DPC targeted at a processor of its own: masking in the
      // second ISR does not stop the first DPC, already queued.
      const result = runMessages(counting({ own: false, targets: true }), together);
      expect(result.stats.dpcs).toBeGreaterThan(200);
      expect(subjects(result)).toEqual(['handled']);
    });
  });

  it('stays quiet with one processor, where no deferred function runs beside another', () => {
    expect(races(run(unlockedRead, { processors: 1 }).reports)).toEqual([]);
    expect(races(run(unlockedRead, { processors: 2 }).reports)).toHaveLength(1);
  });

  it('is off with the rule disabled, and with the race detector off', () => {
    const disabled = createSimulation({
      seed: 3,
      device: new FakeDevice(DEFAULT_DEVICE),
      mode: 'collect',
      disabledRules: ['DPC-SHARED-RACE'],
    }).run(unlockedRead, { ticks: 50_000 });
    expect(disabled.reports).toEqual([]);
    const off = createSimulation({
      seed: 3,
      device: new FakeDevice(DEFAULT_DEVICE),
      mode: 'collect',
      races: false,
    }).run(unlockedRead, { ticks: 50_000 });
    expect(off.reports).toEqual([]);
  });

  it('makes the field a choice point of scheduled runs, and shows it in the trace, from the access that shares it on', () => {
    const sites: string[] = [];
    const scheduler: Scheduler = {
      begin: () => {},
      choose: (point) => {
        sites.push(point.site());
        return 0;
      },
    };
    // A cause every few ticks: an ISR could come at most points, so each is a choice.
    const sim = createSimulation({ seed: 3, device: new FakeDevice({ periodTicks: 5 }), mode: 'collect', trace: true });
    const result = sim.run(unlockedRead, { ticks: 25_000, scheduler });
    expect(races(result.reports)).toHaveLength(1);
    // After the watchdog's read an ISR may come. (The DPC touches it under its spin lock with the NIC
    // masked: no alternative there.)
    expect(sites).toContain('TestWatchdog (NDIS_TIMER_FUNCTION) on processor 0 after touching handled');
    // In the trace from the timer function's first touch (1 ms) on: a field of one deferred function is not shown.
    const touches = sim.trace!.snapshot(result.tick).events.filter((e) => e.name === 'handled');
    expect(touches.length).toBeGreaterThan(10);
    expect(touches[0]!.tick).toBeGreaterThanOrEqual(10_000);
  });

  it('is a lockset rule: exploration reports it without counting it a failing schedule', () => {
    const result = explore({
      driver: unlockedRead,
      scenario: { device: () => new FakeDevice(DEFAULT_DEVICE), ticks: 20_000 },
      seed: 3,
      budget: 20,
    });
    expect(result.failure).toBeNull();
    expect(result.races.map((r) => r.rule)).toEqual(['DPC-SHARED-RACE']);
  });
});

describe('DPC-SHARED-RACE: one interrupt DPC on two processors at once', () => {
  // NDIS runs an interrupt's DPC on the processor that took the interrupt (or those the ISR names):
  // once the DPC unmasks, the next interrupt can come on another processor, whose DPC then runs
  // beside the first one's tail. So can two runs queued on two processors at once.
  const lineCounting = (how: {
    readonly masks: boolean;
    readonly countAfterUnmask: boolean;
    readonly locked?: boolean;
    readonly targets?: number;
  }) => {
    const count = (a: TestAdapter): void => {
      if (how.locked === true) a.ndis.NdisDprAcquireSpinLock(a.lock);
      a.handled += 1;
      if (how.locked === true) a.ndis.NdisDprReleaseSpinLock(a.lock);
    };
    return testDriver({
      isr: (a, queueDpc, targets) => {
        const causes = a.resources.registers.CAUSE!.value;
        if (causes === 0) return false;
        a.causes |= causes;
        if (how.masks) a.resources.registers.MASK_CLEAR!.value = 0xffffffff;
        if (how.targets !== undefined) targets.value = how.targets;
        else queueDpc.value = true;
        return true;
      },
      dpc: (a) => {
        if (!how.countAfterUnmask) count(a);
        a.ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, 0, a.functions.takeCauses, a);
        a.notes.pop();
        a.ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, 0, a.functions.enableInSync, a);
        if (how.countAfterUnmask) count(a);
      },
    });
  };
  const selfRaces = (result: ReturnType<typeof run>): Report[] =>
    races(result.reports).filter((r) => r.message.includes('two runs of'));

  it('fires: the DPC counts after it unmasks the interrupt, with no lock', () => {
    const result = run(lineCounting({ masks: true, countAfterUnmask: true }));
    const found = selfRaces(result);
    expect(found.map((r) => r.subject)).toEqual(['handled']);
    const report = found[0]!;
    expect(report.race!.accesses.map((a) => [a.function, a.role, a.locks])).toEqual([
      ['TestInterruptDpc', 'MINIPORT_INTERRUPT_DPC', 'none'],
      ['TestInterruptDpc', 'MINIPORT_INTERRUPT_DPC', 'none'],
    ]);
    expect(report.message).toMatch(
      /^field handled is shared by two runs of the interrupt DPC, which can run on different processors at the same time: the interrupt could come again while it ran \(or a DPC of it was queued on another processor\), and NDIS runs the DPC on the processor that took it — TestInterruptDpc \(MINIPORT_INTERRUPT_DPC\) at DISPATCH_LEVEL \(read handled, holding none\) and TestInterruptDpc \(MINIPORT_INTERRUPT_DPC\) at DISPATCH_LEVEL \(write handled, holding none\); no lock keeps one run out while the other runs — take an NDIS spin lock around it \(NdisDprAcquireSpinLock\), or touch it only while the interrupt is still masked, before the DPC unmasks it$/,
    );
    expect(result.reports.map((r) => r.rule)).toEqual(['DPC-SHARED-RACE']);
  });

  it('fires: an ISR that masks nothing, whose DPC counts with no lock', () => {
    expect(selfRaces(run(lineCounting({ masks: false, countAfterUnmask: false }))).map((r) => r.subject)).toEqual([
      'handled',
    ]);
  });

  it('fires: the ISR queues the DPC on both processors (TargetProcessors), masked or not', () => {
    const result = run(lineCounting({ masks: true, countAfterUnmask: false, targets: 0b11 }));
    expect(result.stats.dpcs).toBeGreaterThan(200);
    expect(selfRaces(result).map((r) => r.subject)).toEqual(['handled']);
  });

  it('stays quiet: counting before it unmasks, under a spin lock, or with one processor', () => {
    const masked = run(lineCounting({ masks: true, countAfterUnmask: false }));
    expect(masked.stats.dpcs).toBeGreaterThan(100);
    expect(masked.reports).toEqual([]);
    expect(run(lineCounting({ masks: true, countAfterUnmask: true, locked: true })).reports).toEqual([]);
    expect(run(lineCounting({ masks: false, countAfterUnmask: false, locked: true, targets: 0b11 })).reports).toEqual(
      [],
    );
    expect(run(lineCounting({ masks: true, countAfterUnmask: true }), { processors: 1 }).reports).toEqual([]);
    expect(run(lineCounting({ masks: false, countAfterUnmask: true }), { processors: 1 }).reports).toEqual([]);
  });

  it('stays quiet on state shared with the ISR: the ISR rules ask for the interrupt lock, which orders both runs', () => {
    // `causes` is written by the ISR and read by the DPC after it unmasks: ISR-SHARED-RACE, not a
    // second report of the same line.
    const result = run(
      testDriver({
        dpc: (a) => {
          a.ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, 0, a.functions.enableInSync, a);
          a.causes = 0;
        },
      }),
    );
    expect(result.reports.map((r) => `${r.rule} ${r.subject}`)).toEqual(['ISR-SHARED-RACE causes']);
  });

  describe('a message DPC', () => {
    const device = (cause: (tick: number) => number, messageCount: number) => {
      const schedule: { tick: number; cause: number }[] = [];
      for (let tick = 400; tick < 50_000; tick += 400) schedule.push({ tick, cause: cause(tick) });
      return new FakeDevice({ periodTicks: 0, messageCount, schedule });
    };
    const messageCounting = (masked: (messageId: number) => number) =>
      testDriver({
        messageIsr: (a, messageId, queueDpc) => {
          a.causes |= a.resources.registers.CAUSE!.value;
          a.resources.registers.MASK_CLEAR!.value = masked(messageId);
          queueDpc.value = true;
          return true;
        },
        dpc: (a, messageId) => {
          a.handled += 1;
          a.ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, messageId, a.functions.enableInSync, a);
        },
      });
    const runOn = (driver: ReturnType<typeof testDriver>, fake: FakeDevice) =>
      createSimulation({ seed: 3, device: fake, mode: 'collect', processors: 2 }).run(driver, { ticks: 50_000 });

    it('fires when its ISR leaves unmasked a cause the device sends on the same message', () => {
      // Causes 0 and 1 both go to message 0 (one message); the ISR masks cause 0 only.
      const result = runOn(
        messageCounting(() => 0b01),
        device((tick) => (tick % 800 === 0 ? 0b10 : 0b01), 1),
      );
      const found = selfRaces(result);
      expect(found.map((r) => r.subject)).toEqual(['handled']);
      expect(found[0]!.race!.accesses.map((a) => a.message)).toEqual([0, 0]);
      expect(found[0]!.message).toMatch(
        /^field handled is shared by two runs of the DPC of message 0, which can run on different processors at the same time: message 0 could come again while it ran/,
      );
    });

    it('stays quiet when its ISR masks every cause the device sends on its message, the others left unmasked', () => {
      // Two messages: cause 0 to message 0, cause 1 to message 1 (even and odd bits); each ISR masks
      // its own. The other message can come meanwhile, not this one.
      const result = runOn(
        messageCounting((messageId) => (messageId === 0 ? 0x55555555 : 0xaaaaaaaa)),
        device(() => 0b01, 2),
      );
      expect(result.stats.dpcs).toBeGreaterThan(100);
      expect(selfRaces(result)).toEqual([]);
    });

    it("fires when the first of two messages' DPCs to end unmasks every cause while the other still runs", () => {
      // Both causes at once, every cause masked by each ISR, both DPCs on one processor: the first to
      // end unmasks everything, so while the second runs its own message can come again elsewhere.
      const result = runOn(
        messageCounting(() => 0xffffffff),
        device(() => 0b11, 2),
      );
      const found = selfRaces(result);
      expect(found.map((r) => r.subject)).toEqual(['handled']);
      const messages = found[0]!.race!.accesses.map((a) => a.message);
      expect(messages[0]).toBe(messages[1]);
    });
  });
});
