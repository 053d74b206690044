import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../generator/src/diagnostics.js';
import type { SpecSource } from '../../generator/src/spec/load.js';
import type { Model, RoleModel } from '../../generator/src/spec/model.js';
import { bundled } from '../../generator/src/paths.js';
import { check } from '../../generator/src/pipeline.js';
import { cHeaderPath } from '../../generator/src/render/c-header.js';
import type { OutputFile } from '../../generator/src/render/output.js';
import { render } from '../../generator/src/render/render.js';
import {
  defaultBaseName,
  mayCallList,
  scaffold,
  ScaffoldError,
  type ScaffoldLanguage,
  type ScaffoldRequest,
} from '../../generator/src/render/scaffold.js';
import { readSpecSources } from '../../generator/src/spec/read-spec-folder.js';
import { loadTemplates } from '../../generator/src/render/templates.js';
import { readSchema } from '../../generator/src/spec/validate.js';
import { goldenVersion } from '../golden/version.js';

const schema = readSchema(bundled.schemaPath);
const templates = loadTemplates(bundled.templatesDir);

function modelOf(sources: readonly SpecSource[]): Model {
  const result = check(sources, { schema });
  expect(result.diagnostics.map(formatDiagnostic)).toEqual([]);
  return result.model!;
}

let cachedModel: Model | undefined;
function bundledModel(): Model {
  cachedModel ??= modelOf(readSpecSources(bundled.specDir, bundled.root));
  return cachedModel;
}

let cachedHeader: string | undefined;
function header(): string {
  cachedHeader ??= render(bundledModel(), { templatesDir: bundled.templatesDir, version: goldenVersion }).find(
    (f) => f.path === cHeaderPath,
  )!.content;
  return cachedHeader;
}

/** `--role ROLE:Name` strings → requests, as the CLI splits them. */
function requests(...roles: string[]): ScaffoldRequest[] {
  return roles.map((text) => {
    const [role, name] = text.split(':');
    return { role: role!, name: name! };
  });
}

function run(
  lang: ScaffoldLanguage,
  roles: string[],
  base?: string,
  model = bundledModel(),
): ReturnType<typeof scaffold> {
  return scaffold(model, requests(...roles), lang, base, templates, goldenVersion);
}

function file(files: readonly OutputFile[], path: string): string {
  const found = files.find((f) => f.path === path);
  if (found === undefined) throw new Error(`no ${path} among ${files.map((f) => f.path).join(', ')}`);
  return found.content;
}

/** The name the tests give the function of a role: My + the conventional name without "Miniport". */
function exampleName(role: RoleModel): string {
  return `My${(role.function ?? role.name).replace(/^Miniport/, '')}`;
}

const wdkExample = [
  'MINIPORT_SYNCHRONIZE_INTERRUPT:MySynchronizeInterrupt',
  'MINIPORT_SYNCHRONIZE_MESSAGE_INTERRUPT:MySynchronizeMessageInterrupt',
];

// ---------------------------------------------------------------------------------------------------
// Compilers

const gccFound = spawnSync('gcc', ['--version'], { encoding: 'utf8' }).status === 0;
if (!gccFound) console.warn('scaffold.test: gcc is not on PATH; the C compile tests are skipped.');
const gccFlags = ['-std=c11', '-fsyntax-only', '-Wall', '-Wextra', '-Werror', '-pedantic'];
/** Plain ASCII quotes in gcc's messages, whatever the machine's locale. */
const gccEnv = { ...process.env, LC_ALL: 'C' };

const tempDirs: string[] = [];
afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ddikit-scaffold-'));
  tempDirs.push(dir);
  // The TypeScript scaffolds are ES modules.
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
  return dir;
}

function writeAll(dir: string, files: readonly OutputFile[]): void {
  for (const f of files) {
    mkdirSync(join(dir, f.path, '..'), { recursive: true });
    writeFileSync(join(dir, f.path), f.content);
  }
}

/** gcc -fsyntax-only on one .c file of a folder holding include/ndis_roles.h; stderr is empty on success. */
function gcc(dir: string, cFile: string): { status: number | null; stderr: string } {
  const result = spawnSync('gcc', [...gccFlags, `-I${join(dir, 'include')}`, `-I${dir}`, join(dir, cFile)], {
    encoding: 'utf8',
    env: gccEnv,
  });
  return { status: result.status, stderr: result.stderr };
}

/** Type-checks TypeScript files against @ddikit/ndis (its sources) with strict and no-unused settings. */
function typecheck(paths: readonly string[]): string[] {
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    lib: ['lib.es2022.d.ts'],
    types: [],
    strict: true,
    noUncheckedIndexedAccess: true,
    noUnusedLocals: true,
    noUnusedParameters: true,
    isolatedModules: true,
    verbatimModuleSyntax: true,
    skipLibCheck: true,
    noEmit: true,
    paths: { '@ddikit/ndis': [join(bundled.root, 'packages', 'ndis', 'src', 'index.ts')] },
  };
  const program = ts.createProgram([...paths], options);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const text = ts.flattenDiagnosticMessageText(d.messageText, '\n');
    if (d.file === undefined || d.start === undefined) return `TS${d.code}: ${text}`;
    const { line } = d.file.getLineAndCharacterOfPosition(d.start);
    return `${d.file.fileName.split(sep).pop()}:${line + 1} TS${d.code}: ${text}`;
  });
}

