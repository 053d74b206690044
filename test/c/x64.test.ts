/**
 * The x64 syntax pass (packages/cc/src/x64.ts): the 64-bit-only mistakes a wasm32 build cannot see
 * fail the build with clang's error, and what the pass finds that the build printed already is not
 * printed twice.
 */
import '../built-harness.js';
import { CompileError } from '@ddikit/cc';
import { describe, expect, it } from 'vitest';
import { x64OnlyText } from '../../packages/cc/src/x64.js';
import { build, root } from './build.js';
import { readFileSync } from 'node:fs';

describe('the x64 pass', () => {
  it('a pointer truncated to ULONG (fine on wasm32) fails the build at its line, once', async () => {
    const lines = readFileSync(`${root}examples/c/e1000-line.c`, 'utf8').split('\n');
    const line = lines.findIndex((l) => l.includes('ULONG cookie = (ULONG)adapter;')) + 1;
    expect(line).toBeGreaterThan(0);
    const failed = await build({ files: ['examples/c/e1000-line.c'], defines: { CONTOSO_BUG: 9 } }).then(
      () => null,
      (error: unknown) => error,
    );
    expect(failed).toBeInstanceOf(CompileError);
    const message = (failed as CompileError).message;
    const error = new RegExp(
      `^examples/c/e1000-line\\.c:${line}:\\d+: error: cast to smaller integer type 'ULONG' \\(aka 'unsigned (?:int|long)'\\) from 'PCONTOSO_ADAPTER' .*\\[-Werror,-Wpointer-to-int-cast\\]$`,
      'm',
    );
    expect(message).toMatch(error);
    expect(message.split('\n').filter((l) => error.test(l))).toHaveLength(1);
    expect(message).toMatch(/^1 error generated\.$/m);
  });

  it("keeps what the build did not print, with clang's count of it, and drops the rest", () => {
    const build = [
      "a.c:3:11: warning: unused variable 'x' [-Wunused-variable]",
      '    3 |     ULONG x;',
      '      |           ^',
      '1 warning generated.',
      '',
    ].join('\n');
    const x64 = [
      "a.c:3:11: warning: unused variable 'x' [-Wunused-variable]",
      '    3 |     ULONG x;',
      '      |           ^',
      "a.c:9:12: error: cast to smaller integer type 'ULONG' from 'PVOID' [-Werror,-Wpointer-to-int-cast]",
      '    9 |     return (ULONG)p;',
      '      |            ^~~~~~~~',
      'a.c:2:1: note: declared here',
      '1 warning and 1 error generated.',
      '',
    ].join('\n');
    expect(x64OnlyText(x64, build)).toBe(
      [
        "a.c:9:12: error: cast to smaller integer type 'ULONG' from 'PVOID' [-Werror,-Wpointer-to-int-cast]",
        '    9 |     return (ULONG)p;',
        '      |            ^~~~~~~~',
        'a.c:2:1: note: declared here',
        '1 error generated.',
        '',
      ].join('\n'),
    );
    expect(x64OnlyText(build, build)).toBe('');
    expect(x64OnlyText('', build)).toBe('');
  });
});
