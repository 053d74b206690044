/**
 * Role declarations of a C driver, recovered at build time. C drivers declare a function with its
 * role the WDK way, `MINIPORT_ISR ContosoIsr;`, and the compiler checks the definition against the
 * role's signature — but the role itself is gone from the object code. Two ways to get it back:
 *
 * - {@link scanRoleDeclarations}: the preprocessed source (`clang -E`, line markers kept) scanned
 *   for `ROLE Name;` at any scope. A role type is a function type, so any declaration that names one
 *   declares a function: no C parser is needed.
 * - {@link analyzeAst}: clang's JSON AST (`-Xclang -ast-dump=json`). Slower, but it also sees where a
 *   function is stored into a handler field or passed as a handler argument, which the static check
 *   (C28023 class) needs.
 */
import { posix } from 'node:path';
import { type CRoleDeclaration, ROLE_VARIANTS, type RoleFinding } from '@ddikit/sim-c';

export type { CRoleDeclaration, RoleFinding };

/** A function used where NDIS takes a handler: stored in a field or passed to a DDI. */
export interface HandlerUse {
  readonly function: string;
  /** The handler type the place takes (`MINIPORT_DISABLE_INTERRUPT_HANDLER`). */
  readonly handlerType: string;
  /** `NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS.DisableInterruptHandler` or `NdisMSynchronizeWithInterruptEx(SynchronizeFunction)`. */
  readonly place: string;
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

const LINE_MARKER = /^# (\d+) "((?:[^"\\]|\\.)*)"/;
const DECLARATION =
  /(?:^|[;{}]\s*)(?:(?:static|extern)\s+)*([A-Za-z_]\w*)\s+([A-Za-z_]\w*(?:\s*,\s*[A-Za-z_]\w*)*)\s*;/g;

/**
 * Finds `ROLE Name;` declarations (also `ROLE A, B;`) in preprocessed C. Positions come from the
 * line markers, so they name the user's files. Only files in `userFiles` count (the header declares
 * no functions with roles, but a user header might).
 */
export function scanRoleDeclarations(
  preprocessed: string,
  roleNames: ReadonlySet<string>,
  isUserFile: (file: string) => boolean,
): CRoleDeclaration[] {
  const out: CRoleDeclaration[] = [];
  let file = '';
  let line = 1;
  for (const text of preprocessed.split('\n')) {
    const marker = LINE_MARKER.exec(text);
    if (marker !== null) {
      line = Number(marker[1]);
      file = posix.normalize(marker[2]!.replace(/\\(.)/g, '$1'));
      continue;
    }
    if (isUserFile(file) && text.includes(';')) {
      DECLARATION.lastIndex = 0;
      for (let m = DECLARATION.exec(text); m !== null; m = DECLARATION.exec(text)) {
        const role = m[1]!;
        if (!roleNames.has(role)) continue;
        for (const name of m[2]!.split(',')) out.push({ name: name.trim(), role, file, line });
      }
    }
    line++;
  }
  return out;
}

/** Handler typedefs of a header: `typedef MINIPORT_ISR(*MINIPORT_ISR_HANDLER);` → MINIPORT_ISR_HANDLER → MINIPORT_ISR. */
export function handlerTypedefs(header: string, roleNames: ReadonlySet<string>): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of header.matchAll(/typedef\s+([A-Za-z_]\w*)\s*\(\s*\*\s*([A-Za-z_]\w*)\s*\)\s*;/g)) {
    if (roleNames.has(m[1]!)) out.set(m[2]!, m[1]!);
  }
  return out;
}

// ---- The JSON AST -----------------------------------------------------------------------------------

interface AstLoc {
  file?: string;
  line?: number;
  col?: number;
  includedFrom?: { file: string };
  spellingLoc?: AstLoc;
  expansionLoc?: AstLoc;
}

interface AstNode {
  kind?: string;
  name?: string;
  loc?: AstLoc;
  range?: { begin?: AstLoc; end?: AstLoc };
  type?: { qualType?: string; desugaredQualType?: string };
  opcode?: string;
  referencedDecl?: { kind?: string; name?: string; type?: { qualType?: string } };
  referencedMemberDecl?: string;
  inner?: AstNode[];
  isImplicit?: boolean;
}

/** Where the JSON dump is: it names a file or line only when they change, so positions are tracked in order. */
class Cursor {
  file = '';
  line = 0;
  col = 0;
  see(loc: AstLoc | undefined): void {
    if (loc === undefined) return;
    // Macro expansions: the expansion location is where the user wrote the code.
    if (loc.spellingLoc !== undefined) this.see(loc.spellingLoc);
    if (loc.expansionLoc !== undefined) {
      this.see(loc.expansionLoc);
      return;
    }
    if (loc.file !== undefined) this.file = loc.file;
    if (loc.line !== undefined) this.line = loc.line;
    if (loc.col !== undefined) this.col = loc.col;
  }
}

/** What the AST says about roles and handlers. */
export interface AstFacts {
  readonly declarations: CRoleDeclaration[];
  readonly uses: HandlerUse[];
}

