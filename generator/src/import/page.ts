/**
 * A reference page of the Windows DDI documentation, read into its parts: the YAML front matter as
 * key → text (a line-based reading, so one odd line never loses the rest), the `## -name` sections and
 * their `### -param` / `### -field` subsections, each with the line it starts on. Pure: the caller
 * reads the file.
 *
 * Problems become located diagnostics (DDI3001 front matter, DDI3003 markup in a heading, DDI3005 line
 * endings); a page is unusable only when its front matter cannot be found at all.
 */
import { quote, type Diagnostic, type DiagnosticCode, type Severity } from '../diagnostics.js';

export interface PageSource {
  /** Path as shown in diagnostics (relative to the working directory, forward slashes). */
  path: string;
  text: string;
}

export interface FrontMatterField {
  key: string;
  /** The text after `key:`, trimmed; empty for a list. */
  value: string;
  /** The ` - item` lines that follow the key, trimmed. */
  items: string[];
  line: number;
}

export interface PageLine {
  text: string;
  /** 1-based line in the file. */
  line: number;
}

export interface Subsection {
  /** `param`, `field`, or another `### -word`. */
  kind: string;
  /** The heading text after `### -kind `, markup removed, trimmed. */
  title: string;
  line: number;
  /** Lines up to the next heading of level 3 or less, fenced code included. */
  lines: PageLine[];
}

export interface Section {
  /** The word after `## -`: description, parameters, returns, remarks, see-also, struct-fields, … */
  name: string;
  line: number;
  /** Lines before the first subsection (all lines when there is none). */
  lines: PageLine[];
  subsections: Subsection[];
}

export interface Page {
  path: string;
  /** The file name (nf-ndis-ndisacquirespinlock.md). */
  file: string;
  frontMatter: ReadonlyMap<string, FrontMatterField>;
  /** The first `# ` heading after the front matter, markup removed; null when absent. */
  title: string | null;
  sections: ReadonlyMap<string, Section>;
  diagnostics: Diagnostic[];
}

