/**
 * Shard files of `ddikit explore --shard K/N` and their merge (`ddikit explore --merge FILE…`).
 *
 * A shard file holds what its part of the exploration ran (schedule-search.ts says which part: by
 * place in its level and random number modulo N; not the other shards' schedules a
 * shard runs to place its own): for each run, its job's key and its summary, in the
 * shard's order; and the command line that shapes the run, so a merge can check that its shards
 * are of one exploration and run it again from them. Summaries are kept small: a report of a
 * warning or a race only the first time the shard saw it, and the DDIs called after a run ended only
 * for the shard's first run that called one — each per arrivals setting, as the search keeps them
 * (a merge keeps each once anyway, from the first run in the whole order of the search that counts,
 * which is the first in some shard's order; a search without arrivals that found no choice point
 * is dropped for one with them, and what it saw must not hide what the second one sees).
 *
 * Reading is strict, as for any file a user hands over: every field is checked, and a wrong,
 * corrupt, incomplete or mismatched set of shards is a usage error that names the file and what is
 * wrong, never a stack trace. What a file could make the merge do is checked too: the module it
 * names must lie inside the working folder (the merge loads it), its command line may hold only
 * options that shape the run (not --shard, --timeline and the like, which would make the merge write
 * files), and no text in it may hold control characters (the merge prints it to a terminal).
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { DriverFrame, LateCallInfo, Report, RunSummary, Schedule } from '@ddikit/sim';
import { type EnvironmentDigests, environmentDifference } from './driver-environment.js';
import { DriverUsageError } from './driver-module.js';
import { parseArgsOptions } from './run-options.js';

export const SHARD_FORMAT = 'ddikit-explore-shard';
/** 2: each run's late calls (the ninth field); 3: the driver's code (`source`); 4: the environment it read (`env`). */
export const SHARD_VERSION = 4;
/** Shards one exploration may be split into. */
export const SHARDS_MAX = 1_000;

/** Options a shard file does not record: they say how to print or how fast to run, not what runs. */
export const UNRECORDED_OPTIONS: ReadonlySet<string> = new Set([
  'shard',
  'workers',
  'json',
  'timeline',
  'watchdog',
  'max-memory',
  'merge',
]);
/** Environment variables a shard file may record. */
const ENV_MAX = 256;
/** Arguments a shard file may record, and characters in each. */
const ARGS_MAX = 256;
const ARG_CHARS_MAX = 4096;
/** C0 and C1 control characters: none may reach a terminal from a file a user was handed. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * Whether a driver module path, as a command line or a shard file names it, lies inside the working
 * folder `cwd` (the path itself, not where links in the folder lead: those are the user's own). A
 * merge loads the module its shard files name, and a file handed over must not make it load code
 * from anywhere else on the machine.
 */
export function insideFolder(path: string, cwd: string): boolean {
  if (path === '' || isAbsolute(path) || /^[A-Za-z]:|^[\\/]/.test(path)) return false;
  const rel = relative(cwd, resolve(cwd, path));
  return rel !== '' && !isAbsolute(rel) && rel.split(/[\\/]/)[0] !== '..';
}

/** Which shard: 1-based K of N, as on the command line. */
export interface ShardNumber {
  readonly k: number;
  readonly n: number;
}

/** A shard file as written. */
interface ShardFile {
  readonly format: typeof SHARD_FORMAT;
  readonly version: typeof SHARD_VERSION;
  readonly shard: number;
  readonly shards: number;
  readonly driver: string;
  readonly module: string;
  /** The digest of the driver's code the shard ran (DriverModule.fingerprint): a merge takes shards of one version. */
  readonly source: string;
  /** The environment variables the driver read (DriverModule.environment): a merge takes shards of one environment. */
  readonly env: EnvironmentDigests;
  /** The arguments that shape the run (no --shard, --workers, --json, --timeline, --watchdog). */
  readonly args: readonly string[];
  readonly runs: readonly ShardRun[];
}

/** One run: [job key, schedule, counts (base64) or null, deeper, error, reports, notes, crash, late]. */
type ShardRun = [
  string,
  string,
  string | null,
  boolean,
  Report | null,
  readonly Report[] | null,
  readonly Report[],
  RunSummary['crash'],
  LateCallInfo | null,
];

