/**
 * The `ddikit` command line. Exit codes: 0 ok, 1 findings (diagnostics, stale files, violations),
 * 2 usage errors.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { parseArgs, styleText } from 'node:util';
import { coverage, formatCoverage } from '../spec/coverage.js';
import {
  compareStrings,
  diagnosticCodes,
  formatDiagnostic,
  formatSummary,
  hasErrors,
  type Diagnostic,
} from '../diagnostics.js';
import { importedMark } from '../import/emit.js';
import { importDocs, type ImportSummary } from '../import/import-docs.js';
import type { PageSource } from '../import/page.js';
import { load } from '../spec/load.js';
import { bundled } from '../paths.js';
import { check, generate } from '../pipeline.js';
import { generatedDirs } from '../render/render.js';
import { scaffold, scaffoldDiagnosticCodes } from '../render/scaffold.js';
import { displayPath, readSpecSources } from '../spec/read-spec-folder.js';
import { exploreUsage, runExplore } from './commands/explore.js';
import { runSimulate, simulateUsage } from './commands/simulate.js';
import { readSchema } from '../spec/validate.js';
import { applyWrite, planWrite, withOutputLock, WriteError } from '../write/write.js';

export interface CliIo {
  cwd: string;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Colors only on a terminal. */
  color: boolean;
}

class UsageError extends Error {}

const usage = `ddikit — typed Windows DDI role types, IRQL contracts, C scaffolds and a runtime harness

Usage:
  ddikit generate [--spec DIR] [--out DIR] [--check] [--json]
      Regenerate declarations, metadata, the C header and reference pages from the spec.
      --spec DIR   spec folder (default: the bundled spec/)
      --out DIR    output package folder (default: packages/ndis; required with --spec)
      --check      write nothing; list files that are stale and exit 1 if any
  ddikit validate [--spec DIR] [--json]
      Check the spec and print every problem; write nothing.
  ddikit scaffold --role ROLE:Name [--role ROLE:Name ...] --out DIR [--lang c|ts] [--name BASE] [--force]
      Write a driver scaffold: for C a .h with role-type declarations and a .c with
      _Use_decl_annotations_ definitions; for TypeScript a module against @ddikit/ndis.
      An existing file is never overwritten without --force; with --force it is kept as FILE.bak.
  ddikit import-docs DIR --out DIR [--with-text] [--check] [--json]
      Read the Windows DDI reference pages in DIR (YAML front matter + sections) and write spec
      YAML of their facts to --out: names, kinds, header, first version, parameters with their
      directions, return types where stated, compliance rules, see-also links, IRQL contracts.
      A bad page gets a diagnostic and never stops the others; files are written all-or-nothing.
      --with-text  keep the pages' descriptions too (for your own copy of the docs; never commit)
      --check      write nothing; exit 1 if the files in --out differ from a fresh import
  ddikit coverage [--spec DIR] [--json]
      Print how much of the spec is known: entries by kind, IRQL contracts resolved, conditional
      or unknown, parameters typed or unknown, curated overrides, and conflicts with the docs.
${simulateUsage.replace(/\n+$/, '')}
${exploreUsage.replace(/\n+$/, '')}
  ddikit --help | --version

Exit codes: 0 ok, 1 findings (diagnostics, stale files, violations), 2 usage error.
`;

