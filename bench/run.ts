/** `npm run bench`: every benchmark, each printing its ratio against a baseline measured in the same run. */
import { benchC } from './c.bench.js';
import { benchExplore } from './explore.bench.js';
import { benchGenerate, benchGenerateSynthetic } from './generate.bench.js';
import { report, type Result } from './harness.js';
import { benchImport } from './import.bench.js';
import { benchParallel } from './parallel.bench.js';
import { benchSim } from './sim.bench.js';
import { benchWeight } from './weight.bench.js';

const benches: [string, () => Result[] | Promise<Result[]>][] = [
  ['generate', benchGenerate],
  ['generate-synthetic', benchGenerateSynthetic],
  ['import', benchImport],
  ['sim', benchSim],
  ['explore', benchExplore],
  ['parallel', benchParallel],
  ['weight', benchWeight],
  ['c', benchC],
];

const only = process.argv[2];
const results: Result[] = [];
for (const [name, bench] of benches) {
  if (only && name !== only) continue;
  results.push(...(await bench()));
}
report(results);
const missed = results.filter((r) => !r.met);
process.stdout.write(`\n${results.length - missed.length} of ${results.length} figures within target.\n`);
