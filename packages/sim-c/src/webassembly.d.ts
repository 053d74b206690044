/**
 * The part of the WebAssembly JS API the C runtime uses. Node 20 has all of it; the project's
 * `lib` (ES2022, no DOM) and @types/node 20 do not declare it, so it is declared here.
 */
declare global {
  namespace WebAssembly {
    type ImportValue = ((...args: never[]) => unknown) | Global | Memory | Table | number;
    type Imports = Record<string, Record<string, ImportValue>>;
    type Exports = Record<string, ((...args: never[]) => unknown) | Global | Memory | Table>;

    interface ModuleImportDescriptor {
      readonly module: string;
      readonly name: string;
      readonly kind: 'function' | 'table' | 'memory' | 'global' | 'tag';
    }
    interface ModuleExportDescriptor {
      readonly name: string;
      readonly kind: 'function' | 'table' | 'memory' | 'global' | 'tag';
    }
    class Module {
      constructor(bytes: BufferSource);
      static imports(module: Module): ModuleImportDescriptor[];
      static exports(module: Module): ModuleExportDescriptor[];
      static customSections(module: Module, name: string): ArrayBuffer[];
    }
    class Instance {
      constructor(module: Module, imports?: Imports);
      readonly exports: Exports;
    }
    class Memory {
      constructor(descriptor: { initial: number; maximum?: number });
      readonly buffer: ArrayBuffer;
      grow(pages: number): number;
    }
    class Table {
      constructor(descriptor: { element: 'anyfunc' | 'externref'; initial: number; maximum?: number });
      readonly length: number;
      get(index: number): unknown;
    }
    class Global {
      constructor(descriptor: { value: string; mutable?: boolean }, value?: unknown);
      value: unknown;
    }
    class RuntimeError extends Error {}
    class CompileError extends Error {}
    class LinkError extends Error {}
    function validate(bytes: BufferSource): boolean;
  }
  type BufferSource = ArrayBufferView | ArrayBuffer;
}

export {};
