/**
 * `ddikit explore --workers N`, `--shard K/N` with `--merge`, and `ddikit simulate --workers M`:
 * the same bytes out whatever N — the same schedules, the same shortest failure, the same report —
 * and the same findings when the driver hangs or throws inside a worker thread. A merge checks its
 * shard files as any file a user hands over: a wrong, corrupt, incomplete or mismatched set is a
 * usage error naming the file.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runExplore, type ExploreIo } from '../../generator/src/cli/commands/explore.js';
import { runSimulate } from '../../generator/src/cli/commands/simulate.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const LOST = join(root, 'examples/scenarios/lost-interrupt.ts');
const FIXED = join(root, 'examples/scenarios/lost-interrupt-fixed.ts');
const MISBEHAVING = join(root, 'test/cli/fixtures/misbehaving.ts');
const UNEVEN = join(root, 'test/cli/fixtures/uneven.ts');
const work = mkdtempSync(join(tmpdir(), 'ddikit-parallel-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Output {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function ddikit(command: 'explore' | 'simulate', args: string[], cwd = work): Promise<Output> {
  let stdout = '';
  let stderr = '';
  const io: ExploreIo = {
    cwd,
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    color: false,
    progress: false,
  };
  const code = await (command === 'explore' ? runExplore : runSimulate)(args, io);
  return { code, stdout, stderr };
}

/** Runs every shard of an exploration in a folder of its own; the folder. */
async function shards(args: string[], n: number): Promise<string> {
  const folder = mkdtempSync(join(work, `shards-${n}-`));
  for (let k = 1; k <= n; k++) {
    const { code, stdout, stderr } = await ddikit('explore', [...args, '--shard', `${k}/${n}`], folder);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain(`wrote shard-${k}-of-${n}.json`);
  }
  return folder;
}

function shardFiles(folder: string): string[] {
  return readdirSync(folder)
    .filter((name) => name.startsWith('shard-'))
    .sort()
    .map((name) => join(folder, name));
}

const explorations: { given: string; args: string[]; code: number }[] = [
  { given: 'the lost interrupt (a failure, shrunk)', args: [LOST], code: 1 },
  { given: 'the fixed driver (systematic, then random schedules)', args: [FIXED, '--budget', '700'], code: 0 },
  { given: 'a budget that ends inside level 1 (a race)', args: [LOST, '--preemptions', '1', '--budget', '3'], code: 1 },
];

describe('explore --workers N', () => {
  for (const { given, args, code } of explorations) {
    it(`${given}: the same output with 1, 2 and 3 workers (text; JSON with 2)`, async () => {
      const single = await ddikit('explore', args);
      expect(single.code).toBe(code);
      const json = await ddikit('explore', [...args, '--json']);
      expect(await ddikit('explore', [...args, '--workers', '2'])).toEqual(single);
      expect(await ddikit('explore', [...args, '--workers', '2', '--json'])).toEqual(json);
      expect(await ddikit('explore', [...args, '--workers', '3'])).toEqual(single);
    });
  }

  it('a driver that throws in a worker: the same crash report as in one thread', async () => {
    const args = [MISBEHAVING, '--export', 'throwsInIsr'];
    const single = await ddikit('explore', args);
    expect(single.code).toBe(1);
    expect(single.stdout).toContain('The driver threw: descriptor ring corrupted');
    expect(await ddikit('explore', [...args, '--workers', '2'])).toEqual(single);
  });

  it('a driver that hangs in a worker: the watchdog stops it and reports it as in one thread', async () => {
    const args = [MISBEHAVING, '--export', 'busyDpc', '--watchdog', '1'];
    const single = await ddikit('explore', args);
    expect(single.code).toBe(1);
    expect(single.stderr).toMatch(
      /^ddikit explore: the watchdog stopped the run: \w+ \(MINIPORT_INTERRUPT_DPC\) has not returned for 1 s/,
    );
    expect(await ddikit('explore', [...args, '--workers', '2'])).toEqual(single);
  });
});

