/**
 * Where in the driver's source a report, a throw or the watchdog points: the driver's own stack
 * frames. A role function written as an arrow function given to its role declaration has no name
 * of its own in V8's stack; it takes the name it was declared with.
 */
import {
  MINIPORT_DISABLE_INTERRUPT,
  MINIPORT_ENABLE_INTERRUPT,
  MINIPORT_HALT,
  MINIPORT_INITIALIZE,
  MINIPORT_INTERRUPT_DPC,
  MINIPORT_ISR,
  MINIPORT_SYNCHRONIZE_INTERRUPT,
  NDIS_MINIPORT_INTERRUPT_REVISION_1,
  NDIS_OBJECT_TYPE_MINIPORT_INTERRUPT,
  NDIS_STATUS_SUCCESS,
  type Box,
  type NDIS_HANDLE,
} from '@ddikit/ndis';
import { createSimulation, DriverError, defineMiniport, driverFrames, setMiniportAdapterContext } from '@ddikit/sim';
import { describe, expect, it } from 'vitest';
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

interface Adapter {
  interrupt: NDIS_HANDLE;
}

/** A driver whose role functions are arrow functions; the synchronize function its initialize calls throws. */
const throwsInSynchronize = defineMiniport('arrow-roles', (ndis) => {
  const noop = (): void => {};
  return {
    MiniportInitializeEx: MINIPORT_INITIALIZE('ArrowInitializeEx', (MiniportAdapterHandle) => {
      const a: Adapter = { interrupt: null };
      const interrupt: Box<NDIS_HANDLE> = { value: null };
      const status = ndis.NdisMRegisterInterruptEx(
        MiniportAdapterHandle,
        a,
        {
          Header: { Type: NDIS_OBJECT_TYPE_MINIPORT_INTERRUPT, Revision: NDIS_MINIPORT_INTERRUPT_REVISION_1, Size: 0 },
          InterruptHandler: MINIPORT_ISR('ArrowIsr', (_context, QueueDefaultInterruptDpc) => {
            QueueDefaultInterruptDpc.value = true;
            return true;
          }),
          InterruptDpcHandler: MINIPORT_INTERRUPT_DPC('ArrowDpc', noop),
          DisableInterruptHandler: MINIPORT_DISABLE_INTERRUPT('ArrowDisable', noop),
          EnableInterruptHandler: MINIPORT_ENABLE_INTERRUPT('ArrowEnable', noop),
          MsiSupported: false,
          MsiSyncWithAllMessages: false,
        },
        interrupt,
      );
      if (status !== NDIS_STATUS_SUCCESS) return status;
      a.interrupt = interrupt.value;
      setMiniportAdapterContext(MiniportAdapterHandle, a);
      ndis.NdisMSynchronizeWithInterruptEx(
        a.interrupt,
        0,
        MINIPORT_SYNCHRONIZE_INTERRUPT('ArrowSynchronize', () => {
          throw new Error('boom');
        }),
        a,
      );
      return NDIS_STATUS_SUCCESS;
    }),
    MiniportHaltEx: MINIPORT_HALT('ArrowHaltEx', (context) => {
      ndis.NdisMDeregisterInterruptEx((context as Adapter).interrupt);
    }),
  };
});

describe("a throw's driver frames", () => {
  it('name arrow role functions by their declared names, innermost first', () => {
    const sim = createSimulation({ seed: 1, device: new FakeDevice({ periodTicks: 300 }) });
    let thrown: unknown;
    try {
      sim.run(throwsInSynchronize, { ticks: 1_000 });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(DriverError);
    const frames = (thrown as DriverError).driverFrames;
    expect(frames.map((f) => f.function)).toEqual(['ArrowSynchronize', 'ArrowInitializeEx']);
    expect(new Set(frames.map((f) => f.file))).toEqual(new Set(['test/sim/simulation/driver-frames.test.ts']));
  });
});
