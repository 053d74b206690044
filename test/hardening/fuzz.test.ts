/** The bounded fuzz run over the curated spec files (fuzz-run.ts says what is checked). */
import { describe, expect, it } from 'vitest';
import { catchProcessWarnings, curated, fuzz, runs, seed } from './fuzz-run.js';

catchProcessWarnings();

describe('fuzzing the spec pipeline', () => {
  it(`${runs} mutated curated specs: no exception, no stack trace, every diagnostic inside its file (seed ${seed})`, () => {
    expect(curated.length).toBeGreaterThan(2);
    const { withErrors, generated } = fuzz(curated, curated, runs);
    // The mutations must reach both outcomes, or the fuzzer tests nothing.
    expect(withErrors).toBeGreaterThan(runs / 10);
    expect(generated).toBeGreaterThan(0);
  }, 3_600_000);
});
