/**
 * Memory safety of a C driver as verifier rules. Three sources:
 *
 * - UBSan handlers (`env.__ubsan_handle_*_abort`, every build): a NULL dereference — address 0 is
 *   valid wasm memory, so without the check it would silently corrupt the stack — an index past a
 *   fixed-size array, a misaligned access, a shift, a division… Each handler gets UBSan's static data
 *   with the C `file:line:column`, so the report is exact without DWARF.
 * - Access hooks (`env.__sanitizer_cov_load4(address)`, …, the access-instrumented build): every load
 *   and store that survived optimization, and (`env.__ddikit_interlocked`, from the harness's ndis.h)
 *   every interlocked operation, before it happens — pool overruns and use after free,
 *   dereferences of the register window or of a handle, and accesses to pool and global memory fed to
 *   the harness's race detector (one variable per 4-byte word).
 * - Traps (any build): a RuntimeError out of the driver becomes a report; the stack pointer tells a
 *   stack overflow from a wild access.
 *
 * A report that the driver cannot survive (a trap, an aborting check) stops the run in either mode.
 */
import { posix } from 'node:path';
import { BugCheck, type RuleId } from '@ddikit/sim';
import { INTERLOCKED_HOOK, UB_HANDLERS } from './abi.js';
import { HandleTable, REGISTER_WINDOW_BASE } from './handles.js';
import type { DriverRuntime } from './driver-runtime.js';

/** Bytes of one register window mapping at most (16 MiB), as instance.ts maps it. */
const WINDOW_BYTES_MAX = 0x0100_0000;

/** UBSan's TypeCheckKind, as its messages word them. */
const TYPE_CHECK_KINDS = [
  'load of',
  'store to',
  'reference binding to',
  'member access within',
  'member call on',
  'constructor call on',
  'downcast of',
  'downcast of',
  'upcast of',
  'cast to virtual base of',
  'nonnull binding to',
  'dynamic operation on',
];

/**
 * How reports name a place in the driver's memory: `Cnto#5+0x14` (offset 0x14 of the driver's pool
 * block #5, tag Cnto), or `Cnto#5->TxRing.InFlight` when the block's size is that of one structure
 * of the module (dwarf-types.ts; `whole`: an object at the address, such as an NDIS_SPIN_LOCK, is
 * named as the member that holds it, not as its first member); a global variable by its C name (`ContosoCount`, `ContosoStats+0x4`), or
 * `global 0x66d0` for .data or .bss the debug information does not name; '' for any other address
 * (the stack, shared memory, a freed block).
 */
export function placeName(driver: DriverRuntime, address: number, whole = false): string {
  const a = address >>> 0;
  if (a >= driver.pool.base) {
    const hit = driver.pool.classify(a);
    if (hit.kind !== 'live' || hit.block.owner !== 'driver') return '';
    const block = `${hit.block.tag}#${hit.block.serial}`;
    const member = driver.blockMember(hit.block.size, hit.offset, whole);
    return member !== null ? `${block}->${member}` : `${block}+0x${hit.offset.toString(16)}`;
  }
  if (a < driver.stackHigh || a >= driver.memory.size) return '';
  return driver.globalName(a, whole) ?? `global 0x${a.toString(16)}`;
}

/** What an instrumented access does: a load, a store, or an interlocked read-modify-write. */
const READ = 0;
const WRITE = 1;
const INTERLOCKED = 2;
type AccessKind = typeof READ | typeof WRITE | typeof INTERLOCKED;
const ACCESS_VERBS = ['read', 'write', 'interlocked update'] as const;

export class MemoryChecks {
  /** Accesses the instrumentation saw (all, and those that went to the race detector). */
  accesses = 0;
  trackedAccesses = 0;
  private readonly raceVars = new Map<number, unknown>();
  /** Set by a watchdog that asks where the driver is (RunProbe.whereAsked): the next access answers. */
  private readonly whereAsked: Int32Array | null;

  constructor(private readonly driver: DriverRuntime) {
    this.whereAsked = driver.sim.probe?.whereAsked ?? null;
  }

  /** The "env" imports: UBSan handlers and the access hooks of an instrumented module. */
  imports(): Record<string, (...a: never[]) => unknown> {
    const out: Record<string, (...a: never[]) => unknown> = { __sanitizer_cov_bool_flag_init: () => {} };
    for (const name of UB_HANDLERS) {
      out[name] = (data: number, a: number, b: number) => this.undefinedBehaviour(name, data >>> 0, a >>> 0, b >>> 0);
    }
    for (const bytes of [1, 2, 4, 8, 16]) {
      out[`__sanitizer_cov_load${bytes}`] = (address: number) => this.access(address, bytes, READ);
      out[`__sanitizer_cov_store${bytes}`] = (address: number) => this.access(address, bytes, WRITE);
    }
    out[INTERLOCKED_HOOK] = (address: number, bytes: number) => this.access(address, bytes >>> 0, INTERLOCKED);
    return out;
  }

  private stackOverflowText(sp: number): string {
    const d = this.driver;
    return `the stack overflowed its ${d.stackHigh - d.stackLow} bytes (stack pointer 0x${sp.toString(16)})`;
  }

