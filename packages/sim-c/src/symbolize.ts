/**
 * Wasm code addresses → C `file:line:col`.
 *
 * Where addresses come from: V8 names wasm frames in `Error().stack` as
 * `at ContosoIsr (wasm://wasm/…:wasm-function[21]:0x4d3)` — the C name (from the `name` section),
 * the function index and the byte offset in the module. DWARF addresses count from the code
 * section's payload, so `address = offset − codeSectionOffset`. For a call frame the offset is the
 * call instruction itself, so a host function can name the C line that called it.
 *
 * {@link LineTable} decodes the DWARF 4/5 `.debug_line` program (no toolchain needed at run time;
 * about a millisecond to load, microseconds per lookup). It knows lines, not inlining: which
 * function an address was inlined from, and where it was called, is `InlineTable`'s
 * (dwarf-inlines.ts).
 */
import { posix } from 'node:path';
import { wasmSections } from './wasm-binary.js';

/** One wasm frame of a JS stack. */
export interface WasmFrame {
  readonly name: string;
  readonly functionIndex: number;
  /** Byte offset in the module. */
  readonly moduleOffset: number;
}

const WASM_FRAME = /at (?:(\S+) )?\(?wasm:\/\/wasm\/[^:]*:wasm-function\[(\d+)\]:0x([0-9a-f]+)\)?/;

/** The wasm frames of a stack trace, innermost first. */
export function wasmFrames(stack: string): WasmFrame[] {
  const out: WasmFrame[] = [];
  for (const line of stack.split('\n')) {
    const m = WASM_FRAME.exec(line);
    if (m !== null) {
      // V8 prefixes the module's name (`driver.wasm.ContosoIsr`); C names have no dots.
      const name = m[1] === undefined ? `wasm-function[${m[2]}]` : m[1].slice(m[1].lastIndexOf('.') + 1);
      out.push({ name, functionIndex: Number(m[2]), moduleOffset: parseInt(m[3]!, 16) });
    }
  }
  return out;
}

export interface SourceLocation {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

export function formatLocation(location: SourceLocation | null): string {
  return location === null ? '?' : `${location.file}:${location.line}:${location.column}`;
}

// ---- .debug_line -------------------------------------------------------------------------------------

const DW_LNS_copy = 1;
const DW_LNS_advance_pc = 2;
const DW_LNS_advance_line = 3;
const DW_LNS_set_file = 4;
const DW_LNS_set_column = 5;
const DW_LNS_negate_stmt = 6;
const DW_LNS_set_basic_block = 7;
const DW_LNS_const_add_pc = 8;
const DW_LNS_fixed_advance_pc = 9;
const DW_LNS_set_prologue_end = 10;
const DW_LNS_set_epilogue_begin = 11;
const DW_LNS_set_isa = 12;
const DW_LNE_end_sequence = 1;
const DW_LNE_set_address = 2;
const DW_LNCT_path = 1;
const DW_LNCT_directory_index = 2;
const DW_FORM_string = 0x08;
const DW_FORM_line_strp = 0x1f;
const DW_FORM_strp = 0x0e;
const DW_FORM_udata = 0x0f;
const DW_FORM_data1 = 0x0b;
const DW_FORM_data2 = 0x05;
const DW_FORM_data16 = 0x1e;

export class Bytes {
  at = 0;
  constructor(readonly b: Uint8Array) {}
  u8(): number {
    return this.b[this.at++]!;
  }
  u16(): number {
    const v = this.b[this.at]! | (this.b[this.at + 1]! << 8);
    this.at += 2;
    return v;
  }
  u32(): number {
    const v =
      (this.b[this.at]! | (this.b[this.at + 1]! << 8) | (this.b[this.at + 2]! << 16) | (this.b[this.at + 3]! << 24)) >>>
      0;
    this.at += 4;
    return v;
  }
  uleb(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const byte = this.b[this.at++]!;
      result += (byte & 0x7f) * 2 ** shift;
      shift += 7;
      if ((byte & 0x80) === 0) return result;
    }
  }
  sleb(): number {
    let result = 0;
    let shift = 0;
    let byte: number;
    do {
      byte = this.b[this.at++]!;
      result += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80);
    if (byte & 0x40) result -= 2 ** shift;
    return result;
  }
  cstring(): string {
    // A string with no NUL runs to the end: the reader never moves back (a malformed section ends).
    let end = this.b.indexOf(0, this.at);
    if (end < 0) end = this.b.length;
    const s = new TextDecoder().decode(this.b.subarray(this.at, end));
    this.at = end + 1;
    return s;
  }
}

export function cstringAt(section: Uint8Array | undefined, offset: number): string {
  if (section === undefined) return '?';
  const end = section.indexOf(0, offset);
  return new TextDecoder().decode(section.subarray(offset, end));
}

