/**
 * The semantic checks of the spec, after the schema: names and references (pass 1 collects every
 * definition, see definitions.ts), identifiers reserved in C or TypeScript, parameters, IRQL
 * contracts (check-irql.ts), type kinds, role pointers and variants, constant ranges, rule ids
 * against the rule table, then the rule table itself (rules.ts) and curated entries against their
 * reference pages (disagreements.ts).
 *
 * Length: one pass per entry kind over the same definitions; splitting it further would pass that state around.
 */
import { compareStrings, quote, type Diagnostic } from '../diagnostics.js';
import { cReservedWords, isCImplementationReserved, suggester, tsReservedWords, type Suggest } from '../names.js';
import { checkIrql, type EqualsScope } from './check-irql.js';
import { collectDefinitions, everyNameKnown, where, type Definition } from './definitions.js';
import { disagreements } from './disagreements.js';
import type { LoadedFile, UnparsedFile } from './load.js';
import { isImported } from './merge.js';
import { reportInto, type Path, type Report } from './report.js';
import { ruleDefinitions, ruleDiagnostics, type RuleDefinition } from './rules.js';
import type { SchemaPassed } from './schema-passed.js';
import type { SpecConstant, SpecField, SpecFile, SpecFunction, SpecParam, SpecRole, SpecType } from './spec-types.js';

/**
 * Every semantic problem of the files. Names come from every file; the entries that passed the schema
 * (`passed`) are checked in depth, and only their values are trusted (a type's bits, a structure's
 * fields), so an entry with a schema error causes no error of its own here, nor in the entries that use it.
 * A file that did not load (`unparsed`) is not checked; a name it defines is known, one it may define
 * is not reported unknown, and a warning on the file says which references were left unchecked.
 */
export function semanticDiagnostics(
  all: readonly LoadedFile[],
  passed: SchemaPassed,
  unparsed: readonly UnparsedFile[] = [],
): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const checks = new EntryChecks(all, passed, reportInto(diagnostics), unparsed);
  for (const file of passed.files) checks.checkFile(file);
  for (const d of checks.uncheckedNotes()) diagnostics.push(d);
  for (const d of ruleDiagnostics(passed, all)) diagnostics.push(d);
  for (const d of disagreements(passed.files, passed)) diagnostics.push(d);
  return diagnostics;
}

class EntryChecks {
  private readonly definitions: Map<string, Definition>;
  private readonly typeNames: string[];
  private readonly entryNames: string[];
  private readonly ruleTable: Map<string, RuleDefinition>;
  private readonly ruleIds: string[];
  private readonly equalsScope: EqualsScope;
  /** False when an entry that failed the schema may define a name: then no name is reported unknown. */
  private readonly namesKnown: boolean;
  /** The unknown names each file that did not load may define, that references elsewhere use. */
  private readonly unchecked = new Map<UnparsedFile, Set<string>>();
  private readonly suggest: Suggest = suggester();
  private functionNamesCache: string[] | undefined;

  constructor(
    all: readonly LoadedFile[],
    private readonly passed: SchemaPassed,
    private readonly report: Report,
    private readonly unparsed: readonly UnparsedFile[],
  ) {
    this.definitions = collectDefinitions(all, passed, report, unparsed);
    this.namesKnown = everyNameKnown(all, passed);
    this.typeNames = [...this.definitions]
      .filter(([, d]) => d.kind === 'type' || d.kind === 'role pointer')
      .map(([n]) => n);
    this.entryNames = [...this.definitions].filter(([, d]) => d.kind !== 'role pointer').map(([n]) => n);
    this.ruleTable = ruleDefinitions(all);
    this.ruleIds = [...this.ruleTable.keys()].sort(compareStrings);
    this.equalsScope = {
      type: (name) => {
        const definition = this.definitions.get(name);
        if (definition?.kind !== 'type' || !this.passed.entry(definition.file, definition.path)) return undefined;
        return (definition.file.value as SpecFile).types![definition.path[1] as number];
      },
      constants: new Set([...this.definitions].filter(([, d]) => d.kind === 'constant').map(([n]) => n)),
      // A type that failed the schema, or that a file which did not load may define, has members that
      // cannot be trusted, so names are not checked against it.
      namesKnown: (type, name) => {
        const definition = type === undefined ? undefined : this.definitions.get(type);
        if (definition !== undefined && !this.passed.entry(definition.file, definition.path)) return false;
        if (definition === undefined && type !== undefined && this.unknownExplained(type)) return false;
        return !this.unknownExplained(name);
      },
      suggest: this.suggest,
    };
  }