/** Late calls one run may record (LATE_CALLS_MAX of @ddikit/sim). */
const LATE_CALLS_READ_MAX = 100;

/** The file name of shard K/N. */
export function shardFileName(shard: ShardNumber): string {
  return `shard-${shard.k}-of-${shard.n}.json`;
}

/** Records a shard's runs, in its order, for its file. */
export class ShardRecorder {
  private readonly runs: ShardRun[] = [];
  /** Notes kept, by arrivals setting, rule, subject and function. */
  private readonly noted = new Set<string>();
  /** The arrivals settings whose first late call is kept. */
  private readonly lateNoted = new Set<boolean | undefined>();

  constructor(private readonly formatSchedule: (schedule: Schedule) => string) {}

  /** A run of the job with this key and arrivals setting (SearchJob.arrivals). */
  record(key: string, arrivals: boolean | undefined, summary: RunSummary): void {
    const notes = summary.notes.filter((report) => {
      const noteKey = `${String(arrivals)}|${report.rule}|${report.subject}|${report.function ?? ''}`;
      if (this.noted.has(noteKey)) return false;
      this.noted.add(noteKey);
      return true;
    });
    this.runs.push([
      key,
      this.formatSchedule(summary.schedule),
      summary.counts === null ? null : Buffer.from(summary.counts).toString('base64'),
      summary.deeper,
      summary.error,
      summary.reports,
      notes,
      summary.crash,
      summary.late !== null && !this.lateNoted.has(arrivals) ? summary.late : null,
    ]);
    if (summary.late !== null) this.lateNoted.add(arrivals);
  }

  /** The file's text. */
  text(
    shard: ShardNumber,
    driver: string,
    module: string,
    source: string,
    env: EnvironmentDigests,
    args: readonly string[],
  ): string {
    const file: ShardFile = {
      format: SHARD_FORMAT,
      version: SHARD_VERSION,
      shard: shard.k,
      shards: shard.n,
      driver,
      module,
      source,
      env,
      args,
      runs: this.runs,
    };
    return `${JSON.stringify(file)}\n`;
  }
}

/** The shard files of one exploration, read and checked: its arguments and module, and the files' runs. */
export interface ShardSet {
  readonly args: readonly string[];
  readonly module: string;
  /** The digest of the driver's code every shard ran (ShardFile.source). */
  readonly source: string;
  /** The environment variables the shards' driver read, of every shard (they agree where two read one). */
  readonly env: EnvironmentDigests;
  readonly files: readonly { readonly file: string; readonly shard: ShardFile }[];
}

