/**
 * C text helpers shared by the header, the scaffolds and the reference pages: block comments,
 * word wrap, aligned parameter lines and an entry's function-level SAL.
 */
import type { FunctionModel, ParamModel } from '../spec/model.js';
import { ofKind } from './slot-kinds.js';

/** Comments wrap at this column. */
const commentColumnsMax = 100;

/**
 * A text made safe for a C block comment: no comment terminator can close it early, no `/*` can
 * open a nested one (gcc's -Wcomment), no trigraph `??/` can splice lines, and every run of white
 * space is one space.
 */
export function cCommentText(text: string): string {
  return text
    .replace(/\*\//g, '* /')
    .replace(/\/\*/g, '/ *')
    .replace(/\?\?(?=[=(/)'<!>-])/g, '? ?')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * A block comment at an indent: one line when it fits, else wrapped between `/*` and ` *\/` lines.
 * Paragraphs (list items) each start a new line.
 */
export function cComment(paragraphs: readonly string[], indent = ''): string {
  const texts = paragraphs.map(cCommentText).filter((t) => t.length > 0);
  const single = `${indent}/* ${texts.join(' ')} */`;
  if (texts.length <= 1 && single.length <= commentColumnsMax) return single;
  const lines = [`${indent}/*`];
  for (const text of texts) {
    for (const line of wrap(text, commentColumnsMax - indent.length - 3)) lines.push(`${indent} * ${line}`);
  }
  lines.push(`${indent} */`);
  return lines.join('\n');
}

/** Splits text into lines of at most `width` characters at spaces (a longer word stays whole). */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line.length > 0 && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line.length > 0 ? `${line} ${word}` : word;
    }
  }
  if (line.length > 0) lines.push(line);
  return lines;
}

/**
 * Parameter lines of a C prototype or definition, columns aligned, commas after all but the last:
 * `_In_  NDIS_HANDLE MiniportInterruptContext,` (withSal) or `NDIS_HANDLE MiniportInterruptContext,`.
 * An empty list is `VOID`.
 */
export function cParamLines(params: readonly Pick<ParamModel, 'sal' | 'name' | 'type'>[], withSal: boolean): string[] {
  if (params.length === 0) return ['VOID'];
  for (const p of params) {
    ofKind('identifier', p.name, 'a parameter name');
    ofKind('cTypeName', p.type.c, `the type of parameter ${p.name}`);
    if (p.sal !== null) ofKind('salParam', p.sal, `the annotation of parameter ${p.name}`);
  }
  let salWidth = 0;
  let typeWidth = 0;
  for (const p of params) {
    salWidth = Math.max(salWidth, (p.sal ?? '').length);
    typeWidth = Math.max(typeWidth, p.type.c.length);
  }
  return params.map((p, i) => {
    const sal = withSal ? `${(p.sal ?? '').padEnd(salWidth)} ` : '';
    const comma = i === params.length - 1 ? '' : ',';
    return `${sal}${p.type.c.padEnd(typeWidth)} ${p.name}${comma}`;
  });
}

/**
 * Function-level SAL of an entry: the model's annotations, then conditional (_When_) ones not yet in
 * it; each checked against the SAL forms the model writes, and each `_When_` value against its kind.
 */
export function entrySal(entry: Pick<FunctionModel, 'name' | 'sal' | 'irql'>): string[] {
  entry.irql.when.forEach((condition, i) => {
    if (condition.param === null) return;
    ofKind('identifier', condition.param, `${entry.name} irql.when[${i}].param`);
    ofKind('cConstant', condition.equalsC ?? '', `${entry.name} irql.when[${i}].equals`);
  });
  const sal = [...entry.sal];
  for (const condition of entry.irql.when)
    if (condition.sal !== null && !sal.includes(condition.sal)) sal.push(condition.sal);
  for (const annotation of sal) ofKind('sal', annotation, `an annotation of ${entry.name}`);
  return sal;
}

/** The C integer type of a size and signedness: `char`, `short`, `int`, `long long`; `signed char` for a signed byte. */
export function sizedIntegerC(bits: number | null, signed: boolean | null): string {
  const base = bits === 8 ? 'char' : bits === 16 ? 'short' : bits === 64 ? 'long long' : 'int';
  return `${signed === false ? 'unsigned ' : bits === 8 ? 'signed ' : ''}${base}`;
}

/** `typedef <c> <name>;`, written as the WDK writes it: the type's trailing `*`s go with the name. */
export function typedefLine(c: string, name: string): string {
  ofKind('identifier', name, 'a typedef name');
  const type = c.trimEnd();
  const stars = /(\**)$/.exec(type)![1]!;
  return `typedef ${type.slice(0, type.length - stars.length).trimEnd()} ${stars}${name};`;
}

/** The length of the longest text (0 for none), without spreading a long list into arguments. */
export function widest(texts: readonly string[]): number {
  let width = 0;
  for (const text of texts) if (text.length > width) width = text.length;
  return width;
}
