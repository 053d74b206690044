/**
 * Where the bundled spec, schema and templates live, and where outputs go by default.
 *
 * Every path is relative to the generator package itself (the folder of its package.json):
 * generator/src/ when run from source and generator/dist/ when built are both one level below it.
 * A packed generator carries spec/ and templates/ in the package (its prepack script copies them
 * in); in the source checkout the package is the `generator` workspace and they are its siblings,
 * the package's fixed neighbours — no folder is searched for.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, normalize, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The generator package's own folder. */
export function generatorPackageDir(): string {
  return dirname(generatorPackagePath());
}

/**
 * The generator's own package.json, found relative to this module: generator/src/ when run from
 * source, generator/dist/ when built (tsup bundles this module there), both one level below it.
 */
export function generatorPackagePath(): string {
  return fileURLToPath(new URL('../package.json', import.meta.url));
}

/** Whether the generator runs from a packed package (spec/ and templates/ inside it). */
export function isPackedGenerator(): boolean {
  return existsSync(join(generatorPackageDir(), 'templates'));
}

/**
 * The folder holding spec/ and templates/: the package itself when packed, else the checkout the
 * `generator` workspace sits in.
 */
export function projectRoot(): string {
  const packageDir = generatorPackageDir();
  return isPackedGenerator() ? packageDir : dirname(packageDir);
}

/** The file of a spec folder that holds the rule table. */
export const rulesFileName = 'rules.yaml';

export const bundled = {
  get root(): string {
    return projectRoot();
  },
  get specDir(): string {
    return join(projectRoot(), 'spec');
  },
  /** The harness's rule table: the rules.yaml of the bundled spec. */
  get rulesPath(): string {
    return join(projectRoot(), 'spec', rulesFileName);
  },
  get schemaPath(): string {
    return join(projectRoot(), 'spec', 'schema', 'ddi.schema.json');
  },
  get templatesDir(): string {
    return join(projectRoot(), 'templates');
  },
  /** The example driver `ddikit init` copies into a new project. */
  get exampleDriverPath(): string {
    return join(projectRoot(), 'examples', 'e1000-line.ts');
  },
  /** The examples folder: the example driver and the ring helpers it imports (lib/). */
  get examplesDir(): string {
    return join(projectRoot(), 'examples');
  },
  /** The @ddikit/ndis sources in the source checkout, which `generate` writes by default there. */
  get outDir(): string {
    return join(projectRoot(), 'packages', 'ndis');
  },
};

/**
 * The folder of the generated C header (ndis_roles.h): in the checkout packages/ndis/include, else
 * the include/ of the @ddikit/ndis that `cwd` resolves, or failing that the one the generator does.
 */
export function ndisIncludeDir(cwd: string): string {
  if (!isPackedGenerator()) return join(bundled.outDir, 'include');
  const header = '@ddikit/ndis/include/ndis_roles.h';
  for (const from of [join(cwd, 'package.json'), generatorPackagePath()]) {
    try {
      return dirname(createRequire(from).resolve(header));
    } catch {
      // not resolvable from there
    }
  }
  return join(cwd, 'node_modules', '@ddikit', 'ndis', 'include');
}

export function absolute(path: string, cwd: string): string {
  return resolve(cwd, path);
}

/** A path as ddikit prints it: relative to `cwd` ('.' for cwd itself), with forward slashes; an absolute path outside `cwd` as given. */
export function displayPath(path: string, cwd: string): string {
  const rel = relative(cwd, resolve(cwd, path));
  // An absolute path outside the working folder reads as given, not as a climb of ../ segments.
  if (isAbsolute(path) && (rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel))) return normalize(path);
  return (rel === '' ? '.' : rel).split(sep).join('/');
}
