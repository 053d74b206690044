/**
 * Structure layouts and the call ABI for the two targets the harness header serves: wasm32 (ILP32,
 * where the harness reads and writes driver memory) and x64 Windows (LLP64, the syntax pass). The C
 * rules: each field at the next multiple of its alignment, capped by the `#pragma pack` in force; a
 * union's members all at 0; the size rounded up to the record's alignment; a run of bit-fields of one
 * type shares a unit of that type while it fits (where MSVC's and the Itanium rules agree). A test
 * compiles `_Static_assert`s of every number here with clang for both targets.
 */
import type { FieldModel, Model, ParamModel, TypeModel, TypeRefModel } from '../spec/model.js';

export const targets = ['wasm32', 'x64'] as const;
export type Target = (typeof targets)[number];

const pointerBytes: Record<Target, number> = { wasm32: 4, x64: 8 };

/** How the harness reads a value in memory. */
export type StorageKind =
  | 'u8'
  | 'i8'
  | 'bool'
  | 'u16'
  | 'i16'
  | 'u32'
  | 'i32'
  | 'u64'
  | 'i64'
  | 'uptr'
  | 'iptr'
  | 'enum'
  | 'pointer'
  | 'handler'
  | 'record';

export interface FieldLayout {
  /** Dotted from the outer record (`u.Memory.Start`); members of an anonymous member have no segment for it. */
  path: string;
  offset: number;
  size: number;
  align: number;
  /** The spec type of the field; null for a member declared in place. */
  type: string | null;
  storage: StorageKind;
  /** For an array, its element count; null otherwise. */
  count: number | null;
  /** For a bit-field: its first bit within the unit at offset, and its width; null otherwise. */
  bit: { offset: number; width: number } | null;
  /** For a handler field: the role of the function it holds. */
  role: string | null;
  /** For a pointer or a record field: the structure it points to or holds; null otherwise. */
  record: string | null;
}

export interface RecordLayout {
  name: string;
  size: number;
  align: number;
  fields: FieldLayout[];
}

interface SizeAlign {
  size: number;
  align: number;
}

/** Lays out every complete structure of the model for `target`, by name. */
export function recordLayouts(model: Model, target: Target): Map<string, RecordLayout> {
  return new LayoutBuilder(model, target).all();
}

class LayoutBuilder {
  private readonly done = new Map<string, RecordLayout>();
  private readonly types: ReadonlyMap<string, TypeModel>;
  readonly rolePointers: ReadonlyMap<string, string>;

  constructor(
    private readonly model: Model,
    private readonly target: Target,
  ) {
    this.types = new Map(model.types.map((t) => [t.name, t]));
    const pointers = new Map<string, string>();
    for (const role of model.roles) if (role.pointer !== null) pointers.set(role.pointer, role.name);
    this.rolePointers = pointers;
  }

