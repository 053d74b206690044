/**
 * The harness's own cost, against baselines measured in the same run:
 *
 * - NdisMSynchronizeWithInterruptEx round trip (raise to DIRQL, interrupt lock, the synchronize
 *   function, release, restore) against a raw call of the same callback — the declared function
 *   called directly, as a driver would call it outside the DDI. Verifier on: at least 5 million
 *   calls/s and at most 30× the raw call; verifier off: at most 5×. The callback's bare
 *   implementation (which the JIT inlines into the loop) is printed too, for reference.
 * - Simulated interrupts per second end to end with the verifier on (NIC cause → ISR → DPC →
 *   synchronize) on the e1000 model: at least 1 million; and against the same path with the verifier
 *   off, interleaved in one run: at least 0.6×. examples/e1000-line.ts, which does more per
 *   interrupt, is measured too, for reference.
 * - The cost of tracking the contexts the driver hands NDIS (its fields become accessors the race
 *   detector sees): the interrupt path with the tracking on against the same path with
 *   `races: { contexts: false }`, interleaved in one run; at most 1.5×.
 * - The cost of a new simulation: short runs of examples/e1000-line.ts (1,500 ticks, collect mode),
 *   each on a simulation of its own, as tests and `simulate --seeds` make them, against the same runs
 *   on one simulation, interleaved; at most 3.5× (it was 4.85× while every simulation made the generic
 *   form of each of the spec's DDIs up front).
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
  NDIS_STATUS_SUCCESS,
  type Box,
  type NDIS_HANDLE,
} from '@ddikit/ndis';
import {
  createSimulation,
  defineMiniport,
  E1000Nic,
  e1000,
  resourcesOf,
  setMiniportAdapterContext,
  type MiniportDefinition,
  type SimResources,
} from '@ddikit/sim';
import e1000Line from '../examples/e1000-line.js';
import { compare, measure, type Result, scaled } from './harness.js';

/** Synchronize calls per measured round. */
export const CALLS = scaled(200_000, 2_000);
const ROUNDS = scaled(15, 1);
/** Simulated time per end-to-end round: 100 ms. */
const E2E_TICKS = scaled(1_000_000, 10_000);

export interface BenchContext {
  count: number;
}

/** The callback: what a small synchronize function does (touch shared state, return TRUE). */
function takeOne(SynchronizeContext: NDIS_HANDLE): boolean {
  (SynchronizeContext as BenchContext).count++;
  return true;
}

const BenchSynchronize = MINIPORT_SYNCHRONIZE_INTERRUPT('BenchSynchronize', takeOne);

/** A miniport whose MiniportInitializeEx makes CALLS synchronize calls, then returns. */
export function synchronizeDriver(context: BenchContext): MiniportDefinition {
  const noop = (): void => {};
  return defineMiniport('bench-synchronize', (ndis) => ({
    MiniportInitializeEx: MINIPORT_INITIALIZE('BenchInitializeEx', (MiniportAdapterHandle) => {
      const interrupt: Box<NDIS_HANDLE> = { value: null };
      const status = ndis.NdisMRegisterInterruptEx(
        MiniportAdapterHandle,
        context,
        {
          Header: { Type: NDIS_OBJECT_TYPE_MINIPORT_INTERRUPT, Revision: NDIS_MINIPORT_INTERRUPT_REVISION_1, Size: 0 },
          InterruptHandler: MINIPORT_ISR('BenchIsr', () => false),
          InterruptDpcHandler: MINIPORT_INTERRUPT_DPC('BenchDpc', noop),
          DisableInterruptHandler: MINIPORT_DISABLE_INTERRUPT('BenchDisable', noop),
          EnableInterruptHandler: MINIPORT_ENABLE_INTERRUPT('BenchEnable', noop),
          MsiSupported: false,
          MsiSyncWithAllMessages: false,
        },
        interrupt,
      );
      if (status !== NDIS_STATUS_SUCCESS) return status;
      setMiniportAdapterContext(MiniportAdapterHandle, interrupt);
      for (let i = 0; i < CALLS; i++)
        ndis.NdisMSynchronizeWithInterruptEx(interrupt.value, 0, BenchSynchronize, context);
      return NDIS_STATUS_SUCCESS;
    }),
    MiniportHaltEx: MINIPORT_HALT('BenchHaltEx', (MiniportAdapterContext) => {
      ndis.NdisMDeregisterInterruptEx((MiniportAdapterContext as Box<NDIS_HANDLE>).value);
    }),
  }));
}

