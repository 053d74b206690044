/**
 * IRQL normalizer: the `req.irql` text of a reference page, and where it defers to them the remarks,
 * → a structured contract in spec form. Nothing is guessed: a text it cannot read is an unknown
 * contract with the reason, never a level picked for it.
 *
 *   "<= DISPATCH_LEVEL", "IRQL <= DISPATCH_LEVEL", "<=DISPATCH_LEVEL"  → { max: DISPATCH_LEVEL }
 *   "< DISPATCH_LEVEL"                                                 → { max: APC_LEVEL }
 *   "= DISPATCH_LEVEL", "DISPATCH_LEVEL"                               → { runsAt: DISPATCH_LEVEL }
 *   "Greater than or equal to DISPATCH_LEVEL"                          → { min: DISPATCH_LEVEL }
 *   "Any level", "Any level (see Remarks section)"                     → { any: true }
 *   "See Remarks section", ""                                          → read from the remarks
 *
 * Length: irqlContract reads the forms in the table above in order, one branch each.
 */
import { quote } from '../diagnostics.js';
import { levelRange, type LevelName, type SpecIrql } from '../spec/spec-types.js';
import { sentences } from './markup.js';

/** A plain level contract: exactly one level, a range, or any level. */
export type LevelContract = { runsAt: LevelName } | { min?: LevelName; max?: LevelName } | { any: true };

/** What the `req.irql` value says by itself. */
export interface IrqlValue {
  /** The level the value states, or null when it states none (or one the normalizer cannot read). */
  contract: LevelContract | null;
  /** The value points at the remarks ("See Remarks section", "… (see Remarks section)"). */
  seeRemarks: boolean;
  /** The value is empty. */
  empty: boolean;
  /** The value is text the normalizer does not know (then contract is null). */
  unreadable: boolean;
}

/** The final contract of an entry, with how it was found. */
export interface IrqlResult {
  /** The contract in spec form (always states a level, `unknown`, or conditions). */
  irql: SpecIrql;
  /** resolved: one contract; conditional: `when` branches that name no parameter; unknown: no level. */
  status: 'resolved' | 'conditional' | 'unknown';
  /** Where the contract comes from. */
  source: 'value' | 'remarks' | 'none';
}

const levelPattern = '(?:PASSIVE_LEVEL|APC_LEVEL|DISPATCH_LEVEL|DIRQL|CLOCK_LEVEL|IPI_LEVEL|POWER_LEVEL|HIGH_LEVEL)';

/** The level just below a fixed level (for "< LEVEL"), or null where there is none or it is not fixed. */
const below: Partial<Record<LevelName, LevelName>> = { APC_LEVEL: 'PASSIVE_LEVEL', DISPATCH_LEVEL: 'APC_LEVEL' };
/** The level just above a fixed level (for "> LEVEL"). */
const above: Partial<Record<LevelName, LevelName>> = {
  PASSIVE_LEVEL: 'APC_LEVEL',
  APC_LEVEL: 'DISPATCH_LEVEL',
  DISPATCH_LEVEL: 'DIRQL',
};

/** Reads a comparison and a level: `<= X`, `IRQL < X`, `= X`, `X`, `the X`, in symbols or in words. */
export function levelContract(text: string): LevelContract | null {
  const t = text
    .replace(/\\/g, '')
    .replace(/&lt;/gi, '<')
    .replace(/&gt;/gi, '>')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[.;,]$/, '')
    .trim();
  if (/^any (?:level|irql)$/i.test(t) || /^(?:at )?any irql level$/i.test(t)) return { any: true };
  const words: [RegExp, string][] = [
    [/^(?:greater than or equal to|at least|no lower than)\s+/i, '>='],
    [/^(?:less than or equal to|at most|no higher than|not above)\s+/i, '<='],
    [/^(?:less than|lower than|below)\s+/i, '<'],
    [/^(?:greater than|higher than|above)\s+/i, '>'],
    [/^(?:equal to|exactly)\s+/i, '='],
  ];
  let rest = t.replace(/^IRQL\s*/i, '');
  for (const [pattern, symbol] of words) {
    if (pattern.test(rest)) {
      rest = `${symbol} ${rest.replace(pattern, '')}`;
      break;
    }
  }
  const match = new RegExp(`^(==|=|<=|<|>=|>)?\\s*(?:the\\s+)?(${levelPattern})$`).exec(rest);
  if (!match) return null;
  const level = match[2] as LevelName;
  switch (match[1]) {
    case undefined:
    case '=':
    case '==':
      return { runsAt: level };
    case '<=':
      return level === 'HIGH_LEVEL' ? { any: true } : { max: level };
    case '>=':
      return level === 'PASSIVE_LEVEL' ? { any: true } : { min: level };
    case '<': {
      const max = below[level];
      return max === undefined ? null : { max };
    }
    case '>': {
      const min = above[level];
      return min === undefined ? null : { min };
    }
    default:
      return null;
  }
}

