/**
 * Imported first by the test files that run drivers through `ddikit simulate` and `ddikit explore`:
 * the driver threads those commands start (and the processes the files spawn) then run the builds
 * `npm install` makes instead of compiling TypeScript sources again in every thread, which was
 * about 1 s of CPU per thread, and these files start hundreds of them:
 * - `@ddikit/sim` and `@ddikit/ndis` load as a user's project loads them, from their builds through
 *   node_modules (the root tsconfig's `paths` point tsx at the sources);
 * - the thread's own module is the generator's build of driver-worker.ts (DDIKIT_TEST_BUILT_WORKER,
 *   driver-run.ts).
 * The commands' own code still runs from the sources. A build older than the sources would test
 * old code: the files stop at once, naming what changed, until `npm run build` is run. Without a
 * build the threads compile the sources, as before (the files that spawn the built `ddikit`, such as
 * hostile-folders, need the build whatever this module does; `npm install` makes it).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { changesSinceBuild, listChanges } from '../generator/scripts/built-from.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const tsconfig = fileURLToPath(new URL('./tsconfig.installed.json', import.meta.url));
const packages = ['packages/ndis', 'packages/sim', 'packages/sim-c', 'packages/cc', 'generator'];

if (existsSync(`${root}packages/sim/dist/index.js`)) {
  for (const dir of packages) {
    const changed = changesSinceBuild(`${root}${dir}`);
    if (changed === null || changed.length > 0)
      throw new Error(
        changed === null
          ? `${dir}/dist is not a build of "npm run build": run it, then the tests again.`
          : `${dir}/dist is older than its sources: ${listChanges(changed)} since the build; run "npm run build", then the tests again.`,
      );
  }
  process.env['TSX_TSCONFIG_PATH'] ??= tsconfig;
  process.env['DDIKIT_TEST_BUILT_WORKER'] = '1';
}