export function benchSim(): Result[] {
  const context: BenchContext = { count: 0 };
  const driver = synchronizeDriver(context);
  const simulated = (verifier: boolean): (() => void) => {
    // No traffic: the rounds measure the synchronize path alone.
    const sim = createSimulation({
      seed: 1,
      device: new E1000Nic({ rxArrivalGapTicksMax: 0 }),
      verifier,
      interrupt: { irql: 5 },
    });
    return () => {
      const before = context.count;
      const result = sim.run(driver, { ticks: 0 });
      if (!result.clean || context.count - before !== CALLS)
        throw new Error(`the synchronize bench run was not clean (verifier ${verifier ? 'on' : 'off'})`);
    };
  };
  const rawCall = (): void => {
    for (let i = 0; i < CALLS; i++) BenchSynchronize(context);
  };
  const bareCall = (): void => {
    for (let i = 0; i < CALLS; i++) takeOne(context);
  };

  const [on, rawOn] = compare(
    { name: 'verifier on', run: simulated(true) },
    { name: 'raw call', run: rawCall },
    ROUNDS,
  );
  const [off, rawOff] = compare(
    { name: 'verifier off', run: simulated(false) },
    { name: 'raw call', run: rawCall },
    ROUNDS,
  );
  const bare = measure('bare implementation', bareCall, ROUNDS);
  const nsPerCall = (ms: number): number => (ms * 1e6) / CALLS;
  const onNs = nsPerCall(on.medianMs);
  const offNs = nsPerCall(off.medianMs);
  const rawNs = nsPerCall((rawOn.medianMs + rawOff.medianMs) / 2);
  const bareNs = nsPerCall(bare.medianMs);
  const callsPerSecond = 1e9 / onNs;
  const onRatio = on.medianMs / rawOn.medianMs;
  const offRatio = off.medianMs / rawOff.medianMs;

  const e2e = endToEnd();
  const tracking = contextTrackingCost();
  const creation = newSimulationCost();

  const sync = 'synchronize round trip';
  return [
    { bench: sync, metric: 'verifier on, ns per round trip', value: onNs, unit: 'ns', target: '-', met: true },
    { bench: sync, metric: 'verifier off, ns per round trip', value: offNs, unit: 'ns', target: '-', met: true },
    { bench: sync, metric: 'raw call of the declared callback, ns', value: rawNs, unit: 'ns', target: '-', met: true },
    { bench: sync, metric: 'bare implementation (inlined), ns', value: bareNs, unit: 'ns', target: '-', met: true },
    {
      bench: sync,
      metric: 'verifier on, calls/s',
      value: callsPerSecond,
      unit: '/s',
      target: '≥ 5,000,000/s',
      met: callsPerSecond >= 5_000_000,
    },
    { bench: sync, metric: 'verifier on / raw call', value: onRatio, unit: '×', target: '≤ 30×', met: onRatio <= 30 },
    { bench: sync, metric: 'verifier off / raw call', value: offRatio, unit: '×', target: '≤ 5×', met: offRatio <= 5 },
    {
      bench: sync,
      metric: 'verifier on / bare implementation',
      value: onNs / bareNs,
      unit: '×',
      target: '-',
      met: true,
    },
    {
      bench: sync,
      metric: 'verifier off / bare implementation',
      value: offNs / bareNs,
      unit: '×',
      target: '-',
      met: true,
    },
    ...e2e,
    ...tracking,
    ...creation,
  ];
}

/** The causes the interrupt-path driver enables. */
const PATH_CAUSES = e1000.E1000_ICR_RXT0 | e1000.E1000_ICR_RXO | e1000.E1000_ICR_RXDMT0;
const RING = 256;

interface PathAdapter {
  readonly resources: SimResources;
  interrupt: NDIS_HANDLE;
  enabled: boolean;
  causes: number;
}

/**
 * The interrupt path and nothing else: the ISR reads ICR, masks and queues the DPC; the DPC takes
 * the causes in a synchronize function, hands the RX descriptors back, and unmasks in another.
 */
