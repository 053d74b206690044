/**
 * The page's script, drawing included, is JavaScript source of its own, never a bundled function's
 * text (a bundler rewrites that): so the page is the same bytes whether the harness runs from its
 * sources or from its build — the same trace and reports are rendered by the tsup build of
 * @ddikit/sim under plain node, by the sources under tsx, and by the sources in this test — and,
 * as TypeScript does not check source text, TypeScript reads the script here for unknown names.
 *
 * The build is made here from packages/sim/tsup.config.ts into a folder of its own (the config's
 * output, without declarations), not read from packages/sim/dist: that folder may be older than the
 * sources, and other tests run the CLI from it while this one runs.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createSimulation, renderTimeline, replay, type Report, type TraceSnapshot } from '@ddikit/sim';
import { build, type Options } from 'tsup';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import e1000Line, { scenario as e1000Scenario } from '../../../examples/scenarios/e1000-line.js';
import lostInterrupt, { scenario as lostScenario } from '../../../examples/scenarios/lost-interrupt.js';
import { PAGE_SCRIPT } from '../../../packages/sim/src/timeline/page-script.js';
import simBuild from '../../../packages/sim/tsup.config.js';

const root = join(import.meta.dirname, '../../..');

/** Reads a case (trace, reports, options) as JSON, renders it with the given module, prints the page. */
const RENDER_SCRIPT = `
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
const [modulePath, casePath] = process.argv.slice(2);
const { renderTimeline } = await import(pathToFileURL(modulePath).href);
const { trace, reports, options } = JSON.parse(readFileSync(casePath, 'utf8'));
process.stdout.write(renderTimeline(trace, reports, options));
`;

interface Case {
  readonly name: string;
  readonly trace: TraceSnapshot;
  readonly reports: readonly Report[];
  readonly options: Parameters<typeof renderTimeline>[2];
}

function cases(): Case[] {
  const lost = replay({
    driver: lostInterrupt,
    scenario: lostScenario,
    seed: 1,
    schedule: [{ index: 0, alternative: 1 }],
    trace: true,
  });
  const sim = createSimulation({ seed: 1, device: e1000Scenario.device!(), trace: { eventsMax: 4096 } });
  const result = sim.run(e1000Line, { ticks: 30_000 });
  return [
    { name: 'lost', trace: lost.trace!, reports: lost.result.reports, options: { title: 'lost interrupt' } },
    {
      name: 'e1000',
      trace: sim.trace!.snapshot(result.tick),
      reports: result.reports,
      options: { width: 900, subtitle: ['seed=1'] },
    },
  ];
}

/** The page `dir`/render.mjs prints for a case, with `modulePath` loaded by node run with `nodeOptions`. */
function renderWith(dir: string, nodeOptions: string[], modulePath: string, casePath: string): string {
  return execFileSync(process.execPath, [...nodeOptions, join(dir, 'render.mjs'), modulePath, casePath], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
}

describe('the timeline page from the build and from the sources', () => {
  // Under node_modules/.cache so that the build's bare import of @ddikit/ndis resolves as it does in packages/sim/dist.
  const cache = join(root, 'node_modules/.cache');
  let dir = '';

  beforeAll(async () => {
    mkdirSync(cache, { recursive: true });
    dir = mkdtempSync(join(cache, 'ddikit-timeline-build-'));
    // The sim's ESM build as its config makes it (the config may list a CommonJS build beside it).
    const configs = (Array.isArray(simBuild) ? simBuild : [simBuild]) as Options[];
    const esm = configs.find((c) => [c.format].flat().includes('esm')) ?? configs[0]!;
    await build({
      ...esm,
      onSuccess: undefined,
      config: false,
      outDir: join(dir, 'dist'),
      dts: false,
      silent: true,
    });
    writeFileSync(join(dir, 'render.mjs'), RENDER_SCRIPT);
  });

  afterAll(() => {
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  it('is byte-identical: tsup build under node, sources under tsx, sources in the test', () => {
    for (const c of cases()) {
      const casePath = join(dir, `${c.name}.json`);
      writeFileSync(casePath, JSON.stringify({ trace: c.trace, reports: c.reports, options: c.options }));
      const input = JSON.parse(readFileSync(casePath, 'utf8')) as Case;
      const here = renderTimeline(input.trace, input.reports, input.options);
      const fromBuild = renderWith(dir, [], join(dir, 'dist/index.js'), casePath);
      const fromSources = renderWith(dir, ['--import', 'tsx'], join(root, 'packages/sim/src/index.ts'), casePath);
      expect(fromBuild.length, c.name).toBeGreaterThan(20_000);
      expect(fromBuild.includes('<a href="#report-'), c.name).toBe(c.reports.length > 0);
      expect(fromBuild === fromSources, `${c.name}: the build and the sources under tsx render different pages`).toBe(
        true,
      );
      expect(fromSources === here, `${c.name}: the sources under tsx and in the test render different pages`).toBe(
        true,
      );
    }
  });
});

/** The browser globals the page's script may use (it fetches nothing: no fetch, XMLHttpRequest, WebSocket …). */
const BROWSER_GLOBALS = [
  'document',
  'window',
  'location',
  'innerWidth',
  'innerHeight',
  'requestAnimationFrame',
  'setTimeout',
];

const libFiles = new Map<string, ts.SourceFile | undefined>();

/** TypeScript's errors for `source` read as a script with the ES2022 library and BROWSER_GLOBALS, as `line: message`. */
function scriptDiagnostics(source: string): { code: number; text: string }[] {
  const name = '/page-script.js';
  const globals = '/browser-globals.d.ts';
  const options: ts.CompilerOptions = {
    allowJs: true,
    checkJs: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    lib: ['lib.es2022.d.ts'],
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists } = host;
  const own: Record<string, string> = {
    [name]: source,
    [globals]: BROWSER_GLOBALS.map((global) => `declare var ${global}: any;`).join('\n'),
  };
  host.getSourceFile = (file, language, ...rest) => {
    if (own[file] !== undefined) return ts.createSourceFile(file, own[file], language);
    if (!libFiles.has(file)) libFiles.set(file, getSourceFile.call(host, file, language, ...rest));
    return libFiles.get(file);
  };
  host.fileExists = (file) => own[file] !== undefined || fileExists.call(host, file);
  const program = ts.createProgram([globals, name], options, host);
  return ts.getPreEmitDiagnostics(program).map((d) => ({
    code: d.code,
    text: `${d.file === undefined ? '' : d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`,
  }));
}

describe("the page's script as TypeScript reads it", () => {
  it('has no error and uses no global but BROWSER_GLOBALS, the drawing included', () => {
    expect(scriptDiagnostics(PAGE_SCRIPT).map((d) => d.text)).toEqual([]);
  });

  it('would show a function the drawing misses, a global it is not allowed and a syntax error', () => {
    const broken = PAGE_SCRIPT.replace('function drawLocks(', 'function drawLocksRenamed(').replace(
      'var MIN_TICKS = 8;',
      'var MIN_TICKS = 8 +; fetch(location.href);',
    );
    const found = scriptDiagnostics(broken);
    expect(found.map((d) => d.text).join('\n')).toMatch(/Cannot find name 'drawLocks'/);
    expect(found.map((d) => d.text).join('\n')).toMatch(/Cannot find name 'fetch'/);
    expect(found.some((d) => d.code < 2000)).toBe(true);
  });
});
