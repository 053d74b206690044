/**
 * Inlined C functions by address, from the module's DWARF 4 `.debug_info`: at -O2 clang inlines
 * small static functions into their callers, and the wasm function holding the code (the name V8
 * gives a frame) is the caller. Each DW_TAG_inlined_subroutine says which function it is an
 * instance of (DW_AT_abstract_origin), the code it covers (DW_AT_low_pc/high_pc or DW_AT_ranges in
 * `.debug_ranges`) and where it was called (DW_AT_call_file/line/column). A report's frame inside
 * one then reads as the C source does: the inlined function at its own line, then each caller at
 * its call, out to the wasm function.
 *
 * Anything it cannot read — another DWARF version, a form or range it does not know, a malformed
 * section — leaves the table empty: frames are then named as before, by the wasm function.
 */
import { C_IDENTIFIER, customSection, DW_AT_HIGH_PC_OFFSET, type Die, readUnits } from './dwarf-info.js';
import { Bytes, type SourceLocation } from './symbolize.js';

/** File `index` of the line program at `stmtList` (LineTable.fileName). */
export type FileNames = (stmtList: number, index: number) => string | null;

const DW_TAG_inlined_subroutine = 0x1d;
const DW_TAG_subprogram = 0x2e;
const DW_AT_decl_file = 0x3a;
const DW_AT_decl_line = 0x3b;
const DW_AT_name = 0x03;
const DW_AT_stmt_list = 0x10;
const DW_AT_low_pc = 0x11;
const DW_AT_high_pc = 0x12;
const DW_AT_abstract_origin = 0x31;
const DW_AT_specification = 0x47;
const DW_AT_ranges = 0x55;
const DW_AT_call_column = 0x57;
const DW_AT_call_file = 0x58;
const DW_AT_call_line = 0x59;
/** Follow abstract origins and specifications at most this far. */
const ORIGIN_DEPTH_MAX = 8;
/** Most range-list entries read for one DIE (a malformed list could be long). */
const RANGES_MAX = 4096;

/** One inlined instance: the code it covers and where it was called. */
interface Inlined {
  readonly name: string;
  /** Address ranges [start, end), code-section relative. */
  readonly ranges: readonly (readonly [number, number])[];
  /** Where the caller called it: the caller's line for this instance. */
  readonly call: SourceLocation;
  /** Inlined instances it is nested in (0: directly in an out-of-line function). */
  readonly depth: number;
  /** The code of the out-of-line function it was inlined into, [start, end). */
  readonly within: readonly [number, number];
}

/** Where a function's definition starts in the source. */
interface Declared {
  readonly name: string;
  readonly file: string;
  readonly line: number;
}

/** A function the code at an address belongs to, and where it was called from (its caller's line). */
export interface InlinedCall {
  readonly name: string;
  readonly call: SourceLocation;
}

export class InlineTable {
  private readonly inlined: Inlined[] = [];
  /** Functions with a definition in the source, by file, sorted by line. */
  private readonly declared = new Map<string, Declared[]>();
  /** Functions compiled out of line (they have code of their own), by name. */
  private readonly outOfLine = new Map<string, Declared[]>();

  constructor(wasm: Uint8Array, fileName: FileNames) {
    try {
      this.read(wasm, fileName);
    } catch {
      this.inlined.length = 0;
      this.declared.clear();
      this.outOfLine.clear();
    }
    for (const list of this.declared.values()) list.sort((a, b) => a.line - b.line);
  }

  /** How many inlined instances the module has (0 when it has none or they could not be read). */
  get size(): number {
    return this.inlined.length;
  }

  /** The inlined functions the code at `address` belongs to, innermost first ([] outside every one). */
  at(address: number): InlinedCall[] {
    const found: Inlined[] = [];
    for (const entry of this.inlined)
      if (entry.ranges.some(([start, end]) => start <= address && address < end)) found.push(entry);
    found.sort((a, b) => b.depth - a.depth);
    return found.map(({ name, call }) => ({ name, call }));
  }

  /**
   * Where the function `name`, compiled out of line, is defined (DW_AT_decl_file and DW_AT_decl_line);
   * null when no such function is known, or when several (static functions of different files) share
   * the name.
   */
  definition(name: string): Declared | null {
    const found = this.outOfLine.get(name);
    return found?.length === 1 ? found[0]! : null;
  }

  /**
   * An inlined function the code at `address` belongs to by its source line although DWARF puts it
   * in the caller's scope, or null. The optimizer moves code out of an inlined body (a load hoisted
   * above it, a loop test merged) and keeps its line but not its scope: `at` names a line of
   * function G (the definition whose first line is the last one at or above it, in that file) while
   * the scopes end at `innermost`. When G was inlined right inside that scope in the same function,
   * the code is G's: G, called where the instance nearest the address was called. `depth`: how many
   * inlined scopes hold the address (at(address).length).
   */
  lostScope(address: number, at: SourceLocation, innermost: string, depth: number): InlinedCall | null {
    const list = this.declared.get(at.file);
    if (list === undefined) return null;
    let owner: Declared | null = null;
    for (const d of list) {
      if (d.line > at.line) break;
      owner = d;
    }
    if (owner === null || owner.name === innermost) return null;
    let best: Inlined | null = null;
    let bestDistance = Number.POSITIVE_INFINITY;
    for (const entry of this.inlined) {
      if (entry.name !== owner.name || entry.depth !== depth) continue;
      if (address < entry.within[0] || address >= entry.within[1]) continue;
      for (const [start, end] of entry.ranges) {
        const distance = address < start ? start - address : address >= end ? address - end + 1 : 0;
        if (distance < bestDistance) {
          bestDistance = distance;
          best = entry;
        }
      }
    }
    return best === null ? null : { name: best.name, call: best.call };
  }

