/** Reads a spec folder: every .yaml/.yml file under it (recursively, except schema/), sorted by path. */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { compareStrings } from '../diagnostics.js';
import { bundled, rulesFileName } from '../paths.js';
import type { SpecSource } from './load.js';

/**
 * The spec files of a folder, and the bundled rule table (spec/rules.yaml) when the folder has no
 * rules.yaml of its own: the rules are the harness's, the same whichever spec it runs against.
 */
export function readSpecFolder(specDir: string, cwd: string, rulesPath: string = bundled.rulesPath): SpecSource[] {
  const sources = readSpecSources(specDir, cwd);
  if (sources.length === 0 || existsSync(join(specDir, rulesFileName))) return sources;
  const rules: SpecSource = {
    path: displayPath(rulesPath, cwd),
    origin: [basename(dirname(rulesPath)), basename(rulesPath)].join('/'),
    text: readFileSync(rulesPath, 'utf8'),
  };
  return [...sources, rules].sort((a, b) => compareStrings(a.path, b.path));
}

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
