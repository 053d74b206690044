/**
 * One run's instance of a compiled C miniport and everything the host keeps for it.
 *
 * - Every DDI import of module "ndis" converts its wasm arguments and calls the simulation's NDIS
 *   table (ddi-imports.ts), so the generated contract checks and the harness's models run exactly as
 *   for a TypeScript driver. The DDIs the harness does not model but a C miniport needs (registration,
 *   attributes, I/O space, pool) get their behaviour here through `sim.ddi.define`, behind the same
 *   generated checks.
 * - A function pointer the driver hands NDIS is a function-table index; it becomes a JS function
 *   declared with the role the C source declared (`MINIPORT_ISR ContosoIsr;`, recovered at build
 *   time), so the harness's ROLE-TYPE, IRQL and lock checks see C functions by their C names. A
 *   function declared with no role becomes a plain function, which the harness rejects as such.
 * - Memory: the pool (memory.ts) lives in the module's linear memory, and so does the memory it
 *   shares with the NIC (shared-memory.ts); NDIS handles and the register window are addresses above
 *   it (handles.ts). Memory-safety checks are memory-checks.ts.
 */
import * as ndisApi from '@ddikit/ndis';
import type { Box, NdisFunctions } from '@ddikit/ndis';
import {
  BugCheck,
  type RegisterHandle,
  SimulationError,
  resourcesOf,
  type RuleId,
  type SimResources,
  type Simulation,
  setMiniportAdapterContext,
  type SourceFrameReport,
} from '@ddikit/sim';
import { ddiImports } from './ddi-imports.js';
import type { CDriverModule } from './driver-module.js';
import { BAR0_PHYSICAL, HANDLE_BASE, HandleTable, REGISTER_WINDOW_BASE } from './handles.js';
import { offsetOf } from './layout.js';
import { DriverMemory, Pool, tagText } from './memory.js';
import { captureStack, type CReportOptions, type CReportParameters, type DriverRuntime } from './driver-runtime.js';
import { MemoryChecks } from './memory-checks.js';
import { LinearMemoryBacking } from './shared-memory.js';
import { placeRecord, type RecordContext } from './records-io.js';
import { ROLE_META, type RoleMeta, WASM32_LAYOUTS } from './role-meta.js';

/** Bytes of one register window mapping at most (16 MiB). */
export const WINDOW_BYTES_MAX = 0x0100_0000;
const STATUS_SUCCESS = 0;

/** A status as hex, with its name when @ddikit/ndis has one (`0xC0000001 (STATUS_UNSUCCESSFUL)`). */
function statusText(status: number): string {
  const hex = `0x${(status >>> 0).toString(16).toUpperCase().padStart(8, '0')}`;
  const names = Object.entries(ndisApi as unknown as Record<string, unknown>)
    .filter(
      ([name, value]) => /^STATUS_|^NDIS_STATUS_/.test(name) && typeof value === 'number' && (value | 0) === status,
    )
    .map(([name]) => name)
    .sort((a, b) =>
      a.startsWith('STATUS_') === b.startsWith('STATUS_') ? (a < b ? -1 : 1) : a.startsWith('STATUS_') ? -1 : 1,
    );
  return names.length === 0 ? hex : `${hex} (${names.join(', ')})`;
}
const NDIS_STATUS_FAILURE = 0xc0000001 | 0;
const NDIS_STATUS_RESOURCES = 0xc000009a | 0;
const CM_RESOURCE_TYPE_INTERRUPT = 2;
const CM_RESOURCE_TYPE_MEMORY = 3;
const CM_SHARE_DEVICE_EXCLUSIVE = 1;
const CM_SHARE_SHARED = 3;
const NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES = 0x9e;

/** The driver object DriverEntry gets. */
class DriverObject {
  readonly name = '\\Driver\\ddikit';
}
class MiniportDriverHandle {
  characteristics: Record<string, unknown> | null = null;
  deregistered = false;
}

