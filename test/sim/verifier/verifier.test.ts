/**
 * The verifier: the rule registry matches the rule table (ids, bug-check codes, parameter 1), both
 * modes behave as documented, a bug is reported once per site, disabled rules stay silent, and the
 * number of reports kept is bounded.
 */
import { BugCheck, RULE_IDS, RULES, REPORTS_MAX, Verifier, type RuleId, type VerifierMode } from '@ddikit/sim';
import { describe, expect, it } from 'vitest';

function verifier(mode: VerifierMode, disabled: RuleId[] = [], fn = 'MyFunction') {
  return new Verifier(
    mode,
    {
      seed: 99,
      nowTicks: () => 1234,
      processor: () => 1,
      frames: () => [{ role: 'MINIPORT_ISR', function: fn, processor: 1, irql: 5 }],
      transitions: () => [{ tick: 1200, processor: 1, from: 0, to: 5, by: 'interrupt' }],
    },
    disabled,
  );
}

describe('rule registry', () => {
  // [rule, [code, P1] per form] — the rule table of RULES.md, with ddikit's own parameter 1 values.
  const table: [RuleId, [number, number | null][]][] = [
    ['IRQL-CALL', [[0xc4, 0xe5]]],
    ['ROLE-IRQL', [[0xc4, 0xe5]]],
    [
      'IRQL-SAME',
      [
        [0xc4, 0x111],
        [0xc8, null],
      ],
    ],
    [
      'MAY-CALL',
      [
        [0xc4, 0x42],
        [0xc4, 0xe5],
      ],
    ],
    ['ROLE-RETURN', [[0xc4, 0xdd03]]],
    ['ROLE-TYPE', [[0xc4, 0xdd04]]],
    ['LOCK-REACQUIRE', [[0xc4, 0x1000]]],
    ['LOCK-RELEASE-UNHELD', [[0xc4, 0x1007]]],
    ['LOCK-MISMATCH', [[0xc4, 0x1009]]],
    [
      'LOCK-ORDER',
      [
        [0xc4, 0x1003],
        [0xc4, 0x1001],
      ],
    ],
    ['LOCK-LEAK', [[0xc8, null]]],
    ['LOCK-UNINIT', [[0xc4, 0x1002]]],
    ['SYNC-UNREGISTERED', [[0xc4, 0xdd01]]],
    ['SYNC-MESSAGE-ID', [[0xc4, 0xdd02]]],
    ['ISR-CLAIM', []],
    [
      'INT-DEREGISTER',
      [
        [0x7c, 0x08],
        [0x7c, 0x0b],
      ],
    ],
    [
      'DPC-IRQL',
      [
        [0xc4, 0x3b],
        [0xb8, 0],
      ],
    ],
    ['TIME-BUDGET', [[0x133, 0]]],
    [
      'RAISE-LOWER',
      [
        [0xc4, 0x30],
        [0xc4, 0x31],
      ],
    ],
    ['ISR-SHARED-RACE', [[0xc4, 0xdd05]]],
    ['SPINLOCK-FOR-ISR-STATE', [[0xc4, 0xdd05]]],
    ['DPC-SHARED-RACE', [[0xc4, 0xdd0e]]],
    ['INT-LOST', [[0xc4, 0xdd06]]],
    ['LOCK-FREE-HELD', [[0xc4, 0xdd07]]],
    ['INT-DEREGISTER-ASSERTED', []],
    ['MEM-NULL', [[0xd1, 0x0]]],
    ['MEM-WILD', [[0x50, null]]],
    ['MEM-REGISTER-DEREF', [[0xc4, 0xdd09]]],
    ['MEM-HANDLE-DEREF', [[0x50, null]]],
    ['STACK-OVERFLOW', [[0x7f, 0x8]]],
    ['POOL-OVERRUN', [[0xd6, null]]],
    ['POOL-USE-AFTER-FREE', [[0xcc, null]]],
    [
      'POOL-BAD-FREE',
      [
        [0xc2, 0x7],
        [0xc2, 0x46],
      ],
    ],
    ['POOL-LEAK', [[0xc4, 0x62]]],
    ['UB-BOUNDS', [[0xc4, 0xdd0a]]],
    ['UB-MISALIGNED', [[0xc4, 0xdd0b]]],
    ['UB-OTHER', [[0xc4, 0xdd0c]]],
    ['C-TRAP', [[0x1e, 0xc000001d]]],
    ['DMA-UNMAPPED', [[0xe6, 0xdd08]]],
    ['TIMER-PENDING', [[0xc7, 0]]],
    ['TIMER-HANDLE', [[0xc4, 0xdd0d]]],
    ['TIMER-LEAK', [[0xc4, 0x62]]],
    ['NIC-UNMODELED-REGISTER', []],
  ];

  it('holds exactly the rules of the table', () => {
    expect([...RULE_IDS].sort()).toEqual(table.map(([rule]) => rule).sort());
  });

  for (const [rule, forms] of table) {
    it(`${rule}: ${forms.map(([code, p1]) => `0x${code.toString(16)}/${p1 === null ? 'computed' : `0x${p1.toString(16)}`}`).join(', ') || 'warning'}`, () => {
      const spec = RULES[rule];
      expect(spec.id).toBe(rule);
      expect(spec.bugChecks.map((b) => [b.code, b.p1])).toEqual(forms);
      expect(spec.severity).toBe(forms.length === 0 ? 'warning' : 'error');
      expect(spec.title.length).toBeGreaterThan(10);
      expect(spec.source.length).toBeGreaterThan(5);
      for (const form of spec.bugChecks) {
        expect(form.name).toMatch(/^[A-Z_]+$/);
        expect(form.parameters.length).toBeGreaterThan(0);
      }
    });
  }

  it('names the SpinlockRelease DDI compliance rule with the code of its rule page', () => {
    expect(RULES['LOCK-RELEASE-UNHELD'].compliance).toEqual({ rule: 'SpinlockRelease', code: 0x0004000b });
  });
});

