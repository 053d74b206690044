/**
 * `ddikit init [DIR]`: sets up a driver project the way `create-*` tools do — a spec folder that
 * extends the bundled spec, a tsconfig, one example driver, and npm scripts that validate,
 * generate, simulate and explore. It never overwrites: when any file it would write is there
 * already (or a script of the same name differs), it names them and writes nothing.
 */
import { lstatSync, readFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { parseArgs } from 'node:util';
import { bundled } from '../../paths.js';
import type { OutputFile } from '../../render/output.js';
import { loadTemplates } from '../../render/templates.js';
import { displayPath } from '../../paths.js';
import { generatorVersion } from '../../version.js';
import { withOutputLock } from '../../write/output-lock.js';
import { applyWrite, planWrite } from '../../write/write.js';
import type { CliIo } from '../io.js';
import { UsageError } from '../arguments.js';
import { shellWord } from '../print.js';

export const initUsage = `  ddikit init [DIR]
      Set up a driver project in DIR (default: the working folder): spec/ extending the bundled
      spec, tsconfig.json, examples/e1000-line.ts (and its lib/), and npm scripts validate, generate, simulate
      and explore in package.json (created when missing). Nothing is overwritten.
`;

/** The example driver's place in the project; the scripts and the tsconfig name it. */
const driverFolder = 'examples';
const driverFile = `${driverFolder}/e1000-line.ts`;
/** What init copies from the bundled examples: the driver and the descriptor-ring helpers it imports. */
export const exampleFiles = ['e1000-line.ts', 'lib/e1000-rings.ts'] as const;

/** The npm scripts init adds, by name. */
const scripts: Readonly<Record<string, string>> = {
  validate: 'ddikit validate --spec spec --extend-bundled',
  generate: 'ddikit generate --spec spec --extend-bundled --out generated',
  simulate: `ddikit simulate ${driverFile}`,
  explore: `ddikit explore ${driverFile}`,
};

/** The packages a new package.json lists, at this generator's version. */
const packages = ['@ddikit/generator', '@ddikit/ndis', '@ddikit/sim'] as const;

export function runInit(args: readonly string[], io: CliIo): number {
  const { positionals } = parseArgs({ args: [...args], options: {}, strict: true, allowPositionals: true });
  if (positionals.length > 1)
    throw new UsageError(`init takes at most one folder (got ${positionals.length}: ${positionals.join(' ')}).`);
  const dir = resolve(io.cwd, positionals[0] ?? '.');
  if (exists(dir) && !lstatSync(dir).isDirectory())
    throw new UsageError(`${JSON.stringify(positionals[0])} is not a folder.`);
  const shown = displayPath(dir, io.cwd);
  const inside = (path: string): string => (shown === '.' ? path : `${shown}/${path}`);

  const manifest = readManifest(dir, shown);
  const slug = projectSlug(manifest.value?.name, dir);
  const files = [...projectFiles(dir, slug), manifest.file(slug)];
  const taken = files.filter((f) => f.path !== 'package.json' && exists(join(dir, f.path))).map((f) => f.path);
  if (taken.length > 0 || manifest.clashes.length > 0) {
    io.stderr(
      `ddikit init: error: ${shown === '.' ? 'this folder' : shown} already has what init would write; nothing was written.\n`,
    );
    for (const path of taken) io.stderr(`  exists  ${inside(path)}\n`);
    for (const name of manifest.clashes) io.stderr(`  script  "${name}" in ${inside('package.json')}\n`);
    io.stderr('Run init in an empty folder, or move these away first.\n');
    return 1;
  }
  withOutputLock(dir, () => applyWrite(planWrite(dir, files, [])));
  for (const file of files) io.stdout(`wrote  ${inside(file.path)}\n`);
  io.stdout(nextSteps(dir, shown, manifest.value));
  return 0;
}

/** A package.json as read. */
type ManifestValue = { name?: unknown; scripts?: Record<string, unknown> } & Record<string, unknown>;

/**
 * The folder's package.json (null when there is none), its scripts that init's would clash with,
 * and the package.json init writes.
 */
function readManifest(
  dir: string,
  shown: string,
): { value: ManifestValue | null; clashes: string[]; file: (slug: string) => OutputFile } {
  const path = join(dir, 'package.json');
  if (!exists(path)) {
    return {
      value: null,
      clashes: [],
      file: (slug) => ({ path: 'package.json', content: `${JSON.stringify(newManifest(slug), null, 2)}\n` }),
    };
  }
  let value: ManifestValue;
  try {
    value = JSON.parse(readFileSync(path, 'utf8')) as ManifestValue;
  } catch (error) {
    throw new UsageError(`${shown}/package.json is not JSON (${(error as Error).message}); fix it and run init again.`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new UsageError(`${shown}/package.json does not hold an object; fix it and run init again.`);
  if (
    'scripts' in value &&
    (value.scripts === null || typeof value.scripts !== 'object' || Array.isArray(value.scripts))
  )
    throw new UsageError(
      `${shown}/package.json has "scripts" that are not an object (${JSON.stringify(value.scripts)}); fix it and run init again.`,
    );
  const own = value.scripts ?? {};
  const clashes = Object.keys(scripts).filter((name) => name in own && own[name] !== scripts[name]);
  // Only the scripts are added; everything else of the file stays as it was, in its order.
  const merged = { ...value, scripts: { ...own, ...scripts } };
  return {
    value,
    clashes,
    file: () => ({ path: 'package.json', content: `${JSON.stringify(merged, null, 2)}\n` }),
  };
}

function newManifest(slug: string): object {
  const range = `^${generatorVersion()}`;
  return {
    name: slug,
    version: '0.1.0',
    private: true,
    scripts,
    devDependencies: Object.fromEntries([...packages.map((name) => [name, range]), ['typescript', '^5.9.0']]),
  };
}

/** The spec file, the tsconfig and the example driver. */
function projectFiles(dir: string, slug: string): OutputFile[] {
  const templates = loadTemplates(bundled.templatesDir);
  const schemaPath = relative(join(dir, 'spec'), bundled.schemaPath).split(sep).join('/');
  const formatPath = relative(dir, join(bundled.specDir, 'README.md')).split(sep).join('/');
  const constantPrefix = slug.toUpperCase().replace(/-/g, '_');
  return [
    {
      path: `spec/${slug}.yaml`,
      content: templates.get('init/spec.yaml')({
        schemaPath,
        formatPath,
        projectName: slug,
        headerName: `${slug.replace(/-/g, '_')}.h`,
        family: slug,
        tagName: `${constantPrefix}_POOL_TAG`,
      }),
    },
    { path: 'tsconfig.json', content: templates.get('init/tsconfig.json')({ driverFolder }) },
    ...exampleFiles.map((file) => ({
      path: `${driverFolder}/${file}`,
      content: readFileSync(join(bundled.examplesDir, file), 'utf8'),
    })),
  ];
}

/**
 * A name for spec entries and files: the package name (without scope) or the folder's name,
 * lowercased to letters, digits and dashes, starting with a letter; `my-driver` when nothing is left.
 */
export function projectSlug(packageName: unknown, dir: string): string {
  const source =
    typeof packageName === 'string' && packageName !== '' ? packageName.replace(/^@[^/]*\//, '') : basename(dir);
  const slug = source
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^[^a-z]+/, '')
    .replace(/-+$/, '')
    .slice(0, 40)
    .replace(/-+$/, '');
  return slug === '' ? 'my-driver' : slug;
}

/**
 * What is left to do, for the project as it is: `cd` when init wrote elsewhere; an install only of
 * what `dir` cannot resolve yet (the packages and typescript, which `npx tsc` needs) — `npm install`
 * when the package.json lists all of them, else `npm install --save-dev` of those it does not list;
 * then the scripts.
 */
function nextSteps(dir: string, shown: string, manifest: ManifestValue | null): string {
  const cd = shown === '.' ? '' : `  cd ${shellWord(shown)}\n`;
  const missing = [...packages, 'typescript'].filter((name) => !installed(dir, name));
  const listed = manifest === null ? null : listedPackages(manifest);
  const unlisted = listed === null ? [] : missing.filter((name) => !listed.has(name));
  const install =
    unlisted.length > 0
      ? `  npm install --save-dev ${unlisted.join(' ')}\n`
      : missing.length > 0
        ? '  npm install\n'
        : '';
  return `\nNext:\n${cd}${install}  npm run validate    check spec/ with the bundled spec
  npm run simulate    run ${driverFile} on the simulated e1000 NIC
  npm run explore     search its interleavings for a failing schedule
  npx tsc             type-check the driver
`;
}

/** The packages a package.json lists in any of its dependency fields. */
function listedPackages(manifest: ManifestValue): Set<string> {
  const names = new Set<string>();
  for (const field of ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies']) {
    const listed = manifest[field];
    if (listed !== null && typeof listed === 'object' && !Array.isArray(listed))
      for (const name of Object.keys(listed)) names.add(name);
  }
  return names;
}

/** Whether `name` is installed where Node resolves it from `dir`: node_modules of `dir` or of a folder above. */
function installed(dir: string, name: string): boolean {
  for (let at = dir; ; at = dirname(at)) {
    if (exists(join(at, 'node_modules', name, 'package.json'))) return true;
    if (dirname(at) === at) return false;
  }
}

function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}
