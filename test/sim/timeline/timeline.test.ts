/**
 * The trace (a bounded ring plus an overview of the whole run) and the timeline page rendered from
 * it: what the trace records, that its memory is bounded, that the page is self-contained, has a
 * lane per busy processor, leads with the report that decides the run, links each report to its mark,
 * carries the events for zooming and stays small for large runs — and that headless Chromium renders
 * it with the violation visible (timeline-browser.test.ts drives the page itself).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { createSimulation, renderTimeline, replay, TIMELINE_COLORS, Trace, type TraceSnapshot } from '@ddikit/sim';
import { describe, expect, it } from 'vitest';
import e1000Line, { scenario as e1000Scenario } from '../../../examples/scenarios/e1000-line.js';
import lostInterrupt, { scenario as lostScenario } from '../../../examples/scenarios/lost-interrupt.js';

/** The lost interrupt, found by the explorer as schedule 0:1: a race (on causes: the DPC reads it and writes IMS while every cause is masked, so only its write after the unmask races) and INT-LOST. */
function lostInterruptRun() {
  return replay({
    driver: lostInterrupt,
    scenario: lostScenario,
    seed: 1,
    schedule: [{ index: 0, alternative: 1 }],
    trace: true,
  });
}

describe('the trace', () => {
  it('records IRQL changes, role spans, lock holds, register and field accesses, choices and reports', () => {
    const { trace, result } = lostInterruptRun();
    const kinds = new Set(trace!.events.map((e) => e.kind));
    expect([...kinds].sort()).toEqual([
      'choice',
      'enter',
      'exit',
      'field-read',
      'field-write',
      'interrupt',
      'irql',
      'lock-acquire',
      'lock-release',
      'read',
      'report',
      'write',
    ]);
    const isr = trace!.events.find((e) => e.kind === 'enter' && e.name === 'LostIsr')!;
    expect(isr.value).toBe(1); // an ISR span
    expect(isr.irql).toBeGreaterThanOrEqual(3);
    const reports = trace!.events.filter((e) => e.kind === 'report');
    expect(reports.map((e) => [e.name, e.value])).toEqual(result.reports.map((r, i) => [r.rule, i]));
    const choice = trace!.events.find((e) => e.kind === 'choice')!;
    expect(choice).toMatchObject({ name: 'LostIsr (line) preempts on processor 0', value: 0, aux: 1 });
  });

  it('keeps the last eventsMax events and summarizes the whole run in its overview', () => {
    const sim = createSimulation({
      seed: 1,
      device: e1000Scenario.device!(),
      trace: { eventsMax: 256, overviewBuckets: 64 },
    });
    const result = sim.run(e1000Line, { ticks: 200_000 });
    const snapshot = sim.trace!.snapshot(result.tick);
    expect(snapshot.events).toHaveLength(256);
    expect(snapshot.dropped).toBe(snapshot.recorded - 256);
    expect(snapshot.recorded).toBeGreaterThan(10_000);
    // Ticks ascend across the ring's wrap.
    for (let i = 1; i < snapshot.events.length; i++)
      expect(snapshot.events[i]!.tick).toBeGreaterThanOrEqual(snapshot.events[i - 1]!.tick);
    // The overview covers the whole run: 64 buckets of a power-of-two width reaching past the end.
    const o = snapshot.overview;
    expect(o.bucketTicks * o.buckets).toBeGreaterThanOrEqual(result.tick);
    expect(o.bucketTicks * (o.buckets / 2)).toBeLessThan(result.tick);
    const isrs = o.isrs.flat().reduce((a, b) => a + b, 0);
    expect(isrs).toBe(result.stats.interrupts);
  });

  it('checks its options', () => {
    expect(() => new Trace(2, { eventsMax: 3 })).toThrow(/eventsMax must be an integer in 16\.\./);
    expect(() => new Trace(2, { overviewBuckets: 17 })).toThrow(/overviewBuckets must be an even integer/);
  });
});

