/**
 * The names of the benchmarks, in the order `npm run bench` runs them. A module of its own, with no
 * imports, so that a test can read the list without running (or loading) any benchmark; run.ts maps
 * every name to its function, and the compiler holds the two to the same names.
 */
export const benchNames = [
  'generate',
  'generate-synthetic',
  'import',
  'sim',
  'explore',
  'parallel',
  'weight',
  'c',
] as const;

export type BenchName = (typeof benchNames)[number];
