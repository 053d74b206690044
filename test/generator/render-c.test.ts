import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../generator/src/diagnostics.js';
import type { Model } from '../../generator/src/spec/model.js';
import { bundled } from '../../generator/src/paths.js';
import { check } from '../../generator/src/pipeline.js';
import { cHeaderNames, cHeaderPath, renderC, salFallbacks, salNamesUsed } from '../../generator/src/render/c-header.js';
import { provenanceLine } from '../../generator/src/render/output.js';
import { render } from '../../generator/src/render/render.js';
import { readSpecSources } from '../../generator/src/spec/read-spec-folder.js';
import { loadTemplates } from '../../generator/src/render/templates.js';
import { readSchema } from '../../generator/src/spec/validate.js';

const schema = readSchema(bundled.schemaPath);

let cachedModel: Model | undefined;
function bundledModel(): Model {
  if (cachedModel === undefined) {
    const result = check(readSpecSources(bundled.specDir, bundled.root), { schema });
    expect(result.diagnostics.map(formatDiagnostic)).toEqual([]);
    cachedModel = result.model!;
  }
  return cachedModel;
}

/** The header as the whole pipeline renders it (through render, as `ddikit generate` does). */
function header(): string {
  const file = render(bundledModel(), { templatesDir: bundled.templatesDir }).find((f) => f.path === cHeaderPath);
  if (file === undefined) throw new Error(`render produced no ${cHeaderPath}`);
  return file.content;
}

const gccFound = spawnSync('gcc', ['--version'], { encoding: 'utf8' }).status === 0;
if (!gccFound) console.warn('render-c.test: gcc is not on PATH; the C compile tests are skipped.');
/** Plain ASCII quotes in gcc's messages, whatever the machine's locale. */
const gccEnv = { ...process.env, LC_ALL: 'C' };
const gccFlags = ['-std=c11', '-fsyntax-only', '-Wall', '-Wextra', '-Werror', '-pedantic'];

const tempDirs: string[] = [];
afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

/** Writes files into a fresh folder and returns it. */
function folderWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'ddikit-render-c-'));
  tempDirs.push(dir);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

function gcc(
  dir: string,
  file: string,
  extra: string[] = [],
): { status: number | null; stderr: string; stdout: string } {
  const result = spawnSync('gcc', [...gccFlags, ...extra, `-I${join(dir, 'include')}`, join(dir, file)], {
    encoding: 'utf8',
    env: gccEnv,
  });
  return { status: result.status, stderr: result.stderr, stdout: result.stdout };
}

