/**
 * `--workers N` with a C driver on a first run (nothing in the compile cache): the command's own
 * thread compiles the driver, and the pool's threads, started after it, find the module in the cache.
 * Each used to load the toolchain and compile the same sources again at the same time, about 350 MB
 * a thread: three workers went past 1.4 GB where one stays near 430 MB. Run as the built `ddikit`, in
 * a process of its own (the memory watched is the whole process's), on a copy of the e1000 driver no
 * other test compiles, with a compile cache of its own.
 */
import '../built-harness.js';
import { spawn } from 'node:child_process';
import { appendFileSync, copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { root } from './build.js';

const bin = join(root, 'generator/bin/ddikit.js');
const work = mkdtempSync(join(tmpdir(), 'ddikit-c-workers-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function ddikit(
  args: string[],
  cwd: string,
  cache: string,
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    // No node_modules above the folder: the compile cache goes under XDG_CACHE_HOME (cc/cache.ts).
    const child = spawn(process.execPath, [bin, ...args], {
      cwd,
      env: { ...process.env, XDG_CACHE_HOME: cache, NO_COLOR: '1', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('--workers with a C driver not yet compiled', () => {
  for (const [command, more] of [
    ['simulate', ['--seeds', '6']],
    ['explore', ['--budget', '60']],
  ] as const) {
    it(`${command}: three workers compile it once, stay far under 800 MB, and print what one prints`, async () => {
      const folder = mkdtempSync(join(work, `${command}-`));
      const cache = join(folder, 'cache');
      copyFileSync(join(root, 'examples/c/e1000-line.c'), join(folder, 'driver.c'));
      const args = [command, 'driver.c', ...more];
      const three = await ddikit([...args, '--workers', '3', '--max-memory', '800'], folder, cache);
      expect(three.stderr).toBe('');
      expect(three.code).toBe(0);
      // One module in the cache: the build of driver.c.
      expect(readdirSync(join(cache, 'ddikit', 'c')).filter((name) => name.endsWith('.wasm'))).toHaveLength(1);
      const one = await ddikit(args, folder, cache);
      expect(three.stdout).toBe(one.stdout);
    }, 120_000);
  }

  it('a memory limit passed while the toolchain compiles is reported as passed while loading, in text and JSON, and the process exits 1', async () => {
    const folder = mkdtempSync(join(work, 'limit-'));
    const cache = join(folder, 'cache');
    copyFileSync(join(root, 'examples/c/e1000-line.c'), join(folder, 'driver.c'));
    // 250 and 300 MB are passed while V8 compiles the toolchain's own modules (a cold compile peaks
    // at about 430 MB). The thread was stopped there while V8 decoded a streamed module, and Node 20
    // crashed after the report (a segmentation fault: no exit code) in most tries.
    for (const limit of [250, 300]) {
      const text = await ddikit(['simulate', 'driver.c', '--max-memory', String(limit)], folder, cache);
      expect(text.code).toBe(1);
      expect(text.stdout).toBe('');
      expect(text.stderr).toMatch(
        new RegExp(
          `^ddikit simulate: the process ran out of memory while the driver was loading: it grew to \\d+ MB, past --max-memory ${limit} MB, and the run was stopped before it started \\(a C driver is compiled then, when the compile cache does not hold it, and the compiler takes about 350 MB; .*\\)\\.\\n$`,
        ),
      );
    }
    const json = await ddikit(['explore', 'driver.c', '--max-memory', '300', '--json'], folder, cache);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toEqual({
      clean: false,
      error: 'out-of-memory',
      memory: { residentMb: expect.any(Number), limitMb: 300, phase: 'loading' },
    });
  }, 120_000);
});

describe('a compile cache that cannot be written', () => {
  it('simulate --workers 2 compiles the driver anyway, runs clean, and warns once', async () => {
    const folder = mkdtempSync(join(work, 'no-cache-'));
    copyFileSync(join(root, 'examples/c/e1000-line.c'), join(folder, 'driver.c'));
    writeFileSync(join(folder, 'not-a-folder'), '');
    const run = await ddikit(
      ['simulate', 'driver.c', '--seeds', '2', '--workers', '2'],
      folder,
      join(folder, 'cache'),
      {
        DDIKIT_CACHE_DIR: 'not-a-folder',
      },
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/\n2 runs, all clean\.\n$/);
    // The command's thread says it; the pool thread, which compiles again, does not repeat it.
    expect(run.stderr).toMatch(
      /^ddikit: warning: the compile cache was not used \(cannot write .*not-a-folder\/\w+\.wasm: ENOTDIR: [^\n]*\); the driver was compiled anew\.\n$/,
    );
  }, 120_000);
});

describe("the compiler's warnings", () => {
  it('simulate and explore print them on stderr, once with --workers 2 and again from the cache; stdout is the report alone', async () => {
    const folder = mkdtempSync(join(work, 'warnings-'));
    const cache = join(folder, 'cache');
    copyFileSync(join(root, 'examples/c/e1000-line.c'), join(folder, 'driver.c'));
    appendFileSync(
      join(folder, 'driver.c'),
      '\nULONG ContosoSpare(VOID)\n{\n    ULONG unusedCount;\n    return 0;\n}\n',
    );
    const warning =
      /^driver\.c:\d+:11: warning: unused variable 'unusedCount' \[-Wunused-variable\]\n[^]*1 warning generated\.\n$/;
    const cold = await ddikit(['simulate', 'driver.c', '--seeds', '2', '--workers', '2'], folder, cache);
    expect(cold.code).toBe(0);
    expect(cold.stderr).toMatch(warning);
    // Once: the x64 pass finds the same warning, and only what it alone finds is added.
    expect(cold.stderr.split("unused variable 'unusedCount'")).toHaveLength(2);
    expect(cold.stdout).toMatch(/^ddikit simulate: ContosoInitializeEx \(driver\.c\)\n[^]*\n2 runs, all clean\.\n$/);
    expect(cold.stdout).not.toContain('unusedCount');
    const cached = await ddikit(['explore', 'driver.c', '--budget', '20', '--json'], folder, cache);
    expect(cached.code).toBe(0);
    expect(cached.stderr).toMatch(warning);
    expect(cached.stderr.split("unused variable 'unusedCount'")).toHaveLength(2);
    expect(JSON.parse(cached.stdout)).toMatchObject({ module: 'driver.c', failure: null, races: [] });
  }, 120_000);
});

describe('the wall-clock watchdog and a C driver', () => {
  it('a DPC that loops without calling a DDI is stopped, and the report names the C line it loops at', async () => {
    const folder = mkdtempSync(join(work, 'loops-'));
    const anchor =
      '    work = NdisMSynchronizeWithInterruptEx(adapter->InterruptHandle, 0, ContosoTakeCauses, adapter);\n#endif\n';
    const source = readFileSync(join(root, 'examples/c/e1000-line.c'), 'utf8');
    expect(source).toContain(anchor);
    const looping = source.replace(
      anchor,
      `${anchor}    if (adapter->Stats->FramesReceived > 200) {\n        volatile ULONG spin = 1;\n        while (spin) {\n        }\n    }\n`,
    );
    writeFileSync(join(folder, 'driver.c'), looping);
    const line = looping.split('\n').indexOf('        while (spin) {') + 1;
    const run = await ddikit(['simulate', 'driver.c', '--watchdog', '1'], folder, join(folder, 'cache'));
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      new RegExp(
        `^ddikit simulate: the watchdog stopped the run: ContosoInterruptDpc \\(MINIPORT_INTERRUPT_DPC\\) has not returned for 1 s of wall-clock time\\.\\n  at ContosoInterruptDpc \\(driver\\.c:${line}:\\d+\\)\\n  seed=1 tick=\\d+\\n`,
      ),
    );
  }, 120_000);
});
