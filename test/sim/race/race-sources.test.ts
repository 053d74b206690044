/**
 * Where each access of a race was made in the driver's source (RaceAccessReport.source): asked of
 * the driver's source frames (a C driver's; the named lines of real C races: test/c/broken.test.ts),
 * else of the driver's own frames on the JavaScript stack (a TypeScript driver's), once per new kind
 * of access. On by default; `races: { sources: false }` turns it off, and the
 * explorer's search runs do (a stack capture per new kind of access costs more than a short run),
 * while its replays keep it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSimulation, E1000Nic, scenarioSimulation } from '@ddikit/sim';
import { describe, expect, it } from 'vitest';
import dpcSharedRace from '../../../examples/broken/dpc-shared-race.js';
import { testDriver } from '../drivers.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));

describe('race sources', () => {
  it('are asked of the source frames by default, and not with races: { sources: false }', () => {
    const on = createSimulation({ seed: 1, device: new E1000Nic() });
    const off = createSimulation({ seed: 1, device: new E1000Nic(), races: { sources: false } });
    expect(on.races?.sourceOf).not.toBeNull();
    expect(off.races?.sourceOf).toBeNull();
    // A driver with source frames: the innermost is the access's source.
    on.verifier.sourceFrames = () => [{ function: 'ContosoDpc', file: 'drv.c', line: 12, column: 5 }];
    expect(on.races?.sourceOf?.()).toEqual({ function: 'ContosoDpc', file: 'drv.c', line: 12, column: 5 });
  });

  it('are off in the explorer’s search runs, on in a replay', () => {
    const target = { driver: testDriver() };
    expect(scenarioSimulation(target).races?.sourceOf).toBeNull();
    expect(scenarioSimulation(target, undefined, true).races?.sourceOf).not.toBeNull();
  });

  it("of a TypeScript driver, with races: { sources: true }, are its own innermost frames: each access's function, file and line", () => {
    const sim = createSimulation({ seed: 1, device: new E1000Nic(), mode: 'collect', races: { sources: true } });
    const result = sim.run(dpcSharedRace, { ticks: 100_000 });
    const race = result.reports.find((r) => r.rule === 'DPC-SHARED-RACE' && r.subject === 'framesReceived');
    const [write, read] = race!.race!.accesses;
    const lineOf = (file: string, text: string): number =>
      readFileSync(join(root, file), 'utf8')
        .split('\n')
        .findIndex((line) => line.includes(text)) + 1;
    expect(write.source).toMatchObject({
      function: 'cleanRxRing',
      file: 'examples/broken/_e1000.ts',
      line: lineOf('examples/broken/_e1000.ts', 'a.framesReceived += arrived'),
    });
    expect(read.source).toMatchObject({
      function: 'E1000Watchdog',
      file: 'examples/broken/dpc-shared-race.ts',
      line: lineOf('examples/broken/dpc-shared-race.ts', 'a.framesReceived'),
    });
    // By default (C drivers' sources only) and off, none.
    for (const races of [undefined, { sources: false }]) {
      const other = createSimulation({ seed: 1, device: new E1000Nic(), mode: 'collect', ...(races ? { races } : {}) });
      for (const r of other.run(dpcSharedRace, { ticks: 100_000 }).reports)
        for (const a of r.race?.accesses ?? []) expect(a.source).toBeUndefined();
    }
  });
});
