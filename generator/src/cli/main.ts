/**
 * The `ddikit` command line: dispatch to the commands in commands/, usage, and exit codes: 0 ok,
 * 1 findings (diagnostics, stale files, violations), 2 usage errors.
 */
import { diagnosticCodes } from '../diagnostics.js';
import { didYouMean } from '../names.js';
import { writeErrorLine } from './print.js';
import { scaffoldDiagnosticCodes } from '../render/scaffold.js';
import { generatorVersion } from '../version.js';
import { WriteError } from '../write/write.js';
import { checkUsage, runCheck } from './commands/check.js';
import { coverageUsage, runCoverage } from './commands/coverage.js';
import { exploreUsage, runExplore } from './commands/explore.js';
import { generateUsage, runGenerate } from './commands/generate.js';
import { importDocsUsage, runImportDocs } from './commands/import-docs.js';
import { initUsage, runInit } from './commands/init.js';
import { runScaffold, scaffoldUsage } from './commands/scaffold.js';
import { runSimulate, simulateUsage } from './commands/simulate.js';
import { runValidate, validateUsage } from './commands/validate.js';
import { nodeIo, type CliIo } from './io.js';
import { isParseArgsError, UsageError } from './arguments.js';

export type { CliIo } from './io.js';
export { nodeIo } from './io.js';

/** Each command: what runs it, and its lines of `ddikit --help`, in the order help lists them. */
const commands: readonly {
  name: string;
  run: (args: readonly string[], io: CliIo) => number | Promise<number>;
  usage: string;
}[] = [
  { name: 'init', run: runInit, usage: initUsage },
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
${commands.map((c) => c.usage).join('')}  ddikit --help | --version | help COMMAND

Exit codes: 0 ok, 1 findings (diagnostics, stale files, violations), 2 usage error.
`;

export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    const [name, ...rest] = argv;
    // `ddikit help COMMAND` is `ddikit COMMAND --help`.
    const asked = name === 'help' && rest.length === 1 ? commands.find((c) => c.name === rest[0]) : undefined;
    if (asked !== undefined) {
      io.stdout(`Usage:\n${asked.usage}`);
      return 0;
    }
    if (name === 'help' && rest.length > 0) {
      const names = commands.map((c) => c.name);
      throw new UsageError(
        rest.length === 1
          ? `unknown command ${JSON.stringify(rest[0])}.${didYouMean(rest[0]!, names)} Commands: ${names.join(', ')}.`
          : `help takes one command (got ${rest.map((r) => JSON.stringify(r)).join(' ')}). Commands: ${names.join(', ')}.`,
      );
    }
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
      const names = commands.map((c) => c.name);
      throw new UsageError(
        `unknown command ${JSON.stringify(name)}.${didYouMean(name, names)} Commands: ${names.join(', ')}.`,
      );
    }
    if (asksForHelp(rest)) {
      io.stdout(`Usage:\n${command.usage}`);
      return 0;
    }
    const args = negativeValuesAttached(rest);
    checkFlags(command, args);
    return await command.run(args, io);
  } catch (error) {
    if (error instanceof UsageError || isParseArgsError(error)) {
      const command = commands.find((c) => c.name === argv[0]);
      io.stderr(
        `ddikit: ${(error as Error).message}\nRun "ddikit ${command === undefined ? '' : `${command.name} `}--help" for usage.\n`,
      );
      return 2;
    }
    if (error instanceof WriteError) {
      io.stderr(`${writeErrorLine(error, io)}\n`);
      return 1;
    }
    throw error;
  }
}

/**
 * `--seeds -1` as `--seeds=-1`: node's parser takes a value that starts with a dash for an option of
 * its own and says the argument is "ambiguous"; attached, the value reaches the option's own check,
 * which says what the option takes ("--seeds must be an integer in 1..100000 (got "-1")").
 */
function negativeValuesAttached(args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') return [...out, ...args.slice(i)];
    const value = args[i + 1];
    if (arg.startsWith('--') && !arg.includes('=') && value !== undefined && /^-\d/.test(value)) {
      out.push(`${arg}=${value}`);
      i++;
    } else out.push(arg);
  }
  return out;
}

/** Whether --help or -h comes before a `--` that ends the options. */
function asksForHelp(args: readonly string[]): boolean {
  for (const arg of args) {
    if (arg === '--') return false;
    if (arg === '--help' || arg === '-h') return true;
  }
  return false;
}

/** The long flags a command declares: every --flag its usage text names. */
export function declaredFlags(usage: string): Set<string> {
  return new Set(usage.match(/--[a-z][a-z0-9-]*/g) ?? []);
}

/**
 * A usage error for the first long flag (before `--`) that the command does not declare, with the
 * declared flag it is closest to; the command's own parser checks the rest (values, short flags).
 */
function checkFlags(command: { name: string; usage: string }, args: readonly string[]): void {
  const declared = declaredFlags(command.usage);
  for (const arg of args) {
    if (arg === '--') return;
    // A short flag other than -h: compiler habits (-DNAME=1, -I…) get the long option that does it.
    if (/^-[A-Za-z]/.test(arg) && arg !== '-h') {
      const define = arg.startsWith('-D') && declared.has('--define');
      throw new UsageError(
        `unknown option ${JSON.stringify(arg.length > 2 && !define ? arg.slice(0, 2) : arg)} for ddikit ${command.name}: its options are long (--name).${define ? ` For a macro: --define ${arg.slice(2) || 'NAME=VALUE'}.` : ''}`,
      );
    }
    if (!arg.startsWith('--')) continue;
    const flag = arg.split('=', 1)[0]!;
    if (declared.has(flag)) continue;
    const suggestion = didYouMean(flag, declared);
    throw new UsageError(
      `unknown option ${JSON.stringify(flag)} for ddikit ${command.name}.${suggestion === '' ? ` Options: ${[...declared].sort().join(', ')}.` : suggestion}`,
    );
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
