/**
 * Each broken example trips exactly its one rule, run as `ddikit simulate` runs it by default: in
 * bugcheck mode the run stops with that rule's bug-check code and parameter 1 (a warning never
 * stops it), on every seed tried; in collect mode the run goes on and every report is of that rule,
 * each call site reported once. Every example of examples/broken has a case here, and every rule of
 * the harness has an example or a stated reason why a driver cannot trip it alone.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  BUG_CHECKS,
  createSimulation,
  DDIKIT_P1,
  E1000Nic,
  irqlUnexpectedP1,
  isMiniportDefinition,
  RULE_IDS,
  type MiniportDefinition,
  type RuleId,
  type RunResult,
  type VerifierMode,
} from '@ddikit/sim';
import { describe, expect, it } from 'vitest';
import { simulateDefaults } from '../../generator/src/cli/commands/simulate.js';

const C4 = BUG_CHECKS.DRIVER_VERIFIER_DETECTED_VIOLATION;
const DISPATCH_LEVEL = 2;

interface BrokenCase {
  /** examples/broken/<file>.ts */
  readonly file: string;
  readonly rule: RuleId;
  /** Bug-check code and parameter 1; null for a warning. */
  readonly code: number | null;
  readonly p1: number | null;
  /** Distinct call sites the collect run reports (each once, with its occurrence count). */
  readonly sites: number;
  /** Rules the same bug breaks too, reported besides it in collect mode. */
  readonly also?: readonly RuleId[];
}

const CASES: readonly BrokenCase[] = [
  {
    file: 'dma-unmapped',
    rule: 'DMA-UNMAPPED',
    code: BUG_CHECKS.DRIVER_VERIFIER_DMA_VIOLATION,
    p1: DDIKIT_P1.DMA_UNMAPPED,
    sites: 1,
  },
  { file: 'dpc-irql', rule: 'DPC-IRQL', code: C4, p1: 0x3b, sites: 1 },
  { file: 'dpc-shared-race', rule: 'DPC-SHARED-RACE', code: C4, p1: DDIKIT_P1.DPC_SHARED_RACE, sites: 1 },
  { file: 'int-deregister', rule: 'INT-DEREGISTER', code: BUG_CHECKS.BUGCODE_NDIS_DRIVER, p1: 0x08, sites: 1 },
  { file: 'irql-call', rule: 'IRQL-CALL', code: C4, p1: 0xe5, sites: 2 },
  { file: 'isr-claim', rule: 'ISR-CLAIM', code: null, p1: null, sites: 1 },
  {
    file: 'lock-leak',
    rule: 'LOCK-LEAK',
    code: BUG_CHECKS.IRQL_UNEXPECTED_VALUE,
    p1: irqlUnexpectedP1(DISPATCH_LEVEL, DISPATCH_LEVEL),
    sites: 1,
  },
  { file: 'lock-mismatch', rule: 'LOCK-MISMATCH', code: C4, p1: 0x1009, sites: 1 },
  { file: 'lock-order', rule: 'LOCK-ORDER', code: C4, p1: 0x1003, sites: 1 },
  { file: 'lock-reacquire', rule: 'LOCK-REACQUIRE', code: C4, p1: 0x1000, sites: 1 },
  { file: 'lock-release-unheld', rule: 'LOCK-RELEASE-UNHELD', code: C4, p1: 0x1007, sites: 1 },
  { file: 'lock-uninit', rule: 'LOCK-UNINIT', code: C4, p1: 0x1002, sites: 3 },
  { file: 'may-call', rule: 'MAY-CALL', code: C4, p1: 0x42, sites: 2 },
  { file: 'nic-unmodeled-register', rule: 'NIC-UNMODELED-REGISTER', code: null, p1: null, sites: 1 },
  // Called directly, the synchronize function touches the ISR's pendingCauses without the interrupt
  // lock: the race the automatic tracking of the adapter finds.
  { file: 'role-irql', rule: 'ROLE-IRQL', code: C4, p1: 0xe5, sites: 1, also: ['ISR-SHARED-RACE'] },
  { file: 'role-return', rule: 'ROLE-RETURN', code: C4, p1: DDIKIT_P1.ROLE_RETURN, sites: 1 },
  { file: 'role-type', rule: 'ROLE-TYPE', code: C4, p1: DDIKIT_P1.ROLE_TYPE, sites: 1 },
  { file: 'sync-message-id', rule: 'SYNC-MESSAGE-ID', code: C4, p1: DDIKIT_P1.SYNC_MESSAGE_ID, sites: 1 },
  { file: 'sync-unregistered', rule: 'SYNC-UNREGISTERED', code: C4, p1: DDIKIT_P1.SYNC_UNREGISTERED, sites: 1 },
  { file: 'time-budget', rule: 'TIME-BUDGET', code: BUG_CHECKS.DPC_WATCHDOG_VIOLATION, p1: 0, sites: 2 },
  { file: 'timer-pending', rule: 'TIMER-PENDING', code: BUG_CHECKS.TIMER_OR_DPC_INVALID, p1: 0, sites: 1 },
];