describe("--workers N: the chunks come back in any order, the output is in the jobs' order", () => {
  // Runs of uneven wall-clock length (the fixture spins at random), in many small chunks: a chunk
  // put in the wrong place, or a result read from the wrong chunk, changes the output.
  it('explore: the same crash, found after the same schedules, with 1, 2 and 3 workers', async () => {
    const args = [UNEVEN, '--seed', '5', '--preemptions', '0', '--budget', '3000', '--json'];
    const single = await ddikit('explore', args);
    expect(single.code).toBe(1);
    expect(JSON.parse(single.stdout)).toMatchObject({ schedules: 1649, crash: { foundAt: 1649, phase: 'random' } });
    expect(await ddikit('explore', [...args, '--workers', '2'])).toEqual(single);
    expect(await ddikit('explore', [...args, '--workers', '3'])).toEqual(single);
  });

  it('simulate: the same output with 1, 2 and 3 workers, seed after seed', async () => {
    const args = [UNEVEN, '--seeds', '60', '--ticks', '5000'];
    const single = await ddikit('simulate', args);
    expect(single.code).toBe(0);
    expect(single.stdout.match(/^seed=\d+/gm)).toEqual(Array.from({ length: 60 }, (_, i) => `seed=${i + 1}`));
    expect(await ddikit('simulate', [...args, '--workers', '2'])).toEqual(single);
    expect(await ddikit('simulate', [...args, '--workers', '3'])).toEqual(single);
  });
});

describe('--workers N: the watchdog, whichever thread runs the hanging run', () => {
  it('simulate: one seed late in the run hangs; the same report with 1, 2 and 3 workers', async () => {
    // Seed 54 of 60 hangs: the command's own thread or a pool thread runs it (the other threads run
    // out of seeds and wait), and either way the watchdog names it.
    const args = [UNEVEN, '--export', 'hangsLate', '--seeds', '60', '--ticks', '5000', '--watchdog', '1'];
    const single = await ddikit('simulate', args);
    expect(single.code).toBe(1);
    expect(single.stderr.split('\n').slice(0, 2)).toEqual([
      'ddikit simulate: the watchdog stopped the run: Isr (MINIPORT_ISR) has not returned for 1 s of wall-clock time.',
      expect.stringMatching(/^ {2}seed=54 tick=\d+$/),
    ]);
    expect(await ddikit('simulate', [...args, '--workers', '2'])).toEqual(single);
    expect(await ddikit('simulate', [...args, '--workers', '3'])).toEqual(single);
  });
});

describe('--workers N: a driver that fails to load is reported once, as with one worker', () => {
  // The pool's threads load the driver at the same time as the command's own thread: what they run
  // into is not reported again.
  const cases: { given: string; command: 'explore' | 'simulate'; args: string[]; code: number; want: RegExp }[] = [
    {
      given: 'a module that throws while it loads',
      command: 'explore',
      args: ['test/cli/fixtures/throws-at-load.ts'],
      code: 2,
      want: /^ddikit: cannot load test\/cli\/fixtures\/throws-at-load\.ts: .*no e1000 adapter found/,
    },
    {
      given: 'a module that calls process.exit while it loads',
      command: 'simulate',
      args: ['test/cli/fixtures/exits.ts', '--seeds', '4'],
      code: 1,
      want: /^ddikit simulate: the driver module called process\.exit\(0\) at test\/cli\/fixtures\/exits\.ts:4:\d+; /,
    },
    {
      given: 'a module whose top-level await never settles',
      command: 'explore',
      args: ['test/cli/fixtures/never-settles.ts'],
      code: 1,
      want: /^ddikit explore: the driver module never finished loading: /,
    },
    {
      given: 'a module that is not there',
      command: 'simulate',
      args: ['test/cli/fixtures/nothing-here.ts', '--seeds', '4'],
      code: 2,
      want: /^ddikit: cannot find the driver module "test\/cli\/fixtures\/nothing-here\.ts"\.\n/,
    },
  ];
  for (const { given, command, args, code, want } of cases) {
    it(`${command}: ${given}`, async () => {
      const single = await ddikit(command, args, root);
      expect(single.code).toBe(code);
      expect(single.stderr).toMatch(want);
      expect(await ddikit(command, [...args, '--workers', '2'], root)).toEqual(single);
      expect(await ddikit(command, [...args, '--workers', '3'], root)).toEqual(single);
    });
  }
});

