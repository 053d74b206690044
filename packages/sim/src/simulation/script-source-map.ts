/**
 * A position in a script V8 compiled, mapped back to the source the script was made from through the
 * source map it carries inline (`//# sourceMappingURL=data:application/json;base64,…`, which tsx and
 * vitest give every TypeScript module). It reads only what the inspector says of a script (its `url`
 * and `sourceMapURL`, from Debugger.scriptParsed): the harness maps a driver function's definition
 * with it (function-site.ts), and `ddikit`'s watchdog the line of a driver thread it paused.
 *
 * Node's modules come through `process.getBuiltinModule`, so the package stays loadable where they
 * are not: there every answer is null.
 */
import type * as NodeModule from 'node:module';
import type * as NodeUrl from 'node:url';

/** A script as Debugger.scriptParsed describes it. */
export interface ScriptSource {
  /** `file:///…/driver.ts`, an absolute path, or '' (code compiled from a string). */
  readonly url: string;
  /** The source map's URL: inline (`data:application/json;base64,…`), another URL, or ''. */
  readonly sourceMapURL: string;
}

/** A position in the original source (0-based, as the inspector counts). */
export interface OriginalPosition {
  /** The original file's absolute path; null when the map does not name one as a file. */
  readonly file: string | null;
  readonly line: number;
  readonly column: number;
}

const INLINE_MAP = /^data:application\/json(?:;charset=[^;,]+)?;base64,(.*)$/;

/**
 * The original position of a generated one (0-based line and column) through the script's inline
 * source map: the mapping at or before it on its line. Null without an inline map, when nothing maps
 * there, or when the map does not parse.
 */
export function originalPosition(script: ScriptSource, line: number, column: number): OriginalPosition | null {
  const inline = INLINE_MAP.exec(script.sourceMapURL);
  const nodeModule = builtin<typeof NodeModule>('node:module');
  if (inline === null || nodeModule === undefined) return null;
  try {
    const payload = JSON.parse(base64Text(inline[1]!)) as NodeModule.SourceMapPayload;
    const entry = new nodeModule.SourceMap(payload).findEntry(line, column) as {
      originalSource?: string;
      originalLine?: number;
      originalColumn?: number;
    };
    if (entry.originalLine === undefined || entry.originalColumn === undefined) return null;
    const source = entry.originalSource;
    return {
      file: source === undefined || source === '' ? null : sourceFile(source, script.url),
      line: entry.originalLine,
      column: entry.originalColumn,
    };
  } catch {
    return null;
  }
}

/** The absolute path of a script's URL (a `file:` URL or an absolute path); null for any other. */
export function scriptFile(url: string): string | null {
  if (url.startsWith('file:')) {
    const nodeUrl = builtin<typeof NodeUrl>('node:url');
    try {
      return nodeUrl === undefined ? null : nodeUrl.fileURLToPath(url);
    } catch {
      return null;
    }
  }
  return url.startsWith('/') || /^[A-Za-z]:[\\/]/.test(url) ? url : null;
}

/** A source map's `sources` entry as a file path: absolute, a `file:` URL, or relative to the script. */
function sourceFile(source: string, scriptUrl: string): string | null {
  const absolute = scriptFile(source);
  if (absolute !== null) return absolute;
  const base = scriptUrl.startsWith('file:')
    ? scriptUrl
    : scriptFile(scriptUrl) === null
      ? null
      : builtin<typeof NodeUrl>('node:url')?.pathToFileURL(scriptUrl).href;
  if (base === null || base === undefined) return null;
  try {
    return scriptFile(new URL(source, base).href);
  } catch {
    return null;
  }
}

function base64Text(base64: string): string {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return new TextDecoder().decode(bytes);
}

/** One of Node's built-in modules, or undefined outside Node (or a Node without it). */
export function builtin<T>(id: string): T | undefined {
  const process = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  try {
    return process?.getBuiltinModule?.(id) as T | undefined;
  } catch {
    return undefined;
  }
}
