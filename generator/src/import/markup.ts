/**
 * The mixed HTML and Markdown of reference pages, as plain text and as link targets. Pure.
 */
import type { PageLine } from './page.js';

const blockTags = /^(?:address|blockquote|br|dd|div|dl|dt|h[1-6]|hr|li|ol|p|pre|table|tbody|td|th|thead|tr|ul)$/i;

const entities: Readonly<Record<string, string>> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
};

/**
 * Plain text: fenced code left out, tags removed (block tags become spaces), entities decoded,
 * Markdown links reduced to their text, emphasis and code marks and backslash escapes removed,
 * white space collapsed.
 */
export function plainText(lines: readonly PageLine[] | string): string {
  const all = typeof lines === 'string' ? lines.split('\n') : lines.map((l) => l.text);
  return withoutCode(all)
    .join('\n')
    .replace(/<\/?([A-Za-z][A-Za-z0-9]*)\b[^>]*>/g, (_m, tag: string) => (blockTags.test(tag) ? ' ' : ''))
    .replace(/&(#\d+|#x[0-9a-f]+|[a-z]+);/gi, (m, name: string) => decodeEntity(name) ?? m)
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\\([\\`*_{}[\]()#+\-.!<>|])/g, '$1')
    .replace(/\*\*?|`/g, '')
    .replace(/\|/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The lines outside fenced code blocks. */
function withoutCode(lines: readonly string[]): string[] {
  const kept: string[] = [];
  let fence: string | null = null;
  for (const line of lines) {
    const marker = /^\s*(```+|~~~+)/.exec(line)?.[1];
    if (marker !== undefined) {
      if (fence === null) fence = marker[0]!.repeat(3);
      else if (marker.startsWith(fence)) fence = null;
      continue;
    }
    if (fence === null) kept.push(line);
  }
  return kept;
}

function decodeEntity(name: string): string | undefined {
  if (name.startsWith('#x') || name.startsWith('#X')) return String.fromCodePoint(Number.parseInt(name.slice(2), 16));
  if (name.startsWith('#')) return String.fromCodePoint(Number.parseInt(name.slice(1), 10));
  return entities[name.toLowerCase()];
}

/** Link targets of HTML anchors and Markdown links, in order of appearance. */
export function linkTargets(lines: readonly PageLine[]): string[] {
  const text = lines.map((l) => l.text).join('\n');
  const targets: { at: number; href: string }[] = [];
  for (const match of text.matchAll(/<a\s[^>]*?href\s*=\s*"([^"]*)"/gi))
    targets.push({ at: match.index, href: match[1]! });
  for (const match of text.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g))
    targets.push({ at: match.index, href: match[1]! });
  return targets.sort((a, b) => a.at - b.at).map((t) => t.href.trim());
}

/** Splits plain text into sentences at `.`, `!` or `?` followed by a space and a capital or a digit. */
export function sentences(text: string): string[] {
  return text
    .split(/(?<=[.!?])\s+(?=[A-Z0-9"(])/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}