/** Normalizes a `req.irql` value by itself. */
export function irqlValue(raw: string): IrqlValue {
  let text = raw.replace(/\s+/g, ' ').trim();
  const empty = text === '';
  let seeRemarks = false;
  const suffix = /\s*\(\s*see (?:the )?remarks(?: section)?\.?\s*\)\.?$/i;
  if (suffix.test(text)) {
    seeRemarks = true;
    text = text.replace(suffix, '').trim();
  }
  if (/^see (?:the )?remarks(?: section)?\.?$/i.test(text))
    return { contract: null, seeRemarks: true, empty: false, unreadable: false };
  if (empty) return { contract: null, seeRemarks: false, empty: true, unreadable: false };
  const contract = levelContract(text);
  return { contract, seeRemarks, empty: false, unreadable: contract === null };
}

// ---------------------------------------------------------------------------------------------------
// Remarks

/** One statement of the remarks about the level the entry is called at. */
export interface RemarksStatement {
  contract: LevelContract;
  /** null: unconditional; 'otherwise': the case no other statement covers; else a short condition label. */
  condition: string | null;
}

export interface RemarksReading {
  statements: RemarksStatement[];
  /** Statements about the entry's level in words the normalizer does not read ("a high IRQL"). */
  unreadable: number;
}

const levelText = `(?:any\\s+IRQL(?:\\s+level)?|any\\s+level|(?:IRQL\\s*)?(?:==|=|<=|<|>=|>)?\\s*(?:the\\s+)?${levelPattern})`;

/**
 * The statements of a remarks text about the level its entry is called at. `names` are the names the
 * page uses for the entry (the DDI or role name, the conventional function name). A statement has the
 * entry (or its callers, or "it", or "these handlers" after "NDIS calls") as subject and a level after
 * "at"; hedged ones ("usually", "typically") are left out.
 */
export function readRemarks(text: string, names: readonly string[]): RemarksReading {
  const nameAlternation =
    [...new Set(names)]
      .filter((n) => n.length > 0)
      .map(escapeRegExp)
      .join('|') || '(?!)';
  const subject =
    `(?:(?:the|a|all)\\s+)?(?:(serialized|deserialized)\\s+)?` +
    `(?:callers?(?:\\s+of\\s+(?:the\\s+)?(?:${nameAlternation})(?:\\s+(?:function|macro|routine))?)?|(?:${nameAlternation})|it)`;
  const verb =
    '(?:(?:must|can|should|may|will)\\s+(?:be\\s+)?(?:running|run|called)|runs|run|is\\s+(?:running|called)|are\\s+(?:running|called))';
  const statementAt = new RegExp(`(?<![A-Za-z0-9_])(${subject})\\s+${verb}\\s+at\\s+(\\S+(?:\\s+\\S+){0,3})`, 'gi');
  const ndisCalls = new RegExp(
    `(?<![A-Za-z0-9_])NDIS\\s+calls\\s+(?:${nameAlternation}|these\\s+handlers|this\\s+function|it)\\s+at\\s+(\\S+(?:\\s+\\S+){0,3})`,
    'gi',
  );
  const levelAtStart = new RegExp(`^${levelText}(?![A-Za-z0-9_])`, 'i');

  const statements: RemarksStatement[] = [];
  let unreadable = 0;
  const clean = text
    .replace(/\\([<>_*])/g, '$1')
    .replace(/&lt;/gi, '<')
    .replace(/&gt;/gi, '>');
  for (const sentence of sentences(clean)) {
    const found: { index: number; adjective: string | null; after: string; length: number }[] = [];
    for (const match of sentence.matchAll(statementAt)) {
      found.push({ index: match.index, adjective: match[2] ?? null, after: match[3]!, length: match[0].length });
    }
    for (const match of sentence.matchAll(ndisCalls))
      found.push({ index: match.index, adjective: null, after: match[1]!, length: match[0].length });
    for (const statement of found) {
      const before = sentence.slice(0, statement.index);
      const hedge = /\b(?:usually|typically|normally|generally|often|seldom)\b/i;
      if (hedge.test(before) || hedge.test(sentence.slice(statement.index, statement.index + statement.length)))
        continue;
      const level = levelAtStart.exec(statement.after);
      const contract = level ? levelContract(level[0]) : null;
      if (contract === null) {
        unreadable++;
        continue;
      }
      const rest = sentence.slice(
        statement.index + statement.length - statement.after.length + (level?.[0].length ?? 0),
      );
      statements.push({ contract, condition: conditionOf(before, rest, statement.adjective, names) });
    }
  }
  return { statements: unique(statements), unreadable };
}

