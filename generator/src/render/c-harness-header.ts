/**
 * C output for C drivers run on the harness: include/harness/ndis.h, the header they include as
 * <ndis.h>. One source builds for wasm32 (the harness runs it; every DDI is an import of module
 * "ndis") and for x86_64-pc-windows-msvc (a syntax pass with the LLP64 layouts). It declares the base
 * types sized for the target (pointer-sized ones follow the target's pointers), the structures with
 * their documented fields in dependency order, the role typedefs with their SAL, the constants and
 * size macros, and the prototypes of the DDIs curated with a C signature. Structure layouts for both
 * targets are in the metadata (c-layout.ts); a test checks them against clang.
 */
import { compareStrings } from '../diagnostics.js';
import type { FunctionModel, Model, RoleModel, TypeModel } from '../spec/model.js';
import { byValueTypes } from '../spec/model-entries.js';
import { levelNames, levelRange } from '../spec/spec-types.js';
import { salFallbacks } from './c-header.js';
import { isLaidOut } from './c-layout.js';
import { recordComment, recordDefinition, recordKeyword, recordTag } from './c-records.js';
import { cComment, cCommentText, cParamLines, entrySal, sizedIntegerC, typedefLine, widest } from './c-text.js';
import type { OutputFile, RenderContext } from './output.js';
import { ofKind } from './slot-kinds.js';
import { tidy } from './templates.js';

export const harnessHeaderPath = 'include/harness/ndis.h';

/**
 * SAL annotations drivers write beyond those the spec's entries use: the header defines them empty
 * too, so WDK-style code compiles unchanged. A closed list: nothing from the spec reaches it.
 */
const driverSal: readonly (readonly [name: string, params: string | null])[] = [
  ['_In_reads_bytes_', 'n'],
  ['_Out_writes_bytes_', 'n'],
  ['_Requires_lock_held_', 'lock'],
  ['_Acquires_lock_', 'lock'],
  ['_Releases_lock_', 'lock'],
  ['_Must_inspect_result_', null],
  ['_Success_', 'expr'],
  ['_Post_writable_byte_size_', 'n'],
  ['__drv_allocatesMem', 'kind'],
  ['__drv_freesMem', 'kind'],
];

interface DeclarationView {
  comment: string | null;
  lines: string[];
}

interface HeaderView {
  provenance: string;
  sal: string[];
  levels: string[];
  scalars: string[];
  scalarChecks: string[];
  handles: string[];
  enums: { tag: string; name: string; values: string[] }[];
  forwards: string[];
  pointers: string[];
  declarations: DeclarationView[];
  constants: string[];
  sizes: string[];
  functions: { comment: string; sal: string[]; returns: string; name: string; params: string[] }[];
}

export function renderHarnessHeader(context: RenderContext): OutputFile[] {
  const view = headerView(context.model, context.provenance('c/ndis.h'));
  return [{ path: harnessHeaderPath, content: tidy(context.templates.get('c/ndis.h')(view)) }];
}

/** The C text of a scalar on both targets: pointer-sized ones take the compiler's pointer-sized integer. */
function scalarC(type: TypeModel): string {
  if (type.typeKind === 'enum') return 'int';
  if (type.pointerSized) return type.signed === true ? '__INTPTR_TYPE__' : '__UINTPTR_TYPE__';
  if (type.c !== null) return ofKind('cFallbackType', type.c, `the C type of ${type.name}`);
  return sizedIntegerC(type.bits, type.signed);
}

/** The DDIs the harness header declares: those curated with a C signature (the harness provides them). */
export function harnessFunctions(model: Model): FunctionModel[] {
  return model.functions.filter((f) => f.prototype && f.origin !== 'imported');
}

function roleLines(role: RoleModel): DeclarationView {
  // A variant is a role type of its own, with its own function class, as the WDK declares it.
  const sal = entrySal(role).map((s) =>
    role.variantOf !== null && s === `_Function_class_(${role.variantOf})` ? `_Function_class_(${role.name})` : s,
  );
  const lines = ['typedef', ...sal];
  lines.push(ofKind('cTypeName', role.returns.type.c, `the return type of ${role.name}`));
  lines.push(`(${ofKind('identifier', role.name, 'a role name')})(`);
  for (const line of cParamLines(role.params, true)) lines.push(`    ${line}`);
  lines.push('    );');
  if (role.pointer !== null) {
    lines.push('');
    lines.push(`typedef ${role.name} (*${ofKind('identifier', role.pointer, `the pointer type of ${role.name}`)});`);
  }
  const what = role.variantOf === null ? '' : ` The ${role.interrupt ?? 'message'}-signaled form of ${role.variantOf}.`;
  return { comment: cComment([`${role.function ?? role.name}. IRQL: ${role.irql.text}.${what}`]), lines };
}

