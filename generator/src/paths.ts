/** Where the bundled spec, schema and templates live, and where outputs go by default. */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: the folder holding spec/ and templates/, found upward from this module. */
export function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    if (existsSync(join(dir, 'templates')) && existsSync(join(dir, 'spec', 'schema', 'ddi.schema.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new Error('ddikit: cannot find the folder holding spec/ and templates/ above the generator');
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
  get outDir(): string {
    return join(projectRoot(), 'packages', 'ndis');
  },
};

/**
 * The generator's own package.json, found relative to this module: generator/src/ when run from
 * source, generator/dist/ when built (tsup bundles this module there), both one level below it.
 */
export function generatorPackagePath(): string {
  return fileURLToPath(new URL('../package.json', import.meta.url));
}

export function absolute(path: string, cwd: string): string {
  return resolve(cwd, path);
}
