/**
 * The timeline page in headless Chromium, driven over the DevTools protocol (a pipe to the browser,
 * no dependency): at two window sizes the page fits the window and no two labels overlap, whole run
 * and zoomed; the headline banner links the report that decides the run; zooming and panning change
 * the visible ticks and reveal single calls. Set DDIKIT_TIMELINE_SHOTS to a folder to keep the
 * screenshots.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { createSimulation, renderTimeline, replay } from '@ddikit/sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import e1000Line, { scenario as e1000Scenario } from '../../../examples/scenarios/e1000-line.js';
import lostInterrupt, { scenario as lostScenario } from '../../../examples/scenarios/lost-interrupt.js';

const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
const onCi = process.env['CI'] !== undefined;
if (!haveChromium && !onCi) {
  process.stderr.write(
    `timeline-browser.test: ${CHROMIUM} not found, so the browser tests are skipped (install it: apt-get install -y chromium); on CI they fail instead\n`,
  );
}
const shots = process.env['DDIKIT_TIMELINE_SHOTS'];

const SIZES = [
  { width: 1400, height: 900 },
  { width: 800, height: 600 },
] as const;

describe.skipIf(!haveChromium && !onCi)('the timeline page in headless Chromium', () => {
  let dir = '';
  let browser: Browser;
  let lostPage = '';
  let longPage = '';

  beforeAll(async () => {
    expect(existsSync(CHROMIUM), `${CHROMIUM} is required on CI (apt-get install -y chromium)`).toBe(true);
    dir = mkdtempSync(join(tmpdir(), 'ddikit-timeline-browser-'));
    const lost = replay({
      driver: lostInterrupt,
      scenario: lostScenario,
      seed: 1,
      schedule: [{ index: 0, alternative: 1 }],
      trace: true,
    });
    lostPage = join(dir, 'lost.html');
    writeFileSync(lostPage, renderTimeline(lost.trace!, lost.result.reports, { title: 'lost interrupt' }));
    const sim = createSimulation({ seed: 1, device: e1000Scenario.device!(), trace: true });
    const result = sim.run(e1000Line, { ticks: 100_000 });
    longPage = join(dir, 'long.html');
    writeFileSync(longPage, renderTimeline(sim.trace!.snapshot(result.tick), result.reports, { title: 'e1000, 100k' }));
    browser = await Browser.launch(join(dir, 'profile'));
  });

  afterAll(async () => {
    await browser?.close();
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  it('fits the window and no two labels overlap, whole run and zoomed, at both sizes', async () => {
    for (const [name, page] of [
      ['lost', lostPage],
      ['long', longPage],
    ] as const) {
      for (const size of SIZES) {
        const tab = await browser.open(page, size.width, size.height);
        const where = `${name} at ${size.width}x${size.height}`;
        const fit = await tab.evaluate<{ scroll: number; inner: number; svg: number; viewBox: string }>(
          `({ scroll: document.documentElement.scrollWidth, inner: innerWidth,
              svg: document.getElementById('timeline').getBoundingClientRect().width,
              viewBox: document.getElementById('timeline').getAttribute('viewBox') })`,
        );
        expect(fit.scroll, `${where}: no horizontal scrolling`).toBeLessThanOrEqual(fit.inner);
        expect(fit.svg, `${where}: the plot takes the window's width`).toBeGreaterThan(fit.inner - 40);
        expect(fit.viewBox, `${where}: drawn at the window's width`).toMatch(
          new RegExp(`^0 0 ${Math.round(fit.svg)} `),
        );
        expectNoOverlap(await labelBoxes(tab), `${where}, whole run`);
        await tab.shoot(`${name}-${size.width}x${size.height}.png`);
        // Four steps in: 1/16 of the run.
        for (let i = 0; i < 4; i++) await tab.click('#tl-controls button[data-act="in"]');
        const zoomed = await tab.visibleTicks();
        expect(zoomed.t1 - zoomed.t0, where).toBeCloseTo((zoomed.end - zoomed.start) / 16, 0);
        expectNoOverlap(await labelBoxes(tab), `${where}, zoomed`);
        await tab.shoot(`${name}-${size.width}x${size.height}-zoomed.png`);
        expect(tab.errors, `${where}: script errors`).toEqual([]);
        await tab.close();
      }
    }
  });

  it('leads with the report that decides the run: the banner links its mark and its report', async () => {
    const tab = await browser.open(lostPage, 1400, 900);
    const banner = await tab.evaluate<{ rule: string; links: string[]; first: string; mark: string }>(
      `({ rule: document.getElementById('headline').dataset.rule,
          links: [...document.querySelectorAll('#headline a')].map((a) => a.getAttribute('href')),
          first: document.querySelector('section.report').id,
          mark: document.getElementById('mark-1').getAttribute('class') })`,
    );
    expect(banner).toEqual({
      rule: 'INT-LOST',
      links: ['#mark-1', '#report-1'],
      first: 'report-1',
      mark: 'violation headline',
    });
    expect(await tab.evaluate(`document.getElementById('report-1').dataset.rule`)).toBe('INT-LOST');
    // "show on the timeline" zooms to the mark.
    await tab.click('#headline a[href="#mark-1"]');
    const view = await tab.visibleTicks();
    expect(view.t0).toBeLessThan(376);
    expect(view.t1).toBeGreaterThan(376);
    expect(view.t1 - view.t0).toBeLessThan(view.end - view.start);
    expect(await tab.evaluate(`!!document.querySelector('#timeline text.mark-label.headline')`)).toBe(true);
    expectNoOverlap(await labelBoxes(tab), 'lost, at the headline');
    await tab.shoot('lost-1400x900-headline.png');
    expect(tab.errors).toEqual([]);
    await tab.close();
  });

  it('zooms with Ctrl+wheel around the pointer, pans by dragging, and shows single calls when zoomed in', async () => {
    const tab = await browser.open(longPage, 1400, 900);
    const whole = await tab.visibleTicks();
    expect([whole.t0, whole.t1]).toEqual([whole.start, whole.end]);
    expect(whole.end).toBeGreaterThanOrEqual(100_000);
    // Whole run: too dense to name single calls.
    expect(await tab.count('#timeline text.span-label')).toBe(0);

    const plot = await tab.evaluate<{ x: number; y: number; w: number }>(
      `(() => { const b = document.querySelector('#timeline .lane rect').getBoundingClientRect();
                return { x: b.x, y: b.y + 20, w: b.width }; })()`,
    );
    // The first ISR of cpu 0 in the second half of the run, from the page's own data.
    const isr = await tab.evaluate<number>(`(() => {
      const data = JSON.parse(document.getElementById('timeline-data').textContent);
      const spans = data.lanes[0].spans;
      for (let i = 0, tick = 0; i < spans.length; i += 4) {
        tick += spans[i];
        if (spans[i + 2] === 1 && tick > data.end / 2) return tick;
      }
      return -1;
    })()`);
    expect(isr).toBeGreaterThan(0);
    const xOf = (tick: number, view: { t0: number; t1: number }): number =>
      plot.x + ((tick - view.t0) / (view.t1 - view.t0)) * plot.w;
    // Six steps in with the pointer over the ISR, then three more once it can be aimed at closely.
    for (let i = 0; i < 6; i++) await tab.wheel(xOf(isr, whole), plot.y, -120, true);
    const closer = await tab.visibleTicks();
    expect(closer.t1 - closer.t0).toBeCloseTo((whole.end - whole.start) / 64, 0);
    expect(closer.t0).toBeLessThan(isr);
    expect(closer.t1).toBeGreaterThan(isr);
    for (let i = 0; i < 3; i++) await tab.wheel(xOf(isr, closer), plot.y, -120, true);
    const zoomed = await tab.visibleTicks();
    expect(zoomed.t1 - zoomed.t0).toBeCloseTo((whole.end - whole.start) / 512, 0);
    expect(zoomed.t0).toBeLessThan(isr);
    expect(zoomed.t1).toBeGreaterThan(isr);
    const x = xOf(isr, zoomed);
    // A wheel without Ctrl scrolls the page and leaves the view alone.
    await tab.wheel(x, plot.y, -120, false);
    expect(await tab.visibleTicks()).toEqual(zoomed);

    // Zoomed in: single ISRs and DPCs with their names, accesses labelled with register and value.
    const names = await tab.evaluate<string[]>(
      `[...document.querySelectorAll('#timeline text.span-label')].map((t) => t.textContent)`,
    );
    expect(names).toContain('E1000Isr');
    expect(names).toContain('E1000Dpc');
    expect(await tab.count('#timeline text.access-label')).toBeGreaterThan(0);
    expectNoOverlap(await labelBoxes(tab), 'long, 512× zoom');
    // Hovering the ISR names it with its ticks.
    const row = await tab.evaluate<number>(
      `(() => { const b = document.querySelector('#timeline #cpu-0 rect.span.isr').getBoundingClientRect(); return b.y + b.height / 2; })()`,
    );
    await tab.send('Input.dispatchMouseEvent', { type: 'mouseMoved', x: xOf(isr + 2, zoomed), y: row });
    const tip = await tab.evaluate<{ hidden: boolean; text: string }>(
      `({ hidden: document.getElementById('tl-tip').hidden, text: document.getElementById('tl-tip').textContent })`,
    );
    expect(tip.hidden).toBe(false);
    expect(tip.text).toMatch(new RegExp(`^E1000Isr \\(ISR\\) ticks ${isr}–\\d+, \\d+ ticks$`));
    await tab.shoot('long-1400x900-ctrl-wheel.png');

    // Drag to the left: later ticks, same span.
    await tab.drag(x, plot.y, x - plot.w / 4);
    const panned = await tab.visibleTicks();
    expect(panned.t1 - panned.t0).toBeCloseTo(zoomed.t1 - zoomed.t0, 3);
    expect(panned.t0).toBeCloseTo(zoomed.t0 + (zoomed.t1 - zoomed.t0) / 4, -1);

    await tab.click('#tl-controls button[data-act="all"]');
    expect(await tab.visibleTicks()).toEqual(whole);
    expect(tab.errors).toEqual([]);
    await tab.close();
  });
});

// ---- What the checks read from the page ---------------------------------------------------------------

interface Box {
  readonly text: string;
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

/** Every label of both drawings (and the lane titles), as the browser laid it out. */
function labelBoxes(tab: Tab): Promise<Box[]> {
  return tab.evaluate<Box[]>(
    `[...document.querySelectorAll('#timeline text, #overview text')].map((t) => {
       const b = t.getBoundingClientRect();
       return { text: t.textContent, x: b.x, y: b.y, w: b.width, h: b.height };
     })`,
  );
}

