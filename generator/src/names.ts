/** Identifier rules of C and TypeScript, and "did you mean" suggestions. */

/** Keywords of C (C17 plus C23) and the names the generated header itself defines. */
export const cReservedWords: ReadonlySet<string> = new Set([
  'alignas',
  'alignof',
  'auto',
  'bool',
  'break',
  'case',
  'char',
  'const',
  'constexpr',
  'continue',
  'default',
  'do',
  'double',
  'else',
  'enum',
  'extern',
  'false',
  'float',
  'for',
  'goto',
  'if',
  'inline',
  'int',
  'long',
  'nullptr',
  'register',
  'restrict',
  'return',
  'short',
  'signed',
  'sizeof',
  'static',
  'static_assert',
  'struct',
  'switch',
  'thread_local',
  'true',
  'typedef',
  'typeof',
  'typeof_unqual',
  'union',
  'unsigned',
  'void',
  'volatile',
  'while',
  // Macros the generated header or the SAL fallbacks define.
  'TRUE',
  'FALSE',
  'NULL',
  'UNREFERENCED_PARAMETER',
]);

/** Reserved words of TypeScript and JavaScript (strict mode), and names the generated module itself uses. */
export const tsReservedWords: ReadonlySet<string> = new Set([
  'break',
  'case',
  'catch',
  'class',
  'const',
  'continue',
  'debugger',
  'default',
  'delete',
  'do',
  'else',
  'enum',
  'export',
  'extends',
  'false',
  'finally',
  'for',
  'function',
  'if',
  'import',
  'in',
  'instanceof',
  'new',
  'null',
  'return',
  'super',
  'switch',
  'this',
  'throw',
  'true',
  'try',
  'typeof',
  'var',
  'void',
  'while',
  'with',
  'implements',
  'interface',
  'let',
  'package',
  'private',
  'protected',
  'public',
  'static',
  'yield',
  'await',
  'arguments',
  'eval',
  // Type names that a type alias may not take.
  'any',
  'unknown',
  'never',
  'object',
  'string',
  'number',
  'boolean',
  'bigint',
  'symbol',
  'undefined',
  // Names the generated declarations use for their own helpers.
  'ROLE',
  'Box',
  'RoleFunction',
  'declareRole',
  'metadata',
]);

/** Names that C reserves for the implementation: a leading underscore and a capital, or a double underscore. */
export function isCImplementationReserved(name: string): boolean {
  return /^_[A-Z]/.test(name) || name.includes('__');
}

export function levenshtein(a: string, b: string): number {
  if (a === b) return 0;
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}

/**
 * The closest candidate to `name`, or undefined when none is close enough: at most a third of the
 * longer name's length in edits (case-insensitively), and the closest by edits, then alphabetically.
 */
export function closest(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  const lower = name.toLowerCase();
  for (const candidate of candidates) {
    const distance = levenshtein(lower, candidate.toLowerCase());
    const limit = Math.max(1, Math.floor(Math.max(name.length, candidate.length) / 3));
    if (distance > limit) continue;
    if (distance < bestDistance || (distance === bestDistance && best !== undefined && candidate < best)) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

export function didYouMean(name: string, candidates: Iterable<string>): string {
  const suggestion = closest(name, candidates);
  return suggestion === undefined || suggestion === name ? '' : ` Did you mean "${suggestion}"?`;
}

/**
 * File stem for an entry's page: the name in lower case, as the Windows reference names its pages
 * (MINIPORT_SYNCHRONIZE_INTERRUPT → miniport_synchronize_interrupt), so both are found the same way.
 */
export function fileStem(name: string): string {
  return name.toLowerCase();
}
