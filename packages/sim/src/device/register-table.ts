/**
 * A device model's register table: one row per register (or register array) saying where it is, what
 * a read and a write do, how an access touches device state (for the race detector) and what it
 * holds after reset — the way QEMU's e1000e decides every access from `e1000e_macreg_readops[]` and
 * `writeops[]`. Everything else is derived from the rows, once: the element of every offset (for
 * dispatch), a storage slot per element in the device's register file, the named registers handed
 * to drivers, the race detector's effects and the power-on values.
 *
 * Adding a register is adding a row, plus a read or write function where it has side effects.
 */
import type { DeviceRegister, RegisterEffect, RegisterReadEffect, RegisterWriteEffect } from './device.js';

/** What a read returns (and does). `slot`: the element's storage slot; `index`: its index in an array. */
export type RegisterRead<S> = (state: S, slot: number, index: number) => number;
/** What a write does. `value` is unsigned 32-bit. */
export type RegisterWrite<S> = (state: S, value: number, slot: number, index: number) => void;

/** One register, or one array of registers (RDT0, RDT1 …), of a device model with state `S` and configuration `C`. */
export interface RegisterRow<S, C> {
  /** The name as the datasheet spells it; an array's elements are `${name}${index}` (EITR0 … EITR4). */
  readonly name: string;
  /** Byte offset of the register, or of element 0 of an array. */
  readonly offset: number;
  /** Elements of an array (default 1: a single register). */
  readonly count?: number;
  /** Bytes from one element to the next (default 4). */
  readonly stride?: number;
  readonly read: RegisterRead<S>;
  readonly write: RegisterWrite<S>;
  /**
   * How an access touches device state, for the race detector. `state` names that state (default:
   * the element's own name); registers that change the same state share it (IMS and IMC).
   */
  readonly effect: {
    readonly state?: string;
    readonly read: RegisterReadEffect;
    readonly write: RegisterWriteEffect;
  };
  /** The value after reset (default 0), or how the configuration decides it. */
  readonly powerOn?: number | ((config: C) => number);
}

/** One register of the table, with what dispatch needs at hand. */
export interface RegisterElement<S> {
  readonly name: string;
  readonly offset: number;
  /** Its slot in the device's register file. */
  readonly slot: number;
  /** Its index in its row's array (0 for a single register). */
  readonly index: number;
  readonly read: RegisterRead<S>;
  readonly write: RegisterWrite<S>;
  readonly effect: RegisterEffect;
}

export class RegisterTable<S, C> {
  /** Every register, sorted by offset. */
  readonly elements: readonly RegisterElement<S>[];
  /** The named registers handed to drivers, sorted by offset. */
  readonly registers: readonly DeviceRegister[];
  /** Slots of the register file (one per element). */
  readonly slotCount: number;
  private readonly rows: readonly RegisterRow<S, C>[];
  /** The element at each 4-byte word of the window, up to the highest register. */
  private readonly byWord: (RegisterElement<S> | undefined)[];
  private readonly slotsByName = new Map<string, number>();

  /** Builds the table; throws when rows overlap, leave the window or share a name (a bug in the model). */
  constructor(rows: readonly RegisterRow<S, C>[], windowBytes: number) {
    this.rows = rows;
    const elements: RegisterElement<S>[] = [];
    for (const row of rows) {
      const count = row.count ?? 1;
      const stride = row.stride ?? 4;
      if (this.slotsByName.has(row.name)) throw new Error(`register table: two rows named ${row.name}`);
      this.slotsByName.set(row.name, elements.length);
      for (let index = 0; index < count; index++) {
        const offset = row.offset + index * stride;
        if (offset % 4 !== 0 || offset < 0 || offset >= windowBytes)
          throw new Error(`register table: ${row.name} element ${index} at ${offset} is not a word inside the window`);
        const name = count === 1 ? row.name : `${row.name}${index}`;
        const effect = Object.freeze({
          state: row.effect.state ?? name,
          read: row.effect.read,
          write: row.effect.write,
        });
        elements.push({ name, offset, slot: elements.length, index, read: row.read, write: row.write, effect });
      }
    }
    this.slotCount = elements.length;
    this.elements = Object.freeze([...elements].sort((a, b) => a.offset - b.offset));
    this.byWord = new Array<RegisterElement<S> | undefined>(((this.elements.at(-1)?.offset ?? 0) >> 2) + 1).fill(
      undefined,
    );
    for (const element of this.elements) {
      if (this.byWord[element.offset >> 2] !== undefined)
        throw new Error(`register table: ${element.name} overlaps ${this.byWord[element.offset >> 2]!.name}`);
      this.byWord[element.offset >> 2] = element;
    }
    this.registers = Object.freeze(this.elements.map(({ name, offset }) => Object.freeze({ name, offset })));
  }

  /** The register at exactly `offsetBytes`, or undefined (no row: an unmodeled or invalid offset). */
  find(offsetBytes: number): RegisterElement<S> | undefined {
    const element = this.byWord[offsetBytes >>> 2];
    return element !== undefined && element.offset === offsetBytes ? element : undefined;
  }

  /** The slot of row `name`'s first element (the elements of an array follow it). */
  slot(name: string): number {
    const slot = this.slotsByName.get(name);
    if (slot === undefined) throw new Error(`register table: no row named ${name}`);
    return slot;
  }

  /** How an access of the register at `offsetBytes` touches device state, or null for no register. */
  effect(offsetBytes: number): RegisterEffect | null {
    return this.find(offsetBytes)?.effect ?? null;
  }

  /** The register file after reset, for a configuration. */
  powerOnValues(config: C): Uint32Array {
    const values = new Uint32Array(this.slotCount);
    for (const row of this.rows) {
      const powerOn = row.powerOn ?? 0;
      const value = typeof powerOn === 'number' ? powerOn : powerOn(config);
      const first = this.slot(row.name);
      values.fill(value, first, first + (row.count ?? 1));
    }
    return values;
  }
}
