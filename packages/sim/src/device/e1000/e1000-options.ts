/**
 * Configuration of the simulated NIC: its address, how it signals a single message, and the traffic source (packet arrivals, TX
 * completion delays, link changes). Every duration is in ticks (1 tick = 100 ns, see device.ts);
 * every random quantity is drawn uniformly from an inclusive [min, max] range with the simulation's
 * PRNG, so one seed reproduces the whole traffic pattern.
 */
import { E1000_RING_DESCRIPTORS_MAX } from './e1000-registers.js';

/** Options of {@link E1000Nic}; every field is optional and falls back to {@link NIC_DEFAULTS}. */
export interface NicOptions {
  /** Name for reports. */
  name?: string;
  /** The permanent MAC address (NVM words 0–2, RAL0/RAH0 after reset): 6 bytes. */
  macAddress?: readonly number[];
  /**
   * How the NIC signals when NDIS grants a single message: `msi` (the 82574's MSI capability: the
   * line-style causes and ICR rules, one message per interrupt) or `msix` (a one-entry MSI-X table).
   */
  singleMessage?: 'msi' | 'msix';
  /** Shortest frame the traffic source sends, in bytes without the FCS (≥ 14). */
  frameBytesMin?: number;
  /** Longest such frame (≤ 16,384). */
  frameBytesMax?: number;
  /** RX queues the traffic source feeds (1 or 2). Queue 0 first. */
  rxQueueCount?: number;
  /** Shortest gap between two packet arrivals on one RX queue, in ticks (≥ 1). */
  rxArrivalGapTicksMin?: number;
  /** Longest gap between two packet arrivals on one RX queue, in ticks; 0 turns RX traffic off. */
  rxArrivalGapTicksMax?: number;
  /** Packets that arrive together at one arrival, drawn in [1, max]. */
  rxPacketsPerArrivalMax?: number;
  /** Shortest delay from posting TX descriptors (TDT write) to their completion, in ticks (≥ 1). */
  txCompletionTicksMin?: number;
  /** Longest such delay, in ticks. */
  txCompletionTicksMax?: number;
  /** Descriptors one TX completion writes back at most; the rest complete in later completions. */
  txDescriptorsPerCompletionMax?: number;
  /** Shortest time between two automatic link changes, in ticks (≥ 1). */
  linkChangeGapTicksMin?: number;
  /** Longest time between two automatic link changes, in ticks; 0 turns link changes off. */
  linkChangeGapTicksMax?: number;
  /** Link state at power-on. */
  linkUpAtReset?: boolean;
  /** Events (arrivals, completions, link changes, throttle expiries) one `tick` call processes at most. */
  eventsPerTickMax?: number;
}

/** The resolved configuration. */
export type NicConfig = Readonly<Required<NicOptions>>;

export const NIC_DEFAULTS: NicConfig = Object.freeze({
  name: 'e1000',
  macAddress: Object.freeze([0x52, 0x54, 0x00, 0x12, 0x34, 0x56]),
  singleMessage: 'msi',
  frameBytesMin: 1514,
  frameBytesMax: 1514,
  rxQueueCount: 1,
  rxArrivalGapTicksMin: 50,
  rxArrivalGapTicksMax: 200,
  rxPacketsPerArrivalMax: 4,
  txCompletionTicksMin: 10,
  txCompletionTicksMax: 50,
  txDescriptorsPerCompletionMax: 16,
  linkChangeGapTicksMin: 0,
  linkChangeGapTicksMax: 0,
  linkUpAtReset: true,
  eventsPerTickMax: 4096,
});

/** Largest tick count an option may hold (keeps every sum of ticks an exact double). */
const TICKS_OPTION_MAX = 2 ** 40;

/** Resolves options against the defaults and checks them; throws a RangeError naming the option. */
export function resolveNicOptions(options: NicOptions = {}): NicConfig {
  const config = { ...NIC_DEFAULTS, ...definedOnly(options) };
  integerIn(config, 'frameBytesMin', 14, 16_384);
  integerIn(config, 'frameBytesMax', config.frameBytesMin, 16_384);
  if (
    !Array.isArray(config.macAddress) ||
    config.macAddress.length !== 6 ||
    !config.macAddress.every((b) => Number.isInteger(b) && b >= 0 && b <= 255)
  ) {
    throw new RangeError(`NicOptions.macAddress must be 6 bytes, each an integer in 0..255`);
  }
  if (config.singleMessage !== 'msi' && config.singleMessage !== 'msix') {
    throw new RangeError(`NicOptions.singleMessage must be 'msi' or 'msix' (got ${String(config.singleMessage)})`);
  }
  integerIn(config, 'rxQueueCount', 1, 2);
  integerIn(config, 'rxArrivalGapTicksMax', 0, TICKS_OPTION_MAX);
  if (config.rxArrivalGapTicksMax > 0) {
    integerIn(config, 'rxArrivalGapTicksMin', 1, config.rxArrivalGapTicksMax);
  }
  integerIn(config, 'rxPacketsPerArrivalMax', 1, 1024);
  integerIn(config, 'txCompletionTicksMin', 1, TICKS_OPTION_MAX);
  integerIn(config, 'txCompletionTicksMax', config.txCompletionTicksMin, TICKS_OPTION_MAX);
  integerIn(config, 'txDescriptorsPerCompletionMax', 1, E1000_RING_DESCRIPTORS_MAX);
  integerIn(config, 'linkChangeGapTicksMax', 0, TICKS_OPTION_MAX);
  if (config.linkChangeGapTicksMax > 0) {
    integerIn(config, 'linkChangeGapTicksMin', 1, config.linkChangeGapTicksMax);
  }
  integerIn(config, 'eventsPerTickMax', 1, 1_000_000);
  if (typeof config.name !== 'string' || config.name.length === 0) {
    throw new RangeError('NicOptions.name must be a non-empty string');
  }
  if (typeof config.linkUpAtReset !== 'boolean') {
    throw new RangeError(`NicOptions.linkUpAtReset must be a boolean (got ${String(config.linkUpAtReset)})`);
  }
  return Object.freeze(config);
}

function definedOnly(options: NicOptions): NicOptions {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    if (value !== undefined) out[key] = value;
  }
  return out as NicOptions;
}

type IntegerKey = {
  [K in keyof NicConfig]: NicConfig[K] extends number ? K : never;
}[keyof NicConfig];

function integerIn(config: NicConfig, key: IntegerKey, min: number, max: number): void {
  const value = config[key];
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`NicOptions.${key} must be an integer in ${min}..${max} (got ${String(value)})`);
  }
}
