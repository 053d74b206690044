/**
 * Reads a spec folder: every .yaml/.yml file under it (recursively, except schema/), sorted by path,
 * by the rules of read-file.ts: regular files inside the folder only (no link is followed, no FIFO
 * or device opened, no folder loop walked), each at most 16 MiB, strict UTF-8. A path it does not
 * read becomes a source with a problem, which load reports as a located diagnostic.
 */
import * as fs from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { compareStrings } from '../diagnostics.js';
import { bundled, displayPath, rulesFileName } from '../paths.js';
import { loadLimits, type SpecSource } from './load.js';
import { nameProblem, readTextFile, walkFolder, type WalkLimits } from './read-file.js';

/** The bounds of reading one spec folder. */
export const specFolderLimits: WalkLimits = {
  fileBytesMax: loadLimits.fileBytesMax,
  folderBytesMax: 64 * 1024 * 1024,
  depthMax: 16,
  entriesMax: 100_000,
  fileNoun: 'a spec file',
};

/**
 * The spec files of a folder, and the bundled rule table (spec/rules.yaml) when the folder has no
 * rules.yaml of its own: the rules are the harness's, the same whichever spec it runs against.
 */
export function readSpecFolder(specDir: string, cwd: string, rulesPath: string = bundled.rulesPath): SpecSource[] {
  const sources = readSpecSources(specDir, cwd);
  if (sources.length === 0 || hasEntry(join(specDir, rulesFileName))) return sources;
  const shown = displayPath(rulesPath, cwd);
  const read = readTextFile(rulesPath, shown, specFolderLimits.fileBytesMax, specFolderLimits.fileNoun);
  const rules: SpecSource = {
    path: shown,
    origin: [basename(dirname(rulesPath)), basename(rulesPath)].join('/'),
    text: 'text' in read ? read.text : '',
    ...('problem' in read ? { problem: read.problem } : {}),
  };
  return [...sources, rules].sort((a, b) => compareStrings(a.path, b.path));
}

/** Whether anything (a file, a link, a folder) has the name; a link there is reported by the walk. */
function hasEntry(path: string): boolean {
  try {
    fs.lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Files found, with paths relative to `cwd` (forward slashes) for messages and provenance. */
export function readSpecSources(specDir: string, cwd: string): SpecSource[] {
  // The folder given may itself be reached through a link (the user's choice); below it, none is followed.
  const root = fs.realpathSync(resolve(cwd, specDir));
  // What is shown is the folder as the user named it.
  const shown = (path: string): string => displayPath(join(specDir, relative(root, path)), cwd);
  const origin = (relativePath: string): string => [basename(specDir), ...relativePath.split('/')].join('/');
  // The folder's own name starts the provenance of every generated file, so it is checked like the others.
  const badName = nameProblem(basename(specDir));
  if (badName !== null)
    return [{ path: displayPath(specDir, cwd), origin: basename(specDir), text: '', problem: badName }];
  const { files, others } = walkFolder(root, shown, (name) => /\.ya?ml$/.test(name), specFolderLimits, {
    skip: (relativePath) => relativePath === 'schema',
  });
  const sources: SpecSource[] = files.map((file) => ({
    path: shown(file.path),
    origin: origin(file.relative),
    text: file.text,
    ...(file.problem ? { problem: file.problem } : {}),
  }));
  for (const { path, relative: relativePath, problem } of others) {
    sources.push({ path: shown(path), origin: origin(relativePath), text: '', problem });
  }
  return sources.sort((a, b) => compareStrings(a.path, b.path));
}
