/**
 * The text of the generated TypeScript: doc comments (a builder that wraps text, bullets, tags and
 * examples to the line width, and the lines each declaration's comment is made of) and code layout
 * (function types and unions broken over lines, the imports a module needs).
 */
import { compareStrings } from '../diagnostics.js';
import type { FieldModel, IrqlModel, Model, ParamModel, ReturnsModel, TypeRefModel } from '../spec/model.js';

/** Lines of generated code stay within this many columns where a break is possible. */
export const lineWidthMax = 100;

/** A doc comment: `inline` (`/** text *\/`) when it fits on one line, else `sections` separated by ` *`. */
export interface DocView {
  inline: string | null;
  sections: string[][];
}

/** Builds a doc comment for a declaration indented by `indent` columns. */
export class DocBuilder {
  private readonly sections: string[][] = [];

  constructor(private readonly indent: number) {}

  /** Columns left for text after the indent and ` * `. */
  get width(): number {
    return lineWidthMax - this.indent - 3;
  }

  /** Adds a section of paragraphs, each wrapped; nulls are skipped, an empty section is dropped. */
  text(...paragraphs: (string | null)[]): this {
    return this.section(paragraphs.flatMap((p) => (p === null ? [] : wrap(p, this.width))));
  }

  /** Adds a section of bullet items (`- text`), continuation lines under the text. */
  bullets(heading: string, items: readonly string[]): this {
    if (items.length === 0) return this;
    return this.section([heading, ...items.flatMap((item) => wrap(`- ${item}`, this.width, '  '))]);
  }

  /** Adds tag lines (`@param X - text`), continuation lines indented by two. */
  tags(lines: readonly (string | null)[]): this {
    return this.section(lines.flatMap((line) => (line === null ? [] : wrap(line, this.width, '  '))));
  }

  /** Adds an `@example` with a fenced code block, lines as given. */
  example(code: readonly string[]): this {
    return this.section(['@example', '```ts', ...code.map(safe), '```']);
  }

  build(): DocView {
    const only = this.sections.length === 1 && this.sections[0]!.length === 1 ? this.sections[0]![0]! : null;
    const inline =
      only !== null && this.indent + only.length + 7 <= lineWidthMax && !only.startsWith('@') ? only : null;
    return { inline, sections: this.sections };
  }

  private section(lines: string[]): this {
    if (lines.length > 0) this.sections.push(lines);
    return this;
  }
}

/** Text that cannot end a comment early. */
function safe(text: string): string {
  return text.replace(/\*\//g, '*\\/');
}

/**
 * Greedy word wrap; continuation lines start with `hang`. A code span in backticks is never broken;
 * a word longer than the width keeps its own line.
 */
export function wrap(text: string, width: number, hang = ''): string[] {
  const words =
    safe(text)
      .trim()
      .match(/(?:`[^`]*`|[^\s`])+/g) ?? [];
  const lines: string[] = [];
  let line = '';
  for (const word of words) {
    const prefix = lines.length === 0 ? '' : hang;
    if (line === '') line = prefix + word;
    else if (line.length + 1 + word.length <= width) line += ` ${word}`;
    else {
      lines.push(line);
      line = hang + word;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}

/** `Spec: spec/ndis/types.yaml:12.` */
export function specLine(entry: { provenance: { file: string; line: number } }): string {
  return `Spec: ${entry.provenance.file}:${entry.provenance.line}.`;
}

export function headerLine(entry: { header: string }): string {
  return `Header: ${entry.header}.`;
}

export function sentence(text: string): string {
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

export function irqlLine(irql: IrqlModel): string {
  return `IRQL: ${sentence(irql.text)}${irql.note === null ? '' : ` ${sentence(irql.note)}`}`;
}

export function salLine(sal: readonly string[]): string | null {
  return sal.length === 0 ? null : `SAL: ${sal.map((s) => `\`${s}\``).join(' ')}`;
}

export function paramTags(params: readonly ParamModel[]): string[] {
  return params.map((p) => {
    const what =
      p.type.kind === 'unknown'
        ? p.sal === null
          ? 'Type and direction not stated by the reference.'
          : `\`${p.sal}\`, type not stated by the reference.`
        : `\`${p.sal ?? ''} ${p.type.c}\``.replace('` ', '`');
    return `@param ${p.name} - ${what}${p.description === null ? '' : ` ${sentence(p.description)}`}`;
  });
}

