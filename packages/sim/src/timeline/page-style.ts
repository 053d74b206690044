/**
 * What the page looks like around the drawing: the colours, the page's CSS, the legend and the zoom
 * controls.
 */

/** Colours, one per kind of mark (the violation colour is what a screenshot test looks for). */
export const TIMELINE_COLORS = {
  isr: '#f28e2b',
  dpc: '#4e79a7',
  sync: '#b07aa1',
  other: '#bab0ac',
  lock: '#59a14f',
  access: '#555555',
  field: '#2a9d8f',
  irql: '#222222',
  choice: '#edc948',
  violation: '#e00000',
  warning: '#ff9da7',
} as const;

/** The legend: a key per kind of mark, in its colour and the shape of its mark. */
export const LEGEND = [
  ['ISR', TIMELINE_COLORS.isr, 'box'],
  ['synchronize', TIMELINE_COLORS.sync, 'box'],
  ['DPC', TIMELINE_COLORS.dpc, 'box'],
  ['other role', TIMELINE_COLORS.other, 'box'],
  ['lock held', TIMELINE_COLORS.lock, 'bar'],
  ['register access', TIMELINE_COLORS.access, 'tick'],
  ['shared field access', TIMELINE_COLORS.field, 'tick'],
  ['scheduler departure', TIMELINE_COLORS.choice, 'diamond'],
  ['error', TIMELINE_COLORS.violation, 'dot'],
  ['warning', TIMELINE_COLORS.warning, 'dot'],
]
  .map(
    ([label, colour, shape]) =>
      `<span class="key"><span class="swatch ${shape}" style="background:${colour}"></span>${label}</span>`,
  )
  .join(' ');

/** The zoom and pan buttons, shown by the script (the page without script has no use for them). */
export const CONTROLS = [
  '<div class="controls" id="tl-controls" hidden>',
  '<button type="button" data-act="out" title="zoom out (−)">−</button>',
  '<button type="button" data-act="in" title="zoom in (+)">+</button>',
  '<button type="button" data-act="left" title="earlier (←)">◀</button>',
  '<button type="button" data-act="right" title="later (→)">▶</button>',
  '<button type="button" data-act="all" title="the whole run (0)">whole run</button>',
  '<span id="tl-range"></span><span id="tl-at"></span>',
  '<span class="hint">Ctrl+wheel or + − to zoom, drag to pan, double-click to zoom in; drag over the overview to pick ticks</span>',
  '</div>',
].join('');

/** The page's CSS but for the colours of the marks. */
export const PAGE_CSS = [
  'body{font:13px/1.4 system-ui,-apple-system,Segoe UI,sans-serif;margin:16px;color:#222;background:#fff}',
  'h1{font-size:18px;margin:0 0 4px}h2{font-size:15px;margin:18px 0 6px}h3{font-size:13px;margin:10px 0 4px}',
  '.sub{margin:0;color:#555}.legend{margin:6px 0}.key{margin-right:12px;white-space:nowrap}',
  '.swatch{display:inline-block;width:10px;height:10px;margin-right:4px;vertical-align:middle}',
  '.swatch.bar{height:4px}.swatch.tick{width:3px}.swatch.dot{border-radius:50%}.swatch.diamond{transform:rotate(45deg) scale(.8)}',
  '.headline{margin:10px 0;padding:8px 12px;border-left:6px solid #e00000;background:#fff0f0}',
  '.headline.warning{border-color:#ff9da7;background:#fff6f7}.headline.clean{border-color:#59a14f;background:#f2f9f1}',
  '.headline .why{color:#666}.headline .msg{color:#333;margin:2px 0}',
  '.plot{width:100%}.plot svg{display:block;width:100%;height:auto;margin-top:6px;touch-action:pan-y}.plot svg[hidden]{display:none}',
  '.axis{font-size:10px;fill:#666}.ov-label{font-size:9px;fill:#666}.lane-title{font-size:12px;font-weight:600;fill:#333}.lane-sum{font-weight:400;fill:#777;font-size:10px}',
  '.tick-label,.span-label,.access-label,.mark-label{font-family:ui-monospace,Menlo,Consolas,"DejaVu Sans Mono",monospace}',
  '.tick-label{font-size:10px;fill:#666}.span-label,.access-label,.mark-label{font-size:9px}.access-label{fill:#444}',
  '.mark-label{fill:#a00000;font-weight:600}.mark-label.headline{fill:#000}',
  'a.violation:focus circle,a.violation.flash circle{stroke:#1f6feb;stroke-width:3}',
  '.controls{position:sticky;top:0;z-index:1;background:#fff;padding:4px 0;display:flex;gap:6px;align-items:center;flex-wrap:wrap}',
  '.controls[hidden]{display:none}.controls button{font:inherit;min-width:28px}.controls .hint{color:#777;font-size:11px}#tl-range{font-variant-numeric:tabular-nums}',
  '#tl-at{color:#555;font-variant-numeric:tabular-nums;min-width:9em}',
  '#timeline{cursor:grab}#timeline.dragging{cursor:grabbing}#overview{cursor:crosshair}',
  '.idle{color:#666;margin:4px 0 0}',
  '.tip{position:fixed;z-index:2;max-width:480px;background:#fffffe;border:1px solid #bbb;box-shadow:0 1px 4px #0002;padding:3px 6px;font:11px/1.35 ui-monospace,Menlo,Consolas,monospace;white-space:pre-wrap;pointer-events:none}',
  '.lane-bg{fill:#fafafa;stroke:#ddd}.grid{fill:none;stroke:#ececec}.levels{fill:none;stroke:#e6e6e6}.not-kept{fill:#000;fill-opacity:.06}',
  '#ov-window{fill:#1f6feb;fill-opacity:.08;stroke:#1f6feb;stroke-width:1.5}.choice path{stroke:#7a5c00}',
  '.span-label{fill:#111}.span-label.dpc,.span-label.sync{fill:#fff}path.access{fill:none;stroke-width:1.5}',
  'a.violation .band{fill-opacity:.3}a.violation.headline .band{fill-opacity:.55}a.violation.headline circle{stroke:#000;stroke-width:2}',
  'pre{background:#f6f6f6;padding:8px;overflow:auto;font-size:11px}.report:target{outline:2px solid #e00000}',
  '.tag{background:#e00000;color:#fff;border-radius:3px;padding:0 4px;font-size:11px}.to-mark{font-weight:400;font-size:11px}',
].join('\n');

/** What takes its colour from TIMELINE_COLORS. */
export const COLOR_CSS = [
  `.span.isr,.ov-isr{fill:${TIMELINE_COLORS.isr}}.span.dpc,.ov-dpc{fill:${TIMELINE_COLORS.dpc}}`,
  `.span.sync{fill:${TIMELINE_COLORS.sync}}.span.role{fill:${TIMELINE_COLORS.other}}.lock{fill:${TIMELINE_COLORS.lock}}`,
  `path.access{stroke:${TIMELINE_COLORS.access}}path.access.field{stroke:${TIMELINE_COLORS.field}}`,
  `path.irql{stroke:${TIMELINE_COLORS.irql};stroke-width:1.2;fill:${TIMELINE_COLORS.irql};fill-opacity:.09}`,
  `.choice path{fill:${TIMELINE_COLORS.choice}}a.violation circle,a.violation .band,.ov-report{fill:${TIMELINE_COLORS.violation}}`,
  `a.violation.warning circle,a.violation.warning .band{fill:${TIMELINE_COLORS.warning}}`,
].join('\n');
