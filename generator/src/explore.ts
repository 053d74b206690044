/**
 * The explore command's former module path. The harness tests under test/explore import it from
 * here; the command lives in cli/commands/explore.ts.
 */
export { exploreDefaults, exploreUsage, runExplore } from './cli/commands/explore.js';
export type { ExploreIo } from './cli/commands/explore.js';
