/**
 * Reports: the text summary of a real run, laid out like `!analyze -v` (read and checked line by
 * line below), warnings, and the JSON form.
 */
import { createSimulation, formatReportsJson, formatReportText, hex32, irqlText } from '@ddikit/sim';
import { describe, expect, it } from 'vitest';
import { testDriver } from '../drivers.js';
import { FakeDevice } from '../fake-device.js';

/** An ISR that takes a spin lock: MAY-CALL, seed 42. */
function isrTakingALock() {
  const sim = createSimulation({ seed: 42, device: new FakeDevice({ periodTicks: 400 }) });
  return sim.run(
    testDriver({
      isr: (a, queueDpc) => {
        a.ndis.NdisAcquireSpinLock(a.lock);
        a.causes |= a.resources.registers.CAUSE!.value;
        a.ndis.NdisReleaseSpinLock(a.lock);
        queueDpc.value = true;
        return true;
      },
    }),
    { ticks: 20_000 },
  );
}

const EXPECTED = `*******************************************************************************
*                                                                             *
*                          ddikit Verifier Analysis                           *
*                                                                             *
*******************************************************************************

DRIVER_VERIFIER_DETECTED_VIOLATION (c4)
Driver Verifier caught a driver breaking a kernel contract. Parameter 1 names the check.
Arguments:
Arg1: 0000000000000042
Arg2: 0000000000000008
Arg3: 0000000000000000
Arg4: 0000000000000000
(P2 IRQL found)

RULE_ID:  MAY-CALL
RULE:  function that may call only DDIs callable at any IRQL called another DDI
DESCRIPTION:  TestInterrupt (MINIPORT_ISR) may call only DDIs callable at any IRQL, and called NdisAcquireSpinLock (<= DISPATCH_LEVEL)
SUBJECT:  NdisAcquireSpinLock
FUNCTION:  TestInterrupt
IRQL_REQUIRED:  <= DISPATCH_LEVEL
IRQL_FOUND:  DIRQL(8)
PROCESSOR:  0
SEED:  42
TICK:  403 (40.3 µs)

ROLE_FRAMES:  (innermost first)
  #0  TestInterrupt                    MINIPORT_ISR                             cpu 0  entered at DIRQL(8)

LAST_IRQL_TRANSITIONS:  (most recent first)
        tick  cpu  from             to               by
         402    0  PASSIVE_LEVEL    DIRQL(8)         interrupt

FAILURE_BUCKET_ID:  0xC4_42_MAY-CALL_NdisAcquireSpinLock_TestInterrupt
REPRODUCE:  seed=42 tick=403
`;

describe('report text', () => {
  it('summarizes a bug check like !analyze -v: code, arguments, rule, IRQLs, frames, transitions, seed and tick', () => {
    const result = isrTakingALock();
    expect(formatReportText(result.bugCheck!)).toBe(EXPECTED);
  });

  it('prints a warning without a bug check', () => {
    const sim = createSimulation({
      seed: 3,
      device: new FakeDevice({ periodTicks: 400 }),
      interrupt: { sharedLinePerMille: 200 },
    });
    const result = sim.run(
      testDriver({
        isr: (a, queueDpc) => {
          a.causes |= a.resources.registers.CAUSE!.value;
          a.resources.registers.MASK_CLEAR!.value = 0xffffffff;
          queueDpc.value = true;
          return true;
        },
      }),
      { ticks: 5_000 },
    );
    const text = formatReportText(result.reports[0]!);
    expect(text).toContain('WARNING: ISR claimed an interrupt its NIC did not raise, or disowned its own\n');
    expect(text).toContain('RULE_ID:  ISR-CLAIM\n');
    expect(text).toContain('FAILURE_BUCKET_ID:  WARN_ISR-CLAIM_MINIPORT_ISR_TestInterrupt\n');
    expect(text).toMatch(/OCCURRENCES: {2}\d+\n/);
    expect(text).not.toContain('Arg1');
  });

  it('names levels as the debugger does', () => {
    expect([0, 1, 2, 5, 15].map(irqlText)).toEqual([
      'PASSIVE_LEVEL (0)',
      'APC_LEVEL (1)',
      'DISPATCH_LEVEL (2)',
      'DIRQL(5)',
      'HIGH_LEVEL (15)',
    ]);
    expect(hex32(0xc4)).toBe('0x000000C4');
  });
});

describe('report JSON', () => {
  it('holds every field RULES.md asks for', () => {
    const report = isrTakingALock().bugCheck!;
    expect(Object.keys(report)).toEqual([
      'rule',
      'title',
      'severity',
      'bugCheck',
      'compliance',
      'subject',
      'function',
      'message',
      'irqlRequired',
      'irqlFound',
      'processor',
      'frames',
      'irqlTransitions',
      'seed',
      'tick',
      'occurrences',
    ]);
    expect(report.bugCheck).toEqual({
      code: 0xc4,
      name: 'DRIVER_VERIFIER_DETECTED_VIOLATION',
      parameters: [0x42, 8, 0, 0],
      parametersMeaning: 'P2 IRQL found',
    });
  });

  it('serializes with a trailing newline and parses back to the same reports', () => {
    const result = isrTakingALock();
    const json = formatReportsJson(result.reports);
    expect(json.endsWith('}\n]\n')).toBe(true);
    expect(JSON.parse(json)).toEqual(result.reports);
  });
});
