/**
 * load: spec sources (path + text) → parsed YAML documents that keep source positions.
 * Pure: reading the folder is the caller's job (see readSpecSources in spec-files.ts).
 *
 * Length: parse is one sequence of the YAML parser's options and limits, kept in one place.
 */
import {
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  visit,
  type Document,
  type Node,
  type Pair,
  type YAMLMap,
} from 'yaml';
import { escapeHidden, quote, type Diagnostic, type Severity } from '../diagnostics.js';
import type { ReadProblem } from './read-file.js';

export interface SpecSource {
  /** Path relative to the working directory, forward slashes; used in diagnostics. */
  path: string;
  /**
   * Stable name of the file for provenance in generated output: relative to the spec folder's parent
   * (spec/ndis/interrupts.yaml), so output never depends on the working directory. Defaults to path.
   */
  origin?: string;
  text: string;
  /** Why the file was not read (a link, a special file, too large, not UTF-8); load reports it. */
  problem?: ReadProblem;
}

export interface LoadedFile {
  path: string;
  /** See SpecSource.origin. */
  origin: string;
  /** Text with CRLF normalized to LF (positions refer to it; line numbers are unchanged). */
  text: string;
  document: Document.Parsed;
  lineCounter: LineCounter;
  /** The plain JavaScript value of the document (null-prototype safe: see toPlain). */
  value: unknown;
}

export interface LoadResult {
  files: LoadedFile[];
  /** The files that did not load, with what they still name; see UnparsedFile. Sorted as given. */
  unparsed: UnparsedFile[];
  diagnostics: Diagnostic[];
}

/**
 * A file that did not load (a YAML syntax error, or a tag, a key, a number or an alias load refuses)
 * but still has a document: nothing of it is checked or reaches a model, and the names it defines
 * are still known, so a reference to one from another file is no follow-on error. What parsed
 * cleanly is `defined`; what the text may define besides (`mayDefine`) lets the checks hold back
 * an unknown-name error that the file could explain, and say once that it was not checked.
 */
export interface UnparsedFile {
  path: string;
  /** `syntax` when the YAML did not parse, `refused` when it parsed but load refused the document. */
  reason: 'syntax' | 'refused';
  /** Where the first error that kept the file out is. */
  line: number;
  col: number;
  /** Whether the file is marked `imported: true` (as far as its text shows). */
  imported: boolean;
  /**
   * The names of the entries that parsed cleanly: of types, constants, functions, roles (with their
   * pointer typedefs and variants) and rule ids, each read only from a node no error lies in.
   */
  defined: ReadonlySet<string>;
  /** Every name the text may define: the value of each `name:`, `pointer:` and `id:` anywhere in it. */
  mayDefine: ReadonlySet<string>;
}

/** Bounds that keep a hostile spec from exhausting time or memory. */
export const loadLimits = {
  /** Largest spec file accepted, in bytes. */
  fileBytesMax: 16 * 1024 * 1024,
  /** Deepest nesting of mappings and sequences accepted. */
  depthMax: 64,
  /** Most alias expansions accepted while converting a document (the yaml library's maxAliasCount). */
  aliasCountMax: 100,
} as const;

export const schemaModeline = /^# yaml-language-server: \$schema=\S+\s*$/;

export function load(sources: readonly SpecSource[]): LoadResult {
  const files: LoadedFile[] = [];
  const unparsed: UnparsedFile[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const source of sources) {
    const result = loadOne(source);
    for (const d of result.diagnostics) diagnostics.push(d);
    if (result.file) files.push(result.file);
    if (result.unparsed) unparsed.push(result.unparsed);
  }
  return { files, unparsed, diagnostics };
}