describe('the timeline page', () => {
  it('is one self-contained page: inline SVG, CSS and script, nothing fetched', () => {
    const { trace, result } = lostInterruptRun();
    const html = renderTimeline(trace!, result.reports, { title: 'lost interrupt' });
    expect(html.startsWith('<!DOCTYPE html>\n')).toBe(true);
    expect(html.endsWith('</html>\n')).toBe(true);
    expect(html).not.toMatch(
      /https?:\/\/(?!www\.w3\.org\/2000\/svg")|\bsrc=|<link|@import|url\((?!#tl-clip\))|fetch\(|XMLHttpRequest|import\(|WebSocket|EventSource|sendBeacon/,
    );
    expect(html.match(/<script[^>]*>/g)).toEqual(['<script type="application/json" id="timeline-data">', '<script>']);
    // The same run renders to the same bytes.
    expect(renderTimeline(trace!, result.reports, { title: 'lost interrupt' })).toBe(html);
  });

  it('draws the whole run without script, at a width the window sets', () => {
    const { trace, result } = lostInterruptRun();
    const html = renderTimeline(trace!, result.reports, { width: 1000 });
    const svg = /<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" id="timeline"[^>]*>/.exec(html)![0];
    expect(svg).toMatch(/ viewBox="0 0 1140 \d+" data-t0="1" data-t1="803"/);
    expect(svg).not.toMatch(/ (width|height)=/);
    expect(html).toContain('.plot svg{display:block;width:100%;height:auto');
  });

  it('has a lane per busy processor with a row per kind of call, lock holds and accesses, and links each report to its mark', () => {
    const { trace, result } = lostInterruptRun();
    const html = renderTimeline(trace!, result.reports);
    expect(html).toContain('<g class="lane" id="cpu-0"');
    expect(html).toMatch(/<rect class="span isr"[^>]*><title>LostIsr \(ISR\) ticks \d+–\d+, \d+ ticks<\/title>/);
    expect(html).toMatch(/<rect class="span dpc"[^>]*><title>LostDpc \(DPC\) ticks/);
    expect(html).toMatch(/<rect class="span sync"[^>]*><title>EnableInterrupts \(synchronize call\) ticks/);
    expect(html).toMatch(/<rect class="lock"[^>]*><title>interrupt lock #\d+ held ticks/);
    expect(html).toMatch(/<path class="access" d="M/);
    expect(html).toMatch(/<path class="access field" d="M/);
    expect(html).toMatch(/<text [^>]*class="access-label">IMC=0xffffffff<\/text>/);
    expect(html).toMatch(/<path class="irql" d="M/);
    const rows = [...drawing(html, 'timeline').matchAll(/class="axis row-label" text-anchor="end">([^<]+)</g)];
    expect(rows.map((m) => m[1])).toEqual([
      'ISR',
      'synchronize',
      'DPC',
      'other roles',
      'locks',
      'registers',
      'shared fields',
      'reports',
    ]);
    for (let i = 0; i < result.reports.length; i++) {
      const rule = result.reports[i]!.rule;
      expect(html).toMatch(
        new RegExp(`<a href="#report-${i}" class="violation( headline)?" id="mark-${i}" data-rule="${rule}">`),
      );
      expect(html).toContain(
        `<section class="report${i === 1 ? ' headline-report' : ''}" id="report-${i}" data-rule="${rule}">`,
      );
    }
    expect(html).toContain('RULE_ID:  INT-LOST');
  });

  it('labels the IRQL levels the processor reached, the ISR’s DIRQL among them, and no other', () => {
    const { trace, result } = lostInterruptRun();
    const html = renderTimeline(trace!, result.reports);
    const svg = drawing(html, 'timeline');
    const levels = [...svg.matchAll(/class="axis level" text-anchor="end">([^<]+)</g)].map((m) => m[1]);
    expect(levels).toEqual(['PASSIVE', 'DISPATCH', 'DIRQL 9 · ISR']);
    // Far enough apart for a 10 px label each.
    const ys = [...svg.matchAll(/<text x="\d+" y="([\d.]+)" class="axis level"/g)].map((m) => Number(m[1]));
    for (let i = 1; i < ys.length; i++) expect(ys[i - 1]! - ys[i]!).toBeGreaterThanOrEqual(13);
  });

  it('folds processors without events into one line', () => {
    const sim = createSimulation({ seed: 1, device: lostScenario.device!(), processors: 8, trace: true });
    const result = sim.run(lostInterrupt, { ticks: 800 });
    const snapshot = sim.trace!.snapshot(result.tick);
    const busy = [...new Set(snapshot.events.map((e) => e.processor))].sort();
    expect(busy).toEqual([0, 5]);
    const html = renderTimeline(snapshot, result.reports);
    expect(html).toContain('<p class="idle" id="idle">cpu 1–4 idle; cpu 6–7 idle</p>');
    expect([...drawing(html, 'timeline').matchAll(/<g class="lane" id="(cpu-\d+)"/g)].map((m) => m[1])).toEqual([
      'cpu-0',
      'cpu-5',
    ]);
    expect(html).toContain('aria-label="timeline of 2 busy processors of 8"');
  });

  // The headline is the report that decides the run: the first error lockset analysis did not find,
  // else the first error, else the first warning.
  const { result: lost } = lostInterruptRun();
  const race = lost.reports[0]!;
  const intLost = lost.reports[1]!;
  const warning = { ...intLost, rule: 'TIME-BUDGET', severity: 'warning' as const, bugCheck: null };
  it.each([
    { name: 'races, then INT-LOST', given: [race, race, intLost], want: 2, why: '2 lockset race reports are listed' },
    { name: 'INT-LOST, then a race', given: [intLost, race], want: 0, why: 'the error that decides the run)' },
    { name: 'a warning, then a race', given: [warning, race], want: 1, why: 'the first error)' },
    { name: 'a warning, a race, INT-LOST', given: [warning, race, intLost], want: 2, why: '1 lockset race report is' },
    { name: 'warnings only', given: [warning, warning], want: 0, why: 'the first warning (no error)' },
  ])('heads the page with the report that decides the run: $name', ({ given, want, why }) => {
    const html = renderTimeline(new Trace(1), given);
    const banner = /<div class="headline (\w+)" id="headline" data-report="(\d+)" data-rule="([^"]+)">/.exec(html)!;
    expect(banner.slice(1)).toEqual([given[want]!.severity, String(want), given[want]!.rule]);
    expect(html).toContain(why);
    expect(html).toContain(`<a href="#report-${want}">full report #${want}</a>`);
    // Its report comes first.
    expect(/<section class="report[^"]*" id="report-(\d+)"/.exec(html)![1]).toBe(String(want));
  });

  it('links the headline to its mark, drawn larger and labelled', () => {
    const { trace, result } = lostInterruptRun();
    const html = renderTimeline(trace!, result.reports);
    expect(html).toContain('<div class="headline error" id="headline" data-report="1" data-rule="INT-LOST">');
    expect(html).toContain('<a href="#mark-1">show on the timeline</a> · <a href="#report-1">full report #1</a>');
    expect(html).toMatch(/<a href="#report-1" class="violation headline" id="mark-1" data-rule="INT-LOST">.*?r="7"/);
    expect(html).toMatch(/<text [^>]*class="mark-label headline">INT-LOST<\/text>/);
    expect(html).toMatch(/<a href="#report-0" class="violation" id="mark-0" data-rule="ISR-SHARED-RACE">.*?r="5"/);
  });

  it('carries every kept event for zooming, compactly: a 100,000-tick run stays under 600 kB', () => {
    const sim = createSimulation({ seed: 1, device: e1000Scenario.device!(), trace: true });
    const result = sim.run(e1000Line, { ticks: 100_000 });
    const snapshot = sim.trace!.snapshot(result.tick);
    expect(snapshot.dropped).toBe(0);
    const html = renderTimeline(snapshot, result.reports);
    expect(html.length).toBeLessThan(600_000);
    const data = island(html);
    const count = (kind: string) => snapshot.events.filter((e) => e.kind === kind).length;
    const records = (key: 'irql' | 'spans' | 'locks' | 'accesses', stride: number) =>
      data.lanes.reduce((n, lane) => n + lane[key].length / stride, 0);
    expect(records('irql', 2)).toBe(count('irql'));
    expect(records('spans', 4)).toBe(count('enter'));
    expect(records('locks', 4)).toBe(count('lock-acquire'));
    expect(records('accesses', 4)).toBe(count('read') + count('write') + count('field-read') + count('field-write'));
    expect(data.start).toBe(snapshot.events[0]!.tick);
    expect(data.end).toBe(result.tick);
  });

  it('stays small for a large run: a few marks per pixel column and row, and an overview of what the ring dropped', () => {
    const sim = createSimulation({ seed: 1, device: e1000Scenario.device!(), faults: { storm: 20 }, trace: true });
    const result = sim.run(e1000Line, { ticks: 400_000 });
    const snapshot: TraceSnapshot = sim.trace!.snapshot(result.tick);
    expect(snapshot.dropped).toBeGreaterThan(100_000);
    const html = renderTimeline(snapshot, result.reports, { width: 1000 });
    expect(html.length).toBeLessThan(2_500_000);
    const paths = [...drawing(html, 'timeline').matchAll(/<path class="access[^"]*" d="([^"]*)"/g)];
    expect(paths).toHaveLength(4);
    for (const [, d] of paths) expect(d!.split('M').length - 1).toBeLessThanOrEqual(1000);
    for (const kind of ['isr', 'dpc', 'sync'])
      expect((html.match(new RegExp(`<rect class="span ${kind}"`, 'g')) ?? []).length).toBeLessThanOrEqual(2 * 1000);
    expect(html).toContain('<svg xmlns="http://www.w3.org/2000/svg" id="overview"');
    expect(drawing(html, 'overview')).toMatch(
      /<rect class="not-kept"[^>]*><title>ticks 0–\d+: the page carries no events from here/,
    );
    expect(html).toContain(`the first ${snapshot.dropped} only in the overview`);
  });

  it('carries at most detailEventsMax events: those around the headline', () => {
    const { trace, result } = lostInterruptRun();
    const html = renderTimeline(trace!, result.reports, { detailEventsMax: 16 });
    expect(html).toContain('the 16 events around the headline of 174 kept are drawn');
    expect(html).toContain('id="mark-1"');
    expect(html).not.toContain('id="mark-0"');
    const data = island(html);
    const records = data.lanes.reduce(
      (n, l) =>
        n + l.irql.length / 2 + l.spans.length / 4 + l.locks.length / 4 + l.accesses.length / 4 + l.reports.length / 3,
      0,
    );
    expect(records).toBeLessThanOrEqual(16);
    // The 16 events centred on INT-LOST's mark: the lanes cover their ticks, the overview shades
    // the ticks before them (the events left out after them are all at the run's last tick).
    const events = trace!.events;
    const at = events.findIndex((e) => e.kind === 'report' && e.value === 1);
    const [first, last] = [events[at - 8]!, events[at + 7]!];
    expect([data.start, data.end, data.runEnd, data.cutBefore, data.cutAfter]).toEqual([
      first.tick,
      last.tick,
      803,
      true,
      true,
    ]);
    expect(drawing(html, 'overview').match(/<rect class="not-kept"[^>]*><title>[^<]*/g)).toEqual([
      expect.stringContaining(`<title>ticks 0–${first.tick}: the page carries no events from here, only these counts`),
    ]);
  });

  it("shows each report's DRIVER CALL line under it, escaped, and checks the list", () => {
    const { trace, result } = lostInterruptRun();
    expect(result.reports.length).toBeGreaterThanOrEqual(2);
    const locations = result.reports.map((_, i) => (i === 0 ? 'drivers/a<b>.ts:12:5' : null));
    const html = renderTimeline(trace!, result.reports, { reportLocations: locations });
    const first = /<section class="[^"]*" id="report-0"[^>]*>.*?<\/section>/s.exec(html)![0];
    expect(first).toContain('\nDRIVER CALL:  drivers/a&lt;b&gt;.ts:12:5\n</pre>');
    expect(html.split('DRIVER CALL:')).toHaveLength(2);
    expect(renderTimeline(trace!, result.reports)).not.toContain('DRIVER CALL:');
    expect(() => renderTimeline(trace!, result.reports, { reportLocations: [1] as never })).toThrow(
      /reportLocations must be a list of strings or null, one per report at most/,
    );
    expect(() =>
      renderTimeline(trace!, result.reports, { reportLocations: [...locations, null, null, null, null] }),
    ).toThrow(/one per report at most/);
  });

  it('renders an empty run and checks its options', () => {
    const html = renderTimeline(new Trace(1), []);
    expect(html).toContain('No violation.');
    expect(html).toContain('<strong>No report:</strong> the run is clean.');
    expect(html).toContain('<p class="idle" id="idle">cpu 0 idle</p>');
    expect(() => renderTimeline(new Trace(1), [], { width: 10 })).toThrow(/width must be an integer in 200\.\.20000/);
    expect(() => renderTimeline(new Trace(1), [], { detailEventsMax: 8 })).toThrow(
      /detailEventsMax must be an integer in 16\.\.4194304 \(got 8\)/,
    );
  });
});

interface Island {
  start: number;
  end: number;
  runEnd: number;
  cutBefore: boolean;
  cutAfter: boolean;
  lanes: { irql: number[]; spans: number[]; locks: number[]; accesses: number[]; reports: number[] }[];
}

/** One of the page's drawings, as written. */
function drawing(html: string, id: 'timeline' | 'overview'): string {
  return new RegExp(`<svg xmlns="http://www.w3.org/2000/svg" id="${id}".*?</svg>`, 's').exec(html)![0];
}

/** The page's JSON island. */
function island(html: string): Island {
  return JSON.parse(/<script type="application\/json" id="timeline-data">(.*?)<\/script>/s.exec(html)![1]!) as Island;
}

// ---- Chromium ---------------------------------------------------------------------------------------

const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium && process.env['CI'] === undefined) {
  process.stderr.write(
    `timeline.test: ${CHROMIUM} not found, so the rendering test is skipped (install it: apt-get install -y chromium); on CI it fails instead\n`,
  );
}

describe.skipIf(!haveChromium && process.env['CI'] === undefined)('the timeline in headless Chromium', () => {
  const flags = (profile: string) => [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    `--user-data-dir=${profile}`,
  ];

  it('renders, and shows the violations in their colour', () => {
    expect(existsSync(CHROMIUM), `${CHROMIUM} is required on CI (apt-get install -y chromium)`).toBe(true);
    const dir = mkdtempSync(join(tmpdir(), 'ddikit-timeline-'));
    try {
      const { trace, result } = lostInterruptRun();
      const page = join(dir, 'timeline.html');
      writeFileSync(page, renderTimeline(trace!, result.reports, { title: 'lost interrupt' }));
      const dom = execFileSync(CHROMIUM, [...flags(join(dir, 'profile-dom')), '--dump-dom', `file://${page}`], {
        encoding: 'utf8',
        timeout: 60_000,
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      expect(dom).toContain('<svg xmlns="http://www.w3.org/2000/svg" id="timeline"');
      expect(dom).toMatch(/<a href="#report-1" class="violation headline" id="mark-1" data-rule="INT-LOST">/);
      expect(dom).toContain('id="report-1"');
      const png = join(dir, 'shot.png');
      execFileSync(
        CHROMIUM,
        [
          ...flags(join(dir, 'profile-shot')),
          '--window-size=1400,700',
          '--hide-scrollbars',
          `--screenshot=${png}`,
          `file://${page}`,
        ],
        { timeout: 60_000, stdio: 'ignore' },
      );
      const image = decodePng(readFileSync(png));
      expect(image.width).toBe(1400);
      // The violation markers: pixels of exactly the violation colour.
      const hex = TIMELINE_COLORS.violation;
      const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
      let marked = 0;
      let drawn = 0;
      for (let y = 0; y < image.height; y++) {
        for (let x = 0; x < image.width; x++) {
          const [pr, pg, pb] = image.pixel(x, y);
          if (pr === r && pg === g && pb === b) marked++;
          if (pr !== 255 || pg !== 255 || pb !== 255) drawn++;
        }
      }
      expect(marked, 'violation-coloured pixels').toBeGreaterThan(100);
      expect(drawn, 'non-white pixels').toBeGreaterThan(20_000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** A minimal PNG decoder: 8-bit RGB or RGBA, not interlaced (what Chromium writes). */
function decodePng(data: Buffer): {
  width: number;
  height: number;
  pixel(x: number, y: number): [number, number, number];
} {
  expect(data.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
  let offset = 8;
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat: Buffer[] = [];
  while (offset < data.length) {
    const length = data.readUInt32BE(offset);
    const type = data.toString('ascii', offset + 4, offset + 8);
    const body = data.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      expect(body[8], 'bit depth').toBe(8);
      channels = body[9] === 6 ? 4 : body[9] === 2 ? 3 : 0;
      expect(channels, 'colour type RGB or RGBA').toBeGreaterThan(0);
      expect(body[12], 'interlace').toBe(0);
    } else if (type === 'IDAT') idat.push(body);
    offset += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const out = Buffer.alloc(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let i = 0; i < stride; i++) {
      const a = i >= channels ? out[y * stride + i - channels]! : 0;
      const b = y > 0 ? out[(y - 1) * stride + i]! : 0;
      const c = y > 0 && i >= channels ? out[(y - 1) * stride + i - channels]! : 0;
      let value = line[i]!;
      if (filter === 1) value += a;
      else if (filter === 2) value += b;
      else if (filter === 3) value += (a + b) >> 1;
      else if (filter === 4) {
        const p = a + b - c;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - b);
        const pc = Math.abs(p - c);
        value += pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      out[y * stride + i] = value & 0xff;
    }
  }
  return {
    width,
    height,
    pixel: (x, y) => [
      out[y * stride + x * channels]!,
      out[y * stride + x * channels + 1]!,
      out[y * stride + x * channels + 2]!,
    ],
  };
}
