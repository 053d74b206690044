/**
 * The packages as a new user gets them: every workspace packed with `npm pack`, the tarballs
 * installed into a project in a temporary folder outside the repository, and every command run
 * from node_modules/.bin there — init, validate, generate, scaffold (then gcc and tsc on the
 * scaffolds), coverage, simulate, explore — plus require() of each package and tsc of a consumer
 * under module nodenext (ESM and CommonJS), bundler and CommonJS.
 *
 * The packages are packed by ./pack.ts. The install is offline when npm's cache holds the third-party dependencies, and asks
 * the registry only for what the cache lacks.
 */
import { execFile, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cPackageDirs, packAll, packageDirs, repositoryRoot } from './pack.js';

const root = repositoryRoot;
const generatorVersion = (JSON.parse(readFileSync(join(root, 'generator/package.json'), 'utf8')) as { version: string })
  .version;
const typescriptVersion = (
  JSON.parse(readFileSync(join(root, 'node_modules/typescript/package.json'), 'utf8')) as { version: string }
).version;
const gccFound = spawnSync('gcc', ['--version'], { encoding: 'utf8' }).status === 0;

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

let work = '';
let project = '';

function run(command: string, args: readonly string[], cwd = project, env: NodeJS.ProcessEnv = {}): Ran {
  const result: SpawnSyncReturns<string> = spawnSync(command, args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined, ...env },
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function ddikit(...args: string[]): Ran {
  return run(join(project, 'node_modules/.bin/ddikit'), args);
}

/** Fails with the command's output, so a broken step says why. */
function ok(ran: Ran, what: string): Ran {
  if (ran.code !== 0) throw new Error(`${what} exited ${ran.code}\n${ran.stdout}\n${ran.stderr}`);
  return ran;
}

function install(tarballs: readonly string[]): void {
  const args = [
    'install',
    '--no-audit',
    '--no-fund',
    '--loglevel=error',
    ...tarballs,
    `typescript@${typescriptVersion}`,
  ];
  const offline = run('npm', [...args, '--offline']);
  if (offline.code === 0) return;
  if (!/ENOTCACHED/.test(offline.stderr)) throw new Error(`npm install failed:\n${offline.stderr}`);
  ok(run('npm', [...args, '--prefer-offline']), 'npm install --prefer-offline');
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'ddikit-e2e-'));
  // The C packages are optional peers of the generator: the project installs without them.
  const { tarballOf } = packAll(work);
  const tarballs = packageDirs.filter((dir) => !cPackageDirs.includes(dir)).map((dir) => tarballOf[dir]);
  project = join(work, 'my-nic');
  mkdirSync(project);
  writeFileSync(
    join(project, 'package.json'),
    `${JSON.stringify({ name: 'my-nic', version: '1.0.0', private: true }, null, 2)}\n`,
  );
  install(tarballs);
}, 240_000);

afterAll(() => {
  if (work !== '') rmSync(work, { recursive: true, force: true });
});

