/**
 * Pass 1 of the semantic checks: every name the spec defines, from every file that has a
 * recognizable entry (so a file with a schema error does not cause spurious "unknown type" errors
 * elsewhere). Two definitions of one name are DDI2001 at the second, in files that passed the schema.
 */
import { quote } from '../diagnostics.js';
import { positionOf, type LoadedFile } from './load.js';
import { isImported, overriddenImports } from './merge.js';
import type { Path, Report } from './report.js';
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

/** Where a definition is, as `file:line:col` of its name. */
export function where(definition: Definition): string {
  const { line, col } = positionOf(definition.file, [...definition.path, 'name']);
  return `${definition.file.path}:${line}:${col}`;
}

export function collectDefinitions(
  all: readonly LoadedFile[],
  valid: readonly LoadedFile[],
  report: Report,
): Map<string, Definition> {
  const definitions = new Map<string, Definition>();
  const define = (name: unknown, definition: Definition, reportDuplicate: boolean): void => {
    if (typeof name !== 'string') return;
    const existing = definitions.get(name);
    if (existing) {
      if (reportDuplicate) {
        report(
          definition.file,
          [...definition.path, name === entryName(definition) ? 'name' : 'pointer'],
          'DDI2001',
          `${quote(name)} is already defined as a ${existing.kind} at ${where(existing)}. Rename one of them or remove the repeat.`,
        );
      }
      return;
    }
    definitions.set(name, definition);
  };
  const validSet = new Set(valid);
  // An imported entry that a curated entry of the same section (or a curated variant) overrides is no
  // definition of its own: the curated one wins field by field, so the two are no duplicate.
  const overridden = overriddenImports(all);
  for (const file of all) {
    const spec = file.value as Partial<SpecFile> | null;
    if (!spec || typeof spec !== 'object') continue;
    const strict = validSet.has(file);
    const imported = isImported(file);
    const skip = (section: string, name: unknown): boolean =>
      imported && typeof name === 'string' && overridden.has(`${section}:${name}`);
    forEachEntry(spec.types, (entry, i) => {
      if (skip('types', entry.name)) return;
      define(
        entry.name,
        {
          kind: 'type',
          typeKind: typeof entry.kind === 'string' ? entry.kind : '',
          file,
          path: ['types', i],
          imported,
        },
        strict,
      );
    });
    forEachEntry(spec.roles, (entry, i) => {
      if (skip('roles', entry.name)) return;
      define(entry.name, { kind: 'role', file, path: ['roles', i], imported }, strict);
      if (entry.pointer !== undefined)
        define(entry.pointer, { kind: 'role pointer', file, path: ['roles', i] }, strict);
      forEachEntry(entry.variants, (variant, j) => {
        define(variant.name, { kind: 'variant', file, path: ['roles', i, 'variants', j] }, strict);
        define(variant.pointer, { kind: 'role pointer', file, path: ['roles', i, 'variants', j] }, strict);
      });
    });
    forEachEntry(spec.functions, (entry, i) => {
      if (skip('functions', entry.name)) return;
      define(entry.name, { kind: 'function', file, path: ['functions', i], imported }, strict);
    });
    forEachEntry(spec.constants, (entry, i) =>
      define(entry.name, { kind: 'constant', file, path: ['constants', i] }, strict),
    );
  }
  return definitions;
}

export function entryName(definition: Definition): unknown {
  let value: unknown = definition.file.value;
  for (const part of definition.path) value = (value as Record<string | number, unknown>)[part];
  return (value as { name?: unknown }).name;
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
