/**
 * The contract between the harness and a simulated device (the e1000 model in e1000/, or a test's
 * fake).
 *
 * The harness owns time, randomness, processors and interrupt delivery; the device owns its register
 * file and its own activity. The harness:
 *
 * 1. calls {@link Device.attach} once, when a simulation is created, handing the device the
 *    simulation's single PRNG and clock ({@link DeviceHost}); a device must draw every random choice
 *    from `host.prng` and read time only from `host.nowTicks()` (never `Math.random`, never `Date`);
 * 2. calls {@link Device.reset} before each run (and when it models a hardware reset);
 * 3. routes every register access the driver makes (NdisReadRegisterUlong, NdisWriteRegisterUlong, the
 *    register handles' `.value`) to {@link Device.read32} / {@link Device.write32}, after its checks;
 * 4. advances the device's own activity with {@link Device.tick} as simulated time moves;
 * 5. after every register access and every tick, polls {@link Device.lineAsserted} and
 *    {@link Device.pendingMessages} and delivers interrupts to the driver's ISRs; when it delivers
 *    an MSI-X message it tells the device with {@link Device.messageDelivered}.
 *
 * Offsets are byte offsets into the device's register window (BAR 0), multiples of 4. Values are
 * unsigned 32-bit integers (0..0xFFFFFFFF); a device returns `value >>> 0`.
 *
 * Time: 1 tick = 100 ns of simulated time (see time.ts, `TICKS_PER_MICROSECOND`).
 */
import type { Prng } from '../core/prng.js';
import type { Violation } from '../verifier/violation-sink.js';
import type { DeviceDma } from './shared-memory.js';

/** What the harness gives a device. */
export interface DeviceHost {
  /** The simulation's one PRNG. Every random choice of the device draws from it. */
  readonly prng: Prng;
  /** Current simulated time, in ticks (1 tick = 100 ns). */
  nowTicks(): number;
  /**
   * Driver memory the device may reach by DMA (what the driver allocated with
   * NdisMAllocateSharedMemory); every access is checked (DMA-UNMAPPED). Absent for a host without
   * shared memory: a bus-master device then moves no data.
   */
  readonly dma?: DeviceDma;
  /**
   * Reports what the driver did that the device model caught (NIC-UNMODELED-REGISTER). In bugcheck
   * mode an error throws out of the device's method; the harness catches it. Absent: not checked.
   */
  report?(violation: Violation): void;
}

/** A named register of the device's register window. */
export interface DeviceRegister {
  /** The register's name as the datasheet spells it (`ICR`, `IMS`, `RDT0`, …). */
  readonly name: string;
  /** Byte offset in the register window (a multiple of 4). */
  readonly offset: number;
}

/** How the device can interrupt. */
export interface DeviceInterrupts {
  /** The device can raise a line-based (INTx) interrupt. */
  readonly line: boolean;
  /**
   * Number of MSI-X vectors the device offers (0: no message-signaled interrupts). The harness grants
   * at most this many messages to a driver that sets MsiSupported; message n is vector n.
   */
  readonly messageCount: number;
}

/** A simulated PCI device with a 32-bit register window. */
export interface Device {
  /** A short name for reports (`e1000`, `fake`). */
  readonly name: string;
  /** Size of the register window in bytes; accesses at or beyond it are driver bugs the harness reports. */
  readonly registerWindowBytes: number;
  /**
   * The registers the harness hands the driver as register handles (the adapter's resources), by name.
   * Sorted by offset. The driver may also ask for a handle at any offset inside the window.
   */
  readonly registers: readonly DeviceRegister[];
  /** Line and message interrupt capability. */
  readonly interrupts: DeviceInterrupts;

  /** Called once by the harness before anything else. */
  attach(host: DeviceHost): void;

  /** Returns the device to its power-on state (registers, rings, pending interrupts, traffic schedule). */
  reset(): void;

  /**
   * Reads a 32-bit register, with the register's side effects (e.g. ICR is read-to-clear: reading it
   * returns the causes and clears them, which may deassert the line). After surprise removal every
   * read returns 0xFFFFFFFF and has no effect.
   */
  read32(offsetBytes: number): number;

  /**
   * Writes a 32-bit register, with its side effects (IMS sets mask bits, IMC clears them, ICS sets
   * causes, ring tail writes start work, …). After surprise removal writes are dropped.
   */
  write32(offsetBytes: number, value: number): void;

  /**
   * Advances the device's own activity (packet arrivals, TX completions, link changes, interrupt
   * throttling timers) to simulated time `nowTicks`. Called with non-decreasing values; a device
   * processes every event scheduled at or before `nowTicks`. Must do a bounded amount of work per call.
   */
  tick(nowTicks: number): void;

  /**
   * The earliest tick after `nowTicks` at which {@link tick} would change anything, or `Infinity` when
   * nothing is scheduled. The harness uses it to skip idle time; returning `nowTicks + 1` is always
   * correct, only slower.
   */
  nextEventTick(nowTicks: number): number;