  /**
   * Whether a name no entry defines may yet be defined, so it is not reported unknown: by a file that
   * did not load (noted for the warning when only its text gives the name), or by an entry that
   * failed the schema without its name (see everyNameKnown).
   */
  private unknownExplained(name: string): boolean {
    if (this.unparsed.some((file) => file.defined.has(name))) return true;
    const file = this.unparsed.find((f) => f.mayDefine.has(name));
    if (file !== undefined) {
      let names = this.unchecked.get(file);
      if (names === undefined) this.unchecked.set(file, (names = new Set()));
      names.add(name);
      return true;
    }
    return !this.namesKnown;
  }

  /** One warning on each file that did not load and left references unchecked, naming what they name. */
  uncheckedNotes(): Diagnostic[] {
    return [...this.unchecked].map(([file, found]) => {
      const names = [...found].sort(compareStrings);
      const shown = names.length > uncheckedShownMax ? names.slice(0, uncheckedShownMax) : names;
      const more = names.length - shown.length;
      const list = `${shown.join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
      return {
        file: file.path,
        line: file.line,
        col: file.col,
        severity: 'warning',
        code: 'DDI2021',
        message: `references elsewhere to ${names.length} name${names.length === 1 ? '' : 's'} this file may define (${list}) were not checked, because ${file.path} ${file.reason === 'syntax' ? 'did not parse' : 'was not loaded'}. Fix it and run again to check them.`,
      };
    });
  }

  /** Names of the functions of the spec, for suggestions (computed on first use). */
  private functionNames(): string[] {
    this.functionNamesCache ??= [...this.definitions].filter(([, d]) => d.kind === 'function').map(([n]) => n);
    return this.functionNamesCache;
  }

  checkFile(file: LoadedFile): void {
    const spec = file.value as SpecFile;
    const imported = isImported(file);
    // An entry (or a section) with a schema error has its own diagnostics; its values cannot be trusted.
    const each = <T>(section: 'types' | 'roles' | 'constants' | 'functions', visit: (entry: T, i: number) => void) => {
      const list: unknown = spec[section];
      if (!Array.isArray(list)) return;
      list.forEach((entry: T, i) => {
        if (this.passed.entry(file, [section, i])) visit(entry, i);
      });
    };
    each<SpecType>('types', (type, i) => this.checkType(file, type, i, imported));
    each<SpecRole>('roles', (role, i) => this.checkRole(file, role, i));
    each<SpecConstant>('constants', (constant, i) => this.checkConstant(file, constant, i));
    each<SpecFunction>('functions', (fn, i) => this.checkFunction(file, fn, i));
  }

  private checkType(file: LoadedFile, type: SpecType, i: number, imported: boolean): void {
    const path: Path = ['types', i];
    this.checkIdentifier(file, [...path, 'name'], type.name, 'type');
    const misplaced = misplacedTypeProperties(type.kind, type as unknown as Record<string, unknown>);
    for (const key of misplaced) {
      this.report(
        file,
        [...path, key],
        'DDI2011',
        `${key} does not apply to a ${type.kind} type. Remove it, or change kind.`,
        'key',
      );
    }
    if (type.kind === 'pointer') {
      if (type.to === undefined)
        this.report(
          file,
          path,
          'DDI1004',
          `a pointer type is missing the required property "to". Name the type it points to.`,
        );
      else this.checkTypeRef(file, [...path, 'to'], type.to, 'pointee');
    }
    if ((type.kind === 'scalar' || type.kind === 'handle') && (type.c === undefined || type.ts === undefined)) {
      this.report(
        file,
        path,
        'DDI1004',
        `a ${type.kind} type needs both "c" (its C fallback type) and "ts" (its TypeScript type). Add ${[type.c === undefined && '"c"', type.ts === undefined && '"ts"'].filter(Boolean).join(' and ')}.`,
      );
    }
    if (type.kind === 'scalar' && type.pointerSized === true && type.bits !== 64) {
      this.report(
        file,
        [...path, type.bits === undefined ? 'pointerSized' : 'bits'],
        'DDI2016',
        `${type.name} is pointer-sized, so bits must state its width on x64, 64 (got ${type.bits ?? 'none'}). Set bits: 64.`,
      );
    }
    if (type.kind === 'scalar' && type.record !== undefined)
      this.checkRecordTarget(file, [...path, 'record'], type.record);
    if (type.kind === 'handle' && type.to !== undefined) this.checkRecordTarget(file, [...path, 'to'], type.to);
    if (type.kind === 'struct') this.checkFields(file, path, type, imported);
    if (type.kind === 'enum') this.checkValues(file, path, type, imported);
  }

  /** A scalar's `record` or a handle's `to`: a structure of the spec. */
  private checkRecordTarget(file: LoadedFile, path: Path, name: string): void {
    const target = this.checkTypeRef(file, path, name, 'pointee');
    if (target && target.typeKind !== 'struct') {
      this.report(
        file,
        path,
        'DDI2017',
        `${quote(name)} is a ${target.typeKind}, not a structure or union. Name a struct type, or remove the property.`,
      );
    }
  }

  private checkFields(file: LoadedFile, path: Path, type: SpecType, imported: boolean): void {
    // An opaque structure may leave its fields out: C then declares it by name only.
    if (type.fields === undefined && !imported && type.opaque !== true)
      this.report(file, path, 'DDI1004', `a struct type is missing the required property "fields". List its fields.`);
    this.checkFieldList(file, [...path, 'fields'], type.fields ?? [], type.name, imported);
    const names = new Set((type.fields ?? []).map((f) => f.name));
    type.sizes?.forEach((size, j) => {
      this.checkIdentifier(file, [...path, 'sizes', j, 'name'], size.name, 'constant');
      if (!names.has(size.through))
        this.report(
          file,
          [...path, 'sizes', j, 'through'],
          'DDI2019',
          `the size macro ${size.name} runs through ${quote(size.through)}, which is no field of ${type.name}.${this.suggest(size.through, () => [...names])}`,
        );
    });
  }

  /** The fields of a structure or of members declared in place; the names of anonymous members' fields count as the enclosing record's. */
  private checkFieldList(
    file: LoadedFile,
    path: Path,
    fields: readonly SpecField[],
    owner: string,
    imported: boolean,
    seen: Set<string> = new Set(),
  ): void {
    fields.forEach((field, j) => {
      const at: Path = [...path, j];
      this.checkIdentifier(file, [...at, 'name'], field.name, 'field');
      if (field.anonymous !== true) {
        if (seen.has(field.name))
          this.report(
            file,
            [...at, 'name'],
            'DDI2012',
            `field ${quote(field.name)} appears twice. Rename or remove one.`,
          );
        seen.add(field.name);
      }
      if (field.members !== undefined) {
        if (field.type !== undefined || field.width !== undefined)
          this.report(
            file,
            [...at, field.type !== undefined ? 'type' : 'width'],
            'DDI2019',
            `field ${quote(field.name)} is declared in place with members, so it has no ${field.type !== undefined ? 'type' : 'width'} of its own. Remove it, or the members.`,
          );
        this.checkFieldList(
          file,
          [...at, 'members'],
          field.members,
          owner,
          imported,
          field.anonymous === true ? seen : new Set(),
        );
        return;
      }
      if (field.union === true || field.anonymous === true)
        this.report(
          file,
          [...at, field.union === true ? 'union' : 'anonymous'],
          'DDI2019',
          `field ${quote(field.name)} is marked ${field.union === true ? 'union' : 'anonymous'}, which only a field declared in place with members can be. Add its members, or remove the mark.`,
        );
      if (field.type === undefined) {
        if (!imported && path.includes('members'))
          this.report(file, at, 'DDI1004', `member ${quote(field.name)} states no type. Give it a type, or members.`);
        return;
      }
      if (field.type === owner) {
        this.report(
          file,
          [...at, 'type'],
          'DDI2011',
          `field ${quote(field.name)} contains its own structure, which has no finite size. Use a pointer type.`,
        );
        return;
      }
      const type = this.checkTypeRef(file, [...at, 'type'], field.type, 'field');
      if (field.width !== undefined && type) this.checkWidth(file, at, field, type);
    });
  }

  /** A bit-field: a scalar (or enum) type at least as wide as the field, and no array. */
  private checkWidth(file: LoadedFile, at: Path, field: SpecField, definition: Definition): void {
    const spec =
      definition.kind === 'type' && this.passed.entry(definition.file, definition.path)
        ? (definition.file.value as SpecFile).types![definition.path[1] as number]
        : undefined;
    if (spec === undefined) return;
    if (spec.kind !== 'scalar' || spec.pointerSized === true || spec.record !== undefined) {
      this.report(
        file,
        [...at, 'type'],
        'DDI2018',
        `bit-field ${quote(field.name)} has type ${spec.name}, a ${spec.pointerSized === true ? 'pointer-sized scalar' : spec.record !== undefined ? 'scalar C declares as a record' : spec.kind}. Give a bit-field a fixed-width scalar type such as ULONG.`,
      );
    } else if (field.width! > (spec.bits ?? 64) || field.count !== undefined) {
      this.report(
        file,
        [...at, field.count !== undefined ? 'count' : 'width'],
        'DDI2018',
        field.count !== undefined
          ? `bit-field ${quote(field.name)} has a count; C has no arrays of bit-fields. Remove count or width.`
          : `bit-field ${quote(field.name)} is ${field.width} bits wide, more than its type ${spec.name} holds (${spec.bits ?? 64}). Narrow it, or widen the type.`,
      );
    }
  }

  private checkValues(file: LoadedFile, path: Path, type: SpecType, imported: boolean): void {
    if (type.values === undefined && !imported)
      this.report(file, path, 'DDI1004', `an enum type is missing the required property "values". List its members.`);
    type.values?.forEach((value, j) => {
      this.checkIdentifier(file, [...path, 'values', j, 'name'], value.name, 'enum member');
      if (this.definitions.has(value.name)) {
        this.report(
          file,
          [...path, 'values', j, 'name'],
          'DDI2001',
          `enum member ${quote(value.name)} has the name of a ${this.definitions.get(value.name)!.kind} at ${where(this.definitions.get(value.name)!)}. In C both share one name space; rename one.`,
        );
      }
    });
    type.values?.forEach((value, j) => {
      // C17 6.7.2.2: an enumerator's value is representable as an int.
      if (value.value !== undefined && (value.value < -(2 ** 31) || value.value > 2 ** 31 - 1)) {
        this.report(
          file,
          [...path, 'values', j, 'value'],
          'DDI1006',
          `the value ${value.value} of ${value.name} does not fit in a C enum (a signed 32-bit int, -2147483648 to 2147483647). Correct the value.`,
        );
      }
    });
    const seenValues = new Set<string>();
    type.values?.forEach((value, j) => {
      if (seenValues.has(value.name))
        this.report(
          file,
          [...path, 'values', j, 'name'],
          'DDI2001',
          `enum member ${quote(value.name)} appears twice. Remove the repeat.`,
        );
      seenValues.add(value.name);
    });
  }

  private checkRole(file: LoadedFile, role: SpecRole, i: number): void {
    const path: Path = ['roles', i];
    this.checkIdentifier(file, [...path, 'name'], role.name, 'role');
    if (role.pointer !== undefined) this.checkIdentifier(file, [...path, 'pointer'], role.pointer, 'pointer typedef');
    if (role.function !== undefined) this.checkIdentifier(file, [...path, 'function'], role.function, 'function name');
    this.checkParams(file, path, role.params);
    if (role.returns !== undefined) this.checkTypeRef(file, [...path, 'returns', 'type'], role.returns.type, 'return');
    checkIrql(this.report, file, path, role.irql, role.params, this.equalsScope);
    this.checkSeeAlso(file, path, role.seeAlso, role.name);
    this.checkRules(file, path, role.rules);
    this.checkUnique(file, path, role as unknown as Record<string, unknown>);
    // NDIS names its handler typedefs ..._HANDLER; the kernel's own roles (DRIVER_INITIALIZE) take a P.
    if (role.pointer !== undefined && !role.pointer.endsWith('_HANDLER') && role.pointer !== `P${role.name}`) {
      this.report(
        file,
        [...path, 'pointer'],
        'DDI2006',
        `the pointer typedef ${quote(role.pointer)} must end in _HANDLER, as ndis.h names them (for example ${role.name}_HANDLER), or be P${role.name}, as wdm.h names the kernel's.`,
      );
    }
    this.checkInvokedBy(file, path, role);
    if (role.registeredIn !== undefined) this.checkRegisteredIn(file, path, role, role.registeredIn);
    this.checkVariants(file, path, role);
  }