// ---------------------------------------------------------------------------------------------------

describe('scaffold (C) of the WDK example', () => {
  const result = (): ReturnType<typeof scaffold> => run('c', wdkExample);

  it('writes <base>.h and <base>.c, the base from the first function name in lower case', () => {
    expect(result().diagnostics).toEqual([]);
    expect(result().files.map((f) => f.path)).toEqual(['mysynchronizeinterrupt.c', 'mysynchronizeinterrupt.h']);
    expect(defaultBaseName(requests(...wdkExample))).toBe('mysynchronizeinterrupt');
  });

  it('declares each function with its role type, exactly as the WDK reference writes it', () => {
    const h = file(result().files, 'mysynchronizeinterrupt.h');
    expect(h).toContain('#include "ndis_roles.h"\n');
    expect(h.split('\n')).toContain('MINIPORT_SYNCHRONIZE_INTERRUPT MySynchronizeInterrupt;');
    expect(h.split('\n')).toContain('MINIPORT_SYNCHRONIZE_MESSAGE_INTERRUPT MySynchronizeMessageInterrupt;');
  });

  it('defines each function with _Use_decl_annotations_ in the WDK form', () => {
    const c = file(result().files, 'mysynchronizeinterrupt.c');
    expect(c).toContain('#include "mysynchronizeinterrupt.h"\n');
    expect(c).toContain(
      '\n_Use_decl_annotations_\nBOOLEAN\nMySynchronizeInterrupt(\n    NDIS_HANDLE SynchronizeContext\n    )\n{\n',
    );
    expect(c).toContain(
      '\n_Use_decl_annotations_\nBOOLEAN\nMySynchronizeMessageInterrupt(\n    NDIS_HANDLE SynchronizeContext\n    )\n{\n',
    );
  });

  it('states the IRQL and what the function may call, marks the parameter unused, returns TRUE', () => {
    const c = file(result().files, 'mysynchronizeinterrupt.c');
    const body = c.slice(
      c.indexOf('MySynchronizeInterrupt(\n'),
      c.indexOf('\n}\n', c.indexOf('MySynchronizeInterrupt(\n')),
    );
    expect(body).toContain(' * IRQL: exactly DIRQL; IRQL unchanged on return.\n');
    // The DDIs the header declares (imported ones without types are not): a scaffold calls them as written.
    const anyLevel = bundledModel()
      .functions.filter((f) => f.irql.any && f.prototype)
      .map((f) => f.name);
    expect(anyLevel.length).toBeGreaterThan(0);
    const flat = body.replace(/\n +\* /g, ' ');
    expect(flat).toContain(`May call only the DDIs callable at any IRQL: ${anyLevel.join(', ')}.`);
    expect(flat).not.toMatch(/NdisAcquireSpinLock|NdisMSynchronizeWithInterruptEx,/);
    expect(body).toContain('    UNREFERENCED_PARAMETER(SynchronizeContext);\n');
    expect(body).toMatch(/\n    return TRUE;$/);
  });

  it('adds a call helper per synchronize function, declared in the .h with the DDI IRQL contract', () => {
    const { files } = result();
    const h = file(files, 'mysynchronizeinterrupt.h');
    expect(h).toContain(
      [
        '/*',
        " * Runs MySynchronizeInterrupt through NdisMSynchronizeWithInterruptEx, at exactly DIRQL. Caller's",
        ' * IRQL: at most DIRQL.',
        ' */',
        '_IRQL_requires_max_(HIGH_LEVEL)',
        'BOOLEAN',
        'MySynchronizeInterruptCall(',
        '    _In_ NDIS_HANDLE NdisInterruptHandle,',
        '    _In_ ULONG       MessageId,',
        '    _In_ PVOID       SynchronizeContext',
        '    );',
      ].join('\n'),
    );
    const c = file(files, 'mysynchronizeinterrupt.c');
    expect(c).toContain(
      [
        '_Use_decl_annotations_',
        'BOOLEAN',
        'MySynchronizeMessageInterruptCall(',
        '    NDIS_HANDLE NdisInterruptHandle,',
        '    ULONG       MessageId,',
        '    PVOID       SynchronizeContext',
        '    )',
        '{',
      ].join('\n'),
    );
    expect(c).toContain(
      '    return NdisMSynchronizeWithInterruptEx(\n        NdisInterruptHandle,\n        MessageId,\n        MySynchronizeMessageInterrupt,\n        SynchronizeContext\n        );\n',
    );
  });
});

