/**
 * Curated entries against the reference pages they override: every fact where a curated role or
 * function differs from the imported entry of the same name. Contract differences (the IRQL range, a
 * parameter's direction or optional mark) are DDI2014 warnings; the rest `ddikit coverage` lists.
 */
import { quote, type Diagnostic } from '../diagnostics.js';
import { positionOf, type LoadedFile } from './load.js';
import { isImported } from './merge.js';
import type { Path } from './report.js';
import type { SchemaPassed } from './schema-passed.js';
import type { LevelName, SpecFile, SpecFunction, SpecIrql, SpecRole } from './spec-types.js';

type Callable = SpecRole | SpecFunction;

/** One fact where a curated entry and the reference page it overrides differ. */
export interface Disagreement {
  /** The curated entry. */
  name: string;
  /** Where in the curated file (path, line, column of the differing property). */
  file: string;
  line: number;
  col: number;
  /** contract: the IRQL range or a parameter's direction or optional mark; signature: names, count, return type, version. */
  kind: 'contract' | 'signature';
  what: string;
  curated: string;
  docs: string;
  /** The reference page, and where the imported entry is. */
  page: string;
  importedAt: string;
}

/**
 * Every fact where a curated role or function differs from the imported entry (its reference page)
 * that it overrides. Contract differences become DDI2014 warnings; the others are listed by
 * `ddikit coverage`. With `passed`, entries that failed the schema are left out on both sides.
 */
export function disagreementsOf(files: readonly LoadedFile[], passed?: SchemaPassed): Disagreement[] {
  const each = (file: LoadedFile, section: 'roles' | 'functions', visit: (entry: Callable, i: number) => void) => {
    const list: unknown = (file.value as SpecFile)[section];
    if (!Array.isArray(list)) return;
    list.forEach((entry: Callable, i) => {
      if (passed === undefined || passed.entry(file, [section, i])) visit(entry, i);
    });
  };
  const imported = new Map<string, { spec: Callable; file: LoadedFile; path: Path }>();
  for (const file of files) {
    if (!isImported(file)) continue;
    for (const section of ['roles', 'functions'] as const) {
      each(file, section, (entry, i) =>
        imported.set(`${section}:${entry.name}`, { spec: entry, file, path: [section, i] }),
      );
    }
  }
  const found: Disagreement[] = [];
  for (const file of files) {
    if (isImported(file)) continue;
    for (const section of ['roles', 'functions'] as const) {
      each(file, section, (entry, i) => {
        const docs = imported.get(`${section}:${entry.name}`);
        if (docs === undefined) return;
        const where = positionOf(docs.file, [...docs.path, 'name']);
        for (const difference of compareCallable(entry, docs.spec)) {
          const { line, col } = positionOf(file, [section, i, ...difference.at], 'key');
          found.push({
            name: entry.name,
            file: file.path,
            line,
            col,
            kind: difference.kind,
            what: difference.what,
            curated: difference.curated,
            docs: difference.docs,
            page: docs.spec.page ?? `${docs.file.path}:${where.line}`,
            importedAt: `${docs.file.path}:${where.line}`,
          });
        }
      });
    }
  }
  return found;
}

export function disagreements(files: readonly LoadedFile[], passed?: SchemaPassed): Diagnostic[] {
  return disagreementsOf(files, passed)
    .filter((d) => d.kind === 'contract')
    .map((d) => ({
      file: d.file,
      line: d.line,
      col: d.col,
      severity: 'warning' as const,
      code: 'DDI2014' as const,
      message: `${d.name}: the curated ${d.what} is ${d.curated}, but the reference page ${d.page} says ${d.docs} (imported at ${d.importedAt}). Check the page, and correct whichever is wrong.`,
    }));
}

interface Difference {
  at: Path;
  kind: 'contract' | 'signature';
  what: string;
  curated: string;
  docs: string;
}

function compareCallable(curated: Callable, docs: Callable): Difference[] {
  const found: Difference[] = [];
  const curatedRange = irqlRangeText(curated.irql);
  const docsRange = irqlRangeText(docs.irql);
  if (curatedRange !== null && docsRange !== null && curatedRange !== docsRange) {
    found.push({ at: ['irql'], kind: 'contract', what: 'IRQL contract', curated: curatedRange, docs: docsRange });
  }
  if (docs.params.length > 0 && docs.params.length !== curated.params.length) {
    found.push({
      at: ['params'],
      kind: 'signature',
      what: 'parameter list',
      curated: `(${curated.params.map((p) => p.name).join(', ')})`,
      docs: `(${docs.params.map((p) => p.name).join(', ')})`,
    });
  } else {
    docs.params.forEach((param, i) => {
      const mine = curated.params[i]!;
      if (mine.name !== param.name)
        found.push({
          at: ['params', i, 'name'],
          kind: 'signature',
          what: `name of parameter ${i + 1}`,
          curated: quote(mine.name),
          docs: quote(param.name),
        });
      if (param.dir !== undefined && mine.dir !== param.dir)
        found.push({
          at: ['params', i, 'dir'],
          kind: 'contract',
          what: `direction of ${mine.name}`,
          curated: String(mine.dir),
          docs: param.dir,
        });
      if (param.optional === true && mine.optional !== true)
        found.push({
          at: ['params', i, 'name'],
          kind: 'contract',
          what: `optional mark of ${mine.name}`,
          curated: 'not optional',
          docs: 'optional',
        });
    });
  }
  if (docs.returns !== undefined && curated.returns !== undefined && docs.returns.type !== curated.returns.type) {
    found.push({
      at: ['returns', 'type'],
      kind: 'signature',
      what: 'return type',
      curated: curated.returns.type,
      docs: docs.returns.type,
    });
  }
  if (docs.since !== undefined && curated.since !== undefined && docs.since !== curated.since) {
    found.push({ at: ['since'], kind: 'signature', what: 'first version', curated: curated.since, docs: docs.since });
  }
  return found;
}

/** The range an IRQL contract admits, as text ("at most DISPATCH_LEVEL"), or null when unknown. */
function irqlRangeText(irql: SpecIrql): string | null {
  let min: LevelName;
  let max: LevelName;
  if (irql.runsAt) min = max = irql.runsAt;
  else if (irql.any) [min, max] = ['PASSIVE_LEVEL', 'HIGH_LEVEL'];
  else if (irql.min || irql.max) [min, max] = [irql.min ?? 'PASSIVE_LEVEL', irql.max ?? 'HIGH_LEVEL'];
  else return null;
  const conditions = (irql.when ?? []).map((c) => {
    const inner = c.irql;
    const range = inner.runsAt
      ? `exactly ${inner.runsAt}`
      : inner.any
        ? 'any level'
        : `${inner.min ?? 'PASSIVE_LEVEL'} to ${inner.max ?? 'HIGH_LEVEL'}`;
    return `${range} when ${c.param !== undefined ? `${c.param} is ${String(c.equals)}` : c.condition}`;
  });
  const base =
    min === max
      ? `exactly ${min}`
      : min === 'PASSIVE_LEVEL' && max === 'HIGH_LEVEL'
        ? 'any level'
        : min === 'PASSIVE_LEVEL'
          ? `at most ${max}`
          : max === 'HIGH_LEVEL'
            ? `at least ${min}`
            : `${min} to ${max}`;
  return [base, ...conditions].join('; ');
}