  /** invokedBy names functions of the spec, or NDIS itself. */
  private checkInvokedBy(file: LoadedFile, path: Path, role: SpecRole): void {
    role.invokedBy?.forEach((name, j) => {
      const definition = this.definitions.get(name);
      if (name === 'NDIS' || (!definition && this.unknownExplained(name))) return;
      if (!definition || definition.kind !== 'function') {
        this.report(
          file,
          [...path, 'invokedBy', j],
          'DDI2003',
          `invokedBy names ${quote(name)}, which is not a function of the spec.${this.suggest(name, () =>
            this.functionNames().concat('NDIS'),
          )} Use a function name, or NDIS for NDIS itself.`,
        );
      }
    });
  }

  /** registeredIn names a field of a structure, of the role's pointer type. */
  private checkRegisteredIn(file: LoadedFile, path: Path, role: SpecRole, registeredIn: string): void {
    const [structName, fieldName] = registeredIn.split('.') as [string, string];
    const definition = this.definitions.get(structName);
    const struct =
      definition?.kind === 'type' && definition.typeKind === 'struct'
        ? (definition.file.value as SpecFile).types![definition.path[1] as number]!
        : undefined;
    if (struct && !this.passed.entry(definition!.file, definition!.path)) {
      // The structure failed the schema and has its own diagnostics; its fields cannot be trusted.
    } else if (!struct) {
      if (!definition && this.unknownExplained(structName)) return;
      this.report(
        file,
        [...path, 'registeredIn'],
        'DDI2003',
        `registeredIn names the structure ${quote(structName)}, which the spec does not define.${this.suggest(structName, () => this.typeNames)}`,
      );
    } else {
      const field = struct.fields?.find((f) => f.name === fieldName);
      const pointers = [role.pointer, ...(role.variants ?? []).map((v) => v.pointer)].filter((p) => p !== undefined);
      if (!field) {
        this.report(
          file,
          [...path, 'registeredIn'],
          'DDI2003',
          `registeredIn names the field ${quote(fieldName)}, which ${structName} does not have.${this.suggest(
            fieldName,
            () => (struct.fields ?? []).map((f) => f.name),
          )}`,
        );
      } else if (field.type === undefined || !pointers.includes(field.type)) {
        this.report(
          file,
          [...path, 'registeredIn'],
          'DDI2011',
          `${structName}.${fieldName} has type ${field.type ?? 'unknown'}, not the role's pointer typedef ${role.pointer ?? '(none stated)'}. Point registeredIn at a field of that type.`,
        );
      }
    }
  }

