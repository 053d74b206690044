/**
 * The semantic checks of an IRQL contract: bounds that exist and do not contradict each other, a
 * raise that does not lower, parameters that exist, and conditional branches of one form each.
 *
 * Length: checkIrql checks one contract bound by bound in the order a reader reads it.
 */
import { didYouMean, type Suggest } from '../names.js';
import { quote } from '../diagnostics.js';
import type { LoadedFile } from './load.js';
import type { Path, Report } from './report.js';
import { levelNames, levelRange, type LevelName, type SpecIrql, type SpecParam, type SpecType } from './spec-types.js';

/** What the check of `equals` needs to know of the whole spec. */
export interface EqualsScope {
  /** A type by name, when its file passed the schema (so its bits can be trusted). */
  type(name: string): SpecType | undefined;
  /** Names of the constants the spec defines. */
  constants: ReadonlySet<string>;
  /**
   * Whether `name`, which is no constant, level or member of the type (a parameter's type, by name),
   * is known to be unknown: not when an entry that failed the schema, or a file that did not load,
   * may define it or the type (schema-passed.ts, load.ts's UnparsedFile).
   */
  namesKnown(type: string | undefined, name: string): boolean;
  /** Did-you-mean suggestions, within the run's budget. */
  suggest: Suggest;
}

export function checkIrql(
  report: Report,
  file: LoadedFile,
  path: Path,
  irql: SpecIrql,
  params: readonly SpecParam[],
  scope?: EqualsScope,
): void {
  const at: Path = [...path, 'irql'];
  const names = params.map((p) => p.name);
  const suggest: Suggest = scope?.suggest ?? ((name, candidates) => didYouMean(name, candidates()));
  const bounds = [irql.runsAt && 'runsAt', irql.min && 'min', irql.max && 'max', irql.any && 'any'].filter(
    Boolean,
  ) as string[];
  if (bounds.length === 0 && irql.unknown === undefined) {
    report(
      file,
      at,
      'DDI2007',
      `the IRQL contract states no level. Give one of runsAt, min, max or any (or unknown, with the reason no level is known).`,
    );
  }
  if (irql.unknown !== undefined && bounds.length > 0) {
    report(
      file,
      [...at, 'unknown'],
      'DDI2007',
      `unknown says no level is known, but the contract states ${bounds.join(' and ')}. Keep the level and remove unknown, or the reverse.`,
      'key',
    );
  }
  if (irql.runsAt && (irql.min || irql.max || irql.any)) {
    report(
      file,
      [...at, 'runsAt'],
      'DDI2007',
      `runsAt fixes the level, so it cannot be combined with ${bounds.filter((b) => b !== 'runsAt').join(' or ')}. Keep runsAt alone, or replace it with min/max.`,
    );
  }
  if (irql.any && (irql.min || irql.max)) {
    report(
      file,
      [...at, 'any'],
      'DDI2007',
      `any cannot be combined with ${bounds.filter((b) => b !== 'any').join(' or ')}. Keep one of them.`,
    );
  }
  if (irql.min && irql.max && lower(irql.min) > upper(irql.max)) {
    report(
      file,
      [...at, 'min'],
      'DDI2007',
      `min ${irql.min} is above max ${irql.max}, so no IRQL satisfies the contract. Swap or correct them.`,
    );
  }
  const entry = irql.runsAt ?? irql.max;
  if (irql.raisesTo && entry && upper(irql.raisesTo) < lower(entry)) {
    report(
      file,
      [...at, 'raisesTo'],
      'DDI2007',
      `raisesTo ${irql.raisesTo} is below the entry level ${entry}; a raise can never lower IRQL. Use restores for a call that lowers.`,
    );
  }
  if (irql.same && (irql.raisesTo || irql.restores)) {
    report(
      file,
      [...at, 'same'],
      'DDI2007',
      `same says IRQL is unchanged on return, but ${irql.raisesTo ? 'raisesTo' : 'restores'} says the call changes it. Remove one of them.`,
    );
  }
  for (const key of ['saves', 'restores'] as const) {
    const name = irql[key];
    if (name !== undefined && !names.includes(name)) {
      report(
        file,
        [...at, key],
        'DDI2008',
        `${key} names the parameter ${quote(name)}, which this entry does not have.${suggest(name, () => names)} Parameters: ${names.join(', ') || 'none'}.`,
      );
    }
  }
  checkConditions(report, file, at, irql, names, suggest);
  if (scope !== undefined) {
    irql.when?.forEach((condition, i) => {
      const param = params.find((p) => p.name === condition.param);
      if (param !== undefined && condition.equals !== undefined)
        checkEquals(
          report,
          file,
          [...at, 'when', i, 'equals'],
          `irql.when[${i}].equals`,
          condition.equals,
          param,
          scope,
        );
    });
  }
}

/** The C level names SAL compares with: every level but DIRQL, which names a range. */
const cLevelNames: readonly string[] = levelNames.filter((level) => level !== 'DIRQL');

/**
 * `equals` is copied into C (`_When_(Param == equals, …)`), so it must be one C constant: an integer
 * that fits the parameter's type, TRUE/FALSE, a level name, or the name of a constant of the spec or
 * a member of the parameter's enum type. The schema has checked its form; this checks its meaning.
 */
