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
  return text === null || text.trim() === '' ? '—' : escapeTableCell(text);
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
    r
      .replace(/\r\n?/g, '\n')
      .trim()
      .replace(/\n[ \t]*/g, '\n  '),
  );
}

export function code(text: string): string {
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
