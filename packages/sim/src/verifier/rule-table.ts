/**
 * The registry of contract rules: stable id → title, source, severity and the Windows bug checks it
 * is reported as. A plain data table at the bottom of the harness: it imports nothing but its types,
 * so the checks, the verifier and the reports all read the same one.
 */
import type { RuleId, RuleSpec } from './rule-types.js';

/** Bug-check codes and names. */
export const BUG_CHECKS = {
  IRQL_NOT_LESS_OR_EQUAL: 0x0a,
  BUGCODE_NDIS_DRIVER: 0x7c,
  ATTEMPTED_SWITCH_FROM_DPC: 0xb8,
  DRIVER_VERIFIER_DETECTED_VIOLATION: 0xc4,
  IRQL_UNEXPECTED_VALUE: 0xc8,
  DPC_WATCHDOG_VIOLATION: 0x133,
} as const;

const C4 = BUG_CHECKS.DRIVER_VERIFIER_DETECTED_VIOLATION;
const C4_NAME = 'DRIVER_VERIFIER_DETECTED_VIOLATION';
const C8 = BUG_CHECKS.IRQL_UNEXPECTED_VALUE;
const C8_NAME = 'IRQL_UNEXPECTED_VALUE';
const IRQL_BOUNDS = 'P2 IRQL found, P3 lowest IRQL allowed, P4 highest IRQL allowed';
const LOCK_IDS = 'P2 lock id, P3 processor, P4 other lock id (0 if none)';
const RACE_PARAMETERS = 'P2 1 register / 2 field, P3 IRQL of the unprotected access, P4 its processor';