export class CDriverInstance implements DriverRuntime {
  readonly instance: WebAssembly.Instance;
  readonly memory: DriverMemory;
  readonly pool: Pool;
  readonly handles = new HandleTable();
  readonly table: WebAssembly.Table;
  readonly stackPointer: WebAssembly.Global;
  readonly stackLow: number;
  readonly stackHigh: number;
  readonly records: RecordContext;
  readonly checks: MemoryChecks;
  private readonly handlers = new Map<number, unknown>();
  /** The C name of each handler's implementation (what a report about a function that is not running holds). */
  private readonly handlerNames = new WeakMap<object, string>();
  private readonly spinLocks = new Map<number, object>();
  private driverHandle: MiniportDriverHandle | null = null;
  private resources: SimResources | null = null;
  private windowMapped = false;
  private windowBytes = 0;
  private readonly registerHandles: (RegisterHandle | undefined)[] = [];
  /** Set once the driver trapped: its stack is gone, every later call repeats the bug check. */
  dead: BugCheck | null = null;
  /** `__stack_pointer` when a host exception first crossed a call into the driver (null: none did). */
  stackPointerAtThrow: number | null = null;
  /** The stack a report is being made from (a trap's), read by the verifier's source-frame hook. */
  private reportStack: string | null = null;
  /** The report being made asked for an exact innermost line (CReportOptions.exactTop). */
  private reportExactTop = false;

  constructor(
    readonly sim: Simulation,
    readonly driver: CDriverModule,
    readonly ndis: NdisFunctions,
  ) {
    this.checks = new MemoryChecks(this);
    const bound = ddiImports(this);
    const ndisImports: Record<string, WebAssembly.ImportValue> = {};
    for (const i of WebAssembly.Module.imports(driver.module)) {
      if (i.module !== 'ndis') continue;
      const implementation = bound[i.name];
      if (implementation === undefined)
        throw new TypeError(`the C driver imports ${i.name}, which the C runtime does not bridge to the harness`);
      ndisImports[i.name] = implementation;
    }
    this.instance = new WebAssembly.Instance(driver.module, { ndis: ndisImports, env: this.checks.imports() });
    const exports = this.instance.exports;
    this.memory = new DriverMemory(exports['memory'] as WebAssembly.Memory);
    this.table = exports['__indirect_function_table'] as WebAssembly.Table;
    this.stackPointer = exports['__stack_pointer'] as WebAssembly.Global;
    this.stackLow = (exports['__stack_low'] as WebAssembly.Global).value as number;
    this.stackHigh = (exports['__stack_high'] as WebAssembly.Global).value as number;
    const heapBase = (exports['__heap_base'] as WebAssembly.Global).value as number;
    this.pool = new Pool(this.memory, heapBase, HANDLE_BASE);
    // NdisMAllocateSharedMemory hands out this instance's memory: the NIC's DMA reaches what the C code sees.
    sim.dma.useBacking(new LinearMemoryBacking(this.memory, this.pool));
    this.records = {
      memory: this.memory,
      layouts: WASM32_LAYOUTS,
      handler: (index, role, field) => this.handler(index, role, field),
      allocate: (bytes, label) => this.pool.allocate(bytes, label, 'harness'),
      opaque: (object) => this.handles.toC(object),
    };
    this.defineBridgedDdis();
    sim.verifier.sourceFrames = (): readonly SourceFrameReport[] =>
      this.reportStack !== null
        ? driver.cFrames(this.reportStack, this.reportExactTop)
        : driver.cFrames(captureStack());
    // A report about a handler that is not running (INT-LOST's DPC, INT-DEREGISTER's halt function)
    // names its definition's line.
    sim.verifier.sourceDefinition = (fn: unknown): SourceFrameReport | null => {
      const name = typeof fn === 'function' ? this.handlerNames.get(fn) : undefined;
      return name === undefined ? null : driver.definition(name);
    };
  }

  /** The DDIs the harness does not model, behind its generated checks. */
  private defineBridgedDdis(): void {
    const define = (name: string, impl: (...args: never[]) => unknown): void =>
      this.sim.ddi.define(name, impl as never, { replace: true });
    define('NdisMRegisterMiniportDriver', (driverObject: unknown, _path: unknown, context: unknown, chars, out) =>
      this.registerMiniportDriver(driverObject, context, chars as Record<string, unknown> | null, out as Box<unknown>),
    );
    define('NdisMDeregisterMiniportDriver', (handle: unknown) => this.deregisterMiniportDriver(handle));
    define('NdisMSetMiniportAttributes', (handle: unknown, attributes: Record<string, unknown>) =>
      this.setAttributes(handle, attributes),
    );
    define('NdisMMapIoSpace', (out: Box<number>, _handle: unknown, physical: bigint, length: number) =>
      this.mapIoSpace(out, physical, length),
    );
    define('NdisMUnmapIoSpace', (_handle: unknown, address: number) => this.unmapIoSpace(address));
    define('NdisAllocateMemoryWithTagPriority', (_handle: unknown, length: number, tag: number) =>
      length === 0 ? 0 : this.pool.allocate(length, tagText(tag), 'driver'),
    );
    define('NdisFreeMemory', (address: number) => this.freeMemory(address));
  }

