/**
 * The page's text around the drawing: the banner of the report that decides the run, every report in
 * full (the headline first), and the line for the processors without a lane.
 */
import type { TraceEvent, TraceSnapshot } from '../core/trace.js';
import { formatReportText } from '../verifier/report-text.js';
import type { Report } from '../verifier/report-types.js';
import { LOCKSET_RULES } from '../verifier/rule-table.js';
import type { TimelineData } from './timeline-data.js';

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** The banner that opens the page: the headline report (see headlineReport), or that the run is clean. */
export function headlineBanner(reports: readonly Report[], headline: number, events: readonly TraceEvent[]): string {
  if (headline < 0)
    return '<div class="headline clean" id="headline"><strong>No report:</strong> the run is clean.</div>';
  const report = reports[headline]!;
  const lockset = reports.filter((r, i) => i < headline && LOCKSET_RULES.includes(r.rule)).length;
  const verb = lockset === 1 ? 'is' : 'are';
  const why =
    report.severity === 'warning'
      ? 'the first warning (no error)'
      : LOCKSET_RULES.includes(report.rule)
        ? 'the first error'
        : lockset > 0
          ? `the error that decides the run; ${plural(lockset, 'lockset race report')} ${verb} listed before it`
          : 'the error that decides the run';
  const marked = events.some((e) => e.kind === 'report' && e.value === headline);
  const inFunction = report.function === null ? '' : `, in ${escapeHtml(report.function)}`;
  const where = `cpu ${report.processor}, tick ${report.tick}${inFunction}`;
  const show = marked
    ? `<a href="#mark-${headline}">show on the timeline</a>`
    : 'before the kept events (see the overview)';
  const full = `<a href="#report-${headline}">full report #${headline}</a>`;
  const more = reports.length > 1 ? ` · ${plural(reports.length - 1, 'more report')} below` : '';
  const rule = escapeHtml(report.rule);
  return [
    `<div class="headline ${report.severity}" id="headline" data-report="${headline}" data-rule="${rule}">`,
    `<div><strong>${rule}</strong> — ${escapeHtml(report.title)} <span class="why">(${why})</span></div>`,
    `<div class="msg">${escapeHtml(report.message)}</div>`,
    `<div>${where} · ${show} · ${full}${more}</div>`,
    '</div>',
  ].join('\n');
}

export function reportsHtml(
  reports: readonly Report[],
  headline: number,
  events: readonly TraceEvent[],
  /** Per report, the driver's line of the call that raised it (DRIVER CALL), or null. */
  locations: readonly (string | null)[] = [],
): string {
  if (reports.length === 0) return '<p>No violation.</p>';
  const marked = new Set(events.filter((e) => e.kind === 'report').map((e) => e.value));
  const others = reports.map((_, i) => i).filter((i) => i !== headline);
  const order = headline >= 0 ? [headline, ...others] : others;
  return order
    .map((i) => {
      const report = reports[i]!;
      const rule = escapeHtml(report.rule);
      const inFunction = report.function === null ? '' : ` in ${escapeHtml(report.function)}`;
      const tag = i === headline ? ' <span class="tag">headline</span>' : '';
      const toMark = marked.has(i) ? ` <a href="#mark-${i}" class="to-mark">mark</a>` : '';
      const at = `(cpu ${report.processor}, tick ${report.tick})`;
      const heading = `#${i} ${rule} — ${escapeHtml(report.subject)}${inFunction} ${at}`;
      const kind = i === headline ? 'report headline-report' : 'report';
      const section = `<section class="${kind}" id="report-${i}" data-rule="${rule}">`;
      const location = locations[i] ?? null;
      const call = location === null ? '' : `DRIVER CALL:  ${location}\n`;
      return `${section}<h3>${heading}${tag}${toMark}</h3><pre>${escapeHtml(formatReportText(report) + call)}</pre></section>`;
    })
    .join('\n');
}

/** "cpu 2–7 idle": the processors without a lane, folded into runs of neighbours. */
export function idleLine(snapshot: TraceSnapshot, data: TimelineData): string {
  const busy = new Set(data.lanes.map((lane) => lane.cpu));
  const earlier = new Set(data.ov.cpus.map((row) => row.cpu));
  const groups: { from: number; to: number; earlier: boolean }[] = [];
  for (let p = 0; p < snapshot.processors; p++) {
    if (busy.has(p)) continue;
    const last = groups[groups.length - 1];
    if (last !== undefined && last.to === p - 1 && last.earlier === earlier.has(p)) last.to = p;
    else groups.push({ from: p, to: p, earlier: earlier.has(p) });
  }
  if (groups.length === 0) return '';
  const text = groups
    .map((g) => {
      const cpus = g.from === g.to ? `cpu ${g.from}` : `cpu ${g.from}–${g.to}`;
      return g.earlier ? `${cpus}: no kept events (busy earlier, see the overview)` : `${cpus} idle`;
    })
    .join('; ');
  return `<p class="idle" id="idle">${escapeHtml(text)}</p>`;
}

/** "1 report", "3 reports". */
export function plural(n: number, one: string): string {
  return `${n} ${one}${n === 1 ? '' : 's'}`;
}
