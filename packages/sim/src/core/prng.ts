/**
 * The one source of randomness of a simulation: sfc32 (Chris Doty-Humphrey's Small Fast Counting
 * generator, 32-bit) seeded through splitmix32. Pure 32-bit integer math, no floats on the hot path,
 * no allocation per draw. Everything nondeterministic in a run (traffic, preemption points, which
 * processor takes an interrupt) draws from the single instance a simulation owns, so one seed
 * reproduces a whole run.
 */

/** Bounds up to which `below` multiplies in doubles (a 32-bit draw times the bound stays below 2^53). */
const SMALL_BOUND_MAX = 0x20_0000;

/** A seeded pseudo-random number generator. */
export class Prng {
  /** The seed this generator started from (printed in every report). */
  readonly seed: number;
  private a = 0;
  private b = 0;
  private c = 0;
  private d = 0;

  constructor(seed: number) {
    if (!Number.isSafeInteger(seed) || seed < 0) {
      throw new RangeError(`Prng: the seed must be a non-negative safe integer (got ${String(seed)})`);
    }
    this.seed = seed;
    this.reset();
  }

  /** Restarts the sequence from the seed (a new run of the same simulation). */
  reset(): void {
    const seed = this.seed;
    // splitmix32 over both halves of the seed, so seeds above 2^32 stay distinct.
    let state = (seed >>> 0) ^ Math.imul(Math.floor(seed / 0x1_0000_0000) >>> 0, 0x9e3779b9);
    const next = (): number => {
      state = (state + 0x9e3779b9) | 0;
      let z = state;
      z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
      z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
      return (z ^ (z >>> 15)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next() | 1;
    // Discard the first outputs, as sfc32's reference seeding does.
    for (let i = 0; i < 12; i++) this.u32();
  }

  /** The next 32-bit unsigned integer. */
  u32(): number {
    const a = this.a;
    const b = this.b;
    const c = this.c;
    const d = this.d;
    const t = (((a + b) | 0) + d) | 0;
    this.d = (d + 1) | 0;
    this.a = b ^ (b >>> 9);
    this.b = (c + (c << 3)) | 0;
    this.c = (((c << 21) | (c >>> 11)) + t) | 0;
    return t >>> 0;
  }

  /** A uniform integer in [0, bound), bound in 1..2^32 (Lemire's method, rejection for exactness). */
  below(bound: number): number {
    if (!(bound >= 1 && bound <= 0x1_0000_0000) || !Number.isInteger(bound)) {
      throw new RangeError(`Prng.below: the bound must be an integer in 1..2^32 (got ${String(bound)})`);
    }
    if (bound === 0x1_0000_0000) return this.u32();
    // Threshold = 2^32 mod bound; draws whose low product part falls below it are rejected.
    const threshold = (0x1_0000_0000 % bound) >>> 0;
    if (bound <= SMALL_BOUND_MAX) {
      // x * bound < 2^53: the double product is exact, and so are its halves.
      for (let attempt = 0; attempt < 64; attempt++) {
        const product = this.u32() * bound;
        const high = Math.floor(product / 0x1_0000_0000);
        if (product - high * 0x1_0000_0000 >= threshold) return high;
      }
      return Math.floor((this.u32() / 0x1_0000_0000) * bound);
    }
    for (let attempt = 0; attempt < 64; attempt++) {
      const x = this.u32();
      // The 64-bit product x * bound as high:low 32-bit halves, from exact 16-bit partial products.
      const xl = x & 0xffff;
      const xh = x >>> 16;
      const bl = bound & 0xffff;
      const bh = bound >>> 16;
      const ll = xl * bl;
      const lh = xl * bh;
      const hl = xh * bl;
      const mid = (ll >>> 16) + (lh & 0xffff) + (hl & 0xffff);
      const low = (((mid & 0xffff) << 16) | (ll & 0xffff)) >>> 0;
      if (low >= threshold) return xh * bh + (lh >>> 16) + (hl >>> 16) + (mid >>> 16);
    }
    // 64 rejections in a row has probability below 2^-64; take the biased value rather than loop on.
    return Math.floor((this.u32() / 0x1_0000_0000) * bound);
  }

  /** A uniform integer in [min, max] (inclusive). */
  between(min: number, max: number): number {
    if (max < min) throw new RangeError(`Prng.between: max ${max} < min ${min}`);
    return min + this.below(max - min + 1);
  }

  /** True with probability numerator/denominator. */
  chance(numerator: number, denominator: number): boolean {
    if (numerator <= 0) return false;
    if (numerator >= denominator) return true;
    return this.below(denominator) < numerator;
  }
}
