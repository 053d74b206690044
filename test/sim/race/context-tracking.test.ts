/**
 * What the race detector watches without being told: the fields of the contexts a driver hands NDIS
 * (the interrupt context, SynchronizeContext, MiniportDpcContext) and of the objects reachable from
 * them; and when it knows no ISR can run — the device masked — so ordering-safe code stays quiet.
 */
import {
  MINIPORT_DISABLE_INTERRUPT,
  MINIPORT_ENABLE_INTERRUPT,
  MINIPORT_HALT,
  MINIPORT_INITIALIZE,
  MINIPORT_INTERRUPT_DPC,
  MINIPORT_ISR,
  MINIPORT_SYNCHRONIZE_INTERRUPT,
  NDIS_MINIPORT_INTERRUPT_REVISION_1,
  NDIS_OBJECT_TYPE_MINIPORT_INTERRUPT,
  NDIS_STATUS_RESOURCES,
  NDIS_STATUS_SUCCESS,
  type NDIS_HANDLE,
  type NDIS_SPIN_LOCK,
} from '@ddikit/ndis';
import {
  createSimulation,
  defineMiniport,
  E1000Nic,
  e1000,
  namedSpinLock,
  resourcesOf,
  setMiniportAdapterContext,
  type Report,
  type RunResult,
  type E1000Resources,
  type SimulationOptions,
} from '@ddikit/sim';
import { describe, expect, it } from 'vitest';
import { mapHeadTrackedRings } from '../../../examples/lib/e1000-rings.js';

const ENABLED = e1000.E1000_IMS_RXT0;
const ALL = 0xffffffff;

interface Adapter {
  regs: E1000Resources['registers'];
  resources: E1000Resources;
  interrupt: NDIS_HANDLE;
  lock: NDIS_SPIN_LOCK;
  /** Causes the ISR saw and no DPC has taken yet: shared with the ISR, never marked. */
  causes: number;
  handled: number;
  rx: { pending: number; frames: number[] };
  queues: { causes: number }[];
  self?: Adapter;
  table: Map<string, number>;
  ring: Uint32Array;
}

interface Options {
  /** Where the DPC takes the causes: in a synchronize function (correct), or directly before or after it re-enables. */
  readonly take: 'synchronized' | 'beforeUnmask' | 'afterUnmask';
  /** How initialize unmasks the NIC at its end: through a synchronize function, or with a direct IMS write. */
  readonly initUnmask?: 'synchronized' | 'direct';
  /** Where the ISR records the causes (default `causes`). */
  readonly field?: 'causes' | 'rx.pending' | 'queues[1].causes';
  /** Hand a separate object as SynchronizeContext (default: the adapter). */
  readonly syncContext?: 'adapter' | 'separate';
  /** Called in initialize before registering. */
  readonly prepare?: (a: Adapter) => void;
  /** Keep the adapter here, across runs (state outside the run), instead of making one per run. */
  readonly keep?: { adapter: Adapter | null };
  /** MiniportHaltEx releases the adapter's lock once more than it acquires it (LOCK-RELEASE-UNHELD). */
  readonly releaseTwiceInHalt?: boolean;
}

