/** Reads a spec folder: every .yaml/.yml file under it (recursively, except schema/), sorted by path. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative, resolve, sep } from 'node:path';
import { compareStrings } from '../diagnostics.js';
import type { SpecSource } from './load.js';

/** Files found, with paths relative to `cwd` (forward slashes) for messages and provenance. */
export function readSpecSources(specDir: string, cwd: string): SpecSource[] {
  const found: string[] = [];
  const walk = (dir: string, depth: number): void => {
    if (depth > 16) return;
    for (const name of readdirSync(dir).sort(compareStrings)) {
      if (name.startsWith('.') || name === 'node_modules') continue;
      const path = join(dir, name);
      const stat = statSync(path);
      if (stat.isDirectory()) {
        if (depth === 0 && name === 'schema') continue;
        walk(path, depth + 1);
      } else if (/\.ya?ml$/.test(name)) {
        found.push(path);
      }
    }
  };
  walk(specDir, 0);
  return found
    .map((path) => ({
      path: displayPath(path, cwd),
      origin: [basename(specDir), ...relative(specDir, path).split(sep)].join('/'),
      text: readFileSync(path, 'utf8'),
    }))
    .sort((a, b) => compareStrings(a.path, b.path));
}

export function displayPath(path: string, cwd: string): string {
  const rel = relative(cwd, resolve(cwd, path));
  return (rel === '' ? '.' : rel).split(sep).join('/');
}