/** ddikit-defined parameter-1 values under 0xC4, for checks no Windows tool has a code for. */
export const DDIKIT_P1 = {
  SYNC_UNREGISTERED: 0xdd01,
  SYNC_MESSAGE_ID: 0xdd02,
  ROLE_RETURN: 0xdd03,
  ROLE_TYPE: 0xdd04,
  ISR_SHARED_RACE: 0xdd05,
  INT_LOST: 0xdd06,
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

export const RULES: Readonly<Record<RuleId, RuleSpec>> = {
  'IRQL-CALL': {
    id: 'IRQL-CALL',
    title: 'DDI called outside its IRQL contract',
    severity: 'error',
    source: 'SDV Irql_*_Function rules; Code Analysis C28120 (IRQL too low) / C28121 (IRQL too high)',
    bugChecks: [{ code: C4, name: C4_NAME, p1: 0xe5, when: 'always', parameters: IRQL_BOUNDS }],
    compliance: null,
  },
  'ROLE-IRQL': {
    id: 'ROLE-IRQL',
    title: 'role function entered at an IRQL its role does not allow',
    severity: 'error',
    source: 'role type contract (_IRQL_requires_, _IRQL_requires_min_/_max_)',
    bugChecks: [{ code: C4, name: C4_NAME, p1: 0xe5, when: 'always', parameters: IRQL_BOUNDS }],
    compliance: null,
  },
  'IRQL-SAME': {
    id: 'IRQL-SAME',
    title: 'role function returned at a different IRQL than it was entered at',
    severity: 'error',
    source: '_IRQL_requires_same_; Code Analysis C28166; Driver Verifier 0xC4/0x111',
    bugChecks: [
      {
        code: C4,
        name: C4_NAME,
        p1: 0x111,
        when: 'a role that runs at DIRQL (ISR, synchronize, enable/disable)',
        parameters: 'P2 IRQL on entry, P3 IRQL on return',
      },
      {
        code: C8,
        name: C8_NAME,
        p1: null,
        when: 'any other role',
        parameters: 'P1 (IRQL on return << 16) | (IRQL on entry << 8) | 2',
      },
    ],
    compliance: null,
  },
  'MAY-CALL': {
    id: 'MAY-CALL',
    title: 'function that may call only DDIs callable at any IRQL called another DDI',
    severity: 'error',
    source: 'MINIPORT_SYNCHRONIZE_INTERRUPT and MINIPORT_ISR remarks; SDV Irql_Synch_Function',
    bugChecks: [
      { code: C4, name: C4_NAME, p1: 0x42, when: 'a spin-lock acquire', parameters: 'P2 IRQL found' },
      { code: C4, name: C4_NAME, p1: 0xe5, when: 'any other DDI', parameters: IRQL_BOUNDS },
    ],
    compliance: null,
  },
  'ROLE-RETURN': {
    id: 'ROLE-RETURN',
    title: 'role function returned a value of the wrong type',
    severity: 'error',
    source: "the role's return type (BOOLEAN, VOID, NDIS_STATUS); ddikit check",
    bugChecks: [{ code: C4, name: C4_NAME, p1: DDIKIT_P1.ROLE_RETURN, when: 'always', parameters: 'P2–P4 unused (0)' }],
    compliance: null,
  },
  'ROLE-TYPE': {
    id: 'ROLE-TYPE',
    title: 'handler not declared with a role the parameter accepts',
    severity: 'error',
    source: '_Function_class_ mismatch (Code Analysis C28023/C28024); ddikit check for JavaScript callers',
    bugChecks: [{ code: C4, name: C4_NAME, p1: DDIKIT_P1.ROLE_TYPE, when: 'always', parameters: 'P2–P4 unused (0)' }],
    compliance: null,
  },
  'LOCK-REACQUIRE': {
    id: 'LOCK-REACQUIRE',
    title: 'spin lock acquired again by the processor that holds it',
    severity: 'error',
    source: 'SDV SpinLock / SpinLockDpr; Deadlock Detection (self-deadlock)',
    bugChecks: [{ code: C4, name: C4_NAME, p1: 0x1000, when: 'always', parameters: LOCK_IDS }],
    compliance: null,
  },
  'LOCK-RELEASE-UNHELD': {
    id: 'LOCK-RELEASE-UNHELD',
    title: 'spin lock released that this processor does not hold',
    severity: 'error',
    source: 'SDV SpinlockRelease; Deadlock Detection',
    bugChecks: [{ code: C4, name: C4_NAME, p1: 0x1007, when: 'always', parameters: LOCK_IDS }],
    compliance: { rule: 'SpinlockRelease', code: SPINLOCK_RELEASE_COMPLIANCE_CODE },
  },
  'LOCK-MISMATCH': {
    id: 'LOCK-MISMATCH',
    title: 'spin lock released with the other form of release',
    severity: 'error',
    source: 'SDV SpinLockDprRelease',
    bugChecks: [{ code: C4, name: C4_NAME, p1: 0x1009, when: 'always', parameters: LOCK_IDS }],
    compliance: null,
  },
  'LOCK-ORDER': {
    id: 'LOCK-ORDER',
    title: 'spin locks released out of order, or taken in both orders',
    severity: 'error',
    source: 'NdisAllocateSpinLock remarks; Deadlock Detection',
    bugChecks: [
      {
        code: C4,
        name: C4_NAME,
        p1: 0x1003,
        when: 'a lock released before a lock taken after it',
        parameters: LOCK_IDS,
      },
      {
        code: C4,
        name: C4_NAME,
        p1: 0x1001,
        when: 'two locks taken in both orders (possible deadlock)',
        parameters: LOCK_IDS,
      },
    ],
    compliance: null,
  },
  'LOCK-LEAK': {
    id: 'LOCK-LEAK',
    title: 'function returned holding a spin lock it acquired',
    severity: 'error',
    source: 'SDV SpinLock, SpinLockBalanced',
    bugChecks: [
      {
        code: C8,
        name: C8_NAME,
        p1: null,
        when: 'always',
        parameters: 'P1 (IRQL on return << 16) | (IRQL on entry << 8) | 2, P2 lock id',
      },
    ],
    compliance: null,
  },
  'LOCK-UNINIT': {
    id: 'LOCK-UNINIT',
    title: 'spin lock used that was never allocated, or was freed',
    severity: 'error',
    source: 'Deadlock Detection',
    bugChecks: [{ code: C4, name: C4_NAME, p1: 0x1002, when: 'always', parameters: LOCK_IDS }],
    compliance: null,
  },
  'SYNC-UNREGISTERED': {
    id: 'SYNC-UNREGISTERED',
    title: 'interrupt handle used before registration or after deregistration',
    severity: 'error',
    source: 'SDV NdisMDeregisterInterruptEx',
    bugChecks: [
      {
        code: C4,
        name: C4_NAME,
        p1: DDIKIT_P1.SYNC_UNREGISTERED,
        when: 'always',
        parameters: 'P2 interrupt id (0 if not an interrupt handle)',
      },
    ],
    compliance: null,
  },
  'SYNC-MESSAGE-ID': {
    id: 'SYNC-MESSAGE-ID',
    title: 'MessageId at or above the message count of the interrupt',
    severity: 'error',
    source: 'NdisMSynchronizeWithInterruptEx reference page',
    bugChecks: [
      {
        code: C4,
        name: C4_NAME,
        p1: DDIKIT_P1.SYNC_MESSAGE_ID,
        when: 'always',
        parameters: 'P2 MessageId, P3 message count',
      },
    ],
    compliance: null,
  },
  'ISR-CLAIM': {
    id: 'ISR-CLAIM',
    title: 'ISR claimed an interrupt its NIC did not raise, or disowned its own',
    severity: 'warning',
    source: 'MINIPORT_ISR and MINIPORT_MESSAGE_INTERRUPT reference pages',
    bugChecks: [],
    compliance: null,
  },
  'INT-DEREGISTER': {
    id: 'INT-DEREGISTER',
    title: 'interrupt still registered after halt or a failed initialize',
    severity: 'error',
    source: 'SDV Init_RegisterInterrupt / Init_DeRegisterInterrupt',
    bugChecks: [
      {
        code: BUG_CHECKS.BUGCODE_NDIS_DRIVER,
        name: 'BUGCODE_NDIS_DRIVER',
        p1: 0x08,
        when: 'MiniportHaltEx returned',
        parameters: 'P2 interrupt id',
      },
      {
        code: BUG_CHECKS.BUGCODE_NDIS_DRIVER,
        name: 'BUGCODE_NDIS_DRIVER',
        p1: 0x0b,
        when: 'MiniportInitializeEx failed',
        parameters: 'P2 interrupt id, P3 the status returned',
      },
    ],
    compliance: null,
  },
  'DPC-IRQL': {
    id: 'DPC-IRQL',
    title: 'DPC running off DISPATCH_LEVEL',
    severity: 'error',
    source: 'MINIPORT_INTERRUPT_DPC reference page; Driver Verifier',
    bugChecks: [
      {
        code: C4,
        name: C4_NAME,
        p1: 0x3b,
        when: 'a DPC entered, calling a DDI, or returning below/above DISPATCH_LEVEL',
        parameters: 'P2 IRQL found, P3 DISPATCH_LEVEL',
      },
      {
        code: BUG_CHECKS.ATTEMPTED_SWITCH_FROM_DPC,
        name: 'ATTEMPTED_SWITCH_FROM_DPC',
        p1: 0,
        when: 'a DPC waits (no waiting DDI is modelled yet)',
        parameters: 'P2–P4 unused (0)',
      },
    ],
    compliance: null,
  },
  'TIME-BUDGET': {
    id: 'TIME-BUDGET',
    title: 'ISR, DPC or spin lock over its time budget',
    severity: 'error',
    source: 'DPC_WATCHDOG_VIOLATION guidance: ISR ≤ 25 µs, DPC ≤ 100 µs, lock held ≤ 25 µs',
    bugChecks: [
      {
        code: BUG_CHECKS.DPC_WATCHDOG_VIOLATION,
        name: 'DPC_WATCHDOG_VIOLATION',
        p1: 0,
        when: 'always',
        parameters: 'P2 ticks taken, P3 ticks allowed (1 tick = 100 ns)',
      },
    ],
    compliance: null,
  },
  'RAISE-LOWER': {
    id: 'RAISE-LOWER',
    title: 'IRQL raised to a lower level, or lowered to a higher level',
    severity: 'error',
    source: 'SDV IrqlKeRaiseLower; Driver Verifier',
    bugChecks: [
      {
        code: C4,
        name: C4_NAME,
        p1: 0x30,
        when: 'a raise to a lower level',
        parameters: 'P2 current IRQL, P3 target IRQL',
      },
      {
        code: C4,
        name: C4_NAME,
        p1: 0x31,
        when: 'a lower to a higher level',
        parameters: 'P2 current IRQL, P3 target IRQL',
      },
    ],
    compliance: null,
  },
  'ISR-SHARED-RACE': {
    id: 'ISR-SHARED-RACE',
    title: 'state shared with the ISR touched without the interrupt lock',
    severity: 'error',
    source:
      'MINIPORT_SYNCHRONIZE_INTERRUPT remarks; Code Analysis C26100; lockset analysis as in the Eraser race detector',
    bugChecks: [
      { code: C4, name: C4_NAME, p1: DDIKIT_P1.ISR_SHARED_RACE, when: 'always', parameters: RACE_PARAMETERS },
    ],
    compliance: null,
  },
  'SPINLOCK-FOR-ISR-STATE': {
    id: 'SPINLOCK-FOR-ISR-STATE',
    title: 'state shared with the ISR guarded only by an NDIS spin lock',
    severity: 'error',
    source: 'NdisAcquireSpinLock remarks (a spin lock cannot protect state shared with the ISR); ddikit check',
    bugChecks: [
      { code: C4, name: C4_NAME, p1: DDIKIT_P1.ISR_SHARED_RACE, when: 'always', parameters: RACE_PARAMETERS },
    ],
    compliance: null,
  },
  'INT-LOST': {
    id: 'INT-LOST',
    title: 'interrupts left masked after the last DPC while work is pending',
    severity: 'error',
    source: 'MINIPORT_INTERRUPT_DPC remarks (the last DPC of a batch re-enables interrupts); ddikit check',
    bugChecks: [
      {
        code: C4,
        name: C4_NAME,
        p1: DDIKIT_P1.INT_LOST,
        when: 'always',
        parameters: 'P2 causes pending and masked, P3 interrupt id',
      },
    ],
    compliance: null,
  },
};

/** Every rule id, in registry order. */
export const RULE_IDS: readonly RuleId[] = Object.keys(RULES) as RuleId[];