/** Rows of the line program: parallel arrays sorted by address within each sequence. */
export class LineTable {
  private readonly addresses: number[] = [];
  private readonly lines: number[] = [];
  private readonly columns: number[] = [];
  private readonly files: number[] = [];
  /** Row i ends a sequence (its address is one past the sequence's code). */
  private readonly ends: boolean[] = [];
  private readonly fileNames: string[] = [];
  /** A line program's offset in `.debug_line` (a unit's DW_AT_stmt_list) → where its files start in `fileNames`. */
  private readonly fileBases = new Map<number, number>();
  readonly codeOffset: number;

  constructor(wasm: Uint8Array) {
    const sections = wasmSections(wasm);
    const custom = (name: string): Uint8Array | undefined => {
      const s = sections.find((x) => x.id === 0 && x.name === name);
      return s === undefined ? undefined : wasm.subarray(s.payloadOffset, s.payloadOffset + s.payloadSize);
    };
    const code = sections.find((s) => s.id === 10);
    if (code === undefined) throw new Error('the module has no code section');
    this.codeOffset = code.payloadOffset;
    const line = custom('.debug_line');
    if (line === undefined) throw new Error('the module has no .debug_line section (build with -g)');
    this.decode(line, custom('.debug_line_str'), custom('.debug_str'));
    this.buildRanges();
  }

  private decode(section: Uint8Array, lineStr: Uint8Array | undefined, str: Uint8Array | undefined): void {
    const r = new Bytes(section);
    while (r.at < section.length) {
      const unitOffset = r.at;
      const unitLength = r.u32();
      const unitEnd = r.at + unitLength;
      const version = r.u16();
      if (version !== 4 && version !== 5) throw new Error(`.debug_line version ${version}: DWARF 4 and 5 are decoded`);
      if (version === 5) {
        r.u8(); // address_size
        r.u8(); // segment_selector_size
      }
      const headerLength = r.u32();
      const programStart = r.at + headerLength;
      const minInstructionLength = r.u8();
      r.u8(); // maximum_operations_per_instruction
      const defaultIsStmt = r.u8() !== 0;
      const lineBase = (r.u8() << 24) >> 24;
      const lineRange = r.u8();
      const opcodeBase = r.u8();
      const standardLengths = [0];
      for (let i = 1; i < opcodeBase; i++) standardLengths.push(r.u8());
      const readEntries = (): { path: string; dir: number }[] => {
        const formatCount = r.u8();
        const format: [number, number][] = [];
        for (let i = 0; i < formatCount; i++) format.push([r.uleb(), r.uleb()]);
        const count = r.uleb();
        const entries: { path: string; dir: number }[] = [];
        for (let n = 0; n < count; n++) {
          let path = '';
          let dir = 0;
          for (const [type, form] of format) {
            let value: string | number = 0;
            if (form === DW_FORM_string) value = r.cstring();
            else if (form === DW_FORM_line_strp) value = cstringAt(lineStr, r.u32());
            else if (form === DW_FORM_strp) value = cstringAt(str, r.u32());
            else if (form === DW_FORM_udata) value = r.uleb();
            else if (form === DW_FORM_data1) value = r.u8();
            else if (form === DW_FORM_data2) value = r.u16();
            else if (form === DW_FORM_data16) r.at += 16;
            else throw new Error(`.debug_line: form 0x${form.toString(16)} not decoded`);
            if (type === DW_LNCT_path) path = String(value);
            else if (type === DW_LNCT_directory_index) dir = Number(value);
          }
          entries.push({ path, dir });
        }
        return entries;
      };
      let directories: { path: string; dir: number }[];
      let files: { path: string; dir: number }[];
      if (version === 5) {
        directories = readEntries();
        files = readEntries();
      } else {
        // DWARF 4: directories and files are 1-based lists ended by an empty entry; index 0 is the compilation directory.
        directories = [{ path: '', dir: 0 }];
        for (let d = r.cstring(); d !== ''; d = r.cstring()) directories.push({ path: d, dir: 0 });
        files = [{ path: '', dir: 0 }];
        for (let f = r.cstring(); f !== ''; f = r.cstring()) {
          const dir = r.uleb();
          r.uleb(); // modification time
          r.uleb(); // length
          files.push({ path: f, dir });
        }
      }
      const base = this.fileNames.length;
      this.fileBases.set(unitOffset, base);
      for (const f of files) {
        const dir = directories[f.dir]?.path ?? '';
        // Paths the user gave are relative; the compilation directory (entry 0) is "/" in the toolchain's tree.
        const path = f.path.startsWith('/') || dir === '' || dir === '/' ? f.path : `${dir}/${f.path}`;
        this.fileNames.push(posix.normalize(path).replace(/^\//, ''));
      }
      r.at = programStart;
      let address = 0;
      let file = 1;
      let lineNo = 1;
      let column = 0;
      let isStmt = defaultIsStmt;
      const emit = (end: boolean): void => {
        this.addresses.push(address);
        this.lines.push(lineNo);
        this.columns.push(column);
        this.files.push(base + file);
        this.ends.push(end);
      };
      while (r.at < unitEnd) {
        const op = r.u8();
        if (op >= opcodeBase) {
          const adjusted = op - opcodeBase;
          address += Math.floor(adjusted / lineRange) * minInstructionLength;
          lineNo += lineBase + (adjusted % lineRange);
          emit(false);
        } else if (op === 0) {
          const length = r.uleb();
          const next = r.at + length;
          const sub = r.u8();
          if (sub === DW_LNE_end_sequence) {
            emit(true);
            address = 0;
            file = 1;
            lineNo = 1;
            column = 0;
            isStmt = defaultIsStmt;
          } else if (sub === DW_LNE_set_address) {
            address = r.u32();
          }
          r.at = next;
        } else if (op === DW_LNS_copy) emit(false);
        else if (op === DW_LNS_advance_pc) address += r.uleb() * minInstructionLength;
        else if (op === DW_LNS_advance_line) lineNo += r.sleb();
        else if (op === DW_LNS_set_file) file = r.uleb();
        else if (op === DW_LNS_set_column) column = r.uleb();
        else if (op === DW_LNS_negate_stmt) isStmt = !isStmt;
        else if (op === DW_LNS_const_add_pc)
          address += Math.floor((255 - opcodeBase) / lineRange) * minInstructionLength;
        else if (op === DW_LNS_fixed_advance_pc) address += r.u16();
        else if (op === DW_LNS_set_basic_block || op === DW_LNS_set_prologue_end || op === DW_LNS_set_epilogue_begin) {
          /* no state the lookup uses */
        } else if (op === DW_LNS_set_isa) r.uleb();
        else for (let i = 0; i < standardLengths[op]!; i++) r.uleb();
      }
      void isStmt;
      r.at = unitEnd;
    }
  }

  /**
   * The source position of a DWARF address (code-section relative), or null. `guess`: for code with
   * line 0, the line of the next row with one (below); false gives line 0 (not known) instead.
   */
  lookup(address: number, guess = true): SourceLocation | null {
    // Ranges are sorted by start; binary search for the last range starting at or below address.
    const starts = this.rangeStarts;
    let lo = 0;
    let hi = starts.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid]! <= address) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (found < 0 || address >= this.rangeEnds[found]!) return null;
    let row = this.rangeRows[found]!;
    // Line 0: code no source line stands for (a load hoisted out of a loop, a merge of branches).
    // The next row of its sequence with a line names the statement the code was made for.
    for (let k = row + 1; guess && this.lines[row] === 0 && k < this.lines.length && !this.ends[k]; k++)
      if (this.lines[k] !== 0) row = k;
    if (this.lines[row] === 0) return { file: this.fileNames[this.files[row]!] ?? '?', line: 0, column: 0 };
    return { file: this.fileNames[this.files[row]!] ?? '?', line: this.lines[row]!, column: this.columns[row]! };
  }

