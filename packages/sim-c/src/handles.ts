/**
 * Values the harness hands a C driver that are not driver memory: NDIS handles (the adapter, the
 * interrupt, the driver) and the mapped register window. Both live in address ranges above the
 * largest linear memory a driver can have (256 MiB), so the driver can store and compare them like
 * pointers, but dereferencing one traps — and, with access instrumentation, is reported before it
 * traps, naming which it was.
 *
 *   0xE000_0000 + 16·k        handle k (an object of the harness)
 *   0xF000_0000 + offset       the register window (BAR 0) NdisMMapIoSpace maps
 */

export const HANDLE_BASE = 0xe000_0000;
export const HANDLE_STRIDE = 16;
export const HANDLES_MAX = 0x0100_0000;
export const REGISTER_WINDOW_BASE = 0xf000_0000;
/** The bus address the harness gives BAR 0 in the resource list. */
export const BAR0_PHYSICAL = 0xfebc_0000n;

export class HandleTable {
  private readonly objects: unknown[] = [];
  private readonly numbers = new Map<unknown, number>();

  /** The C value of a harness object (null → 0). */
  toC(object: unknown): number {
    if (object === null || object === undefined) return 0;
    if (typeof object === 'number') return object >>> 0;
    let n = this.numbers.get(object);
    if (n === undefined) {
      if (this.objects.length >= HANDLES_MAX) throw new RangeError('more than 16M handles in one run');
      n = HANDLE_BASE + HANDLE_STRIDE * this.objects.length;
      this.objects.push(object);
      this.numbers.set(object, n);
    }
    return n;
  }

  /** The harness object behind a C value; numbers that are not handles come back as numbers (driver pointers). */
  fromC(value: number): unknown {
    const v = value >>> 0;
    if (v === 0) return null;
    if (
      v >= HANDLE_BASE &&
      v < HANDLE_BASE + HANDLE_STRIDE * this.objects.length &&
      (v - HANDLE_BASE) % HANDLE_STRIDE === 0
    ) {
      return this.objects[(v - HANDLE_BASE) / HANDLE_STRIDE];
    }
    return v;
  }

  /** Whether a C value is in the handle range (issued or not). */
  static isHandleAddress(value: number): boolean {
    const v = value >>> 0;
    return v >= HANDLE_BASE && v < HANDLE_BASE + HANDLE_STRIDE * HANDLES_MAX;
  }
}
