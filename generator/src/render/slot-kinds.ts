/**
 * The kinds of text a template slot may hold outside a comment, each a small grammar. Validation
 * makes sure the spec only gives values of these kinds; the renderers check again before they lay a
 * value out (defence in depth: a value that got past validation is an internal error, never escaped
 * into something else). Prose never has a kind here: it goes only into comments, string literals
 * and escaped Markdown (see c-text.ts, ts-text.ts, markdown.ts). SECURITY.md lists every slot.
 */

const identifier = '[A-Za-z_][A-Za-z0-9_]*';
const integer = '(?:-?[0-9]+|0x[0-9A-Fa-f]+)';
/** The level names SAL compares with, and `DISPATCH_LEVEL + 1`, the bound that stands for DIRQL. */
const level =
  '(?:PASSIVE_LEVEL|APC_LEVEL|DISPATCH_LEVEL|CLOCK_LEVEL|IPI_LEVEL|POWER_LEVEL|HIGH_LEVEL|DISPATCH_LEVEL \\+ 1)';
const irqlAnnotation = `(?:_IRQL_requires_(?:min_|max_)?\\(${level}\\)|_IRQL_raises_\\(${level}\\)|_IRQL_requires_same_)`;
/** A C base type of the fallback declarations: `unsigned int`, `long long`, `void *`, … */
const cBase = '(?:(?:signed |unsigned )?(?:char|short(?: int)?|int|long(?: int)?|long long(?: int)?)|float|double)';

const grammars = {
  /** A C and TypeScript identifier (the spec allows at most 2,048 characters, MSVC's limit). */
  identifier: new RegExp(`^${identifier}$`),
  /** An integer literal: decimal or 0x hexadecimal. */
  integer: new RegExp(`^${integer}$`),
  /** One C constant: an integer literal or a name (a constant, an enum member, TRUE, a level). */
  cConstant: new RegExp(`^(?:${integer}|${identifier})$`),
  /** The C fallback type of a scalar or handle: a base type, or a pointer to one or to void. */
  cFallbackType: new RegExp(`^(?:${cBase}|(?:${cBase}|void) \\*)$`),
  /** A type in a C declaration: a type name, or `ROLE *` for a role whose pointer typedef is unnamed. */
  cTypeName: new RegExp(`^${identifier}(?: \\*)?$`),
  /** A parameter annotation. */
  salParam: /^_(?:In|Out|Inout)(?:_opt)?_$/,
  /** A function-level SAL annotation as the model writes it. */
  sal: new RegExp(
    `^(?:_Function_class_\\(${identifier}\\)|${irqlAnnotation}|_IRQL_(?:saves|restores)_global_\\(SpinLock, ${identifier}\\)|_When_\\(${identifier} == (?:${integer}|${identifier}), ${irqlAnnotation}(?: ${irqlAnnotation})*\\))$`,
  ),
  /** A constant's C expression: `((TYPE)LITERAL)` with an optional L, LL or ULL suffix. */
  cConstantExpression: new RegExp(`^\\(\\(${identifier}\\)${integer}(?:L|LL|ULL)?\\)$`),
  /** A constant's TypeScript literal: an integer, a bigint, or a boolean. */
  tsLiteral: new RegExp(`^(?:${integer}n?|true|false)$`),
  /** A TypeScript type as a parameter, field or alias uses it: a name, `| null`, `Box<T>`, `T[]`. */
  tsType: new RegExp(
    `^(?:${identifier}(?: \\| null)?|Box<${identifier}>|\\(${identifier} \\| null\\)\\[\\]|${identifier}\\[\\])$`,
  ),
  /** A TypeScript function type as the model writes it, on one line or one parameter per line. */
  tsSignature: new RegExp(
    `^(?:\\((?:${identifier}: ${identifier}(?: \\| null)?(?:, ${identifier}: ${identifier}(?: \\| null)?)*)?\\)|\\(\\n(?: +${identifier}: ${identifier}(?: \\| null)?,\\n)+ *\\)) => ${identifier}$`,
  ),
  /** A header file name. */
  headerName: /^[A-Za-z0-9_]+\.h$/,
  /** A reference page file name. */
  pageName: /^[A-Za-z0-9_.~-]+\.md$/,
  /** A rule id. */
  ruleId: /^[A-Z]+(?:-[A-Z]+)*$/,
  /** An NDIS version. */
  since: /^NDIS [0-9]+\.[0-9]+$/,
} as const;

export type SlotKind = keyof typeof grammars;

/** Throws an internal error naming the slot when `value` is not of `kind`; returns the value otherwise. */
export function ofKind(kind: SlotKind, value: string, slot: string): string {
  if (typeof value !== 'string' || !grammars[kind].test(value)) {
    throw new Error(
      `ddikit internal error: ${slot} is not ${kindWords[kind]} (got ${JSON.stringify(String(value)).slice(0, 200)}). The model holds a value validation should have rejected; please report it.`,
    );
  }
  return value;
}

const kindWords: Record<SlotKind, string> = {
  identifier: 'a C identifier',
  integer: 'an integer literal',
  cConstant: 'a C constant',
  cFallbackType: 'a C base type',
  cTypeName: 'a C type name',
  salParam: 'a SAL parameter annotation',
  sal: 'a SAL annotation of the known forms',
  cConstantExpression: 'a C constant expression',
  tsLiteral: 'a TypeScript literal',
  tsType: 'a TypeScript type of the known forms',
  tsSignature: 'a TypeScript function type',
  headerName: 'a header file name',
  pageName: 'a reference page file name',
  ruleId: 'a rule id',
  since: 'an NDIS version',
};