describe('a project with the packed packages installed', { timeout: 120_000 }, () => {
  it('ships the generator with its spec, templates and problem matchers, and no checkout around it', () => {
    const generator = join(project, 'node_modules/@ddikit/generator');
    for (const path of [
      'spec/rules.yaml',
      'spec/schema/ddi.schema.json',
      'templates/init/spec.yaml.hbs',
      'LICENSE',
      'README.md',
    ])
      expect(existsSync(join(generator, path)), path).toBe(true);
    expect(ddikit('--version').stdout).toBe(`${generatorVersion}\n`);
  });

  it('init sets up the project, and refuses a second time without writing', () => {
    const first = ok(ddikit('init'), 'ddikit init');
    expect(first.stdout).toContain('wrote  spec/my-nic.yaml');
    // The packages and typescript are installed already: nothing to install.
    expect(first.stdout).toContain('\nNext:\n  npm run validate ');
    expect(first.stdout).not.toContain('npm install');
    const manifest = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
      scripts: Record<string, string>;
    };
    expect(Object.keys(manifest.dependencies)).toContain('@ddikit/ndis');
    expect(manifest.scripts['simulate']).toBe('ddikit simulate examples/e1000-line.ts');
    const again = ddikit('init');
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('exists  tsconfig.json');
  });

  it('validates and generates from the spec folder that extends the bundled spec', () => {
    expect(ok(run('npm', ['run', '--silent', 'validate']), 'npm run validate').stdout).toMatch(
      /^\d+ spec files are valid: \d+ roles/,
    );
    ok(run('npm', ['run', '--silent', 'generate']), 'npm run generate');
    const header = readFileSync(join(project, 'generated/include/ndis_roles.h'), 'utf8');
    expect(header).toContain('MY_NIC_POOL_TAG');
    expect(ddikit('generate', '--spec', 'spec', '--extend-bundled', '--out', 'generated', '--check').code).toBe(0);
    const noOut = ddikit('generate');
    expect(noOut.code).toBe(2);
    expect(noOut.stderr).toContain('--out DIR is required');
  });

  it("uses a role its own spec adds: the generated declarations compile beside @ddikit/ndis's, and scaffolds take them", () => {
    // A role and the DDI that runs it, added to the project's spec (with the schema line init wrote).
    const schemaLine = readFileSync(join(project, 'spec/my-nic.yaml'), 'utf8').split('\n')[0];
    writeFileSync(
      join(project, 'spec/refill.yaml'),
      `${schemaLine}
header: my_nic_refill.h
family: refill
roles:
  - name: MY_NIC_RING_REFILL
    function: MyNicRingRefill
    pointer: MY_NIC_RING_REFILL_HANDLER
    since: NDIS 6.0
    params:
      - { name: RefillContext, type: NDIS_HANDLE, dir: in }
      - { name: QueueIndex, type: ULONG, dir: in }
    returns: { type: BOOLEAN }
    irql: { runsAt: DISPATCH_LEVEL, same: true }
    mayCall: contract
    invokedBy: [MyNicRefillRing]
    description: Refills one receive ring.
functions:
  - name: MyNicRefillRing
    since: NDIS 6.0
    params:
      - { name: AdapterHandle, type: NDIS_HANDLE, dir: in }
      - { name: RefillFunction, type: MY_NIC_RING_REFILL_HANDLER, dir: in }
      - { name: QueueIndex, type: ULONG, dir: in }
    returns: { type: BOOLEAN }
    irql: { max: DISPATCH_LEVEL }
    description: Calls RefillFunction for one queue.
`,
    );
    ok(run('npm', ['run', '--silent', 'generate']), 'npm run generate');
    // Without the generated folder, a scaffold of the new role would import what @ddikit/ndis lacks.
    const refused = ddikit(
      'scaffold',
      '--role',
      'MY_NIC_RING_REFILL:MyRefill',
      '--out',
      'own',
      '--lang',
      'ts',
      '--spec',
      'spec',
      '--extend-bundled',
    );
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('the scaffold uses MY_NIC_RING_REFILL, MyNicRefillRing, which your spec adds');
    expect(existsSync(join(project, 'own'))).toBe(false);
    // A C scaffold is the same text whatever header it compiles against: written, with the header to use.
    const cOnly = ok(
      ddikit(
        'scaffold',
        '--role',
        'MY_NIC_RING_REFILL:MyRefill',
        '--out',
        'own-c0',
        '--lang',
        'c',
        '--spec',
        'spec',
        '--extend-bundled',
      ),
      'scaffold --lang c without --generated',
    );
    expect(cOnly.stdout).toContain('which your spec adds: compile it against the header generate writes');
    const generated = ['--spec', 'spec', '--extend-bundled', '--generated', 'generated'];
    ok(
      ddikit('scaffold', '--role', 'MY_NIC_RING_REFILL:MyRefill', '--out', 'own', '--lang', 'ts', ...generated),
      'scaffold --lang ts',
    );
    expect(readFileSync(join(project, 'own/myrefill.ts'), 'utf8')).toContain(
      "import { MY_NIC_RING_REFILL } from '../generated/src/generated/index.js';",
    );
    // The generated declarations' role types are @ddikit/ndis's: one brand, either handler type takes either declarator.
    writeFileSync(
      join(project, 'own/mix.ts'),
      `import { MINIPORT_ISR, type MINIPORT_ISR_HANDLER } from '@ddikit/ndis';
import { MINIPORT_ISR as OWN_ISR, type MINIPORT_ISR_HANDLER as OWN_HANDLER } from '../generated/src/generated/index.js';
import { MyRefill } from './myrefill.js';

export const a: MINIPORT_ISR_HANDLER = OWN_ISR('OwnIsr', () => false);
export const b: OWN_HANDLER = MINIPORT_ISR('PackageIsr', () => false);
// @ts-expect-error a refill function is no ISR
export const c: MINIPORT_ISR_HANDLER = MyRefill;
`,
    );
    writeFileSync(
      join(project, 'tsconfig.own.json'),
      JSON.stringify({ extends: './tsconfig.json', include: ['own', 'generated'] }),
    );
    ok(run(join(project, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.own.json']), 'tsc -p tsconfig.own.json');
    if (gccFound) {
      const c = ok(
        ddikit('scaffold', '--role', 'MY_NIC_RING_REFILL:MyRefill', '--out', 'own-c', '--lang', 'c', ...generated),
        'scaffold --lang c',
      );
      expect(/-I(\S+)/.exec(c.stdout)?.[1]).toBe('generated/include');
      ok(
        run('gcc', [
          '-std=c11',
          '-fsyntax-only',
          '-Wall',
          '-Wextra',
          '-Werror',
          '-Igenerated/include',
          'own-c/myrefill.c',
        ]),
        'gcc',
      );
    }
    rmSync(join(project, 'spec/refill.yaml'));
    ok(run('npm', ['run', '--silent', 'generate']), 'npm run generate');
  });

  it.skipIf(!gccFound)('scaffolds a C driver that compiles against the installed header', () => {
    const scaffold = ok(
      ddikit('scaffold', '--role', 'MINIPORT_SYNCHRONIZE_INTERRUPT:MySynchronize', '--out', 'c', '--lang', 'c'),
      'ddikit scaffold --lang c',
    );
    const include = /-I(\S+)/.exec(scaffold.stdout)?.[1];
    expect(include).toBe('node_modules/@ddikit/ndis/include');
    ok(
      run('gcc', ['-std=c11', '-fsyntax-only', '-Wall', '-Wextra', '-Werror', `-I${include}`, 'c/mysynchronize.c']),
      'gcc',
    );
    // Filled in with DDI calls, it compiles with the command scaffold printed: the installed harness ndis.h declares them.
    const command = /: (gcc .*)\n$/.exec(scaffold.stdout)?.[1];
    expect(command).toContain('-include node_modules/@ddikit/ndis/include/harness/ndis.h');
    const source = join(project, 'c/mysynchronize.c');
    writeFileSync(
      source,
      readFileSync(source, 'utf8').replace(
        '    UNREFERENCED_PARAMETER(SynchronizeContext);\n',
        '    UCHAR copy[4];\n    NdisMoveMemory(copy, SynchronizeContext, sizeof(copy));\n    NdisStallExecution(copy[0]);\n',
      ),
    );
    expect(readFileSync(source, 'utf8')).toContain('NdisMoveMemory(');
    ok(run('sh', ['-c', command!]), command!);
  });

  it('scaffolds a TypeScript driver, and tsc accepts it and the example driver', () => {
    ok(
      ddikit('scaffold', '--role', 'MINIPORT_ISR:MyIsr', '--out', 'examples', '--lang', 'ts'),
      'ddikit scaffold --lang ts',
    );
    ok(run(join(project, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.json']), 'tsc -p tsconfig.json');
  });

  it('reports coverage of the bundled spec', () => {
    expect(ok(ddikit('coverage'), 'ddikit coverage').stdout).toMatch(/\| entries +\| +\d+ \|/);
  });

  it('simulates and explores the .ts example driver in a CommonJS project', () => {
    expect(ok(run('npm', ['run', '--silent', 'simulate']), 'npm run simulate').stdout).toContain('No violations.');
    expect(ok(ddikit('explore', 'examples/e1000-line.ts', '--budget', '50'), 'ddikit explore').stdout).toContain(
      'No schedule failed',
    );
  });

  it('finds a broken driver in a CommonJS project, across the two module formats of the harness', () => {
    const source = readFileSync(join(project, 'examples/e1000-line.ts'), 'utf8');
    // The ISR claims an interrupt it did not take from the NIC: a lost interrupt, INT-LOST.
    const broken = source.replace('if (causes === 0) return false; // not ours', 'if (causes === 0) return true;');
    expect(broken).not.toBe(source);
    writeFileSync(join(project, 'examples/broken.ts'), broken);
    const ran = ddikit('simulate', 'examples/broken.ts', '--mode', 'collect', '--json');
    expect(ran.code, ran.stderr).toBe(1);
    const rules = (JSON.parse(ran.stdout) as { runs: { reports: { rule: string }[] }[] }).runs.flatMap((r) =>
      r.reports.map((report) => report.rule),
    );
    expect(rules.length).toBeGreaterThan(0);
  });

  it('names where the DPC that left the NIC masked is defined (INT-LOST), from the installed harness', () => {
    const source = readFileSync(join(project, 'examples/e1000-line.ts'), 'utf8');
    const unmask = '    ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, 0, EnableInterrupts, a);\n  });';
    expect(source).toContain(unmask);
    writeFileSync(join(project, 'examples/lost.ts'), source.replace(unmask, '  });'));
    const ran = ddikit('simulate', 'examples/lost.ts', '--json');
    expect(ran.code, ran.stderr).toBe(1);
    const reports = (JSON.parse(ran.stdout) as { runs: { reports: { rule: string; defined?: object }[] }[] }).runs[0]!
      .reports;
    const line = source.split('\n').findIndex((l) => l.includes("MINIPORT_INTERRUPT_DPC('E1000InterruptDpc', (")) + 1;
    expect(reports.map((r) => r.rule)).toEqual(['INT-LOST']);
    expect(reports[0]!.defined).toMatchObject({ function: 'E1000InterruptDpc', file: 'examples/lost.ts', line });
  });

  it('installs the generator without the C packages, and says which to install for a C driver', () => {
    expect(existsSync(join(project, 'node_modules/@ddikit/cc'))).toBe(false);
    expect(existsSync(join(project, 'node_modules/@ddikit/sim-c'))).toBe(false);
    mkdirSync(join(project, 'c'), { recursive: true });
    writeFileSync(join(project, 'c/contoso.c'), '#include <ndis.h>\n');
    for (const command of ['simulate', 'explore', 'check']) {
      const ran = ddikit(command, 'c/contoso.c');
      expect(ran.code, command).toBe(2);
      expect(ran.stdout, command).toBe('');
      expect(ran.stderr.split('\n')[0], command).toBe(
        'ddikit: a C driver needs @ddikit/cc (the C compiler) and @ddikit/sim-c (the C runtime), which are not installed; install them with npm install --save-dev @ddikit/cc @ddikit/sim-c',
      );
    }
  });

  it('require() loads every package', () => {
    const script = `
      const ndis = require('@ddikit/ndis');
      const sim = require('@ddikit/sim');
      const generator = require('@ddikit/generator');
      console.log(typeof ndis.MINIPORT_SYNCHRONIZE_INTERRUPT, typeof sim.defineMiniport, typeof generator.check);`;
    expect(ok(run('node', ['-e', script]), 'node -e require').stdout).toBe('function function function\n');
  });

  it('require() and import give the one copy of @ddikit/ndis, with no warning', () => {
    // index.cjs hands over the ESM build (require(esm)): the metadata table is loaded once.
    const script = `
      const fromRequire = require('@ddikit/ndis');
      import('@ddikit/ndis').then((fromImport) => {
        console.log(fromRequire.metadata === fromImport.metadata, fromRequire.MINIPORT_ISR === fromImport.MINIPORT_ISR);
      });`;
    const ran = ok(run('node', ['-e', script]), 'node -e require and import');
    expect(ran.stdout).toBe('true true\n');
    expect(ran.stderr).toBe('');
  });

  // The generator's own types (its library API) name node: modules, so they are checked by
  // publint and attw (test/packages.test.ts) rather than here without @types/node.
  it('type-checks a driver consumer under module nodenext (ESM and CommonJS), bundler and CommonJS', async () => {
    const consumer = `import { MINIPORT_SYNCHRONIZE_INTERRUPT, type NDIS_HANDLE } from '@ddikit/ndis';
import { defineMiniport, type MiniportDefinition } from '@ddikit/sim';

export const sync = MINIPORT_SYNCHRONIZE_INTERRUPT('Sync', (context: NDIS_HANDLE) => context !== null);
export const define: (...args: Parameters<typeof defineMiniport>) => MiniportDefinition = defineMiniport;
`;
    // Every declaration file is checked once, under tsc's default skipLibCheck: false (the CommonJS
    // entries re-export the same declarations); the other resolutions check what the consumer sees.
    const cases = [
      {
        name: 'nodenext-esm',
        type: 'module',
        options: { module: 'nodenext', moduleResolution: 'nodenext', skipLibCheck: false },
      },
      {
        name: 'nodenext-cjs',
        type: 'commonjs',
        options: { module: 'nodenext', moduleResolution: 'nodenext', skipLibCheck: true },
      },
      {
        name: 'bundler',
        type: 'module',
        options: { module: 'preserve', moduleResolution: 'bundler', skipLibCheck: true },
      },
      {
        name: 'commonjs',
        type: 'commonjs',
        options: { module: 'commonjs', moduleResolution: 'node10', skipLibCheck: true },
      },
    ];
    const tsc = join(project, 'node_modules/.bin/tsc');
    const results = await Promise.all(
      cases.map(async ({ name, type, options }) => {
        const dir = join(project, 'consumers', name);
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, 'package.json'), JSON.stringify({ type }));
        writeFileSync(join(dir, 'consumer.ts'), consumer);
        const compilerOptions = { ...options, target: 'ES2022', strict: true, outDir: 'out', types: [] };
        writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['consumer.ts'] }));
        try {
          await promisify(execFile)(tsc, ['-p', 'tsconfig.json'], { cwd: dir });
          return { name, errors: '' };
        } catch (error) {
          return { name, errors: `${(error as { stdout?: string }).stdout ?? String(error)}` };
        }
      }),
    );
    expect(results).toEqual(cases.map(({ name }) => ({ name, errors: '' })));
    // The emitted CommonJS runs: require() of the packages from compiled code.
    for (const name of ['nodenext-cjs', 'commonjs'])
      ok(run('node', ['-e', `require('./out/consumer.js')`], join(project, 'consumers', name)), `node ${name}`);
    ok(run('node', ['out/consumer.js'], join(project, 'consumers', 'nodenext-esm')), 'node nodenext-esm');
  }, 120_000);
});
