/**
 * A compiled C driver, ready to instantiate: the WebAssembly.Module (compiled once, instantiated
 * per run), the C name of every function, the declared roles, the line table, and whether loads
 * and stores call the host.
 */
import type { SourceFrameReport } from '@ddikit/sim';
import { ACCESS_HOOKS, type CRoleDeclaration, readRolesSection } from './abi.js';
import { GlobalNames } from './dwarf-globals.js';
import { InlineTable } from './dwarf-inlines.js';
import { StructLayouts } from './dwarf-types.js';
import { LineTable, type SourceLocation, wasmFrames, type WasmFrame } from './symbolize.js';
import { compileModule, functionNames } from './wasm-binary.js';

export class CDriverModule {
  readonly module: WebAssembly.Module;
  /** Function index → C name. */
  readonly names: ReadonlyMap<number, string>;
  /** C name → role declaration. */
  readonly roles: ReadonlyMap<string, CRoleDeclaration>;
  readonly lines: LineTable;
  /** The C global variables by address (from DWARF), for reports. */
  readonly globals: GlobalNames;
  /** The structures the module declares (from DWARF), so pool blocks' members have names. */
  readonly structs: StructLayouts;
  /** The functions inlined into others (from DWARF), so frames name them. */
  readonly inlines: InlineTable;
  /** Loads and stores call `env.__sanitizer_cov_*` (compiled with instrumentAccesses). */
  readonly instrumented: boolean;

  constructor(readonly wasm: Uint8Array) {
    this.module = compileModule(wasm);
    this.names = functionNames(this.module);
    this.roles = new Map(readRolesSection(wasm).roles.map((r) => [r.name, r]));
    this.lines = new LineTable(wasm);
    this.globals = new GlobalNames(wasm);
    this.structs = new StructLayouts(wasm, (stmtList, index) => this.lines.fileName(stmtList, index));
    this.inlines = new InlineTable(wasm, (stmtList, index) => this.lines.fileName(stmtList, index));
    const hooks = new Set<string>(ACCESS_HOOKS);
    this.instrumented = WebAssembly.Module.imports(this.module).some((i) => i.module === 'env' && hooks.has(i.name));
  }

  /**
   * Where the C function `name` is defined: its line in the C source (DWARF gives no column); null
   * when the module's debug information does not say.
   */
  definition(name: string): SourceFrameReport | null {
    const found = this.inlines.definition(name);
    return found === null ? null : { function: name, file: found.file, line: found.line, column: 0 };
  }

  /**
   * The C frames of a JS stack (wasm frames only), innermost first. A wasm frame whose code was
   * inlined from other functions is one frame per function, as the source reads: the innermost
   * inlined function at the line, then each caller at the line that called it. `exactTop`: the
   * innermost frame stopped at its instruction (a trap), whose line is its own row's — 0 (unknown)
   * when the optimizer left the instruction without a line (a trap it merged or moved), rather than
   * the next statement's.
   */
  cFrames(stack: string, exactTop = false): SourceFrameReport[] {
    return wasmFrames(stack).flatMap((f: WasmFrame, i: number) => {
      const address = f.moduleOffset - this.lines.codeOffset;
      const at = this.lines.lookup(address, !(exactTop && i === 0));
      const frame = (name: string, where: SourceLocation | null): SourceFrameReport => ({
        function: name,
        file: where?.file ?? null,
        line: where?.line ?? 0,
        column: where?.column ?? 0,
      });
      const outer = this.names.get(f.functionIndex) ?? f.name;
      const chain = this.inlines.at(address);
      const lost = at === null ? null : this.inlines.lostScope(address, at, chain[0]?.name ?? outer, chain.length);
      if (lost !== null) chain.unshift(lost);
      if (chain.length === 0) return [frame(outer, at)];
      // chain[0] is the innermost: its code is at `at`; each one's call is its caller's line.
      const frames = [frame(chain[0]!.name, at)];
      for (let i = 1; i < chain.length; i++) frames.push(frame(chain[i]!.name, chain[i - 1]!.call));
      frames.push(frame(outer, chain[chain.length - 1]!.call));
      return frames;
    });
  }
}
