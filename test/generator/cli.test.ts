import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CliIo } from '../../generator/src/cli/io.js';
import { main } from '../../generator/src/cli/main.js';
import { bundled } from '../../generator/src/paths.js';

let work: string;
const gccFound = spawnSync('gcc', ['--version'], { encoding: 'utf8' }).status === 0;

beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'ddikit-cli-'));
});

afterEach(() => {
  rmSync(work, { recursive: true, force: true });
});

async function ddikit(args: string[], cwd = work): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { cwd, stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), color: false };
  const code = await main(args, io);
  return { code, stdout, stderr };
}

function tree(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!existsSync(root)) return out;
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

/** A copy of the bundled spec in the temp folder, so tests can break it. */
function specCopy(): string {
  const dir = join(work, 'spec');
  cpSync(bundled.specDir, dir, { recursive: true });
  return dir;
}

describe('ddikit generate', () => {
  it('writes every output, prints a summary, and rewrites nothing on a second run', async () => {
    specCopy();
    const first = await ddikit(['generate', '--spec', 'spec', '--out', 'out']);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    // Nine curated files, the four of spec/ndis/imported/ and the rule table.
    expect(first.stdout).toMatch(/^ddikit generate: 14 spec files → out\n/);
    expect(first.stdout).toMatch(/\n  reference   630 pages in docs\/reference\n/);
    expect(first.stdout).toMatch(/model +138 roles \(1 variant\), 367 functions, 189 types, 30 constants/);
    const files = Object.keys(tree(join(work, 'out')));
    expect(files).toContain('src/generated/roles.ts');
    // A folder of its own imports the role runtime from the installed @ddikit/ndis.
    const roles = readFileSync(join(work, 'out/src/generated/roles.ts'), 'utf8');
    expect(roles).toContain("import { declareRole, type RoleFunction } from '@ddikit/ndis';");
    expect(readFileSync(join(work, 'out/src/generated/metadata.d.ts'), 'utf8')).toContain(
      "import type { Metadata, RoleMeta } from '@ddikit/ndis';",
    );
    // The @ddikit/ndis package itself imports them from beside src/generated.
    mkdirSync(join(work, 'package'));
    writeFileSync(join(work, 'package/package.json'), '{ "name": "@ddikit/ndis" }\n');
    expect((await ddikit(['generate', '--spec', 'spec', '--out', 'package'])).code).toBe(0);
    expect(readFileSync(join(work, 'package/src/generated/roles.ts'), 'utf8')).toContain(
      "import { declareRole, type RoleFunction } from '../role.js';",
    );
    expect(files).toContain('src/generated/metadata.json');
    expect(files).toContain('include/ndis_roles.h');
    expect(files).toContain('include/harness/ndis.h');
    expect(files).toContain('docs/reference/miniport_synchronize_interrupt.md');
    const written = Number(/disk +(\d+) written/.exec(first.stdout)![1]);
    expect(written).toBe(files.length);

    const second = await ddikit(['generate', '--spec', 'spec', '--out', 'out']);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(new RegExp(`disk +0 written, ${files.length} unchanged, 0 removed`));
  });

  it('--check writes nothing, lists stale files and exits 1; exits 0 when up to date', async () => {
    specCopy();
    await ddikit(['generate', '--spec', 'spec', '--out', 'out']);
    const clean = await ddikit(['generate', '--spec', 'spec', '--out', 'out', '--check']);
    expect(clean.code).toBe(0);
    expect(clean.stdout).toMatch(/generated files in out are up to date/);

    const roles = join(work, 'out/src/generated/roles.ts');
    writeFileSync(roles, `${readFileSync(roles, 'utf8')}// edited\n`);
    rmSync(join(work, 'out/include/ndis_roles.h'));
    const before = tree(join(work, 'out'));
    const stale = await ddikit(['generate', '--spec', 'spec', '--out', 'out', '--check']);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toBe(
      [
        'generated files are not up to date (2 of ' + (Object.keys(before).length + 1) + '):',
        '  missing  out/include/ndis_roles.h',
        '  changed  out/src/generated/roles.ts',
        'Run "npm run generate" (or "ddikit generate --spec spec --out out") to update them.',
        '',
      ].join('\n'),
    );
    expect(tree(join(work, 'out'))).toEqual(before);
  });

  it('on a malformed spec prints located diagnostics (schema and semantic in one run), exits 1 and writes nothing', async () => {
    const spec = specCopy();
    const path = join(spec, 'ndis/interrupts.yaml');
    const text = readFileSync(path, 'utf8');
    writeFileSync(
      path,
      text
        .replace(
          '      runsAt: DIRQL\n      same: true\n      note:',
          '      runsAt: DIRQ\n      same: true\n      note:',
        )
        .replace('        type: PBOOLEAN', '        type: PBOOLEEN'),
    );
    await ddikit(['generate', '--spec', 'spec', '--out', 'out']).then((r) => expect(r.code).toBe(1));
    const result = await ddikit(['generate', '--spec', 'spec', '--out', 'out2']);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    // The schema error is in one entry, the unknown type in another of the same file: one run reports both.
    expect(result.stderr).toMatch(
      /^spec\/ndis\/interrupts\.yaml:\d+:\d+ - error DDI1003: irql\.runsAt must be one of .* \(got "DIRQ"\)\. Did you mean "DIRQL"\?\nspec\/ndis\/interrupts\.yaml:\d+:\d+ - error DDI2002: unknown type "PBOOLEEN"\. Did you mean "PBOOLEAN"\? .*\n\nFound 2 errors\.\n$/,
    );
    expect(existsSync(join(work, 'out'))).toBe(false);
    expect(existsSync(join(work, 'out2'))).toBe(false);
  });

  it('reports every located problem in one run (schema and semantic), with --json as data', async () => {
    const spec = specCopy();
    const path = join(spec, 'ndis/spin-locks.yaml');
    writeFileSync(
      path,
      readFileSync(path, 'utf8').replace(
        '        type: PNDIS_SPIN_LOCK\n        dir: out',
        '        type: PNDIS_SPINLOCK\n        dir: out',
      ),
    );
    const result = await ddikit(['validate', '--spec', 'spec', '--json']);
    expect(result.code).toBe(1);
    const parsed = JSON.parse(result.stdout) as {
      diagnostics: { file: string; line: number; col: number; code: string; message: string }[];
    };
    expect(parsed.diagnostics).toHaveLength(1);
    expect(parsed.diagnostics[0]).toMatchObject({
      file: 'spec/ndis/spin-locks.yaml',
      code: 'DDI2002',
      severity: 'error',
    });
    expect(parsed.diagnostics[0]!.message).toBe(
      'unknown type "PNDIS_SPINLOCK". Did you mean "PNDIS_SPIN_LOCK"? Define it under types:, or use a type the spec defines.',
    );
    const lines = readFileSync(path, 'utf8').split('\n');
    expect(lines[parsed.diagnostics[0]!.line - 1]!.slice(parsed.diagnostics[0]!.col - 1)).toBe('PNDIS_SPINLOCK');
  });

  it('a file that does not parse: its error and one note, no follow-on errors elsewhere, exit 1 and nothing written', async () => {
    const modeline = '# yaml-language-server: $schema=../schema/ddi.schema.json';
    const types = `${modeline}
header: ndis.h
types:
  - name: BOOLEAN
    kind: scalar
    c: unsigned char
    ts: boolean
  - name: NDIS_HANDLE
    kind: handle
    c: void *
    ts: unknown
`;
    const uses = `${modeline}
header: ndis.h
functions:
  - name: NdisMQueryThing
    since: NDIS 6.0
    params:
      - name: MiniportAdapterHandle
        type: NDIS_HANDLE
        dir: in
    returns:
      type: BOOLEAN
    irql:
      max: DISPATCH_LEVEL
`;
    mkdirSync(join(work, 'spec'));
    writeFileSync(join(work, 'spec/uses.yaml'), uses);
    writeFileSync(join(work, 'spec/types.yaml'), types.replace('    c: unsigned char\n', '    c: "unsigned char\n'));
    const printed =
      'spec/types.yaml:6:8 - error DDI1001: the double-quoted value that opens here has no closing ", so it runs on to the end of the file. Add the closing " where the value ends.\n' +
      'spec/types.yaml:6:8 - warning DDI2021: references elsewhere to 1 name this file may define (NDIS_HANDLE) were not checked, because spec/types.yaml did not parse. Fix it and run again to check them.\n' +
      '\nFound 1 error and 1 warning.\n';
    const validated = await ddikit(['validate', '--spec', 'spec']);
    expect(validated).toEqual({ code: 1, stdout: '', stderr: printed });
    const generated = await ddikit(['generate', '--spec', 'spec', '--out', 'out']);
    expect(generated).toEqual({ code: 1, stdout: '', stderr: printed });
    expect(existsSync(join(work, 'out'))).toBe(false);
    // Fixed, the same folder generates: the refusal was the broken file's alone.
    writeFileSync(join(work, 'spec/types.yaml'), types);
    expect((await ddikit(['generate', '--spec', 'spec', '--out', 'out'])).code).toBe(0);
    expect(readFileSync(join(work, 'out/include/ndis_roles.h'), 'utf8')).toContain('NdisMQueryThing');
    // Broken again, with an output folder in place: nothing of it changes.
    const before = tree(join(work, 'out'));
    writeFileSync(join(work, 'spec/types.yaml'), types.replace('    c: unsigned char\n', '    c: "unsigned char\n'));
    expect(await ddikit(['generate', '--spec', 'spec', '--out', 'out'])).toEqual({
      code: 1,
      stdout: '',
      stderr: printed,
    });
    expect(tree(join(work, 'out'))).toEqual(before);
  });

  it('reports an empty spec folder', async () => {
    mkdirSync(join(work, 'empty'));
    const result = await ddikit(['generate', '--spec', 'empty', '--out', 'out']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'empty:1:1 - error DDI1010: no .yaml file in the spec folder. Add spec files, or point --spec at the folder that holds them.\n\nFound 1 error.\n',
    );
  });
});

