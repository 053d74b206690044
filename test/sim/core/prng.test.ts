/**
 * The one PRNG: reproducible from its seed, distinct across seeds, bounded draws in range and
 * roughly uniform, bad arguments rejected.
 */
import { Prng } from '@ddikit/sim';
import { describe, expect, it } from 'vitest';

const draw = (prng: Prng, n: number) => Array.from({ length: n }, () => prng.u32());

describe('Prng', () => {
  it('gives the same sequence for the same seed, and again after reset', () => {
    const a = new Prng(42);
    const b = new Prng(42);
    const first = draw(a, 100);
    expect(draw(b, 100)).toEqual(first);
    a.reset();
    expect(draw(a, 100)).toEqual(first);
  });

  it('gives different sequences for different seeds, including seeds that differ above 2^32', () => {
    const seqs = [0, 1, 2, 2 ** 32, 2 ** 32 + 1, Number.MAX_SAFE_INTEGER].map((seed) =>
      draw(new Prng(seed), 8).join(','),
    );
    expect(new Set(seqs).size).toBe(seqs.length);
  });

  it('draws unsigned 32-bit integers', () => {
    for (const value of draw(new Prng(7), 1000)) {
      expect(Number.isInteger(value)).toBe(true);
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThanOrEqual(0xffffffff);
    }
  });

  it('below(n) stays in [0, n) and is close to uniform', () => {
    const prng = new Prng(3);
    const counts = new Array<number>(10).fill(0);
    for (let i = 0; i < 100_000; i++) counts[prng.below(10)]!++;
    for (const count of counts) {
      expect(count).toBeGreaterThan(9_500);
      expect(count).toBeLessThan(10_500);
    }
    for (const bound of [1, 2, 3, 1000, 0x7fffffff, 0xffffffff, 2 ** 32]) {
      for (let i = 0; i < 200; i++) {
        const value = prng.below(bound);
        expect(value).toBeGreaterThanOrEqual(0);
        expect(value).toBeLessThan(bound);
        expect(Number.isInteger(value)).toBe(true);
      }
    }
  });

  it("below(n) is Lemire's draw exactly, for small and large bounds alike (seeded runs depend on every value)", () => {
    // The reference: the 64-bit product of the 32-bit draw and the bound, in BigInt; reject while
    // its low half is below 2^32 mod bound; the high half is the value.
    const reference = (source: Prng, bound: number): number => {
      const threshold = BigInt(2 ** 32 % bound);
      for (;;) {
        const product = BigInt(source.u32()) * BigInt(bound);
        if ((product & 0xffff_ffffn) >= threshold) return Number(product >> 32n);
      }
    };
    const bounds = [1, 2, 3, 7, 1000, 1515, 0x1f_ffff, 0x20_0000, 0x20_0001, 0x7fff_ffff, 0xffff_fffe];
    for (const seed of [1, 99, 2 ** 40 + 3]) {
      const prng = new Prng(seed);
      const twin = new Prng(seed);
      for (let i = 0; i < 3000; i++) {
        const bound = bounds[i % bounds.length]!;
        expect(prng.below(bound)).toBe(reference(twin, bound));
      }
    }
  });

  it('between(min, max) is inclusive; chance(n, d) has the odds asked for', () => {
    const prng = new Prng(5);
    const seen = new Set<number>();
    for (let i = 0; i < 1000; i++) seen.add(prng.between(3, 12));
    expect([...seen].sort((x, y) => x - y)).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    let hits = 0;
    for (let i = 0; i < 100_000; i++) if (prng.chance(1, 4)) hits++;
    expect(hits).toBeGreaterThan(24_000);
    expect(hits).toBeLessThan(26_000);
    expect(prng.chance(0, 4)).toBe(false);
    expect(prng.chance(4, 4)).toBe(true);
  });

  it('rejects bad seeds and bounds', () => {
    expect(() => new Prng(-1)).toThrow(RangeError);
    expect(() => new Prng(1.5)).toThrow(RangeError);
    expect(() => new Prng(2 ** 53)).toThrow(RangeError);
    const prng = new Prng(1);
    expect(() => prng.below(0)).toThrow(RangeError);
    expect(() => prng.below(2 ** 32 + 1)).toThrow(RangeError);
    expect(() => prng.below(2.5)).toThrow(RangeError);
    expect(() => prng.between(5, 4)).toThrow(RangeError);
  });
});
