/**
 * The few facts the host reads from a wasm binary itself: where the code section's payload starts
 * (DWARF addresses count from there; V8's stack frames count from the module start), the C name of
 * every function (the `name` custom section), and custom sections the build appends
 * (`ddikit.roles`).
 */

/** A section of a module. */
export interface WasmSection {
  readonly id: number;
  /** Custom sections: their name. */
  readonly name: string;
  /** Offset of the payload (after id and size) from the module start. */
  readonly payloadOffset: number;
  readonly payloadSize: number;
}

const SECTION_CUSTOM = 0;
const SECTION_IMPORT = 2;
const SECTION_CODE = 10;

class Reader {
  constructor(
    readonly bytes: Uint8Array,
    public at = 0,
  ) {}
  u8(): number {
    return this.bytes[this.at++]!;
  }
  uleb(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const byte = this.bytes[this.at++]!;
      result += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7;
    }
  }
  name(): string {
    const length = this.uleb();
    const text = new TextDecoder().decode(this.bytes.subarray(this.at, this.at + length));
    this.at += length;
    return text;
  }
}

/** The sections of a module, in order. */
export function wasmSections(bytes: Uint8Array): WasmSection[] {
  if (bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d)
    throw new Error('not a wasm module');
  const r = new Reader(bytes, 8);
  const out: WasmSection[] = [];
  while (r.at < bytes.length) {
    const id = r.u8();
    const size = r.uleb();
    const start = r.at;
    let name = '';
    let payloadOffset = start;
    if (id === SECTION_CUSTOM) {
      name = r.name();
      payloadOffset = r.at;
    }
    out.push({ id, name, payloadOffset, payloadSize: start + size - payloadOffset });
    r.at = start + size;
  }
  return out;
}

/** Offset of the code section's payload: a V8 frame offset minus this is a DWARF address. */
export function codeSectionOffset(bytes: Uint8Array): number {
  const code = wasmSections(bytes).find((s) => s.id === SECTION_CODE);
  if (code === undefined) throw new Error('the module has no code section');
  return code.payloadOffset;
}

/** Number of imported functions (they come first in the function index space). */
export function importedFunctionCount(bytes: Uint8Array): number {
  const section = wasmSections(bytes).find((s) => s.id === SECTION_IMPORT);
  if (section === undefined) return 0;
  const r = new Reader(bytes, section.payloadOffset);
  let functions = 0;
  for (let n = r.uleb(); n > 0; n--) {
    r.name();
    r.name();
    const kind = r.u8();
    if (kind === 0) {
      functions++;
      r.uleb();
    } else if (kind === 1) {
      r.u8();
      const flags = r.uleb();
      r.uleb();
      if (flags & 1) r.uleb();
    } else if (kind === 2) {
      const flags = r.uleb();
      r.uleb();
      if (flags & 1) r.uleb();
    } else if (kind === 3) {
      r.u8();
      r.u8();
    } else {
      throw new Error(`import kind ${kind} is not supported`);
    }
  }
  return functions;
}

/** Function names from the `name` custom section: function index → C name. */
export function functionNames(module: WebAssembly.Module): Map<number, string> {
  const out = new Map<number, string>();
  const section = WebAssembly.Module.customSections(module, 'name')[0];
  if (section === undefined) return out;
  const r = new Reader(new Uint8Array(section));
  while (r.at < r.bytes.length) {
    const id = r.u8();
    const size = r.uleb();
    const end = r.at + size;
    if (id === 1) {
      for (let n = r.uleb(); n > 0; n--) {
        const index = r.uleb();
        out.set(index, r.name());
      }
    }
    r.at = end;
  }
  return out;
}

/** Appends a custom section (JSON text) to a module. */
export function appendCustomSection(bytes: Uint8Array, name: string, payload: string): Uint8Array {
  const encoder = new TextEncoder();
  const nameBytes = encoder.encode(name);
  const body = encoder.encode(payload);
  const content = [...uleb(nameBytes.length), ...nameBytes];
  const size = content.length + body.length;
  const header = [SECTION_CUSTOM, ...uleb(size)];
  const out = new Uint8Array(bytes.length + header.length + size);
  out.set(bytes, 0);
  out.set(header, bytes.length);
  out.set(content, bytes.length + header.length);
  out.set(body, bytes.length + header.length + content.length);
  return out;
}

/** Reads a JSON custom section the build appended, or undefined. */
export function readJsonSection<T>(module: WebAssembly.Module, name: string): T | undefined {
  const section = WebAssembly.Module.customSections(module, name)[0];
  return section === undefined ? undefined : (JSON.parse(new TextDecoder().decode(section)) as T);
}

function uleb(value: number): number[] {
  const out: number[] = [];
  do {
    let byte = value & 0x7f;
    value = Math.floor(value / 128);
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
  return out;
}

/** Compiles module bytes (a typed view over any buffer). */
export function compileModule(bytes: Uint8Array): WebAssembly.Module {
  return new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>);
}
