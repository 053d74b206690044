/**
 * The record table @ddikit/sim-c reads driver memory with is built from the generated metadata; its
 * layouts must be the generator's, field for field, on both targets (the generator's are the ones
 * clang confirms, layout.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { metadata } from '@ddikit/ndis';
import { computeLayouts, handlerFields, NDIS_RECORDS } from '@ddikit/sim-c';

describe('the harness record table comes from the spec', () => {
  for (const target of ['wasm32', 'x64'] as const) {
    it(`lays every structure out as the generator does on ${target}`, () => {
      const harness = computeLayouts(NDIS_RECORDS, target);
      const differences: string[] = [];
      let compared = 0;
      for (const layout of metadata.layouts[target]) {
        const mine = harness.get(layout.name);
        // A record with bit-fields crosses whole, as its 64-bit value (NET_LUID).
        if (mine === undefined) {
          expect(layout.fields.some((f) => f.bit !== null)).toBe(true);
          continue;
        }
        if (mine.size !== layout.size) differences.push(`${layout.name}: size ${mine.size}, not ${layout.size}`);
        for (const field of layout.fields) {
          const other = mine.fields.get(field.path);
          if (other === undefined) continue; // a member declared in place is reached through its fields
          compared++;
          if (other.offset !== field.offset)
            differences.push(`${layout.name}.${field.path}: at ${other.offset}, not ${field.offset}`);
        }
      }
      expect(differences).toEqual([]);
      expect(compared).toBeGreaterThan(150);
    });
  }

  it('knows every handler field with its role, from the spec', () => {
    const fields = handlerFields(NDIS_RECORDS);
    expect(fields.get('InterruptHandler')).toEqual(['NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS', 'MINIPORT_ISR']);
    expect(fields.get('MessageInterruptHandler')).toEqual([
      'NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS',
      'MINIPORT_MESSAGE_INTERRUPT',
    ]);
    expect(fields.get('UnloadHandler')).toEqual(['NDIS_MINIPORT_DRIVER_CHARACTERISTICS', 'MINIPORT_UNLOAD']);
    expect(fields.get('TimerFunction')).toEqual(['NDIS_TIMER_CHARACTERISTICS', 'NDIS_TIMER_FUNCTION']);
    expect(fields.size).toBe(24);
  });
});
