/**
 * The explorer's worked example in packages/sim/README.md stays true: run for real, `ddikit explore`
 * prints the lines the README shows.
 */
import '../built-harness.js';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { runExplore } from '../../generator/src/cli/commands/explore.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const readme = readFileSync(`${root}packages/sim/README.md`, 'utf8');

it('the README shows lines the explorer really prints for the lost interrupt', async () => {
  const command = 'npx ddikit explore examples/scenarios/lost-interrupt.ts --timeline lost.html';
  const at = readme.indexOf(command);
  expect(at, 'the README runs the explorer on the lost interrupt').toBeGreaterThan(0);
  const shown = readme.slice(
    readme.indexOf('```text\n', at) + 8,
    readme.indexOf('```', readme.indexOf('```text\n', at) + 8),
  );
  let stdout = '';
  const code = await runExplore(['examples/scenarios/lost-interrupt.ts'], {
    cwd: root,
    stdout: (t) => (stdout += t),
    stderr: () => {},
    color: false,
    progress: false,
  });
  expect(code).toBe(1);
  const printed = stdout.split('\n');
  const lines = shown.split('\n').filter((line) => line !== '' && line !== '…');
  expect(lines.length).toBeGreaterThanOrEqual(5);
  for (const line of lines) expect(printed, `README line not printed: ${line}`).toContain(line);
});
