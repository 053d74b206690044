/**
 * The problem matchers the generator ships (problem-matchers/github.json and vscode.json) pick up
 * the diagnostics ddikit really prints, field by field, and the README shows the VS Code one as
 * it ships.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { main, type CliIo } from '../../generator/src/cli/main.js';

const generatorDir = fileURLToPath(new URL('../../generator/', import.meta.url));

interface Pattern {
  regexp: string;
  file: number;
  line: number;
  column: number;
  severity: number;
  code: number;
  message: number;
}

const github = JSON.parse(readFileSync(join(generatorDir, 'problem-matchers/github.json'), 'utf8')) as {
  problemMatcher: { owner: string; pattern: Pattern[] }[];
};
const vscode = JSON.parse(readFileSync(join(generatorDir, 'problem-matchers/vscode.json'), 'utf8')) as {
  owner: string;
  fileLocation: string[];
  pattern: Pattern;
};

const work = mkdtempSync(join(tmpdir(), 'ddikit-matchers-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The stderr lines of `ddikit validate` on a spec with a misspelt IRQL. */
async function realDiagnostics(): Promise<string[]> {
  mkdirSync(join(work, 'spec'), { recursive: true });
  writeFileSync(
    join(work, 'spec', 'bad.yaml'),
    `header: ndis.h
family: bad
functions:
  - name: NdisBadFunction
    since: NDIS 6.0
    description: A function with a misspelt level.
    params: []
    returns:
      type: VOID
    irql:
      runsAt: DIRQ
`,
  );
  let stderr = '';
  const io: CliIo = { cwd: work, stdout: () => {}, stderr: (t) => (stderr += t), color: false };
  expect(await main(['validate', '--spec', 'spec'], io)).toBe(1);
  return stderr.split('\n').filter((line) => / - (error|warning) DDI\d+: /.test(line));
}

function matched(pattern: Pattern, line: string): Record<string, string> | null {
  const m = new RegExp(pattern.regexp).exec(line);
  if (m === null) return null;
  const at = (i: number): string => m[i] ?? '';
  return {
    file: at(pattern.file),
    line: at(pattern.line),
    column: at(pattern.column),
    severity: at(pattern.severity),
    code: at(pattern.code),
    message: at(pattern.message),
  };
}

describe('problem matchers', () => {
  const patterns = [
    { given: 'github.json', pattern: github.problemMatcher[0]!.pattern[0]! },
    { given: 'vscode.json', pattern: vscode.pattern },
  ];

  it.each(patterns)('$given matches every diagnostic line ddikit prints, field by field', async ({ pattern }) => {
    const lines = await realDiagnostics();
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      const [location, rest] = line.split(' - ') as [string, string];
      const [file, lineNo, column] = location.split(':');
      const [severity, code] = rest.split(' ') as [string, string];
      expect(matched(pattern, line), line).toEqual({
        file,
        line: lineNo,
        column,
        severity,
        code: code.replace(/:$/, ''),
        message: rest.slice(rest.indexOf(': ') + 2),
      });
    }
    expect(matched(pattern, lines[0]!)!.file).toBe('spec/bad.yaml');
    expect(lines.some((line) => matched(pattern, line)!.code === 'DDI1003')).toBe(true);
  });

  it.each(patterns)('$given does not match the summary or other lines', ({ pattern }) => {
    for (const line of ['Found 1 error in spec/bad.yaml.', 'ddikit: unknown command "x".', '11 spec files are valid'])
      expect(matched(pattern, line)).toBeNull();
  });

  it('the README shows the VS Code matcher as it ships', () => {
    const readme = readFileSync(join(generatorDir, 'README.md'), 'utf8');
    const key = readme.indexOf('"problemMatcher": ');
    expect(key).toBeGreaterThan(0);
    const open = readme.indexOf('{', key);
    let depth = 0;
    let close = open;
    for (let i = open; i < readme.length; i++) {
      if (readme[i] === '{') depth++;
      if (readme[i] === '}' && --depth === 0) {
        close = i + 1;
        break;
      }
    }
    const shown = JSON.parse(readme.slice(open, close)) as Record<string, unknown>;
    const { name: _name, ...shipped } = vscode as unknown as Record<string, unknown>;
    expect(shown).toEqual(shipped);
  });

  it('GitHub Actions finds the matcher where the README says', () => {
    const readme = readFileSync(join(generatorDir, 'README.md'), 'utf8');
    expect(readme).toContain('::add-matcher::node_modules/@ddikit/generator/problem-matchers/github.json');
    expect(github.problemMatcher[0]!.owner).toBe('ddikit');
  });
});
