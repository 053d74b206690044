/**
 * What every command's command line does the same way: `--help` prints the command's usage, an
 * unknown command or flag names the closest declared one, colour follows the stream and
 * FORCE_COLOR / NO_COLOR, and long runs draw a status line only on a terminal.
 */
import { describe, expect, it } from 'vitest';
import { colorFor, type CliIo } from '../../generator/src/cli/io.js';
import { declaredFlags, main } from '../../generator/src/cli/main.js';
import { progress } from '../../generator/src/cli/print.js';

async function ddikit(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { cwd: process.cwd(), stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), color: false };
  const code = await main(args, io);
  return { code, stdout, stderr };
}

const commands = [
  'init',
  'generate',
  'validate',
  'scaffold',
  'import-docs',
  'coverage',
  'simulate',
  'explore',
  'check',
];

describe('--help on every command', () => {
  it.each(commands)('ddikit %s --help prints its usage and exits 0', async (command) => {
    for (const flag of ['--help', '-h']) {
      const result = await ddikit([command, flag]);
      expect(result.code).toBe(0);
      expect(result.stderr).toBe('');
      expect(result.stdout).toMatch(new RegExp(`^Usage:\\n  ddikit ${command}\\b`));
    }
  });

  it('ddikit --help gives each command a paragraph of its own, starting on a line of its own', async () => {
    const help = (await ddikit(['--help'])).stdout;
    for (const command of commands) {
      const usage = (await ddikit([command, '--help'])).stdout.replace(/^Usage:\n/, '');
      expect(usage, command).toMatch(/\n$/);
      expect(help, command).toContain(`\n${usage}  ddikit `);
    }
  });

  it('takes --help after other flags', async () => {
    const result = await ddikit(['validate', '--json', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage:\n  ddikit validate /);
  });
});

describe('unknown commands and flags', () => {
  const cases: { given: string[]; want: string }[] = [
    { given: ['valdate'], want: 'ddikit: unknown command "valdate". Did you mean "validate"? Commands: ' },
    {
      given: ['simulate', 'x.ts', '--sed', '3'],
      want: 'ddikit: unknown option "--sed" for ddikit simulate. Did you mean "--seed"?',
    },
    {
      given: ['simulate', 'x.ts', '--seeds=3', '--tick', '9'],
      want: 'unknown option "--tick" for ddikit simulate. Did you mean "--ticks"?',
    },
    {
      given: ['validate', '--sepc', 'spec'],
      want: 'unknown option "--sepc" for ddikit validate. Did you mean "--spec"?',
    },
    { given: ['generate', '--chek'], want: 'unknown option "--chek" for ddikit generate. Did you mean "--check"?' },
    {
      given: ['explore', 'x.ts', '--budjet=5'],
      want: 'unknown option "--budjet" for ddikit explore. Did you mean "--budget"?',
    },
    {
      given: ['coverage', '--xyzzy'],
      want: 'unknown option "--xyzzy" for ddikit coverage. Options: --extend-bundled, --json, --spec.',
    },
  ];
  it.each(cases)('ddikit $given.0 …: $want', async ({ given, want }) => {
    const result = await ddikit(given);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(want);
    expect(result.stderr).toMatch(/\nRun "ddikit (\S+ )?--help" for usage\.\n$/);
  });

  it('points an option error at the command help', async () => {
    expect((await ddikit(['validate', '--sepc', 'spec'])).stderr).toContain('Run "ddikit validate --help" for usage.');
  });

  it('reads the declared flags from the usage text', () => {
    expect([...declaredFlags('  ddikit x [--spec DIR [--extend-bundled]] [--json]\n      --out DIR  where\n')]).toEqual(
      ['--spec', '--extend-bundled', '--json', '--out'],
    );
  });
});

describe('colour', () => {
  const terminal = (colors: boolean) => ({ isTTY: true, hasColors: () => colors });
  const cases: { given: string; stream: Parameters<typeof colorFor>[0]; env: Record<string, string>; want: boolean }[] =
    [
      { given: 'a terminal with colours', stream: terminal(true), env: {}, want: true },
      { given: 'a terminal without colours (NO_COLOR, TERM=dumb)', stream: terminal(false), env: {}, want: false },
      { given: 'a pipe', stream: { isTTY: false }, env: {}, want: false },
      { given: 'a pipe with FORCE_COLOR=1', stream: {}, env: { FORCE_COLOR: '1' }, want: true },
      { given: 'a pipe with FORCE_COLOR empty', stream: {}, env: { FORCE_COLOR: '' }, want: true },
      { given: 'a pipe with FORCE_COLOR=0', stream: {}, env: { FORCE_COLOR: '0' }, want: false },
      { given: 'a pipe with FORCE_COLOR=false', stream: {}, env: { FORCE_COLOR: 'false' }, want: false },
      { given: 'a pipe with NO_COLOR only', stream: {}, env: { NO_COLOR: '1' }, want: false },
    ];
  it.each(cases)('$given → $want', ({ stream, env, want }) => {
    expect(colorFor(stream, env)).toBe(want);
  });

  it('hands the environment to the terminal stream, which reads NO_COLOR and FORCE_COLOR itself', () => {
    const seen: object[] = [];
    colorFor({ isTTY: true, hasColors: (env) => (seen.push(env ?? {}), true) }, { NO_COLOR: '1' });
    expect(seen).toEqual([{ NO_COLOR: '1' }]);
  });
});

describe('status line of long runs', () => {
  it('shows done/total with a note on a terminal and clears at the end', () => {
    const lines: (string | null)[] = [];
    const io: CliIo = { cwd: '.', stdout: () => {}, stderr: () => {}, color: false, status: (t) => lines.push(t) };
    const status = progress(io, 'ddikit simulate d.ts', 4);
    status.step(0, () => '0 runs with findings');
    status.step(4, () => '1 run with findings');
    status.end();
    expect(lines).toEqual([
      'ddikit simulate d.ts: 0/4 (0%), 0 runs with findings',
      'ddikit simulate d.ts: 4/4 (100%), 1 run with findings',
      null,
    ]);
  });

  it('draws nothing off a terminal or for a single step', () => {
    let notes = 0;
    const lines: (string | null)[] = [];
    const plain: CliIo = { cwd: '.', stdout: () => {}, stderr: () => {}, color: false };
    const single = progress({ ...plain, status: (t) => lines.push(t) }, 'x', 1);
    const piped = progress(plain, 'x', 100);
    for (const status of [single, piped]) {
      status.step(0, () => `${++notes}`);
      status.end();
    }
    expect(lines).toEqual([]);
    expect(notes).toBe(0);
  });
});