/** Rules no broken example trips, and why. */
const WITHOUT_EXAMPLE: Readonly<Record<string, string>> = {
  'IRQL-SAME':
    'a driver changes IRQL only through spin locks, and LOCK-LEAK, LOCK-ORDER or MAY-CALL catch the cause first',
  'RAISE-LOWER': 'a driver cannot raise or lower IRQL directly; an out-of-order release is LOCK-ORDER first',
  'ISR-SHARED-RACE': "a race-detector rule, shown by the race detector's own scenarios",
  'SPINLOCK-FOR-ISR-STATE': "a race-detector rule, shown by the race detector's own scenarios",
  'INT-LOST': "a race-detector rule, shown by the race detector's own scenarios",
  'LOCK-FREE-HELD': 'shown by the spin-lock cases of test/sim/kernel/spinlock.test.ts',
  'INT-DEREGISTER-ASSERTED': 'shown by the interrupt cases of test/sim/interrupts/interrupts.test.ts',
  'TIMER-HANDLE': 'shown by the timer cases of test/sim/ndis/timers.test.ts',
  'TIMER-LEAK':
    'shown by the timer cases of test/sim/ndis/timers.test.ts (a leaked timer is also TIMER-PENDING when set)',
  ...Object.fromEntries(
    [
      'MEM-NULL',
      'MEM-WILD',
      'MEM-REGISTER-DEREF',
      'MEM-HANDLE-DEREF',
      'STACK-OVERFLOW',
      'POOL-OVERRUN',
      'POOL-USE-AFTER-FREE',
      'POOL-BAD-FREE',
      'POOL-LEAK',
      'UB-BOUNDS',
      'UB-MISALIGNED',
      'UB-OTHER',
      'C-TRAP',
    ].map((rule) => [rule, 'a rule of C drivers (memory safety): examples/c/broken/, test/c/']),
  ),
};

const brokenDir = fileURLToPath(new URL('../../examples/broken/', import.meta.url));
/** Seeds tried in bugcheck mode. */
const SEEDS = 10;

async function load(file: string): Promise<MiniportDefinition> {
  const module = (await import(`../../examples/broken/${file}.ts`)) as { default: unknown };
  if (!isMiniportDefinition(module.default))
    throw new Error(`examples/broken/${file}.ts: the default export is not a miniport`);
  return module.default;
}

/** One run with the options `ddikit simulate` uses by default. */
function run(driver: MiniportDefinition, mode: VerifierMode, seed: number = simulateDefaults.seed): RunResult {
  const sim = createSimulation({
    seed,
    device: new E1000Nic({ rxQueueCount: simulateDefaults.rxQueues }),
    mode,
    processors: simulateDefaults.processors,
    interrupt: { sharedLinePerMille: simulateDefaults.sharedLinePerMille },
  });
  return sim.run(driver, { ticks: simulateDefaults.ticks });
}

