/**
 * Harness robustness: every example driver (clean, broken and race scenarios), under every fault
 * switch and with none, over 50 seeds in collect mode (HARNESS_SEEDS sets more; `npm run soak` runs
 * 1,000). The harness itself never throws — whatever the driver does wrong comes back as reports —
 * every run ends within its ticks, the correct drivers get no report under any fault, and a run
 * replays to the same result.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  createSimulation,
  E1000Nic,
  isMiniportDefinition,
  type FaultOptions,
  type MiniportDefinition,
  type Scenario,
} from '@ddikit/sim';
import { describe, expect, it } from 'vitest';
import { bundled } from '../../generator/src/paths.js';

const seeds = Number(process.env['HARNESS_SEEDS'] ?? 50);
const ticks = Number(process.env['HARNESS_TICKS'] ?? 1_500);

const faultSettings: [string, FaultOptions][] = [
  ['no fault', {}],
  ['shared line', { sharedLine: true }],
  ['spurious interrupts', { spurious: true }],
  ['interrupt storm', { storm: true }],
  ['surprise removal', { surpriseRemoval: true }],
  ['interrupt during registration', { interruptDuringRegister: true }],
  ['DPC coalescing', { dpcCoalescing: true }],
  ['line granted to an MSI driver', { lineForMsiDriver: true }],
];

interface Example {
  name: string;
  driver: MiniportDefinition;
  scenario: Scenario | undefined;
}

async function examples(): Promise<Example[]> {
  const root = join(bundled.root, 'examples');
  const files = [
    ...readdirSync(root)
      .filter((f) => f.endsWith('.ts'))
      .map((f) => join(root, f)),
    ...readdirSync(join(root, 'broken'))
      .filter((f) => f.endsWith('.ts') && !f.startsWith('_'))
      .map((f) => join(root, 'broken', f)),
    ...readdirSync(join(root, 'scenarios'))
      .filter((f) => f.endsWith('.ts'))
      .map((f) => join(root, 'scenarios', f)),
  ].sort();
  const found: Example[] = [];
  for (const file of files) {
    const module = (await import(file)) as Record<string, unknown>;
    for (const [exported, value] of Object.entries(module)) {
      if (isMiniportDefinition(value)) {
        found.push({
          name: `${file.slice(root.length + 1)}${exported === 'default' ? '' : `#${exported}`}`,
          driver: value,
          scenario: module['scenario'] as Scenario | undefined,
        });
      }
    }
  }
  return found;
}

describe(`the harness under every example and every fault (${seeds} seeds, ${ticks} ticks each)`, async () => {
  const all = await examples();

  it('finds the examples', () => {
    expect(all.length).toBeGreaterThanOrEqual(20);
  });

  for (const example of all) {
    it(example.name, () => {
      let runs = 0;
      let reports = 0;
      for (const [label, faults] of faultSettings) {
        for (let seed = 1; seed <= seeds; seed++) {
          const limit = example.scenario?.ticks !== undefined ? Math.min(example.scenario.ticks, ticks) : ticks;
          const sim = createSimulation({
            seed,
            device: example.scenario?.device?.() ?? new E1000Nic(),
            mode: 'collect',
            ...(example.scenario?.processors !== undefined ? { processors: example.scenario.processors } : {}),
            ...(example.scenario?.interrupt !== undefined ? { interrupt: example.scenario.interrupt } : {}),
            faults: { ...example.scenario?.faults, ...faults },
          });
          let result;
          try {
            result = sim.run(example.driver, { ticks: limit });
          } catch (error) {
            throw new Error(
              `${example.name} under ${label}, seed=${seed}: the harness threw: ${(error as Error).stack ?? String(error)}`,
            );
          }
          runs++;
          reports += result.reports.length;
          // Bounded: the run ended within its ticks (plus the work in flight at the end).
          expect(result.tick, `${label} seed=${seed}`).toBeLessThanOrEqual(limit + 10_000);
          for (const report of result.reports) {
            expect(report.rule, `${label} seed=${seed}`).toMatch(/^[A-Z]+(-[A-Z]+)*$/);
            expect(report.seed).toBe(seed);
          }
        }
      }
      expect(runs).toBe(faultSettings.length * seeds);
      // Broken drivers are reported; the correct ones survive every fault without a report.
      if (example.name.startsWith('broken/') || example.name === 'scenarios/lost-interrupt.ts')
        expect(reports).toBeGreaterThan(0);
      else expect(reports).toBe(0);
    }, 300_000);
  }

  it('a run replays to the same reports with the same seed and faults', () => {
    const example = all.find((e) => e.name === 'broken/lock-order.ts') ?? all[0]!;
    const once = (): string => {
      const sim = createSimulation({
        seed: 42,
        device: new E1000Nic(),
        mode: 'collect',
        faults: { storm: true, spurious: true, dpcCoalescing: true },
      });
      return JSON.stringify(sim.run(example.driver, { ticks }));
    };
    expect(once()).toBe(once());
  });
});
