/**
 * Confirms the layout table against clang: a `_Static_assert` probe per target (`-fsyntax-only`, so
 * x64 needs no linker or runtime), and, for wasm32, a compiled probe whose data table the host reads
 * back — the values the harness will really see in linear memory.
 */
import { layoutProbe, computeLayouts, type RecordSpec, type Target } from '@ddikit/sim-c';
import { parseDiagnostics, type Diagnostic } from './diagnostics.js';
import { HEADER_DIRECTORY } from './flags.js';
import { fileAt, putFile, runClang, type FileTree } from './toolchain.js';
import { compileModule } from '@ddikit/sim-c';

export const TARGET_TRIPLES: Record<Target, string> = {
  wasm32: 'wasm32',
  x64: 'x86_64-pc-windows-msvc',
};

/** Runs the static-assert probe on `target`; returns the failed assertions (empty: the table is right). */
export async function checkLayoutTable(
  header: string,
  records: readonly RecordSpec[],
  target: Target,
): Promise<{ failures: Diagnostic[]; assertions: number; milliseconds: number }> {
  const tree: FileTree = {};
  putFile(tree, `${HEADER_DIRECTORY}/ndis.h`, header);
  const probe = layoutProbe(records, target);
  putFile(tree, 'probe/layout.c', probe);
  const run = await runClang(
    [
      `--target=${TARGET_TRIPLES[target]}`,
      '-fsyntax-only',
      '-fms-extensions',
      '-isystem',
      HEADER_DIRECTORY,
      'probe/layout.c',
    ],
    tree,
  );
  return {
    failures: parseDiagnostics(run.stderr).filter((d) => d.severity === 'error'),
    assertions: probe.split('\n').filter((l) => l.startsWith('_Static_assert')).length,
    milliseconds: run.milliseconds,
  };
}

/**
 * Compiles a wasm32 probe whose exported table holds `sizeof` and every `offsetof`, instantiates
 * it and returns what clang computed, path by path.
 */
export async function measureWasmLayouts(header: string, records: readonly RecordSpec[]): Promise<Map<string, number>> {
  const layouts = computeLayouts(records, 'wasm32');
  const names: string[] = [];
  const values: string[] = [];
  for (const spec of records) {
    if (spec.name.startsWith('_anon_')) continue;
    names.push(`sizeof(${spec.name})`);
    values.push(`sizeof(${spec.name})`);
    for (const field of layouts.get(spec.name)!.fields.values()) {
      names.push(`${spec.name}.${field.path}`);
      values.push(`__builtin_offsetof(${spec.name}, ${field.path})`);
    }
  }
  const source = [
    '#include <ndis.h>',
    `__attribute__((export_name("layout_table"))) const ULONG *layout_table(void) {`,
    `    static const ULONG table[] = {\n        ${values.join(',\n        ')}\n    };`,
    '    return table;',
    '}',
  ].join('\n');
  const tree: FileTree = {};
  putFile(tree, `${HEADER_DIRECTORY}/ndis.h`, header);
  putFile(tree, 'probe/measure.c', source);
  const run = await runClang(
    [
      '--target=wasm32',
      '-O1',
      '-nostdlib',
      '-Wl,--no-entry',
      '-isystem',
      HEADER_DIRECTORY,
      'probe/measure.c',
      '-o',
      'probe/measure.wasm',
    ],
    tree,
  );
  if (run.code !== 0) throw new Error(run.stderr);
  const wasm = fileAt(run.files, 'probe/measure.wasm') as Uint8Array;
  const instance = new WebAssembly.Instance(compileModule(wasm), {});
  const exports = instance.exports as { memory: WebAssembly.Memory; layout_table: () => number };
  const view = new DataView(exports.memory.buffer);
  const base = exports.layout_table();
  return new Map(names.map((name, i) => [name, view.getUint32(base + 4 * i, true)]));
}