/** The condition of a statement: a leading "If …," / "When …," / "For …,", a trailing "if …", or "Otherwise". */
function conditionOf(before: string, after: string, adjective: string | null, names: readonly string[]): string | null {
  const lead = before.replace(/^\s*in any case\s*[:,]\s*/i, '');
  if (/(?:^|[:;]\s*)otherwise\s*,?\s*$/i.test(lead)) return 'otherwise';
  const leading = /(?:^|[:;]\s*)(?:if|when|as long as|provided that|for)\s+(.+?),\s*$/i.exec(lead);
  if (leading) return conditionLabel(leading[1]!, names);
  const trailing = /^[^.;]*?(?:,\s*|\s+)(?:if|provided that|as long as)\s+(.+?)(?:[.;]|$)/i.exec(after);
  if (trailing) return conditionLabel(trailing[1]!, names);
  if (adjective !== null) return `${adjective.toLowerCase()} callers`;
  return null;
}

const stopWords = new Set(['a', 'an', 'the', 'given', 'that', 'is', 'are', 'was', 'were', 'be', 'been', 'to']);

/**
 * A short label for a condition, in few words: the subject phrase that names the entry or its caller
 * is dropped, and so are articles and linking words ("if the caller of X is canceling a periodic
 * timer" → "canceling periodic timer").
 */
export function conditionLabel(text: string, names: readonly string[]): string {
  let t = text.replace(/\s+/g, ' ').trim();
  for (const name of names) {
    if (name === '') continue;
    const n = escapeRegExp(name);
    t = t
      .replace(new RegExp(`^(?:the|a)\\s+callers?\\s+of\\s+${n}\\s+(?:is|are)\\s+`, 'i'), '')
      .replace(new RegExp(`^(?:the|a)\\s+callers?\\s+of\\s+${n}\\s+`, 'i'), '')
      .replace(new RegExp(`^NDIS\\s+calls\\s+${n}\\s+`, 'i'), '')
      .replace(new RegExp(`^${n}\\s+(?:is|are)\\s+`, 'i'), '')
      .replace(new RegExp(`^${n}\\s+`, 'i'), '');
  }
  t = t.replace(/^(?:it|callers?|the\s+callers?)\s+(?:is|are)\s+/i, '').replace(/^because(?:\s+of)?\s+/i, '');
  const words = t.split(' ').filter((w) => !stopWords.has(w.toLowerCase()));
  return words.join(' ').replace(/[.,;:]+$/, '');
}

