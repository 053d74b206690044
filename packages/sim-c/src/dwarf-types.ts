/**
 * C structure layouts from the module's DWARF 4 `.debug_info`, so a report can name the member a
 * pool block's bytes hold: `Cnto#5->TxRing.InFlight` rather than `Cnto#5+0xc0`.
 *
 * NDIS hands pool memory out untyped (NdisAllocateMemoryWithTagPriority takes a length), and the
 * debug information does not say what the driver put there. A block whose length is the size of
 * exactly one named structure of the module is taken to hold one of those — the driver allocated
 * `sizeof(CONTOSO_ADAPTER)` — and its offsets are named by that structure's members, through nested
 * structures and arrays. When several structures have that size but only one of them is the
 * driver's own (declared in its sources, not in the harness's ndis.h), the block is taken to hold
 * that one: a driver allocates its own structures from pool, NDIS's it mostly keeps on the stack or
 * inside its own. Any other length (two of the driver's structures of that size, none, an array of
 * them, a byte buffer) keeps the offset. Anything it cannot read leaves it with no structures.
 */
import { C_IDENTIFIER, type Die, readUnits, sizeOf, TYPE_DEPTH_MAX } from './dwarf-info.js';

const DW_TAG_array_type = 0x01;
const DW_TAG_member = 0x0d;
const DW_TAG_structure_type = 0x13;
const DW_TAG_typedef = 0x16;
const DW_TAG_union_type = 0x17;
const DW_TAG_const_type = 0x26;
const DW_TAG_volatile_type = 0x35;
const DW_TAG_subrange_type = 0x21;
const DW_AT_name = 0x03;
const DW_AT_byte_size = 0x0b;
const DW_AT_bit_size = 0x0d;
const DW_AT_declaration = 0x3c;
const DW_AT_data_member_location = 0x38;
const DW_AT_type = 0x49;
const DW_AT_stmt_list = 0x10;
const DW_AT_decl_file = 0x3a;
/** Most member names one path holds (nested structures and arrays). */
const PATH_DEPTH_MAX = 8;

/** A structure type and the DIEs of its unit. */
interface Layout {
  readonly name: string;
  readonly die: Die;
  readonly byOffset: ReadonlyMap<number, Die>;
}

export class StructLayouts {
  /** Per size, the structures of that size (at most two kept: two make it ambiguous). */
  private readonly bySize = new Map<number, Map<string, Layout>>();
  /** The same, of the driver's own structures only (not declared in the build's ddikit/ headers). */
  private readonly ownBySize = new Map<number, Map<string, Layout>>();

  /**
   * `fileName` resolves a DW_AT_decl_file (the unit's line program, the file's index) to the file as
   * the build named it; without it every structure counts as the driver's own.
   */
  constructor(wasm: Uint8Array, fileName: ((stmtList: number, index: number) => string | null) | null = null) {
    try {
      this.read(wasm, fileName);
    } catch {
      this.bySize.clear();
      this.ownBySize.clear();
    }
  }

  /** The name of the structure a block of `size` bytes is taken to hold, or null (see the module comment). */
  structureOfSize(size: number): string | null {
    return this.layoutOfSize(size)?.name ?? null;
  }

  /**
   * The member at `offset` of a block of `size` bytes holding the one structure of that size, as
   * a path (`TxRing.InFlight`, `RxFrameBytes[3]`, `Stats+0x2` inside a member); null when no
   * structure is taken for the block or the offset is in no member (padding). `whole`: a member
   * that starts at `offset` is named itself (`TxLock`), not by its first member (`TxLock.SpinLock`).
   */
  memberAt(size: number, offset: number, whole = false): string | null {
    const layout = this.layoutOfSize(size);
    return layout === null ? null : memberPath(layout.die, offset, layout.byOffset, 0, whole);
  }

  private layoutOfSize(size: number): Layout | null {
    const found = this.bySize.get(size);
    if (found === undefined) return null;
    if (found.size === 1) return [...found.values()][0]!;
    const own = this.ownBySize.get(size);
    return own !== undefined && own.size === 1 ? [...own.values()][0]! : null;
  }

  private read(wasm: Uint8Array, fileName: ((stmtList: number, index: number) => string | null) | null): void {
    const add = (table: Map<number, Map<string, Layout>>, size: number, layout: Layout): void => {
      let sized = table.get(size);
      if (sized === undefined) table.set(size, (sized = new Map()));
      // Two units' copies of one structure are one. Two different structures make the size
      // ambiguous for good: nothing more is compared (a module of many same-size structures
      // costs one comparison each, not one per pair).
      if (sized.size < 2 && ![...sized.values()].some((l) => sameLayout(l, layout.die))) sized.set(layout.name, layout);
    };
    for (const { root, byOffset } of readUnits(wasm)) {
      const stmtList = root.attrs.get(DW_AT_stmt_list);
      // The build's own headers (ddikit/include/ndis.h) are NDIS's; the driver's sources are the rest.
      const harnessFile = (die: Die): boolean => {
        const index = die.attrs.get(DW_AT_decl_file);
        if (fileName === null || typeof stmtList !== 'number' || typeof index !== 'number') return false;
        return fileName(stmtList, index)?.startsWith('ddikit/') ?? false;
      };
      const visit = (die: Die, typedefName: string | null): void => {
        if (die.tag === DW_TAG_structure_type && die.attrs.get(DW_AT_declaration) === undefined) {
          const own = die.attrs.get(DW_AT_name);
          const name = typeof own === 'string' ? own : typedefName;
          const size = die.attrs.get(DW_AT_byte_size);
          if (name !== null && C_IDENTIFIER.test(name) && typeof size === 'number' && size > 0) {
            const layout = { name, die, byOffset };
            add(this.bySize, size, layout);
            if (!harnessFile(die)) add(this.ownBySize, size, layout);
          }
        }
        for (const child of die.children) visit(child, null);
      };
      for (const die of root.children) {
        // `typedef struct { … } NAME`: an anonymous structure is known by its typedef.
        if (die.tag === DW_TAG_typedef) {
          const target = die.attrs.get(DW_AT_type);
          const type = typeof target === 'number' ? byOffset.get(target) : undefined;
          const name = die.attrs.get(DW_AT_name);
          if (
            type?.tag === DW_TAG_structure_type &&
            type.attrs.get(DW_AT_name) === undefined &&
            typeof name === 'string'
          )
            visit(type, name);
          continue;
        }
        if (die.tag === DW_TAG_structure_type && die.attrs.get(DW_AT_name) === undefined) continue; // by its typedef
        visit(die, null);
      }
    }
  }
}

