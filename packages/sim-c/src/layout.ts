/**
 * C structure layouts for the two targets one header serves: wasm32 (ILP32, where the harness reads
 * and writes driver memory) and x64 Windows (LLP64, the syntax pass). The structures are data — the
 * spec facts the generator will carry — and the layout follows the C rules: each field at the next
 * multiple of its alignment (capped by `#pragma pack`), a union's members all at 0, the size rounded
 * up to the structure's alignment.
 *
 * {@link layoutProbe} turns a table into C that checks every offset and size with `_Static_assert`,
 * so clang itself confirms the table on either target (the generator's test).
 */

export type Target = 'wasm32' | 'x64';

/** A field's type. */
export type CType =
  | { readonly kind: 'scalar'; readonly name: ScalarName }
  /** A pointer; `to: 'function'` with a `role` is a handler (a function-table index on wasm32). */
  | { readonly kind: 'pointer'; readonly to: string; readonly role?: string }
  | { readonly kind: 'record'; readonly name: string }
  | { readonly kind: 'array'; readonly of: CType; readonly count: number };

/** Scalar kinds by their storage: what the host reads and writes. */
/** `bool` is BOOLEAN (a byte the harness sees as true/false); `uptr` is pointer-sized (ULONG_PTR, SIZE_T, KSPIN_LOCK). */
export type ScalarName = 'u8' | 'bool' | 'u16' | 'u32' | 'i32' | 'u64' | 'i64' | 'uptr' | 'enum';

export interface FieldSpec {
  readonly name: string;
  readonly type: CType;
  /** An unnamed struct or union member: its fields are reached without its name (C11). */
  readonly anonymous?: boolean;
}

/** A struct or union. */
export interface RecordSpec {
  readonly name: string;
  readonly union?: boolean;
  /** `#pragma pack(n)` in force. */
  readonly pack?: number;
  readonly fields: readonly FieldSpec[];
}

export interface FieldLayout {
  /** Dotted path from the outer record (`u.Memory.Start`). */
  readonly path: string;
  readonly offset: number;
  readonly size: number;
  readonly type: CType;
}

export interface RecordLayout {
  readonly name: string;
  readonly size: number;
  readonly align: number;
  /** Every field, nested ones included, by path. */
  readonly fields: ReadonlyMap<string, FieldLayout>;
}

const SCALARS: Record<ScalarName, { size: number; wasm32?: number; x64?: number }> = {
  u8: { size: 1 },
  bool: { size: 1 },
  u16: { size: 2 },
  u32: { size: 4 },
  i32: { size: 4 },
  enum: { size: 4 },
  u64: { size: 8 },
  i64: { size: 8 },
  uptr: { size: 0, wasm32: 4, x64: 8 },
};

const POINTER_BYTES: Record<Target, number> = { wasm32: 4, x64: 8 };

export const u8: CType = { kind: 'scalar', name: 'u8' };
export const bool: CType = { kind: 'scalar', name: 'bool' };
export const u16: CType = { kind: 'scalar', name: 'u16' };
export const u32: CType = { kind: 'scalar', name: 'u32' };
export const i32: CType = { kind: 'scalar', name: 'i32' };
export const u64: CType = { kind: 'scalar', name: 'u64' };
export const i64: CType = { kind: 'scalar', name: 'i64' };
export const uptr: CType = { kind: 'scalar', name: 'uptr' };
export const enumType: CType = { kind: 'scalar', name: 'enum' };
export const pointer = (to: string): CType => ({ kind: 'pointer', to });
export const handler = (role: string): CType => ({ kind: 'pointer', to: 'function', role });
export const record = (name: string): CType => ({ kind: 'record', name });
export const array = (of: CType, count: number): CType => ({ kind: 'array', of, count });

/** Lays out every record of `records` for `target`. */
export function computeLayouts(records: readonly RecordSpec[], target: Target): Map<string, RecordLayout> {
  const specs = new Map(records.map((r) => [r.name, r]));
  const done = new Map<string, RecordLayout>();

  const sizeAlign = (type: CType, pack: number): { size: number; align: number } => {
    switch (type.kind) {
      case 'scalar': {
        const s = SCALARS[type.name];
        const size = type.name === 'uptr' ? s[target]! : s.size;
        return { size, align: Math.min(size, pack) };
      }
      case 'pointer':
        return { size: POINTER_BYTES[target], align: Math.min(POINTER_BYTES[target], pack) };
      case 'record': {
        const inner = layoutOf(type.name);
        return { size: inner.size, align: Math.min(inner.align, pack) };
      }
      case 'array': {
        const element = sizeAlign(type.of, pack);
        return { size: element.size * type.count, align: element.align };
      }
    }
  };

  const layoutOf = (name: string): RecordLayout => {
    const known = done.get(name);
    if (known !== undefined) return known;
    const spec = specs.get(name);
    if (spec === undefined) throw new Error(`layout: record ${name} is not in the table`);
    const pack = spec.pack ?? 16;
    const fields = new Map<string, FieldLayout>();
    let offset = 0;
    let size = 0;
    let align = 1;
    for (const field of spec.fields) {
      const { size: fieldSize, align: fieldAlign } = sizeAlign(field.type, pack);
      const at = spec.union === true ? 0 : Math.ceil(offset / fieldAlign) * fieldAlign;
      if (field.anonymous !== true)
        fields.set(field.name, { path: field.name, offset: at, size: fieldSize, type: field.type });
      if (field.type.kind === 'record') {
        for (const inner of layoutOf(field.type.name).fields.values()) {
          const path = field.anonymous === true ? inner.path : `${field.name}.${inner.path}`;
          fields.set(path, { ...inner, path, offset: at + inner.offset });
        }
      }
      offset = at + fieldSize;
      size = Math.max(size, offset);
      align = Math.max(align, fieldAlign);
    }
    const layout: RecordLayout = { name, size: Math.ceil(size / align) * align, align, fields };
    done.set(name, layout);
    return layout;
  };

  for (const r of records) layoutOf(r.name);
  return done;
}

/** The offset of `path` in `record`; throws when the table has no such field. */
export function offsetOf(layouts: ReadonlyMap<string, RecordLayout>, recordName: string, path: string): number {
  const field = layouts.get(recordName)?.fields.get(path);
  if (field === undefined) throw new Error(`layout: ${recordName} has no field ${path}`);
  return field.offset;
}

/**
 * C that asserts the table: `_Static_assert(__builtin_offsetof(T, path) == N, …)` for every field
 * the C type names (records whose name starts with `_anon_` are unnamed members: checked through
 * their parent) and `sizeof(T) == N` for every named record.
 */
export function layoutProbe(records: readonly RecordSpec[], target: Target): string {
  const layouts = computeLayouts(records, target);
  const lines = ['#include <ndis.h>', ''];
  for (const spec of records) {
    if (spec.name.startsWith('_anon_')) continue;
    const layout = layouts.get(spec.name)!;
    lines.push(`_Static_assert(sizeof(${spec.name}) == ${layout.size}, "sizeof(${spec.name}) is not ${layout.size}");`);
    for (const field of layout.fields.values()) {
      lines.push(
        `_Static_assert(__builtin_offsetof(${spec.name}, ${field.path}) == ${field.offset}, "${spec.name}.${field.path} is not at ${field.offset}");`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}
