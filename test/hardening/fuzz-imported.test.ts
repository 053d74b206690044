/** The bounded fuzz run over the imported spec files, generated with the whole spec (fuzz-run.ts). */
import { describe, expect, it } from 'vitest';
import { catchProcessWarnings, fuzz, imported, importedRuns, seed, sources } from './fuzz-run.js';

catchProcessWarnings();

describe('fuzzing the spec pipeline', () => {
  it.runIf(imported.length > 0)(
    `${importedRuns} mutated imported specs, generated with the whole spec (seed ${seed})`,
    () => {
      const { withErrors, generated } = fuzz(sources, imported, importedRuns);
      expect(withErrors + generated).toBe(importedRuns);
    },
    3_600_000,
  );
});
