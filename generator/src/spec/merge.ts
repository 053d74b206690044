/**
 * How imported entries sit under curated ones. A file marked `imported: true` holds entries written by
 * `ddikit import-docs`; an entry of a curated file with the same name, in the same section (or a
 * curated variant of that name, for roles), overrides it field by field: every property the curated
 * entry states wins, the others come from the imported entry. Pure.
 */
import type { LoadedFile } from './load.js';
import type { SpecFile } from './spec-types.js';

export type Section = 'types' | 'roles' | 'functions';

const sections: readonly Section[] = ['types', 'roles', 'functions'];

/** Whether a loaded file is marked `imported: true`. */
export function isImported(file: LoadedFile): boolean {
  const value = file.value as { imported?: unknown } | null;
  return value !== null && typeof value === 'object' && value.imported === true;
}

function entries(list: unknown): Record<string, unknown>[] {
  if (!Array.isArray(list)) return [];
  return list.filter((e): e is Record<string, unknown> => e !== null && typeof e === 'object' && !Array.isArray(e));
}

/** `section:name` of every entry that a curated file defines (with the variants of roles, as roles). */
export function curatedKeys(files: readonly LoadedFile[]): Set<string> {
  const keys = new Set<string>();
  for (const file of files) {
    if (isImported(file)) continue;
    const spec = file.value as Partial<Record<Section, unknown>> | null;
    if (!spec || typeof spec !== 'object') continue;
    for (const section of sections) {
      for (const entry of entries(spec[section])) {
        if (typeof entry['name'] === 'string') keys.add(`${section}:${entry['name']}`);
        if (section === 'roles') {
          for (const variant of entries(entry['variants'])) {
            if (typeof variant['name'] === 'string') keys.add(`roles:${variant['name']}`);
          }
        }
      }
    }
  }
  return keys;
}

/** `section:name` of every imported entry that a curated entry overrides. */
export function overriddenImports(files: readonly LoadedFile[]): Set<string> {
  const curated = curatedKeys(files);
  const overridden = new Set<string>();
  for (const file of files) {
    if (!isImported(file)) continue;
    const spec = file.value as Partial<Record<Section, unknown>> | null;
    if (!spec || typeof spec !== 'object') continue;
    for (const section of sections) {
      for (const entry of entries(spec[section])) {
        const key = `${section}:${String(entry['name'])}`;
        if (curated.has(key)) overridden.add(key);
      }
    }
  }
  return overridden;
}

/** An imported entry, where it is, and the header its file gives it. */
export interface ImportedSource<T> {
  spec: T;
  file: LoadedFile;
  index: number;
}

/** The imported entries of a section by name (the first of a name wins; validation reports repeats). */
export function importedBySection<T extends { name: string }>(
  files: readonly LoadedFile[],
  section: Section,
): Map<string, ImportedSource<T>> {
  const found = new Map<string, ImportedSource<T>>();
  for (const file of files) {
    if (!isImported(file)) continue;
    const list = (file.value as Partial<SpecFile>)[section] as T[] | undefined;
    list?.forEach((spec, index) => {
      if (!found.has(spec.name)) found.set(spec.name, { spec, file, index });
    });
  }
  return found;
}

/** A curated entry over an imported one: the curated entry's properties win, the imported ones fill in. */
export function overlay<T extends object>(curated: T, imported: T | undefined): T {
  if (imported === undefined) return curated;
  return { ...imported, ...curated };
}
