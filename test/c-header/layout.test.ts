/**
 * The generator's structure layouts (metadata.layouts) against clang: every size, alignment and field
 * offset becomes a `_Static_assert` over the generated harness ndis.h, compiled for wasm32 and for
 * x86_64-pc-windows-msvc. One wrong number is a compile error naming the field.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { metadata, type RecordLayoutMeta } from '@ddikit/ndis';
import { harnessHeaderPath } from '@ddikit/sim-c';
import { putFile, runClang, type FileTree } from '../../packages/cc/src/toolchain.js';

const header = readFileSync(harnessHeaderPath(), 'utf8');

/** The C designator of a field path: an array on the way is entered at element 0. */
function designator(layout: RecordLayoutMeta, path: string): string {
  const byPath = new Map(layout.fields.map((f) => [f.path, f]));
  const parts = path.split('.');
  return parts
    .map((part, i) => {
      const field = byPath.get(parts.slice(0, i + 1).join('.'));
      return i < parts.length - 1 && field?.count !== null && field?.count !== undefined ? `${part}[0]` : part;
    })
    .join('.');
}

function probe(layouts: readonly RecordLayoutMeta[]): { source: string; assertions: number } {
  const lines = ['#include <ndis.h>', ''];
  for (const layout of layouts) {
    const t = layout.name;
    lines.push(`_Static_assert(sizeof(${t}) == ${layout.size}, "sizeof(${t}) is not ${layout.size}");`);
    lines.push(`_Static_assert(_Alignof(${t}) == ${layout.align}, "_Alignof(${t}) is not ${layout.align}");`);
    for (const field of layout.fields) {
      if (field.bit !== null) continue; // offsetof does not take a bit-field; its unit is checked through its size
      const d = designator(layout, field.path);
      lines.push(
        `_Static_assert(__builtin_offsetof(${t}, ${d}) == ${field.offset}, "${t}.${field.path} is not at ${field.offset}");`,
        `_Static_assert(sizeof(((${t} *)0)->${d}) == ${field.size}, "${t}.${field.path} is not ${field.size} bytes");`,
      );
    }
  }
  return { source: `${lines.join('\n')}\n`, assertions: lines.filter((l) => l.startsWith('_Static_assert')).length };
}

const triples = { wasm32: 'wasm32', x64: 'x86_64-pc-windows-msvc' } as const;

describe('generated structure layouts agree with clang', () => {
  for (const target of ['wasm32', 'x64'] as const) {
    it(`every size, alignment and offset on ${target}`, async () => {
      const layouts = metadata.layouts[target];
      expect(layouts.map((l) => l.name)).toEqual(
        expect.arrayContaining([
          'CM_PARTIAL_RESOURCE_DESCRIPTOR',
          'NDIS_MINIPORT_DRIVER_CHARACTERISTICS',
          'NDIS_MINIPORT_INIT_PARAMETERS',
          'NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS',
        ]),
      );
      const { source, assertions } = probe(layouts);
      const tree: FileTree = {};
      putFile(tree, 'include/ndis.h', header);
      putFile(tree, 'probe/layout.c', source);
      const run = await runClang(
        [`--target=${triples[target]}`, '-fsyntax-only', '-fms-extensions', '-isystem', 'include', 'probe/layout.c'],
        tree,
      );
      expect(run.stderr).toBe('');
      expect(assertions).toBeGreaterThan(400);
    }, 120_000);
  }

  it('a wrong offset fails the probe (the check can fail)', async () => {
    const layout = metadata.layouts.wasm32.find((l) => l.name === 'NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS')!;
    const wrong = {
      ...layout,
      fields: layout.fields.map((f) => (f.path === 'MsiSupported' ? { ...f, offset: 24 } : f)),
    };
    const tree: FileTree = {};
    putFile(tree, 'include/ndis.h', header);
    putFile(tree, 'probe/layout.c', probe([wrong]).source);
    const run = await runClang(['--target=wasm32', '-fsyntax-only', '-isystem', 'include', 'probe/layout.c'], tree);
    expect(run.stderr).toContain('NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS.MsiSupported is not at 24');
  }, 120_000);

  it('wasm32 keeps the sizes the harness reads (C-DRIVERS.md)', () => {
    const size = (name: string): [number, number] => [
      metadata.layouts.wasm32.find((l) => l.name === name)!.size,
      metadata.layouts.x64.find((l) => l.name === name)!.size,
    ];
    expect(size('NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS')).toEqual([48, 96]);
    expect(size('IO_INTERRUPT_MESSAGE_INFO_ENTRY')).toEqual([40, 48]);
    expect(size('NDIS_OBJECT_HEADER')).toEqual([4, 4]);
    expect(size('CM_PARTIAL_RESOURCE_DESCRIPTOR')).toEqual([20, 20]);
  });
});
