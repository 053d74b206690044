/**
 * The DIE trees of a wasm module's DWARF 4 `.debug_info` (what `dwarf-globals.ts` and
 * `dwarf-inlines.ts` read): each compile unit's root DIE with its descendants, attributes read into
 * numbers, strings and blocks. A version other than 4, a form it does not know or a malformed
 * section throws; the readers catch it and go without names.
 */
import { Bytes, cstringAt } from './symbolize.js';
import { wasmSections } from './wasm-binary.js';

const DW_AT_high_pc = 0x12;
const DW_FORM_addr = 0x01;
const DW_TAG_array_type = 0x01;
const DW_TAG_pointer_type = 0x0f;
const DW_TAG_subrange_type = 0x21;
const DW_AT_byte_size = 0x0b;
const DW_AT_type = 0x49;
const DW_AT_count = 0x37;
const DW_AT_upper_bound = 0x2f;
/** Follow DW_AT_type at most this far (typedef chains, qualifiers). */
export const TYPE_DEPTH_MAX = 16;
/**
 * A name the readers take from DWARF: a C identifier only — names go into report text, and the
 * module may come from a cache.
 */
export const C_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
/**
 * Where a DIE keeps DW_AT_high_pc given as a constant — an offset from DW_AT_low_pc, as clang
 * writes it — rather than as an address (kept under DW_AT_high_pc itself). Not a DWARF attribute.
 */
export const DW_AT_HIGH_PC_OFFSET = 0x1_0012;

export interface Die {
  readonly tag: number;
  readonly attrs: Map<number, number | string | Uint8Array>;
  readonly children: Die[];
  /** Its offset in the unit (what DW_FORM_ref4 and the other unit references give). */
  readonly offset: number;
}

/** One compile unit: its root DIE and every DIE of it by offset. */
export interface DwarfUnit {
  readonly root: Die;
  readonly byOffset: ReadonlyMap<number, Die>;
}

/** A custom section's payload, or undefined. */
export function customSection(wasm: Uint8Array, name: string): Uint8Array | undefined {
  const s = wasmSections(wasm).find((x) => x.id === 0 && x.name === name);
  return s === undefined ? undefined : wasm.subarray(s.payloadOffset, s.payloadOffset + s.payloadSize);
}

/** The compile units of the module's `.debug_info` (none without one). */
export function readUnits(wasm: Uint8Array): DwarfUnit[] {
  const info = customSection(wasm, '.debug_info');
  const abbrev = customSection(wasm, '.debug_abbrev');
  if (info === undefined || abbrev === undefined) return [];
  const str = customSection(wasm, '.debug_str');
  const units: DwarfUnit[] = [];
  const tables = new Map<number, Map<number, Abbrev>>();
  const r = new Bytes(info);
  while (r.at + 11 <= info.length) {
    const unitStart = r.at;
    const unitLength = r.u32();
    const unitEnd = r.at + unitLength;
    if (unitLength === 0xffffffff || unitEnd > info.length)
      throw new Error('.debug_info: a unit is 64-bit DWARF or cut short');
    const version = r.u16();
    if (version !== 4) throw new Error(`.debug_info version ${version}: DWARF 4 is read`);
    const abbrevOffset = r.u32();
    const addressSize = r.u8();
    // Units share abbreviation tables (each read once, however many units name it).
    let table = tables.get(abbrevOffset);
    if (table === undefined) tables.set(abbrevOffset, (table = readAbbrevs(abbrev, abbrevOffset)));
    const byOffset = new Map<number, Die>();
    const root = readDies(r, unitEnd, unitStart, table, addressSize, str, byOffset);
    if (root !== null) units.push({ root, byOffset });
    r.at = unitEnd;
  }
  return units;
}

interface Abbrev {
  readonly tag: number;
  readonly children: boolean;
  readonly attrs: readonly (readonly [number, number])[];
}

function readAbbrevs(section: Uint8Array, offset: number): Map<number, Abbrev> {
  const r = new Bytes(section);
  r.at = offset;
  const table = new Map<number, Abbrev>();
  while (r.at < section.length) {
    const code = r.uleb();
    if (code === 0) break;
    const tag = r.uleb();
    const children = r.u8() === 1;
    const attrs: [number, number][] = [];
    for (;;) {
      const name = r.uleb();
      const form = r.uleb();
      if (name === 0 && form === 0) break;
      attrs.push([name, form]);
    }
    table.set(code, { tag, children, attrs });
  }
  return table;
}

