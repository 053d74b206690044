/**
 * `ddikit check` for C: the role checks clang does not make, from its JSON AST. Slower than a build
 * (the dump of a driver and the header is megabytes), so it is its own pass, not part of every
 * compile.
 */
import { performance } from 'node:perf_hooks';
import { compileFlags, type CompileOptions, HEADER_DIRECTORY, ROLES_HEADER_SHIM, type SourceFile } from './flags.js';
import { CompileError, parseDiagnostics } from './diagnostics.js';
import {
  analyzeAst,
  checkHandlerRoles,
  handlerTypedefs,
  type CRoleDeclaration,
  type HandlerUse,
  type RoleFinding,
} from './roles.js';
import { putSources } from './includes.js';
import { putFile, runClang, type FileTree } from './toolchain.js';

export interface CheckResult {
  readonly findings: RoleFinding[];
  readonly declarations: CRoleDeclaration[];
  readonly uses: HandlerUse[];
  readonly astBytes: number;
  readonly milliseconds: { readonly dump: number; readonly parse: number };
}

export async function checkDriverRoles(
  files: readonly SourceFile[],
  header: string,
  options: CompileOptions,
): Promise<CheckResult> {
  const roleNames = new Set(options.roleNames);
  const handlers = handlerTypedefs(header, roleNames);
  const tree: FileTree = {};
  putFile(tree, `${HEADER_DIRECTORY}/ndis.h`, header);
  putFile(tree, `${HEADER_DIRECTORY}/ndis_roles.h`, ROLES_HEADER_SHIM);
  putSources(tree, files);
  const userPaths = new Set(files.map((f) => f.path));
  const declarations: CRoleDeclaration[] = [];
  const uses: HandlerUse[] = [];
  let astBytes = 0;
  let dump = 0;
  let parse = 0;
  for (const file of files.filter((f) => f.path.endsWith('.c') && f.include !== true)) {
    const run = await runClang(
      [...compileFlags(options), '-fsyntax-only', '-Xclang', '-ast-dump=json', file.path],
      tree,
    );
    dump += run.milliseconds;
    if (run.code !== 0) throw new CompileError(run.stderr, parseDiagnostics(run.stderr));
    astBytes += run.stdout.length;
    const started = performance.now();
    const facts = analyzeAst(JSON.parse(run.stdout), roleNames, handlers, (path) => userPaths.has(path));
    parse += performance.now() - started;
    declarations.push(...facts.declarations);
    uses.push(...facts.uses);
  }
  return {
    findings: checkHandlerRoles({ declarations, uses }, handlers, declarations),
    declarations,
    uses,
    astBytes,
    milliseconds: { dump, parse },
  };
}
