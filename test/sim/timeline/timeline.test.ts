/**
 * The trace (a bounded ring plus an overview of the whole run) and the timeline page rendered from
 * it: what the trace records, that its memory is bounded, that the page is self-contained, has a
 * lane per processor, links each violation to its report and stays small for large runs — and that
 * headless Chromium renders it with the violation visible.
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

/** The lost interrupt, found by the explorer as schedule 0:1: two races and INT-LOST. */
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
  it('is one self-contained page: inline SVG and CSS, no script, nothing fetched', () => {
    const { trace, result } = lostInterruptRun();
    const html = renderTimeline(trace!, result.reports, { title: 'lost interrupt' });
    expect(html.startsWith('<!DOCTYPE html>\n')).toBe(true);
    expect(html.endsWith('</html>\n')).toBe(true);
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org\/2000\/svg)|\bsrc=|<link|@import|url\(/);
  });

  it('has a lane per processor with spans, lock holds and register accesses, and links each violation to its report', () => {
    const { trace, result } = lostInterruptRun();
    const html = renderTimeline(trace!, result.reports);
    expect(html).toContain('<g class="lane" id="cpu-0"');
    expect(html).toContain('<g class="lane" id="cpu-1"');
    expect(html).toMatch(/<rect class="span isr"[^>]*fill="#f28e2b"><title>LostIsr \(isr\)/);
    expect(html).toMatch(/<rect class="span dpc"[^>]*><title>LostDpc \(dpc\)/);
    expect(html).toMatch(/<rect class="span sync"[^>]*><title>EnableInterrupts \(sync\)/);
    expect(html).toMatch(/<rect class="lock"[^>]*><title>interrupt lock #\d+ held/);
    expect(html).toMatch(/<rect class="access"/);
    expect(html).toContain('<polyline class="irql"');
    for (let i = 0; i < result.reports.length; i++) {
      expect(html).toContain(`<a href="#report-${i}" class="violation" data-rule="${result.reports[i]!.rule}">`);
      expect(html).toContain(`<section class="report" id="report-${i}">`);
    }
    expect(html).toContain('RULE_ID:  INT-LOST');
  });

  it('stays small for a large run: one mark per pixel column and kind, and an overview of what the ring dropped', () => {
    const sim = createSimulation({ seed: 1, device: e1000Scenario.device!(), faults: { storm: 20 }, trace: true });
    const result = sim.run(e1000Line, { ticks: 400_000 });
    const snapshot: TraceSnapshot = sim.trace!.snapshot(result.tick);
    expect(snapshot.dropped).toBeGreaterThan(100_000);
    const html = renderTimeline(snapshot, result.reports, { width: 1000 });
    expect(html.length).toBeLessThan(2_500_000);
    expect((html.match(/<rect class="access"/g) ?? []).length).toBeLessThanOrEqual(2 * 1000);
    expect(html).toContain('<svg xmlns="http://www.w3.org/2000/svg" id="overview"');
  });

  it('renders an empty run and checks its width', () => {
    const html = renderTimeline(new Trace(1), []);
    expect(html).toContain('No violation.');
    expect(() => renderTimeline(new Trace(1), [], { width: 10 })).toThrow(/width must be an integer in 200\.\.20000/);
  });
});

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
      expect(dom).toMatch(/<a href="#report-2" class="violation" data-rule="INT-LOST">/);
      expect(dom).toContain('id="report-2"');
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