describe.each(CASES.map((c) => [c.file, c] as const))('examples/broken/%s.ts', (_file, c) => {
  it(`stops the run with ${c.rule}${c.code === null ? ' (a warning: the run goes on)' : ` 0x${c.code.toString(16)} / P1 0x${c.p1!.toString(16)}`} on ${SEEDS} seeds`, async () => {
    const driver = await load(c.file);
    for (let seed = simulateDefaults.seed; seed < simulateDefaults.seed + SEEDS; seed++) {
      const result = run(driver, 'bugcheck', seed);
      const found = result.reports.map((r) => r.rule).join(', ') || 'nothing';
      if (c.code === null) {
        expect(result.bugCheck, `seed=${seed}`).toBeNull();
        expect(result.halted, `seed=${seed}`).toBe(true);
        expect(result.reports.length, `seed=${seed}: ${found}`).toBeGreaterThan(0);
        for (const report of result.reports) {
          expect(report.rule, `seed=${seed}`).toBe(c.rule);
          expect(report.severity).toBe('warning');
          expect(report.bugCheck).toBeNull();
        }
        continue;
      }
      expect(result.bugCheck?.rule, `seed=${seed}: found ${found}`).toBe(c.rule);
      expect(result.bugCheck!.bugCheck!.code, `seed=${seed}`).toBe(c.code);
      expect(result.bugCheck!.bugCheck!.parameters[0], `seed=${seed}`).toBe(c.p1);
      expect(result.bugCheck!.seed).toBe(seed);
      expect(result.reports).toHaveLength(1);
    }
  });

  it(`reports only ${c.rule} in collect mode, each of its ${c.sites} call site${c.sites === 1 ? '' : 's'} once`, async () => {
    const all = run(await load(c.file), 'collect');
    expect(all.bugCheck).toBeNull();
    expect(all.halted).toBe(true);
    for (const rule of c.also ?? []) expect(all.reports.map((r) => r.rule)).toContain(rule);
    const result = { ...all, reports: all.reports.filter((r) => !(c.also ?? []).includes(r.rule as RuleId)) };
    expect(result.reports.map((r) => r.rule)).toEqual(new Array<RuleId>(c.sites).fill(c.rule));
    const sites = new Set(result.reports.map((r) => `${r.subject}|${r.function ?? ''}|${r.message}`));
    expect(sites.size).toBe(c.sites);
    for (const report of result.reports) {
      expect(report.occurrences).toBeGreaterThanOrEqual(1);
      expect(report.bugCheck?.code ?? null).toBe(c.code);
    }
    // The first site is the one that stops the run in bugcheck mode (a release after a skipped
    // acquire may carry another P1 of the same rule).
    expect(result.reports[0]!.bugCheck?.parameters[0] ?? null).toBe(c.p1);
  });
});

describe('examples/broken', () => {
  it('has a case above for every example, and every example names its rule in its header', () => {
    const files = readdirSync(brokenDir)
      .filter((f) => f.endsWith('.ts') && !f.startsWith('_'))
      .map((f) => f.slice(0, -3))
      .sort();
    expect(files).toEqual(CASES.map((c) => c.file));
    for (const c of CASES) {
      expect(c.file).toBe(c.rule.toLowerCase());
      const header = readFileSync(`${brokenDir}${c.file}.ts`, 'utf8').split('*/')[0]!;
      expect(header).toContain(`Trips ${c.rule} —`);
      expect(header).toContain(`Run: ddikit simulate examples/broken/${c.file}.ts`);
    }
  });

  it('covers every rule of the harness but those a driver cannot trip alone', () => {
    const covered = new Set<RuleId>(CASES.map((c) => c.rule));
    const missing = RULE_IDS.filter((rule) => !covered.has(rule) && WITHOUT_EXAMPLE[rule] === undefined);
    expect(missing).toEqual([]);
    for (const rule of Object.keys(WITHOUT_EXAMPLE)) expect(covered.has(rule as RuleId)).toBe(false);
    expect(covered.size).toBe(21);
  });
});