  private checkVariants(file: LoadedFile, path: Path, role: SpecRole): void {
    role.variants?.forEach((variant, j) => {
      const at: Path = [...path, 'variants', j];
      this.checkIdentifier(file, [...at, 'name'], variant.name, 'variant');
      this.checkIdentifier(file, [...at, 'pointer'], variant.pointer, 'pointer typedef');
      if (!isVariantName(role.name, variant.name)) {
        const words = role.name.split('_');
        this.report(
          file,
          [...at, 'name'],
          'DDI2006',
          `the variant ${quote(variant.name)} must keep the words of its base role ${role.name} in order, with its own words inserted between the first and the last (for example ${[...words.slice(0, -1), 'MESSAGE', words[words.length - 1]].join('_')}).`,
        );
      }
      if (!variant.pointer.endsWith('_HANDLER')) {
        this.report(
          file,
          [...at, 'pointer'],
          'DDI2006',
          `the pointer typedef ${quote(variant.pointer)} must end in _HANDLER, as ndis.h names them.`,
        );
      }
    });
  }

  private checkConstant(file: LoadedFile, constant: SpecConstant, i: number): void {
    const path: Path = ['constants', i];
    this.checkIdentifier(file, [...path, 'name'], constant.name, 'constant');
    const type = this.checkTypeRef(file, [...path, 'type'], constant.type, 'constant');
    if (type && type.typeKind !== 'scalar') {
      this.report(
        file,
        [...path, 'type'],
        'DDI2011',
        `a constant needs a scalar type (got ${quote(constant.type)}, a ${type.typeKind}). Use a scalar such as ULONG.`,
      );
    } else if (type && this.passed.entry(type.file, type.path)) {
      // (A type that failed the schema has its own diagnostics; its bits cannot be trusted.)
      const spec = (type.file.value as SpecFile).types![type.path[1] as number]!;
      const value = BigInt(constant.value);
      const bits = BigInt(spec.bits ?? 64);
      // A hexadecimal string is the bit pattern, as C headers write it (0xC0000001L of a signed
      // NTSTATUS); a decimal value, number or string, is the value itself.
      const pattern = typeof constant.value === 'string' && constant.value.startsWith('0x');
      const fits = pattern
        ? value < 1n << bits
        : spec.signed
          ? value >= -(1n << (bits - 1n)) && value < 1n << (bits - 1n)
          : value >= 0n && value < 1n << bits;
      if (!fits) {
        this.report(
          file,
          [...path, 'value'],
          'DDI1006',
          `the value ${quote(constant.value)} does not fit in ${constant.type} (${spec.signed ? 'signed' : 'unsigned'} ${spec.bits ?? 64} bits). Correct the value or the type.`,
        );
      } else if (
        spec.ts !== 'bigint' &&
        spec.ts !== 'boolean' &&
        valueAsTs(value, Number(bits), spec.signed === true) > safeMax
      ) {
        this.report(
          file,
          [...path, 'value'],
          'DDI1006',
          `the value ${quote(constant.value)} of ${constant.name} is beyond 2^53 - 1, which a TypeScript number (the ts of ${constant.type}) cannot hold exactly. Give ${constant.type} ts: bigint, or correct the value.`,
        );
      }
    }
  }