describe('scaffold bodies follow the model', () => {
  it('sets the ISR out-parameters to safe values and returns FALSE, with the claim rule', () => {
    const c = file(run('c', ['MINIPORT_ISR:MyInterrupt']).files, 'myinterrupt.c');
    expect(c).toContain('    UNREFERENCED_PARAMETER(MiniportInterruptContext);\n');
    expect(c).not.toContain('UNREFERENCED_PARAMETER(QueueDefaultInterruptDpc)');
    expect(c).toContain('    *QueueDefaultInterruptDpc = FALSE;\n');
    expect(c).toContain('    *TargetProcessors = 0;\n');
    expect(c.replace(/\n +\* /g, ' ')).toContain('Return TRUE only when your NIC raised the interrupt;');
    expect(c).toMatch(/\n    return FALSE;\n}\n$/);
    expect(c).not.toContain('MyInterruptCall');
  });

  it('returns TRUE from a message ISR, NDIS_STATUS_SUCCESS from MiniportInitializeEx, nothing from a DPC', () => {
    expect(file(run('c', ['MINIPORT_MESSAGE_INTERRUPT:MyMsi']).files, 'mymsi.c')).toMatch(/\n    return TRUE;\n}\n$/);
    expect(file(run('c', ['MINIPORT_INITIALIZE:MyInit']).files, 'myinit.c')).toMatch(
      /\n    return NDIS_STATUS_SUCCESS;\n}\n$/,
    );
    const dpc = file(run('c', ['MINIPORT_INTERRUPT_DPC:MyDpc']).files, 'mydpc.c');
    expect(dpc).not.toMatch(/^ +return\b/m);
    expect(dpc).toMatch(/\n    UNREFERENCED_PARAMETER\(NdisReserved2\);\n}\n$/);
  });

  it('lists for a contract role the DDIs whose contract its level meets', () => {
    const model = bundledModel();
    const dpc = model.roles.find((r) => r.name === 'MINIPORT_INTERRUPT_DPC')!;
    const names = mayCallList(model, dpc).map((f) => f.name);
    expect(names).toContain('NdisDprAcquireSpinLock');
    expect(names).toContain('NdisMSynchronizeWithInterruptEx');
    expect(names).not.toContain('NdisMRegisterInterruptEx');
    const init = model.roles.find((r) => r.name === 'MINIPORT_INITIALIZE')!;
    expect(mayCallList(model, init).map((f) => f.name)).toContain('NdisMRegisterInterruptEx');
    expect(mayCallList(model, init).map((f) => f.name)).not.toContain('NdisDprAcquireSpinLock');
    const c = file(run('c', ['MINIPORT_INTERRUPT_DPC:MyDpc']).files, 'mydpc.c').replace(/\n +\* /g, ' ');
    expect(c).toContain(`May call the DDIs whose IRQL contract admits its level: ${names.join(', ')}.`);
  });

  it('derives call helpers from invokedBy and role pointers, not from role names', () => {
    const modeline = '# yaml-language-server: $schema=../schema/ddi.schema.json';
    const spec = `${modeline}
header: widget.h
types:
  - { name: VOID, kind: void }
  - { name: PVOID, kind: handle, c: void *, ts: unknown }
  - { name: ULONG, kind: scalar, c: unsigned int, ts: number, bits: 32, signed: false }
  - { name: PULONG, kind: pointer, to: ULONG }
roles:
  - name: WIDGET_VISIT
    function: WidgetVisit
    pointer: WIDGET_VISIT_HANDLER
    since: NDIS 6.0
    params:
      - { name: Context, type: PVOID, dir: in }
      - { name: Count, type: PULONG, dir: out, optional: true }
    returns: { type: VOID }
    irql: { max: DISPATCH_LEVEL }
    invokedBy: [WidgetWalk]
functions:
  - name: WidgetWalk
    since: NDIS 6.0
    params:
      - { name: Visit, type: WIDGET_VISIT_HANDLER, dir: in }
      - { name: Context, type: PVOID, dir: in }
    returns: { type: VOID }
    irql: { any: true }
`;
    const model = modelOf([{ path: 'spec/widget.yaml', text: spec }]);
    const result = run('c', ['WIDGET_VISIT:MyVisit'], undefined, model);
    expect(result.diagnostics).toEqual([]);
    const c = file(result.files, 'myvisit.c');
    expect(c).toContain('    if (Count != NULL) {\n        *Count = 0;\n    }\n');
    expect(c).toContain('_Use_decl_annotations_\nVOID\nMyVisitCall(\n    PVOID Context\n    )\n{\n');
    expect(c).toContain('    WidgetWalk(MyVisit, Context);\n}\n');
    expect(c.replace(/\n +\* /g, ' ')).toContain('May call the DDIs whose IRQL contract admits its level: WidgetWalk.');
    const ts = file(run('ts', ['WIDGET_VISIT:MyVisit'], undefined, model).files, 'myvisit.ts');
    expect(ts).toContain('  if (Count !== null) Count.value = 0;\n');
    expect(ts).toContain(
      "  WidgetWalk: NdisFunctions['WidgetWalk'],\n  Context: PVOID,\n): void {\n  WidgetWalk(MyVisit, Context);\n}\n",
    );
  });
});

