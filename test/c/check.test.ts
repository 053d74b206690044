/**
 * `ddikit check` on C miniports: the clean driver passes; a function declared with one role stored
 * where another is expected (same C signature) and a handler declared with no role are reported at
 * their C position; usage errors exit 2.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { runCheck } from '../../generator/src/cli/commands/check.js';
import { main } from '../../generator/src/cli/main.js';
import type { CliIo } from '../../generator/src/cli/io.js';
import { root } from './build.js';

const sourceLines = readFileSync(`${root}examples/c/e1000-line.c`, 'utf8').split('\n');
const lineOf = (text: string): number => sourceLines.findIndex((line) => line.includes(text)) + 1;

async function check(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { cwd: root, stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), color: false };
  const code = await main(['check', ...args], io);
  return { code, stdout, stderr };
}

describe('ddikit check', () => {
  it('passes the clean driver', async () => {
    const { code, stdout } = await check(['examples/c/e1000-line.c']);
    expect(stdout).toMatch(
      /^\d+ functions declared with roles; every handler is declared with the role its place takes\.\n$/,
    );
    expect(code).toBe(0);
  });

  it('a compile cache folder that cannot hold files: the check runs, and warns that nothing was cached', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ddikit-check-cache-'));
    const file = join(dir, 'a-file');
    writeFileSync(file, 'not a folder');
    vi.stubEnv('DDIKIT_CACHE_DIR', file);
    try {
      const { code, stdout, stderr } = await check(['examples/c/e1000-line.c']);
      expect(code).toBe(0);
      expect(stdout).toMatch(/every handler is declared with the role its place takes\.\n$/);
      expect(stderr).toMatch(
        /^ddikit: warning: the compile cache was not used \(cannot write .*a-file\/\w+\.wasm: ENOTDIR: [^)]*\); the driver was compiled anew\.\n$/,
      );
    } finally {
      vi.unstubAllEnvs();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports an enable function stored as the disable handler (the C signatures match)', async () => {
    const { code, stdout } = await check(['examples/c/broken/role-swap.c']);
    const line = lineOf('chars.DisableInterruptHandler = ContosoEnableInterrupt;');
    expect(stdout).toContain(`examples/c/e1000-line.c:${line}:`);
    expect(stdout).toContain(
      'error C28023: ContosoEnableInterrupt is declared as MINIPORT_ENABLE_INTERRUPT but used as NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS.DisableInterruptHandler, which takes a MINIPORT_DISABLE_INTERRUPT function',
    );
    expect(code).toBe(1);
  });

  it('reports a handler declared with no role', async () => {
    const { code, stdout } = await check(['examples/c/broken/no-role.c', '--json']);
    const result = JSON.parse(stdout) as { findings: { file: string; line: number; message: string }[] };
    expect(result.findings.length).toBeGreaterThan(0);
    expect(result.findings[0]!.file).toBe('examples/c/e1000-line.c');
    expect(result.findings[0]!.line).toBe(lineOf('ContosoTakeCausesUndeclared, adapter)'));
    expect(result.findings[0]!.message).toMatch(/ContosoTakeCausesUndeclared.*no role/);
    // The fix names the role's variant too: a driver of a message-signaled interrupt wants that one.
    expect(result.findings[0]!.message).toMatch(
      /declare it "MINIPORT_SYNCHRONIZE_INTERRUPT ContosoTakeCausesUndeclared;" or "MINIPORT_SYNCHRONIZE_MESSAGE_INTERRUPT ContosoTakeCausesUndeclared;"$/,
    );
    expect(code).toBe(1);
  });

  it('names the timer function\'s role with its article: "an NDIS_TIMER_FUNCTION function"', async () => {
    // The watchdog with its role declaration taken out, stored as a timer object's TimerFunction.
    const text = sourceLines.join('\n').replace('NDIS_TIMER_FUNCTION ContosoWatchdog;\n', '');
    const folder = mkdtempSync(join(tmpdir(), 'ddikit-check-'));
    try {
      writeFileSync(join(folder, 'watchdog.c'), `#define CONTOSO_WATCHDOG 1\n${text}`);
      let stdout = '';
      const io: CliIo = { cwd: folder, stdout: (t) => (stdout += t), stderr: () => {}, color: false };
      const code = await main(['check', 'watchdog.c'], io);
      expect(stdout).toContain(
        'error C28023: ContosoWatchdog is used as NDIS_TIMER_CHARACTERISTICS.TimerFunction, which takes an NDIS_TIMER_FUNCTION function, but it is declared with no role; declare it "NDIS_TIMER_FUNCTION ContosoWatchdog;"',
      );
      expect(code).toBe(1);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it.each([
    { args: [], want: 'check needs C sources' },
    { args: ['examples/e1000-line.ts'], want: 'check takes C sources (.c); "examples/e1000-line.ts" is not one.' },
    { args: ['--nope', 'a.c'], want: 'ddikit: unknown option "--nope" for ddikit check. Options: --define, --json.' },
  ])('usage error: $want', async ({ args, want }) => {
    const { code, stderr } = await check(args);
    expect(stderr).toContain(want);
    expect(code).toBe(2);
  });

  it("finds a header next to a file included through '..', as gcc does (a variant in a subfolder)", async () => {
    const work = mkdtempSync(join(tmpdir(), 'ddikit-check-'));
    try {
      mkdirSync(join(work, 'drv/bugs'), { recursive: true });
      writeFileSync(join(work, 'drv/contoso-extra.h'), '#define CONTOSO_EXTRA 1\n');
      const driver = readFileSync(`${root}examples/c/e1000-line.c`, 'utf8');
      writeFileSync(join(work, 'drv/driver.c'), `#include "contoso-extra.h"\n${driver}`);
      writeFileSync(join(work, 'drv/bugs/variant.c'), '#define CONTOSO_BUG 0\n#include "../driver.c"\n');
      let stdout = '';
      let stderr = '';
      const io: CliIo = { cwd: work, stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), color: false };
      const code = await main(['check', 'drv/bugs/variant.c'], io);
      expect(stderr).not.toContain('not found');
      expect(stdout).toMatch(/every handler is declared with the role its place takes/);
      expect(code).toBe(0);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });

  it('a source that is not there is a usage error (exit 2), as simulate has it', async () => {
    let stderr = '';
    const io: CliIo = { cwd: root, stdout: () => {}, stderr: (t) => (stderr += t), color: false };
    const code = await runCheck(['examples/c/broken/missing.c'], io);
    expect(stderr).toBe('ddikit: cannot find the C source "examples/c/broken/missing.c".\n');
    expect(code).toBe(2);
  });

  it('prints a driver that does not compile as clang does, exits 1, and with --json says so on stdout', async () => {
    const work = mkdtempSync(join(tmpdir(), 'ddikit-check-'));
    try {
      writeFileSync(join(work, 'typo.c'), '#include <ndis.h>\nstatic ULONG ring = ;\n');
      for (const json of [false, true]) {
        let stdout = '';
        let stderr = '';
        const io: CliIo = { cwd: work, stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), color: false };
        const code = await runCheck(['typo.c', ...(json ? ['--json'] : [])], io);
        expect(code).toBe(1);
        expect(stderr).toMatch(/^ddikit: cannot compile the C driver:\ntypo\.c:2:21: error: expected expression\n/);
        if (json)
          expect(JSON.parse(stdout)).toEqual({
            error: 'cannot-compile',
            message: expect.stringContaining('typo.c:2:21'),
          });
        else expect(stdout).toBe('');
      }
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });

  it('counts a role declaration once, however many of the sources include its header', async () => {
    const work = mkdtempSync(join(tmpdir(), 'ddikit-check-'));
    try {
      const driver = readFileSync(`${root}examples/c/e1000-line.c`, 'utf8');
      const single = await check(['examples/c/e1000-line.c']);
      // The same driver with a second translation unit that includes the same declarations.
      writeFileSync(join(work, 'driver.c'), driver);
      writeFileSync(join(work, 'decls.h'), 'MINIPORT_ISR ContosoIsrAgain;\n');
      writeFileSync(join(work, 'other.c'), '#include <ndis.h>\n#include "decls.h"\n');
      writeFileSync(join(work, 'third.c'), '#include <ndis.h>\n#include "decls.h"\n');
      let stdout = '';
      const io: CliIo = { cwd: work, stdout: (t) => (stdout += t), stderr: () => {}, color: false };
      await main(['check', 'driver.c', 'other.c', 'third.c'], io);
      const count = (text: string): number => Number(/^(\d+) functions declared with roles/.exec(text)?.[1]);
      expect(count(stdout)).toBe(count(single.stdout) + 1);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});