  // ---- Calls into the driver --------------------------------------------------------------------

  /** Calls DriverEntry and returns the handlers the harness runs. */
  driverEntry(): { MiniportInitializeEx: never; MiniportHaltEx: never; MiniportDriverContext: unknown } {
    const entry = this.instance.exports['DriverEntry'];
    if (typeof entry !== 'function') throw new TypeError('the C driver defines no DriverEntry');
    const path = 'Registry\\Machine\\System\\CurrentControlSet\\Services\\ddikit';
    const buffer = this.pool.allocate(path.length * 2 + 2, 'RegistryPath', 'harness');
    for (let i = 0; i < path.length; i++) this.memory.setU16(buffer + 2 * i, path.charCodeAt(i));
    const unicode = placeRecord(
      this.records,
      'UNICODE_STRING',
      { Length: path.length * 2, MaximumLength: path.length * 2 + 2, Buffer: buffer },
      'RegistryPath',
    );
    const driverObject = this.handles.toC(new DriverObject());
    const status = this.call('DriverEntry', entry as (...a: number[]) => number, [driverObject, unicode]) | 0;
    const chars = this.driverHandle?.characteristics;
    // Not a rule the driver broke (a driver may fail to load), but nothing of it can run: the run stops
    // with what DriverEntry did, not as a throw of the driver's.
    const stop: (message: string) => never = (message) => {
      throw new SimulationError(message, this.sim.seed, this.sim.clock.nowTicks);
    };
    if (status !== STATUS_SUCCESS)
      stop(
        `DriverEntry returned ${statusText(status)}, so the driver did not load and no miniport ran${chars == null ? '' : ' (it had registered one with NdisMRegisterMiniportDriver)'}`,
      );
    if (chars === null || chars === undefined)
      stop(
        'DriverEntry returned STATUS_SUCCESS without registering the miniport: it calls NdisMRegisterMiniportDriver with an NDIS_MINIPORT_DRIVER_CHARACTERISTICS naming its MiniportInitializeEx and MiniportHaltEx (ddikit scaffold --role DRIVER_INITIALIZE:DriverEntry writes that call)',
      );
    return {
      MiniportInitializeEx: chars['InitializeHandlerEx'] as never,
      MiniportHaltEx: chars['HaltHandlerEx'] as never,
      MiniportDriverContext: chars['__context'] ?? null,
    };
  }

  /**
   * Calls a wasm function; a trap becomes a C report and a BugCheck. JS exceptions from imports (the
   * harness's bug checks) pass through unchanged: they unwound the wasm frames already.
   */
  call(name: string, fn: (...a: number[]) => unknown, args: number[]): number {
    if (this.dead !== null) throw this.dead;
    const sp = this.stackPointer.value as number;
    try {
      return fn(...args) as number;
    } catch (error) {
      this.unwound(error, name, sp);
    }
  }

  /** Calls a wasm function of one argument (most roles): as {@link call}, without an argument array. */
  call1(name: string, fn: (a: number) => unknown, a: number): number {
    if (this.dead !== null) throw this.dead;
    const sp = this.stackPointer.value as number;
    try {
      return fn(a) as number;
    } catch (error) {
      this.unwound(error, name, sp);
    }
  }

  /**
   * An exception left the driver's frames without their epilogues: `__stack_pointer` is put back to
   * where it was at the call (a normal return restores it itself). A trap becomes a C report and a
   * BugCheck; a host exception (the harness's bug check) passes through unchanged.
   */
  private unwound(error: unknown, name: string, sp: number): never {
    if (error instanceof WebAssembly.RuntimeError) {
      const bugCheck = this.checks.trapped(error, name);
      throw bugCheck;
    }
    this.stackPointerAtThrow ??= (this.stackPointer.value as number) >>> 0;
    if (this.dead === null) this.stackPointer.value = sp;
    throw error;
  }

