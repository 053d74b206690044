/**
 * Concurrent `ddikit generate` runs on one output folder: every run succeeds, and the folder ends up
 * exactly as one run leaves it, with no temporary or backup file left behind.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundled } from '../../generator/src/paths.js';
import { generate } from '../../generator/src/pipeline.js';
import { readSpecSources } from '../../generator/src/spec/read-spec-folder.js';
import { readSchema } from '../../generator/src/spec/validate.js';

const bin = join(bundled.root, 'generator/bin/ddikit.js');
const built = existsSync(join(bundled.root, 'generator/dist/cli.js'));

function tree(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else out[relative(root, path).split('\\').join('/')] = readFileSync(path, 'utf8');
    }
  };
  walk(root);
  return out;
}

function run(args: string[], cwd: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe.runIf(built)('concurrent generate runs on one folder', () => {
  it('all succeed and leave the folder as one run would, with nothing stray', async () => {
    const work = mkdtempSync(join(tmpdir(), 'ddikit-concurrent-'));
    try {
      const runs = await Promise.all(
        Array.from({ length: 4 }, () => run(['generate', '--spec', bundled.specDir, '--out', 'out'], work)),
      );
      for (const r of runs) {
        expect(r.stderr).toBe('');
        expect(r.code).toBe(0);
      }
      const expected = generate(readSpecSources(bundled.specDir, bundled.root), {
        schema: readSchema(bundled.schemaPath),
        templatesDir: bundled.templatesDir,
        // A folder that is not the @ddikit/ndis package imports the role runtime from it.
        runtime: 'installed',
      });
      const want = Object.fromEntries(expected.files!.map((f) => [f.path, f.content]));
      expect(tree(join(work, 'out'))).toEqual(want);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }, 120_000);
});