  /** One load, store or interlocked operation, before it happens. */
  private access(address: number, bytes: number, kind: AccessKind): void {
    this.accesses++;
    // A watchdog about to stop a run that hangs asks where the driver is: a loop that calls no DDI
    // still loads and stores, and the line of this one is where it loops.
    if (this.whereAsked !== null && this.whereAsked[0] !== 0) this.tellWhere();
    const write = kind !== READ;
    const a = address >>> 0;
    const d = this.driver;
    if (a < d.stackHigh) return; // the stack
    if (a + bytes > d.memory.size) return this.accessOutside(a, write);
    if (a >= d.pool.base) {
      const hit = d.pool.classify(a);
      if (hit.kind === 'live') {
        if (hit.block.owner === 'driver') this.trackRace(a, kind);
        return;
      }
      if (hit.kind === 'outside') return;
      const rule: RuleId = hit.kind === 'freed' ? 'POOL-USE-AFTER-FREE' : 'POOL-OVERRUN';
      // A freed block of a driver structure's size: the member at the offset, as a race names it.
      const member =
        hit.kind === 'freed' && hit.block.owner === 'driver' ? d.blockMember(hit.block.size, hit.offset, false) : null;
      const what =
        hit.kind === 'unallocated'
          ? 'an address between pool blocks'
          : `${hit.block.tag} block #${hit.block.serial} (${hit.block.size} bytes) at offset ${hit.offset}${member !== null ? ` (${member})` : ''}${hit.kind === 'freed' ? `, after ${hit.block.owner === 'shared' ? 'NdisMFreeSharedMemory' : 'NdisFreeMemory'} freed it` : `, ${hit.offset - hit.block.size} bytes past its end`}`;
      d.report(rule, 'memory', `${ACCESS_VERBS[kind]} of ${bytes} bytes at 0x${a.toString(16)}: ${what}`, [
        a,
        write ? 1 : 0,
        0,
        0,
      ]);
      return;
    }
    this.trackRace(a, kind); // .data / .bss
  }

  /** Tells the probe the C line of this access (its innermost source frame), once per asking. */
  private tellWhere(): void {
    this.whereAsked![0] = 0;
    const frame = this.driver.sim.verifier.sourceFrames?.()[0];
    if (frame === undefined) return;
    this.driver.sim.probe?.tellWhere?.(
      `at ${frame.function} (${frame.file === null ? '?' : `${frame.file}:${frame.line}:${frame.column}`})`,
    );
  }

  /** An access outside linear memory: it would trap, so it stops the run whatever the mode. */
  private accessOutside(a: number, write: boolean): void {
    const d = this.driver;
    const sp = d.stackPointerValue;
    const rw = write ? 1 : 0;
    const what = write ? 'write' : 'read';
    if (sp > d.stackHigh) {
      d.report('STACK-OVERFLOW', 'stack', this.stackOverflowText(sp), [0, sp, d.stackHigh, 0], { stop: true });
    } else if (a >= REGISTER_WINDOW_BASE && a < REGISTER_WINDOW_BASE + WINDOW_BYTES_MAX) {
      const offset = a - REGISTER_WINDOW_BASE;
      const reg = d.sim.device.registers.find((r) => r.offset === (offset & ~3));
      const ddi = write ? 'NdisWriteRegisterUlong' : 'NdisReadRegisterUlong';
      d.report(
        'MEM-REGISTER-DEREF',
        'register window',
        `${what} of register ${reg?.name ?? `0x${offset.toString(16)}`} through a plain pointer; use ${ddi}`,
        [0, a, rw, 0],
        { stop: true },
      );
    } else if (HandleTable.isHandleAddress(a)) {
      d.report(
        'MEM-HANDLE-DEREF',
        'handle',
        `${what} at 0x${a.toString(16)}, inside an NDIS handle: handles are opaque`,
        [a, rw, 0, 0],
        { stop: true },
      );
    } else {
      d.report(
        'MEM-WILD',
        'memory',
        `${what} at 0x${a.toString(16)}, outside the driver's memory (${d.memory.size} bytes)`,
        [a, rw, 0, 0],
        { stop: true },
      );
    }
  }

  /** Hands an access of pool or global memory to the harness's race detector (one variable per 4-byte word). */
  private trackRace(a: number, kind: AccessKind): void {
    const race = this.driver.sim.races;
    if (race === null) return;
    this.trackedAccesses++;
    const word = a & ~3;
    let variable = this.raceVars.get(word);
    if (variable === undefined) {
      variable = race.fieldVar(placeName(this.driver, word));
      this.raceVars.set(word, variable);
    }
    if (kind === INTERLOCKED) race.interlockedField(variable as never);
    else race.field(variable as never, kind === WRITE);
  }

  // ---- UBSan handlers -------------------------------------------------------------------------------

  /** A C string in driver memory (at most 256 bytes). */
  private cString(address: number): string {
    const m = this.driver.memory;
    if (address === 0 || address >= m.size) return '?';
    let out = '';
    for (let i = 0; i < 256; i++) {
      const c = m.u8(address + i);
      if (c === 0) break;
      out += String.fromCharCode(c);
    }
    return out;
  }

