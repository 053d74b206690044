#!/usr/bin/env node
// What each package's dist/ was built from, so that `npm pack` and `npm publish` never ship a build
// older than the sources beside it.
//
//   node generator/scripts/built-from.mjs record DIR...   after `npm run build` (the root's build
//       script runs it): writes DIR/dist/.built-from.json, a hash of each file under DIR/src and of
//       DIR/tsup.config.ts
//   node ../../generator/scripts/built-from.mjs check      a package's prepack, in its folder: exits 1,
//       naming the files that changed, when dist/ was built from other sources (or not at all)
//
// The record stays out of the tarball (each package's "files" excludes it). The tests that run
// the builds import `changesSinceBuild` (test/built-harness.ts).
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const RECORD = join('dist', '.built-from.json');

/** Hashes of the files a package's build reads: src/ and its tsup config, by path relative to the package. */
function sources(packageDir) {
  const hashes = {};
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) hashes[relative(packageDir, path).split(sep).join('/')] = hash(path);
    }
  };
  walk(join(packageDir, 'src'));
  const config = join(packageDir, 'tsup.config.ts');
  if (existsSync(config)) hashes['tsup.config.ts'] = hash(config);
  return hashes;
}

function hash(path) {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/**
 * What changed in a package's sources since its dist/ was built, as `path (added|removed|changed)`
 * sorted by path: empty when the build is current, null when dist/ holds no record (not built by
 * `npm run build`).
 */
export function changesSinceBuild(packageDir) {
  if (!existsSync(join(packageDir, RECORD))) return null;
  const built = JSON.parse(readFileSync(join(packageDir, RECORD), 'utf8'));
  const now = sources(packageDir);
  const changed = [];
  for (const path of new Set([...Object.keys(built), ...Object.keys(now)]))
    if (built[path] !== now[path])
      changed.push(
        `${path} (${built[path] === undefined ? 'added' : now[path] === undefined ? 'removed' : 'changed'})`,
      );
  return changed.sort();
}

/** The changes as a short list: up to five, then how many more. */
export function listChanges(changed) {
  const more = changed.length > 5 ? ` and ${changed.length - 5} more` : '';
  return `${changed.slice(0, 5).join(', ')}${more}`;
}

function main(action, dirs) {
  if (action === 'record' && dirs.length > 0) {
    for (const dir of dirs) {
      if (!existsSync(join(dir, 'dist'))) {
        process.stderr.write(`built-from: ${dir}/dist is missing; the build did not write it.\n`);
        process.exit(1);
      }
      writeFileSync(join(dir, RECORD), `${JSON.stringify(sources(dir), null, 1)}\n`);
    }
  } else if (action === 'check' && dirs.length === 0) {
    const dir = process.cwd();
    const name = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).name;
    const rebuild = 'run "npm run build" at the repository root, then pack again.';
    const changed = changesSinceBuild(dir);
    if (changed === null) {
      process.stderr.write(`${name}: dist/ was not built by "npm run build" (no ${RECORD}); ${rebuild}\n`);
      process.exit(1);
    }
    if (changed.length > 0) {
      process.stderr.write(
        `${name}: dist/ is older than the sources beside it: ${listChanges(changed)} since the last build; ${rebuild}\n`,
      );
      process.exit(1);
    }
  } else {
    process.stderr.write('usage: built-from.mjs record DIR... | built-from.mjs check\n');
    process.exit(2);
  }
}

if (process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url))
  main(process.argv[2], process.argv.slice(3));
