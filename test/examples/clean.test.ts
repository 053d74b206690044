/**
 * The clean examples stay clean: examples/e1000-line.ts (and with its watchdog timer,
 * examples/e1000-watchdog.ts) and both forms of examples/msix-queues.ts run 100 seeds each with no
 * report in collect mode, across processor counts, shared lines, an ISR
 * called before registration returns, two RX queues, link changes, a line interrupt granted to the
 * MSI-X driver, fewer messages than queues, and surprise removal — and they do their work: they
 * receive and transmit frames and take interrupts.
 */
import {
  createSimulation,
  E1000Nic,
  type InterruptOptions,
  type MiniportDefinition,
  type NicOptions,
} from '@ddikit/sim';
import { describe, expect, it } from 'vitest';
import e1000Line from '../../examples/e1000-line.js';
import e1000Watchdog from '../../examples/e1000-watchdog.js';
import e1000eLinux from '../../examples/e1000e-linux.js';
import msixQueues, { syncWithAllMessages } from '../../examples/msix-queues.js';
import { simulateDefaults } from '../../generator/src/cli/commands/simulate.js';

const SEEDS = 100;
const TICKS = 5_000;

interface Configuration {
  readonly name: string;
  readonly processors?: number;
  readonly interrupt?: InterruptOptions;
  readonly nic?: NicOptions;
  readonly surpriseRemoveAtTick?: number;
}

/** Seed n runs configuration n mod 9. */
const CONFIGURATIONS: readonly Configuration[] = [
  { name: 'defaults of ddikit simulate' },
  { name: 'one processor', processors: 1 },
  {
    name: 'four processors, link changes',
    processors: 4,
    nic: { linkChangeGapTicksMin: 300, linkChangeGapTicksMax: 1_500 },
  },
  {
    name: 'ISR before registration returns, always preempted',
    interrupt: { isrBeforeRegisterReturns: true, preemptPerMille: 1000 },
  },
  { name: 'two RX queues, dense traffic', nic: { rxQueueCount: 2, rxArrivalGapTicksMin: 5, rxArrivalGapTicksMax: 30 } },
  {
    name: 'line granted to an MSI driver, busy shared line',
    interrupt: { grantLineToMsiDriver: true, sharedLinePerMille: 200 },
  },
  { name: 'fewer messages than queues', interrupt: { messageCountMax: 3 } },
  { name: 'one message: MSI with the line-style causes', interrupt: { messageCountMax: 1 } },
  { name: 'surprise removal', surpriseRemoveAtTick: 2_500 },
];

/** Each driver, and the ticks of its runs (the watchdog's timer first expires at 1 ms, tick 10 000). */
const DRIVERS: readonly [string, MiniportDefinition, number][] = [
  ['examples/e1000-line.ts', e1000Line, TICKS],
  ['examples/e1000-watchdog.ts', e1000Watchdog, 25_000],
  ['examples/e1000e-linux.ts', e1000eLinux, TICKS],
  ['examples/msix-queues.ts', msixQueues, TICKS],
  ['examples/msix-queues.ts (syncWithAllMessages)', syncWithAllMessages, TICKS],
];

