/**
 * The command line's former module path. The harness tests under test/examples and test/explore
 * import the CLI's I/O type from here; the command line itself lives in cli/main.ts.
 */
export { main, nodeIo, run } from './cli/main.js';
export type { CliIo } from './cli/main.js';