  /**
   * Level of the line-based interrupt (INTx): true while the device asserts it. For the 8254x family
   * this is `(IMS & ICR) !== 0`. No side effects. Always false when `interrupts.line` is false, while
   * MSI-X is enabled, or after surprise removal.
   */
  lineAsserted(): boolean;

  /**
   * The MSI-X vectors with a message waiting to be sent, as a bit mask (bit n = vector n). No side
   * effects: a vector stays pending until {@link messageDelivered}. Always 0 when MSI-X is not enabled
   * or after surprise removal.
   */
  pendingMessages(): number;

  /**
   * The harness delivered the message of `vector` to the driver's message ISR: the device clears the
   * vector's pending bit and applies its auto-clear / auto-mask rules (e1000e EIAC / IAM).
   */
  messageDelivered(vector: number): void;

  /**
   * Switches the device between line-based (false) and MSI-X (true) signaling, as the OS does when it
   * grants the driver its interrupt. Called by NdisMRegisterInterruptEx before any interrupt.
   */
  setMessageSignaled(enabled: boolean): void;

  /**
   * How many messages NDIS granted (0 for a line interrupt), called right after
   * {@link setMessageSignaled}. A device whose single message is MSI rather than MSI-X (the e1000e)
   * signals it with its line-style causes.
   */
  messagesGranted?(count: number): void;

  /** The device vanished from the bus: reads return 0xFFFFFFFF, writes are dropped, no interrupts. */
  surpriseRemove(): void;

  // ---- Optional: what the race detector, INT-LOST and fault injection need to know ----------------

  /**
   * How an access to the register at `offsetBytes` touches the device's state, for race detection
   * (ISR-SHARED-RACE). Registers that change one piece of state share its name (IMS and IMC both
   * change the interrupt mask). A device without this method gets no register race tracking: the
   * harness cannot tell a write-1-to-clear register from a plain one and would report false races.
   */
  registerEffect?(offsetBytes: number): RegisterEffect | null;

  /**
   * Interrupt causes that are pending, were enabled by the driver at some time since the last reset,
   * and are masked now: work that no interrupt will announce until the driver unmasks it (INT-LOST).
   * 0 when there are none, and after surprise removal. Must have no side effects.
   */
  maskedPendingCauses?(): number;

  /**
   * True when the device can raise no interrupt now, whatever happens inside it, until the driver
   * unmasks a cause: every cause masked, the line not asserted, no message pending (and after
   * surprise removal). The race detector orders accesses made then with every ISR, so a driver that
   * writes IMS while every cause is still masked is not reported. A device without it can always
   * interrupt. Must have no side effects.
   */
  interruptsBlocked?(): boolean;

  /**
   * True when MSI-X vector `vector` cannot send a message now, until the driver unmasks one of the
   * causes routed to it: none of them enabled, no message of it pending or held back by throttling
   * (and after surprise removal). With per-message masking (e1000e EIAC auto-mask) one message's
   * causes are masked while the others' are not. The race detector orders an access made by that
   * message's DPC then with every other run of the same DPC: no second one can be queued. A device
   * without it is taken never to send the message again: its DPC is judged against itself only
   * where another run is queued or runs on another processor. Must have no side effects.
   */
  messageBlocked?(vector: number): boolean;

  /** The name of the state {@link registerEffect} gives the interrupt mask (`IMS`), for INT-LOST reports. */
  readonly interruptMaskState?: string;

  /**
   * Raises an interrupt cause the driver handles, now, as if the device had work (the interrupt-storm
   * fault). A device without it cannot be stormed.
   */
  raiseInterrupt?(): void;

  /**
   * What a network device moved since the last reset, for the run summary, so a driver that breaks
   * no rule but loses traffic shows it. A device that moves no frames leaves it out.
   */
  frameCounts?(): FrameCounts;
}

/** Frames a network device moved (Device.frameCounts). */
export interface FrameCounts {
  /** Frames received into buffers the driver handed the device. */
  readonly received: number;
  /** Frames the device sent. */
  readonly sent: number;
  /** Frames that arrived and were dropped for want of a buffer the driver handed back. */
  readonly missed: number;
}

/** What a read or a write of a register does to the state it touches. */
export type RegisterReadEffect = 'read' | 'readClear' | 'none';
/** `write` replaces the value, `set` / `clear` set or clear the bits written as 1. */
export type RegisterWriteEffect = 'write' | 'set' | 'clear' | 'none';

/** How one register touches device state, for the race detector. */
export interface RegisterEffect {
  /** The state the register reads and writes; registers that change the same state share the name. */
  readonly state: string;
  readonly read: RegisterReadEffect;
  readonly write: RegisterWriteEffect;
}

/** The value every register read returns once a device is gone. */
export const REGISTER_REMOVED_VALUE = 0xffffffff;
