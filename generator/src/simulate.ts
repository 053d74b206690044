/**
 * The simulate command's former module path. The harness tests under test/examples import it from
 * here; the command lives in cli/commands/simulate.ts.
 */
export { runSimulate, simulateDefaults, simulateUsage } from './cli/commands/simulate.js';
