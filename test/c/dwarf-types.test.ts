/**
 * StructLayouts on hand-made DWARF 4: a pool block whose size is that of exactly one structure is
 * named by that structure's members — nested structures, arrays, typedef'd anonymous structures,
 * the whole member for an object at its start — the driver's own structure where an NDIS one shares
 * its size — and by nothing when two of the driver's structures share the size,
 * the offset is padding, or the DWARF is malformed (a type cycle: bounded, no throw). The named
 * reports of real drivers: broken.test.ts and explore.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { StructLayouts } from '../../packages/sim-c/src/dwarf-types.js';
import { module, text, u32 } from './dwarf-bytes.js';

// 1 compile unit (children); 2 structure (name, byte_size data1; children); 3 member (name, type
// ref4, data_member_location data1); 4 base type (byte_size data1); 5 array (type ref4; children);
// 6 subrange (count data1); 7 typedef (name, type ref4); 8 anonymous structure (byte_size; children);
// 9 structure with its file (name, byte_size data1, decl_file data1; children); 10 compile unit with
// its line program (stmt_list sec_offset; children).
const ABBREV = [
  ...[1, 0x11, 1, 0, 0],
  ...[2, 0x13, 1, 0x03, 0x08, 0x0b, 0x0b, 0, 0],
  ...[3, 0x0d, 0, 0x03, 0x08, 0x49, 0x13, 0x38, 0x0b, 0, 0],
  ...[4, 0x24, 0, 0x0b, 0x0b, 0, 0],
  ...[5, 0x01, 1, 0x49, 0x13, 0, 0],
  ...[6, 0x21, 0, 0x37, 0x0b, 0, 0],
  ...[7, 0x16, 0, 0x03, 0x08, 0x49, 0x13, 0, 0],
  ...[8, 0x13, 1, 0x0b, 0x0b, 0, 0],
  ...[9, 0x13, 1, 0x03, 0x08, 0x0b, 0x0b, 0x3a, 0x0b, 0, 0],
  ...[10, 0x11, 1, 0x10, 0x17, 0, 0],
  0,
];

type Node = { label?: string; bytes: (ref: (label: string) => number[]) => number[] };
const die = (label: string | undefined, bytes: Node['bytes']): Node =>
  label === undefined ? { bytes } : { label, bytes };
const end: Node = { bytes: () => [0] };
const struct = (label: string, name: string, size: number): Node => die(label, () => [2, ...text(`${name}\0`), size]);
const member = (name: string, type: string, at: number): Node =>
  die(undefined, (ref) => [3, ...text(`${name}\0`), ...ref(type), at]);
const base = (label: string, size: number): Node => die(label, () => [4, size]);
const array = (label: string, type: string, count: number): Node[] => [
  die(label, (ref) => [5, ...ref(type)]),
  die(undefined, () => [6, count]),
  end,
];

/** One unit of the DIEs given (under the compile unit), references resolved by label. */
function dwarf(nodes: Node[], unit: Node = die(undefined, () => [1])): Uint8Array {
  const all = [unit, ...nodes, end];
  const offsets = new Map<string, number>();
  const layout = (ref: (label: string) => number[]): number[] => {
    const out: number[] = [];
    let at = 11;
    for (const node of all) {
      if (node.label !== undefined) offsets.set(node.label, at);
      const bytes = node.bytes(ref);
      for (const byte of bytes) out.push(byte);
      at += bytes.length;
    }
    return out;
  };
  layout(() => u32(0));
  const dies = layout((label) => u32(offsets.get(label)!));
  const body = [4, 0].concat(u32(0), [4], dies);
  return module({ '.debug_info': u32(body.length).concat(body), '.debug_abbrev': ABBREV });
}

// struct S { ULONG A; INNER B; ULONG Arr[2]; INNER Pairs[2]; }  (24 bytes)
// struct INNER { USHORT X; USHORT Y; }  (4 bytes)
const LAYOUT = [
  base('ulong', 4),
  base('ushort', 2),
  struct('inner', 'INNER', 4),
  member('X', 'ushort', 0),
  member('Y', 'ushort', 2),
  end,
  ...array('ulongs', 'ulong', 2),
  ...array('inners', 'inner', 2),
  struct('s', 'S', 24),
  member('A', 'ulong', 0),
  member('B', 'inner', 4),
  member('Arr', 'ulongs', 8),
  member('Pairs', 'inners', 16),
  end,
];