function loadOne(source: SpecSource): { file?: LoadedFile; unparsed?: UnparsedFile; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const at: At = (line, col, code, message, severity = 'error') => {
    diagnostics.push({ file: source.path, line, col, severity, code, message });
  };
  if (source.problem !== undefined) {
    const { line, col, code, message, severity } = source.problem;
    at(line, col, code, message, severity);
    return { diagnostics };
  }
  const bytes = Buffer.byteLength(source.text, 'utf8');
  if (bytes > loadLimits.fileBytesMax) {
    at(
      1,
      1,
      'DDI1009',
      `the file is ${bytes} bytes, more than the ${loadLimits.fileBytesMax} a spec file may have. Split it into several files.`,
    );
    return { diagnostics };
  }
  let text = source.text.replace(/\r\n?/g, '\n');
  if (text.startsWith('\ufeff')) text = text.slice(1);
  const firstLine = text.slice(0, text.indexOf('\n') === -1 ? text.length : text.indexOf('\n'));
  if (!schemaModeline.test(firstLine)) {
    at(
      1,
      1,
      'DDI1007',
      `a spec file must start with "# yaml-language-server: $schema=<path to ddi.schema.json>" (got ${quote(firstLine)}). Add the line so editors can check the file.`,
    );
  }
  const lineCounter = new LineCounter();
  const before = diagnostics.length;
  const { document, usable } = parse(text, lineCounter, at);
  if (document === null) return { diagnostics };
  const kept = (reason: UnparsedFile['reason']) => ({
    unparsed: unparsedFile(source.path, reason, document, text, diagnostics.slice(before)),
    diagnostics,
  });
  if (!usable) return kept(document.errors.length > 0 ? 'syntax' : 'refused');
  const value = plainValue(document, lineCounter, at);
  if (value === undefined) return kept('refused');
  return {
    file: { path: source.path, origin: source.origin ?? source.path, text, document, lineCounter, value },
    diagnostics,
  };
}

/** Reports a problem of the file being loaded. */
type At = (line: number, col: number, code: Diagnostic['code'], message: string, severity?: Severity) => void;

const tooDeep =
  'the document nests too deeply for the parser. A spec never needs that; check the file for runaway brackets or indentation.';

/**
 * The parsed document, usable, or not after reporting why: a syntax error, runaway nesting, a tag, a
 * key that is a collection or repeated, a number that cannot be read exactly. No document at all
 * when the parser gave up (nesting too deep for it).
 */
