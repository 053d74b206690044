/**
 * GlobalNames on hand-made DWARF 4: a global by name, inside it by offset, pieces of a split
 * structure; and on a malformed section (a string with no end, an unknown form, a cut unit) it
 * ends with no names — never a hang or a throw.
 */
import { describe, expect, it } from 'vitest';
import { GlobalNames } from '../../packages/sim-c/src/dwarf-globals.js';
import { module, text, u32, uleb } from './dwarf-bytes.js';

// Abbreviations: 1 compile unit (name: string), with children; 2 variable (name: string,
// location: exprloc, type: ref4); 3 base type (byte_size: data1).
const ABBREV = [
  ...[1, 0x11, 1, 0x03, 0x08, 0, 0],
  ...[2, 0x34, 0, 0x03, 0x08, 0x02, 0x18, 0x49, 0x13, 0, 0],
  ...[3, 0x24, 0, 0x0b, 0x0b, 0, 0],
  0,
];

/** One DWARF 4 unit with `dies` after the compile unit's own (offsets from the unit's start). */
function info(dies: number[]): number[] {
  const body = [...[4, 0], ...u32(0), 4, ...dies];
  return [...u32(body.length), ...body];
}

const CU = [1, ...text('cu\0')]; // at offset 11
const INT = [3, 8]; // a base type of 8 bytes, at offset 11 + 4 = 15
const variable = (name: string, location: number[]): number[] => [
  2,
  ...text(`${name}\0`),
  ...uleb(location.length),
  ...location,
  ...u32(15),
];

describe('GlobalNames', () => {
  it('names a global, a word inside it, and the pieces of a split structure', () => {
    const names = new GlobalNames(
      module({
        '.debug_abbrev': ABBREV,
        '.debug_info': info([
          ...CU,
          ...INT,
          ...variable('Count', [0x03, ...u32(0x6600)]),
          // Two 4-byte pieces at separate addresses: offsets 0 and 4 of `Pair`.
          ...variable('Pair', [0x03, ...u32(0x6610), 0x93, 4, 0x03, ...u32(0x6620), 0x93, 4]),
          // A location that is not an address (DW_OP_fbreg): left out.
          ...variable('Local', [0x91, 0x08]),
          0,
        ]),
      }),
    );
    expect(names.nameOf(0x6600)).toBe('Count');
    expect(names.nameOf(0x6604)).toBe('Count+0x4');
    expect(names.nameOf(0x6608)).toBeNull();
    expect(names.nameOf(0x6610)).toBe('Pair');
    expect(names.nameOf(0x6620)).toBe('Pair+0x4');
    expect(names.nameOf(0x6624)).toBeNull();
    expect(names.nameOf(0x10)).toBeNull();
  });

  it.each([
    ['a string with no end', info([1, ...text('cu')])],
    ['a form it does not read', info([1, ...text('cu\0'), 2])],
    ['a unit longer than its section', [...u32(0x1000), 4, 0]],
    ['another DWARF version', [...u32(7), 5, 0, 1, 4, 0, 0, 0]],
  ])('ends with no names on %s', (_what, section) => {
    const abbrev = [...ABBREV];
    // For this case, the name of abbreviation 2 has a form with no meaning (0x7f).
    if (_what === 'a form it does not read') abbrev.splice(11, 1, 0x7f);
    const names = new GlobalNames(module({ '.debug_abbrev': abbrev, '.debug_info': section }));
    expect(names.nameOf(0)).toBeNull();
    expect(names.nameOf(0x6600)).toBeNull();
  });

  it('has no names in a module without debug information', () => {
    expect(new GlobalNames(module({})).nameOf(0)).toBeNull();
  });
});
