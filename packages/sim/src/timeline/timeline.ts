/**
 * The timeline of a run: one self-contained HTML page (inline SVG, CSS and script; nothing fetched)
 * that opens on the report deciding the run — a banner linking its mark and its full report — then
 * draws a lane per busy processor: IRQL over ticks as a step line with a label for each level the
 * processor reached, a row per kind of role call (ISR, synchronize, DPC, other), spin-lock holds,
 * register and shared-field accesses, the scheduler's departures and every report, marked on its
 * lane and linked to its report, printed in full below. Processors without events fold into one
 * line; an overview strip shows the whole run from the trace's buckets.
 *
 * The page carries the kept events as a JSON island (timeline-data.ts) and one drawing routine
 * (drawing.ts) that turns them into SVG for a window of ticks at a width in pixels, merging what
 * falls within a pixel. The same routine, kept as JavaScript source, draws the page as written (the
 * whole run at `width`, readable without script) and, in the page's script (page-script.ts),
 * redraws the visible window at the window's width on every zoom, pan and resize — so zooming
 * reveals single calls and accesses. The page stays bounded: at most `detailEventsMax` events
 * travel in it, and every drawing holds at most a few marks per pixel column and row.
 */
import { formatTicks } from '../core/time.js';
import type { Trace, TraceSnapshot } from '../core/trace.js';
import { TRACE_EVENTS_DEFAULT, TRACE_EVENTS_MAX } from '../core/trace.js';
import type { Report } from '../verifier/report-types.js';
import { compiledDrawing, type Drawn, VIEW_GUTTER, VIEW_RIGHT } from './drawing.js';
import { escapeHtml, headlineBanner, idleLine, plural, reportsHtml } from './page-reports.js';
import { PAGE_SCRIPT } from './page-script.js';
import { COLOR_CSS, CONTROLS, LEGEND, PAGE_CSS } from './page-style.js';
import { buildData, detailWindow, headlineReport, type TimelineData } from './timeline-data.js';

export { TIMELINE_COLORS } from './page-style.js';

export interface TimelineOptions {
  /** The page title (default "ddikit timeline"). */
  readonly title?: string;
  /** Lines under the title (driver, seed, the schedule, the command that replays it). */
  readonly subtitle?: readonly string[];
  /**
   * Width of the plot in pixels as the page is written (default 1200); the page scales it to the
   * window, and its script redraws at the window's width.
   */
  readonly width?: number;
  /**
   * Events the page carries for zooming (default 65,536, the trace's default ring): from a larger
   * trace, the events around the headline report (else the last ones) are kept.
   */
  readonly detailEventsMax?: number;
  /**
   * Per report (same order as `reports`): the driver's `file:line:col` of the call that raised it
   * (RunResult.reportLocations), shown under the report as DRIVER CALL; null where there is none.
   */
  readonly reportLocations?: readonly (string | null)[];
}

/** Renders a trace and the run's reports as one HTML page (see the module comment). */
export function renderTimeline(
  trace: Trace | TraceSnapshot,
  reports: readonly Report[],
  options: TimelineOptions = {},
): string {
  const snapshot: TraceSnapshot =
    'snapshot' in trace && typeof trace.snapshot === 'function' ? trace.snapshot() : (trace as TraceSnapshot);
  const width = options.width ?? 1200;
  if (!Number.isInteger(width) || width < 200 || width > 20_000)
    throw new RangeError(`renderTimeline: width must be an integer in 200..20000 (got ${String(width)})`);
  const detailEventsMax = options.detailEventsMax ?? TRACE_EVENTS_DEFAULT;
  if (!Number.isInteger(detailEventsMax) || detailEventsMax < 16 || detailEventsMax > TRACE_EVENTS_MAX)
    throw new RangeError(
      `renderTimeline: detailEventsMax must be an integer in 16..${TRACE_EVENTS_MAX} (got ${String(detailEventsMax)})`,
    );
  const locations = options.reportLocations ?? [];
  if (
    !Array.isArray(locations) ||
    locations.length > reports.length ||
    !locations.every((location) => location === null || typeof location === 'string')
  )
    throw new TypeError('renderTimeline: reportLocations must be a list of strings or null, one per report at most');
  const title = options.title ?? 'ddikit timeline';
  const headline = headlineReport(reports);
  const events = detailWindow(snapshot.events, detailEventsMax, headline);
  const data = buildData(snapshot, events, reports, headline);
  const json = JSON.stringify(data).replace(/</g, '\\u003c');

  // Draw the page as written from the JSON the script will read, with the source the script runs.
  const view = compiledDrawing();
  const model = view.decode(JSON.parse(json) as TimelineData);
  const pageWidth = width + VIEW_GUTTER + VIEW_RIGHT;
  const main = view.draw(model, model.start, model.end, pageWidth, true);
  const strip = view.overview(model, model.start, model.end, pageWidth);

  const subtitle = (options.subtitle ?? []).map((line) => `<p class="sub">${escapeHtml(line)}</p>`).join('\n');
  const around = headline >= 0 ? 'the headline' : 'the end';
  const kept =
    events.length < snapshot.events.length
      ? `; the ${events.length} events around ${around} of ${snapshot.events.length} kept are drawn`
      : '';
  const of = data.end < data.runEnd ? ` of ${formatTicks(data.runEnd)}` : '';
  const dropped = snapshot.dropped > 0 ? `, the first ${snapshot.dropped} only in the overview` : '';
  const ticks = `ticks ${formatTicks(data.start)} – ${formatTicks(data.end)}${of}`;
  const range = `${ticks}; ${snapshot.recorded} events recorded${dropped}${kept}`;
  const svgOpen = (id: string, drawn: Drawn, label: string): string =>
    `<svg xmlns="http://www.w3.org/2000/svg" id="${id}" viewBox="0 0 ${pageWidth} ${drawn.height}"` +
    ` data-t0="${data.start}" data-t1="${data.end}" role="img" aria-label="${escapeHtml(label)}">`;
  const busy = `timeline of ${plural(data.lanes.length, 'busy processor')} of ${snapshot.processors}`;

  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${PAGE_CSS}\n${COLOR_CSS}</style>`,
    '</head>',
    '<body>',
    `<h1>${escapeHtml(title)}</h1>`,
    subtitle,
    headlineBanner(reports, headline, events),
    `<p class="sub">${escapeHtml(range)}; ${plural(reports.length, 'report')}</p>`,
    `<p class="legend">${LEGEND}</p>`,
    CONTROLS,
    '<div class="tip" id="tl-tip" hidden></div>',
    '<div class="plot">',
    strip.height > 0
      ? `${svgOpen('overview', strip, 'overview of the whole run')}\n${strip.svg}\n</svg>`
      : '<svg xmlns="http://www.w3.org/2000/svg" id="overview" viewBox="0 0 10 0" hidden></svg>',
    `${svgOpen('timeline', main, busy)}\n${main.svg}\n</svg>`,
    '</div>',
    idleLine(snapshot, data),
    '<h2>Reports</h2>',
    reportsHtml(reports, headline, events, locations),
    `<script type="application/json" id="timeline-data">${json}</script>`,
    `<script>${pageScript()}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

function pageScript(): string {
  // The HTML parser would end the script early at either (the drawing's strings never hold them).
  if (/<\/script|<!--/i.test(PAGE_SCRIPT))
    throw new Error('renderTimeline: the page script holds "</script" or "<!--"');
  return PAGE_SCRIPT;
}