describe('explore --shard K/N, then --merge', () => {
  for (const { given, args, code } of explorations) {
    for (const n of [1, 2, 3]) {
      it(`${given}: ${n} shard(s) merged print what one run prints`, async () => {
        // The shards, the merge and the single run share a working folder (a shard file records
        // the module path as given, relative to it): here one away from the examples.
        const folder = await shards(args, n);
        const single = await ddikit('explore', args, folder);
        const merged = await ddikit('explore', ['--merge', ...shardFiles(folder)], folder);
        expect(merged).toEqual(single);
        expect(merged.code).toBe(code);
        if (n === 2) {
          const json = await ddikit('explore', ['--merge', ...shardFiles(folder), '--json'], folder);
          expect(json).toEqual(await ddikit('explore', [...args, '--json'], folder));
        }
      });
    }
  }
});

describe('explore --merge: the shard files are checked', () => {
  const args = [LOST, '--budget', '40'];
  const cases: { given: string; files: (folder: string, other: string) => string[]; want: RegExp }[] = [
    { given: 'a missing shard', files: (f) => shardFiles(f).slice(1), want: /missing: 1\/3\.$/ },
    {
      given: 'a shard given twice',
      files: (f) => [...shardFiles(f), shardFiles(f)[0]!],
      want: /shard-1-of-3\.json: shard 1\/3 is given twice \(also .*shard-1-of-3\.json\)\.$/,
    },
    {
      given: 'shards of another run (another budget)',
      files: (f, o) => [...shardFiles(f).slice(0, 2), shardFiles(o)[2]!],
      want: /shard-3-of-3\.json: shard 3\/3 is not of the same exploration as .*: it is of a run with other options \(.*--budget 41.*--budget 40\)\.$/,
    },
    {
      given: 'not JSON',
      files: (f) => {
        writeFileSync(join(f, 'bad.json'), '{"format": ');
        return [...shardFiles(f), join(f, 'bad.json')];
      },
      want: /bad\.json is not a shard file of ddikit explore: it is not JSON \(.*\)\.$/,
    },
    {
      given: 'JSON of something else',
      files: (f) => {
        writeFileSync(join(f, 'other.json'), '{"name": "x"}');
        return [join(f, 'other.json')];
      },
      want: /other\.json is not a shard file of ddikit explore: it has no "format": "ddikit-explore-shard"\.$/,
    },
    {
      given: 'a corrupt run',
      files: (f) => {
        const [first, ...rest] = shardFiles(f);
        const shard = JSON.parse(readFileSync(first!, 'utf8')) as { runs: unknown[][] };
        shard.runs[0]![3] = 'yes';
        const corrupt = join(f, 'corrupt.json');
        writeFileSync(corrupt, JSON.stringify(shard));
        return [corrupt, ...rest];
      },
      want: /corrupt\.json: run 1 is corrupt: "deeper" must be true or false\.$/,
    },
    {
      given: 'a shard with runs taken out',
      files: (f) => {
        const [first, ...rest] = shardFiles(f);
        const shard = JSON.parse(readFileSync(first!, 'utf8')) as { runs: unknown[][] };
        shard.runs = shard.runs.slice(0, 1);
        const cut = join(f, 'cut.json');
        writeFileSync(cut, JSON.stringify(shard));
        return [cut, ...rest];
      },
      want: /the shards do not hold the run \S+ that the exploration needs: a shard file is incomplete or was edited\.$/,
    },
    {
      given: 'a file that is not there',
      files: (f) => [join(f, 'nothing.json')],
      want: /cannot read the shard file .*nothing\.json: ENOENT\.$/,
    },
  ];
  let folder = '';
  let other = '';
  beforeAll(async () => {
    folder = await shards(args, 3);
    other = await shards([LOST, '--budget', '41'], 3);
  });
  for (const { given, files, want } of cases) {
    it(`${given} → exit 2 with what is wrong`, async () => {
      const { code, stdout, stderr } = await ddikit('explore', ['--merge', ...files(folder, other)], folder);
      expect(stdout).toBe('');
      expect(code).toBe(2);
      const message = stderr.split('\n')[0]!.replace(/^ddikit: /, '');
      expect(message).toMatch(want);
    });
  }

  it('options that shape the run are refused beside --merge; --shard is checked', async () => {
    const table: { args: string[]; want: string }[] = [
      {
        args: ['--merge', 'a.json', '--budget', '5'],
        want: '--merge takes the shard files and only --json, --timeline and --watchdog: the options of the run (here --budget) come from the shards.',
      },
      { args: ['--merge'], want: '--merge needs the shard files, e.g. ddikit explore --merge shard-*.json.' },
      {
        args: [LOST, '--shard', '4/3'],
        want: '--shard must be K/N: part K of N, 1 ≤ K ≤ N ≤ 1000, e.g. --shard 2/4 (got "4/3").',
      },
      {
        args: [LOST, '--shard', 'x'],
        want: '--shard must be K/N: part K of N, 1 ≤ K ≤ N ≤ 1000, e.g. --shard 2/4 (got "x").',
      },
      { args: [LOST, '--workers', '0'], want: '--workers must be an integer in 1..64 (got "0").' },
      { args: [LOST, '--replay', '-', '--workers', '2'], want: '--replay runs one schedule: it takes no --workers.' },
    ];
    for (const { args: given, want } of table) {
      const { code, stderr } = await ddikit('explore', given);
      expect(code, given.join(' ')).toBe(2);
      expect(stderr.split('\n')[0]).toBe(`ddikit: ${want}`);
    }
  });
});