function expectNoOverlap(boxes: readonly Box[], where: string): void {
  expect(boxes.length, `${where}: labels`).toBeGreaterThan(5);
  const overlaps: string[] = [];
  for (let i = 0; i < boxes.length; i++) {
    const a = boxes[i]!;
    for (let j = i + 1; j < boxes.length; j++) {
      const b = boxes[j]!;
      if (a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h)
        overlaps.push(`"${a.text}" and "${b.text}"`);
    }
  }
  expect(overlaps, `${where}: overlapping labels`).toEqual([]);
}

// ---- A DevTools protocol client over --remote-debugging-pipe ------------------------------------------

interface Message {
  readonly id?: number;
  readonly method?: string;
  readonly params?: Record<string, unknown>;
  readonly result?: Record<string, unknown>;
  readonly error?: { readonly message: string };
  readonly sessionId?: string;
}

class Browser {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(m: Message): void; reject(e: Error): void }>();
  private readonly listeners: ((m: Message) => void)[] = [];

  private constructor(private readonly child: ChildProcess) {
    let buffered = '';
    (child.stdio[4] as Readable).on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      for (let end = buffered.indexOf('\0'); end >= 0; end = buffered.indexOf('\0')) {
        const message = JSON.parse(buffered.slice(0, end)) as Message;
        buffered = buffered.slice(end + 1);
        if (message.id !== undefined) {
          const waiter = this.pending.get(message.id);
          this.pending.delete(message.id);
          if (message.error !== undefined) waiter?.reject(new Error(message.error.message));
          else waiter?.resolve(message);
        } else for (const listener of this.listeners.slice()) listener(message);
      }
    });
  }

  static async launch(profile: string): Promise<Browser> {
    const child = spawn(
      CHROMIUM,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        `--user-data-dir=${profile}`,
        '--hide-scrollbars',
        '--remote-debugging-pipe',
        'about:blank',
      ],
      { stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'] },
    );
    const browser = new Browser(child);
    await browser.send('Target.getTargets');
    return browser;
  }

  send(method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<Record<string, unknown>> {
    const id = this.nextId++;
    const message = { id, method, params, ...(sessionId !== undefined ? { sessionId } : {}) };
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${method}: no answer from Chromium`)), 20_000);
      this.pending.set(id, {
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m.result ?? {});
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      (this.child.stdio[3] as Writable).write(`${JSON.stringify(message)}\0`);
    });
  }

  /** The next event `method` of a session. */
  next(method: string, sessionId: string): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${method}: not seen`)), 20_000);
      const listener = (m: Message): void => {
        if (m.method !== method || m.sessionId !== sessionId) return;
        clearTimeout(timer);
        this.listeners.splice(this.listeners.indexOf(listener), 1);
        resolve(m.params ?? {});
      };
      this.listeners.push(listener);
    });
  }

  on(listener: (m: Message) => void): void {
    this.listeners.push(listener);
  }

  /** A new tab of `width` × `height` CSS pixels showing `page`, loaded. */
  async open(page: string, width: number, height: number): Promise<Tab> {
    const { targetId } = (await this.send('Target.createTarget', { url: 'about:blank' })) as { targetId: string };
    const { sessionId } = (await this.send('Target.attachToTarget', { targetId, flatten: true })) as {
      sessionId: string;
    };
    const tab = new Tab(this, targetId, sessionId);
    this.on((m) => {
      if (m.sessionId === sessionId && m.method === 'Runtime.exceptionThrown')
        tab.errors.push(JSON.stringify((m.params as { exceptionDetails: unknown }).exceptionDetails));
    });
    await tab.send('Runtime.enable');
    await tab.send('Page.enable');
    await tab.send('Emulation.setDeviceMetricsOverride', { width, height, deviceScaleFactor: 1, mobile: false });
    const loaded = this.next('Page.loadEventFired', sessionId);
    await tab.send('Page.navigate', { url: `file://${page}` });
    await loaded;
    await tab.frame();
    return tab;
  }

  /** Closes the browser and waits for it to exit (its profile folder can go then). */
  async close(): Promise<void> {
    const exited = new Promise((done) => this.child.once('exit', done));
    if (this.child.exitCode === null) {
      await this.send('Browser.close').catch(() => this.child.kill());
      await exited;
    }
  }
}