  private checkFunction(file: LoadedFile, fn: SpecFunction, i: number): void {
    const path: Path = ['functions', i];
    this.checkIdentifier(file, [...path, 'name'], fn.name, 'function');
    this.checkParams(file, path, fn.params);
    if (fn.returns !== undefined) this.checkTypeRef(file, [...path, 'returns', 'type'], fn.returns.type, 'return');
    checkIrql(this.report, file, path, fn.irql, fn.params, this.equalsScope);
    this.checkSeeAlso(file, path, fn.seeAlso, fn.name);
    this.checkRules(file, path, fn.rules);
    this.checkUnique(file, path, fn as unknown as Record<string, unknown>);
  }

  private checkTypeRef(
    file: LoadedFile,
    path: Path,
    name: string,
    usage: 'param' | 'return' | 'field' | 'pointee' | 'constant',
  ): Definition | undefined {
    const definition = this.definitions.get(name);
    if (!definition && this.unknownExplained(name)) return undefined;
    if (!definition || (definition.kind !== 'type' && definition.kind !== 'role pointer')) {
      const what = definition ? ` (it names a ${definition.kind}, not a type)` : '';
      const hint =
        definition?.kind === 'role' || definition?.kind === 'variant' ? ` Use its pointer typedef instead.` : '';
      this.report(
        file,
        path,
        'DDI2002',
        `unknown type ${quote(name)}${what}.${this.suggest(name, () => this.typeNames)}${hint || ' Define it under types:, or use a type the spec defines.'}`,
      );
      return undefined;
    }
    // A type whose entry failed the schema has its own diagnostics there; its kind may be the very
    // mistake (kind: pointr), so nothing that depends on it is judged here.
    if (definition.kind === 'type' && !this.passed.entry(definition.file, definition.path)) return undefined;
    if (definition.typeKind === 'void' && usage !== 'return' && usage !== 'pointee') {
      this.report(
        file,
        path,
        'DDI2011',
        `${quote(name)} is void and can only be a return type (got it as a ${usage} type). Use PVOID for an untyped pointer.`,
      );
    }
    if (usage === 'return' && definition.typeKind === 'struct') {
      this.report(
        file,
        path,
        'DDI2011',
        `${quote(name)} is a structure; DDIs do not return structures by value. Return a pointer type.`,
      );
    }
    return definition;
  }

