/**
 * Large inputs stay linear: one enum of 150,000 members, 150,000 constants, a mapping of 150,000
 * keys, and 1 then 8 MB of entries. Each is generated in a process of its own with a timeout
 * (large-spec-run.ts), so a quadratic stage or a crash (a call stack overflowed by spreading a long
 * list into arguments) fails here. The time ratio against the bundled spec is the bench's to print
 * (bench/generate.bench.ts); the bounds here are far above what a linear run takes. 150,000 is past
 * where Node 20 stops spreading a list into arguments (between 125,000 and 130,000 with the default
 * stack, less deeper down it), and a quadratic stage at that size takes hours.
 */
import '../built-harness.js';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bundled } from '../../generator/src/paths.js';

const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const runner = join(bundled.root, 'test/hardening/large-spec-run.ts');

interface Outcome {
  ms: number;
  files: number;
  diagnostics: number;
  first: string[];
}

function generateLarge(kind: string, size: number, timeoutMs: number): Outcome {
  // The generator's build (built-harness.js checked it and set TSX_TSCONFIG_PATH): compiling its
  // sources through tsx took about 0.75 s of each process.
  const result = spawnSync(process.execPath, ['--import', tsx, runner, kind, String(size)], {
    encoding: 'utf8',
    timeout: timeoutMs,
    maxBuffer: 16 * 1024 * 1024,
  });
  if (result.status !== 0) {
    throw new Error(
      `${kind} ${size}: ${result.error ? result.error.message : `exit ${result.status}`}\n${result.stderr.split('\n').slice(0, 8).join('\n')}`,
    );
  }
  return JSON.parse(result.stdout) as Outcome;
}

describe('large specs are generated in bounded time, without a crash', () => {
  it('one enum of 150,000 members', () => {
    const outcome = generateLarge('enum', 150_000, 120_000);
    expect(outcome.first).toEqual([]);
    expect(outcome.files).toBeGreaterThan(0);
  }, 150_000);

  it('150,000 constants', () => {
    const outcome = generateLarge('constants', 150_000, 120_000);
    expect(outcome.first).toEqual([]);
    expect(outcome.files).toBeGreaterThan(0);
  }, 150_000);

  it('a mapping of 150,000 keys is rejected key by key', () => {
    const outcome = generateLarge('keys', 150_000, 120_000);
    expect(outcome.diagnostics).toBe(150_000);
    expect(outcome.first[0]).toMatch(
      /^spec\/ndis\/keys\.yaml:3:1 - error DDI1002: the file has no property "unknownKey0"\./,
    );
  }, 150_000);

  it('the bundled spec three times over, entries renamed, is a valid spec of three times the files', () => {
    // The generation bench's 10× spec is made this way: a spec change that breaks the renaming
    // (a new kind of name, a naming rule) shows here, not as a bench that stops with no figure.
    const once = generateLarge('copies', 1, 120_000);
    const thrice = generateLarge('copies', 3, 120_000);
    expect(thrice.first).toEqual([]);
    expect(once.first).toEqual([]);
    expect(thrice.files).toBeGreaterThan(2.9 * once.files);
  }, 150_000);

  it('8 MB of entries takes about eight times as long as 1 MB, not 64', () => {
    // Eight times the input: a linear run takes about 8× (less: both pay the same start-up), a
    // quadratic one 64×. The bound sits between them, with room for a busy machine slowing one run
    // of the two down by half. Half the most a file may hold (16 MB): the ratio tells the two apart
    // as well, for half the time; adversarial.test.ts validates a 10 MB spec and rejects one over
    // 16 MB unparsed.
    const small = generateLarge('bytes', 1024 * 1024, 120_000);
    const large = generateLarge('bytes', 8 * 1024 * 1024, 120_000);
    expect(small.first).toEqual([]);
    expect(large.first).toEqual([]);
    expect(large.files).toBeGreaterThan(7.5 * small.files);
    expect(large.ms / small.ms).toBeLessThan(20);
  }, 300_000);
});