describe('ddikit usage errors exit 2', () => {
  const cases: { given: string[]; want: RegExp }[] = [
    { given: [], want: /^ddikit — typed Windows DDI role types/ },
    {
      given: ['frobnicate'],
      want: /^ddikit: unknown command "frobnicate"\. Commands: init, generate, validate, scaffold, import-docs, coverage, simulate, explore, check\.\nRun "ddikit --help" for usage\.\n$/,
    },
    { given: ['generate', '--bogus'], want: /^ddikit: unknown option "--bogus" for ddikit generate\. Options: / },
    { given: ['generate', '--spec', 'nowhere', '--out', 'x'], want: /^ddikit: --spec "nowhere" is not a folder\./ },
    { given: ['generate', '--spec', '.'], want: /^ddikit: --out is required with --spec/ },
    { given: ['scaffold', '--out', 'x'], want: /^ddikit: give at least one --role ROLE:Name/ },
    { given: ['scaffold', '--role', 'MINIPORT_ISR', '--out', 'x'], want: /^ddikit: --role must be ROLE:Name/ },
    {
      given: ['simulate', 'examples/e1000-line.ts', '--seeds', '-1'],
      want: /^ddikit: --seeds must be an integer in 1\.\.100000 \(got "-1"\)\.\nRun "ddikit simulate --help" for usage\.\n$/,
    },
    {
      given: ['explore', 'examples/e1000-line.ts', '--watchdog', '-5'],
      want: /^ddikit: --watchdog must be an integer in 0\.\.\d+ \(got "-5"\)\.\n/,
    },
    {
      given: ['scaffold', '--role', 'MINIPORT_ISR:MyIsr', '--out', 'x', '--lang', 'rust'],
      want: /^ddikit: --lang must be c or ts \(got "rust"\)/,
    },
  ];
  for (const { given, want } of cases) {
    it(`ddikit ${given.join(' ') || '(no arguments)'}`, async () => {
      const result = await ddikit(given);
      expect(result.code).toBe(2);
      expect(given.length === 0 ? result.stdout : result.stderr).toMatch(want);
    });
  }

  it("help COMMAND prints that command's usage, as COMMAND --help does; an unknown one is a usage error", async () => {
    for (const name of ['simulate', 'explore', 'init']) {
      const help = await ddikit(['help', name]);
      expect(help.code, name).toBe(0);
      expect(help.stdout).toBe((await ddikit([name, '--help'])).stdout);
      expect(help.stdout).toMatch(new RegExp(`^Usage:\\n  ddikit ${name} `));
    }
    const typo = await ddikit(['help', 'simulat']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/^ddikit: unknown command "simulat"\. Did you mean "simulate"\? Commands: init, /);
    const two = await ddikit(['help', 'simulate', 'explore']);
    expect(two.code).toBe(2);
    expect(two.stderr).toMatch(/^ddikit: help takes one command \(got "simulate" "explore"\)\. Commands: /);
  });

  it('--help prints usage and every diagnostic code, exit 0; --version prints the version', async () => {
    const help = await ddikit(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('ddikit scaffold --role ROLE:Name');
    expect(help.stdout).toContain('DDI2002  a reference to a type that no entry defines');
    const version = await ddikit(['--version']);
    expect(version.stdout).toBe(
      `${JSON.parse(readFileSync(join(bundled.root, 'generator/package.json'), 'utf8')).version}\n`,
    );
  });
});

describe('ddikit scaffold', () => {
  const args = [
    'scaffold',
    '--role',
    'MINIPORT_SYNCHRONIZE_INTERRUPT:MySynchronizeInterrupt',
    '--role',
    'MINIPORT_SYNCHRONIZE_MESSAGE_INTERRUPT:MySynchronizeMessageInterrupt',
    '--out',
    'drv',
    '--name',
    'sync',
  ];

  it('writes the .h/.c pair, changes nothing when re-run, refuses to overwrite an edited file, keeps a backup with --force', async () => {
    const first = await ddikit(args);
    expect(first.code).toBe(0);
    expect(Object.keys(tree(join(work, 'drv')))).toEqual(['sync.c', 'sync.h']);
    expect(readFileSync(join(work, 'drv/sync.h'), 'utf8')).toContain(
      'MINIPORT_SYNCHRONIZE_INTERRUPT MySynchronizeInterrupt;',
    );

    const again = await ddikit(args);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/same +drv\/sync\.c\nsame +drv\/sync\.h\n/);

    const edited = `${readFileSync(join(work, 'drv/sync.c'), 'utf8')}/* my work */\n`;
    writeFileSync(join(work, 'drv/sync.c'), edited);
    const refused = await ddikit(args);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      'ddikit scaffold: error: drv/sync.c exists and differs from the scaffold; it was left as it is. Pass --force to replace it (the old file is kept as sync.c.bak, or sync.c.1.bak, … when that exists).\n',
    );
    expect(readFileSync(join(work, 'drv/sync.c'), 'utf8')).toBe(edited);

    const forced = await ddikit([...args, '--force']);
    expect(forced.code).toBe(0);
    expect(readFileSync(join(work, 'drv/sync.c.bak'), 'utf8')).toBe(edited);
    expect(readFileSync(join(work, 'drv/sync.c'), 'utf8')).not.toContain('my work');
  });

  it('--generated: takes what generate wrote from the same spec, and says what to do when it cannot', async () => {
    specCopy();
    const role = ['--role', 'MINIPORT_ISR:MyIsr'];
    const tsScaffold = ['scaffold', ...role, '--out', 'drv', '--lang', 'ts', '--spec', 'spec', '--generated', 'gen'];
    const missing = await ddikit(tsScaffold);
    expect(missing.stderr).toBe(
      'ddikit scaffold: error: --generated gen has no src/generated/index.ts: run ddikit generate with the same --spec and --out gen first.\n',
    );
    expect(missing.code).toBe(1);
    expect((await ddikit(['generate', '--spec', 'spec', '--out', 'gen'])).code).toBe(0);
    const stale = await ddikit([
      'scaffold',
      '--role',
      'MY_NEW_ROLE:Mine',
      '--out',
      'drv',
      '--lang',
      'ts',
      '--spec',
      'spec',
      '--generated',
      'gen',
    ]);
    expect(stale.stderr).toContain(
      '--generated gen does not declare MY_NEW_ROLE (it was generated before the spec had it?)',
    );
    expect(existsSync(join(work, 'drv'))).toBe(false);
    const ts = await ddikit(tsScaffold);
    expect(ts.code, ts.stderr).toBe(0);
    expect(readFileSync(join(work, 'drv/myisr.ts'), 'utf8')).toContain(
      "import { MINIPORT_ISR } from '../gen/src/generated/index.js';",
    );
    const c = await ddikit(['scaffold', ...role, '--out', 'drv-c', '--spec', 'spec', '--generated', 'gen']);
    expect(c.stdout).toContain(' -Igen/include ');
    const bundledSpec = await ddikit(['scaffold', ...role, '--out', 'drv2', '--generated', 'gen']);
    expect(bundledSpec.code).toBe(2);
    expect(bundledSpec.stderr).toContain('--generated goes with --spec');
  });

  it.skipIf(!gccFound)(
    'prints a gcc command that compiles the C scaffold once its bodies call DDIs, paths quoted for the shell',
    async () => {
      // A folder name with a space and a quote: the printed command must still paste as it is.
      const scaffolded = await ddikit([
        'scaffold',
        '--role',
        'MINIPORT_INITIALIZE:MyInitialize',
        '--out',
        "Bob's drv",
        '--name',
        'nic',
      ]);
      expect(scaffolded.code, scaffolded.stderr).toBe(0);
      const command = /: (gcc .*)\n$/.exec(scaffolded.stdout)?.[1];
      expect(command, scaffolded.stdout).toMatch(/ 'Bob'\\''s drv'\/\*\.c$/);
      // The body a driver writes: memory, a spin lock, copies, a pool tag as the WDK spells it.
      const source = join(work, "Bob's drv/nic.c");
      writeFileSync(
        source,
        readFileSync(source, 'utf8').replace(
          '    UNREFERENCED_PARAMETER(MiniportInitParameters);\n',
          `    UNREFERENCED_PARAMETER(MiniportInitParameters);
    {
        static NDIS_SPIN_LOCK Lock;
        UCHAR from[8] = {0};
        PUCHAR block = (PUCHAR)NdisAllocateMemoryWithTagPriority(NdisMiniportHandle, sizeof(from), 'cinM', NormalPoolPriority);
        if (block == NULL) return NDIS_STATUS_RESOURCES;
        NdisAllocateSpinLock(&Lock);
        NdisAcquireSpinLock(&Lock);
        NdisMoveMemory(block, from, sizeof(from));
        NdisZeroMemory(from, sizeof(from));
        NdisReleaseSpinLock(&Lock);
        NdisFreeSpinLock(&Lock);
        NdisFreeMemory(block, 0, 0);
    }
`,
        ),
      );
      expect(readFileSync(source, 'utf8')).toContain('NdisMoveMemory(block, from, sizeof(from));');
      const gcc = spawnSync('sh', ['-c', command!], {
        cwd: work,
        encoding: 'utf8',
        env: { ...process.env, LC_ALL: 'C' },
      });
      expect(gcc.stderr).toBe('');
      expect(gcc.status).toBe(0);
    },
  );

  it.skipIf(!gccFound)(
    'a C scaffold with DRIVER_INITIALIZE:DriverEntry compiles, unedited, with the gcc command it prints',
    async () => {
      const roles = ['DRIVER_INITIALIZE:DriverEntry', 'MINIPORT_INITIALIZE:LwcInitializeEx', 'MINIPORT_HALT:LwcHaltEx'];
      const scaffolded = await ddikit([
        'scaffold',
        ...roles.flatMap((r) => ['--role', r]),
        '--out',
        'cdrv',
        '--lang',
        'c',
        '--name',
        'lwc',
      ]);
      expect(scaffolded.code, scaffolded.stderr).toBe(0);
      expect(scaffolded.stdout).not.toContain('Next:');
      expect(readFileSync(join(work, 'cdrv/lwc.c'), 'utf8')).toContain('return NdisMRegisterMiniportDriver(');
      const command = /: (gcc .*)\n$/.exec(scaffolded.stdout)?.[1];
      expect(command, scaffolded.stdout).toContain('-Werror');
      const gcc = spawnSync('sh', ['-c', command!], {
        cwd: work,
        encoding: 'utf8',
        env: { ...process.env, LC_ALL: 'C' },
      });
      expect(gcc.stderr).toBe('');
      expect(gcc.status).toBe(0);
    },
  );

  it('tells a C scaffold without DriverEntry to add --role DRIVER_INITIALIZE:DriverEntry', async () => {
    const halt = ['--role', 'MINIPORT_HALT:LwcHaltEx'];
    const without = await ddikit(['scaffold', '--role', 'MINIPORT_INITIALIZE:LwcInitializeEx', ...halt, '--out', 'a']);
    expect(without.code).toBe(0);
    expect(without.stdout).toContain(
      '\nNext: ddikit simulate starts a C driver at DriverEntry. Add --role DRIVER_INITIALIZE:DriverEntry to this command for one that registers the miniport with NDIS.\n',
    );
    const renamed = await ddikit(['scaffold', '--role', 'DRIVER_INITIALIZE:LwcEntry', ...halt, '--out', 'b']);
    expect(renamed.code).toBe(0);
    expect(renamed.stdout).toContain(
      '\nNext: the WDK and ddikit simulate start a driver at DriverEntry, not LwcEntry: name it so (--role DRIVER_INITIALIZE:DriverEntry).\n',
    );
    // TypeScript drivers start at defineMiniport: no DriverEntry to add.
    const ts = await ddikit(['scaffold', ...halt, '--out', 'c', '--lang', 'ts']);
    expect(ts.code).toBe(0);
    expect(ts.stdout).not.toContain('Next:');
  });

  it('rejects an unknown role with a suggestion and writes nothing', async () => {
    const result = await ddikit(['scaffold', '--role', 'MINIPORT_SYNCHRONISE_INTERRUPT:MySync', '--out', 'drv']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/MINIPORT_SYNCHRONISE_INTERRUPT.*Did you mean "MINIPORT_SYNCHRONIZE_INTERRUPT"\?/);
    expect(existsSync(join(work, 'drv'))).toBe(false);
  });
});

