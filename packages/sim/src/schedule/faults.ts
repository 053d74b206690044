/**
 * Faults the harness can inject, each switched on by itself and each drawn from the simulation's
 * seeded generator, so a seed replays the faults too. What a correct driver does about each:
 *
 * | fault | what happens | a correct driver |
 * |---|---|---|
 * | `sharedLine` | another device on the line raises it | its line ISR returns FALSE (ISR-CLAIM otherwise) |
 * | `spurious` | the line, or a message, fires with no cause in ICR | a line ISR returns FALSE; a message ISR returns TRUE and its DPC copes with no work |
 * | `storm` | the device raises a cause every few ticks | keeps up: no lost work, no budget overrun |
 * | `surpriseRemoval` | the device leaves the bus mid-run: reads return 0xFFFFFFFF | treats all-ones as "gone", claims nothing |
 * | `interruptDuringRegister` | the ISR runs before NdisMRegisterInterruptEx returns | has its context ready before registering |
 * | `dpcCoalescing` | an ISR's DPC is held back, so later requests find it queued (NdisMQueueDpcEx clears their bit) | does not count on one DPC per interrupt |
 * | `lineForMsiDriver` | NDIS grants a line interrupt to a driver that supports MSI | reads InterruptType and uses its line handlers |
 */

/** The fault switches; `true` picks the default rate. */
export interface FaultOptions {
  /** Chance in 1000, per step of the run loop, that another device raises the shared line. `true`: 50. */
  readonly sharedLine?: number | boolean;
  /** Chance in 1000, per step of the run loop, of a spurious interrupt (no cause). `true`: 20. */
  readonly spurious?: number | boolean;
  /** The device raises a cause every this many ticks. `true`: every 20 ticks. */
  readonly storm?: number | boolean;
  /** The device is pulled at this tick and the run goes on. `true`: a tick drawn from the seed in the middle half of the run. */
  readonly surpriseRemoval?: number | boolean;
  /** The ISR runs once before NdisMRegisterInterruptEx returns. */
  readonly interruptDuringRegister?: boolean;
  /** Chance in 1000, per interrupt the run loop delivers, that its DPC is held back up to 200 ticks. `true`: 300. */
  readonly dpcCoalescing?: number | boolean;
  /** NDIS grants a line-based interrupt to a driver that sets MsiSupported. */
  readonly lineForMsiDriver?: boolean;
}

/** The faults by their command-line names. */
export const FAULT_NAMES = {
  'shared-line': 'sharedLine',
  spurious: 'spurious',
  storm: 'storm',
  'surprise-removal': 'surpriseRemoval',
  'interrupt-during-register': 'interruptDuringRegister',
  'dpc-coalescing': 'dpcCoalescing',
  'line-for-msi': 'lineForMsiDriver',
} as const satisfies Record<string, keyof FaultOptions>;

export type FaultName = keyof typeof FAULT_NAMES;

/** Faults, resolved to numbers. */
export interface ResolvedFaults {
  readonly sharedLinePerMille: number;
  readonly spuriousPerMille: number;
  /** 0: no storm. */
  readonly stormGapTicks: number;
  /** null: no removal; -1: drawn from the seed at the start of the run. */
  readonly surpriseRemovalTick: number | null;
  readonly interruptDuringRegister: boolean;
  readonly dpcCoalescingPerMille: number;
  /** Longest hold of a coalescing DPC, in ticks. */
  readonly dpcHoldTicksMax: number;
  readonly lineForMsiDriver: boolean;
}

export const NO_FAULTS: ResolvedFaults = Object.freeze({
  sharedLinePerMille: 0,
  spuriousPerMille: 0,
  stormGapTicks: 0,
  surpriseRemovalTick: null,
  interruptDuringRegister: false,
  dpcCoalescingPerMille: 0,
  dpcHoldTicksMax: 200,
  lineForMsiDriver: false,
});

function perMille(value: number | boolean | undefined, fallback: number, name: string): number {
  if (value === undefined || value === false) return 0;
  if (value === true) return fallback;
  if (!Number.isInteger(value) || value < 0 || value > 1000)
    throw new RangeError(`faults.${name} must be true, false or a chance in 1000 (0..1000) (got ${String(value)})`);
  return value;
}

/** Checks and resolves fault options. Throws a RangeError naming the bad option. */
export function resolveFaults(options: FaultOptions | undefined): ResolvedFaults {
  if (options === undefined) return NO_FAULTS;
  if (typeof options !== 'object' || options === null)
    throw new TypeError('faults must be an object of fault switches');
  const known = new Set<string>(Object.values(FAULT_NAMES));
  for (const key of Object.keys(options)) {
    if (!known.has(key)) throw new RangeError(`faults.${key} is not a fault (one of ${[...known].join(', ')})`);
  }
  let stormGapTicks = 0;
  if (options.storm === true) stormGapTicks = 20;
  else if (typeof options.storm === 'number') {
    if (!Number.isInteger(options.storm) || options.storm < 1 || options.storm > 1_000_000)
      throw new RangeError(`faults.storm must be true or a gap of 1..1000000 ticks (got ${options.storm})`);
    stormGapTicks = options.storm;
  }
  let surpriseRemovalTick: number | null = null;
  if (options.surpriseRemoval === true) surpriseRemovalTick = -1;
  else if (typeof options.surpriseRemoval === 'number') {
    if (!Number.isSafeInteger(options.surpriseRemoval) || options.surpriseRemoval < 0)
      throw new RangeError(`faults.surpriseRemoval must be true or a tick ≥ 0 (got ${options.surpriseRemoval})`);
    surpriseRemovalTick = options.surpriseRemoval;
  }
  return Object.freeze({
    sharedLinePerMille: perMille(options.sharedLine, 50, 'sharedLine'),
    spuriousPerMille: perMille(options.spurious, 20, 'spurious'),
    stormGapTicks,
    surpriseRemovalTick,
    interruptDuringRegister: options.interruptDuringRegister === true,
    dpcCoalescingPerMille: perMille(options.dpcCoalescing, 300, 'dpcCoalescing'),
    dpcHoldTicksMax: 200,
    lineForMsiDriver: options.lineForMsiDriver === true,
  });
}

/** The name that switches every fault on at once. */
export const ALL_FAULTS = 'all';

/** Fault options from command-line names (`shared-line`, `storm`, …, or `all`), each at its default rate. */
export function faultsFromNames(names: readonly string[]): FaultOptions {
  const out: Record<string, boolean> = {};
  for (const raw of names) {
    const name = raw.trim();
    if (name === '') continue;
    if (name === ALL_FAULTS) {
      for (const key of Object.values(FAULT_NAMES)) out[key] = true;
      continue;
    }
    const key = (FAULT_NAMES as Record<string, string>)[name];
    if (key === undefined)
      throw new RangeError(
        `unknown fault ${JSON.stringify(name)} (one of ${Object.keys(FAULT_NAMES).join(', ')}, or ${ALL_FAULTS})`,
      );
    out[key] = true;
  }
  return out as FaultOptions;
}