function parse(text: string, lineCounter: LineCounter, at: At): { document: Document.Parsed | null; usable: boolean } {
  let document: Document.Parsed;
  try {
    document = parseDocument(text, {
      lineCounter,
      prettyErrors: false,
      // Repeated keys are found below in one pass; the library's own check compares every key of a
      // mapping with every other, which a file of many keys turns into hours.
      uniqueKeys: false,
      strict: true,
      stringKeys: false,
      // YAML 1.2's core schema whatever the document's %YAML directive says, and no tags beyond it
      // (binary, timestamp, set, …); the library's warnings become diagnostics below, never
      // process warnings.
      schema: 'core',
      resolveKnownTags: false,
      logLevel: 'error',
    });
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    at(1, 1, 'DDI1009', tooDeep);
    return { document: null, usable: false };
  }
  // One mistake (a tab, a bracket left open) makes the parser report an error on every line after
  // it; the first is the one to fix, the others are counted in it.
  const syntax: { line: number; col: number; code: Diagnostic['code']; message: string }[] = [];
  for (const error of document.errors) {
    // The parser may stop before it has seen every line, so count lines in the text itself.
    const { line, col } = positionAt(text, error.pos[0]);
    const message = firstSentence(error.message);
    if (/call stack/i.test(message)) {
      at(1, 1, 'DDI1009', tooDeep);
      return { document, usable: false };
    }
    const quoted = error.code === 'MISSING_CHAR' ? unclosedQuote(document, text, error.pos[0]) : undefined;
    const flow = quoted === undefined ? unclosedFlow(document, text, error.pos[0], message) : undefined;
    if (error.code === 'DUPLICATE_KEY') {
      syntax.push({ line, col, code: 'DDI1008', message: `${message}. Keep one of the two and remove the other.` });
    } else if (quoted !== undefined) {
      // The parser finds the missing quote where the text ends; the mistake is where the quote opens.
      const opens = positionAt(text, quoted.offset);
      syntax.push({
        ...opens,
        code: 'DDI1001',
        message: `the ${quoted.quote === '"' ? 'double' : 'single'}-quoted value that opens here has no closing ${quoted.quote}, so it runs on to the end of the file. Add the closing ${quoted.quote} where the value ends.`,
      });
    } else if (flow !== undefined) {
      // Found where the next line does not continue the list or mapping; the mistake is where it opens.
      const what = flow.open === '[' ? 'list' : 'mapping';
      syntax.push({
        ...positionAt(text, flow.offset),
        code: 'DDI1001',
        message: `the flow ${what} that opens here with ${flow.open} has no closing ${flow.close}. Add the ${flow.close} where the ${what} ends (on this line, or on a line indented more than the key).`,
      });
    } else {
      syntax.push({ line, col, code: 'DDI1001', message: `${message}. Fix the YAML syntax at this point.` });
    }
  }
  const first = syntax.reduce<(typeof syntax)[number] | undefined>(
    (best, e) => (best === undefined || e.line < best.line || (e.line === best.line && e.col < best.col) ? e : best),
    undefined,
  );
  if (first !== undefined) {
    const more = syntax.length - 1;
    at(
      first.line,
      first.col,
      first.code,
      more === 0
        ? first.message
        : `${first.message} The parser reports ${more} more error${more === 1 ? '' : 's'} after it in this file, likely caused by it; run again once it is fixed.`,
    );
  }
  if (document.errors.length > 0) return { document, usable: false };
  // Before anything walks the document recursively.
  if (maxDepth(document.contents as Node | null, 0) > loadLimits.depthMax) {
    at(
      1,
      1,
      'DDI1009',
      `the document nests more than the ${loadLimits.depthMax} levels allowed. A spec never needs that; check the file for runaway brackets or indentation.`,
    );
    return { document, usable: false };
  }
  for (const warning of document.warnings) {
    const { line, col } = positionAt(text, warning.pos[0]);
    const tag = /^Unresolved tag: (.*)$/.exec(firstSentence(warning.message))?.[1];
    if (warning.code === 'TAG_RESOLVE_FAILED' && tag !== undefined) {
      at(
        line,
        col,
        'DDI1011',
        `the tag ${quote(tag)} is not a tag of YAML's core schema; spec files use no tags. Remove it.`,
      );
    } else {
      at(line, col, 'DDI1001', `${firstSentence(warning.message)}. Fix the YAML at this point.`, 'warning');
    }
  }
  const { keys, repeated, inexact } = scan(document);
  for (const key of keys) {
    const { line, col } = positionAt(text, key.offset);
    at(line, col, 'DDI1011', `a mapping key must be a plain name (got ${key.what}). Write the key as a word.`);
  }
  for (const offset of repeated) {
    const { line, col } = positionAt(text, offset);
    at(line, col, 'DDI1008', 'Map keys must be unique. Keep one of the two and remove the other.');
  }
  for (const number of inexact) {
    const { line, col } = positionAt(text, number.offset);
    const written = text.slice(number.offset, number.end).trim();
    at(
      line,
      col,
      'DDI1006',
      `the number ${written} cannot be held exactly: a spec number is an integer of at most 2^53 - 1 in magnitude, and this one would be read as ${String(number.value)}. Correct it, or write it as a string ("0x…") where the property allows one.`,
    );
  }
  return { document, usable: keys.length === 0 && repeated.length === 0 && inexact.length === 0 };
}

/**
 * The quoted scalar that a "Missing closing quote" error at `offset` belongs to: the one that opens
 * last before the offset and runs on to it. Undefined when the error is of another kind.
 */
function unclosedQuote(
  document: Document.Parsed,
  text: string,
  offset: number,
): { offset: number; quote: string } | undefined {
  let found: { offset: number; quote: string } | undefined;
  visit(document, {
    Scalar(_key, node) {
      if (node.type !== 'QUOTE_DOUBLE' && node.type !== 'QUOTE_SINGLE') return;
      const [start, end] = node.range ?? [0, 0];
      const quote = text[start];
      if (quote !== '"' && quote !== "'") return;
      if (start < offset && end >= offset && (found === undefined || start > found.offset))
        found = { offset: start, quote };
    },
  });
  return found;
}