export function interruptPathDriver(): MiniportDefinition {
  return defineMiniport('bench-interrupt-path', (ndis) => {
    const TakeCauses = MINIPORT_SYNCHRONIZE_INTERRUPT('PathTakeCauses', (SynchronizeContext) => {
      const a = SynchronizeContext as PathAdapter;
      const pending = a.causes !== 0;
      a.causes = 0;
      return pending;
    });
    const Enable = MINIPORT_SYNCHRONIZE_INTERRUPT('PathEnable', (SynchronizeContext) => {
      const a = SynchronizeContext as PathAdapter;
      a.enabled = true;
      a.resources.registers.IMS!.value = PATH_CAUSES;
      return true;
    });
    const Disable = MINIPORT_SYNCHRONIZE_INTERRUPT('PathDisable', (SynchronizeContext) => {
      const a = SynchronizeContext as PathAdapter;
      a.enabled = false;
      a.resources.registers.IMC!.value = 0xffff_ffff;
      return true;
    });
    const Isr = MINIPORT_ISR('PathIsr', (MiniportInterruptContext, QueueDefaultInterruptDpc) => {
      const a = MiniportInterruptContext as PathAdapter;
      if (!a.enabled) return false;
      const causes = a.resources.registers.ICR!.value & PATH_CAUSES;
      if (causes === 0) return false;
      a.resources.registers.IMC!.value = 0xffff_ffff;
      a.enabled = false;
      a.causes |= causes;
      QueueDefaultInterruptDpc.value = true;
      return true;
    });
    const Dpc = MINIPORT_INTERRUPT_DPC('PathDpc', (MiniportInterruptContext) => {
      const a = MiniportInterruptContext as PathAdapter;
      ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, 0, TakeCauses, a);
      const head = a.resources.registers.RDH0!.value;
      a.resources.registers.RDT0!.value = (head + RING - 1) % RING;
      ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, 0, Enable, a);
    });
    const noop = (): void => {};
    return {
      MiniportInitializeEx: MINIPORT_INITIALIZE(
        'PathInitializeEx',
        (MiniportAdapterHandle, _MiniportDriverContext, MiniportInitParameters) => {
          const a: PathAdapter = {
            resources: resourcesOf(MiniportInitParameters),
            interrupt: null,
            enabled: false,
            causes: 0,
          };
          const interrupt: Box<NDIS_HANDLE> = { value: null };
          const status = ndis.NdisMRegisterInterruptEx(
            MiniportAdapterHandle,
            a,
            {
              Header: {
                Type: NDIS_OBJECT_TYPE_MINIPORT_INTERRUPT,
                Revision: NDIS_MINIPORT_INTERRUPT_REVISION_1,
                Size: 0,
              },
              InterruptHandler: Isr,
              InterruptDpcHandler: Dpc,
              DisableInterruptHandler: MINIPORT_DISABLE_INTERRUPT('PathDisableInterrupt', noop),
              EnableInterruptHandler: MINIPORT_ENABLE_INTERRUPT('PathEnableInterrupt', noop),
              MsiSupported: false,
              MsiSyncWithAllMessages: false,
            },
            interrupt,
          );
          if (status !== NDIS_STATUS_SUCCESS) return status;
          a.interrupt = interrupt.value;
          setMiniportAdapterContext(MiniportAdapterHandle, a);
          a.resources.registers.RDT0!.value = RING - 1;
          a.resources.registers.RCTL!.value = e1000.E1000_RCTL_EN;
          ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, 0, Enable, a);
          return NDIS_STATUS_SUCCESS;
        },
      ),
      MiniportHaltEx: MINIPORT_HALT('PathHaltEx', (MiniportAdapterContext) => {
        const a = MiniportAdapterContext as PathAdapter;
        ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, 0, Disable, a);
        ndis.NdisMDeregisterInterruptEx(a.interrupt);
      }),
    };
  });
}

/**
 * Interrupts per wall-clock second on the e1000 model with dense traffic: the interrupt path alone
 * (the target), and examples/e1000-line.ts, which also echoes every frame on the TX ring under spin
 * locks and so takes a TX-completion interrupt for about every RX one.
 */
function endToEnd(): Result[] {
  const results: Result[] = [];
  const runner = (name: string, driver: MiniportDefinition, verifier: boolean) => {
    const sim = createSimulation({
      seed: 1,
      device: new E1000Nic({ rxArrivalGapTicksMin: 20, rxArrivalGapTicksMax: 40 }),
      verifier,
      interrupt: { irql: 5 },
    });
    let interrupts = 0;
    return {
      name: `${name}, verifier ${verifier ? 'on' : 'off'}`,
      run: () => {
        const result = sim.run(driver, { ticks: E2E_TICKS });
        if (!result.clean)
          throw new Error(`${name} did not run clean in the bench (seed=${result.seed} tick=${result.tick})`);
        interrupts = result.stats.interrupts;
      },
      interrupts: () => interrupts,
    };
  };
  // The interrupt path with the verifier on (automatic shared-state tracking on: the default) and
  // off, interleaved so that load on the machine weighs on both alike.
  const on = runner('interrupt path', interruptPathDriver(), true);
  const off = runner('interrupt path', interruptPathDriver(), false);
  const [onRound, offRound] = compare(on, off, scaled(9, 1));
  const onPerSecond = on.interrupts() / (onRound.medianMs / 1000);
  const offPerSecond = off.interrupts() / (offRound.medianMs / 1000);
  results.push(
    {
      bench: 'interrupts end to end',
      metric: 'interrupt path, verifier on',
      value: onPerSecond,
      unit: '/s',
      target: '≥ 1,000,000/s',
      met: onPerSecond >= 1_000_000,
    },
    {
      bench: 'interrupts end to end',
      metric: 'interrupt path, verifier off',
      value: offPerSecond,
      unit: '/s',
      target: '-',
      met: true,
    },
    {
      bench: 'interrupts end to end',
      metric: 'interrupt path, verifier on / off',
      value: onPerSecond / offPerSecond,
      unit: '×',
      target: '≥ 0.6×',
      met: onPerSecond / offPerSecond >= 0.6,
    },
  );
  const line = runner('examples/e1000-line.ts', e1000Line, true);
  const round = measure(line.name, line.run, scaled(7, 1));
  results.push({
    bench: 'interrupts end to end',
    metric: line.name,
    value: line.interrupts() / (round.medianMs / 1000),
    unit: '/s',
    target: '-',
    met: true,
  });
  return results;
}