  /** The table function at `index` as the role-declared callable the harness takes. */
  handler(index: number, fieldRole: string, field: string): unknown {
    if (index === 0) return null;
    const known = this.handlers.get(index);
    if (known !== undefined) return known;
    const fn = index < this.table.length ? (this.table.get(index) as ((...a: number[]) => unknown) | null) : null;
    if (fn === null) throw new Error(`${field}: ${index} is not a function of the driver`);
    const cName = this.driver.names.get(Number(fn.name)) ?? `function ${fn.name}`;
    const declared = this.driver.roles.get(cName);
    // The C signature is the field's role's (the compiler checked it); the role is what the source declared.
    const meta = ROLE_META.get(declared?.role ?? fieldRole) ?? ROLE_META.get(fieldRole);
    const impl = this.marshal(cName, fn, meta);
    this.handlerNames.set(impl, cName);
    let callable: unknown;
    const declarator =
      declared === undefined ? undefined : (ndisApi as unknown as Record<string, unknown>)[declared.role];
    if (typeof declarator === 'function') {
      callable = (declarator as (n: string, f: unknown) => unknown)(cName, impl);
    } else {
      Object.defineProperty(impl, 'name', { value: cName });
      callable = impl;
    }
    this.handlers.set(index, callable);
    return callable;
  }

  /** A JS implementation of a C function with the parameters and result of `meta` (the role). */
  private marshal(
    cName: string,
    fn: (...a: number[]) => unknown,
    meta: RoleMeta | undefined,
  ): (...a: unknown[]) => unknown {
    const params = meta?.params ?? [];
    const returns = meta?.returns.type ?? 'unknown';
    const outs = params.map((p, i) => (p.direction === 'out' ? i : -1)).filter((i) => i >= 0);
    const initIndex = params.findIndex((p) => p.type === 'PNDIS_MINIPORT_INIT_PARAMETERS');
    const isHalt = meta?.name === 'MINIPORT_HALT';
    const result = (value: number): unknown => {
      // Driver Verifier checks the pool when the driver unloads; the harness does after halt.
      if (isHalt) this.checks.checkLeaks();
      if (returns === 'BOOLEAN') return (value & 0xff) !== 0;
      if (returns === 'VOID') return undefined;
      return value | 0;
    };
    if (outs.length === 0 && initIndex < 0 && params.length === 1) {
      // The common case (synchronize functions, enable/disable): no array, no out cells.
      return (a: unknown): unknown => result(this.call1(cName, fn, this.toC(a)));
    }
    const count = params.length;
    const outSlots = params.map((_, i) => outs.indexOf(i));
    const booleanOut = params.map((p) => p.type === 'PBOOLEAN');
    const outBytes = 16 * outs.length;
    return (...args: unknown[]): unknown => {
      const wasmArgs: number[] = new Array<number>(Math.max(count, args.length));
      const sp = this.stackPointer.value as number;
      // Out parameters: cells carved from the driver's own stack (re-entrancy-safe).
      const cells = sp - outBytes;
      if (outBytes > 0) this.stackPointer.value = cells;
      for (let i = 0; i < wasmArgs.length; i++) {
        const slot = i < count ? outSlots[i]! : -1;
        if (slot >= 0) {
          const cell = cells + 16 * slot;
          this.memory.setU32(cell, 0);
          wasmArgs[i] = cell;
        } else if (i === initIndex) wasmArgs[i] = this.writeInitParameters(args[i] as Record<string, unknown>);
        else wasmArgs[i] = this.toC(args[i]);
      }
      let value: number;
      try {
        value = this.call(cName, fn, wasmArgs);
      } finally {
        if (this.dead === null && outBytes > 0) this.stackPointer.value = sp;
      }
      for (const i of outs) {
        const box = args[i] as Box<unknown> | undefined;
        if (box === undefined || box === null) continue;
        const cell = cells + 16 * outSlots[i]!;
        box.value = booleanOut[i] ? this.memory.u8(cell) !== 0 : this.memory.u32(cell);
      }
      return result(value);
    };
  }

  /** A harness value as a wasm i32. */
  toC(value: unknown): number {
    if (value === null || value === undefined) return 0;
    if (typeof value === 'number') return value | 0;
    if (typeof value === 'boolean') return value ? 1 : 0;
    if (typeof value === 'bigint') return Number(BigInt.asUintN(32, value)) | 0;
    return this.handles.toC(value) | 0;
  }

