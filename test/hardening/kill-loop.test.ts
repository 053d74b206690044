/**
 * Crash safety of `ddikit generate`: 21 runs (KILL_RUNS sets more) of the real command line over an existing, different
 * output, each killed with SIGKILL at a random moment (seeded). After each kill, the next run's
 * recovery (the output lock finishes or undoes the dead run's write from its journal) leaves exactly
 * the old output or exactly the new one, and no stray file. A third of the kills land anywhere, a
 * third while the new files are staged, a third once the renames have begun; DDIKIT_TEST_COMMIT_DELAY_MS
 * (a pause after each rename, for this test only) keeps the rename phase long enough for them.
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundled } from '../../generator/src/paths.js';
import { generatedDirs } from '../../generator/src/render/render.js';
import { withOutputLock } from '../../generator/src/write/output-lock.js';
import { modeline } from './sample-spec.js';

const bin = join(bundled.root, 'generator/bin/ddikit.js');
const built = existsSync(join(bundled.root, 'generator/dist/cli.js'));
const seed = process.env['KILL_SEED'] === undefined ? 20261129 : Number(process.env['KILL_SEED']);
const runs = Number(process.env['KILL_RUNS'] ?? 21);
/** The journal a run writes in the output folder (write/journal.ts), named here as the folder shows it. */
const journalName = '.ddikit.journal';

/** mulberry32: a small seeded PRNG, so the kill moments are the same on every run of the test. */
function prng(state: number): () => number {
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Every entry under `root`: files with their bytes, folders as `dir/`, anything else by kind. */
function tree(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string, prefix: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      const stat = lstatSync(path);
      if (stat.isDirectory()) {
        out[`${prefix}${name}/`] = '';
        walk(path, `${prefix}${name}/`);
      } else if (stat.isFile()) out[`${prefix}${name}`] = readFileSync(path, 'utf8');
      else out[`${prefix}${name}`] = '(not a regular file)';
    }
  };
  walk(root, '');
  return out;
}

function run(
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], {
      cwd,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, ...env },
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Whether a run on `out` has reached a phase of its write, as the folder shows it: staging when a
 * temporary file `FILE.ddikit-<pid>-<n>.tmp` is there, committing when the journal says so or an old
 * file has been moved aside as `FILE.ddikit-<pid>-<n>.bak`.
 */
function phaseReached(out: string, phase: 'staging' | 'committing'): boolean {
  const journal = join(out, journalName);
  if (phase === 'committing' && existsSync(journal) && readFileSync(journal, 'utf8').includes('"committing"'))
    return true;
  const pattern = phase === 'staging' ? /\.ddikit-[0-9]+-[0-9a-z]+\.tmp$/ : /\.ddikit-[0-9]+-[0-9a-z]+\.bak$/;
  for (const dir of generatedDirs) {
    let names: string[] = [];
    try {
      names = readdirSync(join(out, dir));
    } catch {
      continue;
    }
    if (names.some((name) => pattern.test(name))) return true;
  }
  return false;
}

let work: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'ddikit-kill-'));
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe.runIf(built)(`generate killed at random moments (seed ${seed})`, () => {
  it(`${runs} kills: each time the next run leaves exactly the old or the new output, and nothing stray`, async () => {
    // Two specs whose outputs differ in every file (each names its spec folder in its provenance
    // line) and in their file sets (the old one has an entry, and so a page, the new one lacks).
    for (const name of ['old', 'new']) {
      cpSync(join(bundled.specDir, 'ndis'), join(work, name, 'ndis'), {
        recursive: true,
        filter: (path) => !path.includes('imported'),
      });
      cpSync(bundled.rulesPath, join(work, name, 'rules.yaml'));
    }
    writeFileSync(
      join(work, 'old/ndis/zz-extra.yaml'),
      `${modeline}\nheader: ndis.h\nfunctions:\n  - name: OldOnlyCall\n    since: NDIS 6.0\n    params: []\n    returns: { type: VOID }\n    irql: { max: DISPATCH_LEVEL }\n`,
    );
    const outputs: Record<'old' | 'new', Record<string, string>> = { old: {}, new: {} };
    for (const name of ['old', 'new'] as const) {
      const made = await run(['generate', '--spec', name, '--out', `ref-${name}`], work);
      expect(made.stderr).toBe('');
      outputs[name] = tree(join(work, `ref-${name}`));
    }
    expect(Object.keys(outputs.old)).toContain('docs/reference/oldonlycall.md');
    expect(Object.keys(outputs.new)).not.toContain('docs/reference/oldonlycall.md');

    const random = prng(seed);
    const out = join(work, 'out');
    cpSync(join(work, 'ref-old'), out, { recursive: true });
    let state: 'old' | 'new' = 'old';
    const seen = { old: 0, new: 0, duringCommit: 0 };
    for (let i = 0; i < runs; i++) {
      const target = state === 'old' ? 'new' : 'old';
      const child = spawn(process.execPath, [bin, 'generate', '--spec', target, '--out', 'out'], {
        cwd: work,
        stdio: 'ignore',
        env: { ...process.env, DDIKIT_TEST_COMMIT_DELAY_MS: '3' },
      });
      const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
      const waitFor = async (phase: 'staging' | 'committing'): Promise<void> => {
        const deadline = Date.now() + 10_000;
        while (Date.now() < deadline && child.exitCode === null && !phaseReached(out, phase)) await sleep(1);
      };
      if (i % 3 === 0) {
        // Any moment of the run: start-up, reading, rendering, staging or renaming.
        await sleep(Math.floor(random() * 900));
      } else if (i % 3 === 1) {
        // While the new files are being staged beside their targets.
        await waitFor('staging');
        await sleep(Math.floor(random() * 15));
      } else {
        // While the staged files are being renamed over their targets.
        await waitFor('committing');
        await sleep(Math.floor(random() * 100));
      }
      child.kill('SIGKILL');
      await exited;
      if (phaseReached(out, 'committing')) seen.duringCommit++;

      // The next run's recovery: what every write does first, under the output lock.
      withOutputLock(out, () => undefined, { ownedDirs: generatedDirs });
      const after = tree(out);
      const which = JSON.stringify(after) === JSON.stringify(outputs.new) ? 'new' : 'old';
      expect(after, `kill ${i} (seed ${seed}): neither the old nor the new output`).toEqual(outputs[which]);
      seen[which]++;
      state = which;
    }
    // Both outcomes happened, and kills did land between renames.
    expect(seen.old).toBeGreaterThan(0);
    expect(seen.new).toBeGreaterThan(0);
    expect(seen.duringCommit).toBeGreaterThanOrEqual(5);

    // And the real command line, run to the end, recovers and writes as usual.
    const last = await run(['generate', '--spec', 'new', '--out', 'out'], work);
    expect(last.stderr).toBe('');
    expect(last.code).toBe(0);
    expect(tree(out)).toEqual(outputs.new);
  }, 120_000);
});