/** Reads and checks the shard files of one exploration (usage errors name the file and the fault). */
export function readShards(files: readonly string[], cwd: string): ShardSet {
  if (files.length === 0)
    throw new DriverUsageError('--merge needs the shard files, e.g. ddikit explore --merge shard-*.json.');
  const read: { file: string; shard: ShardFile }[] = [];
  for (const file of files) read.push({ file, shard: readShard(file, cwd) });
  const first = read[0]!;
  const byNumber = new Map<number, string>();
  const env = new Map<string, string | null>();
  for (const { file, shard } of read) {
    const variable = environmentDifference(shard.env, Object.fromEntries(env));
    const differs =
      shard.shards !== first.shard.shards
        ? `of ${shard.shards} shards, not ${first.shard.shards}`
        : shard.driver !== first.shard.driver || shard.module !== first.shard.module
          ? `of the driver ${shard.driver} (${shard.module}), not ${first.shard.driver} (${first.shard.module})`
          : JSON.stringify(shard.args) !== JSON.stringify(first.shard.args)
            ? `of a run with other options (${shard.args.join(' ')}; ${first.file}: ${first.shard.args.join(' ')})`
            : shard.source !== first.shard.source
              ? `of another version of ${shard.module}: its code changed between the two shards (run every shard on one version)`
              : variable !== null
                ? `of a run with another value of the environment variable ${variable}, which the driver reads (run every shard with one environment)`
                : null;
    if (differs !== null)
      throw new DriverUsageError(
        `${file}: shard ${shard.shard}/${shard.shards} is not of the same exploration as ${first.file}: it is ${differs}.`,
      );
    const twice = byNumber.get(shard.shard);
    if (twice !== undefined)
      throw new DriverUsageError(`${file}: shard ${shard.shard}/${shard.shards} is given twice (also ${twice}).`);
    byNumber.set(shard.shard, file);
    for (const [name, digest] of Object.entries(shard.env)) env.set(name, digest);
  }
  const n = first.shard.shards;
  const missing: number[] = [];
  for (let k = 1; k <= n; k++) if (!byNumber.has(k)) missing.push(k);
  if (missing.length > 0)
    throw new DriverUsageError(
      `the merge needs every shard 1..${n} of the exploration; missing: ${missing.map((k) => `${k}/${n}`).join(', ')}.`,
    );
  const sorted = Object.fromEntries([...env].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return { args: first.shard.args, module: first.shard.module, source: first.shard.source, env: sorted, files: read };
}

/** Every run of the shards by job key; a usage error when a run is malformed or two shards overlap. */
export function shardRuns(set: ShardSet, parseSchedule: (text: string) => Schedule): Map<string, RunSummary> {
  const runs = new Map<string, RunSummary>();
  const from = new Map<string, string>();
  for (const { file, shard } of set.files) {
    for (const [i, run] of shard.runs.entries()) {
      const summary = runSummary(file, i, run, parseSchedule);
      const key = run[0];
      const earlier = runs.get(key);
      if (earlier !== undefined) {
        // Every shard runs the default schedule (all need its choice points); nothing else is in two shards.
        const root = key === '-' || key.endsWith(' -');
        if (!root || JSON.stringify(shardRunOf(earlier)) !== JSON.stringify(shardRunOf(summary)))
          throw new DriverUsageError(
            `${file}: run ${i + 1} (${key}) is also in ${from.get(key)}${root ? ' with another result' : ''}: the shards overlap, so they are not the parts of one exploration.`,
          );
        continue;
      }
      runs.set(key, summary);
      from.set(key, file);
    }
  }
  return runs;
}

function shardRunOf(summary: RunSummary): unknown {
  return [summary.schedule, summary.counts === null ? null : [...summary.counts], summary.deeper, summary.error];
}

function readShard(file: string, cwd: string): ShardFile {
  let text: string;
  try {
    text = readFileSync(resolve(cwd, file), 'utf8');
  } catch (error) {
    throw new DriverUsageError(
      `cannot read the shard file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new DriverUsageError(
      `${file} is not a shard file of ddikit explore: it is not JSON (${(error as Error).message}).`,
    );
  }
  const bad = (what: string): never => {
    throw new DriverUsageError(`${file} is not a shard file of ddikit explore: ${what}.`);
  };
  if (!isObject(value) || value['format'] !== SHARD_FORMAT) {
    // What `explore --shard K/N --json` prints (a summary naming the shard file it wrote) is the
    // file most often passed by mistake: point at the shard file.
    const wrote = isObject(value) && typeof value['shard'] === 'number' ? value['file'] : undefined;
    if (typeof wrote === 'string' && /^shard-\d+-of-\d+\.json$/.test(wrote))
      bad(`it is the summary \`explore --shard --json\` prints; the shard file that run wrote is ${wrote}`);
    bad(`it has no "format": "${SHARD_FORMAT}"`);
  }
  const shard = value as Record<string, unknown>;
  if (shard['version'] !== SHARD_VERSION)
    bad(`its version is ${JSON.stringify(shard['version'])}, this ddikit reads version ${SHARD_VERSION}`);
  const shards = shard['shards'];
  if (!Number.isInteger(shards) || (shards as number) < 1 || (shards as number) > SHARDS_MAX)
    bad(`"shards" must be an integer in 1..${SHARDS_MAX} (got ${JSON.stringify(shards)})`);
  const k = shard['shard'];
  if (!Number.isInteger(k) || (k as number) < 1 || (k as number) > (shards as number))
    bad(`"shard" must be an integer in 1..${String(shards)} (got ${JSON.stringify(k)})`);
  if (typeof shard['driver'] !== 'string' || CONTROL.test(shard['driver']) || shard['driver'].length > ARG_CHARS_MAX)
    bad('"driver" must be a printable string');
  if (
    typeof shard['module'] !== 'string' ||
    shard['module'] === '' ||
    CONTROL.test(shard['module']) ||
    shard['module'].length > ARG_CHARS_MAX
  )
    bad('"module" must be the driver module (printable)');
  if (typeof shard['source'] !== 'string' || !/^[0-9a-f]{64}$/.test(shard['source']))
    bad('"source" must be the digest of the driver\'s code (64 hexadecimal digits)');
  const env = shard['env'];
  if (
    !isObject(env) ||
    Object.keys(env).length > ENV_MAX ||
    !Object.entries(env).every(
      ([name, digest]) =>
        /^[^=\u0000-\u001f\u007f-\u009f]+$/.test(name) &&
        name.length <= ARG_CHARS_MAX &&
        (digest === null || (typeof digest === 'string' && /^[0-9a-f]{64}$/.test(digest))),
    )
  )
    bad(
      `"env" must map at most ${ENV_MAX} environment variable names to the digest of their value (64 hexadecimal digits) or null`,
    );
  const args = shard['args'];
  if (
    !Array.isArray(args) ||
    args.length > ARGS_MAX ||
    !args.every((a) => typeof a === 'string' && !CONTROL.test(a) && a.length <= ARG_CHARS_MAX)
  )
    bad(`"args" must be a list of at most ${ARGS_MAX} printable strings`);
  checkRecordedRun(file, args as string[], shard['module'] as string, cwd);
  if (!Array.isArray(shard['runs'])) bad('"runs" must be a list');
  return shard as unknown as ShardFile;
}

/**
 * The command line a shard file records must be one `--shard` records: options that shape the run
 * and nothing else (not how to print, how fast to run, or what to write — the merge's own command
 * line says that), and the module the file names, inside the working folder.
 */
function checkRecordedRun(file: string, args: readonly string[], module: string, cwd: string): void {
  const bad = (what: string): never => {
    throw new DriverUsageError(`${file} is not a shard file of ddikit explore: ${what}.`);
  };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      strict: true,
      tokens: true,
      options: parseArgsOptions('explore'),
    });
  } catch (error) {
    return bad(`its "args" are not those of an exploration (${(error as Error).message})`);
  }
  for (const token of parsed.tokens ?? [])
    if (token.kind === 'option' && (UNRECORDED_OPTIONS.has(token.name) || token.name === 'replay'))
      bad(`its "args" hold --${token.name}, which a shard file never records`);
  const positionals = parsed.positionals;
  if (positionals.length === 0 || positionals.join(' ') !== module)
    bad(`its "args" name the driver module ${positionals.join(' ') || '(none)'}, not its "module" ${module}`);
  for (const path of positionals)
    if (!insideFolder(path, cwd))
      bad(
        `it names the driver module ${path}, outside the working folder; a merge loads a driver module only from inside the folder it runs in (run the merge where the shards ran)`,
      );
}