  private readonly rangeStarts: number[] = [];
  private readonly rangeEnds: number[] = [];
  private readonly rangeRows: number[] = [];

  /** Turns the rows into address ranges: row i covers [its address, the next different address of its sequence). */
  private buildRanges(): void {
    const ranges: [number, number, number][] = [];
    for (let i = 0; i < this.addresses.length; i++) {
      if (this.ends[i]) continue;
      let j = i + 1;
      // Rows at the same address: the last one describes it.
      if (j < this.addresses.length && !this.ends[j] && this.addresses[j] === this.addresses[i]) continue;
      while (j < this.addresses.length && this.addresses[j] === this.addresses[i]) j++;
      if (j < this.addresses.length) ranges.push([this.addresses[i]!, this.addresses[j]!, i]);
    }
    ranges.sort((a, b) => a[0] - b[0]);
    for (const [start, end, row] of ranges) {
      this.rangeStarts.push(start);
      this.rangeEnds.push(end);
      this.rangeRows.push(row);
    }
  }

  /**
   * File `index` of the line program at `stmtList` (a unit's DW_AT_stmt_list; DW_AT_call_file and
   * the line program's own file register count in it), or null.
   */
  fileName(stmtList: number, index: number): string | null {
    const base = this.fileBases.get(stmtList);
    return base === undefined ? null : (this.fileNames[base + index] ?? null);
  }

  /** The position of a V8 frame (module offset). */
  lookupFrame(frame: WasmFrame): SourceLocation | null {
    return this.lookup(frame.moduleOffset - this.codeOffset);
  }
}