/**
 * The flow collection (`[…]`, `{…}`) that an error at `offset` saying it must "end with a ]" (or
 * `}`) belongs to: the last one opening before the offset whose text does not end with its closing
 * bracket. Undefined when the error is of another kind.
 */
function unclosedFlow(
  document: Document.Parsed,
  text: string,
  offset: number,
  message: string,
): { offset: number; open: string; close: string } | undefined {
  const close = /end with an? ([\]}])/.exec(message)?.[1];
  if (close === undefined) return undefined;
  const open = close === ']' ? '[' : '{';
  let found: { offset: number; open: string; close: string } | undefined;
  const check = (node: { flow?: boolean; range?: [number, number, number] | null }): void => {
    if (node.flow !== true) return;
    const [start, end] = node.range ?? [0, 0];
    if (text[start] !== open || start > offset || text.slice(start, end).trimEnd().endsWith(close)) return;
    if (found === undefined || start > found.offset) found = { offset: start, open, close };
  };
  visit(document, { Seq: (_key, node) => check(node), Map: (_key, node) => check(node) });
  return found;
}

/**
 * One pass over the document for what the parser lets through: keys that are lists, mappings or
 * aliases (the library would stringify them, and say so on stderr), keys repeated in one mapping
 * (a set per mapping, so a mapping of many keys stays linear), and numbers the parser could not
 * read exactly: past ±(2^53 - 1), where an integer is silently rounded (9007199254740993 reads as
 * 9007199254740992) or written with an exponent (1e21), and the ones that are no number at all
 * (1e309 is Infinity, .nan). Every number of a spec is an integer, so none of those is ever meant;
 * a fraction is left to the schema, which says where an integer belongs.
 */
function scan(document: Document.Parsed): {
  keys: { offset: number; what: string }[];
  repeated: number[];
  inexact: { offset: number; end: number; value: number }[];
} {
  const keys: { offset: number; what: string }[] = [];
  const repeated: number[] = [];
  const inexact: { offset: number; end: number; value: number }[] = [];
  visit(document, {
    Map(_key, map) {
      const seen = new Set<string>();
      for (const pair of map.items) {
        const key = pair.key;
        if (key === null || key === undefined) continue;
        if (!isScalar(key)) {
          keys.push({
            offset: nodeStart(key) ?? 0,
            what: isMap(key) ? 'a mapping' : isSeq(key) ? 'a list' : 'an alias',
          });
          continue;
        }
        const identity = `${typeof key.value}:${String(key.value)}`;
        if (seen.has(identity)) repeated.push(nodeStart(key) ?? 0);
        seen.add(identity);
      }
    },
    Scalar(_key, node) {
      const value = node.value;
      if (typeof value !== 'number' || Number.isSafeInteger(value)) return;
      if (Number.isFinite(value) && !Number.isInteger(value)) return;
      inexact.push({ offset: node.range?.[0] ?? 0, end: node.range?.[1] ?? 0, value });
    },
  });
  return { keys, repeated, inexact };
}

/** The document's plain value (see toPlain), or undefined after reporting aliases past the limit. */
function plainValue(document: Document.Parsed, lineCounter: LineCounter, at: At): unknown {
  try {
    return toPlain(document.toJS({ maxAliasCount: loadLimits.aliasCountMax }));
  } catch (error) {
    const anchorLine = firstAliasLine(document, lineCounter);
    at(
      anchorLine.line,
      anchorLine.col,
      'DDI1009',
      `${firstSentence((error as Error).message)}. Spec files should not need YAML aliases; write the values out.`,
    );
    return undefined;
  }
}

/**
 * What a file that did not load still tells: where its first error is, and the names it defines,
 * read from the document only where no error lies (the parser keeps a partial document) and from the
 * text wherever a `name:`, `pointer:` or `id:` key appears.
 */