/** An e1000 line driver that never calls resources.shared; `take` decides whether it races. */
function e1000Driver(options: Options) {
  const read = (a: Adapter): number =>
    options.field === 'rx.pending'
      ? a.rx.pending
      : options.field === 'queues[1].causes'
        ? a.queues[1]!.causes
        : a.causes;
  const write = (a: Adapter, value: number): void => {
    if (options.field === 'rx.pending') a.rx.pending = value;
    else if (options.field === 'queues[1].causes') a.queues[1]!.causes = value;
    else a.causes = value;
  };
  const separate = { adapter: null as Adapter | null, taken: 0 };
  return defineMiniport('e1000-context', (ndis) => {
    // The descriptor rings, kept outside the adapter so the tracking sees only the driver's state.
    let freeRings: (() => void) | null = null;
    const contextOf = (a: Adapter): unknown => {
      if (options.syncContext !== 'separate') return a;
      separate.adapter = a;
      return separate;
    };
    const adapterOf = (c: unknown): Adapter =>
      options.syncContext === 'separate' ? (c as typeof separate).adapter! : (c as Adapter);
    const take = MINIPORT_SYNCHRONIZE_INTERRUPT('TakeCauses', (c) => {
      const a = adapterOf(c);
      a.handled |= read(a);
      write(a, 0);
      return true;
    });
    const enable = MINIPORT_SYNCHRONIZE_INTERRUPT('Enable', (c) => ((adapterOf(c).regs.IMS.value = ENABLED), true));
    const disable = MINIPORT_SYNCHRONIZE_INTERRUPT('Disable', (c) => ((adapterOf(c).regs.IMC.value = ALL), true));
    const isr = MINIPORT_ISR('Isr', (c, queueDpc) => {
      const a = c as Adapter;
      if ((a.regs.IMS.value & ENABLED) === 0) return false;
      const icr = a.regs.ICR.value;
      if ((icr & ENABLED) === 0) return false;
      a.regs.IMC.value = ALL;
      write(a, read(a) | icr);
      queueDpc.value = true;
      return true;
    });
    const dpc = MINIPORT_INTERRUPT_DPC('Dpc', (c) => {
      const a = c as Adapter;
      if (options.take === 'beforeUnmask') {
        a.handled |= read(a);
        write(a, 0);
      } else if (options.take === 'synchronized')
        ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, 0, take, contextOf(a));
      ndis.NdisDprAcquireSpinLock(a.lock);
      ndis.NdisWriteRegisterUlong(a.regs.RDT0, (a.regs.RDH0.value + 255) % 256);
      ndis.NdisDprReleaseSpinLock(a.lock);
      ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, 0, enable, contextOf(a));
      if (options.take === 'afterUnmask') {
        a.handled |= read(a);
        write(a, 0);
      }
    });
    return {
      MiniportInitializeEx: MINIPORT_INITIALIZE('Init', (handle, _c, parameters) => {
        const resources = resourcesOf(parameters, 'e1000');
        freeRings = mapHeadTrackedRings(ndis, handle, resources.registers, 1, 256);
        if (freeRings === null) return NDIS_STATUS_RESOURCES;
        const kept = options.keep?.adapter;
        if (kept !== undefined && kept !== null) {
          // The same object as in the last run, its fields tracked by that run.
          Object.assign(kept, { regs: resources.registers, resources, interrupt: null, causes: 0, lock: {} });
        }
        const a: Adapter = kept ?? {
          regs: resources.registers,
          resources,
          interrupt: null,
          lock: {},
          causes: 0,
          handled: 0,
          rx: { pending: 0, frames: [1, 2] },
          queues: [{ causes: 0 }, { causes: 0 }],
          table: new Map([['x', 1]]),
          ring: new Uint32Array(4),
        };
        a.self = a; // a cycle
        if (options.keep !== undefined) options.keep.adapter = a;
        options.prepare?.(a);
        ndis.NdisAllocateSpinLock(a.lock);
        const box = { value: null as NDIS_HANDLE };
        ndis.NdisMRegisterInterruptEx(
          handle,
          a,
          {
            Header: {
              Type: NDIS_OBJECT_TYPE_MINIPORT_INTERRUPT,
              Revision: NDIS_MINIPORT_INTERRUPT_REVISION_1,
              Size: 0,
            },
            InterruptHandler: isr,
            InterruptDpcHandler: dpc,
            DisableInterruptHandler: MINIPORT_DISABLE_INTERRUPT('D', (x) => void ((x as Adapter).regs.IMC.value = ALL)),
            EnableInterruptHandler: MINIPORT_ENABLE_INTERRUPT(
              'E',
              (x) => void ((x as Adapter).regs.IMS.value = ENABLED),
            ),
            MsiSupported: false,
            MsiSyncWithAllMessages: false,
          },
          box,
        );
        a.interrupt = box.value; // written while every cause is still masked
        setMiniportAdapterContext(handle, a);
        ndis.NdisWriteRegisterUlong(a.regs.RDT0, 255);
        ndis.NdisWriteRegisterUlong(a.regs.RCTL, e1000.E1000_RCTL_EN);
        if (options.initUnmask === 'direct') a.regs.IMS.value = ENABLED;
        else ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, 0, enable, contextOf(a));
        return NDIS_STATUS_SUCCESS;
      }),
      MiniportHaltEx: MINIPORT_HALT('Halt', (c) => {
        const a = c as Adapter;
        if (options.releaseTwiceInHalt === true) {
          ndis.NdisAcquireSpinLock(a.lock);
          ndis.NdisReleaseSpinLock(a.lock);
          ndis.NdisReleaseSpinLock(a.lock);
        }
        ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, 0, disable, contextOf(a));
        ndis.NdisMDeregisterInterruptEx(a.interrupt);
        ndis.NdisFreeSpinLock(a.lock);
        freeRings?.();
      }),
    };
  });
}

