/**
 * C driver sources → one freestanding wasm32 module the harness can run.
 *
 * Per source file: `clang -E` (role declarations, see roles.ts) and `clang -c`; then `wasm-ld` links
 * the objects with every DDI of the header allowed undefined (they become imports of module
 * "ndis") and nothing else — any other undefined symbol is a link error, shown as wasm-ld shows it.
 * The module exports its memory, its function table and DriverEntry; it keeps its DWARF (`-g`) and
 * the `name` section, and carries the roles in a `ddikit.roles` custom section, so a cached module is
 * self-contained.
 *
 * Memory layout (wasm-ld's default, stack first): the stack is [0, stackBytes) growing down from
 * stackBytes, then data, then the heap the host allocates from (`__heap_base`). An overflow takes
 * `__stack_pointer` below 0, which wraps to an address far out of bounds: the next frame store traps.
 */
import { posix } from 'node:path';
import { performance } from 'node:perf_hooks';
import { appendCustomSection, readRolesSection, ROLES_SECTION, type RolesSection } from '@ddikit/sim-c';
import { cacheKey } from './cache.js';
import { CompileError, parseDiagnostics, type Diagnostic } from './diagnostics.js';
import {
  checkHandlerRoles,
  scanHandlerUses,
  scanRoleDeclarations,
  type CRoleDeclaration,
  type HandlerUse,
  type RoleFinding,
} from './roles.js';
import { putSources } from './includes.js';
import { fileAt, putFile, runClang, runTool, toolchainVersion, type FileTree } from './toolchain.js';

export type { CompileOptions, SourceFile } from './flags.js';
export { compileFlags, HEADER_DIRECTORY } from './flags.js';
import {
  type CompileOptions,
  compileFlags,
  HEADER_DIRECTORY,
  linkFlags,
  ROLES_HEADER_SHIM,
  type SourceFile,
  undefinedSymbols,
} from './flags.js';
import { checkX64, x64OnlyText } from './x64.js';

export interface CompiledDriver {
  readonly wasm: Uint8Array;
  readonly roles: readonly CRoleDeclaration[];
  /** Handlers stored or passed with a role other than the place's, or with none (C28023 class). */
  readonly roleFindings: readonly RoleFinding[];
  /** Warnings (a build with errors throws CompileError). */
  readonly diagnostics: readonly Diagnostic[];
  /** The same, as the tools printed them. */
  readonly diagnosticsText: string;
  /** The content hash (cache key). */
  readonly key: string;
  readonly cached: boolean;
  readonly milliseconds: {
    readonly total: number;
    readonly preprocess: number;
    readonly compile: number;
    readonly link: number;
  };
}

/**
 * Compiles and links C driver sources with `header` as `<ndis.h>`. Throws {@link CompileError}
 * with the tools' text when a file does not compile or the module does not link.
 */