describe('simulate --seeds N --workers M', () => {
  const cases: { given: string; args: string[] }[] = [
    { given: 'a clean driver', args: [join(root, 'examples/e1000-line.ts'), '--seeds', '5', '--ticks', '20000'] },
    {
      given: 'a driver with findings, in collect mode',
      args: [join(root, 'examples/broken/lock-leak.ts'), '--seeds', '5', '--ticks', '20000', '--mode', 'collect'],
    },
    { given: 'a driver that throws', args: [MISBEHAVING, '--export', 'throwsInDpc', '--seeds', '3'] },
    {
      given: 'a driver that calls NDIS from a timer after each run',
      args: [MISBEHAVING, '--export', 'lateTimer', '--seeds', '6'],
    },
  ];
  for (const { given, args } of cases) {
    it(`${given}: the same output with 1, 2 and 3 workers, in the same order (text; JSON with 2)`, async () => {
      const single = await ddikit('simulate', args);
      const json = await ddikit('simulate', [...args, '--json']);
      expect(await ddikit('simulate', [...args, '--workers', '2'])).toEqual(single);
      expect(await ddikit('simulate', [...args, '--workers', '2', '--json'])).toEqual(json);
      expect(await ddikit('simulate', [...args, '--workers', '3'])).toEqual(single);
    });
  }

  it('the same timeline page, made again from the run a worker made', async () => {
    const args = [join(root, 'examples/broken/lock-leak.ts'), '--seeds', '3', '--ticks', '20000', '--mode', 'collect'];
    await ddikit('simulate', [...args, '--timeline', 'one.html']);
    await ddikit('simulate', [...args, '--timeline', 'two.html', '--workers', '2']);
    expect(readFileSync(join(work, 'two.html'), 'utf8')).toBe(readFileSync(join(work, 'one.html'), 'utf8'));
  });

  it('a driver that hangs in a worker: the watchdog reports it as in one thread', async () => {
    const args = [MISBEHAVING, '--export', 'busyIsr', '--watchdog', '1', '--seeds', '2'];
    const single = await ddikit('simulate', args);
    expect(single.code).toBe(1);
    expect(await ddikit('simulate', [...args, '--workers', '2'])).toEqual(single);
  });
});
