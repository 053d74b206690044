/**
 * `ddikit init`: the project it sets up (a spec folder that validates with the bundled spec, a
 * tsconfig, the example driver, the npm scripts), and that it never overwrites anything.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { projectSlug } from '../../generator/src/cli/commands/init.js';
import { main, type CliIo } from '../../generator/src/cli/main.js';
import { bundled } from '../../generator/src/paths.js';
import { generatorVersion } from '../../generator/src/version.js';

const work = mkdtempSync(join(tmpdir(), 'ddikit-init-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function ddikit(args: string[], cwd = work): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { cwd, stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), color: false };
  const code = await main(args, io);
  return { code, stdout, stderr };
}

/** Every file under a folder with its text, for "nothing changed" checks. */
function snapshot(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) {
      const path = join(entry.parentPath, entry.name);
      files[path.slice(dir.length + 1)] = readFileSync(path, 'utf8');
    }
  }
  return files;
}

describe('ddikit init', () => {
  it('sets up a new folder: spec, tsconfig, example driver and a package.json with scripts', async () => {
    const result = await ddikit(['init', 'nic-driver']);
    expect(result.code, result.stderr).toBe(0);
    const dir = join(work, 'nic-driver');
    expect(Object.keys(snapshot(dir)).sort()).toEqual([
      'examples/e1000-line.ts',
      'examples/lib/e1000-rings.ts',
      'package.json',
      'spec/nic-driver.yaml',
      'tsconfig.json',
    ]);
    expect(result.stdout).toContain('wrote  nic-driver/spec/nic-driver.yaml\n');
    expect(result.stdout).toContain('  cd nic-driver\n  npm install\n');
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
      name: string;
      private: boolean;
      scripts: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    expect(manifest.name).toBe('nic-driver');
    expect(manifest.private).toBe(true);
    expect(manifest.scripts).toEqual({
      validate: 'ddikit validate --spec spec --extend-bundled',
      generate: 'ddikit generate --spec spec --extend-bundled --out generated',
      simulate: 'ddikit simulate examples/e1000-line.ts',
      explore: 'ddikit explore examples/e1000-line.ts',
    });
    expect(manifest.devDependencies['@ddikit/sim']).toBe(`^${generatorVersion()}`);
    expect(readFileSync(join(dir, 'examples/e1000-line.ts'), 'utf8')).toBe(
      readFileSync(bundled.exampleDriverPath, 'utf8'),
    );
    const spec = readFileSync(join(dir, 'spec/nic-driver.yaml'), 'utf8');
    expect(spec).toMatch(/^# yaml-language-server: \$schema=\S+ddi\.schema\.json\n/);
    expect(spec).toContain('name: NIC_DRIVER_POOL_TAG');
  });

  it('writes a spec folder that validates together with the bundled spec', async () => {
    const result = await ddikit(['validate', '--spec', 'spec', '--extend-bundled'], join(work, 'nic-driver'));
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^\d+ spec files are valid: .*, \d+ constants\.\n$/);
    // Alone, the folder names a type only the bundled spec defines.
    const alone = await ddikit(['validate', '--spec', 'spec'], join(work, 'nic-driver'));
    expect(alone.code).toBe(1);
    expect(alone.stderr).toMatch(/^spec\/nic-driver\.yaml:\d+:\d+ - error DDI\d+: .*"ULONG"/m);
  });

  it('refuses when a file it would write exists, and writes nothing', async () => {
    const dir = join(work, 'taken');
    mkdirSync(dir);
    writeFileSync(join(dir, 'tsconfig.json'), '{}\n');
    const before = snapshot(dir);
    const result = await ddikit(['init', 'taken']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'ddikit init: error: taken already has what init would write; nothing was written.\n  exists  taken/tsconfig.json\nRun init in an empty folder, or move these away first.\n',
    );
    expect(snapshot(dir)).toEqual(before);
  });

  it('adds its scripts to an existing package.json, keeping everything else', async () => {
    const dir = join(work, 'existing');
    mkdirSync(dir);
    writeFileSync(
      join(dir, 'package.json'),
      `${JSON.stringify({ name: '@acme/my-nic', version: '2.0.0', scripts: { test: 'vitest' }, dependencies: { x: '1' } }, null, 2)}\n`,
    );
    const result = await ddikit(['init'], dir);
    expect(result.code, result.stderr).toBe(0);
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(Object.keys(manifest)).toEqual(['name', 'version', 'scripts', 'dependencies']);
    expect(Object.keys(manifest['scripts'] as object)).toEqual(['test', 'validate', 'generate', 'simulate', 'explore']);
    expect(existsSync(join(dir, 'spec/my-nic.yaml'))).toBe(true);
    expect(result.stdout).toContain('npm install --save-dev @ddikit/generator @ddikit/ndis @ddikit/sim typescript');
  });

  describe('ends with the next steps for the project as it is', () => {
    const scriptLines = '  npm run validate    check spec/ with the bundled spec\n';
    /** A project folder with a package.json and these packages in its node_modules. */
    function project(name: string, manifest: object, installed: readonly string[]): string {
      const dir = join(work, name);
      mkdirSync(dir);
      writeFileSync(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
      for (const pkg of installed) {
        mkdirSync(join(dir, 'node_modules', pkg), { recursive: true });
        writeFileSync(join(dir, 'node_modules', pkg, 'package.json'), `${JSON.stringify({ name: pkg })}\n`);
      }
      return dir;
    }
    const all = ['@ddikit/generator', '@ddikit/ndis', '@ddikit/sim', 'typescript'];

    it.each([
      {
        given: 'every package installed',
        manifest: { name: 'a', dependencies: { '@ddikit/generator': '0.1.0' } },
        installed: all,
        want: `\nNext:\n${scriptLines}`,
      },
      {
        given: 'every package listed, none installed',
        manifest: { name: 'b', devDependencies: Object.fromEntries(all.map((p) => [p, '*'])) },
        installed: [],
        want: `\nNext:\n  npm install\n${scriptLines}`,
      },
      {
        given: 'the @ddikit packages installed, typescript neither installed nor listed',
        manifest: { name: 'c', dependencies: { '@ddikit/sim': '*' } },
        installed: all.slice(0, 3),
        want: `\nNext:\n  npm install --save-dev typescript\n${scriptLines}`,
      },
      {
        given: 'nothing installed or listed',
        manifest: { name: 'd' },
        installed: [],
        want: `\nNext:\n  npm install --save-dev ${all.join(' ')}\n${scriptLines}`,
      },
    ])('$given', async ({ manifest, installed, want }) => {
      const dir = project(`next-${manifest.name}`, manifest, installed);
      const result = await ddikit(['init'], dir);
      expect(result.code, result.stderr).toBe(0);
      const next = result.stdout.slice(result.stdout.indexOf('\nNext:'));
      expect(next.slice(0, want.length)).toBe(want);
    });

    it('installed in a folder above (a workspace): no install; a folder to cd into quoted for the shell', async () => {
      const root = project('next-workspace', { name: 'workspace', private: true }, all);
      const result = await ddikit(['init', "Bob's nic"], root);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain(`\nNext:\n  cd 'Bob'\\''s nic'\n${scriptLines}`);
    });
  });

  it('refuses a script of the same name that says something else', async () => {
    const dir = join(work, 'clash');
    mkdirSync(dir);
    writeFileSync(join(dir, 'package.json'), '{ "name": "clash", "scripts": { "simulate": "node sim.js" } }\n');
    const before = snapshot(dir);
    const result = await ddikit(['init'], dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('  script  "simulate" in package.json\n');
    expect(snapshot(dir)).toEqual(before);
  });

  it('reports a package.json that is not JSON as a usage error', async () => {
    const dir = join(work, 'broken');
    mkdirSync(dir);
    writeFileSync(join(dir, 'package.json'), '{ nope');
    const result = await ddikit(['init'], dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^ddikit: \.\/package\.json is not JSON \(/);
  });

  it('refuses "scripts" that are not an object, and writes nothing (they would be lost)', async () => {
    for (const [name, scripts] of [
      ['scripts-text', '"npm test"'],
      ['scripts-null', 'null'],
      ['scripts-list', '["build"]'],
    ]) {
      const dir = join(work, name!);
      mkdirSync(dir);
      writeFileSync(join(dir, 'package.json'), `{ "name": "x", "scripts": ${scripts} }\n`);
      const before = snapshot(dir);
      const result = await ddikit(['init'], dir);
      expect(result.code, scripts).toBe(2);
      expect(result.stderr.split('\n')[0]).toBe(
        `ddikit: ./package.json has "scripts" that are not an object (${JSON.stringify(JSON.parse(scripts!))}); fix it and run init again.`,
      );
      expect(snapshot(dir)).toEqual(before);
    }
  });

  const slugs: { given: [unknown, string]; want: string }[] = [
    { given: ['@acme/My_NIC.driver', '/x'], want: 'my-nic-driver' },
    { given: [undefined, '/tmp/2024 Driver!'], want: 'driver' },
    { given: ['', '/tmp/%%%'], want: 'my-driver' },
    { given: [42, '/tmp/e1000e'], want: 'e1000e' },
    { given: ['a'.repeat(80), '/x'], want: 'a'.repeat(40) },
    { given: ['x\n---\nevil: true', '/x'], want: 'x-evil-true' },
  ];
  it.each(slugs)('names the project $want for $given', ({ given, want }) => {
    expect(projectSlug(...given)).toBe(want);
  });
});