  private checkIdentifier(file: LoadedFile, path: Path, name: string, what: string): void {
    if (cReservedWords.has(name)) {
      this.report(
        file,
        path,
        'DDI2004',
        `${what} ${quote(name)} is a reserved word in C, so the generated header would not compile. Rename it (Windows names never collide with C keywords).`,
      );
    } else if (isCImplementationReserved(name)) {
      this.report(
        file,
        path,
        'DDI2010',
        `${what} ${quote(name)} is reserved for the C implementation (leading underscore and capital, or "__"). Drop the leading underscore, as in ${quote(name.replace(/^_+/, '').replace(/__+/g, '_') || 'Name')}.`,
      );
    }
    if (tsReservedWords.has(name)) {
      this.report(
        file,
        path,
        'DDI2005',
        `${what} ${quote(name)} is a reserved word in TypeScript, so the generated declarations would not compile. Rename it.`,
      );
    }
  }

  private checkParams(file: LoadedFile, path: Path, params: readonly SpecParam[]): void {
    const seen = new Set<string>();
    params.forEach((param, i) => {
      const at: Path = [...path, 'params', i];
      this.checkIdentifier(file, [...at, 'name'], param.name, 'parameter');
      if (seen.has(param.name))
        this.report(
          file,
          [...at, 'name'],
          'DDI2012',
          `parameter ${quote(param.name)} appears twice. Rename or remove one.`,
        );
      seen.add(param.name);
      if (param.type === undefined) return;
      const type = this.checkTypeRef(file, [...at, 'type'], param.type, 'param');
      if (type && param.dir !== undefined && param.dir !== 'in' && type.typeKind !== 'pointer') {
        this.report(
          file,
          [...at, 'dir'],
          'DDI2009',
          `parameter ${quote(param.name)} is "${param.dir}" but its type ${quote(param.type)} is not a pointer, so the callee could not write through it. Use a pointer type (such as P${param.type}) or make it "in".`,
        );
      }
    });
  }

