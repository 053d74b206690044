/**
 * `ddikit check <driver.c> [more.c …]`: the static role check of a C miniport, what clang accepts but
 * Code Analysis reports in its C28023 class — a function declared with one role stored or passed
 * where another role is expected though the C signatures match (an enable function in
 * DisableInterruptHandler), and a handler with no role declaration. The driver must compile first
 * (wasm32 and the x64 syntax pass). Exit 0 no findings, 1 findings or a driver that does not compile,
 * 2 usage errors.
 */
import { parseArgs } from 'node:util';
import { CCompileFailedError, CDriverError, checkCDriver, isCSource } from '../c-driver.js';
import type { CliIo } from '../io.js';
import { isParseArgsError, UsageError } from '../arguments.js';
import { plural } from '../print.js';
import { defineOption } from './run-options.js';

export const checkUsage = `  ddikit check FILE.c [MORE.c …] [--define NAME[=VALUE]] [--json]
      Check the roles of a C miniport statically: every handler stored in a structure field or
      passed to a DDI must be declared with the role that place takes (MINIPORT_ISR MyIsr;).
      Exit 0 when there is nothing to report, 1 on findings or when the driver does not compile,
      2 on usage errors (a source that is not there, the C packages not installed).
      --define NAME[=VALUE]
                           define the macro NAME (to VALUE, or 1), as -D does; once per macro
      --json               print the findings as JSON
`;

export async function runCheck(args: readonly string[], io: CliIo): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout(`Usage:\n${checkUsage}`);
    return 0;
  }
  let values: { json?: boolean; define?: string[] };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: [...args],
      options: { json: { type: 'boolean' }, define: { type: 'string', multiple: true } },
      strict: true,
      allowPositionals: true,
    }));
  } catch (error) {
    if (isParseArgsError(error)) throw new UsageError((error as Error).message);
    throw error;
  }
  if (positionals.length === 0) throw new UsageError('check needs C sources, e.g. ddikit check drv/contoso.c.');
  const other = positionals.find((path) => !isCSource(path));
  if (other !== undefined) throw new UsageError(`check takes C sources (.c); ${JSON.stringify(other)} is not one.`);
  let result: Awaited<ReturnType<typeof checkCDriver>>;
  try {
    result = await checkCDriver(
      positionals,
      io.cwd,
      defineOption(values.define, (message) => new UsageError(message)),
    );
  } catch (error) {
    if (error instanceof CDriverError) {
      // A driver that does not compile is a finding (exit 1, as JSON too with --json); packages not
      // installed, or a source that is not there, are usage errors (exit 2, as simulate gives them).
      const compileFailed = error instanceof CCompileFailedError;
      if (compileFailed && values.json === true)
        io.stdout(`${JSON.stringify({ error: 'cannot-compile', message: error.message }, null, 2)}\n`);
      io.stderr(`ddikit: ${error.message}\n`);
      return compileFailed ? 1 : 2;
    }
    throw error;
  }
  if (values.json === true) {
    io.stdout(`${JSON.stringify({ declarations: result.declarations, findings: result.findings }, null, 2)}\n`);
  } else {
    if (result.warnings !== '') io.stderr(result.warnings);
    for (const f of result.findings) io.stdout(`${f.file}:${f.line}:${f.column} - error ${f.code}: ${f.message}\n`);
    io.stdout(
      result.findings.length === 0
        ? `${plural(result.declarations, 'function')} declared with roles; every handler is declared with the role its place takes.\n`
        : `${plural(result.findings.length, 'finding')}.\n`,
    );
  }
  return result.findings.length === 0 ? 0 : 1;
}