export async function compileDriver(
  files: readonly SourceFile[],
  header: string,
  options: CompileOptions,
): Promise<CompiledDriver> {
  const started = performance.now();
  for (const file of files) {
    if (file.path.startsWith('/') || file.path.includes('..') || file.path.startsWith('ddikit/'))
      throw new TypeError(`compileDriver: ${file.path}: give a relative path inside the project`);
  }
  const flags = compileFlags(options);
  const key = cacheKey([
    toolchainVersion(),
    header,
    JSON.stringify(flags),
    JSON.stringify(linkFlags(options)),
    JSON.stringify(undefinedSymbols(options)),
    JSON.stringify(
      options.handlerPlaces === undefined
        ? null
        : [[...options.handlerPlaces.fields], [...options.handlerPlaces.parameters].map(([k, v]) => [k, [...v]])],
    ),
    JSON.stringify([...options.roleNames].sort()),
    options.x64 === false ? 'x64:off' : 'x64:on',
    // What the module carries besides code, in the form this version writes it: the x64 pass's
    // diagnostics without the build's repeats; role findings whose fix names the role's variants.
    'diagnostics:x64-only',
    'role-findings:variants',
    ...files.flatMap((f) => [f.path, f.text]),
  ]);
  const hit = options.cache?.get(key);
  if (hit !== undefined) {
    const section = readRolesSection(hit);
    return {
      wasm: hit,
      roles: section.roles,
      roleFindings: section.roleFindings,
      diagnostics: parseDiagnostics(section.diagnosticsText),
      diagnosticsText: section.diagnosticsText,
      key,
      cached: true,
      milliseconds: { total: performance.now() - started, preprocess: 0, compile: 0, link: 0 },
    };
  }

  const tree: FileTree = {};
  putFile(tree, `${HEADER_DIRECTORY}/ndis.h`, header);
  // Scaffolds include the generated role header by its own name; on the harness it is ndis.h.
  putFile(tree, `${HEADER_DIRECTORY}/ndis_roles.h`, ROLES_HEADER_SHIM);
  putFile(tree, 'ddikit/ddis.txt', `${undefinedSymbols(options).join('\n')}\n`);
  putSources(tree, files);
  const userPaths = new Set(files.map((f) => f.path));
  const roleNames = new Set(options.roleNames);

  let text = '';
  let preprocess = 0;
  let compile = 0;
  const roles: CRoleDeclaration[] = [];
  const uses: HandlerUse[] = [];
  const objects: string[] = [];
  for (const file of files.filter((f) => f.path.endsWith('.c') && f.include !== true)) {
    const pre = await runClang([...flags, '-E', file.path, '-o', 'ddikit/pre.i'], tree);
    preprocess += pre.milliseconds;
    if (pre.code !== 0) throw new CompileError(pre.stderr, parseDiagnostics(pre.stderr));
    const output = fileAt(pre.files, 'ddikit/pre.i');
    const preprocessed = typeof output === 'string' ? output : new TextDecoder().decode(output);
    const isUser = (path: string): boolean => userPaths.has(posix.normalize(path));
    roles.push(...scanRoleDeclarations(preprocessed, roleNames, isUser));
    if (options.handlerPlaces !== undefined) uses.push(...scanHandlerUses(preprocessed, options.handlerPlaces, isUser));
    const object = `ddikit/obj/${file.path}.o`;
    const run = await runClang([...flags, '-c', file.path, '-o', object], tree);
    compile += run.milliseconds;
    text += run.stderr;
    if (run.code !== 0) throw new CompileError(text, parseDiagnostics(text));
    const bytes = fileAt(run.files, object);
    if (!(bytes instanceof Uint8Array)) throw new Error(`clang wrote no ${object}`);
    putFile(tree, object, bytes);
    objects.push(object);
  }
  if (objects.length === 0) throw new TypeError('compileDriver: no .c file given');

  if (options.x64 !== false) {
    const x64 = await checkX64(files, header, options);
    text += x64OnlyText(x64.text, text);
    if (x64.diagnostics.some((d) => d.severity === 'error' || d.severity === 'fatal error'))
      throw new CompileError(text, parseDiagnostics(text));
  }

  const link = await runTool('wasm-ld', [...linkFlags(options), ...objects, '-o', 'ddikit/driver.wasm'], tree);
  // wasm-ld names objects; name the user's source instead.
  text += link.stderr.replace(/ddikit\/obj\/(.+?)\.o\b/g, '$1');
  if (link.code !== 0) throw new CompileError(text, parseDiagnostics(text));
  const linked = fileAt(link.files, 'ddikit/driver.wasm');
  if (!(linked instanceof Uint8Array)) throw new Error('wasm-ld wrote no module');

  roles.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const roleFindings = checkHandlerRoles({ declarations: roles, uses }, new Map(), roles);
  const section: RolesSection = { roles, roleFindings, diagnosticsText: text };
  const wasm = appendCustomSection(linked, ROLES_SECTION, JSON.stringify(section));
  options.cache?.put(key, wasm);
  return {
    wasm,
    roles,
    roleFindings,
    diagnostics: parseDiagnostics(text),
    diagnosticsText: text,
    key,
    cached: false,
    milliseconds: { total: performance.now() - started, preprocess, compile, link: link.milliseconds },
  };
}

/** The DDI names a header declares as imports: prototypes between the import-module pragmas. */
export function headerDdiNames(header: string): string[] {
  const start = header.indexOf('#pragma clang attribute push');
  const end = header.indexOf('#pragma clang attribute pop');
  if (start < 0 || end < start) throw new Error('the header has no import-module pragma block');
  const block = header.slice(start, end);
  const names = new Set<string>();
  for (const m of block.matchAll(/\b(Ndis[A-Za-z0-9_]+)\s*\(/g)) names.add(m[1]!);
  return [...names].sort();
}

/** The role typedef names of a header: `typedef … (ROLE)(…)` with `_Function_class_(ROLE)`. */
export function headerRoleNames(header: string): string[] {
  return [...new Set([...header.matchAll(/_Function_class_\(([A-Z_0-9]+)\)/g)].map((m) => m[1]!))].sort();
}