  /** UBSan's TypeDescriptor {u16 Kind; u16 Info; char Name[]}: the type's name as clang spelled it. */
  private ubsanType(descriptor: number): string {
    return descriptor === 0 ? '?' : this.cString(descriptor + 4);
  }

  /** A failed UBSan check (the _abort handlers never return). */
  private undefinedBehaviour(handler: string, data: number, a: number, b: number): never {
    const d = this.driver;
    const m = d.memory;
    // UBSan's SourceLocation {const char *File; u32 Line; u32 Column} starts every handler's data.
    const where = `${posix.normalize(this.cString(m.u32(data))).replace(/^\//, '')}:${m.u32(data + 4)}:${m.u32(data + 8)}`;
    const kind = handler.replace(/^__ubsan_handle_/, '').replace(/_abort$/, '');
    const sp = d.stackPointerValue;
    const stop = { stop: true } as const;
    if (sp > d.stackHigh) {
      // The frame address computation wrapped below 0 (pointer-overflow caught it before any store).
      d.report('STACK-OVERFLOW', 'stack', `${where}: ${this.stackOverflowText(sp)}`, [0, sp, d.stackHigh, 0], stop);
    }
    if (kind === 'type_mismatch_v1') {
      const type = this.ubsanType(m.u32(data + 12));
      const alignment = 2 ** m.u8(data + 16);
      const check = TYPE_CHECK_KINDS[m.u8(data + 17)] ?? 'access of';
      if (a === 0) {
        const write = check.startsWith('store') ? 1 : 0;
        d.report(
          'MEM-NULL',
          'memory',
          `${where}: ${check} null pointer of type ${type}`,
          [0, d.sim.engine.cpu.irql, write, 0],
          stop,
        );
      }
      d.report(
        'UB-MISALIGNED',
        'memory',
        `${where}: ${check} misaligned address 0x${a.toString(16)} for type ${type}, which requires ${alignment}-byte alignment`,
        [0, a, 0, 0],
        stop,
      );
    }
    if (kind === 'out_of_bounds') {
      const array = this.ubsanType(m.u32(data + 12));
      const indexType = m.u32(data + 16);
      // Indexes wider than a pointer arrive by address (ValueHandle).
      const wide = indexType !== 0 && m.u16(indexType + 2) >> 1 > 5;
      const index = wide ? m.i64(a) : BigInt(a | 0);
      d.report(
        'UB-BOUNDS',
        'memory',
        `${where}: index ${index} out of bounds for type ${array}`,
        [0, Number(BigInt.asUintN(32, index)), 0, 0],
        stop,
      );
    }
    const what = kind.replace(/_v1$/, '').replace(/_/g, ' ');
    d.report(
      'UB-OTHER',
      'memory',
      `${where}: ${what} (operands 0x${a.toString(16)}, 0x${b.toString(16)})`,
      [0, a, b, 0],
      stop,
    );
    throw new Error('unreachable: a stopping report always throws');
  }

  // ---- Traps --------------------------------------------------------------------------------------

  /** A trap inside the driver → a report, and the BugCheck that stops the run. */
  trapped(error: WebAssembly.RuntimeError, entered: string): BugCheck {
    const d = this.driver;
    const stack = error.stack ?? '';
    const sp = d.stackPointerValue;
    const message = error.message;
    const options = { stack, stop: true } as const;
    try {
      if (sp > d.stackHigh) {
        d.report('STACK-OVERFLOW', 'stack', this.stackOverflowText(sp), [0, sp, d.stackHigh, 0], options);
      } else if (message.includes('out of bounds') && message.includes('memory')) {
        d.report(
          'MEM-WILD',
          'memory',
          `${message}: a pointer outside the driver's memory (a register window or handle dereference, or a wild pointer; run with --races to tell which)`,
          [0, 0, 0, 0],
          options,
        );
      } else {
        d.report('C-TRAP', entered, `${entered}: ${message}`, [0, 0, 0, 0], { ...options, exactTop: true });
      }
    } catch (bugCheck) {
      if (bugCheck instanceof BugCheck) return bugCheck;
      throw bugCheck;
    }
    throw new Error('unreachable: a stopping report always throws');
  }

  /** POOL-LEAK after halt: blocks the driver allocated and never freed. */
  checkLeaks(): void {
    const leaks = this.driver.pool.leaks();
    if (leaks.length === 0) return;
    const bytes = leaks.reduce((s, b) => s + b.size, 0);
    const list = leaks.map((b) => `${b.tag} #${b.serial} (${b.size} bytes)`).join(', ');
    try {
      this.driver.report(
        'POOL-LEAK',
        'MINIPORT_HALT',
        `${leaks.length} pool block${leaks.length === 1 ? '' : 's'} (${bytes} bytes) still allocated after MiniportHaltEx: ${list}`,
        [0, leaks.length, bytes, 0],
      );
    } catch (error) {
      if (!(error instanceof BugCheck)) throw error;
    }
  }
}