  /** NDIS_MINIPORT_INIT_PARAMETERS for MiniportInitializeEx, with the device's resources. */
  private writeInitParameters(parameters: Record<string, unknown>): number {
    const resources = resourcesOf(parameters);
    this.resources = resources;
    this.windowBytes = this.sim.device.registerWindowBytes;
    const descriptors: Record<string, unknown>[] = [
      {
        Type: CM_RESOURCE_TYPE_MEMORY,
        ShareDisposition: CM_SHARE_DEVICE_EXCLUSIVE,
        Flags: 0,
        u: { Memory: { Start: { QuadPart: BAR0_PHYSICAL }, Length: this.windowBytes } },
      },
    ];
    if (resources.interruptLine) {
      const affinity = (1n << BigInt(this.sim.engine.processorCount)) - 1n;
      descriptors.push({
        Type: CM_RESOURCE_TYPE_INTERRUPT,
        ShareDisposition: CM_SHARE_SHARED,
        Flags: 0,
        u: { Interrupt: { Level: 11, Group: 0, Vector: 0x5b, Affinity: affinity } },
      });
    }
    const list = placeRecord(
      this.records,
      'CM_PARTIAL_RESOURCE_LIST',
      { Version: 1, Revision: 1, Count: descriptors.length, PartialDescriptors: descriptors },
      'AllocatedResources',
    );
    const size = WASM32_LAYOUTS.get('NDIS_MINIPORT_INIT_PARAMETERS')!.size;
    return placeRecord(
      this.records,
      'NDIS_MINIPORT_INIT_PARAMETERS',
      {
        Header: { Type: 0x81, Revision: 1, Size: size },
        Flags: Number(parameters['Flags'] ?? 0),
        AllocatedResources: list,
        IMDeviceInstanceContext: 0,
        MiniportAddDeviceContext: 0,
        IfIndex: Number(parameters['IfIndex'] ?? 1),
        NetLuid: 0n,
      },
      'MiniportInitParameters',
    );
  }

  /** The lock object the harness tracks for the NDIS_SPIN_LOCK at `address` (identity by address). */
  globalName(address: number, whole: boolean): string | null {
    return this.driver.globals.nameOf(address, whole);
  }

  blockMember(size: number, offset: number, whole: boolean): string | null {
    return this.driver.structs.memberAt(size, offset, whole);
  }

  spinLock(address: number): object {
    let lock = this.spinLocks.get(address);
    if (lock === undefined) {
      lock = { address };
      this.spinLocks.set(address, lock);
    }
    return lock;
  }

  /** A register address → the harness's register handle; driver memory → a box over it. */
  register(address: number): RegisterHandle | Box<number> {
    const a = address >>> 0;
    const offset = a - REGISTER_WINDOW_BASE;
    if (offset >= 0 && offset < WINDOW_BYTES_MAX) {
      if (!this.windowMapped || this.resources === null || offset >= this.windowBytes) {
        throw new Error(`register 0x${a.toString(16)}: the register window is not mapped (NdisMMapIoSpace)`);
      }
      let handle = this.registerHandles[offset];
      if (handle === undefined) {
        handle = this.resources.register(offset);
        this.registerHandles[offset] = handle;
      }
      return handle;
    }
    const memory = this.memory;
    return {
      get value() {
        return memory.u32(a);
      },
      set value(v: number) {
        memory.setU32(a, v);
      },
    };
  }

  // ---- Bridged DDIs (behind the harness's generated checks) ---------------------------------------

  private registerMiniportDriver(
    driverObject: unknown,
    context: unknown,
    chars: Record<string, unknown> | null,
    out: Box<unknown>,
  ): number {
    if (!(driverObject instanceof DriverObject) || chars === null) return NDIS_STATUS_FAILURE;
    const handle = new MiniportDriverHandle();
    handle.characteristics = { ...chars, __context: context };
    this.driverHandle = handle;
    out.value = handle;
    return STATUS_SUCCESS;
  }

  private deregisterMiniportDriver(handle: unknown): void {
    if (handle instanceof MiniportDriverHandle) handle.deregistered = true;
  }

