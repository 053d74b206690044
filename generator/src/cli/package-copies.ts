/**
 * Two copies of one of our packages in an install: a nested node_modules (npm installs a package
 * its dependents disagree on once per version; a workspace member can carry its own) or mismatched
 * versions. The harness is a set of packages that must see each other as one copy each — a C
 * miniport runs only on the @ddikit/sim it was defined with, and a role is declared with the
 * contracts of one @ddikit/ndis while the harness checks DDI calls against its own — so the driver
 * commands compare the folders Node resolves before a run, and refuse a split install as an install
 * error (both folders, their versions, the fix), not as a finding about the driver.
 */
import { readFileSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { displayPath } from '../paths.js';

/** The real folder of package `name` as Node resolves it from the module or package.json at `from`; null when it does not. */
export function packageFolder(name: string, from: string): string | null {
  try {
    return realpathSync(dirname(createRequire(from).resolve(`${name}/package.json`)));
  } catch {
    return null;
  }
}

/** A package folder as a message names it, with the version its package.json gives. */
export function packageShown(folder: string, cwd: string): string {
  let version = 'version unknown';
  try {
    version = String((JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) as { version?: unknown }).version);
  } catch {
    // the message names the folder all the same
  }
  return `${displayPath(folder, cwd)} (${version})`;
}

/**
 * The message refusing a TypeScript or JavaScript driver whose own modules resolve another
 * @ddikit/ndis than the @ddikit/sim that runs it, or null when they resolve one (or either does not
 * resolve: loading says why). `importers` are the driver's modules that import @ddikit/ndis,
 * `harness` the folder of the @ddikit/sim the driver runs on.
 *
 * Two copies of the same contracts would do no harm, but nothing tells the two apart from two
 * versions: the driver's roles would be checked against the contracts of its copy and its DDI calls
 * against the harness's, and the types it compiled against would not be the table it is handed.
 */
export function driverContractCopies(importers: readonly string[], harness: string | null, cwd: string): string | null {
  const harnessNdis = harness === null ? null : packageFolder('@ddikit/ndis', join(harness, 'package.json'));
  if (harnessNdis === null) return null;
  for (const file of importers) {
    const own = packageFolder('@ddikit/ndis', file);
    if (own === null || own === harnessNdis) continue;
    return `two copies of @ddikit/ndis are installed: ${displayPath(file, cwd)} imports ${packageShown(own, cwd)}, @ddikit/sim (${displayPath(harness!, cwd)}) checks drivers against ${packageShown(harnessNdis, cwd)}, and the driver's roles would be checked against the contracts of one copy while its DDI calls are checked against the other's. Make them one: npm dedupe, or install the @ddikit/ndis version that @ddikit/sim asks for; npm ls @ddikit/ndis then lists one.`;
  }
  return null;
}

/**
 * The message refusing a C driver when @ddikit/sim-c resolves another copy of @ddikit/sim, or of
 * @ddikit/ndis, than the @ddikit/sim the CLI resolves from `from`; null when each is one copy (or
 * one of them does not resolve: loading says why).
 */
export function cHarnessCopies(cwd: string, from: string): string | null {
  const cliSim = packageFolder('@ddikit/sim', from);
  const simC = packageFolder('@ddikit/sim-c', from);
  if (cliSim === null || simC === null) return null;
  const simCSim = packageFolder('@ddikit/sim', join(simC, 'package.json'));
  if (simCSim !== null && simCSim !== cliSim)
    return `two copies of @ddikit/sim are installed: ddikit runs drivers on ${packageShown(cliSim, cwd)}, @ddikit/sim-c defines C drivers with ${packageShown(simCSim, cwd)}, and a C driver runs only on the copy it was defined with. Make them one: npm dedupe, or install matching versions of @ddikit/generator, @ddikit/sim and @ddikit/sim-c; npm ls @ddikit/sim then lists one.`;
  const simNdis = packageFolder('@ddikit/ndis', join(cliSim, 'package.json'));
  const simCNdis = packageFolder('@ddikit/ndis', join(simC, 'package.json'));
  if (simNdis !== null && simCNdis !== null && simNdis !== simCNdis)
    return `two copies of @ddikit/ndis are installed: @ddikit/sim-c declares a C driver's roles with ${packageShown(simCNdis, cwd)}, @ddikit/sim checks drivers against ${packageShown(simNdis, cwd)}, and the driver's roles would be checked against the contracts of one copy while its DDI calls are checked against the other's. Make them one: npm dedupe, or install the @ddikit/ndis version that @ddikit/sim and @ddikit/sim-c ask for; npm ls @ddikit/ndis then lists one.`;
  return null;
}
