/** The formatter is the house style: every source file is formatted (`npm run format` fixes it). */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

it('every source file is formatted as `npm run format` leaves it', () => {
  const biome = fileURLToPath(new URL('../node_modules/@biomejs/biome/bin/biome', import.meta.url));
  const result = spawnSync(process.execPath, [biome, 'format', '--max-diagnostics=5', '.'], {
    cwd: root,
    encoding: 'utf8',
  });
  expect(result.stdout + result.stderr, 'run "npm run format" to format the files listed').not.toMatch(
    /would have printed|× /,
  );
  expect(result.status).toBe(0);
});