describe('StructLayouts', () => {
  it('names the members of a block the size of one structure', () => {
    const layouts = new StructLayouts(dwarf(LAYOUT));
    expect(layouts.structureOfSize(24)).toBe('S');
    expect(layouts.memberAt(24, 0)).toBe('A');
    expect(layouts.memberAt(24, 4)).toBe('B.X');
    expect(layouts.memberAt(24, 6)).toBe('B.Y');
    expect(layouts.memberAt(24, 12)).toBe('Arr[1]');
    expect(layouts.memberAt(24, 13)).toBe('Arr[1]+0x1');
    expect(layouts.memberAt(24, 22)).toBe('Pairs[1].Y');
    expect(layouts.memberAt(24, 24)).toBeNull();
    // An object at the start of a member (a spin lock) is the member, not its first member.
    expect(layouts.memberAt(24, 4, true)).toBe('B');
    expect(layouts.memberAt(24, 20, true)).toBe('Pairs[1]');
    // The 4-byte INNER is a structure of its own size.
    expect(layouts.memberAt(4, 2)).toBe('Y');
  });

  it('names nothing for a size two structures share, or none has', () => {
    const twins = [...LAYOUT, struct('t', 'T', 24), member('Q', 'ulong', 0), end];
    const layouts = new StructLayouts(dwarf(twins));
    expect(layouts.structureOfSize(24)).toBeNull();
    expect(layouts.memberAt(24, 0)).toBeNull();
    expect(layouts.memberAt(100, 0)).toBeNull();
  });

  it('knows an anonymous structure by its typedef, and skips names that are not C identifiers', () => {
    const layouts = new StructLayouts(
      dwarf([
        base('ulong', 4),
        die('anon', () => [8, 8]),
        member('Low', 'ulong', 0),
        member('<b>High</b>', 'ulong', 4),
        end,
        die(undefined, (ref) => [7, ...text('PAIR\0'), ...ref('anon')]),
      ]),
    );
    expect(layouts.structureOfSize(8)).toBe('PAIR');
    expect(layouts.memberAt(8, 0)).toBe('Low');
    expect(layouts.memberAt(8, 4)).toBeNull();
  });

  it("takes a size an NDIS structure shares with one of the driver's own for the driver's, but not two of its own", () => {
    // File 1 is the build's ndis.h, files 2 and 3 the driver's sources.
    const files = (_stmtList: number, index: number): string | null =>
      ['', 'ddikit/include/ndis.h', 'drv/contoso.c', 'drv/contoso.h'][index] ?? null;
    const fileStruct = (label: string, name: string, size: number, file: number): Node =>
      die(label, () => [9, ...text(`${name}\0`), size, file]);
    const unit = die(undefined, () => [10, ...u32(0)]);
    const ndisAndOwn = dwarf(
      [
        base('ulong', 4),
        fileStruct('ndis', 'NDIS_PAIR', 8, 1),
        member('Header', 'ulong', 0),
        member('Flags', 'ulong', 4),
        end,
        fileStruct('own', 'CONTOSO_PAIR', 8, 2),
        member('Count', 'ulong', 0),
        member('Lock', 'ulong', 4),
        end,
      ],
      unit,
    );
    const layouts = new StructLayouts(ndisAndOwn, files);
    expect(layouts.structureOfSize(8)).toBe('CONTOSO_PAIR');
    expect(layouts.memberAt(8, 4)).toBe('Lock');
    // Without the files, both count as the driver's: the size stays ambiguous.
    expect(new StructLayouts(ndisAndOwn).structureOfSize(8)).toBeNull();
    const twoOwn = dwarf(
      [
        base('ulong', 4),
        fileStruct('a', 'CONTOSO_A', 8, 2),
        member('Count', 'ulong', 0),
        end,
        fileStruct('b', 'CONTOSO_B', 8, 3),
        member('Total', 'ulong', 0),
        end,
      ],
      unit,
    );
    expect(new StructLayouts(twoOwn, files).structureOfSize(8)).toBeNull();
  });

  it('reads a module of many structures of one size in linear time', () => {
    const many: Node[] = [base('ulong', 4)];
    for (let i = 0; i < 20_000; i++) many.push(struct(`s${i}`, `S${i}`, 4), member(`M${i}`, 'ulong', 0), end);
    const started = performance.now();
    const layouts = new StructLayouts(dwarf(many));
    expect(layouts.structureOfSize(4)).toBeNull();
    // Linear: well under a second here; comparing every pair took minutes.
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('ends a type cycle in malformed DWARF, and a cut section leaves no structures', () => {
    // A structure whose member's type is an array of the structure itself.
    const cycle = [struct('loop', 'LOOP', 8), member('Self', 'selves', 0), end, ...array('selves', 'loop', 1)];
    const layouts = new StructLayouts(dwarf(cycle));
    expect(() => layouts.memberAt(8, 4)).not.toThrow();
    const cut = dwarf(LAYOUT).slice(0, 60);
    expect(new StructLayouts(cut).structureOfSize(24)).toBeNull();
  });
});
