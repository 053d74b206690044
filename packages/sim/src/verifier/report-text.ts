/**
 * Violation reports as text: a readable summary laid out like a kernel debugger's `!analyze -v`
 * bug-check analysis, and JSON. Every report names its seed and tick, so the run that produced it can
 * be replayed. The report's shape is report-types.ts.
 */
import { levelName } from '@ddikit/ndis';
import { formatTicks } from '../core/time.js';
import type { Report, SourceFrameReport } from './report-types.js';

/** `0x000000C4` */
export function hex32(value: number): string {
  return `0x${(value >>> 0).toString(16).toUpperCase().padStart(8, '0')}`;
}

/** `c4`, as the debugger prints a bug-check code in its heading. */
function shortHex(value: number): string {
  return (value >>> 0).toString(16);
}

/** `DIRQL(5) (5)`-style level text: name and number. */
export function irqlText(level: number): string {
  const name = levelName(level);
  return name.includes('(') ? name : `${name} (${level})`;
}

const BUGCHECK_DESCRIPTIONS: Readonly<Record<number, string>> = {
  0x7c: 'An NDIS driver broke an NDIS rule that NDIS checks itself.',
  0xb8: 'A DPC tried to wait or to switch threads, which is not allowed at DISPATCH_LEVEL.',
  0xc4: 'Driver Verifier caught a driver breaking a kernel contract. Parameter 1 names the check.',
  0xc8: "A processor's IRQL was not what it must be at this point (P1 = current << 16 | expected << 8 | kind).",
  0x133: 'An ISR, a DPC or a spin lock held the processor longer than its time budget.',
};

/** The text summary of one report, in the layout of `!analyze -v`. */
export function formatReportText(report: Report): string {
  const lines: string[] = [];
  const bar = '*'.repeat(79);
  lines.push(
    bar,
    '*' + ' '.repeat(77) + '*',
    '*' + 'ddikit Verifier Analysis'.padStart(50).padEnd(77) + '*',
    '*' + ' '.repeat(77) + '*',
    bar,
    '',
  );
  pushBugCheck(lines, report);
  pushFields(lines, report);
  pushRace(lines, report);
  pushSource(lines, report);
  pushFramesAndTransitions(lines, report);
  const code =
    report.bugCheck === null
      ? 'WARN'
      : `0x${shortHex(report.bugCheck.code).toUpperCase()}_${shortHex(report.bugCheck.parameters[0]).toUpperCase()}`;
  lines.push(
    `FAILURE_BUCKET_ID:  ${code}_${report.rule}_${report.subject}${report.function === null ? '' : `_${report.function}`}`,
  );
  lines.push(`REPRODUCE:  seed=${report.seed} tick=${report.tick}`);
  return lines.join('\n') + '\n';
}

/** The bug check and its arguments, or the warning. */
function pushBugCheck(lines: string[], report: Report): void {
  if (report.bugCheck !== null) {
    const bc = report.bugCheck;
    lines.push(`${bc.name} (${shortHex(bc.code)})`);
    lines.push(BUGCHECK_DESCRIPTIONS[bc.code] ?? 'A driver broke a contract.');
    lines.push('Arguments:');
    bc.parameters.forEach((value, i) => lines.push(`Arg${i + 1}: ${(value >>> 0).toString(16).padStart(16, '0')}`));
    lines.push(`(${bc.parametersMeaning})`);
  } else {
    lines.push(`WARNING: ${report.title}`);
    lines.push('Reported as a warning; the run goes on.');
  }
  lines.push('');
}

/** RULE_ID … OCCURRENCES. */
function pushFields(lines: string[], report: Report): void {
  lines.push(`RULE_ID:  ${report.rule}`);
  lines.push(`RULE:  ${report.title}`);
  lines.push(`DESCRIPTION:  ${report.message}`);
  lines.push(`SUBJECT:  ${report.subject}`);
  if (report.function !== null) lines.push(`FUNCTION:  ${report.function}`);
  if (report.defined !== undefined)
    lines.push(`DEFINED_AT:  ${report.defined.function} (${sourceWhere(report.defined)})`);
  if (report.irqlRequired !== null) lines.push(`IRQL_REQUIRED:  ${report.irqlRequired}`);
  if (report.irqlFound !== null) lines.push(`IRQL_FOUND:  ${irqlText(report.irqlFound)}`);
  if (report.compliance !== null)
    lines.push(`DDI_COMPLIANCE_RULE:  ${report.compliance.rule} (${hex32(report.compliance.code)})`);
  lines.push(`PROCESSOR:  ${report.processor}`);
  lines.push(`SEED:  ${report.seed}`);
  lines.push(`TICK:  ${formatTicks(report.tick)}`);
  if (report.occurrences > 1) lines.push(`OCCURRENCES:  ${report.occurrences}`);
  lines.push('');
}