function run(options: Options, simulation: Partial<Omit<SimulationOptions, 'device'>> = {}, seed = 4): RunResult {
  const sim = createSimulation({
    seed,
    device: new E1000Nic({ rxArrivalGapTicksMin: 50, rxArrivalGapTicksMax: 100 }),
    mode: 'collect',
    ...simulation,
  });
  return sim.run(e1000Driver(options), { ticks: 6_000 });
}

function rules(result: RunResult): string[] {
  return result.reports.map((r) => `${r.rule} ${r.subject}: ${r.message}`);
}

function race(result: RunResult, subject: string): Report {
  const report = result.reports.find((r) => r.rule === 'ISR-SHARED-RACE' && r.subject === subject);
  expect(report, `no race on ${subject}; got ${rules(result).join('\n') || 'nothing'}`).toBeDefined();
  return report!;
}

describe('the fields of the contexts the driver hands NDIS are tracked without resources.shared', () => {
  it('fires: causes cleared in the DPC without synchronizing while the ISR writes it, in both modes', () => {
    const report = race(run({ take: 'afterUnmask' }), 'causes');
    expect(report.race!.kind).toBe('field');
    expect(report.race!.accesses.map((a) => a.function).sort()).toEqual(['Dpc', 'Isr']);
    expect(report.function).toBe('Dpc');
    const stopped = run({ take: 'afterUnmask' }, { mode: 'bugcheck' });
    expect(stopped.bugCheck?.rule).toBe('ISR-SHARED-RACE');
    expect(stopped.bugCheck?.bugCheck?.parameters.slice(0, 2)).toEqual([0xdd05, 2]);
  });

  it('stays quiet: the same driver taking the causes in a synchronize function, across seeds', () => {
    for (let seed = 1; seed <= 10; seed++) expect(rules(run({ take: 'synchronized' }, {}, seed))).toEqual([]);
  });

  it('follows plain objects and arrays reachable from the context, cycles included, and names fields by their path', () => {
    expect(race(run({ take: 'afterUnmask', field: 'rx.pending' }), 'rx.pending').race!.kind).toBe('field');
    race(run({ take: 'afterUnmask', field: 'queues[1].causes' }), 'queues[1].causes');
    expect(rules(run({ take: 'synchronized', field: 'queues[1].causes' }))).toEqual([]);
  });

  it('tracks state kept outside the run in every run, of one simulation or another', () => {
    const keep = { adapter: null as Adapter | null };
    const sim = createSimulation({
      seed: 4,
      device: new E1000Nic({ rxArrivalGapTicksMin: 50, rxArrivalGapTicksMax: 100 }),
      mode: 'collect',
    });
    const driver = e1000Driver({ take: 'afterUnmask', keep });
    for (let i = 0; i < 2; i++)
      expect(sim.run(driver, { ticks: 6_000 }).reports.map((r) => r.subject)).toContain('causes');
    race(run({ take: 'afterUnmask', keep }), 'causes');
  });

  it('walks a SynchronizeContext that is not the interrupt context', () => {
    // The race is on the adapter reached through the separate context's `adapter` field.
    race(run({ take: 'afterUnmask', syncContext: 'separate' }), 'causes');
    expect(rules(run({ take: 'synchronized', syncContext: 'separate' }))).toEqual([]);
  });

  it('leaves the driver’s values, other classes, typed arrays and getters as they were', () => {
    let seen: Adapter | null = null;
    const result = run({ take: 'synchronized', prepare: (a) => void (seen = a) });
    expect(result.reports).toEqual([]);
    const a = seen! as Adapter;
    expect(a.self).toBe(a);
    expect(a.rx.frames).toEqual([1, 2]);
    expect([...a.table]).toEqual([['x', 1]]);
    expect(Object.getOwnPropertyDescriptor(a.ring, 0)).toMatchObject({ value: 0, writable: true });
    expect(Object.getOwnPropertyDescriptor(a.table, 'size')).toBeUndefined();
    // The tracked fields are accessors; the object's keys and values read as before.
    expect(Object.getOwnPropertyDescriptor(a, 'causes')!.get).toBeTypeOf('function');
    expect(Object.getOwnPropertyDescriptor(a.rx, 'pending')!.get).toBeTypeOf('function');
    expect(Object.keys(a)).toEqual([
      'regs',
      'resources',
      'interrupt',
      'lock',
      'causes',
      'handled',
      'rx',
      'queues',
      'table',
      'ring',
      'self',
    ]);
    expect(a.causes).toBe(0);
  });

  it('can be switched off: for the run (races: { contexts: false }) or for an object or field (resources.untracked)', () => {
    expect(rules(run({ take: 'afterUnmask' }, { races: { contexts: false } }))).toEqual([]);
    // (`handled` too: the DPC also writes it after it unmasks, beside another run of itself.)
    const untrackedField = run({
      take: 'afterUnmask',
      prepare: (a) => void a.resources.untracked(a, 'causes', 'handled'),
    });
    expect(rules(untrackedField)).toEqual([]);
    const untrackedObject = run({
      take: 'afterUnmask',
      field: 'rx.pending',
      prepare: (a) => {
        a.resources.untracked(a.rx);
        a.resources.untracked(a, 'handled');
      },
    });
    expect(rules(untrackedObject)).toEqual([]);
    // resources.shared still marks a field the run does not track automatically.
    const marked = run(
      { take: 'afterUnmask', prepare: (a) => void a.resources.shared(a, 'causes') },
      { races: { contexts: false } },
    );
    race(marked, 'causes');
  });

  it('names the spin locks kept in a context after where they are kept, or by the name the driver gave', () => {
    const released = (prepare?: Options['prepare']): string => {
      const result = run({ take: 'synchronized', prepare, releaseTwiceInHalt: true });
      return result.reports.find((r) => r.rule === 'LOCK-RELEASE-UNHELD')!.message;
    };
    expect(released()).toBe(
      'NdisReleaseSpinLock released lock (spin lock #1), which no processor holds (a double release?)',
    );
    expect(released((a) => void (a.lock = namedSpinLock('adapterLock')))).toContain(
      'released adapterLock (spin lock #1)',
    );
    // Not kept in a context: its number only.
    expect(released((a) => void a.resources.untracked(a, 'lock'))).toContain('released spin lock #1,');
    expect(() => namedSpinLock('')).toThrow(/the name must be a string of 1\.\.80 characters/);
  });
});

