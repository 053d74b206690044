/**
 * `ddikit simulate` and `ddikit explore` print where the driver function concerned is defined in the
 * reports raised when none of the driver's code runs — ROLE-RETURN of the ISR, INT-LOST of the DPC,
 * INT-DEREGISTER of the halt function — as DEFINED_AT in the text and `defined` in the JSON, from
 * the driver's thread (tsx's source maps); a report raised at a DDI call keeps its DRIVER CALL line.
 * The C drivers' definitions are in test/c/broken.test.ts.
 */
import '../built-harness.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runExplore } from '../../generator/src/cli/commands/explore.js';
import { runSimulate } from '../../generator/src/cli/commands/simulate.js';
import type { CliIo } from '../../generator/src/cli/io.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const FIXTURE = 'test/cli/fixtures/defined-where.ts';
const lines = readFileSync(join(root, FIXTURE), 'utf8').split('\n');
/** The 1-based line of the fixture where the function `name` is defined (`Role('name', (…) => {` or `function name(`). */
const definedLine = (name: string): number =>
  lines.findIndex((line) => line.includes(`('${name}', (`) || line.includes(`function ${name}(`)) + 1;

async function ddikit(
  command: 'simulate' | 'explore',
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo & { progress: boolean } = {
    cwd: root,
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    color: false,
    progress: false,
  };
  const code = await (command === 'simulate' ? runSimulate : runExplore)(args, io);
  return { code, stdout, stderr };
}

interface JsonReport {
  rule: string;
  function: string | null;
  defined?: { function: string; file: string | null; line: number; column: number };
  location: string | null;
}

const cases = [
  { name: 'isrReturn', rule: 'ROLE-RETURN', fn: 'WhereIsr' },
  { name: 'lostInterrupt', rule: 'INT-LOST', fn: 'WhereDpc' },
  { name: 'noDeregister', rule: 'INT-DEREGISTER', fn: 'WhereHaltEx' },
];

describe('reports about a function that is not running name its definition', () => {
  it.each(cases)('simulate --export $name: $rule names $fn at its line, in the text and the JSON', async (c) => {
    const text = await ddikit('simulate', [FIXTURE, '--export', c.name]);
    expect(text.stderr).toBe('');
    expect(text.code).toBe(1);
    expect(text.stdout).toContain(`RULE_ID:  ${c.rule}\n`);
    expect(text.stdout).toMatch(
      new RegExp(`\\nFUNCTION: {2}${c.fn}\\nDEFINED_AT: {2}${c.fn} \\(${FIXTURE}:${definedLine(c.fn)}:\\d+\\)\\n`),
    );
    // Raised by no call of the driver's: no DRIVER CALL line.
    expect(text.stdout).not.toContain('DRIVER CALL:');

    const json = await ddikit('simulate', [FIXTURE, '--export', c.name, '--json']);
    const reports = (JSON.parse(json.stdout) as { runs: { reports: JsonReport[] }[] }).runs[0]!.reports;
    expect(reports.map((r) => r.rule)).toEqual([c.rule]);
    expect(reports[0]).toMatchObject({
      function: c.fn,
      defined: { function: c.fn, file: FIXTURE, line: definedLine(c.fn) },
      location: null,
    });
  });

  it('explore: the INT-LOST of the shrunk schedule names the DPC at its line', async () => {
    const { code, stdout } = await ddikit('explore', [FIXTURE, '--export', 'lostInterrupt']);
    expect(code).toBe(1);
    expect(stdout).toMatch(/FAILED after \d+ schedules? \(systematic\): INT-LOST/);
    expect(stdout).toContain(`DEFINED_AT:  WhereDpc (${FIXTURE}:${definedLine('WhereDpc')}:`);
  });

  it('a ROLE-RETURN raised at a DDI call of the driver keeps its DRIVER CALL line, and names the definition', async () => {
    const call = lines.findIndex((line) => line.endsWith('// the call')) + 1;
    const { code, stdout } = await ddikit('simulate', [FIXTURE, '--export', 'syncReturn']);
    expect(code).toBe(1);
    expect(stdout).toContain(`DEFINED_AT:  EnableInSync (${FIXTURE}:${definedLine('EnableInSync')}:`);
    expect(stdout).toMatch(new RegExp(`\\nDRIVER CALL: {2}${FIXTURE}:${call}:\\d+\\n`));
  });

  it('quiet: the driver without the bug is clean', async () => {
    const { code, stdout } = await ddikit('simulate', [FIXTURE, '--export', 'clean']);
    expect(code).toBe(0);
    expect(stdout).not.toContain('DEFINED_AT');
  });
});
