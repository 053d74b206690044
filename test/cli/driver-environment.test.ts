/**
 * What a driver's code does with the environment over stretches of its runs (driver-environment.ts):
 * each `--workers` thread says it of every chunk, and the search's thread puts the chunks whose
 * results it used together in their order, so that a shard records the same whichever thread ran what.
 */
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import {
  environmentDigest,
  environmentOfChunks,
  watchEnvironment,
} from '../../generator/src/cli/commands/driver-environment.js';

const THIS_FILE = fileURLToPath(import.meta.url);
const [A, B] = ['DDIKIT_TEST_STRETCH_A', 'DDIKIT_TEST_STRETCH_B'];
afterEach(() => {
  delete process.env[A];
  delete process.env[B];
});

describe('watchEnvironment(files).since()', () => {
  it('a stretch says what was read in it, even a variable read before it', () => {
    process.env[A] = 'a';
    const watch = watchEnvironment([THIS_FILE]);
    try {
      void process.env[A];
      const first = watch.since();
      void process.env[A];
      void process.env[B];
      expect(first()).toEqual({ read: { [A]: environmentDigest('a'), [B]: null }, enumerated: null });
      const second = watch.since();
      void process.env[B];
      expect(second()).toEqual({ read: { [B]: null }, enumerated: null });
      const third = watch.since();
      void Object.keys(process.env);
      expect(third().enumerated).toContain(`${THIS_FILE}:`);
      // The whole watch keeps what it saw in and out of stretches.
      expect(watch.read()).toMatchObject({ [A]: environmentDigest('a'), [B]: null });
      expect(watch.enumerated()).toContain(`${THIS_FILE}:`);
    } finally {
      watch.stop();
    }
  });
});

describe('environmentOfChunks', () => {
  const cases: {
    given: string;
    chunks: Parameters<typeof environmentOfChunks>[0];
    want: ReturnType<typeof environmentOfChunks>;
  }[] = [
    { given: 'no chunks', chunks: [], want: { read: {}, enumerated: null } },
    {
      given: 'reads of several chunks: every name once, sorted, the first chunk’s value',
      chunks: [
        { read: { Z: 'z1' }, enumerated: null },
        { read: { A: null, Z: 'z2' }, enumerated: null },
      ],
      want: { read: { A: null, Z: 'z1' }, enumerated: null },
    },
    {
      given: 'enumerations: the first chunk’s (in the order of the runs) that enumerated',
      chunks: [
        { read: {}, enumerated: null },
        { read: {}, enumerated: 'config.ts:9:1' },
        { read: {}, enumerated: 'config.ts:2:1' },
      ],
      want: { read: {}, enumerated: 'config.ts:9:1' },
    },
  ];
  it.each(cases)('$given', ({ chunks, want }) => {
    const got = environmentOfChunks(chunks);
    expect(got).toEqual(want);
    expect(Object.keys(got.read)).toEqual(Object.keys(want.read));
  });
});
