/**
 * The drawing routine the page shares with its script: it turns the JSON island into SVG for a
 * window of ticks at a width in pixels, merging what falls within a pixel. It is kept as JavaScript
 * source text (draw-layout.ts, draw-lanes.ts, draw-marks.ts, draw-overview.ts), not as a function
 * of ours turned back into text: a bundler or minifier rewrites a function's text (helpers it
 * inserts, names it keeps or changes), and the page must be the same bytes whether the harness runs
 * from its sources or from its build. The page's script embeds DRAWING_SOURCE, and renderTimeline
 * draws the page as written by running the same text (compiledDrawing), so every page written
 * proves that the text its script runs works. The text builds strings only and refers to nothing
 * outside itself but standard JavaScript.
 */
import { DRAW_LANES_SOURCE } from './draw-lanes.js';
import { DRAW_LAYOUT_SOURCE } from './draw-layout.js';
import { DRAW_MARKS_SOURCE } from './draw-marks.js';
import { DRAW_OVERVIEW_SOURCE } from './draw-overview.js';
import type { LaneData, TimelineData } from './timeline-data.js';

/** Width of the label column left of the plot, in pixels: the page's script uses it too. */
export const VIEW_GUTTER = 112;
/** Room right of the plot, in pixels. */
export const VIEW_RIGHT = 28;

/** The decoded island: ticks absolute, durations turned back into ends. */
export interface TimelineModel extends Omit<TimelineData, 'lanes'> {
  readonly lanes: readonly LaneModel[];
}

export interface LaneModel extends LaneData {
  /** [start, end, kind, name]… */
  readonly spans: readonly number[];
  /** [start, end, name, depth]… */
  readonly locks: readonly number[];
}

export interface Drawn {
  readonly svg: string;
  readonly height: number;
  /**
   * What the script shows on hover, for a drawing without titles: per mark its box in the
   * drawing's coordinates (`boxes`: x0, y0, x1, y1…) and its text.
   */
  readonly boxes: readonly number[];
  readonly texts: readonly string[];
}

/** What DRAWING_SOURCE evaluates to. */
export interface TimelineDrawing {
  decode(data: TimelineData): TimelineModel;
  /**
   * The lanes from tick t0 to t1, `width` pixels wide (the label column included); with `titles`,
   * each mark carries its tooltip as an SVG title (the page as written), else in `boxes`/`texts`.
   */
  draw(model: TimelineModel, t0: number, t1: number, width: number, titles: boolean): Drawn;
  /** The whole run from the overview buckets, with the window t0..t1 outlined (`#ov-window`). */
  overview(model: TimelineModel, t0: number, t1: number, width: number): Drawn;
}

/** A JavaScript expression that evaluates to a TimelineDrawing. */
export const DRAWING_SOURCE = [
  '(function () {',
  "'use strict';",
  `const GUTTER = ${VIEW_GUTTER};`,
  `const RIGHT = ${VIEW_RIGHT};`,
  DRAW_LAYOUT_SOURCE,
  DRAW_LANES_SOURCE,
  DRAW_MARKS_SOURCE,
  DRAW_OVERVIEW_SOURCE,
  'return { decode: decode, draw: draw, overview: overview };',
  '})()',
].join('\n');

let compiled: TimelineDrawing | null = null;

/** DRAWING_SOURCE evaluated once: exactly what the page's script runs. */
export function compiledDrawing(): TimelineDrawing {
  compiled ??= new Function(`return ${DRAWING_SOURCE};`)() as TimelineDrawing;
  return compiled;
}
