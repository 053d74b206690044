/**
 * `ddikit explore --shard K/N`, then `--merge`: N shards merged print what one run prints, for
 * N = 1, 2, 3. A merge checks its shard files as any file a user hands over: a wrong, corrupt,
 * incomplete or mismatched set is a usage error naming the file.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXED, LOST, explorations, ddikit as ddikitIn, root, type Output } from './parallel-cli.js';

const work = mkdtempSync(join(tmpdir(), 'ddikit-shards-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const ddikit = (command: 'explore' | 'simulate', args: string[], cwd = work): Promise<Output> =>
  ddikitIn(command, args, cwd);

/**
 * A folder of its own for an exploration, holding a link to the repository: a shard names its
 * driver module from the working folder, and a merge loads one only from inside it.
 */
function shardFolder(n: number): string {
  const folder = mkdtempSync(join(work, `shards-${n}-`));
  symlinkSync(root, join(folder, 'repo'));
  return folder;
}

/** The arguments with the repository's files named through the folder's link to it. */
function viaLink(args: readonly string[]): string[] {
  return args.map((arg) => (arg.startsWith(root) ? join('repo', relative(root, arg)) : arg));
}

/** Runs every shard of an exploration in a folder of its own; the folder. */
async function shards(args: string[], n: number): Promise<string> {
  const folder = shardFolder(n);
  for (let k = 1; k <= n; k++) {
    const { code, stdout, stderr } = await ddikit('explore', [...viaLink(args), '--shard', `${k}/${n}`], folder);
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

/** A module outside every shard folder that leaves a mark if it is ever loaded. */
const EVIL = join(work, 'evil.js');
const EVIL_MARK = join(work, 'evil-ran');
writeFileSync(EVIL, `require('node:fs').writeFileSync(${JSON.stringify(EVIL_MARK)}, 'ran');\n`);

/** Shard 1 of the folder, edited and written as `name` beside it; its path. */
function edited(
  folder: string,
  name: string,
  edit: (shard: { driver: string; module: string; args: string[] }) => void,
): string {
  const shard = JSON.parse(readFileSync(shardFiles(folder)[0]!, 'utf8')) as {
    driver: string;
    module: string;
    args: string[];
  };
  edit(shard);
  const path = join(folder, name);
  writeFileSync(path, JSON.stringify(shard));
  return path;
}

describe('explore --shard K/N, then --merge', () => {
  for (const { given, args, code } of explorations) {
    // The single run, once per exploration: every folder names the driver the same way (through
    // its own link, `repo/…`), so one run's output is what each N's merge must print.
    let singleRun: Promise<Output> | undefined;
    const single = (): Promise<Output> => (singleRun ??= ddikit('explore', viaLink(args), shardFolder(0)));
    for (const n of [1, 2, 3]) {
      it(`${given}: ${n} shard(s) merged print what one run prints`, async () => {
        // The shards and the merge share a working folder (a shard file records the module path
        // as given, relative to it).
        const folder = await shards(args, n);
        const merged = await ddikit('explore', ['--merge', ...shardFiles(folder)], folder);
        expect(merged).toEqual(await single());
        expect(merged.code).toBe(code);
        if (n === 2) {
          const json = await ddikit('explore', ['--merge', ...shardFiles(folder), '--json'], folder);
          expect(json).toEqual(await ddikit('explore', [...viaLink(args), '--json'], folder));
        }
      });
    }
  }
});

describe('explore --shard K/N --json: what each shard ran', () => {
  it("the shards' own runs add up to the single run's schedules, and every shard but the first places the default schedule", async () => {
    const args = viaLink([FIXED, '--budget', '300', '--json']);
    const folder = shardFolder(3);
    const single = JSON.parse((await ddikit('explore', args, folder)).stdout) as { schedules: number };
    const ran: { runs: number; placingRuns: number }[] = [];
    for (let k = 1; k <= 3; k++) {
      const shard = await ddikit('explore', [...args, '--shard', `${k}/3`], folder);
      expect(shard.code).toBe(0);
      ran.push(JSON.parse(shard.stdout) as { runs: number; placingRuns: number });
    }
    expect(ran.reduce((sum, shard) => sum + shard.runs, 0)).toBe(single.schedules);
    // A third each, give or take one; the default schedule (the first shard's) is run by all three.
    for (const shard of ran) expect(Math.abs(shard.runs - single.schedules / 3)).toBeLessThanOrEqual(1);
    expect(ran[1]!.placingRuns).toBeGreaterThanOrEqual(1);
    expect(ran[0]!.placingRuns).toBe(ran[1]!.placingRuns - 1);
  });
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
      given: 'what `--shard --json` prints, saved in place of the shard file',
      files: (f) => {
        writeFileSync(
          join(f, 'summary.json'),
          JSON.stringify({ driver: 'x', module: 'x.ts', shard: 1, shards: 3, runs: 5, file: 'shard-1-of-3.json' }),
        );
        return [join(f, 'summary.json'), ...shardFiles(f).slice(1)];
      },
      want: /summary\.json is not a shard file of ddikit explore: it is the summary `explore --shard --json` prints; the shard file that run wrote is shard-1-of-3\.json\.$/,
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
      want: /old\.json is not a shard file of ddikit explore: its version is 1, this ddikit reads version 4\.$/,
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
      given: 'a driver module outside the working folder (it would run whatever file the shard names)',
      files: (f) => [
        edited(f, 'outside.json', (shard) => {
          shard.module = '../evil.js';
          shard.args[0] = '../evil.js';
        }),
        ...shardFiles(f).slice(1),
      ],
      want: /outside\.json is not a shard file of ddikit explore: it names the driver module \.\.\/evil\.js, outside the working folder; a merge loads a driver module only from inside the folder it runs in \(run the merge where the shards ran\)\.$/,
    },
    {
      given: 'a driver module by absolute path',
      files: (f) => [
        edited(f, 'absolute.json', (shard) => {
          shard.module = EVIL;
          shard.args[0] = EVIL;
        }),
        ...shardFiles(f).slice(1),
      ],
      want: /absolute\.json is not a shard file of ddikit explore: it names the driver module \/.*evil\.js, outside the working folder; .*\.$/,
    },
    {
      given: 'arguments that name another module than "module"',
      files: (f) => [
        edited(f, 'two-modules.json', (shard) => {
          shard.args[0] = 'repo/examples/scenarios/lost-interrupt-fixed.ts';
        }),
        ...shardFiles(f).slice(1),
      ],
      want: /two-modules\.json is not a shard file of ddikit explore: its "args" name the driver module repo\/examples\/scenarios\/lost-interrupt-fixed\.ts, not its "module" repo\/examples\/scenarios\/lost-interrupt\.ts\.$/,
    },
    {
      // The merge would run a shard of its own and overwrite shard-1-of-1.json in the working folder.
      given: 'arguments that record --shard',
      files: (f) => [
        edited(f, 'recorded-shard.json', (shard) => shard.args.push('--shard', '1/1')),
        ...shardFiles(f).slice(1),
      ],
      want: /recorded-shard\.json is not a shard file of ddikit explore: its "args" hold --shard, which a shard file never records\.$/,
    },
    {
      // The merge would write the page wherever the file says.
      given: 'arguments that record --timeline',
      files: (f) => [
        edited(f, 'timeline-arg.json', (shard) => shard.args.push('--timeline', join(work, 'page.html'))),
        ...shardFiles(f).slice(1),
      ],
      want: /timeline-arg\.json is not a shard file of ddikit explore: its "args" hold --timeline, which a shard file never records\.$/,
    },
    {
      given: "arguments that are not an exploration's",
      files: (f) => [
        edited(f, 'unknown-arg.json', (shard) => shard.args.push('--rm', '-rf')),
        ...shardFiles(f).slice(1),
      ],
      want: /unknown-arg\.json is not a shard file of ddikit explore: its "args" are not those of an exploration \(Unknown option '--rm'.*\)\.$/,
    },
    {
      given: 'a control character in the arguments (printed to a terminal)',
      files: (f) => [
        edited(f, 'escape-arg.json', (shard) => shard.args.push('--faults', 'storm\u001b[2J')),
        ...shardFiles(f).slice(1),
      ],
      want: /escape-arg\.json is not a shard file of ddikit explore: "args" must be a list of at most 256 printable strings\.$/,
    },
    {
      given: 'a control character in the driver name',
      files: (f) => [
        edited(f, 'escape-driver.json', (shard) => {
          shard.driver = 'lost\u009b31m';
        }),
        ...shardFiles(f).slice(1),
      ],
      want: /escape-driver\.json is not a shard file of ddikit explore: "driver" must be a printable string\.$/,
    },
    {
      given: 'a control character in a report (printed to a terminal)',
      files: (f) => {
        const [first, ...rest] = shardFiles(f);
        const shard = JSON.parse(readFileSync(first!, 'utf8')) as { runs: unknown[][] };
        const failed = shard.runs.find((run) => run[4] !== null)!;
        const error = failed[4] as { message: string };
        error.message += '\u001b]0;owned\u0007';
        const hostile = join(f, 'hostile-report.json');
        writeFileSync(hostile, JSON.stringify(shard));
        return [hostile, ...rest];
      },
      want: /hostile-report\.json: run \d+ is corrupt: its reports or crash hold a control character other than a newline or a tab, which a terminal would act on\.$/,
    },
    {
      given: "a shard of another version of the driver's code",
      files: (f) => {
        const [first, ...rest] = shardFiles(f);
        const shard = JSON.parse(readFileSync(first!, 'utf8')) as { source: string };
        shard.source = '0'.repeat(64);
        const other = join(f, 'other-version.json');
        writeFileSync(other, JSON.stringify(shard));
        return [other, ...rest];
      },
      want: /shard-2-of-3\.json: shard 2\/3 is not of the same exploration as .*other-version\.json: it is of another version of \S+lost-interrupt\.ts: its code changed between the two shards \(run every shard on one version\)\.$/,
    },
    {
      given: 'a shard without the digest of its code',
      files: (f) => {
        const [first, ...rest] = shardFiles(f);
        const shard = JSON.parse(readFileSync(first!, 'utf8')) as { source?: string };
        delete shard.source;
        const bare = join(f, 'bare.json');
        writeFileSync(bare, JSON.stringify(shard));
        return [bare, ...rest];
      },
      want: /bare\.json is not a shard file of ddikit explore: "source" must be the digest of the driver's code \(64 hexadecimal digits\)\.$/,
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
      // Nothing a refused file names is loaded, and nothing is written.
      expect(existsSync(EVIL_MARK)).toBe(false);
      expect(existsSync(join(work, 'page.html'))).toBe(false);
      expect(readdirSync(folder).filter((name) => name.endsWith('.html'))).toEqual([]);
    });
  }

  it('a driver whose code changed since the shards ran is refused by the merge, down to a module it imports', async () => {
    const folder = shardFolder(1);
    const driver = join(folder, 'driver.ts');
    const lib = join(folder, 'lib.ts');
    writeFileSync(lib, 'export const budget = 40;\n');
    writeFileSync(
      driver,
      `import { budget } from './lib.js';\nvoid budget;\nexport { default, scenario } from './${viaLink([LOST])[0]}';\n`,
    );
    for (const k of [1, 2])
      expect((await ddikit('explore', ['driver.ts', '--budget', '40', '--shard', `${k}/2`], folder)).code).toBe(0);
    expect((await ddikit('explore', ['--merge', ...shardFiles(folder)], folder)).code).toBe(1);
    writeFileSync(lib, 'export const budget = 41;\n');
    const changed = await ddikit('explore', ['--merge', ...shardFiles(folder)], folder);
    expect(changed.stdout).toBe('');
    expect(changed.code).toBe(2);
    expect(changed.stderr.split('\n')[0]).toBe(
      'ddikit: driver.ts is not the version the shards ran: its code changed since (run the shards again, or merge with the code they ran).',
    );
  });

  it('a driver that reads an environment variable: shards or a merge with other values of it are refused, naming it', async () => {
    const folder = shardFolder(1);
    const name = 'DDIKIT_TEST_RING_SIZE';
    // The variable is read in a module the driver imports, as a driver's configuration would be.
    writeFileSync(join(folder, 'config.ts'), `export const ringSize = Number(process.env.${name} ?? '64');\n`);
    writeFileSync(
      join(folder, 'driver.ts'),
      `import { ringSize } from './config.js';\nvoid ringSize;\nexport { default, scenario } from './${viaLink([LOST])[0]}';\n`,
    );
    const shardWith = async (k: number, value: string): Promise<void> => {
      process.env[name] = value;
      try {
        const ran = await ddikit('explore', ['driver.ts', '--budget', '40', '--shard', `${k}/2`], folder);
        expect(ran.stderr).toBe('');
        expect(ran.code).toBe(0);
      } finally {
        delete process.env[name];
      }
    };
    const merge = async (value: string): Promise<Output> => {
      process.env[name] = value;
      try {
        return await ddikit('explore', ['--merge', 'shard-1-of-2.json', 'shard-2-of-2.json'], folder);
      } finally {
        delete process.env[name];
      }
    };
    await shardWith(1, '64');
    await shardWith(2, '32');
    // Only what the driver's modules read is kept, and each value only as its digest.
    const shard = JSON.parse(readFileSync(join(folder, 'shard-1-of-2.json'), 'utf8')) as {
      env: Record<string, string>;
    };
    expect(Object.keys(shard.env)).toEqual([name]);
    expect(shard.env[name]).toMatch(/^[0-9a-f]{64}$/);
    const mixed = await merge('64');
    expect(mixed.stdout).toBe('');
    expect(mixed.code).toBe(2);
    expect(mixed.stderr.split('\n')[0]).toBe(
      `ddikit: shard-2-of-2.json: shard 2/2 is not of the same exploration as shard-1-of-2.json: it is of a run with another value of the environment variable ${name}, which the driver reads (run every shard with one environment).`,
    );
    await shardWith(2, '64');
    expect((await merge('64')).code).toBe(1);
    const otherMerge = await merge('32');
    expect(otherMerge.stdout).toBe('');
    expect(otherMerge.code).toBe(2);
    expect(otherMerge.stderr.split('\n')[0]).toBe(
      `ddikit: driver.ts reads the environment variable ${name}, and the shards ran with another value of it than this merge has (merge with the environment the shards ran with, or run the shards again).`,
    );
  });

  it('a driver that asks whether a variable is set, or reads it through Reflect or Object.hasOwn: each is kept', async () => {
    const folder = shardFolder(1);
    const [isSet, hasOwn, reflected] = ['DDIKIT_TEST_IN', 'DDIKIT_TEST_HAS_OWN', 'DDIKIT_TEST_REFLECT'];
    writeFileSync(
      join(folder, 'config.ts'),
      `export const flags = ['${isSet}' in process.env, Object.hasOwn(process.env, '${hasOwn}'), Reflect.get(process.env, '${reflected}') === undefined];\n`,
    );
    writeFileSync(
      join(folder, 'driver.ts'),
      `import { flags } from './config.js';\nvoid flags;\nexport { default, scenario } from './${viaLink([LOST])[0]}';\n`,
    );
    process.env[hasOwn] = 'set';
    try {
      const ran = await ddikit('explore', ['driver.ts', '--budget', '20', '--shard', '1/1'], folder);
      expect(ran.stderr).toBe('');
      expect(ran.code).toBe(0);
    } finally {
      delete process.env[hasOwn];
    }
    const shard = JSON.parse(readFileSync(join(folder, 'shard-1-of-1.json'), 'utf8')) as {
      env: Record<string, string | null>;
    };
    // Unset is a value too: a shard run with it set is another environment.
    expect(shard.env).toEqual({
      [hasOwn]: createHash('sha256').update('set').digest('hex'),
      [isSet]: null,
      [reflected]: null,
    });
  });

  it.each([
    ['Object.keys', 'Object.keys(process.env).filter((name) => name.startsWith("CONTOSO_"))'],
    ['a spread', '{ ...process.env }'],
    [
      'for…in',
      '(() => { const names: string[] = []; for (const name in process.env) names.push(name); return names; })()',
    ],
    ['JSON.stringify', 'JSON.stringify(process.env)'],
  ])(
    'a driver that enumerates the environment (%s) is refused a shard, naming where; it explores whole',
    async (_how, expression) => {
      const folder = shardFolder(1);
      writeFileSync(join(folder, 'config.ts'), `// the driver's settings\nexport const settings = ${expression};\n`);
      writeFileSync(
        join(folder, 'driver.ts'),
        `import { settings } from './config.js';\nvoid settings;\nexport { default, scenario } from './${viaLink([LOST])[0]}';\n`,
      );
      const refused = await ddikit('explore', ['driver.ts', '--budget', '20', '--shard', '1/2'], folder);
      expect(refused.stdout).toBe('');
      expect(refused.stderr.split('\n')[0]).toMatch(
        /^ddikit: --shard: driver\.ts enumerates the environment \(Object\.keys, a spread or a for…in of process\.env, at config\.ts:2:\d+\), so a shard file cannot record which variables shape its runs, and a merge could not check that every shard ran with the same ones\. Read the variables the driver needs by name \(process\.env\.NAME, 'NAME' in process\.env\): a shard keeps each one's digest, and the merge compares them\.$/,
      );
      expect(refused.code).toBe(2);
      expect(shardFiles(folder)).toEqual([]);
      // Nothing to record without --shard: the driver explores as any other.
      expect((await ddikit('explore', ['driver.ts', '--budget', '20'], folder)).code).toBe(1);
    },
  );

  it('a driver that enumerates the environment only while it runs is refused when the shard ends, with no file', async () => {
    const folder = shardFolder(1);
    writeFileSync(
      join(folder, 'driver.ts'),
      [
        `import lost from './${viaLink([LOST])[0]}';`,
        `export { scenario } from './${viaLink([LOST])[0]}';`,
        'export default { ...lost, create: (...args: Parameters<typeof lost.create>) => (Object.keys(process.env), lost.create(...args)) };',
        '',
      ].join('\n'),
    );
    const refused = await ddikit('explore', ['driver.ts', '--budget', '20', '--shard', '1/2'], folder);
    expect(refused.stderr.split('\n')[0]).toMatch(
      /^ddikit: --shard: driver\.ts enumerates the environment \(.*at driver\.ts:3:\d+\)/,
    );
    expect(refused.code).toBe(2);
    expect(shardFiles(folder)).toEqual([]);
  });

  /**
   * A driver that does `use` (an expression on process.env) in every run but never as it loads, and,
   * in the search's own thread of `--workers 2`, in none of its runs: there only the pool thread's
   * runs do it. The search's thread waits in its first run until the pool thread has loaded the
   * driver, and its runs are slowed, so that the pool thread runs some (it marks `pool-ran` when it
   * does). Returns the line of `use` in driver.ts.
   */
  function poolOnlyDriver(folder: string, use: string): number {
    const lines = [
      "import { appendFileSync, existsSync, writeFileSync } from 'node:fs';",
      "import { workerData } from 'node:worker_threads';",
      `import fixed from './${viaLink([FIXED])[0]}';`,
      `export { scenario } from './${viaLink([FIXED])[0]}';`,
      // ddikit runs the driver in a worker thread: a pool thread of --workers, or the search's own.
      'const thread = workerData as { pool?: boolean; args?: string[] };',
      "const searchBesidePool = thread.pool !== true && (thread.args ?? []).includes('--workers');",
      `if (thread.pool === true) writeFileSync(${JSON.stringify(join(folder, 'pool-loaded'))}, '');`,
      'const pause = new Int32Array(new SharedArrayBuffer(4));',
      'let waited = false;',
      'export default {',
      '  ...fixed,',
      '  create: (...args: Parameters<typeof fixed.create>) => {',
      '    if (searchBesidePool) {',
      `      for (let i = 0; !waited && !existsSync(${JSON.stringify(join(folder, 'pool-loaded'))}) && i < 3000; i++) Atomics.wait(pause, 0, 0, 10);`,
      '      waited = true;',
      '      Atomics.wait(pause, 0, 0, 1);',
      '    } else {',
      `      ${use};`,
      `      if (thread.pool === true) appendFileSync(${JSON.stringify(join(folder, 'pool-ran'))}, '.');`,
      '    }',
      '    return fixed.create(...args);',
      '  },',
      '};',
      '',
    ];
    writeFileSync(join(folder, 'driver.ts'), lines.join('\n'));
    return lines.findIndex((line) => line.includes(use)) + 1;
  }

  it('--workers 2: a variable read only in runs a pool thread ran is kept, as with one thread, and a merge with another value of it is refused', async () => {
    const folder = shardFolder(2);
    const name = 'DDIKIT_TEST_POOL_READ';
    poolOnlyDriver(folder, `void process.env.${name}`);
    const args = ['driver.ts', '--budget', '300'];
    const shardWith = async (k: number, value: string, workers: string[]): Promise<string> => {
      for (const mark of ['pool-loaded', 'pool-ran']) rmSync(join(folder, mark), { force: true });
      process.env[name] = value;
      try {
        const ran = await ddikit('explore', [...args, '--shard', `${k}/2`, ...workers], folder);
        expect(ran.stderr).toBe('');
        expect(ran.code).toBe(0);
      } finally {
        delete process.env[name];
      }
      return readFileSync(join(folder, `shard-${k}-of-2.json`), 'utf8');
    };
    const single = await shardWith(1, '64', []);
    expect((JSON.parse(single) as { env: Record<string, string> }).env).toEqual({
      [name]: createHash('sha256').update('64').digest('hex'),
    });
    // The same bytes, though the thread that writes the file read nothing in its runs.
    expect(await shardWith(1, '64', ['--workers', '2'])).toBe(single);
    expect(readFileSync(join(folder, 'pool-ran'), 'utf8').length).toBeGreaterThan(0);
    await shardWith(2, '32', ['--workers', '2']);
    process.env[name] = '64';
    try {
      const mixed = await ddikit('explore', ['--merge', 'shard-1-of-2.json', 'shard-2-of-2.json'], folder);
      expect(mixed.stdout).toBe('');
      expect(mixed.code).toBe(2);
      expect(mixed.stderr.split('\n')[0]).toBe(
        `ddikit: shard-2-of-2.json: shard 2/2 is not of the same exploration as shard-1-of-2.json: it is of a run with another value of the environment variable ${name}, which the driver reads (run every shard with one environment).`,
      );
    } finally {
      delete process.env[name];
    }
  });

  it('--workers 2: a driver that enumerates the environment only in runs a pool thread ran is refused, naming where, with no file', async () => {
    const folder = shardFolder(1);
    const line = poolOnlyDriver(folder, 'void Object.keys(process.env)');
    const refused = await ddikit(
      'explore',
      ['driver.ts', '--budget', '300', '--shard', '1/2', '--workers', '2'],
      folder,
    );
    expect(readFileSync(join(folder, 'pool-ran'), 'utf8').length).toBeGreaterThan(0);
    expect(refused.stdout).toBe('');
    expect(refused.stderr.split('\n')[0]).toMatch(
      new RegExp(
        `^ddikit: --shard: driver\\.ts enumerates the environment \\(Object\\.keys, a spread or a for…in of process\\.env, at driver\\.ts:${line}:\\d+\\), so a shard file cannot record`,
      ),
    );
    expect(refused.code).toBe(2);
    expect(shardFiles(folder)).toEqual([]);
  });

  it('a shard file is written whole, over an old one, and never through a link', async () => {
    const folder = shardFolder(2);
    const args = [...viaLink([LOST]), '--budget', '20', '--shard', '1/2'];
    writeFileSync(join(folder, 'shard-1-of-2.json'), 'an older shard');
    const first = await ddikit('explore', args, folder);
    expect(first.code).toBe(0);
    expect(JSON.parse(readFileSync(join(folder, 'shard-1-of-2.json'), 'utf8'))).toMatchObject({ shard: 1, shards: 2 });
    expect(readdirSync(folder).sort()).toEqual(['repo', 'shard-1-of-2.json']);
    // A link where the shard goes (planted, or left by something else) would send the write elsewhere.
    const elsewhere = join(work, 'elsewhere.json');
    writeFileSync(elsewhere, 'keep');
    rmSync(join(folder, 'shard-1-of-2.json'));
    symlinkSync(elsewhere, join(folder, 'shard-1-of-2.json'));
    const linked = await ddikit('explore', args, folder);
    expect(linked.code).toBe(2);
    expect(linked.stderr.split('\n')[0]).toBe(
      'ddikit: cannot write shard-1-of-2.json: it is a symbolic link; ddikit writes no file through a link in its output folder. Remove the link; nothing was changed.',
    );
    expect(readFileSync(elsewhere, 'utf8')).toBe('keep');
  });

  it('options that shape the run are refused beside --merge; --shard is checked', async () => {
    const table: { args: string[]; want: string }[] = [
      {
        args: ['--merge', 'a.json', '--budget', '5'],
        want: '--merge takes the shard files and only --json, --timeline, --watchdog and --max-memory: the options of the run (here --budget) come from the shards.',
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
      {
        // A merge would refuse the file: it loads a module only from inside its working folder.
        args: [LOST, '--shard', '1/2'],
        want: `--shard needs the driver module inside the working folder (${LOST} is not): a shard file names it from there, and a merge loads it only from inside the folder it runs in.`,
      },
      {
        args: [LOST, '--workers', '0'],
        want: '--workers must be an integer in 1..64, or auto for one per processor (got "0").',
      },
      { args: [LOST, '--replay', '-', '--workers', '2'], want: '--replay runs one schedule: it takes no --workers.' },
    ];
    for (const { args: given, want } of table) {
      const { code, stderr } = await ddikit('explore', given);
      expect(code, given.join(' ')).toBe(2);
      expect(stderr.split('\n')[0]).toBe(`ddikit: ${want}`);
    }
  });
});