describe('no ISR can run while the device is masked: ordering-safe code stays quiet', () => {
  it('quiet: IMS written directly at the end of initialize while every cause is still masked', () => {
    for (let seed = 1; seed <= 10; seed++)
      expect(rules(run({ take: 'synchronized', initUnmask: 'direct' }, {}, seed))).toEqual([]);
  });

  it('quiet: a DPC that takes the causes while the ISR left every cause masked, before it re-enables', () => {
    for (let seed = 1; seed <= 10; seed++) expect(rules(run({ take: 'beforeUnmask' }, {}, seed))).toEqual([]);
  });

  it('fires where the ISR can run after all: another device on the shared line, or spurious interrupts', () => {
    const shared = run({ take: 'beforeUnmask', initUnmask: 'direct' }, { faults: { sharedLine: 200 } });
    expect(shared.reports.map((r) => `${r.rule} ${r.subject}`)).toContain('ISR-SHARED-RACE IMS');
    race(shared, 'causes');
    const spurious = run({ take: 'beforeUnmask' }, { faults: { spurious: 200 } });
    race(spurious, 'causes');
  });

  it('fires the unsynchronized case: the DPC clears causes after re-enabling', () => {
    race(run({ take: 'afterUnmask', initUnmask: 'direct' }), 'causes');
  });
});