describe("scaffold (C) of DriverEntry: it registers the miniport with the scaffold's functions", () => {
  const roles = ['DRIVER_INITIALIZE:DriverEntry', 'MINIPORT_INITIALIZE:LwcInitializeEx', 'MINIPORT_HALT:LwcHaltEx'];
  const c = (): string => file(run('c', roles, 'lwc').files, 'lwc.c');
  const bodyOf = (source: string, name: string): string => {
    const start = source.indexOf(`\n${name}(\n`);
    return source.slice(source.indexOf('\n{\n', start) + 3, source.indexOf('\n}\n', start) + 1);
  };
  /** The handler fields of NDIS_MINIPORT_DRIVER_CHARACTERISTICS, as the spec types them: role pointers. */
  const handlerFields = (model: Model): { field: string; role: RoleModel; optional: boolean }[] => {
    const chars = model.byName.get('NDIS_MINIPORT_DRIVER_CHARACTERISTICS');
    if (chars?.kind !== 'type') throw new Error('the spec has no NDIS_MINIPORT_DRIVER_CHARACTERISTICS');
    return chars.fields.flatMap((f) => {
      const role = model.roles.find((r) => r.pointer === f.type.name);
      return role === undefined ? [] : [{ field: f.name, role, optional: f.optional }];
    });
  };

  it("fills the header, the versions and the handlers it has, and returns NdisMRegisterMiniportDriver's status", () => {
    const body = bodyOf(c(), 'DriverEntry');
    const after = body.slice(body.indexOf('    NDIS_MINIPORT_DRIVER_CHARACTERISTICS'));
    const unfilled = handlerFields(bundledModel())
      .filter((h) => !h.optional && h.field !== 'InitializeHandlerEx' && h.field !== 'HaltHandlerEx')
      .map((h) => `${h.field} (${h.role.name})`);
    expect(unfilled.length).toBeGreaterThan(0);
    expect(after.replace(/\n {5}\* /g, ' ')).toBe(
      [
        '    NDIS_MINIPORT_DRIVER_CHARACTERISTICS characteristics = { 0 };',
        '',
        '    /* The structure starts zeroed: a handler this scaffold has no function for stays NULL. */',
        '    characteristics.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_DRIVER_CHARACTERISTICS;',
        '    characteristics.Header.Revision = NDIS_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_1;',
        '    characteristics.Header.Size = NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_1;',
        '    characteristics.MajorNdisVersion = NDIS_MINIPORT_MAJOR_VERSION;',
        '    characteristics.MinorNdisVersion = NDIS_MINIPORT_MINOR_VERSION;',
        '    characteristics.MajorDriverVersion = 1;',
        '    characteristics.MinorDriverVersion = 0;',
        '    characteristics.InitializeHandlerEx = LwcInitializeEx;',
        '    characteristics.HaltHandlerEx = LwcHaltEx;',
        // The comment is wrapped at 100 columns; its lines are joined here.
        `    /* NDIS requires these handlers too; each stays NULL until you add a function of its role and set it here: ${unfilled.join(', ')}.`,
        '     */',
        '',
        '    /* STATUS_SUCCESS when the driver registered; an error unloads it. */',
        '    return NdisMRegisterMiniportDriver(',
        '        DriverObject,',
        '        RegistryPath,',
        '        NULL,',
        '        &characteristics,',
        '        &NdisMiniportDriverHandle',
        '        );',
        '',
      ].join('\n'),
    );
    expect(body).not.toContain('UNREFERENCED_PARAMETER');
    // The handle is the driver's for as long as it is loaded: a file-scope static, before the functions.
    expect(c()).toContain(
      '#include "lwc.h"\n\n/* Set by NdisMRegisterMiniportDriver in DriverEntry; kept while the driver is loaded. */\nstatic NDIS_HANDLE NdisMiniportDriverHandle;\n\n_Use_decl_annotations_\n',
    );
  });

  it('sets every handler field the spec types with a role pointer, whichever roles the scaffold has', () => {
    const handlers = handlerFields(bundledModel());
    expect(handlers.length).toBeGreaterThan(10);
    const requests = handlers.map((h) => `${h.role.name}:Lwc${h.field}`);
    const source = file(run('c', ['DRIVER_INITIALIZE:DriverEntry', ...requests], 'lwc').files, 'lwc.c');
    const body = bodyOf(source, 'DriverEntry');
    for (const h of handlers) expect(body).toContain(`\n    characteristics.${h.field} = Lwc${h.field};\n`);
    expect(body).not.toContain('NDIS requires');
  });

  it('finds the fields in the spec: a handler field renamed there is the one set', () => {
    const sources = readSpecSources(bundled.specDir, bundled.root).map((s) =>
      s.path.endsWith('driver.yaml') || s.path.endsWith('miniport.yaml')
        ? { ...s, text: s.text.replaceAll('HaltHandlerEx', 'HaltHandlerRenamed') }
        : s,
    );
    const renamed = modelOf(sources);
    expect(handlerFields(renamed).map((h) => h.field)).toContain('HaltHandlerRenamed');
    const source = file(run('c', roles, 'lwc', renamed).files, 'lwc.c');
    expect(source).toContain('\n    characteristics.HaltHandlerRenamed = LwcHaltEx;\n');
    expect(source).not.toContain('HaltHandlerEx');
  });

  it('registers from a DRIVER_INITIALIZE function of another name too; TypeScript keeps the plain body', () => {
    expect(bodyOf(file(run('c', ['DRIVER_INITIALIZE:LwcEntry'], 'lwc').files, 'lwc.c'), 'LwcEntry')).toContain(
      '    return NdisMRegisterMiniportDriver(',
    );
    // TypeScript drivers register with defineMiniport, not from DriverEntry.
    const ts = file(run('ts', roles, 'lwc').files, 'lwc.ts');
    expect(ts).not.toContain('NdisMRegisterMiniportDriver(');
  });

  it('gives other roles no registration and no static', () => {
    const source = file(
      run('c', ['MINIPORT_INITIALIZE:LwcInitializeEx', 'MINIPORT_HALT:LwcHaltEx'], 'lwc').files,
      'lwc.c',
    );
    expect(source).not.toContain('static ');
    expect(source).not.toContain('characteristics');
  });
});