describe('Verifier', () => {
  it('bugcheck mode throws a BugCheck carrying the report, and stays stopped', () => {
    const v = verifier('bugcheck');
    let thrown: unknown;
    try {
      v.report({ rule: 'LOCK-REACQUIRE', subject: 'NdisAcquireSpinLock', message: 'again', p2: 3, p3: 1 });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(BugCheck);
    const report = (thrown as BugCheck).report;
    expect(report).toMatchObject({
      rule: 'LOCK-REACQUIRE',
      seed: 99,
      tick: 1234,
      processor: 1,
      function: 'MyFunction',
      subject: 'NdisAcquireSpinLock',
    });
    expect(report.bugCheck).toEqual({
      code: 0xc4,
      name: 'DRIVER_VERIFIER_DETECTED_VIOLATION',
      parameters: [0x1000, 3, 1, 0],
      parametersMeaning: 'P2 lock id, P3 processor, P4 other lock id (0 if none)',
    });
    expect((thrown as BugCheck).message).toContain('RULE_ID:  LOCK-REACQUIRE');
    expect(() => v.assertRunning()).toThrow(BugCheck);
    expect(() => v.report({ rule: 'IRQL-CALL', subject: 'X', message: 'later' })).toThrow(thrown as BugCheck);
    expect(v.reports).toHaveLength(1);
  });

  it('bugcheck mode does not stop for a warning', () => {
    const v = verifier('bugcheck');
    v.report({ rule: 'ISR-CLAIM', subject: 'MINIPORT_ISR', message: 'claimed' });
    expect(v.stopped).toBeNull();
    expect(v.reports[0]!.bugCheck).toBeNull();
  });

  it('collect mode records and returns; a repeat at the same site counts, a new site reports', () => {
    const v = verifier('collect');
    v.report({ rule: 'LOCK-LEAK', subject: 'MINIPORT_ISR', message: 'leak', site: 'spin lock #1', p1: 0x20002 });
    v.report({ rule: 'LOCK-LEAK', subject: 'MINIPORT_ISR', message: 'leak', site: 'spin lock #1', p1: 0x20002 });
    v.report({ rule: 'LOCK-LEAK', subject: 'MINIPORT_ISR', message: 'leak', site: 'spin lock #2', p1: 0x20002 });
    expect(v.reports.map((r) => [r.rule, r.occurrences])).toEqual([
      ['LOCK-LEAK', 2],
      ['LOCK-LEAK', 1],
    ]);
    expect(v.reports[0]!.bugCheck!.parameters[0]).toBe(0x20002);
  });

  it('the same rule in another function is another bug', () => {
    const a = verifier('collect', [], 'First');
    a.report({ rule: 'IRQL-CALL', subject: 'NdisMRegisterInterruptEx', message: 'x' });
    a.report({ rule: 'IRQL-CALL', subject: 'NdisMDeregisterInterruptEx', message: 'x' });
    expect(a.reports).toHaveLength(2);
  });

  it('disabled rules report nothing; unknown rule ids are refused', () => {
    const v = verifier('bugcheck', ['LOCK-ORDER']);
    v.report({ rule: 'LOCK-ORDER', subject: 'NdisReleaseSpinLock', message: 'x' });
    expect(v.reports).toEqual([]);
    expect(v.enabled('LOCK-ORDER')).toBe(false);
    expect(v.enabled('LOCK-LEAK')).toBe(true);
    expect(() => verifier('collect', ['NO-SUCH-RULE' as RuleId])).toThrow(/not a rule id/);
  });

  it(`keeps at most ${REPORTS_MAX} distinct reports and counts the rest`, () => {
    const v = verifier('collect');
    for (let i = 0; i < REPORTS_MAX + 5; i++)
      v.report({ rule: 'LOCK-UNINIT', subject: 'NdisAcquireSpinLock', message: 'x', site: String(i) });
    expect(v.reports).toHaveLength(REPORTS_MAX);
    expect(v.droppedCount).toBe(5);
  });

  it('refuses an unknown mode', () => {
    expect(() => verifier('panic' as VerifierMode)).toThrow(/bugcheck" or "collect/);
  });
});