  all(): Map<string, RecordLayout> {
    for (const type of this.model.types) if (isLaidOut(type)) this.layout(type.name, []);
    return new Map([...this.done].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }

  private layout(name: string, stack: readonly string[]): RecordLayout {
    const known = this.done.get(name);
    if (known !== undefined) return known;
    if (stack.includes(name)) throw new Error(`layout: ${[...stack, name].join(' → ')} contains itself`);
    const type = this.types.get(name);
    if (type === undefined || !isLaidOut(type)) throw new Error(`layout: ${name} is no structure of known layout`);
    const fields: FieldLayout[] = [];
    const body = this.members(type.fields, type.union, type.pack ?? 16, '', 0, fields, [...stack, name]);
    const layout = { name, size: body.size, align: body.align, fields };
    this.done.set(name, layout);
    return layout;
  }

  /** Lays out a field list at `base`, appending to `out`; returns its size and alignment. */
  private members(
    list: readonly FieldModel[],
    union: boolean,
    pack: number,
    prefix: string,
    base: number,
    out: FieldLayout[],
    stack: readonly string[],
  ): SizeAlign {
    let offset = 0;
    let size = 0;
    let align = 1;
    let unit: { offset: number; size: number; used: number } | null = null;
    for (const field of list) {
      const path = field.anonymous ? prefix.replace(/\.$/, '') : `${prefix}${field.name}`;
      if (field.members !== null) {
        unit = null;
        // The members' own offsets are relative to where the member lands, known only after its alignment.
        const inner: FieldLayout[] = [];
        const shape = this.members(
          field.members,
          field.union,
          pack,
          field.anonymous ? prefix : `${path}.`,
          0,
          inner,
          stack,
        );
        const at = union ? 0 : roundUp(offset, shape.align);
        const total = shape.size * (field.count ?? 1);
        if (!field.anonymous)
          out.push({
            path,
            offset: base + at,
            size: total,
            align: shape.align,
            type: null,
            storage: 'record',
            count: field.count,
            bit: null,
            role: null,
            record: null,
          });
        for (const f of inner) out.push({ ...f, offset: f.offset + base + at });
        offset = at + total;
        size = Math.max(size, offset);
        align = Math.max(align, shape.align);
        continue;
      }
      const element = this.typeShape(field.type, pack, stack);
      const storage = this.storageOf(field.type);
      if (field.width !== null) {
        const bits = element.size * 8;
        const fits: boolean = unit !== null && unit.size === element.size && unit.used + field.width <= bits && !union;
        const at: number = fits ? unit!.offset : union ? 0 : roundUp(offset, element.align);
        const bitOffset: number = fits ? unit!.used : 0;
        unit = { offset: at, size: element.size, used: bitOffset + field.width };
        out.push({
          path,
          offset: base + at,
          size: element.size,
          align: element.align,
          type: field.type.name,
          storage,
          count: null,
          bit: { offset: bitOffset, width: field.width },
          role: null,
          record: null,
        });
        offset = at + element.size;
        size = Math.max(size, offset);
        align = Math.max(align, element.align);
        continue;
      }
      unit = null;
      const at = union ? 0 : roundUp(offset, element.align);
      const total = element.size * (field.count ?? 1);
      const record = this.recordOf(field.type);
      out.push({
        path,
        offset: base + at,
        size: total,
        align: element.align,
        type: field.type.name,
        storage,
        count: field.count,
        bit: null,
        role: field.type.kind === 'rolePointer' ? (this.rolePointers.get(field.type.name) ?? null) : null,
        record,
      });
      // A record held by value: its fields too, under the field's path.
      if (storage === 'record' && record !== null) {
        for (const inner of this.layout(record, stack).fields)
          out.push({ ...inner, path: `${path}.${inner.path}`, offset: base + at + inner.offset });
      }
      offset = at + total;
      size = Math.max(size, offset);
      align = Math.max(align, element.align);
    }
    return { size: roundUp(size, align), align };
  }

  /** Size and alignment of a value of a type, alignment capped by the pack in force. */
  private typeShape(ref: TypeRefModel, pack: number, stack: readonly string[]): SizeAlign {
    const natural = this.naturalShape(ref, stack);
    return { size: natural.size, align: Math.min(natural.align, pack) };
  }

  private naturalShape(ref: TypeRefModel, stack: readonly string[]): SizeAlign {
    const pointer = pointerBytes[this.target];
    if (ref.kind === 'rolePointer' || ref.kind === 'pointer' || ref.kind === 'handle')
      return { size: pointer, align: pointer };
    const type = this.types.get(ref.name);
    if (type === undefined) throw new Error(`layout: ${ref.name} is not a type of the spec`);
    switch (type.typeKind) {
      case 'enum':
        return { size: 4, align: 4 };
      case 'struct': {
        const inner = this.layout(type.name, stack);
        return { size: inner.size, align: inner.align };
      }
      case 'scalar': {
        if (type.record !== null) {
          const inner = this.layout(type.record, stack);
          return { size: inner.size, align: inner.align };
        }
        const bytes = type.pointerSized ? pointer : (type.bits ?? 32) / 8;
        return { size: bytes, align: bytes };
      }
      default:
        throw new Error(`layout: ${ref.name} (${type.typeKind}) has no size`);
    }
  }

  /** How the harness reads a value of the type. */
  storageOf(ref: TypeRefModel): StorageKind {
    if (ref.kind === 'rolePointer') return 'handler';
    if (ref.kind === 'pointer' || ref.kind === 'handle') return 'pointer';
    const type = this.types.get(ref.name);
    if (type === undefined) return 'pointer';
    if (type.typeKind === 'enum') return 'enum';
    if (type.typeKind === 'struct') return 'record';
    if (type.record !== null) return 'record';
    if (type.pointerSized) return type.signed === true ? 'iptr' : 'uptr';
    if (type.name === 'BOOLEAN') return 'bool';
    const bits = type.bits ?? 32;
    return `${type.signed === true ? 'i' : 'u'}${bits}` as StorageKind;
  }

  /** The structure a field holds by value or points to; null for none. */
  private recordOf(ref: TypeRefModel): string | null {
    const type = this.types.get(ref.name);
    if (type === undefined) return null;
    if (type.typeKind === 'struct') return type.name;
    if (type.typeKind === 'scalar') return type.record;
    if (type.typeKind === 'pointer' || type.typeKind === 'handle') {
      const target = type.to === null ? undefined : this.types.get(type.to);
      if (target?.typeKind === 'scalar') return target.record;
      return target?.typeKind === 'struct' && isLaidOut(target) ? target.name : null;
    }
    return null;
  }

  /** The ABI of one parameter or return value on `target`. */
  valueAbi(ref: TypeRefModel): ValueAbi {
    const storage = this.storageOf(ref);
    const record = this.recordOf(ref);
    if (storage === 'record') {
      // A structure or union passed by value crosses as a pointer to a copy (the C ABI of both targets
      // for records wider than a register, and of wasm32 for every record that is not a lone scalar).
      return { wasm: 'i32', bits64: false, byReference: true, record };
    }
    const wide =
      storage === 'u64' || storage === 'i64' || (this.target === 'x64' && (storage === 'uptr' || storage === 'iptr'));
    return { wasm: wide ? 'i64' : 'i32', bits64: wide, byReference: false, record };
  }
}

function roundUp(value: number, align: number): number {
  return Math.ceil(value / align) * align;
}

/** A struct the layouts cover: complete (every field type known) and not opaque without fields. */
export function isLaidOut(type: TypeModel): boolean {
  return type.typeKind === 'struct' && type.complete && type.fields.length > 0;
}

export interface ValueAbi {
  /** The WebAssembly value type it crosses as. */
  wasm: 'i32' | 'i64' | 'f64';
  /** A 64-bit integer: a BigInt on the JavaScript side. */
  bits64: boolean;
  /** A structure passed by value, which crosses as the address of a copy. */
  byReference: boolean;
  /** The structure the value is, points to, or is passed as; null for none. */
  record: string | null;
}

/** One wasm32 builder per model: the ABI of every entry reads the same tables. */
const abiBuilders = new WeakMap<Model, LayoutBuilder>();

export interface ParamAbi extends ValueAbi {
  name: string;
  direction: 'in' | 'out' | 'inout' | null;
  /** The role of the function a handler parameter takes; null for other parameters. */
  handler: string | null;
}

export interface EntryAbi {
  params: ParamAbi[];
  /** null for VOID. */
  returns: ValueAbi | null;
}

/** The wasm32 ABI of an entry's parameters and result (its prototype must be known). */
export function entryAbi(
  model: Model,
  entry: { params: readonly ParamModel[]; returns: { void: boolean; type: TypeRefModel } },
): EntryAbi {
  let builder = abiBuilders.get(model);
  if (builder === undefined) abiBuilders.set(model, (builder = new LayoutBuilder(model, 'wasm32')));
  const rolePointers = builder.rolePointers;
  return {
    params: entry.params.map((p) => ({
      name: p.name,
      direction: p.direction,
      handler: p.type.kind === 'rolePointer' ? (rolePointers.get(p.type.name) ?? null) : null,
      ...builder.valueAbi(p.type),
    })),
    returns: entry.returns.void ? null : builder.valueAbi(entry.returns.type),
  };
}