describe('scaffold (TypeScript)', () => {
  it('declares each function with the role declarator of @ddikit/ndis, in the form of the WDK example', () => {
    const result = run('ts', wdkExample);
    expect(result.diagnostics).toEqual([]);
    expect(result.files.map((f) => f.path)).toEqual(['mysynchronizeinterrupt.ts']);
    const text = file(result.files, 'mysynchronizeinterrupt.ts');
    expect(text).toContain(
      "import { MINIPORT_SYNCHRONIZE_INTERRUPT, MINIPORT_SYNCHRONIZE_MESSAGE_INTERRUPT } from '@ddikit/ndis';\n",
    );
    expect(text).toContain(
      "export const MySynchronizeInterrupt = MINIPORT_SYNCHRONIZE_INTERRUPT('MySynchronizeInterrupt', (SynchronizeContext) => {\n",
    );
    expect(text).toContain('  // IRQL: exactly DIRQL; IRQL unchanged on return.\n');
    expect(text).toContain('  void SynchronizeContext;\n');
    expect(text).toContain('  return true;\n});\n');
    expect(text).toContain(
      "export function MySynchronizeInterruptCall(\n  NdisMSynchronizeWithInterruptEx: NdisFunctions['NdisMSynchronizeWithInterruptEx'],\n",
    );
  });

  it('writes out-parameters through their boxes', () => {
    const text = file(run('ts', ['MINIPORT_ISR:MyInterrupt']).files, 'myinterrupt.ts');
    expect(text).toContain('  QueueDefaultInterruptDpc.value = false;\n');
    expect(text).toContain('  TargetProcessors.value = 0;\n');
    expect(text).toContain('  return false;\n});\n');
  });
});

