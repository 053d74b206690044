/**
 * A compiled C driver, ready to instantiate: the WebAssembly.Module (compiled once, instantiated
 * per run), the C name of every function, the declared roles, the line table, and whether loads
 * and stores call the host.
 */
import type { SourceFrameReport } from '@ddikit/sim';
import { ACCESS_HOOKS, type CRoleDeclaration, readRolesSection } from './abi.js';
import { GlobalNames } from './dwarf-globals.js';
import { LineTable, wasmFrames, type WasmFrame } from './symbolize.js';
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
  /** Loads and stores call `env.__sanitizer_cov_*` (compiled with instrumentAccesses). */
  readonly instrumented: boolean;

  constructor(readonly wasm: Uint8Array) {
    this.module = compileModule(wasm);
    this.names = functionNames(this.module);
    this.roles = new Map(readRolesSection(wasm).roles.map((r) => [r.name, r]));
    this.lines = new LineTable(wasm);
    this.globals = new GlobalNames(wasm);
    const hooks = new Set<string>(ACCESS_HOOKS);
    this.instrumented = WebAssembly.Module.imports(this.module).some((i) => i.module === 'env' && hooks.has(i.name));
  }

  /** The C frames of a JS stack (wasm frames only), innermost first. */
  cFrames(stack: string): SourceFrameReport[] {
    return wasmFrames(stack).map((f: WasmFrame) => {
      const at = this.lines.lookupFrame(f);
      return {
        function: this.names.get(f.functionIndex) ?? f.name,
        file: at?.file ?? null,
        line: at?.line ?? 0,
        column: at?.column ?? 0,
      };
    });
  }
}
