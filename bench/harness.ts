/**
 * A tiny benchmark harness: runs a case and its baseline alternately in the same process, takes the
 * median of several rounds, and prints the ratio. Targets are checked and printed, never asserted in
 * tests: machines differ, ratios measured in one run do not.
 */

/**
 * Quick mode (DDIKIT_BENCH_QUICK=1): every bench runs the same code, with its checks, at the smallest
 * sizes that still reach it (one round, no warm-up, small budgets). The test suite runs it as a smoke
 * test; its figures measure nothing.
 */
export const QUICK = process.env.DDIKIT_BENCH_QUICK === '1';

/** `full` normally, `quick` in quick mode: every size, round count and budget goes through here. */
export function scaled<T>(full: T, quick: T): T {
  return QUICK ? quick : full;
}

/** Warm-up runs before the measured rounds. */
export const WARMUP = scaled(2, 0);

export interface Measurement {
  name: string;
  /** Median milliseconds per round. */
  medianMs: number;
  rounds: number;
}

export function measure(name: string, run: () => void, rounds: number, warmup = WARMUP): Measurement {
  for (let i = 0; i < warmup; i++) run();
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const started = process.hrtime.bigint();
    run();
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  times.sort((a, b) => a - b);
  return { name, medianMs: times[Math.floor(times.length / 2)]!, rounds };
}

/** Measures a and b interleaved so drift affects both alike. */
export function compare(
  a: { name: string; run: () => void },
  b: { name: string; run: () => void },
  rounds: number,
): [Measurement, Measurement] {
  const ta: number[] = [];
  const tb: number[] = [];
  for (let i = 0; i < WARMUP; i++) {
    a.run();
    b.run();
  }
  for (let i = 0; i < rounds; i++) {
    let started = process.hrtime.bigint();
    a.run();
    ta.push(Number(process.hrtime.bigint() - started) / 1e6);
    started = process.hrtime.bigint();
    b.run();
    tb.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  const median = (t: number[]): number => t.sort((x, y) => x - y)[Math.floor(t.length / 2)]!;
  return [
    { name: a.name, medianMs: median(ta), rounds },
    { name: b.name, medianMs: median(tb), rounds },
  ];
}

export interface Result {
  bench: string;
  metric: string;
  value: number;
  unit: string;
  target: string;
  met: boolean;
}

export function report(results: readonly Result[]): void {
  for (const r of results) {
    const value =
      r.unit === '×'
        ? r.value.toFixed(2)
        : r.value >= 100
          ? Math.round(r.value).toLocaleString('en-US')
          : r.value.toFixed(3);
    process.stdout.write(
      `${r.met ? 'ok  ' : 'MISS'}  ${r.bench.padEnd(28)} ${r.metric.padEnd(44)} ${`${value} ${r.unit}`.padStart(16)}   target ${r.target}\n`,
    );
  }
}