function checkEquals(
  report: Report,
  file: LoadedFile,
  path: Path,
  what: string,
  equals: string | number | boolean,
  param: SpecParam,
  scope: EqualsScope,
): void {
  if (typeof equals === 'boolean') return;
  const type = param.type === undefined ? undefined : scope.type(param.type);
  const integer = typeof equals === 'number' ? equals : /^-?[0-9]+$|^0x[0-9A-Fa-f]+$/.test(equals) ? equals : null;
  if (integer !== null) {
    const range = integerRange(type);
    const value = typeof integer === 'number' && !Number.isSafeInteger(integer) ? null : BigInt(integer);
    if (value === null || value < range.min || value > range.max) {
      report(
        file,
        path,
        'DDI1006',
        `${what} is ${String(integer)}, which does not fit in ${param.name}'s type ${param.type ?? '(not stated)'} (${range.text}). Correct the value.`,
      );
    }
    return;
  }
  if (typeof equals !== 'string') return;
  if (equals === 'TRUE' || equals === 'FALSE' || cLevelNames.includes(equals) || scope.constants.has(equals)) return;
  const members = type?.kind === 'enum' ? (type.values ?? []).map((v) => v.name) : null;
  if (members?.includes(equals)) return;
  if (equals !== 'DIRQL' && !scope.namesKnown(param.type, equals)) return;
  const candidates = (): string[] => [...scope.constants, ...(members ?? []), ...cLevelNames, 'TRUE', 'FALSE'];
  const no = members === null ? 'no constant of the spec' : `no constant of the spec and no member of ${type!.name}`;
  const why =
    equals === 'DIRQL' ? '; DIRQL is a range of levels with no C name.' : `.${scope.suggest(equals, candidates)}`;
  report(
    file,
    path,
    'DDI2003',
    `${what} names ${quote(equals)}, which is ${no}${why} Use an integer, TRUE or FALSE, a level name, or the name of a constant${members === null ? '' : ' or member'}.`,
  );
}

/** The integers a parameter of the type can hold: a scalar's bits, an enum's C int, else 64 bits either way. */
function integerRange(type: SpecType | undefined): { min: bigint; max: bigint; text: string } {
  if (type?.kind === 'scalar' && type.bits !== undefined) {
    const bits = BigInt(type.bits);
    return type.signed === true
      ? { min: -(1n << (bits - 1n)), max: (1n << (bits - 1n)) - 1n, text: `signed ${type.bits} bits` }
      : { min: 0n, max: (1n << bits) - 1n, text: `unsigned ${type.bits} bits` };
  }
  if (type?.kind === 'enum') return { min: -(1n << 31n), max: (1n << 31n) - 1n, text: 'an enum: a C int of 32 bits' };
  return { min: -(1n << 63n), max: (1n << 64n) - 1n, text: '64 bits' };
}

/** The `when` branches: a parameter test or a condition in words, each with a contract of its own. */
function checkConditions(
  report: Report,
  file: LoadedFile,
  at: Path,
  irql: SpecIrql,
  names: readonly string[],
  suggest: Suggest,
): void {
  irql.when?.forEach((condition, i) => {
    if (condition.param !== undefined && condition.condition !== undefined) {
      report(
        file,
        [...at, 'when', i, 'condition'],
        'DDI2007',
        `the condition both tests the parameter ${quote(condition.param)} and states ${quote(condition.condition)}. Give param and equals, or condition, not both.`,
        'key',
      );
    } else if (condition.param === undefined && condition.condition === undefined) {
      report(
        file,
        [...at, 'when', i],
        'DDI1004',
        `when[${i}] is missing the required property "param" (with "equals") or "condition". Add one.`,
      );
    } else if (condition.param !== undefined && condition.equals === undefined) {
      report(
        file,
        [...at, 'when', i],
        'DDI1004',
        `when[${i}] is missing the required property "equals". Add the value the parameter must have.`,
      );
    } else if (condition.param === undefined && condition.equals !== undefined) {
      report(
        file,
        [...at, 'when', i, 'equals'],
        'DDI1004',
        `when[${i}] has equals but no param. Add the parameter it tests.`,
        'key',
      );
    }
    if (condition.param !== undefined && !names.includes(condition.param)) {
      report(
        file,
        [...at, 'when', i, 'param'],
        'DDI2008',
        `the condition tests the parameter ${quote(condition.param)}, which this entry does not have.${suggest(condition.param, () => names)} Parameters: ${names.join(', ') || 'none'}.`,
      );
    }
    const inner = condition.irql;
    const innerBounds = [inner.runsAt, inner.min, inner.max, inner.any].filter((b) => b !== undefined);
    if (innerBounds.length === 0) {
      report(
        file,
        [...at, 'when', i, 'irql'],
        'DDI2007',
        `the conditional contract states no level. Give one of runsAt, min, max or any.`,
      );
    } else if ((inner.runsAt && (inner.min || inner.max || inner.any)) || (inner.any && (inner.min || inner.max))) {
      report(
        file,
        [...at, 'when', i, 'irql'],
        'DDI2007',
        `the conditional contract combines bounds that exclude each other. Use runsAt alone, any alone, or min/max.`,
      );
    } else if (inner.min && inner.max && lower(inner.min) > upper(inner.max)) {
      report(
        file,
        [...at, 'when', i, 'irql', 'min'],
        'DDI2007',
        `min ${inner.min} is above max ${inner.max}, so no IRQL satisfies the condition's contract.`,
      );
    }
  });
}

function lower(level: LevelName): number {
  return levelRange[level][0];
}

function upper(level: LevelName): number {
  return levelRange[level][1];
}