describe('renderC on the bundled spec', () => {
  it('writes one file, include/ndis_roles.h, starting with the provenance line', () => {
    const model = bundledModel();
    const files = renderC({ model, provenance: provenanceLine(model), templates: loadTemplates(bundled.templatesDir) });
    expect(files.map((f) => f.path)).toEqual(['include/ndis_roles.h']);
    expect(files[0]!.content.split('\n')[0]).toBe(`/* ${provenanceLine(model)} */`);
  });

  it('is byte-deterministic: LF only, one trailing newline, no trailing spaces, same bytes twice', () => {
    const text = header();
    expect(text).toBe(header());
    expect(text).not.toMatch(/\r/);
    expect(text.endsWith('\n')).toBe(true);
    expect(text.endsWith('\n\n')).toBe(false);
    expect(text).not.toMatch(/[ \t]$/m);
    expect(text).not.toMatch(/\n\n\n/);
  });

  it('is guarded, and adds everything only when the WDK ndis.h (_NDIS_) is absent', () => {
    const lines = header().split('\n');
    expect(
      lines.slice(lines.indexOf('#ifndef DDIKIT_NDIS_ROLES_H'), lines.indexOf('#ifndef DDIKIT_NDIS_ROLES_H') + 4),
    ).toEqual(['#ifndef DDIKIT_NDIS_ROLES_H', '#define DDIKIT_NDIS_ROLES_H', '', '#ifndef _NDIS_']);
    expect(lines.slice(-4)).toEqual(['#endif /* !_NDIS_ */', '', '#endif /* DDIKIT_NDIS_ROLES_H */', '']);
  });

  it('declares MINIPORT_SYNCHRONIZE_INTERRUPT exactly in the WDK pattern, with its pointer and its message variant', () => {
    expect(header()).toContain(
      [
        'typedef',
        '_Function_class_(MINIPORT_SYNCHRONIZE_INTERRUPT)',
        '_IRQL_requires_min_(DISPATCH_LEVEL + 1)',
        '_IRQL_requires_same_',
        'BOOLEAN',
        '(MINIPORT_SYNCHRONIZE_INTERRUPT)(',
        '    _In_ NDIS_HANDLE SynchronizeContext',
        '    );',
        '',
        'typedef MINIPORT_SYNCHRONIZE_INTERRUPT *MINIPORT_SYNCHRONIZE_INTERRUPT_HANDLER;',
        'typedef MINIPORT_SYNCHRONIZE_INTERRUPT MINIPORT_SYNCHRONIZE_MESSAGE_INTERRUPT;',
        'typedef MINIPORT_SYNCHRONIZE_MESSAGE_INTERRUPT *MINIPORT_SYNCHRONIZE_MSI_INTERRUPT_HANDLER;',
        '',
      ].join('\n'),
    );
  });

  it('aligns the parameters of a role typedef in SAL, type and name columns', () => {
    expect(header()).toContain(
      [
        '(MINIPORT_ISR)(',
        '    _In_  NDIS_HANDLE MiniportInterruptContext,',
        '    _Out_ PBOOLEAN    QueueDefaultInterruptDpc,',
        '    _Out_ PULONG      TargetProcessors',
        '    );',
      ].join('\n'),
    );
  });

  it('gives every role a one-line IRQL comment from the model, and every DDI an IRQL comment', () => {
    const text = header();
    const model = bundledModel();
    // Entries whose types the spec does not know (imported) are not declared, so they have no comment.
    for (const role of model.roles.filter((r) => r.variantOf === null && r.prototype)) {
      expect(text).toContain(
        `\n/* ${role.function}. IRQL: ${role.irql.text}. */\ntypedef\n_Function_class_(${role.name})\n`,
      );
    }
    for (const fn of model.functions.filter((f) => f.prototype)) {
      const block = text
        .slice(0, text.indexOf(`\n${fn.name}(\n`))
        .split('\n\n')
        .pop()!;
      expect(block.replace(/\n \* /g, ' ')).toMatch(new RegExp(`^/\\*\\s+IRQL: ${escape(fn.irql.text)}\\.`));
      expect(block.endsWith(`\n${fn.returns.type.c}`)).toBe(true);
    }
    expect(text).toContain(
      '/* IRQL: at most DIRQL. */\n_IRQL_requires_max_(HIGH_LEVEL)\nBOOLEAN\nNdisMSynchronizeWithInterruptEx(\n',
    );
  });

  it('declares every role, pointer, DDI, type and constant of the model', () => {
    const text = header();
    const model = bundledModel();
    for (const role of model.roles.filter((r) => r.prototype)) {
      expect(text).toMatch(new RegExp(`\\b${role.name}\\b`));
      expect(text).toContain(` *${role.pointer};`);
    }
    for (const fn of model.functions.filter((f) => f.prototype)) expect(text).toContain(`\n${fn.name}(\n`);
    for (const type of model.types.filter((t) => t.typeKind !== 'void'))
      expect(text).toMatch(new RegExp(`[ *]${type.name}[;,]`));
    for (const constant of model.constants)
      expect(text).toMatch(new RegExp(`\\n#define ${constant.name} +${escape(constant.c)}\\n`));
  });

  it('writes the x64 IRQL levels, HIGH_LEVEL 15 and never 31', () => {
    const text = header();
    const levels = [...text.matchAll(/^#define ([A-Z_]+_LEVEL) +(\d+)$/gm)].map((m) => [m[1], Number(m[2])]);
    expect(levels).toEqual([
      ['PASSIVE_LEVEL', 0],
      ['APC_LEVEL', 1],
      ['DISPATCH_LEVEL', 2],
      ['CLOCK_LEVEL', 13],
      ['IPI_LEVEL', 14],
      ['POWER_LEVEL', 14],
      ['HIGH_LEVEL', 15],
    ]);
    expect(text).not.toMatch(/\b31\b/);
  });

  it('guards every fallback macro with its own #ifndef', () => {
    const text = header();
    const macros = [
      '_Function_class_',
      '_IRQL_requires_',
      '_IRQL_requires_min_',
      '_IRQL_requires_max_',
      '_IRQL_requires_same_',
      '_IRQL_raises_',
      '_IRQL_saves_global_',
      '_IRQL_restores_global_',
      '_When_',
      '_In_',
      '_Out_',
      '_Inout_',
      '_In_opt_',
      '_Out_opt_',
      '_Inout_opt_',
      '_Use_decl_annotations_',
      'PASSIVE_LEVEL',
      'HIGH_LEVEL',
      'TRUE',
      'FALSE',
      'NULL',
      'UNREFERENCED_PARAMETER',
      'VOID',
    ];
    for (const name of macros) expect(text).toMatch(new RegExp(`#ifndef ${name}\\n#define ${name}\\b.*\\n#endif\\n`));
    expect(text).toContain('#define UNREFERENCED_PARAMETER(P) ((void)(P))\n');
  });

  it('writes base types from TypeModel.c, enums with their pointer, and pointer typedefs after their pointee', () => {
    const text = header();
    expect(text).toContain('\ntypedef unsigned char BOOLEAN;\n');
    expect(text).toContain('\ntypedef void *NDIS_HANDLE;\n');
    expect(text).toContain('\ntypedef BOOLEAN *PBOOLEAN;\n');
    expect(text).toContain('\ntypedef NDIS_SPIN_LOCK *PNDIS_SPIN_LOCK;\n');
    expect(text.indexOf('typedef struct _NDIS_SPIN_LOCK NDIS_SPIN_LOCK;')).toBeLessThan(
      text.indexOf('typedef NDIS_SPIN_LOCK *PNDIS_SPIN_LOCK;'),
    );
    expect(text).toContain(
      'typedef enum _KINTERRUPT_MODE {\n    LevelSensitive = 0,\n    Latched        = 1\n} KINTERRUPT_MODE, *PKINTERRUPT_MODE;\n',
    );
    expect(text).toContain(
      'struct _GROUP_AFFINITY {\n    KAFFINITY Mask;\n    USHORT    Group;\n    USHORT    Reserved[3];\n};\n',
    );
  });

  it('defines structures after the role pointers and structures they contain', () => {
    const text = header();
    const at = (needle: string): number => {
      const index = text.indexOf(needle);
      expect(index, needle).toBeGreaterThanOrEqual(0);
      return index;
    };
    expect(at('typedef MINIPORT_ISR *MINIPORT_ISR_HANDLER;')).toBeLessThan(
      at('struct _NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS {'),
    );
    expect(at('struct _IO_INTERRUPT_MESSAGE_INFO_ENTRY {')).toBeLessThan(at('struct _IO_INTERRUPT_MESSAGE_INFO {'));
    expect(at('struct _NDIS_OBJECT_HEADER {')).toBeLessThan(at('struct _NDIS_MINIPORT_INIT_PARAMETERS {'));
  });

  it('has a C fallback for every SAL annotation the model uses', () => {
    const known = salFallbacks.map(([name]) => name);
    expect(salNamesUsed(bundledModel()).filter((name) => !known.includes(name))).toEqual([]);
  });

  it('refuses a model that uses a SAL annotation it has no fallback for, naming it', () => {
    const model = bundledModel();
    const [first, ...rest] = model.functions;
    const broken: Model = {
      ...model,
      functions: [{ ...first!, sal: [...first!.sal, '_IRQL_requires_bogus_(HIGH_LEVEL)'] }, ...rest],
    };
    expect(() => renderC({ model: broken, provenance: 'p', templates: loadTemplates(bundled.templatesDir) })).toThrow(
      'render-c: the model uses SAL annotations with no C fallback: _IRQL_requires_bogus_; add them to salFallbacks',
    );
  });

  it('lists the names the header declares (for scaffold name checks)', () => {
    const names = cHeaderNames(bundledModel());
    for (const name of [
      'MINIPORT_ISR',
      'MINIPORT_ISR_HANDLER',
      'NdisMSynchronizeWithInterruptEx',
      'BOOLEAN',
      'PKINTERRUPT_MODE',
      'LevelSensitive',
      'NDIS_STATUS_SUCCESS',
      'HIGH_LEVEL',
      'TRUE',
      'UNREFERENCED_PARAMETER',
      '_In_',
    ]) {
      expect(names.has(name), name).toBe(true);
    }
    expect(names.has('MySynchronizeInterrupt')).toBe(false);
    expect(names.has('DIRQL')).toBe(false);
  });
});

describe.skipIf(!gccFound)(
  `ndis_roles.h under gcc ${gccFlags.join(' ')}${gccFound ? '' : ' (skipped: gcc is not installed)'}`,
  () => {
    it('compiles on its own', () => {
      const dir = folderWith({ 'include/ndis_roles.h': header(), 'only.c': '#include "ndis_roles.h"\n' });
      const result = gcc(dir, 'only.c');
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
    });

    it('compiles twice included, and every constant, enumerator and structure is usable with its type', () => {
      const model = bundledModel();
      const uses = [
        '#include "ndis_roles.h"',
        '#include "ndis_roles.h"',
        '',
        ...model.constants.map((c) => `static const ${c.type} use_${c.name} = ${c.name};`),
        ...model.types
          .filter((t) => t.typeKind === 'enum' && t.complete)
          .flatMap((t) => t.values.map((v) => `static const ${t.name} use_${v.name} = ${v.name};`)),
        ...model.types
          .filter((t) => t.typeKind === 'struct' && t.complete)
          .map((t) => `static const unsigned long size_${t.name} = sizeof(${t.name});`),
        // Types of unknown layout (imported) are declared by name: usable through a pointer, or as int.
        ...model.types.filter((t) => !t.complete).map((t) => `static ${t.name} *const pointer_${t.name} = NULL;`),
        'int main(void)',
        '{',
        ...model.constants.map((c) => `    (void)use_${c.name};`),
        ...model.types
          .filter((t) => t.typeKind === 'enum' && t.complete)
          .flatMap((t) => t.values.map((v) => `    (void)use_${v.name};`)),
        ...model.types.filter((t) => t.typeKind === 'struct' && t.complete).map((t) => `    (void)size_${t.name};`),
        ...model.types.filter((t) => !t.complete).map((t) => `    (void)pointer_${t.name};`),
        '    return 0;',
        '}',
        '',
      ].join('\n');
      const dir = folderWith({ 'include/ndis_roles.h': header(), 'uses.c': uses });
      const result = gcc(dir, 'uses.c');
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
    });

    it('adds nothing at all when ndis.h was included first (_NDIS_ defined)', () => {
      const dir = folderWith({
        'include/ndis_roles.h': header(),
        'wdk.c': '#define _NDIS_\n#include "ndis_roles.h"\n',
      });
      const result = spawnSync('gcc', ['-E', '-P', `-I${join(dir, 'include')}`, join(dir, 'wdk.c')], {
        encoding: 'utf8',
        env: gccEnv,
      });
      expect(result.status).toBe(0);
      expect(result.stdout.trim()).toBe('');
    });

    it('fails to compile a call that passes a function of another role type as the synchronize function', () => {
      const misuse = [
        '#include "ndis_roles.h"',
        'MINIPORT_ISR MyInterrupt;',
        'BOOLEAN Sync(NDIS_HANDLE Interrupt)',
        '{',
        '    return NdisMSynchronizeWithInterruptEx(Interrupt, 0, MyInterrupt, NULL);',
        '}',
        '',
      ].join('\n');
      const dir = folderWith({ 'include/ndis_roles.h': header(), 'misuse.c': misuse });
      const result = gcc(dir, 'misuse.c');
      expect(result.status).not.toBe(0);
      expect(result.stderr).toMatch(
        /passing argument 3 of 'NdisMSynchronizeWithInterruptEx' from incompatible pointer type/,
      );
    });
  },
);

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