/**
 * Walks clang's JSON AST: functions declared with a role (a FunctionDecl whose type is the role
 * typedef), and every place a function becomes a handler — assigned to a field of a handler type, or
 * passed for a parameter of a handler type.
 */
export function analyzeAst(
  root: AstNode,
  roleNames: ReadonlySet<string>,
  handlers: ReadonlyMap<string, string>,
  isUserFile: (file: string) => boolean,
): AstFacts {
  const declarations: CRoleDeclaration[] = [];
  const uses: HandlerUse[] = [];
  const cursor = new Cursor();
  // Parameter types of every function declared (DDIs included), from their type text.
  const parameterTypes = new Map<string, string[]>();
  // The struct that declares each handler field, for messages.
  const fieldOwner = new Map<string, string>();
  let currentRecord = '';

  const functionOf = (node: AstNode | undefined): string | null => {
    for (let n = node; n !== undefined; n = n.inner?.[0]) {
      if (n.kind === 'DeclRefExpr') return n.referencedDecl?.kind === 'FunctionDecl' ? n.referencedDecl.name! : null;
      if (n.kind !== 'ImplicitCastExpr' && n.kind !== 'ParenExpr' && n.kind !== 'CStyleCastExpr') return null;
    }
    return null;
  };

  const visit = (node: AstNode): void => {
    cursor.see(node.loc);
    cursor.see(node.range?.begin);
    const file = cursor.file;
    const line = cursor.line;
    const column = cursor.col;
    cursor.see(node.range?.end);
    const kind = node.kind;
    if (kind === 'FunctionDecl' && node.name !== undefined) {
      const type = node.type?.qualType ?? '';
      if (roleNames.has(type) && isUserFile(file)) {
        declarations.push({ name: node.name, role: type, file, line });
      }
      const open = type.indexOf('(');
      if (open >= 0 && !parameterTypes.has(node.name)) {
        parameterTypes.set(
          node.name,
          type
            .slice(open + 1, type.lastIndexOf(')'))
            .split(',')
            .map((t) => t.trim()),
        );
      }
    } else if (kind === 'RecordDecl' && node.name !== undefined) {
      currentRecord = node.name.replace(/^_/, '');
    } else if (kind === 'FieldDecl' && node.name !== undefined && handlers.has(node.type?.qualType ?? '')) {
      fieldOwner.set(node.name, currentRecord);
    } else if (kind === 'BinaryOperator' && node.opcode === '=' && node.inner?.length === 2) {
      const [lhs, rhs] = node.inner as [AstNode, AstNode];
      const handlerType = lhs.type?.qualType ?? '';
      const fn = functionOf(rhs);
      if (lhs.kind === 'MemberExpr' && handlers.has(handlerType) && fn !== null && isUserFile(file)) {
        const field = lhs.name ?? '?';
        uses.push({
          function: fn,
          handlerType,
          place: `${fieldOwner.get(field) ?? '?'}.${field}`,
          file,
          line,
          column,
        });
      }
    } else if (kind === 'CallExpr' && node.inner !== undefined && node.inner.length > 1) {
      const callee = functionOf(node.inner[0]);
      const params = callee === null ? undefined : parameterTypes.get(callee);
      if (params !== undefined && isUserFile(file)) {
        node.inner.slice(1).forEach((arg, i) => {
          const handlerType = params[i] ?? '';
          const fn = functionOf(arg);
          if (handlers.has(handlerType) && fn !== null)
            uses.push({ function: fn, handlerType, place: `${callee}(argument ${i + 1})`, file, line, column });
        });
      }
    }
    if (node.inner !== undefined) for (const child of node.inner) visit(child);
  };
  visit(root);
  return { declarations, uses };
}

/** One finding of the static check. */
/**
 * The static check clang does not make (Code Analysis C28023 class): a function stored or passed
 * as a handler must be declared with the handler's role. Same C signature is not enough: an enable
 * function in DisableInterruptHandler compiles.
 */
export function checkHandlerRoles(
  facts: AstFacts,
  handlers: ReadonlyMap<string, string>,
  declared: readonly CRoleDeclaration[],
): RoleFinding[] {
  const roleOf = new Map(declared.map((d) => [d.name, d.role]));
  const out: RoleFinding[] = [];
  for (const use of facts.uses) {
    const want = handlers.get(use.handlerType) ?? use.handlerType;
    const have = roleOf.get(use.function);
    // A role's variants fit its places too (MINIPORT_SYNCHRONIZE_MESSAGE_INTERRUPT, for a
    // message-signaled interrupt, where MINIPORT_SYNCHRONIZE_INTERRUPT is taken): the fix names them.
    const variants = ROLE_VARIANTS.get(want) ?? [];
    const orVariant = variants.map((v) => ` or "${v} ${use.function};"`).join('');
    const message =
      have === undefined
        ? `${use.function} is used as ${use.place}, which takes ${article(want)} ${want} function, but it is declared with no role; declare it "${want} ${use.function};"${orVariant}`
        : have !== want && !(ROLE_VARIANTS.get(want) ?? []).includes(have)
          ? `${use.function} is declared as ${have} but used as ${use.place}, which takes ${article(want)} ${want} function`
          : null;
    if (message !== null) out.push({ code: 'C28023', file: use.file, line: use.line, column: use.column, message });
  }
  return out;
}