class Tab {
  readonly errors: string[] = [];

  constructor(
    private readonly browser: Browser,
    private readonly targetId: string,
    private readonly sessionId: string,
  ) {}

  send(method: string, params: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    return this.browser.send(method, params, this.sessionId);
  }

  async evaluate<T>(expression: string): Promise<T> {
    const answer = (await this.send('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true })) as {
      result: { value: T };
      exceptionDetails?: unknown;
    };
    if (answer.exceptionDetails !== undefined)
      throw new Error(`${expression}: ${JSON.stringify(answer.exceptionDetails)}`);
    return answer.result.value;
  }

  /** Waits until the page has drawn what the last input asked for. */
  frame(): Promise<unknown> {
    return this.evaluate('new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))');
  }

  count(selector: string): Promise<number> {
    return this.evaluate(`document.querySelectorAll(${JSON.stringify(selector)}).length`);
  }

  async visibleTicks(): Promise<{ t0: number; t1: number; start: number; end: number }> {
    return this.evaluate(`(() => {
      const svg = document.getElementById('timeline');
      const data = JSON.parse(document.getElementById('timeline-data').textContent);
      return { t0: Number(svg.dataset.t0), t1: Number(svg.dataset.t1), start: data.start, end: data.end };
    })()`);
  }

  /** A real mouse click (pressed and released) at the middle of the element. */
  async click(selector: string): Promise<void> {
    const at = await this.evaluate<{ x: number; y: number } | null>(`(() => {
      const el = document.querySelector(${JSON.stringify(selector)});
      if (!el) return null;
      el.scrollIntoView({ block: 'center' });
      const b = el.getBoundingClientRect();
      return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
    })()`);
    expect(at, selector).not.toBeNull();
    for (const type of ['mousePressed', 'mouseReleased'])
      await this.send('Input.dispatchMouseEvent', { type, x: at!.x, y: at!.y, button: 'left', clickCount: 1 });
    await this.frame();
  }

  async wheel(x: number, y: number, deltaY: number, ctrl: boolean): Promise<void> {
    await this.send('Input.dispatchMouseEvent', {
      type: 'mouseWheel',
      x,
      y,
      deltaX: 0,
      deltaY,
      modifiers: ctrl ? 2 : 0,
    });
    await this.frame();
  }

  async drag(x: number, y: number, toX: number): Promise<void> {
    await this.send('Input.dispatchMouseEvent', { type: 'mouseMoved', x, y });
    await this.send('Input.dispatchMouseEvent', { type: 'mousePressed', x, y, button: 'left', clickCount: 1 });
    for (let k = 1; k <= 4; k++)
      await this.send('Input.dispatchMouseEvent', {
        type: 'mouseMoved',
        x: x + ((toX - x) * k) / 4,
        y,
        button: 'left',
        buttons: 1,
      });
    await this.send('Input.dispatchMouseEvent', { type: 'mouseReleased', x: toX, y, button: 'left', clickCount: 1 });
    await this.frame();
  }

  /** Keeps a screenshot of the viewport when DDIKIT_TIMELINE_SHOTS names a folder. */
  async shoot(name: string): Promise<void> {
    if (shots === undefined) return;
    const { data } = (await this.send('Page.captureScreenshot', { format: 'png' })) as { data: string };
    mkdirSync(shots, { recursive: true });
    writeFileSync(join(shots, name), Buffer.from(data, 'base64'));
  }

  async close(): Promise<void> {
    await this.browser.send('Target.closeTarget', { targetId: this.targetId });
  }
}
