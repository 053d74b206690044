/**
 * What of the loaded files passed the JSON Schema, entry by entry, so the semantic checks run over
 * every entry whose own shape is sound while a schema error elsewhere in the same file is being
 * fixed: one run reports both kinds. An entry (types[3], roles[0] with its variants, rules[2]) with a
 * schema error anywhere inside it is skipped, as is a section that is not a list and a file that is
 * not a mapping, so the checks never read a value of the wrong shape (no follow-on errors, no crash).
 *
 * Other errors at the top level of a file (a missing header, an unknown top-level key, a wrong header
 * or family) skip nothing: the semantic checks read only the entry sections and the `imported` mark.
 * A wrong `imported` mark skips the whole file: which of the schema's requirements (curated or
 * imported) its entries were held to is then not the one the checks would assume.
 */
import type { LoadedFile } from './load.js';
import type { Path } from './report.js';

/** The top-level properties that hold entries, each a list. */
const entrySections: ReadonlySet<string> = new Set(['types', 'constants', 'roles', 'functions', 'rules']);

/** What failed the schema in one file: the whole file, or these sections and entries (`roles`, `roles:3`). */
type Failed = 'file' | Set<string>;

export class SchemaPassed {
  private readonly failed = new Map<LoadedFile, Failed>();

  /** Every loaded file, each with the instance paths of its schema errors (none when it passed). */
  constructor(found: ReadonlyMap<LoadedFile, readonly Path[]>) {
    for (const [file, paths] of found) {
      if (paths.length > 0) this.failed.set(file, failedScope(file, paths));
    }
    this.files = [...found.keys()].filter((file) => this.failed.get(file) !== 'file');
  }

  /** The files whose entries are checked at all: those that are a mapping, in the order given. */
  readonly files: readonly LoadedFile[];

  /** Whether the file passed the schema whole. */
  whole(file: LoadedFile): boolean {
    return !this.failed.has(file);
  }

  /**
   * Whether the entry a path lies in (its first two parts: section and index) passed the schema,
   * so its values have the shapes spec-types.ts gives them.
   */
  entry(file: LoadedFile, path: Path): boolean {
    const failed = this.failed.get(file);
    if (failed === undefined) return true;
    if (failed === 'file') return false;
    const [section, index] = path;
    return !failed.has(String(section)) && !failed.has(`${String(section)}:${String(index)}`);
  }
}

function failedScope(file: LoadedFile, paths: readonly Path[]): Failed {
  const value = file.value;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'file';
  const failed = new Set<string>();
  for (const [section, index] of paths) {
    if (section === 'imported') return 'file';
    if (section === undefined || !entrySections.has(String(section))) continue;
    failed.add(typeof index === 'number' ? `${section}:${index}` : String(section));
  }
  return failed;
}
