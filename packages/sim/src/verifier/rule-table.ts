/**
 * The registry of contract rules: stable id → title, source, severity and the Windows bug checks it
 * is reported as, read from the rule table of the spec through the @ddikit/ndis metadata; and the
 * codes the checks compute parameters from. The checks, the verifier and the reports all read it.
 */
import { metadata } from '@ddikit/ndis';
import type { RuleId, RuleSpec } from './rule-types.js';

/** Bug-check codes and names. */
export const BUG_CHECKS = {
  IRQL_NOT_LESS_OR_EQUAL: 0x0a,
  BUGCODE_NDIS_DRIVER: 0x7c,
  ATTEMPTED_SWITCH_FROM_DPC: 0xb8,
  DRIVER_VERIFIER_DETECTED_VIOLATION: 0xc4,
  TIMER_OR_DPC_INVALID: 0xc7,
  IRQL_UNEXPECTED_VALUE: 0xc8,
  DPC_WATCHDOG_VIOLATION: 0x133,
  DRIVER_VERIFIER_DMA_VIOLATION: 0xe6,
} as const;

/** ddikit-defined parameter-1 values under 0xC4, for checks no Windows tool has a code for. */
export const DDIKIT_P1 = {
  SYNC_UNREGISTERED: 0xdd01,
  SYNC_MESSAGE_ID: 0xdd02,
  ROLE_RETURN: 0xdd03,
  ROLE_TYPE: 0xdd04,
  ISR_SHARED_RACE: 0xdd05,
  INT_LOST: 0xdd06,
  LOCK_FREE_HELD: 0xdd07,
  /** Under 0xE6: device DMA outside the driver's shared memory. */
  DMA_UNMAPPED: 0xdd08,
  /** A timer DDI given a handle that is no live timer object. */
  TIMER_HANDLE: 0xdd0d,
  /** Deferred functions sharing state with no common lock. */
  DPC_SHARED_RACE: 0xdd0e,
} as const;

/** The value UniqueValue takes in an 0xC8 parameter 1 for a driver routine called out to. */
export const C8_CALLOUT = 2;

/** Parameter 1 of IRQL_UNEXPECTED_VALUE: (current << 16) | (expected << 8) | UniqueValue. */
export function irqlUnexpectedP1(currentIrql: number, expectedIrql: number): number {
  return ((currentIrql << 16) | (expectedIrql << 8) | C8_CALLOUT) >>> 0;
}

/**
 * The SpinlockRelease rule's code: the SDV rule page (wdm-spinlockrelease) says 0x0004000B; another
 * public listing gives 0x0004000A. ddikit uses the rule page's value.
 */
export const SPINLOCK_RELEASE_COMPLIANCE_CODE = 0x0004000b;

/**
 * The rule table of the spec (spec/rules.yaml), as the generated metadata of @ddikit/ndis carries it:
 * one source for the checks here, the reference pages and the generator's rule-id check.
 */
export const RULES: Readonly<Record<RuleId, RuleSpec>> = Object.freeze(
  Object.fromEntries(metadata.rules.map((rule) => [rule.id, rule])) as unknown as Record<RuleId, RuleSpec>,
);

/** Every rule id, sorted. */
export const RULE_IDS: readonly RuleId[] = Object.freeze(metadata.rules.map((rule) => rule.id));

/** The rules lockset analysis reports (found without a particular interleaving). */
export const LOCKSET_RULES: readonly string[] = ['ISR-SHARED-RACE', 'SPINLOCK-FOR-ISR-STATE', 'DPC-SHARED-RACE'];