export function returnsTag(returns: ReturnsModel): string | null {
  if (returns.void) return null;
  if (returns.type.kind === 'unknown') return '@returns Type not stated by the reference.';
  return `@returns \`${returns.type.c}\`${returns.description === null ? '' : ` ${sentence(returns.description)}`}`;
}

export function trailerTags(entry: { since: string | null; seeAlso: readonly string[] }): string[] {
  return [...(entry.since === null ? [] : [`@since ${entry.since}`]), ...entry.seeAlso.map((name) => `@see ${name}`)];
}

/** `Reference page: nf-ndis-x.md.` for entries imported from one (curated entries speak for themselves). */
export function pageLine(entry: { page: string | null; origin: string }): string | null {
  return entry.page === null || entry.origin !== 'imported' ? null : `Reference page: ${entry.page}.`;
}

// ---------------------------------------------------------------------------------------------------
// Code layout helpers

/**
 * A function type `(A: T, B: U) => R` for a slot starting at column `indent` with `extra` more
 * characters on its first and last lines (a name before it, a `;` after it). When it does not fit,
 * one parameter per line, indented two more, with a trailing comma.
 */
export function functionType(
  oneLine: string,
  params: readonly ParamModel[],
  returns: ReturnsModel,
  indent: number,
  extra: number,
): string {
  if (indent + extra + oneLine.length <= lineWidthMax || params.length === 0) return oneLine;
  const pad = ' '.repeat(indent + 2);
  const lines = params.map((p) => `${pad}${p.name}: ${p.type.ts},`);
  return `(\n${lines.join('\n')}\n${' '.repeat(indent)}) => ${returnText(returns)}`;
}

export function returnText(returns: ReturnsModel): string {
  return returns.void ? 'void' : returns.type.name;
}

/** `A | B` on one line after `prefix`, or one member per line with a leading `|`. */
export function unionText(members: readonly string[], prefix: number): string {
  const oneLine = members.join(' | ');
  if (prefix + oneLine.length + 1 <= lineWidthMax || members.length < 2) return ` ${oneLine}`;
  return `\n${members.map((m) => `  | ${m}`).join('\n')}`;
}

/** The TypeScript text of a field: `T[]` for arrays, parenthesized when `T` is a union. */
export function fieldTs(field: FieldModel): string {
  if (field.count === null) return field.type.ts;
  return field.type.ts.includes(' | ') ? `(${field.type.ts})[]` : `${field.type.ts}[]`;
}

/** Which generated module declares a referenced type. */
export function moduleOf(ref: TypeRefModel, model: Model): 'roles' | 'types' | null {
  if (ref.kind === 'rolePointer') return 'roles';
  if (ref.kind === 'void') return null;
  return model.byName.get(ref.name)?.kind === 'type' ? 'types' : null;
}

export function importsFrom(refs: readonly TypeRefModel[], model: Model, module: 'roles' | 'types'): string[] {
  return uniqueSorted(refs.filter((ref) => moduleOf(ref, model) === module).map((ref) => ref.name));
}

export function signatureRefs(entry: { params: readonly ParamModel[]; returns: ReturnsModel }): TypeRefModel[] {
  return [...entry.params.map((p) => p.type), entry.returns.type];
}

export function uniqueSorted(list: readonly string[]): string[] {
  return [...new Set(list)].sort(compareStrings);
}
