/**
 * Imported first by the test files that run drivers through `ddikit simulate` and `ddikit explore`:
 * the driver threads those commands start (and the processes the files spawn) then load
 * `@ddikit/sim` and `@ddikit/ndis` as a user's project does, from their builds through
 * node_modules, instead of compiling their TypeScript sources again in every thread (the root
 * tsconfig's `paths` point tsx at the sources). That was about 0.6 s of CPU per thread, and these
 * files start hundreds of them. The commands' own code still runs from the sources; the harness the
 * threads run is the build `npm install` makes (`npm run build` after changing it), as for every
 * test that runs the built `ddikit`.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const tsconfig = fileURLToPath(new URL('./tsconfig.installed.json', import.meta.url));
const built = fileURLToPath(new URL('../packages/sim/dist/index.js', import.meta.url));

// Only when the build is there: without it the threads compile the sources, as before.
if (process.env['TSX_TSCONFIG_PATH'] === undefined && existsSync(built)) process.env['TSX_TSCONFIG_PATH'] = tsconfig;