/** One run of a shard file as a summary; a usage error naming the file and the run when it is malformed. */
function runSummary(file: string, i: number, run: unknown, parseSchedule: (text: string) => Schedule): RunSummary {
  const bad = (what: string): never => {
    throw new DriverUsageError(`${file}: run ${i + 1} is corrupt: ${what}.`);
  };
  if (!Array.isArray(run) || run.length !== 9) return bad('it must be a list of 9 fields');
  const [key, scheduleText, counts, deeper, error, reports, notes, crash, late] = run as unknown[];
  if (typeof key !== 'string' || key === '') bad('its key must be a string');
  if (typeof scheduleText !== 'string') bad('its schedule must be a string');
  let schedule: Schedule = [];
  if (scheduleText !== '' && scheduleText !== '-') {
    try {
      schedule = parseSchedule(scheduleText as string);
    } catch (e) {
      bad(`its schedule: ${(e as Error).message}`);
    }
  }
  if (counts !== null && (typeof counts !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(counts)))
    bad('its counts must be base64 or null');
  if (typeof deeper !== 'boolean') bad('"deeper" must be true or false');
  if (error !== null && !isReport(error)) bad('its error is not a report');
  if (reports !== null && !(Array.isArray(reports) && reports.every(isReport))) bad('its reports are not reports');
  if (!Array.isArray(notes) || !notes.every(isReport)) bad('its notes are not reports');
  if (crash !== null && !isCrash(crash)) bad('its crash is not a crash');
  if (!printableTree([error, reports, notes, crash], 0))
    bad('its reports or crash hold a control character other than a newline or a tab, which a terminal would act on');
  if (late !== null && !isLate(late))
    bad(
      'its late calls must be null or { ddi, driverFrames, places, capped } naming a DDI (printable, at most 128 characters), up to 8 frames, 1..100 places and whether capped',
    );
  return {
    schedule,
    counts: counts === null ? null : new Uint8Array(Buffer.from(counts as string, 'base64')),
    deeper: deeper as boolean,
    error: error as Report | null,
    reports: reports as Report[] | null,
    notes: notes as Report[],
    crash: crash as RunSummary['crash'],
    late: late as LateCallInfo | null,
  };
}

