/**
 * C global variables by address, from the module's DWARF 4 `.debug_info`: race reports then name a
 * global as the driver wrote it (`ContosoCount`, `ContosoStats.FramesSent`, `ContosoCounts[2]`)
 * instead of `global 0x66d0`.
 *
 * Read: each compile unit's top-level DW_TAG_variable with a name and a location of DW_OP_addr —
 * alone, with the size of its type (typedefs and qualifiers followed; structures, unions and base
 * types by DW_AT_byte_size, pointers 4 bytes, arrays by their subranges), or in DW_OP_piece parts,
 * as the optimizer leaves a static structure it split into one global per member. Anything else —
 * another DWARF version, a form it does not know, a malformed section — leaves the table empty:
 * names are a convenience, never a reason to fail a run.
 */
import { C_IDENTIFIER, type Die, readUnits, sizeOf } from './dwarf-info.js';
import { pathInVariable } from './dwarf-types.js';
import { Bytes } from './symbolize.js';

const DW_TAG_variable = 0x34;
const DW_AT_name = 0x03;
const DW_AT_location = 0x02;
const DW_OP_addr = 0x03;
const DW_OP_piece = 0x93;

/** Bytes of a global variable at one address: the whole variable, or a piece of it. */
interface GlobalVariable {
  readonly name: string;
  readonly address: number;
  readonly size: number;
  /** The offset in the variable of the bytes at `address` (a piece's; 0 for a whole variable). */
  readonly offset: number;
  /** Its DIE and its unit's DIEs, for the members of a structure or the elements of an array. */
  readonly die: Die;
  readonly byOffset: ReadonlyMap<number, Die>;
}

export class GlobalNames {
  private readonly variables: GlobalVariable[] = [];

  constructor(wasm: Uint8Array) {
    try {
      this.read(wasm);
    } catch {
      this.variables.length = 0;
    }
    this.variables.sort((a, b) => a.address - b.address);
  }

  /**
   * `Name`, `Name.Member`, `Name[3]` or `Name+0x4` for an address inside a global variable (members
   * and elements by its type); null outside every one. `whole`: an object starting at the address
   * (a spin lock) is named itself, not by its first member.
   */
  nameOf(address: number, whole = false): string | null {
    const vars = this.variables;
    let lo = 0;
    let hi = vars.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (vars[mid]!.address <= address) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (found < 0) return null;
    const v = vars[found]!;
    const within = address - v.address;
    if (within >= Math.max(v.size, 1)) return null;
    return v.name + pathInVariable(v.die, v.offset + within, v.byOffset, whole);
  }

  private read(wasm: Uint8Array): void {
    for (const { root, byOffset } of readUnits(wasm)) {
      for (const die of root.children) {
        if (die.tag !== DW_TAG_variable) continue;
        const name = die.attrs.get(DW_AT_name);
        const location = die.attrs.get(DW_AT_location);
        // A C identifier only: a name goes into report text, and the module may come from a cache.
        if (typeof name !== 'string' || !C_IDENTIFIER.test(name) || !(location instanceof Uint8Array)) continue;
        this.addVariable(name, location, die, byOffset);
      }
    }
  }

  /** A variable's location: `DW_OP_addr a`, or pieces `(DW_OP_addr a)? DW_OP_piece n …`; others are skipped. */
  private addVariable(name: string, location: Uint8Array, die: Die, byOffset: ReadonlyMap<number, Die>): void {
    const r = new Bytes(location);
    const address = (): number => r.u32();
    if (location.length === 5 && location[0] === DW_OP_addr) {
      r.at = 1;
      this.variables.push({ name, address: address(), size: sizeOf(die, byOffset), offset: 0, die, byOffset });
      return;
    }
    const pieces: GlobalVariable[] = [];
    let offset = 0;
    while (r.at < location.length) {
      let at = -1;
      if (location[r.at] === DW_OP_addr) {
        r.at++;
        at = address();
      }
      if (location[r.at] !== DW_OP_piece) return; // another operation: not a plain address
      r.at++;
      const bytes = r.uleb();
      if (at >= 0) pieces.push({ name, address: at, size: bytes, offset, die, byOffset });
      offset += bytes;
    }
    this.variables.push(...pieces);
  }
}