  /** Each of these lists names an item at most once (a semantic check: the schema's uniqueItems would deep-compare hostile objects). */
  private checkUnique(file: LoadedFile, path: Path, entry: Record<string, unknown>): void {
    for (const key of ['seeAlso', 'rules', 'invokedBy', 'compliance']) {
      const list = entry[key];
      if (!Array.isArray(list)) continue;
      const seen = new Set<unknown>();
      list.forEach((item, i) => {
        if (seen.has(item))
          this.report(file, [...path, key, i], 'DDI1006', `${key} lists ${quote(item)} twice. Remove the repeat.`);
        seen.add(item);
      });
    }
  }

  private checkRules(file: LoadedFile, path: Path, rules: readonly string[] | undefined): void {
    rules?.forEach((rule, i) => {
      if (this.ruleTable.has(rule) || this.unknownExplained(rule)) return;
      this.report(
        file,
        [...path, 'rules', i],
        'DDI2013',
        this.ruleIds.length === 0
          ? `rules names ${quote(rule)}, but the spec has no rule table. Add the harness's rule table (spec/rules.yaml) to the spec folder.`
          : `rules names ${quote(rule)}, which is not a rule of the harness.${this.suggest(rule, () => this.ruleIds)} Rules: ${this.ruleIds.join(', ')}.`,
      );
    });
  }