export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    const [command, ...rest] = argv;
    if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
      io.stdout(usage + codesHelp());
      return command === undefined ? 2 : 0;
    }
    if (command === '--version' || command === '-v') {
      io.stdout(`${version()}\n`);
      return 0;
    }
    switch (command) {
      case 'generate':
        return runGenerate(rest, io);
      case 'validate':
        return runValidate(rest, io);
      case 'scaffold':
        return runScaffold(rest, io);
      case 'import-docs':
        return runImportDocs(rest, io);
      case 'simulate':
        return await runSimulate(rest, io);
      case 'explore':
        return await runExplore(rest, io);
      case 'coverage':
        return runCoverage(rest, io);
      default:
        throw new UsageError(
          `unknown command ${JSON.stringify(command)}. Commands: generate, validate, scaffold, import-docs, coverage, simulate, explore.`,
        );
    }
  } catch (error) {
    if (error instanceof UsageError || isParseArgsError(error)) {
      io.stderr(`ddikit: ${(error as Error).message}\nRun "ddikit --help" for usage.\n`);
      return 2;
    }
    if (error instanceof WriteError) {
      io.stderr(`ddikit: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

function isParseArgsError(error: unknown): boolean {
  const code = (error as { code?: string } | undefined)?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}

function codesHelp(): string {
  const lines = Object.entries({ ...diagnosticCodes, ...scaffoldDiagnosticCodes }).map(
    ([code, what]) => `  ${code}  ${what}`,
  );
  return `\nDiagnostic codes:\n${lines.join('\n')}\n`;
}

function version(): string {
  const pkg = JSON.parse(readFileSync(join(bundled.root, 'generator', 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

interface SpecOptions {
  specDir: string;
  custom: boolean;
}

function specOption(value: string | undefined, io: CliIo): SpecOptions {
  if (value === undefined) return { specDir: bundled.specDir, custom: false };
  const specDir = resolve(io.cwd, value);
  if (!existsSync(specDir) || !statSync(specDir).isDirectory()) {
    throw new UsageError(`--spec ${JSON.stringify(value)} is not a folder.`);
  }
  return { specDir, custom: true };
}

function loadSources(spec: SpecOptions, io: CliIo) {
  return readSpecSources(spec.specDir, io.cwd);
}

function printDiagnostics(diagnostics: readonly Diagnostic[], io: CliIo, json: boolean, extra: object = {}): void {
  if (json) {
    io.stdout(`${JSON.stringify({ diagnostics, ...extra }, null, 2)}\n`);
    return;
  }
  for (const d of diagnostics) {
    const line = formatDiagnostic(d);
    io.stderr(
      `${io.color ? line.replace(/ (error|warning) (DDI\d+)/, (_m, s: string, c: string) => ` ${styleText(s === 'error' ? 'red' : 'yellow', s)} ${styleText('gray', c)}`) : line}\n`,
    );
  }
  if (diagnostics.length > 0) io.stderr(`\n${formatSummary(diagnostics)}\n`);
}

function noSpecFiles(spec: SpecOptions, io: CliIo): Diagnostic {
  return {
    file: displayPath(spec.specDir, io.cwd),
    line: 1,
    col: 1,
    severity: 'error',
    code: 'DDI1010',
    message: `no .yaml file in the spec folder. Add spec files, or point --spec at the folder that holds them.`,
  };
}

function runValidate(args: readonly string[], io: CliIo): number {
  const { values } = parseArgs({
    args: [...args],
    options: { spec: { type: 'string' }, json: { type: 'boolean' } },
    strict: true,
    allowPositionals: false,
  });
  const spec = specOption(values.spec, io);
  const sources = loadSources(spec, io);
  const result = check(sources, { schema: readSchema(bundled.schemaPath) });
  const diagnostics = sources.length === 0 ? [noSpecFiles(spec, io)] : result.diagnostics;
  printDiagnostics(diagnostics, io, values.json === true, { files: sources.length });
  if (hasErrors(diagnostics)) return 1;
  if (!values.json) {
    const model = result.model!;
    io.stdout(
      `${sources.length} spec files are valid: ${model.roles.length} roles, ${model.functions.length} functions, ${model.types.length} types, ${model.constants.length} constants.\n`,
    );
  }
  return 0;
}

function runGenerate(args: readonly string[], io: CliIo): number {
  const { values } = parseArgs({
    args: [...args],
    options: {
      spec: { type: 'string' },
      out: { type: 'string' },
      check: { type: 'boolean' },
      json: { type: 'boolean' },
    },
    strict: true,
    allowPositionals: false,
  });
  const spec = specOption(values.spec, io);
  if (spec.custom && values.out === undefined) {
    throw new UsageError('--out is required with --spec, so a custom spec never overwrites the bundled package.');
  }
  const outDir = values.out === undefined ? bundled.outDir : resolve(io.cwd, values.out);
  const json = values.json === true;
  const sources = loadSources(spec, io);
  if (sources.length === 0) {
    printDiagnostics([noSpecFiles(spec, io)], io, json);
    return 1;
  }
  const result = generate(sources, { schema: readSchema(bundled.schemaPath), templatesDir: bundled.templatesDir });
  if (!result.files || hasErrors(result.diagnostics)) {
    printDiagnostics(result.diagnostics, io, json);
    return 1;
  }
  const outShown = displayPath(outDir, io.cwd);
  const plan = planWrite(outDir, result.files, generatedDirs);
  if (values.check) {
    const stale = [...plan.changed.map((f) => f.path), ...plan.stale].sort();
    if (json) {
      io.stdout(
        `${JSON.stringify({ diagnostics: result.diagnostics, stale: stale.map((p) => `${outShown}/${p}`) }, null, 2)}\n`,
      );
    } else if (stale.length > 0) {
      io.stderr(
        `generated files are not up to date (${stale.length} of ${result.files.length + plan.stale.length}):\n`,
      );
      for (const path of plan.changed.map((f) => f.path))
        io.stderr(`  ${existsSync(join(outDir, path)) ? 'changed' : 'missing'}  ${outShown}/${path}\n`);
      for (const path of plan.stale) io.stderr(`  extra    ${outShown}/${path}\n`);
      io.stderr(
        `Run "npm run generate" (or "ddikit generate${spec.custom ? ` --spec ${values.spec} --out ${values.out}` : ''}") to update them.\n`,
      );
    } else {
      io.stdout(`${result.files.length} generated files in ${outShown} are up to date.\n`);
    }
    return stale.length > 0 ? 1 : 0;
  }
  const written = withOutputLock(outDir, () => applyWrite(planWrite(outDir, result.files!, generatedDirs)));
  const model = result.model!;
  if (json) {
    io.stdout(`${JSON.stringify({ diagnostics: result.diagnostics, ...written, out: outShown }, null, 2)}\n`);
    return 0;
  }
  const count = (prefix: string): number => result.files!.filter((f) => f.path.startsWith(prefix)).length;
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  const variants = model.roles.filter((r) => r.variantOf).length;
  io.stdout(
    [
      `ddikit generate: ${plural(sources.length, 'spec file')} → ${outShown}`,
      `  model       ${plural(model.roles.length, 'role')} (${plural(variants, 'variant')}), ${plural(model.functions.length, 'function')}, ${plural(model.types.length, 'type')}, ${plural(model.constants.length, 'constant')}`,
      `  typescript  ${plural(count('src/'), 'file')} in src/generated (declarations, metadata)`,
      `  c           ${plural(count('include/'), 'file')} in include`,
      `  reference   ${plural(count('docs/'), 'page')} in docs/reference`,
      `  disk        ${written.written.length} written, ${written.unchanged.length} unchanged, ${written.removed.length} removed`,
      '',
    ].join('\n'),
  );
  return 0;
}

function runScaffold(args: readonly string[], io: CliIo): number {
  const { values } = parseArgs({
    args: [...args],
    options: {
      role: { type: 'string', multiple: true },
      out: { type: 'string' },
      lang: { type: 'string', default: 'c' },
      name: { type: 'string' },
      force: { type: 'boolean' },
      spec: { type: 'string' },
      json: { type: 'boolean' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (!values.role || values.role.length === 0)
    throw new UsageError(
      'give at least one --role ROLE:Name, e.g. --role MINIPORT_SYNCHRONIZE_INTERRUPT:MySynchronizeInterrupt.',
    );
  if (values.out === undefined) throw new UsageError('--out DIR is required: the folder to write the scaffold into.');
  if (values.lang !== 'c' && values.lang !== 'ts')
    throw new UsageError(`--lang must be c or ts (got ${JSON.stringify(values.lang)}).`);
  const requests = values.role.map((text) => {
    const match = /^([^:]+):([^:]+)$/.exec(text);
    if (!match)
      throw new UsageError(
        `--role must be ROLE:Name, e.g. MINIPORT_SYNCHRONIZE_INTERRUPT:MySynchronizeInterrupt (got ${JSON.stringify(text)}).`,
      );
    return { role: match[1]!, name: match[2]! };
  });
  if (values.name !== undefined && !/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(values.name)) {
    throw new UsageError(`--name must be a plain file name without folders (got ${JSON.stringify(values.name)}).`);
  }
  const spec = specOption(values.spec, io);
  const sources = loadSources(spec, io);
  const checked = check(sources, { schema: readSchema(bundled.schemaPath) });
  if (!checked.model) {
    printDiagnostics(
      checked.diagnostics.length > 0 ? checked.diagnostics : [noSpecFiles(spec, io)],
      io,
      values.json === true,
    );
    return 1;
  }
  const result = scaffold(checked.model, requests, values.lang, values.name);
  if (result.diagnostics.length > 0) {
    for (const message of result.diagnostics) io.stderr(`ddikit scaffold: error: ${message}\n`);
    return 1;
  }
  const outDir = resolve(io.cwd, values.out);
  const outShown = displayPath(outDir, io.cwd);
  const plan = planWrite(outDir, result.files, []);
  const blocked = plan.changed.filter((f) => existsSync(join(outDir, f.path)));
  if (blocked.length > 0 && !values.force) {
    for (const file of blocked) {
      io.stderr(
        `ddikit scaffold: error: ${outShown}/${file.path} exists and differs from the scaffold; it was left as it is. Pass --force to replace it (the old file is kept as ${file.path}.bak).\n`,
      );
    }
    return 1;
  }
  const backups = blocked.map((file) => ({
    path: `${file.path}.bak`,
    content: readFileSync(join(outDir, file.path), 'utf8'),
  }));
  const written = withOutputLock(outDir, () => applyWrite({ ...plan, changed: [...plan.changed, ...backups] }));
  for (const path of written.written)
    io.stdout(`${backups.some((b) => b.path === path) ? 'kept' : 'wrote'}  ${outShown}/${path}\n`);
  for (const path of written.unchanged) io.stdout(`same   ${outShown}/${path}\n`);
  if (values.lang === 'c') {
    const include = join(bundled.outDir, 'include');
    const shown = displayPath(include, io.cwd);
    io.stdout(
      `Compile against the generated header: gcc -std=c11 -fsyntax-only -Wall -Wextra -Werror -I${shown.startsWith('../..') ? include : shown} ${outShown}/*.c\n`,
    );
  }
  return 0;
}

/** The reference pages of a folder: every .md file but its README, sorted. */
function readPages(dir: string, io: CliIo): PageSource[] {
  return readdirSync(dir)
    .filter((name) => name.toLowerCase().endsWith('.md') && name.toLowerCase() !== 'readme.md')
    .sort(compareStrings)
    .filter((name) => statSync(join(dir, name)).isFile())
    .map((name) => ({ path: displayPath(join(dir, name), io.cwd), text: readFileSync(join(dir, name), 'utf8') }));
}

function runImportDocs(args: readonly string[], io: CliIo): number {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: {
      out: { type: 'string' },
      'with-text': { type: 'boolean' },
      check: { type: 'boolean' },
      json: { type: 'boolean' },
    },
    strict: true,
    allowPositionals: true,
  });
  if (positionals.length !== 1)
    throw new UsageError(
      'give exactly one folder of reference pages, e.g. ddikit import-docs ../shared/ddi-docs/ndis --out spec/ndis/imported.',
    );
  if (values.out === undefined)
    throw new UsageError('--out DIR is required: the folder to write the spec YAML into (e.g. spec/ndis/imported).');
  const pagesDir = resolve(io.cwd, positionals[0]!);
  if (!existsSync(pagesDir) || !statSync(pagesDir).isDirectory())
    throw new UsageError(`${JSON.stringify(positionals[0])} is not a folder.`);
  const outDir = resolve(io.cwd, values.out);
  const outShown = displayPath(outDir, io.cwd);
  const json = values.json === true;
  const pages = readPages(pagesDir, io);
  const schemaPath = relative(outDir, bundled.schemaPath).split(sep).join('/');
  const result = importDocs(pages, { withText: values['with-text'] === true, schemaPath });
  // Files this import owns in --out: the ones it writes, and earlier imported files it no longer writes.
  const plan = planWrite(outDir, result.files, []);
  const produced = new Set(result.files.map((f) => f.path));
  const stale = existsSync(outDir)
    ? readdirSync(outDir)
        .filter((name) => /\.ya?ml$/.test(name) && !produced.has(name) && statSync(join(outDir, name)).isFile())
        .filter((name) =>
          readFileSync(join(outDir, name), 'utf8')
            .split('\n', 3)
            .some((line) => line.startsWith(importedMark)),
        )
        .sort(compareStrings)
    : [];
  const fullPlan = { ...plan, stale };
  if (values.check) {
    const changed = [...plan.changed.map((f) => f.path), ...stale].sort(compareStrings);
    if (json) {
      io.stdout(
        `${JSON.stringify({ diagnostics: result.diagnostics, summary: result.summary, stale: changed.map((p) => `${outShown}/${p}`) }, null, 2)}\n`,
      );
    } else {
      printDiagnostics(result.diagnostics, io, false);
      if (changed.length > 0) {
        io.stderr(`imported spec files are not up to date with ${displayPath(pagesDir, io.cwd)}:\n`);
        for (const path of changed)
          io.stderr(
            `  ${produced.has(path) ? (existsSync(join(outDir, path)) ? 'changed' : 'missing') : 'extra  '}  ${outShown}/${path}\n`,
          );
        io.stderr(`Run "ddikit import-docs ${positionals[0]} --out ${values.out}" to update them.\n`);
      } else {
        io.stdout(`${result.files.length} imported spec files in ${outShown} are up to date.\n`);
      }
    }
    return changed.length > 0 || hasErrors(result.diagnostics) ? 1 : 0;
  }
  const written = withOutputLock(outDir, () => applyWrite(fullPlan));
  if (json) {
    io.stdout(
      `${JSON.stringify({ diagnostics: result.diagnostics, summary: result.summary, ...written, out: outShown }, null, 2)}\n`,
    );
  } else {
    printDiagnostics(result.diagnostics, io, false);
    io.stdout(importSummaryText(result.summary, displayPath(pagesDir, io.cwd), outShown, written));
  }
  return hasErrors(result.diagnostics) ? 1 : 0;
}

function importSummaryText(
  summary: ImportSummary,
  from: string,
  out: string,
  written: { written: string[]; unchanged: string[]; removed: string[] },
): string {
  const { byKind, irql, params, since } = summary;
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  return [
    `ddikit import-docs: ${plural(summary.pages, 'page')} in ${from} → ${out}`,
    `  entries     ${plural(byKind.role, 'role type')}, ${plural(byKind.function, 'function')}, ${plural(byKind.struct, 'structure')}, ${plural(byKind.enum, 'enumeration')} (${plural(summary.skipped, 'page')} without an entry)`,
    `  irql        ${irql.resolved} resolved, ${irql.conditional} conditional, ${irql.unknown} unknown (${irql.fromRemarks} read from the remarks)`,
    `  parameters  ${params.total}, ${params.withDirection} with a direction; types are not in the pages`,
    `  since       ${since.known} known, ${since.unknown} unknown`,
    `  disk        ${written.written.length} written, ${written.unchanged.length} unchanged, ${written.removed.length} removed`,
    '',
  ].join('\n');
}

function runCoverage(args: readonly string[], io: CliIo): number {
  const { values } = parseArgs({
    args: [...args],
    options: { spec: { type: 'string' }, json: { type: 'boolean' } },
    strict: true,
    allowPositionals: false,
  });
  const spec = specOption(values.spec, io);
  const sources = loadSources(spec, io);
  const result = check(sources, { schema: readSchema(bundled.schemaPath) });
  if (!result.model) {
    printDiagnostics(sources.length === 0 ? [noSpecFiles(spec, io)] : result.diagnostics, io, values.json === true);
    return 1;
  }
  const report = coverage(result.model, load(sources).files);
  if (values.json === true) {
    io.stdout(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    io.stdout(formatCoverage(report));
  }
  return 0;
}

export function nodeIo(): CliIo {
  return {
    cwd: process.cwd(),
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    color: process.stderr.isTTY === true && process.env['NO_COLOR'] === undefined,
  };
}

export async function run(): Promise<void> {
  const code = await main(process.argv.slice(2), nodeIo());
  process.exitCode = code;
}
