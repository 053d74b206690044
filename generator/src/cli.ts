/**
 * The command line's former module path. The harness tests under test/examples import the CLI's
 * I/O type from here; the command line itself lives in cli/main.ts.
 */
export { main, run } from './cli/main.js';
export { nodeIo } from './cli/io.js';
export type { CliIo } from './cli/io.js';
