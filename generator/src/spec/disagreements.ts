/**
 * Curated entries against the reference pages they override: every fact where a curated role or
 * function differs from the imported entry of the same name. Contract differences (the IRQL range, a
 * parameter's direction or optional mark) are DDI2014 warnings, unless the curated entry acknowledges
 * its IRQL difference (`irql.differsFromPage`, a reason); an acknowledgement with no difference to
 * acknowledge is a DDI2020 warning. `ddikit coverage` lists every difference, acknowledged ones with
 * their reason.
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
  /** The IRQL contract, the one fact irql.differsFromPage acknowledges. */
  irql?: true;
  /** Why the curated entry differs on purpose (irql.differsFromPage), for the IRQL contract it acknowledges. */
  acknowledged?: string;
}

/** An `irql.differsFromPage` with nothing to acknowledge, and why (DDI2020). */
interface StaleAcknowledgement {
  file: LoadedFile;
  path: Path;
  name: string;
  why: string;
}

/**
 * Every fact where a curated role or function differs from the imported entry (its reference page)
 * that it overrides. Contract differences become DDI2014 warnings; the others are listed by
 * `ddikit coverage`. With `passed`, entries that failed the schema are left out on both sides.
 */
export function disagreementsOf(files: readonly LoadedFile[], passed?: SchemaPassed): Disagreement[] {
  return compareWithPages(files, passed).found;
}

function compareWithPages(
  files: readonly LoadedFile[],
  passed?: SchemaPassed,
): { found: Disagreement[]; stale: StaleAcknowledgement[] } {
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
  const stale: StaleAcknowledgement[] = [];
  for (const file of files) {
    for (const section of ['roles', 'functions'] as const) {
      each(file, section, (entry, i) => {
        const reason = entry.irql.differsFromPage;
        const at: Path = [section, i, 'irql', 'differsFromPage'];
        const staleBecause = (why: string) => stale.push({ file, path: at, name: entry.name, why });
        if (isImported(file)) {
          if (reason !== undefined)
            staleBecause('an imported entry is what the reference page says, so it has no difference to acknowledge');
          return;
        }
        // Without an imported entry (a spec folder without the imported files) there is nothing to
        // compare: the acknowledgement is not known to be stale.
        const docs = imported.get(`${section}:${entry.name}`);
        if (docs === undefined) return;
        const where = positionOf(docs.file, [...docs.path, 'name']);
        const differences = compareCallable(entry, docs.spec);
        if (reason !== undefined && !differences.some((d) => d.irql)) {
          const page = docs.spec.page ?? 'it overrides';
          staleBecause(
            irqlRangeText(docs.spec.irql) === null || irqlRangeText(entry.irql) === null
              ? `the reference page ${page} or the entry states no level, so the contracts are not compared`
              : `its IRQL contract is what the reference page ${page} says`,
          );
        }
        for (const difference of differences) {
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
            ...(difference.irql ? { irql: true as const } : {}),
            ...(difference.irql && reason !== undefined ? { acknowledged: reason } : {}),
          });
        }
      });
    }
  }
  return { found, stale };
}

/** DDI2014 for every contract difference not acknowledged; DDI2020 for every acknowledgement with none. */
export function disagreements(files: readonly LoadedFile[], passed?: SchemaPassed): Diagnostic[] {
  const { found, stale } = compareWithPages(files, passed);
  const staleWarnings = stale.map((s): Diagnostic => {
    const { line, col } = positionOf(s.file, s.path, 'key');
    return {
      file: s.file.path,
      line,
      col,
      severity: 'warning',
      code: 'DDI2020',
      message: `${s.name}: irql.differsFromPage acknowledges a difference from the reference page, but ${s.why}. Remove the stale acknowledgement.`,
    };
  });
  const conflicts = found
    .filter((d) => d.kind === 'contract' && d.acknowledged === undefined)
    .map((d) => ({
      file: d.file,
      line: d.line,
      col: d.col,
      severity: 'warning' as const,
      code: 'DDI2014' as const,
      message: `${d.name}: the curated ${d.what} is ${d.curated}, but the reference page ${d.page} says ${d.docs} (imported at ${d.importedAt}). Check the page, and correct whichever is wrong${d.irql ? '; if the difference is deliberate, say why in irql.differsFromPage' : ''}.`,
    }));
  return [...conflicts, ...staleWarnings];
}

interface Difference {
  at: Path;
  /** The IRQL contract (what irql.differsFromPage acknowledges). */
  irql?: true;
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
    found.push({
      at: ['irql'],
      irql: true,
      kind: 'contract',
      what: 'IRQL contract',
      curated: curatedRange,
      docs: docsRange,
    });
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
