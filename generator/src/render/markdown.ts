/**
 * What the reference pages share: where they go, Markdown text made safe for table cells and
 * comments, and the link table (entry name → its page or its row of types.md).
 */
import { compareStrings } from '../diagnostics.js';
import type { EntryModel, Model } from '../spec/model.js';

/** Folder of the pages, relative to the output folder. */
export const docsDir = 'docs/reference';
/** The page that holds scalars, handles, pointers, void and constants. */
export const sharedTypesPage = 'types.md';
export const indexPage = 'README.md';

/** Type kinds that get a page of their own; the others share types.md. */
export const ownPageKinds: ReadonlySet<string> = new Set(['struct', 'enum']);

/**
 * Makes text safe inside one cell of a Markdown table: pipes are escaped (GitHub splits cells on them
 * even inside code spans), a blank line becomes `<br><br>`, any other line break a space.
 */
export function escapeTableCell(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .trim()
    .replace(/\|/g, '\\|')
    .replace(/[ \t]*\n[ \t]*(?:\n[ \t]*)+/g, '<br><br>')
    .replace(/[ \t]*\n[ \t]*/g, ' ');
}

/** A table cell for optional prose: escaped text, or an em dash where there is none. */
export function cell(text: string | null): string {
  return text === null || text.trim() === '' ? '—' : escapeTableCell(prose(text));
}

/**
 * Prose of the spec made safe for a Markdown page: `&`, `<` and `>` outside code spans become
 * entities, so no raw HTML (`<script>`, `<img onerror>`, `<!--`) reaches the page; code spans (a run
 * of backticks closed by a run of the same length) stay as written, since Markdown shows them
 * literally. Text without those characters comes back unchanged.
 */
export function prose(text: string): string;
export function prose(text: string | null): string | null;
export function prose(text: string | null): string | null {
  if (text === null || !/[&<>]/.test(text)) return text;
  // Every run of backticks, and for each run the next run of the same length (its closer, if any).
  const runs: { start: number; length: number }[] = [];
  for (const match of text.matchAll(/`+/g)) runs.push({ start: match.index, length: match[0].length });
  const closer = new Array<number>(runs.length).fill(-1);
  const lastOfLength = new Map<number, number>();
  for (let i = runs.length - 1; i >= 0; i--) {
    closer[i] = lastOfLength.get(runs[i]!.length) ?? -1;
    lastOfLength.set(runs[i]!.length, i);
  }
  let out = '';
  let at = 0;
  let run = 0;
  while (at < text.length) {
    while (run < runs.length && runs[run]!.start < at) run++;
    const next = run < runs.length ? runs[run]!.start : text.length;
    out += escapeHtml(text.slice(at, next));
    if (next === text.length) break;
    const open = runs[run]!;
    const close = closer[run]!;
    if (close === -1) {
      out += '`'.repeat(open.length);
      at = open.start + open.length;
      run++;
    } else {
      const end = runs[close]!.start + runs[close]!.length;
      out += text.slice(open.start, end);
      at = end;
      run = close + 1;
    }
  }
  return out;
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Text that cannot end or break an HTML comment. */
export function commentSafe(text: string): string {
  let safe = text.replace(/\r?\n/g, ' ');
  while (safe.includes('--')) safe = safe.replace(/--/g, '- -');
  return safe;
}

/** The first sentence of a description (the whole text when it has one sentence), on one line. */
export function firstSentence(text: string | null): string | null {
  if (text === null) return null;
  const flat = text.replace(/\s+/g, ' ').trim();
  const match = /^(.+?[.!?])(?:\s|$)/.exec(flat);
  return match ? match[1]! : flat;
}

/** Remarks as list items: a line break inside one continues the item. */
export function remarkItems(remarks: readonly string[]): string[] {
  return remarks.map((r) =>
    prose(r)
      .replace(/\r\n?/g, '\n')
      .trim()
      .replace(/\n[ \t]*/g, '\n  '),
  );
}

/** A code span of a name, C or TypeScript text: never prose, so it holds no backtick and no line break. */
export function code(text: string): string {
  if (/[`\r\n]/.test(text))
    throw new Error(`ddikit internal error: a code span would hold ${JSON.stringify(text.slice(0, 200))}.`);
  return `\`${text}\``;
}

/** "interrupts" → "Interrupts", "spin-locks" → "Spin locks". */
export function familyTitle(family: string): string {
  const words = family.replace(/[-_]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** "A, B and C". */
export function listInWords(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

// ---------------------------------------------------------------------------------------------------
// Links

export interface LinkTable {
  /** Entry name → relative link target (`./stem.md` or `./types.md#stem`). */
  href: ReadonlyMap<string, string>;
  /** Role pointer typedef → role name. */
  pointerRole: ReadonlyMap<string, string>;
}

export function linkTable(model: Model): LinkTable {
  const href = new Map<string, string>();
  const pages = new Map<string, string>([
    [sharedTypesPage, 'the shared types page'],
    [indexPage, 'the index'],
  ]);
  const ownPage = (entry: EntryModel): void => {
    const file = `${entry.stem}.md`;
    const taken = pages.get(file.toLowerCase());
    if (taken !== undefined) {
      throw new Error(
        `Reference page ${docsDir}/${file} of ${entry.name} would overwrite ${taken}; rename one of them.`,
      );
    }
    pages.set(file.toLowerCase(), entry.name);
    href.set(entry.name, `./${file}`);
  };
  for (const role of model.roles) ownPage(role);
  for (const fn of model.functions) ownPage(fn);
  for (const type of model.types) {
    if (ownPageKinds.has(type.typeKind)) ownPage(type);
    else href.set(type.name, `./${sharedTypesPage}#${type.stem}`);
  }
  for (const constant of model.constants) href.set(constant.name, `./${sharedTypesPage}#${constant.stem}`);
  const pointerRole = new Map<string, string>();
  for (const role of model.roles) if (role.pointer !== null) pointerRole.set(role.pointer, role.name);
  return { href, pointerRole };
}

/** `[`NAME`](./target)`, or plain `NAME` in code when there is no page for it. */
export function link(links: LinkTable, name: string): string {
  const target = links.href.get(name) ?? links.href.get(links.pointerRole.get(name) ?? '');
  return target === undefined ? code(name) : `[${code(name)}](${target})`;
}

export function hasLink(links: LinkTable, name: string): boolean {
  return links.href.has(name);
}

/** Sorted, unique, linked names of `names` that have a page, leaving out `self`. */
export function linkedList(links: LinkTable, names: readonly string[], self: string): string[] {
  return [...new Set(names)]
    .filter((name) => name !== self && hasLink(links, name))
    .sort(compareStrings)
    .map((name) => link(links, name));
}
