/**
 * How `--workers N` cuts a batch of jobs into chunks (driver-pool.ts): a share of what is left,
 * within the command's sizes, and the smallest chunk for the owner while a pool thread still loads.
 * (That the output never depends on the chunks: test/explore/parallel.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { chunkSize } from '../../generator/src/cli/commands/driver-pool.js';

const sizes = { min: 32, max: 512 };

describe('chunkSize', () => {
  it('takes a quarter of each thread’s share of what is left, within the sizes', () => {
    expect(chunkSize(8192, 2, sizes, false)).toBe(512); // 1,024 capped
    expect(chunkSize(2048, 2, sizes, false)).toBe(256);
    expect(chunkSize(100, 2, sizes, false)).toBe(32); // 13 raised to the smallest
    expect(chunkSize(8192, 64, sizes, false)).toBe(32);
  });

  it('never takes more than is left', () => {
    expect(chunkSize(20, 2, sizes, false)).toBe(20);
    expect(chunkSize(1, 3, { min: 1, max: 16 }, false)).toBe(1);
  });

  it('gives the owner the smallest chunk while a pool thread is still loading, so it can hand work out soon', () => {
    expect(chunkSize(8192, 2, sizes, true)).toBe(32);
    expect(chunkSize(512, 3, { min: 1, max: 16 }, true)).toBe(1);
    expect(chunkSize(10, 2, sizes, true)).toBe(10);
  });
});
