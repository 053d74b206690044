/**
 * An entry's IRQL contract as the model gives it: the range a caller may be at, what the harness
 * enforces where a condition is stated in words, the SAL annotations (DIRQL spelled the way SAL can)
 * and one line of text for people.
 */
import type { IrqlCondition, IrqlModel } from './model-types.js';
import { levelRange, type LevelName, type SpecIrql, type SpecIrqlCondition } from './spec-types.js';

export function irqlModel(spec: SpecIrql): IrqlModel {
  let min: LevelName | null = null;
  let max: LevelName | null = null;
  if (spec.runsAt) min = max = spec.runsAt;
  else if (spec.any) {
    min = 'PASSIVE_LEVEL';
    max = 'HIGH_LEVEL';
  } else if (spec.min || spec.max) {
    min = spec.min ?? 'PASSIVE_LEVEL';
    max = spec.max ?? 'HIGH_LEVEL';
  }
  const known = min !== null && max !== null;
  const exact = known && min === max;
  const sal = irqlSal(spec);
  const when = (spec.when ?? []).map(conditionModel);
  for (const condition of when) if (condition.sal !== null) sal.push(condition.sal);
  const enforced = known
    ? narrowed(
        min!,
        max!,
        when.filter((c) => c.param === null),
      )
    : null;
  const parts: string[] = [];
  parts.push(known ? rangeText(min!, max!) : 'unknown');
  for (const condition of when) parts.push(condition.text);
  if (enforced !== null && (enforced.min !== min || enforced.max !== max)) {
    parts.push(
      enforced.min === null
        ? 'no level meets every case'
        : `enforced where no condition is stated: ${rangeText(enforced.min, enforced.max)}`,
    );
  }
  if (spec.raisesTo)
    parts.push(`raises IRQL to ${spec.raisesTo}${spec.saves ? ` and saves the previous IRQL in ${spec.saves}` : ''}`);
  if (spec.restores) parts.push(`restores the IRQL saved in ${spec.restores}`);
  if (spec.same) parts.push('IRQL unchanged on return');
  return {
    min,
    max,
    exact,
    any: spec.any === true || (min === 'PASSIVE_LEVEL' && max === 'HIGH_LEVEL'),
    same: spec.same === true,
    raisesTo: spec.raisesTo ?? null,
    saves: spec.saves ?? null,
    restores: spec.restores ?? null,
    when,
    note: spec.note ?? null,
    reason: known ? null : (spec.unknown ?? 'the spec states no level'),
    enforced: enforced === null || enforced.min === null ? null : { min: enforced.min, max: enforced.max },
    text: parts.join('; '),
    sal,
  };
}

/** min..max narrowed by every branch (the strictest branch); min null when no level meets them all. */
function narrowed(
  min: LevelName,
  max: LevelName,
  branches: readonly IrqlCondition[],
): { min: LevelName; max: LevelName } | { min: null; max: LevelName } {
  let lo = min;
  let hi = max;
  for (const branch of branches) {
    if (levelRange[branch.min][0] > levelRange[lo][0]) lo = branch.min;
    if (levelRange[branch.max][1] < levelRange[hi][1]) hi = branch.max;
  }
  return levelRange[lo][0] > levelRange[hi][1] ? { min: null, max: hi } : { min: lo, max: hi };
}

/**
 * SAL cannot name the symbolic DIRQL. Exactly-DIRQL becomes "above DISPATCH_LEVEL" (true for every
 * device level) and at-most-DIRQL becomes "at most HIGH_LEVEL"; the structured contract keeps DIRQL.
 */
function levelSal(kind: 'requires' | 'min' | 'max', level: LevelName): string {
  if (level === 'DIRQL') {
    if (kind === 'max') return '_IRQL_requires_max_(HIGH_LEVEL)';
    return '_IRQL_requires_min_(DISPATCH_LEVEL + 1)';
  }
  if (kind === 'requires') return `_IRQL_requires_(${level})`;
  return `_IRQL_requires_${kind}_(${level})`;
}

function rangeText(min: LevelName, max: LevelName): string {
  if (min === max) return `exactly ${min}`;
  if (min === 'PASSIVE_LEVEL' && max === 'HIGH_LEVEL') return 'any level';
  if (min === 'PASSIVE_LEVEL') return `at most ${max}`;
  if (max === 'HIGH_LEVEL') return `at least ${min}`;
  return `${min} to ${max}`;
}

/** The function-level SAL of a contract, before its _When_ branches. */
function irqlSal(spec: SpecIrql): string[] {
  const sal: string[] = [];
  if (spec.runsAt) sal.push(levelSal('requires', spec.runsAt));
  else if (spec.any) sal.push('_IRQL_requires_max_(HIGH_LEVEL)');
  else {
    if (spec.min) sal.push(levelSal('min', spec.min));
    if (spec.max) sal.push(levelSal('max', spec.max));
  }
  if (spec.raisesTo) sal.push(`_IRQL_raises_(${spec.raisesTo === 'DIRQL' ? 'HIGH_LEVEL' : spec.raisesTo})`);
  if (spec.saves) sal.push(`_IRQL_saves_global_(SpinLock, ${spec.saves})`);
  if (spec.restores) sal.push(`_IRQL_restores_global_(SpinLock, ${spec.restores})`);
  if (spec.same) sal.push('_IRQL_requires_same_');
  return sal;
}

/** One conditional branch: its range, its SAL `_When_` (none for a condition stated in words) and its text. */
function conditionModel(condition: SpecIrqlCondition): IrqlCondition {
  const inner = condition.irql;
  const innerMin = inner.runsAt ?? (inner.any ? 'PASSIVE_LEVEL' : (inner.min ?? 'PASSIVE_LEVEL'));
  const innerMax = inner.runsAt ?? (inner.any ? 'HIGH_LEVEL' : (inner.max ?? 'HIGH_LEVEL'));
  const innerSal = inner.runsAt
    ? levelSal('requires', inner.runsAt)
    : inner.any
      ? '_IRQL_requires_max_(HIGH_LEVEL)'
      : [inner.min && levelSal('min', inner.min), inner.max && levelSal('max', inner.max)].filter(Boolean).join(' ');
  if (condition.param === undefined) {
    // A condition stated in words has no C expression, so SAL cannot carry it.
    const stated = condition.condition ?? '';
    return {
      param: null,
      equals: null,
      equalsC: null,
      condition: stated,
      min: innerMin,
      max: innerMax,
      sal: null,
      text: `${rangeText(innerMin, innerMax)} when ${stated}`,
    };
  }
  const value =
    typeof condition.equals === 'boolean' ? (condition.equals ? 'TRUE' : 'FALSE') : String(condition.equals);
  return {
    param: condition.param,
    equals: condition.equals ?? null,
    equalsC: value,
    condition: null,
    min: innerMin,
    max: innerMax,
    sal: `_When_(${condition.param} == ${value}, ${innerSal})`,
    text: `${rangeText(innerMin, innerMax)} when ${condition.param} is ${value}`,
  };
}