/** RACE and INTERLEAVING, where the report has them. */
function pushRace(lines: string[], report: Report): void {
  if (report.race !== undefined) {
    lines.push(`RACE:  ${report.race.kind} ${report.race.variable}`);
    report.race.accesses.forEach((a, i) => {
      lines.push(`  access ${i + 1}:  ${a.access}`);
      lines.push(
        `    by ${a.function} (${a.role}${Number.isInteger(a.message) ? `, message ${a.message}` : ''}) on cpu ${a.processor} at ${levelName(a.irql)}, tick ${a.tick}, holding ${a.locks}`,
      );
      if (a.source !== undefined) lines.push(`    at ${a.source.function} (${sourceWhere(a.source)})`);
    });
    lines.push('');
  }
  if (report.interleaving !== undefined && report.interleaving.length > 0) {
    lines.push('INTERLEAVING:  (tracked accesses, oldest first)');
    lines.push(`  ${'tick'.padStart(10)}  cpu  ${'irql'.padEnd(16)} ${'function'.padEnd(28)} access`);
    for (const step of report.interleaving) {
      lines.push(
        `  ${String(step.tick).padStart(10)}  ${String(step.processor).padStart(3)}  ${levelName(step.irql).padEnd(16)} ${step.function.padEnd(28)} ${step.access}`,
      );
    }
    lines.push('');
  }
}

/** SOURCE_FRAMES of a driver compiled from C, with runs of one frame (recursion) folded. */
function pushSource(lines: string[], report: Report): void {
  if (report.source === undefined || report.source.length === 0) return;
  lines.push('SOURCE_FRAMES:  (innermost first)');
  const text = (i: number): string => {
    const f = report.source![i]!;
    return `  at ${f.function} (${sourceWhere(f)})`;
  };
  for (let i = 0; i < report.source.length; ) {
    let j = i + 1;
    while (j < report.source.length && text(j) === text(i)) j++;
    lines.push(`${text(i)}${j - i > 1 ? `  × ${j - i}` : ''}`);
    i = j;
  }
  lines.push('');
}

/** ROLE_FRAMES and LAST_IRQL_TRANSITIONS. */
function pushFramesAndTransitions(lines: string[], report: Report): void {
  lines.push('ROLE_FRAMES:  (innermost first)');
  if (report.frames.length === 0) lines.push('  (none: called outside any driver role function)');
  report.frames.forEach((frame, i) => {
    lines.push(
      `  #${String(i).padEnd(2)} ${frame.function.padEnd(32)} ${frame.role.padEnd(40)} cpu ${frame.processor}  entered at ${irqlText(frame.irql)}`,
    );
  });
  lines.push('');
  lines.push('LAST_IRQL_TRANSITIONS:  (most recent first)');
  if (report.irqlTransitions.length === 0) lines.push('  (none)');
  else lines.push(`  ${'tick'.padStart(10)}  cpu  ${'from'.padEnd(16)} ${'to'.padEnd(16)} by`);
  for (const t of report.irqlTransitions) {
    lines.push(
      `  ${String(t.tick).padStart(10)}  ${String(t.processor).padStart(3)}  ${levelName(t.from).padEnd(16)} ${levelName(t.to).padEnd(16)} ${t.by}`,
    );
  }
  lines.push('');
}

/** Reports as pretty JSON (stable key order, trailing newline). */
export function formatReportsJson(reports: readonly Report[]): string {
  return JSON.stringify(reports, null, 2) + '\n';
}

/**
 * `file:line:col` of a source frame; `file:line` when its column is not known (0), the file alone
 * when its line is not either, `?` without a file.
 */
export function sourceWhere(frame: SourceFrameReport): string {
  if (frame.file === null) return '?';
  if (frame.line === 0) return frame.file;
  return frame.column === 0 ? `${frame.file}:${frame.line}` : `${frame.file}:${frame.line}:${frame.column}`;
}
