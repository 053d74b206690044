/**
 * Where in the driver's source a report, a throw or the watchdog points: the driver's own stack
 * frames. A role function written as an arrow function given to its role declaration has no name
 * of its own in V8's stack; it takes the name it was declared with.
 */
import { MINIPORT_SYNCHRONIZE_INTERRUPT } from '@ddikit/ndis';
import { createSimulation, DriverError, driverFrames } from '@ddikit/sim';
import { describe, expect, it } from 'vitest';
import { testDriver } from '../drivers.js';
import { FakeDevice } from '../fake-device.js';

const HARNESS = 'file:///home/u/project/node_modules/@ddikit/sim/dist/index.js';

/** A stack as Node prints it with source maps on: `<anonymous>` for a function it has no name for. */
function stack(...lines: string[]): string {
  return ['Error: boom', ...lines.map((line) => `    at ${line}`)].join('\n');
}

describe('driverFrames', () => {
  it('names an anonymous function the harness called as a role function by its declared name', () => {
    const frames = driverFrames(
      stack(
        '<anonymous> (/home/u/project/drivers/a.ts:40:9)',
        `callWith (${HARNESS}:3208:16)`,
        `RoleMonitor.callRole (${HARNESS}:2947:16)`,
      ),
      ['MyDpc'],
    );
    expect(frames).toEqual([{ file: '/home/u/project/drivers/a.ts', line: 40, column: 9, function: 'MyDpc' }]);
  });

  it('counts nested role calls: each anonymous role function takes its own name, innermost first', () => {
    const frames = driverFrames(
      stack(
        '/home/u/project/drivers/a.ts:12:5',
        `callWith (${HARNESS}:3208:16)`,
        `RoleMonitor.callRole (${HARNESS}:2947:16)`,
        `Synchronize.synchronize (${HARNESS}:2400:3)`,
        'receive (/home/u/project/drivers/a.ts:30:3)',
        '<anonymous> (/home/u/project/drivers/a.ts:40:9)',
        `callWith (${HARNESS}:3208:16)`,
      ),
      ['TakeCauses', 'MyDpc'],
    );
    expect(frames.map((f) => f.function)).toEqual(['TakeCauses', 'receive', 'MyDpc']);
  });

  it('leaves a name V8 has, and an anonymous function the driver called itself, as they are', () => {
    const frames = driverFrames(
      stack(
        '<anonymous> (/home/u/project/drivers/a.ts:41:20)',
        'Array.forEach (<anonymous>)',
        'MyNamedDpc (/home/u/project/drivers/a.ts:40:9)',
        `callWith (${HARNESS}:3208:16)`,
      ),
      ['MyNamedDpc'],
    );
    expect(frames.map((f) => f.function)).toEqual(['', 'MyNamedDpc']);
    // Without the role functions' names, nothing is named.
    expect(
      driverFrames(stack('<anonymous> (/home/u/project/drivers/a.ts:40:9)', `callWith (${HARNESS}:3208:16)`)),
    ).toEqual([{ file: '/home/u/project/drivers/a.ts', line: 40, column: 9, function: '' }]);
  });
});

describe("a throw's driver frames", () => {
  it('name arrow role functions by their declared names, innermost first', () => {
    const sim = createSimulation({ seed: 1, device: new FakeDevice({ periodTicks: 300 }) });
    // The test driver's MiniportInitializeEx is an arrow function; at its end it calls a synchronize
    // function declared inline, which throws.
    const throwsInSynchronize = testDriver({
      afterInitialize: (a) => {
        a.ndis.NdisMSynchronizeWithInterruptEx(
          a.interrupt,
          0,
          MINIPORT_SYNCHRONIZE_INTERRUPT('ArrowSynchronize', () => {
            throw new Error('boom');
          }),
          a,
        );
      },
    });
    let thrown: unknown;
    try {
      sim.run(throwsInSynchronize, { ticks: 1_000 });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(DriverError);
    const frames = (thrown as DriverError).driverFrames;
    expect(frames.map((f) => f.function)).toEqual(['ArrowSynchronize', 'Object.afterInitialize', 'TestInitializeEx']);
    expect(frames.map((f) => f.file)).toEqual([
      'test/sim/simulation/driver-frames.test.ts',
      'test/sim/simulation/driver-frames.test.ts',
      'test/sim/drivers.ts',
    ]);
  });
});