  private checkSeeAlso(file: LoadedFile, path: Path, names: readonly string[] | undefined, self: string): void {
    names?.forEach((name, i) => {
      if (!this.definitions.has(name)) {
        if (this.unknownExplained(name)) return;
        this.report(
          file,
          [...path, 'seeAlso', i],
          'DDI2003',
          `seeAlso names ${quote(name)}, which no entry defines.${this.suggest(name, () => this.entryNames)} Remove it or define the entry.`,
        );
      } else if (name === self) {
        this.report(file, [...path, 'seeAlso', i], 'DDI2003', `seeAlso names the entry itself. Remove it.`);
      }
    });
  }
}

/** Most names a DDI2021 warning lists; it counts the others. */
const uncheckedShownMax = 5;

/** The largest magnitude a TypeScript number holds exactly. */
const safeMax = BigInt(Number.MAX_SAFE_INTEGER);

/** The magnitude of a constant as TypeScript sees it: a bit pattern of a signed type is negative. */
function valueAsTs(value: bigint, bits: number, signed: boolean): bigint {
  const seen = signed && value >= 1n << BigInt(bits - 1) ? value - (1n << BigInt(bits)) : value;
  return seen < 0n ? -seen : seen;
}

const kindProperties: Record<string, readonly string[]> = {
  scalar: ['c', 'ts', 'bits', 'signed', 'pointerSized', 'record'],
  handle: ['c', 'ts', 'to'],
  pointer: ['to'],
  struct: ['tag', 'fields', 'opaque', 'union', 'pack', 'sizes'],
  enum: ['tag', 'values'],
  void: [],
};
const kindSpecific = [
  'c',
  'ts',
  'bits',
  'signed',
  'pointerSized',
  'record',
  'to',
  'tag',
  'fields',
  'values',
  'opaque',
  'union',
  'pack',
  'sizes',
];

function misplacedTypeProperties(kind: string, type: Record<string, unknown>): string[] {
  const allowed = kindProperties[kind] ?? [];
  return kindSpecific.filter((key) => type[key] !== undefined && !allowed.includes(key));
}

/** A variant keeps its base's words in order, with the same first and last word and at least one word more. */
export function isVariantName(base: string, variant: string): boolean {
  const baseWords = base.split('_');
  const variantWords = variant.split('_');
  if (variantWords.length <= baseWords.length) return false;
  if (variantWords[0] !== baseWords[0] || variantWords[variantWords.length - 1] !== baseWords[baseWords.length - 1])
    return false;
  let i = 0;
  for (const word of variantWords) if (word === baseWords[i]) i++;
  return i === baseWords.length;
}
