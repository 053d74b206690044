/**
 * The register table a device model is built on: rows in, dispatch, names, slots, effects and
 * power-on values out — and a model whose rows collide is refused when it is built.
 */
import { describe, expect, it } from 'vitest';
import { RegisterTable, type RegisterRow } from '../../../packages/sim/src/device/register-table.js';

interface State {
  readonly file: Uint32Array;
}
type Row = RegisterRow<State, { readonly queueBytes: number }>;

const stored: Row['read'] = (state, slot) => state.file[slot]!;
const store: Row['write'] = (state, value, slot) => {
  state.file[slot] = value;
};
const PLAIN = { read: 'read', write: 'write' } as const;

const ROWS: readonly Row[] = [
  {
    name: 'QLEN',
    offset: 0x100,
    count: 2,
    stride: 0x10,
    read: stored,
    write: store,
    effect: PLAIN,
    powerOn: (c) => c.queueBytes,
  },
  { name: 'CTRL', offset: 0x0, read: stored, write: store, effect: PLAIN, powerOn: 0x41 },
  { name: 'MASK_SET', offset: 0x8, read: stored, write: store, effect: { state: 'MASK', read: 'read', write: 'set' } },
  {
    name: 'MASK_CLEAR',
    offset: 0xc,
    read: () => 0,
    write: store,
    effect: { state: 'MASK', read: 'none', write: 'clear' },
  },
];

describe('RegisterTable', () => {
  const table = new RegisterTable(ROWS, 0x1000);

  it('names every register, array elements by index, sorted by offset', () => {
    expect(table.registers).toEqual([
      { name: 'CTRL', offset: 0x0 },
      { name: 'MASK_SET', offset: 0x8 },
      { name: 'MASK_CLEAR', offset: 0xc },
      { name: 'QLEN0', offset: 0x100 },
      { name: 'QLEN1', offset: 0x110 },
    ]);
  });

  it.each([
    { given: 0x110, want: 'QLEN1' },
    { given: 0x8, want: 'MASK_SET' },
    { given: 0x4, want: undefined },
    { given: 0x9, want: undefined },
    { given: 8.5, want: undefined },
    { given: -4, want: undefined },
    { given: 0x2000, want: undefined },
  ])('finds the register at exactly $given', ({ given, want }) => {
    expect(table.find(given)?.name).toBe(want);
  });

  it('gives each element a slot, an array its consecutive slots', () => {
    const first = table.slot('QLEN');
    expect(table.find(0x100)).toMatchObject({ slot: first, index: 0 });
    expect(table.find(0x110)).toMatchObject({ slot: first + 1, index: 1 });
    expect(table.slotCount).toBe(5);
    expect(() => table.slot('NOPE')).toThrow(/no row named NOPE/);
  });

  it('derives effects: the element name as state unless the row names a shared one', () => {
    expect(table.effect(0x0)).toEqual({ state: 'CTRL', read: 'read', write: 'write' });
    expect(table.effect(0x110)).toEqual({ state: 'QLEN1', read: 'read', write: 'write' });
    expect(table.effect(0xc)).toEqual({ state: 'MASK', read: 'none', write: 'clear' });
    expect(table.effect(0x4)).toBeNull();
  });

  it('fills the power-on values, from the configuration where a row says so', () => {
    const values = table.powerOnValues({ queueBytes: 4096 });
    expect(values[table.slot('CTRL')]).toBe(0x41);
    expect(values[table.slot('QLEN')]).toBe(4096);
    expect(values[table.slot('QLEN') + 1]).toBe(4096);
    expect(values[table.slot('MASK_SET')]).toBe(0);
  });

  it('dispatches reads and writes to the row with the element slot', () => {
    const state = { file: table.powerOnValues({ queueBytes: 64 }) };
    const qlen1 = table.find(0x110)!;
    qlen1.write(state, 128, qlen1.slot, qlen1.index);
    expect(qlen1.read(state, qlen1.slot, qlen1.index)).toBe(128);
    expect(table.find(0x100)!.read(state, table.slot('QLEN'), 0)).toBe(64);
  });

  it.each([
    {
      given: 'overlapping rows',
      rows: [...ROWS, { ...ROWS[1]!, name: 'CTRL2', offset: 0x110 }],
      want: /QLEN1|CTRL2.*overlaps/,
    },
    { given: 'a name used twice', rows: [...ROWS, { ...ROWS[1]!, offset: 0x20 }], want: /two rows named CTRL/ },
    {
      given: 'a row outside the window',
      rows: [{ ...ROWS[1]!, offset: 0x1000 }],
      want: /not a word inside the window/,
    },
    { given: 'an unaligned row', rows: [{ ...ROWS[1]!, offset: 0x2 }], want: /not a word inside the window/ },
  ])('refuses $given', ({ rows, want }) => {
    expect(() => new RegisterTable(rows, 0x1000)).toThrow(want);
  });
});