/** Parses a page; `null` page (with an error) when the front matter cannot be found. */
export function parsePage(source: PageSource): { page: Page | null; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const report = (line: number, col: number, severity: Severity, code: DiagnosticCode, message: string): void => {
    diagnostics.push({ file: source.path, line, col, severity, code, message });
  };
  const file = source.path.replace(/^.*\//, '');
  let text = source.text.startsWith('\ufeff') ? source.text.slice(1) : source.text;
  const endings = lineEndings(text);
  if (endings.mixed) {
    report(
      endings.line,
      1,
      'warning',
      'DDI3005',
      `the page mixes line endings (${endings.kinds.join(', ')}); it was read with each ending as a line break. Save it with one kind of line ending.`,
    );
  }
  text = text.replace(/\r\n?/g, '\n');
  const lines = text.split('\n');

  if (lines[0]?.trim() !== '---') {
    report(
      1,
      1,
      'error',
      'DDI3001',
      `the page does not start with a "---" line, so it has no front matter (got ${quote(lines[0] ?? '')}). A reference page starts with YAML front matter between two "---" lines; the page was skipped.`,
    );
    return { page: null, diagnostics };
  }
  const close = lines.findIndex((l, i) => i > 0 && l.trim() === '---');
  if (close === -1) {
    report(
      1,
      1,
      'error',
      'DDI3001',
      'the front matter is never closed by a "---" line; the page was skipped. Add the closing line after the last key.',
    );
    return { page: null, diagnostics };
  }
  const frontMatter = readFrontMatter(lines.slice(1, close), 2, report);

  const { title, sections } = readBody(lines, close + 1, report);
  if (sections.size === 0) {
    report(
      close + 2,
      1,
      'warning',
      'DDI3002',
      'the page has no "## -" section (description, parameters, remarks, …); only its front matter was read.',
    );
  } else if (!sections.has('description')) {
    report(
      close + 2,
      1,
      'warning',
      'DDI3002',
      'the page has no "## -description" section. Every reference page starts its text with one.',
    );
  }
  return { page: { path: source.path, file, frontMatter, title, sections, diagnostics }, diagnostics };
}

/**
 * The text after the front matter from line index `start`: the title (the first level-1 heading) and
 * the `## -name` sections with their `### -kind` subsections. Headings inside code fences are text.
 */
function readBody(
  lines: readonly string[],
  start: number,
  report: Report,
): { title: string | null; sections: Map<string, Section> } {
  let title: string | null = null;
  const sections = new Map<string, Section>();
  let section: Section | null = null;
  let subsection: Subsection | null = null;
  let fence: string | null = null;
  for (let i = start; i < lines.length; i++) {
    const raw = lines[i]!;
    const line = i + 1;
    const fenceMatch = /^\s*(```+|~~~+)/.exec(raw);
    if (fenceMatch) {
      const marker = fenceMatch[1]!;
      if (fence === null) fence = marker[0]!.repeat(3);
      else if (marker.startsWith(fence)) fence = null;
    }
    // Level 1 to 3 only: the title, the `## -` sections and their `### -` subsections.
    const heading = fence === null && !fenceMatch ? /^(#{1,3})\s+(.*?)\s*#*\s*$/.exec(raw) : null;
    if (heading) {
      const level = heading[1]!.length;
      const plain = level === 1 || /^(?:<[^>]*>|\*|`)*-/.test(heading[2]!);
      const cleaned = plain ? headingText(heading[2]!, line, level + 2, report) : heading[2]!.trim();
      if (level === 1) {
        title ??= cleaned;
        section = null;
        subsection = null;
        continue;
      }
      const dashed = /^-([a-z][a-z-]*)(?:\s+(.*))?$/.exec(cleaned);
      if (level === 2 && dashed) {
        section = { name: dashed[1]!, line, lines: [], subsections: [] };
        subsection = null;
        if (sections.has(section.name)) {
          report(
            line,
            1,
            'warning',
            'DDI3002',
            `the section "## -${section.name}" appears twice; only the first is read. Merge the two.`,
          );
        } else {
          sections.set(section.name, section);
        }
        continue;
      }
      if (level === 3 && dashed && section !== null) {
        subsection = { kind: dashed[1]!, title: (dashed[2] ?? '').trim(), line, lines: [] };
        section.subsections.push(subsection);
        continue;
      }
      if (level <= 2) {
        // A plain heading ends the current section's subsection but keeps the section's text.
        subsection = null;
      }
    }
    if (subsection !== null) subsection.lines.push({ text: raw, line });
    else if (section !== null) section.lines.push({ text: raw, line });
  }
  return { title, sections };
}

function lineEndings(text: string): { mixed: boolean; kinds: string[]; line: number } {
  const seen = new Set<string>();
  let first: string | null = null;
  let line = 1;
  let odd = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 13 && c !== 10) continue;
    const kind = c === 10 ? 'LF' : text.charCodeAt(i + 1) === 10 ? 'CRLF' : 'CR';
    if (kind === 'CRLF') i++;
    seen.add(kind);
    first ??= kind;
    // Uniform CRLF is how most reference pages are stored; a bare CR, or CRLF mixed with LF, is not.
    if (odd === 0 && (kind === 'CR' || kind !== first)) odd = line;
    line++;
  }
  const kinds = ['CRLF', 'LF', 'CR'].filter((k) => seen.has(k));
  return { mixed: odd !== 0, kinds, line: odd === 0 ? 1 : odd };
}

type Report = (line: number, col: number, severity: Severity, code: DiagnosticCode, message: string) => void;

/**
 * Heading text with markup removed. HTML tags and Markdown emphasis or code marks in a heading are
 * reported (DDI3003) at their column and dropped, so `### -param <b>Flags</b> [in]` still reads.
 */
function headingText(text: string, line: number, col: number, report: Report): string {
  const found = /<\/?[A-Za-z][^>]*>/.exec(text) ?? /\*\*?|`/.exec(text);
  if (found) {
    report(
      line,
      col + found.index,
      'warning',
      'DDI3003',
      `the heading holds markup (${quote(found[0])}); it was read without it. Headings of reference pages are plain text.`,
    );
  }
  return text
    .replace(/<\/?[A-Za-z][^>]*>/g, '')
    .replace(/\*\*?|`/g, '')
    .replace(/&nbsp;|\u00a0/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

function readFrontMatter(lines: readonly string[], firstLine: number, report: Report): Map<string, FrontMatterField> {
  const fields = new Map<string, FrontMatterField>();
  let current: FrontMatterField | null = null;
  lines.forEach((raw, i) => {
    const line = firstLine + i;
    if (raw.trim() === '') return;
    const item = /^\s+-\s?(.*)$/.exec(raw) ?? /^-\s(.*)$/.exec(raw);
    if (item && current !== null) {
      current.items.push(unquote(item[1]!.trim()));
      return;
    }
    const pair = /^([A-Za-z0-9_][A-Za-z0-9_.-]*):(?:\s(.*)|)$/.exec(raw);
    if (!pair) {
      report(
        line,
        1,
        'warning',
        'DDI3001',
        `the front matter line ${quote(raw)} is neither "key: value" nor a "- item" of a list; it was skipped.`,
      );
      current = null;
      return;
    }
    const key = pair[1]!;
    const field: FrontMatterField = { key, value: unquote((pair[2] ?? '').trim()), items: [], line };
    if (fields.has(key)) {
      report(
        line,
        1,
        'warning',
        'DDI3001',
        `the front matter key ${quote(key)} appears twice; the first one (line ${fields.get(key)!.line}) is kept. Remove the repeat.`,
      );
      current = field;
      return;
    }
    fields.set(key, field);
    current = field;
  });
  return fields;
}

function unquote(value: string): string {
  if (
    value.length >= 2 &&
    ((value.startsWith('"') && value.endsWith('"')) || (value.startsWith("'") && value.endsWith("'")))
  ) {
    return value.slice(1, -1);
  }
  return value;
}

/** The text of a front matter key (`value`, or the items joined by ", "), or '' when absent. */
export function frontValue(page: Page, key: string): string {
  const field = page.frontMatter.get(key);
  if (field === undefined) return '';
  return field.value !== '' ? field.value : field.items.join(', ');
}