function headerView(model: Model, provenance: string): HeaderView {
  const byName = new Map(model.types.map((t) => [t.name, t]));
  const kind = (k: TypeModel['typeKind']): TypeModel[] => model.types.filter((t) => t.typeKind === k);
  const scalars = model.types.filter(
    (t) =>
      (t.typeKind === 'scalar' && t.record === null) ||
      (t.typeKind === 'enum' && (!t.complete || t.values.length === 0)),
  );

  // Declarations in dependency order: a record held by value, a scalar declared as a record, and a
  // role whose pointer a structure holds all come before their users.
  const roles = model.roles.filter(
    (r) => r.prototype && (r.variantOf === null || model.roles.some((b) => b.name === r.variantOf && b.prototype)),
  );
  const rolesByPointer = new Map<string, RoleModel>();
  for (const role of roles) if (role.pointer !== null) rolesByPointer.set(role.pointer, role);
  type Item = { key: string; needs: string[]; view: () => DeclarationView };
  const items = new Map<string, Item>();
  for (const type of model.types) {
    if (type.typeKind === 'scalar' && type.record !== null) {
      const record = ofKind('identifier', type.record, `the record of ${type.name}`);
      items.set(type.name, {
        key: type.name,
        needs: [record],
        view: () => ({ comment: null, lines: [typedefLine(record, type.name)] }),
      });
    } else if (type.typeKind === 'pointer' && type.to !== null && byName.get(type.to)?.record) {
      // A pointer to a scalar declared as a record follows that declaration.
      const to = ofKind('identifier', type.to, `the pointee of ${type.name}`);
      items.set(type.name, {
        key: type.name,
        needs: [to],
        view: () => ({ comment: null, lines: [typedefLine(`${to} *`, type.name)] }),
      });
    } else if (isLaidOut(type)) {
      items.set(type.name, {
        key: type.name,
        needs: byValueTypes(type.fields),
        view: () => ({ comment: recordComment(type), lines: recordDefinition(type, (f) => f.type.c) }),
      });
    }
  }
  for (const role of roles) {
    items.set(role.name, {
      key: role.name,
      needs: [...role.params.map((p) => p.type.name), role.returns.type.name],
      view: () => roleLines(role),
    });
  }
  // Depth first with an explicit stack, so a long chain of records cannot exhaust the call stack.
  const ordered: DeclarationView[] = [];
  const done = new Set<string>();
  for (const root of [...items.keys()].sort(compareStrings)) {
    if (done.has(root)) continue;
    done.add(root);
    const stack: { item: Item; needs: string[] }[] = [
      { item: items.get(root)!, needs: [...items.get(root)!.needs].sort(compareStrings).reverse() },
    ];
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const need = top.needs.pop();
      if (need === undefined) {
        ordered.push(top.item.view());
        stack.pop();
        continue;
      }
      const key = rolesByPointer.get(need)?.name ?? need;
      const item = items.get(key);
      if (item === undefined || done.has(key)) continue;
      done.add(key);
      stack.push({ item, needs: [...item.needs].sort(compareStrings).reverse() });
    }
  }

  const constantWidth = widest(model.constants.map((c) => c.name));
  return {
    provenance: cCommentText(provenance),
    sal: [...salFallbacks, ...driverSal]
      .sort(([a], [b]) => compareStrings(a, b))
      .map(([name, params]) => (params === null ? name : `${name}(${params})`)),
    levels: levelNames
      .filter((level) => level !== 'DIRQL')
      .map((level) => `${level.padEnd(15)}${levelRange[level][0]}`),
    scalars: scalars.map((t) => typedefLine(scalarC(t), t.name)),
    scalarChecks: scalars
      .filter((t) => t.typeKind === 'scalar')
      .map((t) =>
        t.pointerSized
          ? `_Static_assert(sizeof(${t.name}) == sizeof(void *), "${t.name} is pointer-sized");`
          : `_Static_assert(sizeof(${t.name}) == ${ofKind('integer', String((t.bits ?? 32) / 8), `the size of ${t.name}`)}, "${t.name} is ${t.bits ?? 32}-bit");`,
      ),
    handles: kind('handle')
      .filter((t) => t.to === null)
      .map((t) =>
        typedefLine(t.c === null ? 'void *' : ofKind('cFallbackType', t.c, `the C type of ${t.name}`), t.name),
      ),
    enums: kind('enum')
      .filter((t) => t.complete && t.values.length > 0)
      .map((t) => {
        const width = widest(t.values.map((v) => v.name));
        return {
          tag: recordTag(t),
          name: byName.has(`P${t.name}`) ? t.name : `${t.name}, *P${t.name}`,
          values: t.values.map(
            (v, i) =>
              `${ofKind('identifier', v.name, `a member of ${t.name}`).padEnd(width)} = ${ofKind('integer', String(v.value), `the value of ${v.name}`)}${i === t.values.length - 1 ? '' : ','}`,
          ),
        };
      }),
    forwards: kind('struct').map((t) => typedefLine(`${recordKeyword(t)} ${recordTag(t)}`, t.name)),
    pointers: [
      ...kind('pointer')
        .filter((t) => !items.has(t.name))
        .map((t) => typedefLine(`${ofKind('identifier', t.to ?? 'VOID', `the pointee of ${t.name}`)} *`, t.name)),
      ...kind('handle')
        .filter((t) => t.to !== null)
        .map((t) => typedefLine(`${ofKind('identifier', t.to!, `the target of ${t.name}`)} *`, t.name)),
    ].sort((a, b) => compareStrings(a.replace(/^.* \*?/, ''), b.replace(/^.* \*?/, ''))),
    declarations: ordered,
    constants: model.constants.map((c) => {
      ofKind('identifier', c.name, 'a constant name');
      return `${c.name.padEnd(constantWidth)} ${ofKind('cConstantExpression', c.c, `the value of ${c.name}`)}`;
    }),
    sizes: model.types.flatMap((t) =>
      isLaidOut(t)
        ? t.sizes.map(
            (s) =>
              `${ofKind('identifier', s.name, `a size macro of ${t.name}`)} RTL_SIZEOF_THROUGH_FIELD(${t.name}, ${ofKind('identifier', s.through, `the last field of ${s.name}`)})`,
          )
        : [],
    ),
    functions: harnessFunctions(model).map((fn) => ({
      comment: cComment([`IRQL: ${fn.irql.text}.${fn.macro ? ` A macro in ${fn.header}; an import here.` : ''}`]),
      sal: entrySal(fn),
      returns: ofKind('cTypeName', fn.returns.type.c, `the return type of ${fn.name}`),
      name: ofKind('identifier', fn.name, 'a function name'),
      params: cParamLines(fn.params, true),
    })),
  };
}
