/**
 * The drawing's base, as browser source: sizes, text helpers, the decoding of the JSON island, the
 * layout of a lane's rows and the tooltips. See drawing.ts for how the parts are put together and
 * why they are source text.
 *
 * What the drawing passes around:
 * - a layout (`layout`): `levelY` (per level of the lane, its y), `top`, `rows` ({ key, label, kind,
 *   y, h }: kind is the span kind, or -1 for the locks, registers, fields and marks rows), `height`;
 * - a canvas (`draw`): the markup so far (`out`), the model, the window `t0`..`t1`, `plot` (the plot's
 *   width), `width`, `titles`, the tooltips (`boxes`, `texts`), the current lane's `top` and `X`
 *   (tick → x).
 */
export const DRAW_LAYOUT_SOURCE = String.raw`
const AXIS = 24;
const LANE_GAP = 10;
const HEADER = 20;
const LEVEL_STEP = 13;
const IRQL_HEIGHT = 52;
const ROW = 15;
/** Advance of the monospace font, in ems (DejaVu Sans Mono and Menlo 0.602, Consolas 0.55). */
const ADVANCE = 0.63;
const SMALL = 9;
const KINDS = [
  { kind: 1, key: 'isr', label: 'ISR' },
  { kind: 3, key: 'sync', label: 'synchronize' },
  { kind: 2, key: 'dpc', label: 'DPC' },
  { kind: 0, key: 'role', label: 'other roles' },
];
const KIND_NAMES = ['role call', 'ISR', 'DPC', 'synchronize call'];

function esc(text) {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
function n1(n) {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}
function textWidth(text, size) {
  return text.length * size * ADVANCE;
}
function hex(value) {
  return '0x' + (value >>> 0).toString(16);
}
/**
 * An element: its attributes in the order given, written as they are (text in them is escaped by
 * the caller), then its content and end tag, or "/>" without content.
 */
function el(name, attributes, content) {
  let s = '<' + name;
  for (const key of Object.keys(attributes)) s += ' ' + key + '="' + attributes[key] + '"';
  return content === undefined ? s + '/>' : s + '>' + content + '</' + name + '>';
}

function undelta(flat, stride) {
  const out = flat.slice();
  for (let i = stride; i < out.length; i += stride) out[i] = out[i] + out[i - stride];
  return out;
}
function ends(flat, stride) {
  for (let i = 0; i < flat.length; i += stride) flat[i + 1] = flat[i] + flat[i + 1];
  return flat;
}
/** The island decoded: ticks absolute, durations turned back into ends. */
function decode(data) {
  return {
    ...data,
    lanes: data.lanes.map((lane) => ({
      ...lane,
      irql: undelta(lane.irql, 2),
      spans: ends(undelta(lane.spans, 4), 4),
      locks: ends(undelta(lane.locks, 4), 4),
      accesses: undelta(lane.accesses, 4),
      choices: undelta(lane.choices, 4),
      reports: undelta(lane.reports, 3),
    })),
  };
}

/** Where everything of a lane goes; depends on what the lane holds, not on the window. */
function layout(lane) {
  const top = HEADER + 8;
  // At least LEVEL_STEP apart (the labels' height), spread over IRQL_HEIGHT when there are few.
  const step = Math.max(LEVEL_STEP, Math.min(24, IRQL_HEIGHT / Math.max(1, lane.levels.length - 1)));
  const levelY = lane.levels.map((_, i) => top + (lane.levels.length - 1 - i) * step);
  let y = top + (lane.levels.length - 1) * step + 10;
  const rows = [];
  const add = (key, label, kind, h) => {
    rows.push({ key, label, kind, y, h });
    y += h;
  };
  for (const k of KINDS) {
    for (let i = 2; i < lane.spans.length; i += 4) {
      if (lane.spans[i] === k.kind) {
        add(k.key, k.label, k.kind, ROW);
        break;
      }
    }
  }
  if (lane.locks.length > 0) add('locks', 'locks', -1, ROW);
  let registers = false;
  let fields = false;
  for (let i = 1; i < lane.accesses.length; i += 4) {
    if (lane.accesses[i] < 2) registers = true;
    else fields = true;
  }
  if (registers) add('registers', 'registers', -1, ROW + 3);
  if (fields) add('fields', 'shared fields', -1, ROW + 3);
  if (lane.choices.length > 0 || lane.reports.length > 0) add('marks', 'reports', -1, ROW + 5);
  return { levelY, top, rows, height: y + 6 };
}

/** A step of 1, 2 or 5 × 10^k ticks at least the ticks given. */
function niceStep(ticks) {
  const p = 10 ** Math.floor(Math.log10(Math.max(1, ticks)));
  for (const m of [1, 2, 5, 10]) if (m * p >= ticks) return m * p;
  return 10 * p;
}

/** A tooltip: an SVG title (returned), or a box the script looks up on hover (recorded, '' returned). */
function tip(c, x0, y0, x1, y1, text) {
  if (c.titles) return '<title>' + esc(text) + '</title>';
  c.boxes.push(x0, c.top + y0, x1, c.top + y1);
  c.texts.push(text);
  return '';
}
`;