/** The article before a role name as it is read aloud: "an NDIS_TIMER_FUNCTION", "a MINIPORT_ISR". */
function article(role: string): string {
  return /^(NDIS|[AEIOU])/.test(role) ? 'an' : 'a';
}

/** `file:line:col - warning C28023: …`, the house diagnostic form. */
export function formatRoleFinding(f: RoleFinding): string {
  return `${f.file}:${f.line}:${f.column} - warning ${f.code}: ${f.message}`;
}

// ---- Handler uses from the preprocessed source --------------------------------------------------------

/** Where NDIS takes handlers: struct fields by name, and DDI parameters by position. */
export interface HandlerPlaces {
  /** Field name → [record, handler role]. */
  readonly fields: ReadonlyMap<string, readonly [string, string]>;
  /** DDI → parameter index → handler role. */
  readonly parameters: ReadonlyMap<string, ReadonlyMap<number, string>>;
}

/** Splits a call's argument text at top-level commas. */
function splitArguments(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 0) {
      out.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  out.push(text.slice(start).trim());
  return out;
}

/**
 * Finds handler uses in preprocessed C without a parser: `x.Field = Name;` / `x->Field = Name;` /
 * `.Field = Name` (designated initializers) for handler fields, and a bare function name passed for a
 * handler parameter of a DDI. It sees what a driver writes in practice; a handler passed through a
 * variable is seen only by the AST check. Role names come back as handler roles (not typedefs).
 */
export function scanHandlerUses(
  preprocessed: string,
  places: HandlerPlaces,
  isUserFile: (file: string) => boolean,
): HandlerUse[] {
  const out: HandlerUse[] = [];
  let file = '';
  let line = 1;
  const lines = preprocessed.split('\n');
  // Statements may span lines: scan each user line with the next few appended for calls.
  for (let k = 0; k < lines.length; k++) {
    const text = lines[k]!;
    const marker = LINE_MARKER.exec(text);
    if (marker !== null) {
      line = Number(marker[1]);
      file = posix.normalize(marker[2]!.replace(/\\(.)/g, '$1'));
      continue;
    }
    if (isUserFile(file)) {
      for (const m of text.matchAll(/(?:\.|->)\s*([A-Za-z_]\w*)\s*=\s*\(?\s*&?\s*([A-Za-z_]\w*)\s*\)?\s*[;,}]/g)) {
        const place = places.fields.get(m[1]!);
        if (place !== undefined)
          out.push({
            function: m[2]!,
            handlerType: place[1],
            place: `${place[0]}.${m[1]}`,
            file,
            line,
            column: m.index! + 1,
          });
      }
      for (const m of text.matchAll(/\b([A-Za-z_]\w*)\s*\(/g)) {
        const params = places.parameters.get(m[1]!);
        if (params === undefined) continue;
        // The call's text up to its closing parenthesis (joined across lines without markers).
        let rest = text.slice(m.index! + m[0].length);
        for (let j = k + 1; j < lines.length && j < k + 8 && !balanced(rest); j++) {
          if (!lines[j]!.startsWith('#')) rest += ` ${lines[j]}`;
        }
        const args = splitArguments(rest.slice(0, closingIndex(rest)));
        for (const [index, role] of params) {
          const arg = args[index];
          if (arg !== undefined && /^[A-Za-z_]\w*$/.test(arg))
            out.push({
              function: arg,
              handlerType: role,
              place: `${m[1]}(argument ${index + 1})`,
              file,
              line,
              column: m.index! + 1,
            });
        }
      }
    }
    line++;
  }
  return out;
}

function closingIndex(text: string): number {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')') {
      if (depth === 0) return i;
      depth--;
    }
  }
  return text.length;
}

function balanced(text: string): boolean {
  return closingIndex(text) < text.length;
}

/** Handler parameters of the header's DDI prototypes: `(…, MINIPORT_SYNCHRONIZE_INTERRUPT_HANDLER SynchronizeFunction, …)`. */
export function ddiHandlerParameters(
  header: string,
  handlers: ReadonlyMap<string, string>,
): Map<string, Map<number, string>> {
  const out = new Map<string, Map<number, string>>();
  for (const m of header.matchAll(/\b(Ndis[A-Za-z0-9_]+)\s*\(([^;{]*?)\)\s*;/g)) {
    const params = splitArguments(m[2]!);
    params.forEach((p, i) => {
      const type = p
        .replace(/_In_opt_|_In_|_Out_|_Inout_/g, '')
        .trim()
        .split(/\s+/)[0]!;
      const role = handlers.get(type);
      if (role !== undefined) {
        let map = out.get(m[1]!);
        if (map === undefined) out.set(m[1]!, (map = new Map()));
        map.set(i, role);
      }
    });
  }
  return out;
}