function unparsedFile(
  path: string,
  reason: UnparsedFile['reason'],
  document: Document.Parsed,
  text: string,
  diagnostics: readonly Diagnostic[],
): UnparsedFile {
  const first = diagnostics
    .filter((d) => d.severity === 'error')
    .reduce<Diagnostic | undefined>(
      (best, d) => (best === undefined || d.line < best.line || (d.line === best.line && d.col < best.col) ? d : best),
      undefined,
    );
  const errorOffsets = document.errors.map((error) => error.pos[0]).sort((a, b) => a - b);
  const recovered = cleanNames(document, errorOffsets);
  return {
    path,
    reason,
    line: first?.line ?? 1,
    col: first?.col ?? 1,
    imported: recovered.imported ?? /^imported:[ \t]*true[ \t]*(#.*)?$/m.test(text),
    defined: recovered.names,
    mayDefine: new Set([...namesInText(text), ...recovered.names]),
  };
}

/** The sections whose entries define names, and the key that holds an entry's name. */
const namingSections = { types: 'name', constants: 'name', functions: 'name', roles: 'name', rules: 'id' } as const;

/**
 * The names of the entries of a partial document that no error touches: a section of the top-level
 * mapping, an entry of it, and the name's pair (with a role's pointer and its variants' names and
 * pointers) must each be free of the errors, and the pair must come before any error of its entry.
 * `errorOffsets` is sorted, so finding the errors of a node is a binary search.
 */
function cleanNames(
  document: Document.Parsed,
  errorOffsets: readonly number[],
): { names: Set<string>; imported: boolean | undefined } {
  const names = new Set<string>();
  /** The first error offset inside the node's range; -1 for a node without a range (never trusted). */
  const errorIn = (node: unknown): number | undefined => {
    const range = (node as { range?: [number, number, number] | null } | null)?.range;
    if (!range) return -1;
    let low = 0;
    let high = errorOffsets.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (errorOffsets[middle]! < range[0]) low = middle + 1;
      else high = middle;
    }
    const offset = errorOffsets[low];
    return offset !== undefined && offset <= range[2] ? offset : undefined;
  };
  const within = (node: unknown): boolean => errorIn(node) !== undefined;
  /** The string of a clean scalar pair `key: VALUE` of an entry, before the entry's first error. */
  const nameOf = (entry: YAMLMap, key: string): string | undefined => {
    const pair = pairsOf(entry).get(key);
    if (pair === undefined || !isScalar(pair.key) || !isScalar(pair.value)) return undefined;
    if (within(pair.key) || within(pair.value)) return undefined;
    const firstError = errorIn(entry);
    const end = pair.value.range?.[2];
    if (end === undefined || firstError === -1 || (firstError !== undefined && end > firstError)) return undefined;
    return typeof pair.value.value === 'string' ? pair.value.value : undefined;
  };
  const add = (name: string | undefined): void => {
    if (name !== undefined) names.add(name);
  };
  const root = document.contents;
  if (!isMap(root)) return { names, imported: undefined };
  let imported: boolean | undefined;
  const importedPair = pairsOf(root).get('imported');
  if (importedPair && isScalar(importedPair.value) && !within(importedPair.key) && !within(importedPair.value))
    imported = importedPair.value.value === true;
  for (const [section, key] of Object.entries(namingSections)) {
    const pair = pairsOf(root).get(section);
    if (pair === undefined || !isScalar(pair.key) || within(pair.key) || !isSeq(pair.value)) continue;
    for (const entry of pair.value.items) {
      if (!isMap(entry)) continue;
      add(nameOf(entry, key));
      if (section !== 'roles') continue;
      add(nameOf(entry, 'pointer'));
      const variants = pairsOf(entry).get('variants');
      if (variants === undefined || within(variants.key) || !isSeq(variants.value)) continue;
      for (const variant of variants.value.items) {
        if (!isMap(variant)) continue;
        add(nameOf(variant, 'name'));
        add(nameOf(variant, 'pointer'));
      }
    }
  }
  return { names, imported };
}