describe('scaffold diagnostics', () => {
  const cases: { name: string; lang?: ScaffoldLanguage; given: string[]; base?: string; want: string[] }[] = [
    {
      name: 'unknown role, with did-you-mean',
      given: ['MINIPORT_SYNCHRONIZE_INTERUPT:MySync'],
      want: [
        'DDI4001: --role MINIPORT_SYNCHRONIZE_INTERUPT:MySync: the spec has no role named "MINIPORT_SYNCHRONIZE_INTERUPT". Did you mean "MINIPORT_SYNCHRONIZE_INTERRUPT"?',
      ],
    },
    {
      name: 'a role in the wrong case is suggested in the right one',
      given: ['miniport_isr:MyInterrupt'],
      want: [
        'DDI4001: --role miniport_isr:MyInterrupt: the spec has no role named "miniport_isr". Did you mean "MINIPORT_ISR"?',
      ],
    },
    {
      name: 'unknown role, nothing close',
      given: ['EVT_WDF_DRIVER_DEVICE_ADD:MyDeviceAdd'],
      want: [
        'DDI4001: --role EVT_WDF_DRIVER_DEVICE_ADD:MyDeviceAdd: the spec has no role named "EVT_WDF_DRIVER_DEVICE_ADD". Give a function role type as ndis.h spells it, such as "DRIVER_INITIALIZE".',
      ],
    },
    {
      name: 'a DDI function given as a role',
      given: ['NdisMSynchronizeWithInterruptEx:MySync'],
      want: [
        'DDI4001: --role NdisMSynchronizeWithInterruptEx:MySync: "NdisMSynchronizeWithInterruptEx" is a DDI function, not a role. Give a function role type, such as "DRIVER_INITIALIZE".',
      ],
    },
    {
      name: 'a function name that is not an identifier',
      given: ['MINIPORT_ISR:1stInterrupt'],
      want: [
        'DDI4002: --role MINIPORT_ISR:1stInterrupt: the function name must be a C identifier: letters, digits and underscores, not starting with a digit (got "1stInterrupt").',
      ],
    },
    {
      name: 'a C keyword',
      given: ['MINIPORT_ISR:register'],
      want: [
        'DDI4003: --role MINIPORT_ISR:register: "register" is a reserved word in C; choose another function name.',
      ],
    },
    {
      name: 'a name C reserves for the implementation',
      given: ['MINIPORT_ISR:_MyInterrupt'],
      want: [
        'DDI4003: --role MINIPORT_ISR:_MyInterrupt: "_MyInterrupt" is reserved for the C implementation (a leading underscore and a capital letter, or a double underscore); choose another function name.',
      ],
    },
    {
      name: 'a TypeScript reserved word (fine in C)',
      lang: 'ts',
      given: ['MINIPORT_ISR:delete'],
      want: [
        'DDI4003: --role MINIPORT_ISR:delete: "delete" is a reserved word in TypeScript or a name the scaffold imports; choose another function name.',
      ],
    },
    {
      name: 'a name the header declares',
      given: ['MINIPORT_SYNCHRONIZE_INTERRUPT:NdisMSynchronizeWithInterruptEx'],
      want: [
        'DDI4003: --role MINIPORT_SYNCHRONIZE_INTERRUPT:NdisMSynchronizeWithInterruptEx: "NdisMSynchronizeWithInterruptEx" is already declared by ndis_roles.h and @ddikit/ndis (a role, DDI, type, constant or macro); choose another function name.',
      ],
    },
    {
      name: 'DriverEntry for a function other than the entry point',
      given: ['MINIPORT_HALT:DriverEntry'],
      want: [
        'DDI4003: --role MINIPORT_HALT:DriverEntry: "DriverEntry" is the entry point the WDK gives every driver, the name of the DRIVER_INITIALIZE function only. Choose another name, such as "ContosoDriverEntry".',
      ],
    },
    {
      name: 'GsDriverEntry, even for the entry point',
      given: ['DRIVER_INITIALIZE:GsDriverEntry'],
      want: [
        'DDI4003: --role DRIVER_INITIALIZE:GsDriverEntry: "GsDriverEntry" is the entry point the WDK gives every driver. Choose another name, such as "ContosoGsDriverEntry".',
      ],
    },
    {
      name: 'the same function name twice',
      given: ['MINIPORT_SYNCHRONIZE_INTERRUPT:MySync', 'MINIPORT_SYNCHRONIZE_MESSAGE_INTERRUPT:MySync'],
      want: [
        'DDI4004: --role MINIPORT_SYNCHRONIZE_MESSAGE_INTERRUPT:MySync: the function name "MySync" is already used by --role MINIPORT_SYNCHRONIZE_INTERRUPT:MySync; give each function its own name.',
      ],
    },
    {
      name: 'a function name equal to the call helper of another',
      given: ['MINIPORT_SYNCHRONIZE_INTERRUPT:MySync', 'MINIPORT_ISR:MySyncCall'],
      want: [
        'DDI4004: --role MINIPORT_ISR:MySyncCall: the function name "MySyncCall" is already used by the call helper of --role MINIPORT_SYNCHRONIZE_INTERRUPT:MySync; give each function its own name.',
      ],
    },
    {
      name: 'a call helper equal to an earlier function name',
      given: ['MINIPORT_ISR:MySyncCall', 'MINIPORT_SYNCHRONIZE_INTERRUPT:MySync'],
      want: [
        'DDI4004: --role MINIPORT_SYNCHRONIZE_INTERRUPT:MySync: the name of its call helper "MySyncCall" is already used by --role MINIPORT_ISR:MySyncCall; give each function its own name.',
      ],
    },
    {
      name: 'a function name that the call helper would shadow with a parameter',
      given: ['MINIPORT_SYNCHRONIZE_INTERRUPT:MessageId'],
      want: [
        'DDI4004: --role MINIPORT_SYNCHRONIZE_INTERRUPT:MessageId: the function name "MessageId" is also a parameter of MessageIdCall, the helper that passes it to NdisMSynchronizeWithInterruptEx; choose another name.',
      ],
    },
    {
      name: 'a base file name with a folder in it',
      given: ['MINIPORT_ISR:MyInterrupt'],
      base: '../driver',
      want: [
        'DDI4005: the base file name must be a plain file name of letters, digits, "_", "." and "-" (got "../driver").',
      ],
    },
    {
      name: 'a base file name that would hide the generated header',
      given: ['MINIPORT_ISR:MyInterrupt'],
      base: 'ndis_roles',
      want: [
        'DDI4005: the base file name "ndis_roles" would make ndis_roles.h, which hides the generated header; choose another.',
      ],
    },
    {
      name: 'a first function name that would make a base hiding the generated header',
      given: ['MINIPORT_ISR:ndis_roles'],
      want: [
        'DDI4005: the base file name "ndis_roles" (taken from the first function name) would make ndis_roles.h, which hides the generated header; choose another.',
      ],
    },
    {
      name: 'no request at all',
      given: [],
      base: 'driver',
      want: [
        'DDI4006: no function to scaffold. Give at least one --role ROLE:Name, e.g. --role MINIPORT_SYNCHRONIZE_INTERRUPT:MySynchronizeInterrupt.',
      ],
    },
    {
      name: 'every problem at once, in request order',
      given: ['MINIPORT_ISRR:MyInterrupt', 'MINIPORT_ISR:int', 'MINIPORT_ISR:My-Isr'],
      want: [
        'DDI4001: --role MINIPORT_ISRR:MyInterrupt: the spec has no role named "MINIPORT_ISRR". Did you mean "MINIPORT_ISR"?',
        'DDI4003: --role MINIPORT_ISR:int: "int" is a reserved word in C; choose another function name.',
        'DDI4002: --role MINIPORT_ISR:My-Isr: the function name must be a C identifier: letters, digits and underscores, not starting with a digit (got "My-Isr").',
      ],
    },
  ];

  for (const { name, lang, given, base, want } of cases) {
    it(name, () => {
      const result = run(lang ?? 'c', given, base);
      expect(result.diagnostics).toEqual(want);
      expect(result.files).toEqual([]);
    });
  }

  it('accepts in TypeScript a name that only C reserves, and in C one that only TypeScript reserves', () => {
    expect(run('ts', ['MINIPORT_ISR:register']).diagnostics).toEqual([]);
    expect(run('c', ['MINIPORT_ISR:delete']).diagnostics).toEqual([]);
  });

  it('accepts DriverEntry for DRIVER_INITIALIZE, the name the WDK requires of it', () => {
    const result = run('c', ['DRIVER_INITIALIZE:DriverEntry']);
    expect(result.diagnostics).toEqual([]);
    expect(file(result.files, 'driverentry.h').split('\n')).toContain('DRIVER_INITIALIZE DriverEntry;');
    expect(run('ts', ['DRIVER_INITIALIZE:DriverEntry']).diagnostics).toEqual([]);
  });

  it('throws ScaffoldError for a language it does not write', () => {
    expect(() => run('rust' as ScaffoldLanguage, ['MINIPORT_ISR:MyInterrupt'])).toThrow(ScaffoldError);
    expect(() => run('rust' as ScaffoldLanguage, ['MINIPORT_ISR:MyInterrupt'])).toThrow(
      'scaffold: the language must be "c" or "ts" (got "rust")',
    );
  });

  it('uses the base name it is given', () => {
    expect(run('c', ['MINIPORT_ISR:MyInterrupt'], 'driver').files.map((f) => f.path)).toEqual(['driver.c', 'driver.h']);
    expect(file(run('c', ['MINIPORT_ISR:MyInterrupt'], 'my-driver.v2').files, 'my-driver.v2.h')).toContain(
      '#ifndef MY_DRIVER_V2_H\n',
    );
  });
});

