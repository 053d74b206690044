/**
 * Every benchmark in quick mode (DDIKIT_BENCH_QUICK=1: the same code at the smallest sizes): the
 * benches are too slow for the suite at their real sizes, so a bench that throws, or prints a figure
 * that is not a number, would otherwise go unseen until someone runs `npm run bench`. The figures
 * themselves are not looked at, only that each is there and is a finite number.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type BenchName, benchNames } from '../../bench/benches.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const runner = join(root, 'bench/run.ts');

/** The import bench leaves its import-docs figures out when the reference pages are not there. */
const pagesFound = existsSync(join(root, '..', 'shared', 'ddi-docs', 'ndis'));

/**
 * The bench column of the figures each benchmark of bench/run.ts prints: every one must show up.
 * Keyed by the names in bench/benches.ts, so a benchmark added there fails to compile here until it
 * is listed.
 */
const columns: Record<BenchName, (string | RegExp)[]> = {
  generate: ['generate (bundled spec)'],
  'generate-synthetic': [/^generate \(synthetic \d+×\) /],
  import: ['generate (full surface)', ...(pagesFound ? ['import-docs (NDIS pages)'] : []), 'tsc --noEmit (consumer)'],
  sim: ['synchronize round trip', 'interrupts end to end', 'context tracking', 'new simulation'],
  explore: ['explore (lost interrupt, K=2)', 'storm, trace on'],
  parallel: ['worker threads', 'explore shards'],
  weight: ['weight'],
  c: [
    'C compile (e1000-line.c, -O2 -g, UBSan, x64 pass)',
    'synchronize round trip from C, verifier on',
    'e1000 line interrupts end to end, verifier on',
  ],
};

function bench(args: string[], env: Record<string, string>, timeoutMs: number) {
  return spawnSync(process.execPath, ['--import', tsx, runner, ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: timeoutMs,
    maxBuffer: 16 * 1024 * 1024,
  });
}

/**
 * A figure line as harness.ts's report() prints it: status, the bench and metric columns, the value
 * (a plain or comma-grouped decimal, never NaN or ∞) and its unit, then the target.
 */
const figure = /^(ok {2}|MISS) {2}(.+) (-?\d{1,3}(?:,\d{3})*(?:\.\d+)?|-?\d+\.\d+) (\S+) {3}target (.+)$/;

describe('npm run bench in quick mode', () => {
  it('runs every benchmark to the end, each printing finite figures', () => {
    const ran = bench([], { DDIKIT_BENCH_QUICK: '1' }, 150_000);
    const output = `exit ${ran.status} ${ran.signal ?? ''} ${ran.error?.message ?? ''}\nstderr:\n${ran.stderr}\nstdout:\n${ran.stdout}`;
    expect(ran.status, output).toBe(0);
    expect(ran.stderr, output).not.toMatch(/^\s+at .+[:(]\d+/m);
    expect(ran.stderr, output).not.toMatch(/\bError\b/);

    const lines = ran.stdout.split('\n');
    expect(lines[0]).toBe('quick mode (DDIKIT_BENCH_QUICK=1): figures are not measurements');
    const figureLines = lines.filter((line) => /^(ok|MISS)\b/.test(line));
    const known = Object.values(columns)
      .flat()
      .sort((a, b) => String(b).length - String(a).length);
    const seen = new Set<string | RegExp>();
    let within = 0;
    for (const line of figureLines) {
      const match = figure.exec(line);
      expect(match, `not a figure with a finite value: ${line}`).not.toBeNull();
      const [, status, columnsText, value] = match!;
      expect(Number.isFinite(Number(value!.replaceAll(',', ''))), line).toBe(true);
      if (status === 'ok  ') within++;
      // The longest bench name first: "synchronize round trip" starts "synchronize round trip from C".
      const column = known.find((name) =>
        typeof name === 'string' ? columnsText!.startsWith(`${name} `) : name.test(columnsText!),
      );
      expect(column, `a figure of no bench this test knows: ${line}`).toBeDefined();
      seen.add(column!);
    }
    for (const name of benchNames) {
      for (const column of columns[name]) {
        expect(seen.has(column), `bench ${name} printed no figure under "${column}"\n${ran.stdout}`).toBe(true);
      }
    }

    const summary = /^(\d+) of (\d+) figures within target\.$/m.exec(ran.stdout);
    expect(summary, ran.stdout).not.toBeNull();
    expect(Number(summary![2])).toBe(figureLines.length);
    expect(Number(summary![1])).toBe(within);
  }, 160_000);

  it('stops with exit code 2 at a bench name it does not know', () => {
    const ran = bench(['sim', 'no-such-bench'], { DDIKIT_BENCH_QUICK: '1' }, 30_000);
    expect(ran.status, ran.stderr).toBe(2);
    expect(ran.stderr).toBe(
      `error: no benchmark named "no-such-bench"; the benchmarks are ${benchNames.join(', ')}.\n`,
    );
    expect(ran.stdout).toBe('');
  });
});