  private read(wasm: Uint8Array, fileName: FileNames): void {
    const ranges = customSection(wasm, '.debug_ranges');
    for (const { root, byOffset } of readUnits(wasm)) {
      const lowPc = root.attrs.get(DW_AT_low_pc);
      const base = typeof lowPc === 'number' ? lowPc : 0;
      const stmtList = root.attrs.get(DW_AT_stmt_list);
      const fileOf = (index: unknown): string =>
        (typeof stmtList === 'number' && typeof index === 'number' ? fileName(stmtList, index) : null) ?? '?';
      const visit = (die: Die, depth: number, within: readonly [number, number]): void => {
        let inner = depth;
        let code = within;
        if (die.tag === DW_TAG_subprogram) {
          const name = die.attrs.get(DW_AT_name);
          const line = die.attrs.get(DW_AT_decl_line);
          const own = rangesOf(die, base, ranges);
          if (typeof name === 'string' && C_IDENTIFIER.test(name) && typeof line === 'number') {
            const file = fileOf(die.attrs.get(DW_AT_decl_file));
            let list = this.declared.get(file);
            if (list === undefined) this.declared.set(file, (list = []));
            list.push({ name, file, line });
            if (own.length > 0) {
              let named = this.outOfLine.get(name);
              if (named === undefined) this.outOfLine.set(name, (named = []));
              named.push({ name, file, line });
            }
          }
          code = own[0] ?? within;
        }
        if (die.tag === DW_TAG_inlined_subroutine) {
          const name = originName(die, byOffset);
          const covered = rangesOf(die, base, ranges);
          const line = die.attrs.get(DW_AT_call_line);
          const column = die.attrs.get(DW_AT_call_column);
          if (name !== null && covered.length > 0 && typeof line === 'number')
            this.inlined.push({
              name,
              ranges: covered,
              call: {
                file: fileOf(die.attrs.get(DW_AT_call_file)),
                line,
                column: typeof column === 'number' ? column : 0,
              },
              depth,
              within,
            });
          inner = depth + 1;
        }
        for (const child of die.children) visit(child, inner, code);
      };
      visit(root, 0, [0, 0]);
    }
  }
}

/** The name of the function an inlined instance is of: its abstract origin's (or that one's specification's). */
function originName(die: Die, byOffset: ReadonlyMap<number, Die>): string | null {
  let current: Die | undefined = die;
  for (let depth = 0; current !== undefined && depth < ORIGIN_DEPTH_MAX; depth++) {
    const name = current.attrs.get(DW_AT_name);
    // A C identifier only: the name goes into report text, and the module may come from a cache.
    if (typeof name === 'string') return C_IDENTIFIER.test(name) ? name : null;
    const next: unknown = current.attrs.get(DW_AT_abstract_origin) ?? current.attrs.get(DW_AT_specification);
    current = typeof next === 'number' ? byOffset.get(next) : undefined;
  }
  return null;
}

/**
 * The address ranges a DIE covers: DW_AT_low_pc with DW_AT_high_pc (an address, or a length when
 * given as a constant: DW_AT_HIGH_PC_OFFSET), or DW_AT_ranges, a DWARF 4 range list of (start, end) pairs relative to
 * the unit's base address, with base address selections (start 0xffffffff) and ended by (0, 0).
 */
function rangesOf(die: Die, unitBase: number, section: Uint8Array | undefined): [number, number][] {
  const low = die.attrs.get(DW_AT_low_pc);
  const high = die.attrs.get(DW_AT_high_pc);
  const length = die.attrs.get(DW_AT_HIGH_PC_OFFSET);
  if (typeof low === 'number' && typeof high === 'number') return high > low ? [[low, high]] : [];
  if (typeof low === 'number' && typeof length === 'number') return length > 0 ? [[low, low + length]] : [];
  const offset = die.attrs.get(DW_AT_ranges);
  if (typeof offset !== 'number' || section === undefined) return [];
  const r = new Bytes(section);
  r.at = offset;
  const out: [number, number][] = [];
  let base = unitBase;
  for (let n = 0; n < RANGES_MAX && r.at + 8 <= section.length; n++) {
    const start = r.u32();
    const end = r.u32();
    if (start === 0 && end === 0) return out;
    if (start === 0xffffffff) base = end;
    else if (end > start) out.push([base + start, base + end]);
  }
  throw new Error(`.debug_ranges: the list at ${offset} has no end`);
}