/** The value of every `name:`, `pointer:` and `id:` key of a text, in block or flow style, quoted or not. */
function namesInText(text: string): Set<string> {
  const names = new Set<string>();
  for (const match of text.matchAll(/(?:^|[\s{,[-])(?:name|pointer|id)[ \t]*:[ \t]*["']?([A-Za-z_][\w-]*)/g))
    names.add(match[1]!);
  return names;
}

/** 1-based line and column of an offset in a text (clamped into the text). */
export function positionAt(text: string, offset: number): { line: number; col: number } {
  const at = Math.max(0, Math.min(offset, text.length));
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < at; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, col: at - lineStart + 1 };
}

/** The first line of a YAML library message, without its position, escaped and cut to 200 characters. */
function firstSentence(message: string): string {
  const line = (message.split('\n')[0] ?? message).replace(/ at line \d+, column \d+:?$/, '').replace(/[.:]\s*$/, '');
  const shown = escapeHidden(line);
  return shown.length > 200 ? `${shown.slice(0, 197)}...` : shown;
}

function maxDepth(node: Node | null, depth: number): number {
  if (depth > loadLimits.depthMax) return depth;
  if (isMap(node)) {
    let deepest = depth + 1;
    for (const pair of node.items) deepest = Math.max(deepest, maxDepth(pair.value as Node | null, depth + 1));
    return deepest;
  }
  if (isSeq(node)) {
    let deepest = depth + 1;
    for (const item of node.items) deepest = Math.max(deepest, maxDepth(item as Node | null, depth + 1));
    return deepest;
  }
  return depth;
}

function firstAliasLine(document: Document.Parsed, lineCounter: LineCounter): { line: number; col: number } {
  let found: { line: number; col: number } | undefined;
  visit(document, {
    Alias(_key, node) {
      if (node.range) found = lineCounter.linePos(node.range[0]);
      return visit.BREAK;
    },
  });
  return found ?? { line: 1, col: 1 };
}

/**
 * Copies a parsed value into plain objects whose own keys are data only: a key such as __proto__ or
 * constructor becomes an ordinary own property (which the schema then rejects as unknown) and can
 * never reach a prototype.
 */
export function toPlain(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toPlain);
  if (value instanceof Map) {
    const object: Record<string, unknown> = Object.create(null);
    for (const [key, item] of value) defineData(object, String(key), toPlain(item));
    return object;
  }
  if (value !== null && typeof value === 'object') {
    const object: Record<string, unknown> = Object.create(null);
    for (const key of Object.keys(value)) defineData(object, key, toPlain((value as Record<string, unknown>)[key]));
    return object;
  }
  return value;
}

function defineData(object: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Source position of the node at a path of keys and indexes, or of its nearest existing parent. */
export function positionOf(
  file: LoadedFile,
  path: readonly (string | number)[],
  part: 'key' | 'value' = 'value',
): { line: number; col: number } {
  let node: unknown = file.document.contents;
  let position = nodeStart(node) ?? 0;
  for (const segment of path) {
    if (isMap(node)) {
      const pair = pairsOf(node).get(String(segment));
      if (!pair) break;
      const keyStart = nodeStart(pair.key);
      const valueStart = nodeStart(pair.value);
      node = pair.value;
      position =
        (part === 'key' && segment === path[path.length - 1] ? keyStart : (valueStart ?? keyStart)) ?? position;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment];
      if (item === undefined) break;
      node = item;
      position = nodeStart(item) ?? position;
    } else {
      break;
    }
  }
  return file.lineCounter.linePos(position);
}

/** The first pair of each scalar key of a mapping, built once per mapping (lookups stay O(1)). */
const pairIndex = new WeakMap<YAMLMap, Map<string, Pair>>();

function pairsOf(map: YAMLMap): Map<string, Pair> {
  let pairs = pairIndex.get(map);
  if (pairs === undefined) {
    pairs = new Map();
    for (const pair of map.items) {
      if (!isScalar(pair.key)) continue;
      const key = String(pair.key.value);
      if (!pairs.has(key)) pairs.set(key, pair as Pair);
    }
    pairIndex.set(map, pairs);
  }
  return pairs;
}

function nodeStart(node: unknown): number | undefined {
  if (node && typeof node === 'object' && 'range' in node) {
    const range = (node as { range?: [number, number, number] | null }).range;
    if (range) return range[0];
  }
  return undefined;
}
