/**
 * The fire/quiet matrix every contract rule goes through: a scenario that breaks the rule must be
 * reported with the rule's id, bug-check code and parameter 1 — stopping the run in bugcheck mode,
 * recorded with the run going on in collect mode — and the same driver without the bug must run clean
 * in both modes.
 */
import {
  createSimulation,
  type MiniportDefinition,
  type RunOptions,
  type RunResult,
  type RuleId,
  type SimulationOptions,
  type VerifierMode,
} from '@ddikit/sim';
import { expect, it } from 'vitest';
import { FakeDevice, type FakeDeviceOptions } from './fake-device.js';

export interface Scenario {
  readonly driver: MiniportDefinition;
  readonly device?: FakeDeviceOptions;
  readonly options?: Partial<Omit<SimulationOptions, 'device' | 'mode'>>;
  readonly run?: Partial<RunOptions>;
}

export interface RuleCase {
  /** What the case shows, e.g. "an ISR acquiring a spin lock". */
  readonly name: string;
  readonly rule: RuleId;
  /** Bug-check code and parameter 1; null for warnings. */
  readonly code: number | null;
  readonly p1: number | null;
  /** What the report that fires says, when the case checks it. */
  readonly message?: RegExp;
  readonly fire: Scenario;
  readonly quiet: Scenario;
  /** Whether MiniportHaltEx still runs in collect mode (false where initialization fails). */
  readonly haltsInCollect?: boolean;
  /** Whether MiniportHaltEx has run when the bug check stops the run (true where it is the culprit). */
  readonly haltsInBugcheck?: boolean;
}

export const DEFAULT_DEVICE: FakeDeviceOptions = { periodTicks: 400 };

export function runScenario(scenario: Scenario, mode: VerifierMode, seed = 7): RunResult {
  const sim = createSimulation({
    seed,
    device: new FakeDevice(scenario.device ?? DEFAULT_DEVICE),
    mode,
    ...scenario.options,
  });
  return sim.run(scenario.driver, { ticks: 20_000, ...scenario.run });
}

/** Registers the four tests of a case with the enclosing describe. */
export function ruleCase(c: RuleCase): void {
  it(`${c.rule} fires in bugcheck mode: ${c.name}`, () => {
    const result = runScenario(c.fire, 'bugcheck');
    if (c.code === null) {
      // A warning never stops a run.
      expect(result.bugCheck).toBeNull();
      expect(result.halted).toBe(true);
      const report = result.reports.find((r) => r.rule === c.rule);
      expect(report, `no ${c.rule} report`).toBeDefined();
      expect(report!.severity).toBe('warning');
      expect(report!.bugCheck).toBeNull();
      return;
    }
    expect(
      result.bugCheck,
      `expected ${c.rule}, got ${result.reports.map((r) => r.rule).join(', ') || 'nothing'}`,
    ).not.toBeNull();
    expect(result.bugCheck!.rule).toBe(c.rule);
    expect(result.bugCheck!.bugCheck!.code).toBe(c.code);
    expect(result.bugCheck!.bugCheck!.parameters[0]).toBe(c.p1);
    expect(result.bugCheck!.seed).toBe(7);
    if (c.message !== undefined) expect(result.bugCheck!.message).toMatch(c.message);
    expect(result.reports).toHaveLength(1);
    expect(result.halted).toBe(c.haltsInBugcheck ?? false);
  });

  it(`${c.rule} fires in collect mode and the run goes on: ${c.name}`, () => {
    const result = runScenario(c.fire, 'collect');
    expect(result.bugCheck).toBeNull();
    const report = result.reports.find((r) => r.rule === c.rule);
    expect(
      report,
      `expected ${c.rule}, got ${result.reports.map((r) => r.rule).join(', ') || 'nothing'}`,
    ).toBeDefined();
    if (c.code !== null) {
      expect(report!.bugCheck!.code).toBe(c.code);
      expect(report!.bugCheck!.parameters[0]).toBe(c.p1);
    }
    expect(result.halted).toBe(c.haltsInCollect ?? true);
    expect(result.tick).toBeGreaterThan(0);
  });

  for (const mode of ['bugcheck', 'collect'] as const) {
    it(`${c.rule} stays quiet in ${mode} mode without the bug: ${c.name}`, () => {
      const result = runScenario(c.quiet, mode);
      expect(result.reports.map((r) => `${r.rule}: ${r.message}`)).toEqual([]);
      expect(result.clean).toBe(true);
    });
  }
}