function unique(statements: readonly RemarksStatement[]): RemarksStatement[] {
  const seen = new Set<string>();
  return statements.filter((s) => {
    const key = JSON.stringify(s);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// ---------------------------------------------------------------------------------------------------
// The contract of an entry

/** The labels of conditions are kept to this many words; a longer one is left unread. */
export const conditionWordsMax = 8;

/**
 * The contract of an entry from its `req.irql` value and, where the value defers to them or is
 * empty, its remarks.
 */
export function irqlContract(
  value: IrqlValue,
  remarks: string,
  names: readonly string[],
  rawValue: string,
): IrqlResult {
  if (value.contract !== null) return { irql: { ...value.contract }, status: 'resolved', source: 'value' };
  if (value.unreadable) {
    return {
      irql: {
        unknown: `the page states the IRQL as ${quote(rawValue.trim())}, which names no level the importer reads`,
      },
      status: 'unknown',
      source: 'none',
    };
  }
  const where = value.empty ? 'the page leaves the IRQL empty' : 'the page defers to the remarks';
  if (remarks.trim() === '') {
    return { irql: { unknown: `${where}, and it has no remarks` }, status: 'unknown', source: 'none' };
  }
  const reading = readRemarks(remarks, names);
  const note = 'Read from the remarks of the reference page.';
  const { statements } = reading;
  if (statements.length === 0) {
    const why =
      reading.unreadable > 0 ? 'the remarks state it only in words that name no level' : 'the remarks state no level';
    return { irql: { unknown: `${where}, and ${why}` }, status: 'unknown', source: 'none' };
  }
  const unconditional = statements.filter((s) => s.condition === null);
  const otherwise = statements.filter((s) => s.condition === 'otherwise');
  const conditional = statements.filter((s) => s.condition !== null && s.condition !== 'otherwise');
  if (conditional.length === 0) {
    const all = [...unconditional, ...otherwise];
    const first = JSON.stringify(all[0]!.contract);
    if (all.every((s) => JSON.stringify(s.contract) === first)) {
      return { irql: { ...all[0]!.contract, note }, status: 'resolved', source: 'remarks' };
    }
    return {
      irql: { unknown: `${where}, and the remarks state different levels without saying when each applies` },
      status: 'unknown',
      source: 'none',
    };
  }
  const long = conditional.find((s) => s.condition!.split(' ').length > conditionWordsMax || s.condition === '');
  if (long !== undefined || new Set(conditional.map((s) => s.condition)).size !== conditional.length) {
    return {
      irql: { unknown: `${where}, and the remarks tie the level to conditions the importer cannot state briefly` },
      status: 'unknown',
      source: 'none',
    };
  }
  if (unconditional.length + otherwise.length > 1) {
    return {
      irql: { unknown: `${where}, and the remarks give more than one level for the other cases` },
      status: 'unknown',
      source: 'none',
    };
  }
  const when = conditional.map((s) => ({ condition: s.condition!, irql: { ...s.contract } }));
  const fallback = [...unconditional, ...otherwise][0];
  if (fallback !== undefined) {
    return { irql: { ...fallback.contract, note, when }, status: 'conditional', source: 'remarks' };
  }
  if (conditional.length === 1) {
    // One stated case and nothing said about the others: their level is unknown.
    return {
      irql: { unknown: `${where}, and the remarks state a level only for one case`, note, when },
      status: 'unknown',
      source: 'remarks',
    };
  }
  // Several cases, each with its level: where the caller does not say which holds, the strictest applies.
  const strictest = intersect(conditional.map((s) => s.contract));
  if (strictest === null) {
    return {
      irql: { unknown: `${where}, and the cases the remarks list share no level`, note, when },
      status: 'unknown',
      source: 'remarks',
    };
  }
  return { irql: { ...strictest, note, when }, status: 'conditional', source: 'remarks' };
}

/** The lowest (0) or highest (1) x64 level a level name stands for (DIRQL is 3..12). */
function rank(level: LevelName, end: 0 | 1): number {
  return levelRange[level][end];
}

/** The range of a contract as [min, max] level names. */
export function rangeOf(contract: LevelContract): [LevelName, LevelName] {
  if ('runsAt' in contract) return [contract.runsAt, contract.runsAt];
  if ('any' in contract) return ['PASSIVE_LEVEL', 'HIGH_LEVEL'];
  return [contract.min ?? 'PASSIVE_LEVEL', contract.max ?? 'HIGH_LEVEL'];
}

/** The contract that holds where every one of `contracts` holds, or null when none does. */
export function intersect(contracts: readonly LevelContract[]): LevelContract | null {
  let [min, max] = rangeOf(contracts[0]!);
  for (const contract of contracts.slice(1)) {
    const [lo, hi] = rangeOf(contract);
    if (rank(lo, 0) > rank(min, 0)) min = lo;
    if (rank(hi, 1) < rank(max, 1)) max = hi;
  }
  if (rank(min, 0) > rank(max, 1)) return null;
  if (min === max) return { runsAt: min };
  if (min === 'PASSIVE_LEVEL' && max === 'HIGH_LEVEL') return { any: true };
  return { ...(min === 'PASSIVE_LEVEL' ? {} : { min }), ...(max === 'HIGH_LEVEL' ? {} : { max }) };
}