describe.skipIf(!gccFound)(
  `scaffolds compile with gcc ${gccFlags.join(' ')}${gccFound ? '' : ' (skipped: gcc is not installed)'}`,
  () => {
    it('for every role, one scaffold each (variants included)', () => {
      // Roles whose types the spec does not know (imported) get no scaffold (DDI4007).
      const roles = bundledModel().roles.filter((r) => r.prototype);
      expect(roles.length).toBeGreaterThan(10);
      const dir = tempDir();
      writeAll(dir, [{ path: cHeaderPath, content: header() }]);
      const failures: string[] = [];
      for (const role of roles) {
        const result = run('c', [`${role.name}:${exampleName(role)}`]);
        expect(result.diagnostics, role.name).toEqual([]);
        writeAll(dir, result.files);
        const compiled = gcc(dir, `${exampleName(role).toLowerCase()}.c`);
        if (compiled.status !== 0 || compiled.stderr !== '') failures.push(`${role.name}:\n${compiled.stderr}`);
      }
      expect(failures).toEqual([]);
    });

    it('for one scaffold holding every role at once', () => {
      const dir = tempDir();
      const result = run(
        'c',
        bundledModel()
          .roles.filter((r) => r.prototype)
          .map((r) => `${r.name}:${exampleName(r)}`),
        'driver',
      );
      expect(result.diagnostics).toEqual([]);
      writeAll(dir, [{ path: cHeaderPath, content: header() }, ...result.files]);
      expect(gcc(dir, 'driver.c')).toEqual({ status: 0, stderr: '' });
    });

    it('fails to compile a definition whose return type conflicts with the role-type declaration', () => {
      const dir = tempDir();
      const result = run('c', wdkExample);
      const c = file(result.files, 'mysynchronizeinterrupt.c');
      const broken = c.replace(
        '_Use_decl_annotations_\nBOOLEAN\nMySynchronizeInterrupt(',
        '_Use_decl_annotations_\nULONG\nMySynchronizeInterrupt(',
      );
      expect(broken).not.toBe(c);
      writeAll(dir, [{ path: cHeaderPath, content: header() }, ...result.files, { path: 'broken.c', content: broken }]);
      const compiled = gcc(dir, 'broken.c');
      expect(compiled.status).not.toBe(0);
      expect(compiled.stderr).toContain("error: conflicting types for 'MySynchronizeInterrupt'");
    });

    it('fails to compile a definition whose parameter type conflicts with the role-type declaration', () => {
      const dir = tempDir();
      const result = run('c', wdkExample);
      const c = file(result.files, 'mysynchronizeinterrupt.c');
      const broken = c.replace(
        'MySynchronizeMessageInterrupt(\n    NDIS_HANDLE SynchronizeContext',
        'MySynchronizeMessageInterrupt(\n    ULONG SynchronizeContext',
      );
      expect(broken).not.toBe(c);
      writeAll(dir, [{ path: cHeaderPath, content: header() }, ...result.files, { path: 'broken.c', content: broken }]);
      const compiled = gcc(dir, 'broken.c');
      expect(compiled.status).not.toBe(0);
      expect(compiled.stderr).toContain("error: conflicting types for 'MySynchronizeMessageInterrupt'");
    });
  },
);

