/**
 * The MSI-X miniport in C (examples/c/msix-queues.c): messages granted, it routes each cause to its
 * own message, and runs clean with every message's ISR and DPC, its frames going through descriptor
 * rings in shared memory; with one message it serves every
 * cause from it; granted a line, it deregisters and fails initialize as it documents.
 */
import { createSimulation, E1000Nic } from '@ddikit/sim';
import { defineCMiniport } from '@ddikit/sim-c';
import { describe, expect, it } from 'vitest';
import { load } from './build.js';

const MSIX = 'examples/c/msix-queues.c';

describe('the C MSI-X miniport', () => {
  it.each([
    { messages: 5, want: 'a message per cause' },
    { messages: 1, want: 'one message for every cause' },
  ])('runs clean with $messages granted messages ($want)', async ({ messages }) => {
    const definition = defineCMiniport(await load({ files: [MSIX], instrumentAccesses: true }));
    for (const seed of [1, 2]) {
      const result = createSimulation({
        seed,
        device: new E1000Nic(),
        interrupt: { messageCountMax: messages },
      }).run(definition, { ticks: 50_000 });
      expect(result.reports).toEqual([]);
      expect(result.halted).toBe(true);
      expect(result.stats.interrupts).toBeGreaterThan(100);
      expect(result.stats.dpcs).toBe(result.stats.interrupts);
      // Frames go through the rings in shared memory: received into RX buffers, echoed from TX buffers.
      expect(result.stats.frames!.received).toBeGreaterThan(100);
      expect(result.stats.frames!.sent).toBeGreaterThan(100);
      expect(result.stats.frames!.missed).toBe(0);
    }
  });

  it('fails initialize cleanly when NDIS grants a line', async () => {
    const definition = defineCMiniport(await load({ files: [MSIX], instrumentAccesses: true }));
    const result = createSimulation({
      seed: 1,
      device: new E1000Nic(),
      interrupt: { grantLineToMsiDriver: true },
    }).run(definition, { ticks: 20_000 });
    expect(result.initializeStatus).toBe(0xc00000bb | 0);
    expect(result.reports).toEqual([]);
  });
});
