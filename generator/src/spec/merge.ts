/**
 * How imported entries sit under curated ones. A file marked `imported: true` holds entries written by
 * `ddikit import-docs`; an entry of a curated file with the same name, in the same section (or a
 * curated variant of that name, for roles), overrides it field by field: every property the curated
 * entry states wins, the others come from the imported entry. mergedEntries gives the model every
 * entry after the merge. Pure.
 */
import { fileStem } from '../names.js';
import type { LoadedFile } from './load.js';
import type { SpecFile, SpecFunction, SpecRole, SpecType } from './spec-types.js';

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

/**
 * `section:name` of every imported entry that a curated entry overrides, or that a curated file which
 * did not load may (`curatedElsewhere`, names of any section): until that file loads, which of the
 * two would win is not known, so the imported entry is no definition of its own either.
 */
export function overriddenImports(
  files: readonly LoadedFile[],
  curatedElsewhere: ReadonlySet<string> = new Set(),
): Set<string> {
  const curated = curatedKeys(files);
  const overridden = new Set<string>();
  for (const file of files) {
    if (!isImported(file)) continue;
    const spec = file.value as Partial<Record<Section, unknown>> | null;
    if (!spec || typeof spec !== 'object') continue;
    for (const section of sections) {
      for (const entry of entries(spec[section])) {
        // A name of another type is the schema's to report; it overrides nothing.
        if (typeof entry['name'] !== 'string') continue;
        const key = `${section}:${entry['name']}`;
        if (curated.has(key) || curatedElsewhere.has(entry['name'])) overridden.add(key);
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

/** A spec entry as the model reads it: curated over imported where both exist, with where it is. */
export interface RawEntry<T> {
  spec: T;
  file: LoadedFile;
  index: number;
  header: string;
  family: string;
  /** curated: from a curated file only; imported: from an imported file only; merged: both. */
  origin: 'curated' | 'imported' | 'merged';
}

/** The entries of every section after the merge: types by name, roles and functions in file order. */
export interface MergedEntries {
  types: Map<string, RawEntry<SpecType>>;
  roles: RawEntry<SpecRole>[];
  functions: RawEntry<SpecFunction>[];
}

/** The family of a file's entries: its `family`, else its file name. */
export function familyOf(file: LoadedFile): string {
  return (file.value as SpecFile).family ?? fileStem(file.origin.replace(/^.*\//, '').replace(/\.ya?ml$/, ''));
}

/**
 * The entries of the files (sorted by origin), curated over imported: a curated entry of the same
 * name takes an imported one over field by field (overlay), and an imported role named like a curated
 * variant is that variant; imported entries no curated one takes over follow.
 */
export function mergedEntries(sorted: readonly LoadedFile[]): MergedEntries {
  const entries: MergedEntries = { types: new Map(), roles: [], functions: [] };
  const imported: ImportedSections = {
    types: importedBySection<SpecType>(sorted, 'types'),
    roles: importedBySection<SpecRole>(sorted, 'roles'),
    functions: importedBySection<SpecFunction>(sorted, 'functions'),
  };
  // `section:name` of every imported entry a curated one took over.
  const taken = new Set<string>();
  for (const file of sorted) if (!isImported(file)) addCurated(entries, file, imported, taken);
  for (const file of sorted) if (isImported(file)) addImported(entries, file, taken);
  return entries;
}

interface ImportedSections {
  types: Map<string, ImportedSource<SpecType>>;
  roles: Map<string, ImportedSource<SpecRole>>;
  functions: Map<string, ImportedSource<SpecFunction>>;
}

function addCurated(into: MergedEntries, file: LoadedFile, imported: ImportedSections, taken: Set<string>): void {
  const spec = file.value as SpecFile;
  const family = familyOf(file);
  spec.types?.forEach((type, index) => {
    const under = imported.types.get(type.name);
    if (under !== undefined) taken.add(`types:${type.name}`);
    const merged = overlay(type, under?.spec);
    into.types.set(type.name, {
      spec: merged,
      file,
      index,
      header: merged.header ?? spec.header,
      family,
      origin: under ? 'merged' : 'curated',
    });
  });
  spec.roles?.forEach((role, index) => {
    const under = imported.roles.get(role.name);
    if (under !== undefined) taken.add(`roles:${role.name}`);
    for (const variant of role.variants ?? []) taken.add(`roles:${variant.name}`);
    const merged = overlay(role, under?.spec);
    into.roles.push({
      spec: merged,
      file,
      index,
      header: merged.header ?? spec.header,
      family,
      origin: under ? 'merged' : 'curated',
    });
  });
  spec.functions?.forEach((fn, index) => {
    const under = imported.functions.get(fn.name);
    if (under !== undefined) taken.add(`functions:${fn.name}`);
    const merged = overlay(fn, under?.spec);
    into.functions.push({
      spec: merged,
      file,
      index,
      header: merged.header ?? spec.header,
      family,
      origin: under ? 'merged' : 'curated',
    });
  });
}

function addImported(into: MergedEntries, file: LoadedFile, taken: ReadonlySet<string>): void {
  const spec = file.value as SpecFile;
  const family = familyOf(file);
  const fresh = (section: string, name: string): boolean => !taken.has(`${section}:${name}`);
  spec.types?.forEach((type, index) => {
    if (fresh('types', type.name))
      into.types.set(type.name, {
        spec: type,
        file,
        index,
        header: type.header ?? spec.header,
        family,
        origin: 'imported',
      });
  });
  spec.roles?.forEach((role, index) => {
    if (fresh('roles', role.name))
      into.roles.push({ spec: role, file, index, header: role.header ?? spec.header, family, origin: 'imported' });
  });
  spec.functions?.forEach((fn, index) => {
    if (fresh('functions', fn.name))
      into.functions.push({ spec: fn, file, index, header: fn.header ?? spec.header, family, origin: 'imported' });
  });
}