describe('the installed ddikit command', () => {
  const bin = join(bundled.root, 'generator/bin/ddikit.js');
  const built = existsSync(join(bundled.root, 'generator/dist/cli.js'));

  it.runIf(built)('exits with the documented codes as a process', () => {
    const ok = spawnSync(process.execPath, [bin, 'validate'], { cwd: bundled.root, encoding: 'utf8' });
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/^14 spec files are valid: /);
    const usage = spawnSync(process.execPath, [bin, 'nope'], { cwd: work, encoding: 'utf8' });
    expect(usage.status).toBe(2);
    mkdirSync(join(work, 'bad'));
    writeFileSync(join(work, 'bad/a.yaml'), '# yaml-language-server: $schema=x\nheader: ndis.h\nroles: 3\n');
    const findings = spawnSync(process.execPath, [bin, 'validate', '--spec', 'bad'], { cwd: work, encoding: 'utf8' });
    expect(findings.status).toBe(1);
    expect(findings.stderr).toBe(
      'bad/a.yaml:3:8 - error DDI1005: roles must be a list (got number 3). Write it as a YAML list.\n\nFound 1 error.\n',
    );
  });
});

describe('determinism', () => {
  it('gives the same bytes from another working directory, time zone, locale and with CRLF input', async () => {
    const spec = specCopy();
    await ddikit(['generate', '--spec', 'spec', '--out', 'a']);
    const crlf = join(work, 'crlf');
    cpSync(spec, crlf, { recursive: true });
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else writeFileSync(path, readFileSync(path, 'utf8').replace(/\n/g, '\r\n'));
      }
    };
    walk(crlf);
    const nested = join(work, 'deep/er');
    mkdirSync(nested, { recursive: true });
    const tz = process.env['TZ'];
    const lang = process.env['LANG'];
    process.env['TZ'] = 'Pacific/Chatham';
    process.env['LANG'] = 'tr_TR.UTF-8';
    try {
      // Diagnostics name files relative to the working directory, but generated files name them
      // relative to the spec folder's parent, so a run from elsewhere writes the same bytes.
      const other = await ddikit(['generate', '--spec', '../../spec', '--out', '../../b'], nested);
      expect(other.code).toBe(0);
    } finally {
      if (tz === undefined) delete process.env['TZ'];
      else process.env['TZ'] = tz;
      if (lang === undefined) delete process.env['LANG'];
      else process.env['LANG'] = lang;
    }
    expect(tree(join(work, 'b'))).toEqual(tree(join(work, 'a')));
    rmSync(join(work, 'spec'), { recursive: true });
    cpSync(crlf, join(work, 'spec'), { recursive: true });
    await ddikit(['generate', '--spec', 'spec', '--out', 'c']);
    expect(tree(join(work, 'c'))).toEqual(tree(join(work, 'a')));
  });
});
