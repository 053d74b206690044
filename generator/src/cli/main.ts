/**
 * The `ddikit` command line: dispatch to the commands in commands/, usage, and exit codes: 0 ok,
 * 1 findings (diagnostics, stale files, violations), 2 usage errors.
 */
import { diagnosticCodes } from '../diagnostics.js';
import { writeErrorLine } from './print.js';
import { scaffoldDiagnosticCodes } from '../render/scaffold.js';
import { generatorVersion } from '../version.js';
import { WriteError } from '../write/write.js';
import { checkUsage, runCheck } from './commands/check.js';
import { coverageUsage, runCoverage } from './commands/coverage.js';
import { exploreUsage, runExplore } from './commands/explore.js';
import { generateUsage, runGenerate } from './commands/generate.js';
import { importDocsUsage, runImportDocs } from './commands/import-docs.js';
import { runScaffold, scaffoldUsage } from './commands/scaffold.js';
import { runSimulate, simulateUsage } from './commands/simulate.js';
import { runValidate, validateUsage } from './commands/validate.js';
import { nodeIo, type CliIo } from './io.js';
import { isParseArgsError, UsageError } from './options.js';

export type { CliIo } from './io.js';
export { nodeIo } from './io.js';

/** Each command: what runs it, and its lines of `ddikit --help`, in the order help lists them. */
const commands: readonly {
  name: string;
  run: (args: readonly string[], io: CliIo) => number | Promise<number>;
  usage: string;
}[] = [
  { name: 'generate', run: runGenerate, usage: generateUsage },
  { name: 'validate', run: runValidate, usage: validateUsage },
  { name: 'scaffold', run: runScaffold, usage: scaffoldUsage },
  { name: 'import-docs', run: runImportDocs, usage: importDocsUsage },
  { name: 'coverage', run: runCoverage, usage: coverageUsage },
  { name: 'simulate', run: runSimulate, usage: simulateUsage },
  { name: 'explore', run: runExplore, usage: exploreUsage },
  { name: 'check', run: runCheck, usage: checkUsage },
];

const usage = `ddikit — typed Windows DDI role types, IRQL contracts, C scaffolds and a runtime harness

Usage:
${commands.map((c) => c.usage).join('')}  ddikit --help | --version

Exit codes: 0 ok, 1 findings (diagnostics, stale files, violations), 2 usage error.
`;

export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    const [name, ...rest] = argv;
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
      io.stdout(usage + codesHelp());
      return name === undefined ? 2 : 0;
    }
    if (name === '--version' || name === '-v') {
      io.stdout(`${generatorVersion()}\n`);
      return 0;
    }
    const command = commands.find((c) => c.name === name);
    if (command === undefined) {
      throw new UsageError(
        `unknown command ${JSON.stringify(name)}. Commands: generate, validate, scaffold, import-docs, coverage, simulate, explore, check.`,
      );
    }
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError || isParseArgsError(error)) {
      io.stderr(`ddikit: ${(error as Error).message}\nRun "ddikit --help" for usage.\n`);
      return 2;
    }
    if (error instanceof WriteError) {
      io.stderr(`${writeErrorLine(error, io)}\n`);
      return 1;
    }
    throw error;
  }
}

function codesHelp(): string {
  const lines = Object.entries({ ...diagnosticCodes, ...scaffoldDiagnosticCodes }).map(
    ([code, what]) => `  ${code}  ${what}`,
  );
  return `\nDiagnostic codes:\n${lines.join('\n')}\n`;
}

/** The `ddikit` binary: runs with the process's arguments and streams, and sets the exit code. */
export async function run(): Promise<void> {
  const code = await main(process.argv.slice(2), nodeIo());
  process.exitCode = code;
}
