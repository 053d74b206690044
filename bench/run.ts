/** `npm run bench`: every benchmark, each printing its ratio against a baseline measured in the same run. */
import { type BenchName, benchNames } from './benches.js';
import { benchC } from './c.bench.js';
import { benchExplore } from './explore.bench.js';
import { benchGenerate, benchGenerateSynthetic } from './generate.bench.js';
import { QUICK, report, type Result } from './harness.js';
import { benchImport } from './import.bench.js';
import { benchParallel } from './parallel.bench.js';
import { benchSim } from './sim.bench.js';
import { benchWeight } from './weight.bench.js';

const benchFunctions: Record<BenchName, () => Result[] | Promise<Result[]>> = {
  generate: benchGenerate,
  'generate-synthetic': benchGenerateSynthetic,
  import: benchImport,
  sim: benchSim,
  explore: benchExplore,
  parallel: benchParallel,
  weight: benchWeight,
  c: benchC,
};
const benches = benchNames.map((name) => [name, benchFunctions[name]] as const);

// `npm run bench -- sim explore` runs those two; no name runs them all.
const only = process.argv.slice(2);
const unknown = only.filter((name) => !benches.some(([known]) => known === name));
if (unknown.length > 0) {
  process.stderr.write(
    `error: no benchmark named ${unknown.map((n) => `"${n}"`).join(', ')}; the benchmarks are ${benches.map(([n]) => n).join(', ')}.\n`,
  );
  process.exit(2);
}
if (QUICK) process.stdout.write('quick mode (DDIKIT_BENCH_QUICK=1): figures are not measurements\n');
const results: Result[] = [];
for (const [name, bench] of benches) {
  if (only.length > 0 && !only.includes(name)) continue;
  results.push(...(await bench()));
}
report(results);
const missed = results.filter((r) => !r.met);
process.stdout.write(`\n${results.length - missed.length} of ${results.length} figures within target.\n`);
