/**
 * Structures in driver memory ↔ the plain objects the harness's DDIs take, driven by the wasm32
 * layout table alone: every field is read or written by its storage kind. Handlers (function
 * pointers with a role) become callables through `handler`; pointers stay addresses unless a writer
 * is given an object for a pointer field, which it places in memory the pool gives it.
 */
import type { CType, RecordLayout } from './layout.js';
import type { DriverMemory } from './memory.js';

export interface RecordContext {
  readonly memory: DriverMemory;
  readonly layouts: ReadonlyMap<string, RecordLayout>;
  /** A handler field: table index (0 = NULL) → the callable the harness takes. */
  handler(tableIndex: number, role: string, field: string): unknown;
  /** Memory for a pointee the writer must place (owned by the harness). */
  allocate(bytes: number, label: string): number;
  /** The C value of an object the driver holds but never reads (a handle). */
  opaque(object: object): number;
}

function layoutOf(context: RecordContext, name: string): RecordLayout {
  const layout = context.layouts.get(name);
  if (layout === undefined) throw new Error(`no layout for ${name}`);
  return layout;
}

function readValue(context: RecordContext, type: CType, address: number, field: string): unknown {
  const m = context.memory;
  switch (type.kind) {
    case 'scalar':
      switch (type.name) {
        case 'u8':
          return m.u8(address);
        case 'bool':
          return m.u8(address) !== 0;
        case 'u16':
          return m.u16(address);
        case 'u32':
        case 'uptr':
          return m.u32(address);
        case 'i32':
        case 'enum':
          return m.i32(address);
        case 'u64':
          return m.u64(address);
        case 'i64':
          return m.i64(address);
      }
      break;
    case 'pointer':
      if (type.role !== undefined) return context.handler(m.u32(address), type.role, field);
      return m.u32(address);
    case 'record':
      return readRecord(context, type.name, address);
    case 'array': {
      const out: unknown[] = [];
      const step = sizeOf(context, type.of);
      for (let i = 0; i < type.count; i++) out.push(readValue(context, type.of, address + i * step, field));
      return out;
    }
  }
  return undefined;
}

function sizeOf(context: RecordContext, type: CType): number {
  switch (type.kind) {
    case 'scalar':
      return type.name === 'u8' || type.name === 'bool'
        ? 1
        : type.name === 'u16'
          ? 2
          : type.name === 'u64' || type.name === 'i64'
            ? 8
            : 4;
    case 'pointer':
      return 4;
    case 'record':
      return layoutOf(context, type.name).size;
    case 'array':
      return sizeOf(context, type.of) * type.count;
  }
}

/** The offset of a record's QuadPart (a LARGE_INTEGER-like union), or undefined. */
function quadPartOf(context: RecordContext, name: string): number | undefined {
  return layoutOf(context, name).fields.get('QuadPart')?.offset;
}

/** Reads a record's top-level fields into an object (nested records become nested objects). */
export function readRecord(context: RecordContext, name: string, address: number): Record<string, unknown> {
  const layout = layoutOf(context, name);
  const out: Record<string, unknown> = {};
  for (const field of layout.fields.values()) {
    if (field.path.includes('.')) continue;
    out[field.path] = readValue(context, field.type, address + field.offset, `${name}.${field.path}`);
  }
  return out;
}

function writeValue(context: RecordContext, type: CType, address: number, value: unknown, label: string): void {
  const m = context.memory;
  switch (type.kind) {
    case 'scalar':
      switch (type.name) {
        case 'u8':
          m.setU8(address, Number(value ?? 0));
          return;
        case 'bool':
          m.setU8(address, value === true ? 1 : 0);
          return;
        case 'u16':
          m.setU16(address, Number(value ?? 0));
          return;
        case 'u32':
        case 'uptr':
        case 'i32':
        case 'enum':
          m.setU32(address, Number(value ?? 0));
          return;
        case 'u64':
        case 'i64':
          m.setU64(address, BigInt.asUintN(64, BigInt((value as bigint | number | undefined) ?? 0)));
          return;
      }
      return;
    case 'pointer': {
      if (value === null || value === undefined || value === 0) m.setU32(address, 0);
      else if (typeof value === 'number') m.setU32(address, value);
      else if (typeof value === 'object' && !context.layouts.has(type.to))
        m.setU32(address, context.opaque(value)); // a kernel object the driver only holds (KINTERRUPT)
      else if (typeof value === 'object')
        m.setU32(address, placeRecord(context, type.to, value as Record<string, unknown>, label));
      else throw new TypeError(`${label}: cannot store ${typeof value} in a pointer field`);
      return;
    }
    case 'record': {
      // A 64-bit value the harness keeps as a number (PHYSICAL_ADDRESS, LARGE_INTEGER): its QuadPart.
      const quad = typeof value === 'bigint' || typeof value === 'number' ? quadPartOf(context, type.name) : undefined;
      if (quad !== undefined) m.setU64(address + quad, BigInt.asUintN(64, BigInt(value as bigint | number)));
      else writeRecord(context, type.name, address, (value ?? {}) as Record<string, unknown>);
      return;
    }
    case 'array': {
      const items = Array.isArray(value) ? value : [];
      const step = sizeOf(context, type.of);
      for (let i = 0; i < items.length; i++) writeValue(context, type.of, address + i * step, items[i], label);
    }
  }
}

/** Writes the fields `object` has (others untouched). */
export function writeRecord(
  context: RecordContext,
  name: string,
  address: number,
  object: Record<string, unknown>,
): void {
  const layout = layoutOf(context, name);
  for (const field of layout.fields.values()) {
    if (field.path.includes('.') || !(field.path in object)) continue;
    writeValue(context, field.type, address + field.offset, object[field.path], `${name}.${field.path}`);
  }
}

/**
 * Places a record in memory the pool gives. A trailing array field (`MessageInfo[1]`, the C idiom
 * for a variable-length tail) grows to the length of the array given.
 */
export function placeRecord(
  context: RecordContext,
  name: string,
  object: Record<string, unknown>,
  label: string,
): number {
  const layout = layoutOf(context, name);
  let bytes = layout.size;
  const fields = [...layout.fields.values()].filter((f) => !f.path.includes('.'));
  const last = fields[fields.length - 1];
  if (last !== undefined && last.type.kind === 'array' && Array.isArray(object[last.path])) {
    const items = (object[last.path] as unknown[]).length;
    const element = sizeOf(context, last.type.of);
    bytes = Math.max(bytes, last.offset + element * items);
    const address = context.allocate(bytes, label);
    writeRecord(context, name, address, { ...object, [last.path]: [] });
    const items2 = object[last.path] as unknown[];
    for (let i = 0; i < items2.length; i++)
      writeValue(context, last.type.of, address + last.offset + i * element, items2[i], label);
    return address;
  }
  const address = context.allocate(bytes, label);
  writeRecord(context, name, address, object);
  return address;
}