  private setAttributes(handle: unknown, attributes: Record<string, unknown>): number {
    const header = attributes['Header'] as { Type: number } | undefined;
    // General attributes and the others are accepted; only the adapter context matters to the harness.
    if (header?.Type !== NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES) return STATUS_SUCCESS;
    setMiniportAdapterContext(handle as never, attributes['MiniportAdapterContext'] as never);
    return STATUS_SUCCESS;
  }

  private mapIoSpace(out: Box<number>, physical: bigint, length: number): number {
    if (physical !== BAR0_PHYSICAL || length === 0 || length > this.windowBytes) return NDIS_STATUS_RESOURCES;
    this.windowMapped = true;
    out.value = REGISTER_WINDOW_BASE;
    return STATUS_SUCCESS;
  }

  private unmapIoSpace(address: number): void {
    if (address === REGISTER_WINDOW_BASE) this.windowMapped = false;
  }

  private freeMemory(address: number): void {
    const block = this.pool.blockAt(address);
    if (block === undefined || block.freed || block.owner !== 'driver') {
      const hex = `0x${address.toString(16)}`;
      this.report(
        'POOL-BAD-FREE',
        'NdisFreeMemory',
        block?.owner === 'shared'
          ? `NdisFreeMemory was given ${hex}, which NdisMAllocateSharedMemory returned: free it with NdisMFreeSharedMemory`
          : block === undefined || block.owner !== 'driver'
            ? `NdisFreeMemory was given ${hex}, which no NdisAllocateMemoryWithTagPriority returned`
            : `NdisFreeMemory was given ${block.tag} block #${block.serial} at ${hex}, which was already freed`,
        [0, 0, address, 0],
        { form: block?.freed === true && block.owner === 'driver' ? 0 : 1 },
      );
      return;
    }
    block.freed = true;
    // A timer still set whose function gets a pointer into the block would run on freed memory.
    const end = block.address + block.size;
    this.sim.timers.contextFreed(
      (context) => typeof context === 'number' && context >= block.address && context < end,
      'NdisFreeMemory',
      `${block.tag} block #${block.serial}`,
    );
  }

  // ---- Reports ------------------------------------------------------------------------------------

  /**
   * Reports a C rule through the harness's verifier (modes, dedupe, disabledRules and the trace
   * apply). With `stop` the run cannot go on (a trap, an aborting check): a BugCheck is thrown in
   * either mode, and every later call into the driver repeats it.
   */
  report(
    rule: RuleId,
    subject: string,
    message: string,
    parameters: CReportParameters,
    options: CReportOptions = {},
  ): void {
    const verifier = this.sim.verifier;
    const frames = this.driver.cFrames(options.stack ?? captureStack(), options.exactTop === true);
    const top = frames[0];
    const site = top === undefined ? '' : top.line === 0 ? `${top.file}` : `${top.file}:${top.line}:${top.column}`;
    this.reportStack = options.stack ?? null;
    this.reportExactTop = options.exactTop === true;
    const before = verifier.reports.length;
    try {
      verifier.report({
        rule,
        subject,
        message,
        site,
        ...(options.form === undefined ? {} : { form: options.form }),
        ...(top === undefined ? {} : { function: top.function }),
        ...(parameters[0] !== 0 ? { p1: parameters[0] } : {}),
        p2: parameters[1],
        p3: parameters[2],
        p4: parameters[3],
        irqlFound: this.sim.engine.cpu.irql,
      });
    } catch (error) {
      if (error instanceof BugCheck) this.dead = error;
      throw error;
    } finally {
      this.reportStack = null;
      this.reportExactTop = false;
    }
    if (options.stop !== true) return;
    const made = verifier.reports.length > before ? verifier.reports[verifier.reports.length - 1] : undefined;
    if (made === undefined) throw new Error(`${site}: ${message} (the C driver cannot go on; ${rule} is disabled)`);
    const bugCheck = new BugCheck(made);
    verifier.stopped = bugCheck;
    this.dead = bugCheck;
    throw bugCheck;
  }

  /** `__stack_pointer` now (after a bug check it is left where the unwound frames had it). */
  get stackPointerValue(): number {
    return (this.stackPointer.value as number) >>> 0;
  }

  /** Where a field of a structure is in wasm32 memory. */
  static offset(record: string, path: string): number {
    return offsetOf(WASM32_LAYOUTS, record, path);
  }
}