/** Control characters but the newline and the tab (which reports use to lay out their text). */
const CONTROL_IN_TEXT = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;
/** Nesting a report's fields go to at most (reports, a race's accesses, frames): deeper is not a report. */
const REPORT_DEPTH_MAX = 8;

/** Whether every string in `value` (the whole tree under it, to a bounded depth) is printable. */
function printableTree(value: unknown, depth: number): boolean {
  if (typeof value === 'string') return !CONTROL_IN_TEXT.test(value);
  if (typeof value !== 'object' || value === null) return true;
  if (depth > REPORT_DEPTH_MAX) return false;
  for (const [key, item] of Object.entries(value))
    if (CONTROL.test(key) || !printableTree(item, depth + 1)) return false;
  return true;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The fields of a report the explorer's output reads, with their types. */
function isReport(value: unknown): value is Report {
  if (!isObject(value)) return false;
  for (const key of ['rule', 'title', 'severity', 'subject', 'message'])
    if (typeof value[key] !== 'string') return false;
  for (const key of ['processor', 'seed', 'tick', 'occurrences']) if (typeof value[key] !== 'number') return false;
  if (value['function'] !== null && typeof value['function'] !== 'string') return false;
  if (!Array.isArray(value['frames']) || !Array.isArray(value['irqlTransitions'])) return false;
  const race = value['race'];
  if (race !== undefined && !(isObject(race) && Array.isArray(race['accesses']) && race['accesses'].every(isObject)))
    return false;
  return true;
}

/** A driver frame whose text is printable (a file name and a function name without control characters). */
function isDriverFrame(value: unknown): value is DriverFrame {
  return (
    isObject(value) &&
    typeof value['file'] === 'string' &&
    typeof value['function'] === 'string' &&
    !CONTROL.test(value['file'] + value['function']) &&
    Number.isSafeInteger(value['line']) &&
    (value['line'] as number) >= 0 &&
    Number.isSafeInteger(value['column']) &&
    (value['column'] as number) >= 0
  );
}

/** A run's late calls: the first DDI (printable), where it was called, how many places, whether capped. */
function isLate(value: unknown): value is LateCallInfo {
  return (
    isObject(value) &&
    typeof value['ddi'] === 'string' &&
    /^[^\u0000-\u001f\u007f-\u009f]{1,128}$/.test(value['ddi']) &&
    Array.isArray(value['driverFrames']) &&
    value['driverFrames'].length <= 8 &&
    value['driverFrames'].every(isDriverFrame) &&
    Number.isInteger(value['places']) &&
    (value['places'] as number) >= 1 &&
    (value['places'] as number) <= LATE_CALLS_READ_MAX &&
    typeof value['capped'] === 'boolean'
  );
}

function isCrash(value: unknown): boolean {
  return (
    isObject(value) &&
    typeof value['message'] === 'string' &&
    typeof value['tick'] === 'number' &&
    (value['thrown'] === null || typeof value['thrown'] === 'string') &&
    Array.isArray(value['frames']) &&
    Array.isArray(value['driverFrames'])
  );
}