describe.each(DRIVERS)('%s', (name, driver, ticks) => {
  it(`runs clean over ${SEEDS} seeds × ${ticks} ticks and does its work`, () => {
    const findings: string[] = [];
    let framesReceived = 0;
    let framesSent = 0;
    let interrupts = 0;
    let timerCalls = 0;
    for (let seed = 0; seed < SEEDS; seed++) {
      const configuration = CONFIGURATIONS[seed % CONFIGURATIONS.length]!;
      const nic = new E1000Nic(configuration.nic);
      const sim = createSimulation({
        seed,
        device: nic,
        mode: 'collect',
        processors: configuration.processors ?? simulateDefaults.processors,
        interrupt: { sharedLinePerMille: simulateDefaults.sharedLinePerMille, ...configuration.interrupt },
      });
      const result = sim.run(driver, {
        ticks,
        ...(configuration.surpriseRemoveAtTick !== undefined
          ? { surpriseRemoveAtTick: configuration.surpriseRemoveAtTick }
          : {}),
      });
      for (const report of result.reports)
        findings.push(`seed=${seed} (${configuration.name}): ${report.rule} ${report.message}`);
      if (!result.halted || result.initializeStatus !== 0)
        findings.push(`seed=${seed} (${configuration.name}): did not initialize and halt`);
      framesReceived += nic.stats.packetsReceived;
      framesSent += nic.stats.packetsTransmitted;
      interrupts += result.stats.interrupts;
      timerCalls += result.stats.timerCalls;
      // The watchdog runs at 1 and 2 ms, dense traffic or not (a run the NIC's removal ends runs it never).
      if (name === 'examples/e1000-watchdog.ts' && result.tick >= ticks && result.stats.timerCalls !== 2)
        findings.push(`seed=${seed} (${configuration.name}): the watchdog ran ${result.stats.timerCalls} times`);
    }
    expect(findings).toEqual([]);
    if (name === 'examples/e1000-watchdog.ts') expect(timerCalls).toBeGreaterThan(SEEDS);
    else expect(timerCalls).toBe(0);
    // Work done: about 25 to 100 arrivals per seed.
    expect(framesReceived).toBeGreaterThan(SEEDS * 25);
    expect(framesSent).toBeGreaterThan(framesReceived * 0.9);
    expect(interrupts).toBeGreaterThan(SEEDS * 10);
  });

  it('misses no frame under the default traffic', () => {
    const nic = new E1000Nic();
    const sim = createSimulation({ seed: simulateDefaults.seed, device: nic, mode: 'collect' });
    const result = sim.run(driver, { ticks: simulateDefaults.ticks });
    expect(result.clean).toBe(true);
    expect(nic.stats.packetsReceived).toBeGreaterThan(1_000);
    expect(nic.stats.packetsMissed).toBe(0);
  });
});

describe('examples/e1000e-linux.ts', () => {
  it('claims only what its NIC asserted on a busy shared line, and auto-masks with IAME instead of writing IMC', () => {
    const nic = new E1000Nic();
    const sim = createSimulation({ seed: 5, device: nic, mode: 'collect', interrupt: { sharedLinePerMille: 300 } });
    const result = sim.run(e1000eLinux, { ticks: 20_000 });
    expect(result.reports).toEqual([]);
    expect(result.stats.spuriousInterrupts).toBeGreaterThan(10);
    expect(nic.stats.packetsReceived).toBeGreaterThan(300);
    expect(nic.stats.packetsTransmitted).toBeGreaterThan(nic.stats.packetsReceived * 0.9);
    expect(nic.stats.unmodeledAccesses).toBe(0);
  });

  it('receives frames into its buffers and sends them back through descriptors with RS', () => {
    const nic = new E1000Nic();
    const sim = createSimulation({ seed: 1, device: nic });
    const result = sim.run(e1000eLinux, { ticks: 5_000 });
    expect(result.clean).toBe(true);
    expect(sim.dma.stats.faults).toBe(0);
    expect(sim.dma.stats.bytesRead).toBeGreaterThan(nic.stats.packetsTransmitted * 1514);
  });
});

describe('examples/msix-queues.ts', () => {
  it('takes message interrupts when granted MSI-X, and line interrupts when granted a line', () => {
    const run = (interrupt: InterruptOptions) => {
      const nic = new E1000Nic({ rxQueueCount: 2 });
      const sim = createSimulation({ seed: 3, device: nic, mode: 'collect', interrupt });
      const result = sim.run(msixQueues, { ticks: 20_000 });
      return { result, nic };
    };
    const messages = run({});
    expect(messages.result.clean).toBe(true);
    expect(messages.nic.stats.messagesDelivered).toBeGreaterThan(0);
    expect(messages.nic.stats.lineAssertions).toBe(0);
    expect(messages.nic.stats.messagesUnrouted).toBe(0);
    const line = run({ grantLineToMsiDriver: true });
    expect(line.result.clean).toBe(true);
    expect(line.nic.stats.messagesDelivered).toBe(0);
    expect(line.nic.stats.lineAssertions).toBeGreaterThan(0);
    expect(line.nic.stats.packetsReceived).toBeGreaterThan(100);
  });
});
