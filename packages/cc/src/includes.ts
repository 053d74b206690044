/**
 * The files a driver's sources include with `#include "…"`: clang runs over an in-memory tree, so
 * every header of the driver (and any `.c` it includes) must be put there. Found by following the
 * quoted includes from the sources, relative to the including file, as the preprocessor does;
 * `<…>` includes are the harness header's.
 */
import { posix } from 'node:path';
import type { SourceFile } from './flags.js';
import { type FileTree, putFile } from './toolchain.js';

const QUOTED_INCLUDE = /^[ \t]*#[ \t]*include[ \t]*"([^"\n]+)"/gm;

/** The names of the quoted includes of a C text, in order. */
export function quotedIncludes(text: string): string[] {
  return [...text.matchAll(QUOTED_INCLUDE)].map((m) => m[1]!);
}

/** Most files one driver may include (a bound on the walk). */
const INCLUDED_FILES_MAX = 1000;

/**
 * Where the toolchain's in-memory file system looks for `dir/../name`: it treats `..` as `.`, so a
 * file included through `..` must also be put where that lookup lands.
 */
function lookupPath(raw: string): string {
  return raw
    .split('/')
    .filter((part) => part !== '..' && part !== '.' && part !== '')
    .join('/');
}

/**
 * `sources` plus every file they include, transitively, read with `read` (a project-relative
 * `/`-separated path → its text, or null when there is none; clang then reports the missing file
 * itself). Included files are marked `include: true`: they are in the tree but not compiled alone.
 */
export function withIncludedFiles(sources: readonly SourceFile[], read: (path: string) => string | null): SourceFile[] {
  const out: SourceFile[] = [...sources];
  const index = new Map(sources.map((s, i) => [s.path, i]));
  // Each file as clang names it: a file included as "../x.c" from drv/bugs/a.c is drv/bugs/../x.c to
  // clang, and its own quoted includes are looked up from drv/bugs/.. (so drv/bugs/x.h in the tree).
  const queue: { at: number; seenAs: string }[] = sources.map((s, at) => ({ at, seenAs: s.path }));
  const walked = new Set(queue.map(({ at, seenAs }) => `${at}|${posix.dirname(seenAs)}`));
  for (let q = 0; q < queue.length; q++) {
    const { at: includer, seenAs } = queue[q]!;
    for (const name of quotedIncludes(out[includer]!.text)) {
      const raw = `${posix.dirname(seenAs)}/${name}`;
      const path = posix.normalize(raw);
      if (path.startsWith('../') || posix.isAbsolute(name)) continue;
      const alias = lookupPath(raw);
      let at = index.get(path);
      if (at === undefined) {
        const text = read(path);
        if (text === null) continue;
        if (out.length >= INCLUDED_FILES_MAX) throw new RangeError(`more than ${INCLUDED_FILES_MAX} included files`);
        at = out.push({ path, text, include: true }) - 1;
        index.set(path, at);
      }
      const found = out[at]!;
      if (alias !== path && !(found.aliases ?? []).includes(alias))
        out[at] = { ...found, aliases: [...(found.aliases ?? []), alias] };
      const key = `${at}|${posix.dirname(raw)}`;
      if (!walked.has(key)) {
        if (walked.size >= INCLUDED_FILES_MAX * 4)
          throw new RangeError(`more than ${INCLUDED_FILES_MAX * 4} ways of including the driver's files`);
        walked.add(key);
        queue.push({ at, seenAs: raw });
      }
    }
  }
  return out;
}

/** Puts the files into a tool's tree: each at its path and at its lookup aliases. */
export function putSources(tree: FileTree, files: readonly SourceFile[]): void {
  for (const file of files) {
    putFile(tree, file.path, file.text);
    for (const alias of file.aliases ?? []) putFile(tree, alias, file.text);
  }
}