describe('TypeScript scaffolds type-check against @ddikit/ndis (strict, noUnusedLocals, noUnusedParameters)', () => {
  it('for every role, and for one scaffold holding every role at once', () => {
    const dir = tempDir();
    const roles = bundledModel().roles.filter((r) => r.prototype);
    const paths: string[] = [];
    for (const role of roles) {
      const result = run('ts', [`${role.name}:${exampleName(role)}`]);
      expect(result.diagnostics, role.name).toEqual([]);
      writeAll(dir, result.files);
      paths.push(join(dir, result.files[0]!.path));
    }
    const all = run(
      'ts',
      roles.map((r) => `${r.name}:${exampleName(r)}`),
      'driver',
    );
    expect(all.diagnostics).toEqual([]);
    writeAll(dir, all.files);
    paths.push(join(dir, 'driver.ts'));
    expect(typecheck(paths)).toEqual([]);
  });

  it('rejects a synchronize function that returns a number, and passing an ISR to NdisMSynchronizeWithInterruptEx', () => {
    const dir = tempDir();
    const text = file(run('ts', [...wdkExample, 'MINIPORT_ISR:MyInterrupt']).files, 'mysynchronizeinterrupt.ts');
    const returnsNumber = text.replace('  return true;\n', '  return 1;\n');
    const passesIsr = text.replace(
      'MessageId, MySynchronizeInterrupt, SynchronizeContext',
      'MessageId, MyInterrupt, SynchronizeContext',
    );
    expect(returnsNumber).not.toBe(text);
    expect(passesIsr).not.toBe(text);
    writeAll(dir, [
      { path: 'returns-number.ts', content: returnsNumber },
      { path: 'passes-isr.ts', content: passesIsr },
    ]);
    const errors = typecheck([join(dir, 'returns-number.ts'), join(dir, 'passes-isr.ts')]);
    expect(errors.filter((e) => e.startsWith('returns-number.ts:'))).toEqual([
      expect.stringMatching(/ TS2345: [^]*Type 'number' is not assignable to type 'boolean'\.$/),
    ]);
    expect(errors.filter((e) => e.startsWith('passes-isr.ts:'))).toEqual([
      expect.stringMatching(
        / TS2345: Argument of type 'MINIPORT_ISR' is not assignable to parameter of type 'MINIPORT_SYNCHRONIZE_INTERRUPT_HANDLER'\./,
      ),
    ]);
  });
});

// ---------------------------------------------------------------------------------------------------
// Golden case: the WDK example (header + C and TypeScript scaffolds)

const goldenDir = join(bundled.root, 'test', 'golden', 'scaffold-wdk-example');
const expectedDir = join(goldenDir, 'expected');
const updateGolden = process.env['UPDATE_GOLDEN'] === '1';

interface GoldenCase {
  roles: string[];
  langs: ScaffoldLanguage[];
}

function goldenFiles(): OutputFile[] {
  const options = JSON.parse(readFileSync(join(goldenDir, 'case.json'), 'utf8')) as GoldenCase;
  const files: OutputFile[] = [{ path: cHeaderPath, content: header() }];
  for (const lang of options.langs) {
    const result = run(lang, options.roles);
    expect(result.diagnostics).toEqual([]);
    files.push(...result.files);
  }
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const found: string[] = [];
  const walk = (at: string): void => {
    for (const name of readdirSync(at).sort()) {
      const path = join(at, name);
      if (statSync(path).isDirectory()) walk(path);
      else found.push(relative(dir, path).split(sep).join('/'));
    }
  };
  walk(dir);
  return found;
}

describe('golden case scaffold-wdk-example (UPDATE_GOLDEN=1 rewrites expected/)', () => {
  it('matches expected/ byte for byte', () => {
    const files = goldenFiles();
    if (updateGolden) {
      rmSync(expectedDir, { recursive: true, force: true });
      for (const f of files) {
        mkdirSync(join(expectedDir, f.path, '..'), { recursive: true });
        writeFileSync(join(expectedDir, f.path), f.content);
      }
    }
    expect(listFiles(expectedDir)).toEqual(files.map((f) => f.path));
    for (const f of files) {
      expect(
        readFileSync(join(expectedDir, f.path), 'utf8'),
        `${f.path} differs; if the change is intended, rerun with UPDATE_GOLDEN=1 and review the diff`,
      ).toBe(f.content);
    }
  });

  it.skipIf(!gccFound)('expected/ compiles with gcc and type-checks', () => {
    const cFiles = listFiles(expectedDir).filter((p) => p.endsWith('.c'));
    expect(cFiles).toEqual(['mysynchronizeinterrupt.c']);
    for (const c of cFiles) expect(gcc(expectedDir, c)).toEqual({ status: 0, stderr: '' });
    const dir = tempDir();
    const tsFiles = listFiles(expectedDir).filter((p) => p.endsWith('.ts'));
    expect(tsFiles).toEqual(['mysynchronizeinterrupt.ts']);
    writeAll(
      dir,
      tsFiles.map((p) => ({ path: p, content: readFileSync(join(expectedDir, p), 'utf8') })),
    );
    expect(typecheck(tsFiles.map((p) => join(dir, p)))).toEqual([]);
  });
});
