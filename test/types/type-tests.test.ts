/**
 * Type tests: the generated declarations make misuse of role types a compile error.
 *
 * - test/types/pass/*.ts must compile with no diagnostic.
 * - test/types/fail/*.ts each start with `// expect-error TS2345` (one or more codes, comma-separated,
 *   optionally `: message fragment`) and mark the offending line(s) with a trailing `// @error`. The
 *   file must fail with exactly those codes, only on marked lines, every marked line must fail, and
 *   one message must contain the fragment.
 *
 * One Program (root tsconfig options and paths, so `@ddikit/ndis` is packages/ndis/src/index.ts)
 * compiles every pass and fail file; diagnostics are attributed per file.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const passDir = join(root, 'test/types/pass');
const failDir = join(root, 'test/types/fail');

const listTs = (dir: string): string[] =>
  readdirSync(dir)
    .filter((name) => name.endsWith('.ts'))
    .sort()
    .map((name) => join(dir, name));

const passFiles = listTs(passDir);
const failFiles = listTs(failDir);

interface Expectation {
  codes: number[];
  fragment: string | null;
  /** 1-based lines carrying `// @error`. */
  lines: number[];
}

const headerPattern = /^\/\/ expect-error (TS\d+(?:\s*,\s*TS\d+)*)(?::\s*(.+))?$/;

/** Reads the expectation of a fail file; throws when the header or the markers are missing. */
export function expectationOf(text: string, name: string): Expectation {
  const lines = text.split('\n');
  const header = headerPattern.exec(lines[0] ?? '');
  if (header === null)
    throw new Error(`${name}: the first line must be "// expect-error TS<code>[, TS<code>][: fragment]"`);
  const marked = lines.flatMap((line, i) => (/\/\/ @error\s*$/.test(line) ? [i + 1] : []));
  if (marked.length === 0) throw new Error(`${name}: no line is marked with "// @error"`);
  return {
    codes: header[1]!
      .split(',')
      .map((code) => Number(code.trim().slice(2)))
      .sort((a, b) => a - b),
    fragment: header[2]?.trim() ?? null,
    lines: marked,
  };
}

function rootConfig(): ts.ParsedCommandLine {
  const configPath = join(root, 'tsconfig.json');
  const read = ts.readConfigFile(configPath, ts.sys.readFile);
  if (read.error) throw new Error(ts.flattenDiagnosticMessageText(read.error.messageText, '\n'));
  return ts.parseJsonConfigFileContent(read.config, ts.sys, root, undefined, configPath);
}

interface Found {
  line: number;
  code: number;
  message: string;
}

let compiled: { byFile: Map<string, Found[]>; other: string[] } | undefined;

/** Compiles every pass and fail file in one Program (once), diagnostics by file. */
function compile(): { byFile: Map<string, Found[]>; other: string[] } {
  if (compiled) return compiled;
  const config = rootConfig();
  const program = ts.createProgram({
    rootNames: [...passFiles, ...failFiles],
    options: { ...config.options, noEmit: true },
  });
  const byFile = new Map<string, Found[]>();
  const other: string[] = [];
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
    const file = diagnostic.file;
    if (file === undefined || diagnostic.start === undefined) {
      other.push(`TS${diagnostic.code}: ${message}`);
      continue;
    }
    const name = file.fileName;
    const line = file.getLineAndCharacterOfPosition(diagnostic.start).line + 1;
    if (!passFiles.includes(name) && !failFiles.includes(name)) {
      other.push(`${relative(root, name)}:${line} TS${diagnostic.code}: ${message}`);
      continue;
    }
    const list = byFile.get(name) ?? [];
    list.push({ line, code: diagnostic.code, message });
    byFile.set(name, list);
  }
  compiled = { byFile, other };
  return compiled;
}

const describeFound = (found: readonly Found[]): string[] =>
  found.map((f) => `line ${f.line} TS${f.code}: ${f.message}`);

describe('type tests', () => {
  it('has pass and fail cases, and the root tsconfig checks pass files but not fail files', () => {
    expect(passFiles.length).toBeGreaterThanOrEqual(5);
    expect(failFiles.length).toBeGreaterThanOrEqual(7);
    const included = new Set(rootConfig().fileNames);
    for (const file of passFiles) expect(included.has(file), relative(root, file)).toBe(true);
    for (const file of failFiles) expect(included.has(file), relative(root, file)).toBe(false);
  });

  it('reads expectations from the header and the @error markers', () => {
    expect(expectationOf("// expect-error TS2322, TS2345: Type 'x'\nconst a = 1; // @error\n", 'a.ts')).toEqual({
      codes: [2322, 2345],
      fragment: "Type 'x'",
      lines: [2],
    });
    expect(() => expectationOf('// TS2322\nx; // @error\n', 'b.ts')).toThrow(/first line/);
    expect(() => expectationOf('// expect-error TS2322\nx;\n', 'c.ts')).toThrow(/no line is marked/);
  });

  it('compiles the package itself and the imported declarations without diagnostics', () => {
    expect(compile().other).toEqual([]);
  });

  describe('pass', () => {
    it.each(passFiles.map((file) => [relative(passDir, file), file] as const))('%s compiles cleanly', (_name, file) => {
      expect(describeFound(compile().byFile.get(file) ?? [])).toEqual([]);
    });
  });

  describe('fail', () => {
    it.each(failFiles.map((file) => [relative(failDir, file), file] as const))(
      '%s fails as its header says',
      (name, file) => {
        const expected = expectationOf(readFileSync(file, 'utf8'), name);
        const found = compile().byFile.get(file) ?? [];
        const detail = describeFound(found).join('\n');
        expect(
          found.map((f) => f.code).sort((a, b) => a - b),
          detail,
        ).toEqual(expected.codes);
        for (const f of found) expect(expected.lines, `unmarked error at ${detail}`).toContain(f.line);
        for (const line of expected.lines)
          expect(
            found.map((f) => f.line),
            `no error on marked line ${line}: ${detail}`,
          ).toContain(line);
        if (expected.fragment !== null) {
          expect(
            found.some((f) => f.message.includes(expected.fragment!)),
            `no message contains "${expected.fragment}":\n${detail}`,
          ).toBe(true);
        }
      },
    );
  });
});