/** Reads the DIE tree of one unit; the unit's root DIE, its descendants indexed by offset. */
function readDies(
  r: Bytes,
  end: number,
  unitStart: number,
  table: Map<number, Abbrev>,
  addressSize: number,
  str: Uint8Array | undefined,
  byOffset: Map<number, Die>,
): Die | null {
  const stack: Die[] = [];
  let root: Die | null = null;
  while (r.at < end) {
    const offset = r.at - unitStart;
    const code = r.uleb();
    if (code === 0) {
      stack.pop();
      continue;
    }
    const abbrev = table.get(code);
    if (abbrev === undefined) throw new Error(`.debug_info: abbreviation ${code} not found`);
    const attrs = new Map<number, number | string | Uint8Array>();
    for (const [name, form] of abbrev.attrs) {
      const value = readForm(r, form, addressSize, str);
      if (value !== null)
        attrs.set(name === DW_AT_high_pc && form !== DW_FORM_addr ? DW_AT_HIGH_PC_OFFSET : name, value);
    }
    const die: Die = { tag: abbrev.tag, attrs, children: [], offset };
    byOffset.set(offset, die);
    if (stack.length > 0) stack[stack.length - 1]!.children.push(die);
    else root ??= die;
    if (abbrev.children) stack.push(die);
  }
  return root;
}

/** One attribute value: numbers, strings, blocks (exprloc); null for what names and sizes never need. */
function readForm(
  r: Bytes,
  form: number,
  addressSize: number,
  str: Uint8Array | undefined,
): number | string | Uint8Array | null {
  const block = (length: number): Uint8Array => {
    const bytes = r.b.subarray(r.at, r.at + length);
    r.at += length;
    return bytes;
  };
  switch (form) {
    case 0x01: // addr
      return addressSize === 4 ? r.u32() : (r.u32(), r.u32(), null);
    case 0x0b: // data1
    case 0x11: // ref1
    case 0x0c: // flag
      return r.u8();
    case 0x05: // data2
    case 0x12: // ref2
      return r.u16();
    case 0x06: // data4
    case 0x13: // ref4
    case 0x17: // sec_offset
      return r.u32();
    case 0x07: // data8
    case 0x14: // ref8
    case 0x20: // ref_sig8
      return r.u32() + r.u32() * 2 ** 32;
    case 0x0d: // sdata
      return r.sleb();
    case 0x0f: // udata
    case 0x15: // ref_udata
      return r.uleb();
    case 0x08: // string
      return r.cstring();
    case 0x0e: // strp
      return cstringAt(str, r.u32());
    case 0x19: // flag_present
      return 1;
    case 0x18: // exprloc
    case 0x09: // block
      return block(r.uleb());
    case 0x0a: // block1
      return block(r.u8());
    case 0x03: // block2
      return block(r.u16());
    case 0x04: // block4
      return block(r.u32());
    case 0x10: // ref_addr
      r.u32();
      return null;
    default:
      throw new Error(`.debug_info: form 0x${form.toString(16)} not read`);
  }
}

/**
 * The byte size of a variable's or member's type (`depth` 0), or of a type itself (`depth` 1):
 * typedefs and qualifiers followed, structures, unions and base types by DW_AT_byte_size, pointers
 * 4 bytes (wasm32), arrays by their subranges; 0 when it cannot be told.
 */
export function sizeOf(die: Die, byOffset: ReadonlyMap<number, Die>, depth = 0): number {
  if (depth > TYPE_DEPTH_MAX) return 0;
  const own = die.attrs.get(DW_AT_byte_size);
  if (typeof own === 'number' && depth > 0) return own;
  if (die.tag === DW_TAG_pointer_type) return 4;
  const typeRef = die.attrs.get(DW_AT_type);
  const type = typeof typeRef === 'number' ? byOffset.get(typeRef) : undefined;
  const inner = type === undefined ? 0 : sizeOf(type, byOffset, depth + 1);
  if (die.tag !== DW_TAG_array_type) return inner;
  let count = 1;
  for (const sub of die.children) {
    if (sub.tag !== DW_TAG_subrange_type) continue;
    const n = sub.attrs.get(DW_AT_count);
    const upper = sub.attrs.get(DW_AT_upper_bound);
    count *= typeof n === 'number' ? n : typeof upper === 'number' ? upper + 1 : 0;
  }
  return inner * count;
}
