/**
 * model: validated spec files → one typed model that every output renders from. The model precomputes
 * every name, annotation string and type text a template needs; templates only lay them out. Its
 * shape is in model-types.ts; the entries are built in model-entries.ts, their contracts in
 * irql-model.ts, after the merge of curated over imported entries (merge.ts).
 */
import { compareStrings } from '../diagnostics.js';
import type { LoadedFile } from './load.js';
import { mergedEntries } from './merge.js';
import {
  constantModels,
  cOrder,
  functionModels,
  refsOf,
  roleModels,
  typeModels,
  uniqueSorted,
} from './model-entries.js';
import type { EntryModel, Model } from './model-types.js';
import { ruleModels } from './rules.js';

export type * from './model-types.js';
export { unknownType } from './model-entries.js';
export { irqlModel } from './irql-model.js';

export function buildModel(files: readonly LoadedFile[]): Model {
  const sorted = [...files].sort((a, b) => compareStrings(a.origin, b.origin));
  const entries = mergedEntries(sorted);
  const refs = refsOf(entries);
  const types = typeModels(entries, refs);
  const roles = roleModels(entries, refs);
  const functions = functionModels(entries, refs);
  const constants = constantModels(sorted, entries, refs);
  const byName = new Map<string, EntryModel>();
  for (const entry of [...types, ...roles, ...functions, ...constants]) byName.set(entry.name, entry);
  const byNameSort = <T extends { name: string }>(list: T[]): T[] =>
    list.sort((a, b) => compareStrings(a.name, b.name));

  return {
    sources: sorted.map((f) => f.origin),
    headers: uniqueSorted([...types, ...roles, ...functions].map((e) => e.header)),
    types: byNameSort([...types]),
    typesInCOrder: cOrder(byNameSort([...types]), refs.rolePointers),
    roles: byNameSort(roles),
    functions: byNameSort(functions),
    constants: byNameSort(constants),
    byName,
    rules: ruleModels(sorted),
  };
}