/** Simulated time per round of the tracking comparison: 20 ms. */
const TRACKING_TICKS = scaled(200_000, 10_000);

/**
 * The interrupt path with the contexts' fields tracked (the default: `enabled`, `causes` and
 * `interrupt` of the adapter become accessors) against the same path with only registers tracked.
 */
function contextTrackingCost(): Result[] {
  const driver = interruptPathDriver();
  const runner = (contexts: boolean): { name: string; run: () => void; interrupts: () => number } => {
    const sim = createSimulation({
      seed: 1,
      device: new E1000Nic({ rxArrivalGapTicksMin: 20, rxArrivalGapTicksMax: 40 }),
      interrupt: { irql: 5 },
      races: { contexts },
    });
    let interrupts = 0;
    return {
      name: `contexts tracked: ${contexts}`,
      run: () => {
        const result = sim.run(driver, { ticks: TRACKING_TICKS });
        if (!result.clean)
          throw new Error(`the tracking bench run was not clean (seed=${result.seed} tick=${result.tick})`);
        interrupts = result.stats.interrupts;
      },
      interrupts: () => interrupts,
    };
  };
  const on = runner(true);
  const off = runner(false);
  const [onRound, offRound] = compare(on, off, scaled(9, 1));
  const ratio = onRound.medianMs / offRound.medianMs;
  const bench = 'context tracking';
  return [
    {
      bench,
      metric: 'interrupt path, contexts tracked, /s',
      value: on.interrupts() / (onRound.medianMs / 1000),
      unit: '/s',
      target: '-',
      met: true,
    },
    {
      bench,
      metric: 'interrupt path, registers only, /s',
      value: off.interrupts() / (offRound.medianMs / 1000),
      unit: '/s',
      target: '-',
      met: true,
    },
    { bench, metric: 'tracked / registers only', value: ratio, unit: '×', target: '≤ 1.5×', met: ratio <= 1.5 },
  ];
}

/** Short runs per round of the new-simulation comparison, and their length (harness-robustness's). */
const SHORT_RUNS = scaled(200, 2);
const SHORT_TICKS = 1_500;

/** Short runs of e1000-line, each on a new simulation, against the same runs on one simulation. */
function newSimulationCost(): Result[] {
  const options = (): Parameters<typeof createSimulation>[0] => ({ seed: 1, device: new E1000Nic(), mode: 'collect' });
  const runOn = (sim: ReturnType<typeof createSimulation>): void => {
    const result = sim.run(e1000Line, { ticks: SHORT_TICKS });
    if (!result.clean) throw new Error(`the new-simulation bench run was not clean (tick=${result.tick})`);
  };
  const reused = createSimulation(options());
  const [fresh, again] = compare(
    {
      name: 'new simulation per run',
      run: () => {
        for (let i = 0; i < SHORT_RUNS; i++) runOn(createSimulation(options()));
      },
    },
    {
      name: 'one simulation reused',
      run: () => {
        for (let i = 0; i < SHORT_RUNS; i++) runOn(reused);
      },
    },
    scaled(9, 1),
  );
  const ratio = fresh.medianMs / again.medianMs;
  const bench = 'new simulation';
  return [
    {
      bench,
      metric: 'short run (1,500 ticks) on a new simulation, ms',
      value: fresh.medianMs / SHORT_RUNS,
      unit: 'ms',
      target: '-',
      met: true,
    },
    {
      bench,
      metric: 'the same run on one simulation reused, ms',
      value: again.medianMs / SHORT_RUNS,
      unit: 'ms',
      target: '-',
      met: true,
    },
    { bench, metric: 'new / reused', value: ratio, unit: '×', target: '≤ 3.5×', met: ratio <= 3.5 },
  ];
}
