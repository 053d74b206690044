/**
 * Pass 1 of the semantic checks: every name the spec defines, from every file that has a
 * recognizable entry (so an entry with a schema error does not cause spurious "unknown type" errors
 * elsewhere). Two definitions of one name are DDI2001 at the second, when it passed the schema.
 */
import { quote } from '../diagnostics.js';
import { positionOf, type LoadedFile, type UnparsedFile } from './load.js';
import { isImported, overriddenImports } from './merge.js';
import type { Path, Report } from './report.js';
import type { SchemaPassed } from './schema-passed.js';
import type { SpecFile } from './spec-types.js';

export interface Definition {
  kind: 'type' | 'role' | 'variant' | 'role pointer' | 'function' | 'constant';
  /** From a file marked imported. */
  imported?: boolean;
  /** For types: the type kind. */
  typeKind?: string;
  file: LoadedFile;
  path: Path;
}

/** Where a definition is, as `file:line:col` of its name (of a role pointer: its `pointer` property). */
export function where(definition: Definition): string {
  const { line, col } = positionOf(definition.file, definitionPath(definition));
  return `${definition.file.path}:${line}:${col}`;
}

export function collectDefinitions(
  all: readonly LoadedFile[],
  passed: SchemaPassed,
  report: Report,
  unparsed: readonly UnparsedFile[] = [],
): Map<string, Definition> {
  const definitions = new Map<string, Definition>();
  const define = (name: unknown, definition: Definition): void => {
    if (typeof name !== 'string') return;
    const existing = definitions.get(name);
    if (existing) {
      if (passed.entry(definition.file, definition.path)) {
        report(
          definition.file,
          definitionPath(definition),
          'DDI2001',
          `${quote(name)} is already defined as a ${existing.kind} at ${where(existing)}. Rename one of them or remove the repeat.`,
        );
      }
      return;
    }
    definitions.set(name, definition);
  };
  // An imported entry that a curated entry of the same section (or a curated variant) overrides is no
  // definition of its own: the curated one wins field by field, so the two are no duplicate.
  // A curated file that did not load may override any imported entry whose name its text gives.
  const curatedElsewhere = new Set(unparsed.filter((file) => !file.imported).flatMap((file) => [...file.mayDefine]));
  const overridden = overriddenImports(all, curatedElsewhere);
  for (const file of all) {
    const spec = file.value as Partial<SpecFile> | null;
    if (!spec || typeof spec !== 'object') continue;
    const imported = isImported(file);
    const skip = (section: string, name: unknown): boolean =>
      imported && typeof name === 'string' && overridden.has(`${section}:${name}`);
    forEachEntry(spec.types, (entry, i) => {
      if (skip('types', entry.name)) return;
      define(entry.name, {
        kind: 'type',
        typeKind: typeof entry.kind === 'string' ? entry.kind : '',
        file,
        path: ['types', i],
        imported,
      });
    });
    forEachEntry(spec.roles, (entry, i) => {
      if (skip('roles', entry.name)) return;
      define(entry.name, { kind: 'role', file, path: ['roles', i], imported });
      if (entry.pointer !== undefined) define(entry.pointer, { kind: 'role pointer', file, path: ['roles', i] });
      forEachEntry(entry.variants, (variant, j) => {
        define(variant.name, { kind: 'variant', file, path: ['roles', i, 'variants', j] });
        define(variant.pointer, { kind: 'role pointer', file, path: ['roles', i, 'variants', j] });
      });
    });
    forEachEntry(spec.functions, (entry, i) => {
      if (skip('functions', entry.name)) return;
      define(entry.name, { kind: 'function', file, path: ['functions', i], imported });
    });
    forEachEntry(spec.constants, (entry, i) => define(entry.name, { kind: 'constant', file, path: ['constants', i] }));
  }
  return definitions;
}

/**
 * Whether every name the spec means to define is known: not when an entry that failed the schema
 * has no name of the right type (for a curated role also its pointer typedef, for a variant both, for
 * a rule its id), or a file or a section of one is not the mapping or list it should be. A name that
 * no entry defines may then be the one that is missing, so the checks do not call it unknown: the
 * schema error is reported, and the reference is checked once it is fixed.
 */
export function everyNameKnown(all: readonly LoadedFile[], passed: SchemaPassed): boolean {
  const named = (entry: unknown, keys: readonly string[]): boolean =>
    entry !== null &&
    typeof entry === 'object' &&
    keys.every((key) => typeof (entry as Record<string, unknown>)[key] === 'string');
  for (const file of all) {
    if (passed.whole(file)) continue;
    const spec = file.value;
    if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) return false;
    for (const section of ['types', 'constants', 'roles', 'functions', 'rules'] as const) {
      const list = (spec as Record<string, unknown>)[section];
      if (list === undefined) continue;
      if (!Array.isArray(list)) return false;
      for (const [i, entry] of list.entries()) {
        if (passed.entry(file, [section, i])) continue;
        if (!named(entry, [section === 'rules' ? 'id' : 'name'])) return false;
        if (section !== 'roles') continue;
        const role = entry as Record<string, unknown>;
        if ((role['pointer'] !== undefined || !isImported(file)) && !named(role, ['pointer'])) return false;
        if (role['variants'] === undefined) continue;
        if (!Array.isArray(role['variants'])) return false;
        if (!role['variants'].every((variant) => named(variant, ['name', 'pointer']))) return false;
      }
    }
  }
  return true;
}

/** The path of the property that defines the name: a role's (or variant's) `pointer` for a role pointer, else `name`. */
function definitionPath(definition: Definition): Path {
  return [...definition.path, definition.kind === 'role pointer' ? 'pointer' : 'name'];
}

export function forEachEntry<T extends Record<string, unknown>>(
  list: unknown,
  visit: (entry: Partial<T> & Record<string, unknown>, index: number) => void,
): void {
  if (!Array.isArray(list)) return;
  list.forEach((entry, index) => {
    if (entry !== null && typeof entry === 'object' && !Array.isArray(entry))
      visit(entry as Partial<T> & Record<string, unknown>, index);
  });
}
