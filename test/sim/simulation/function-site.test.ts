/**
 * A report made when none of the driver's code is running — ROLE-RETURN of a function NDIS called,
 * INT-LOST, INT-DEREGISTER — names where the driver function concerned is defined (`defined`, and
 * DEFINED_AT in the text), read through the inspector only when such a report is made: a clean run,
 * or one whose reports have a line of their own, never connects to it. A report that has the line of
 * a DDI call keeps it.
 */
import inspector from 'node:inspector';
import { readFileSync } from 'node:fs';
import { createSimulation, E1000Nic, formatReportText, type MiniportDefinition } from '@ddikit/sim';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { functionSite } from '../../../packages/sim/src/simulation/function-site.js';
import * as fixture from '../../cli/fixtures/defined-where.js';
import { testDriver } from '../drivers.js';
import { FakeDevice } from '../fake-device.js';

const FIXTURE = 'test/cli/fixtures/defined-where.ts';
const fixtureLines = readFileSync(FIXTURE, 'utf8').split('\n');
/** The 1-based line of the fixture where the function `name` is defined (`Role('name', (…) => {` or `function name(`). */
const definedLine = (name: string): number =>
  fixtureLines.findIndex((line) => line.includes(`('${name}', (`) || line.includes(`function ${name}(`)) + 1;

function run(driver: MiniportDefinition) {
  return createSimulation({ seed: 1, device: fixture.scenario.device!() as E1000Nic, mode: 'collect' }).run(driver, {
    ticks: 2000,
  });
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('reports about a function that is not running name where it is defined', () => {
  it.each([
    { driver: fixture.isrReturn, rule: 'ROLE-RETURN', fn: 'WhereIsr' },
    { driver: fixture.lostInterrupt, rule: 'INT-LOST', fn: 'WhereDpc' },
    { driver: fixture.noDeregister, rule: 'INT-DEREGISTER', fn: 'WhereHaltEx' },
  ])('$rule: $fn at its line of the fixture, in the report and its text', ({ driver, rule, fn }) => {
    const result = run(driver);
    const index = result.reports.findIndex((r) => r.rule === rule);
    const report = result.reports[index]!;
    expect(report.function).toBe(fn);
    expect(report.defined).toEqual({ function: fn, file: FIXTURE, line: definedLine(fn), column: expect.any(Number) });
    expect(report.defined!.column).toBeGreaterThan(0);
    expect(formatReportText(report)).toContain(
      `FUNCTION:  ${fn}\nDEFINED_AT:  ${fn} (${FIXTURE}:${definedLine(fn)}:${report.defined!.column})\n`,
    );
    // No call of the driver's raised it: no DRIVER CALL line.
    expect(result.reportLocations[index]).toBeNull();
  });

  it('a ROLE-RETURN of a function the driver called keeps the line of the call, and names the definition', () => {
    const result = run(fixture.syncReturn);
    const index = result.reports.findIndex((r) => r.rule === 'ROLE-RETURN');
    const call = fixtureLines.findIndex((line) => line.endsWith('// the call')) + 1;
    expect(result.reportLocations[index]).toMatch(new RegExp(`^${FIXTURE}:${call}:\\d+$`));
    expect(result.reports[index]!.defined).toMatchObject({
      function: 'EnableInSync',
      line: definedLine('EnableInSync'),
    });
  });

  it('a report of another rule names no definition, and keeps its line', () => {
    const lines = readFileSync('test/sim/simulation/function-site.test.ts', 'utf8').split('\n');
    const driver = testDriver({
      afterInitialize: (a) => {
        a.ndis.NdisAcquireSpinLock(a.lock);
        a.ndis.NdisAcquireSpinLock(a.lock); // reacquired
      },
    });
    const result = createSimulation({ seed: 2, device: new FakeDevice({ periodTicks: 300 }), mode: 'collect' }).run(
      driver,
      { ticks: 500 },
    );
    expect(result.reports.length).toBeGreaterThan(0);
    expect(result.reports.filter((r) => r.defined !== undefined)).toEqual([]);
    const reacquired = lines.findIndex((line) => line.endsWith('// reacquired')) + 1;
    expect(result.reportLocations).toContain(`test/sim/simulation/function-site.test.ts:${reacquired}:16`);
  });
});

describe('the inspector is asked only when a report needs a definition', () => {
  it('a clean run and a run of other reports connect no session; a report that needs one does', () => {
    const connect = vi.spyOn(inspector.Session.prototype, 'connect');
    expect(run(fixture.clean).clean).toBe(true);
    const other = createSimulation({ seed: 2, device: new FakeDevice({ periodTicks: 300 }), mode: 'collect' }).run(
      testDriver({
        afterInitialize: (a) => {
          a.ndis.NdisAcquireSpinLock(a.lock);
          a.ndis.NdisAcquireSpinLock(a.lock);
        },
      }),
      { ticks: 500 },
    );
    expect(other.clean).toBe(false);
    expect(connect).not.toHaveBeenCalled();
    run(fixture.lostInterrupt);
    expect(connect).toHaveBeenCalled();
  });
});

describe('functionSite', () => {
  const here = 'test/sim/simulation/function-site.test.ts';
  const ownLines = readFileSync(here, 'utf8').split('\n');
  const declared = (marker: string): number => ownLines.findIndex((line) => line.endsWith(marker)) + 1;
  const arrow = (a: number): number => a + 1; // an arrow function here
  function declaration(): void {} // a function declaration here

  it.each([
    {
      given: 'an arrow function of this file',
      fn: arrow,
      want: { file: here, line: declared('// an arrow function here') },
    },
    {
      given: 'a function declaration of this file',
      fn: declaration,
      want: { file: here, line: declared('// a function declaration here') },
    },
    { given: 'a built-in function', fn: Math.max, want: null },
    { given: 'a bound function', fn: arrow.bind(null), want: null },
    { given: 'code with no file', fn: new Function('return 1'), want: null },
    { given: 'a function of the harness', fn: createSimulation, want: null },
    { given: 'no function at all', fn: 42, want: null },
  ])('$given', ({ fn, want }) => {
    const site = functionSite(fn, 'Named');
    if (want === null) expect(site).toBeNull();
    else expect(site).toEqual({ function: 'Named', ...want, column: expect.any(Number) });
  });
});