/** Whether a structure DIE has another's members (a copy of one structure in another unit). */
function sameLayout(layout: Layout, die: Die): boolean {
  const names = (d: Die): string =>
    d.children
      .filter((c) => c.tag === DW_TAG_member)
      .map((c) => `${String(c.attrs.get(DW_AT_name))}@${String(c.attrs.get(DW_AT_data_member_location))}`)
      .join(',');
  return names(layout.die) === names(die);
}

/**
 * What follows a variable's name for the bytes at `offset` in it, by its type (a DW_TAG_variable
 * or DW_TAG_member DIE): `.Member`, `[3]`, `[3].Member`, `+0x2`, or '' at its start. `whole`: an
 * object starting at `offset` is named itself, not by its first member.
 */
export function pathInVariable(
  variable: Die,
  offset: number,
  byOffset: ReadonlyMap<number, Die>,
  whole: boolean,
): string {
  const typeRef = variable.attrs.get(DW_AT_type);
  const type = resolved(typeof typeRef === 'number' ? byOffset.get(typeRef) : undefined, byOffset);
  return within(type, offset, byOffset, 0, whole);
}

/** A type with typedefs and qualifiers followed. */
function resolved(die: Die | undefined, byOffset: ReadonlyMap<number, Die>): Die | undefined {
  let current = die;
  for (let depth = 0; current !== undefined && depth < TYPE_DEPTH_MAX; depth++) {
    if (current.tag !== DW_TAG_typedef && current.tag !== DW_TAG_const_type && current.tag !== DW_TAG_volatile_type)
      return current;
    const next = current.attrs.get(DW_AT_type);
    current = typeof next === 'number' ? byOffset.get(next) : undefined;
  }
  return undefined;
}

/** The path of the member at `offset` in a structure or union DIE, or null. */
function memberPath(
  type: Die,
  offset: number,
  byOffset: ReadonlyMap<number, Die>,
  depth: number,
  whole: boolean,
): string | null {
  if (depth >= PATH_DEPTH_MAX) return null;
  for (const member of type.children) {
    if (member.tag !== DW_TAG_member) continue;
    const name = member.attrs.get(DW_AT_name);
    const at = member.attrs.get(DW_AT_data_member_location);
    if (typeof name !== 'string' || !C_IDENTIFIER.test(name) || member.attrs.get(DW_AT_bit_size) !== undefined)
      continue;
    const start = typeof at === 'number' ? at : type.tag === DW_TAG_union_type ? 0 : -1;
    const size = sizeOf(member, byOffset);
    if (start < 0 || size <= 0 || offset < start || offset >= start + size) continue;
    const typeRef = member.attrs.get(DW_AT_type);
    const memberType = resolved(typeof typeRef === 'number' ? byOffset.get(typeRef) : undefined, byOffset);
    return name + within(memberType, offset - start, byOffset, depth, whole);
  }
  return null;
}

/** What follows a member's name for `offset` inside it: `.Inner`, `[3]`, `[3].Inner`, `+0x2`, or ''. */
function within(
  type: Die | undefined,
  offset: number,
  byOffset: ReadonlyMap<number, Die>,
  depth: number,
  whole: boolean,
): string {
  if (type === undefined || (whole && offset === 0)) return offset === 0 ? '' : `+0x${offset.toString(16)}`;
  if (type.tag === DW_TAG_structure_type || type.tag === DW_TAG_union_type) {
    const inner = memberPath(type, offset, byOffset, depth + 1, whole);
    return inner !== null ? `.${inner}` : offset === 0 ? '' : `+0x${offset.toString(16)}`;
  }
  if (type.tag === DW_TAG_array_type && type.children.filter((c) => c.tag === DW_TAG_subrange_type).length === 1) {
    const elementRef = type.attrs.get(DW_AT_type);
    const element = resolved(typeof elementRef === 'number' ? byOffset.get(elementRef) : undefined, byOffset);
    const elementSize = element === undefined ? 0 : sizeOf(element, byOffset, 1);
    if (elementSize > 0) {
      const index = Math.floor(offset / elementSize);
      return `[${index}]${within(element, offset - index * elementSize, byOffset, depth + 1, whole)}`;
    }
  }
  return offset === 0 ? '' : `+0x${offset.toString(16)}`;
}
