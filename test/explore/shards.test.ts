/**
 * `ddikit explore --shard K/N`, then `--merge`: N shards merged print what one run prints, for
 * N = 1, 2, 3. A merge checks its shard files as any file a user hands over: a wrong, corrupt,
 * incomplete or mismatched set is a usage error naming the file.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOST, explorations, ddikit as ddikitIn, type Output } from './parallel-cli.js';

const work = mkdtempSync(join(tmpdir(), 'ddikit-shards-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const ddikit = (command: 'explore' | 'simulate', args: string[], cwd = work): Promise<Output> =>
  ddikitIn(command, args, cwd);

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
      given: 'late calls with a control character in a frame (printed to a terminal)',
      files: (f) => {
        const [first, ...rest] = shardFiles(f);
        const shard = JSON.parse(readFileSync(first!, 'utf8')) as { runs: unknown[][] };
        shard.runs[0]![8] = {
          ddi: 'NdisStallExecution',
          driverFrames: [{ file: 'driver.ts\u001b]0;owned\u0007', line: 1, column: 1, function: '' }],
          places: 1,
          capped: false,
        };
        const hostile = join(f, 'hostile.json');
        writeFileSync(hostile, JSON.stringify(shard));
        return [hostile, ...rest];
      },
      want: /hostile\.json: run 1 is corrupt: its late calls must be null or \{ ddi, driverFrames, places, capped \} naming a DDI \(printable, at most 128 characters\), up to 8 frames, 1\.\.100 places and whether capped\.$/,
    },
    {
      given: 'late calls from no place',
      files: (f) => {
        const [first, ...rest] = shardFiles(f);
        const shard = JSON.parse(readFileSync(first!, 'utf8')) as { runs: unknown[][] };
        shard.runs[0]![8] = { ddi: 'NdisStallExecution', driverFrames: [], places: 0, capped: false };
        const zero = join(f, 'zero.json');
        writeFileSync(zero, JSON.stringify(shard));
        return [zero, ...rest];
      },
      want: /zero\.json: run 1 is corrupt: its late calls must be null or .* 1\.\.100 places and whether capped\.$/,
    },
    {
      given: 'a shard of the format before late calls (8 fields a run)',
      files: (f) => {
        const [first, ...rest] = shardFiles(f);
        const shard = JSON.parse(readFileSync(first!, 'utf8')) as { version: number; runs: unknown[][] };
        shard.version = 1;
        shard.runs = shard.runs.map((run) => run.slice(0, 8));
        const old = join(f, 'old.json');
        writeFileSync(old, JSON.stringify(shard));
        return [old, ...rest];
      },
      want: /old\.json is not a shard file of ddikit explore: its version is 1, this ddikit reads version 2\.$/,
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
