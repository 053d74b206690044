/**
 * validate: loaded files → diagnostics. First the JSON Schema (shape), then the semantic checks that
 * need the whole spec (names, references, contracts). The model stage runs only when this finds no error.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { compareStrings, quote, type Diagnostic, type DiagnosticCode } from '../diagnostics.js';
import { isImported, overriddenImports } from './merge.js';
import { positionOf, type LoadedFile } from './load.js';
import { cReservedWords, didYouMean, isCImplementationReserved, tsReservedWords } from '../names.js';
import { ruleDefinitions, ruleDiagnostics } from './rules.js';
import {
  levelRange,
  type LevelName,
  type SpecFile,
  type SpecFunction,
  type SpecIrql,
  type SpecParam,
  type SpecRole,
} from './spec-types.js';

const require = createRequire(import.meta.url);

export interface ValidateOptions {
  /** The JSON Schema object (spec/schema/ddi.schema.json). */
  schema: object;
}

type Path = (string | number)[];

export function validate(files: readonly LoadedFile[], options: ValidateOptions): Diagnostic[] {
  const check = compileSchema(options.schema);
  const diagnostics: Diagnostic[] = [];
  const valid: LoadedFile[] = [];
  for (const file of files) {
    const found = schemaDiagnostics(file, check);
    diagnostics.push(...found);
    if (found.length === 0) valid.push(file);
  }
  diagnostics.push(...semanticDiagnostics(files, valid));
  return diagnostics;
}

const compiled = new WeakMap<object, ValidateFunction>();

function compileSchema(schema: object): ValidateFunction {
  let check = compiled.get(schema);
  if (!check) {
    const AjvModule = require('ajv') as {
      default: new (options: object) => { compile(schema: object): ValidateFunction };
    };
    const ajv = new AjvModule.default({ allErrors: true, strict: false, allowUnionTypes: true, verbose: true });
    check = ajv.compile(schema);
    compiled.set(schema, check);
  }
  return check;
}

/** Reads the bundled schema; the path is resolved by the caller (options.ts). */
export function readSchema(path: string): object {
  return JSON.parse(readFileSync(path, 'utf8')) as object;
}

// ---------------------------------------------------------------------------------------------
// Schema errors

function schemaDiagnostics(file: LoadedFile, check: ValidateFunction): Diagnostic[] {
  if (check(file.value)) return [];
  const diagnostics: Diagnostic[] = [];
  for (const error of check.errors ?? []) {
    const diagnostic = schemaDiagnostic(file, error);
    if (diagnostic) diagnostics.push(diagnostic);
  }
  return diagnostics;
}

function schemaDiagnostic(file: LoadedFile, error: ErrorObject): Diagnostic | undefined {
  // The `if` of the curated/imported split only says that its `else` failed; the `else` errors say how.
  if (error.keyword === 'if') return undefined;
  const path = pointerToPath(error.instancePath);
  const where = displayPath(path);
  const value = valueAt(file.value, path);
  const make = (
    code: DiagnosticCode,
    message: string,
    at: Path = path,
    part: 'key' | 'value' = 'value',
  ): Diagnostic => {
    const { line, col } = positionOf(file, at, part);
    return { file: file.path, line, col, severity: 'error', code, message };
  };
  switch (error.keyword) {
    case 'additionalProperties': {
      const name = String((error.params as { additionalProperty: string }).additionalProperty);
      const allowed = Object.keys((error.parentSchema as { properties?: object } | undefined)?.properties ?? {}).sort();
      return make(
        'DDI1002',
        `${where ? `${where} ` : 'the file '}has no property ${quote(name)}.${didYouMean(name, allowed)} Allowed: ${allowed.join(', ')}.`,
        [...path, name],
        'key',
      );
    }
    case 'enum': {
      const allowed = (error.params as { allowedValues: unknown[] }).allowedValues.map(String);
      return make(
        'DDI1003',
        `${where} must be one of ${allowed.join(', ')} (got ${quote(value)}).${typeof value === 'string' ? didYouMean(value, allowed) : ''}`,
      );
    }
    case 'const':
      return make(
        'DDI1003',
        `${where} must be ${JSON.stringify((error.params as { allowedValue: unknown }).allowedValue)} (got ${quote(value)}). Remove it or set it to that value.`,
      );
    case 'dependencies': {
      const { property, missingProperty } = error.params as { property: string; missingProperty: string };
      return make(
        'DDI1004',
        `${where ? `${where} ` : 'the file '}is missing the required property ${quote(missingProperty)}, which a file with ${property} needs. Add it.`,
      );
    }
    case 'required': {
      const missing = (error.params as { missingProperty: string }).missingProperty;
      return make(
        'DDI1004',
        `${where ? `${where} ` : 'the file '}is missing the required property ${quote(missing)}. Add it.`,
      );
    }
    case 'type': {
      const expected = String((error.params as { type: string | string[] }).type).replace(/,/g, ' or ');
      return make(
        'DDI1005',
        `${where || 'the file'} must be ${article(expected)} (got ${describe(value)}).${expected === 'array' ? ' Write it as a YAML list.' : ''}`,
      );
    }
    case 'pattern': {
      const hidden = typeof value === 'string' ? hiddenCharacter(value) : undefined;
      if (hidden !== undefined) {
        return make(
          'DDI1006',
          `${where} contains the invisible or control character ${hidden}, which could hide text in generated comments and code. Remove it.`,
        );
      }
      return make('DDI1006', `${where} has the wrong form (got ${quote(value)}). ${patternHint(path)}`);
    }
    case 'minLength':
      return make('DDI1006', `${where} must not be empty. Write the text or remove the property.`);
    case 'minItems':
      return make('DDI1006', `${where} must not be an empty list. Add an item or remove the property.`);
    case 'minimum':
      return make(
        'DDI1006',
        `${where} must be at least ${(error.params as { limit: number }).limit} (got ${quote(value)}).`,
      );
    case 'uniqueItems':
      return make('DDI1006', `${where} lists the same item twice. Remove the repeat.`);
    default:
      return make('DDI1006', `${where} ${error.message ?? 'is not valid'} (got ${quote(value)}).`);
  }
}

function article(type: string): string {
  const word =
    type === 'integer' ? 'an integer' : type === 'object' ? 'a mapping' : type === 'array' ? 'a list' : `a ${type}`;
  return word.replace('a string or number or boolean', 'a string, number or boolean');
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${quote(value)}`;
}

/** The first control, invisible or bidirectional formatting character of a text, as U+XXXX. */
export function hiddenCharacter(text: string): string | undefined {
  const match = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u200B-\u200F\u2028-\u202E\u2060-\u2069\uFEFF]/.exec(text);
  return match ? `U+${match[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}` : undefined;
}

function patternHint(path: Path): string {
  const last = String(path[path.length - 1]);
  if (last === 'header') return 'Write a header file name such as ndis.h.';
  if (last === 'since') return 'Write the version as "NDIS 6.0".';
  if (last === 'family') return 'Use lower-case words joined by hyphens, such as spin-locks.';
  if (last === 'registeredIn') return 'Write it as Structure.Field.';
  if (last === 'c') return 'Write a C type in lower case, such as unsigned int or void *.';
  if (path.includes('compliance'))
    return "Write the compliance rule's name as Static Driver Verifier spells it, such as SpinlockRelease.";
  if (path.includes('bugChecks'))
    return "Write the bug check's name in capitals, such as DRIVER_VERIFIER_DETECTED_VIOLATION.";
  if (path.includes('rules')) return 'Write a rule id in capitals joined by hyphens, such as IRQL-CALL.';
  return 'Use a C identifier: a letter or underscore, then letters, digits or underscores.';
}

function pointerToPath(pointer: string): Path {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

/** The path inside the entry: /roles/3/irql/runsAt → irql.runsAt; /roles/3 → roles[3]. */
function displayPath(path: Path): string {
  const inEntry = path.length >= 2 && typeof path[1] === 'number' ? path.slice(2) : path;
  if (inEntry.length === 0 && path.length >= 2) return `${path[0]}[${path[1]}]`;
  let text = '';
  for (const part of inEntry) text += typeof part === 'number' ? `[${part}]` : text ? `.${part}` : part;
  return text;
}

function valueAt(root: unknown, path: Path): unknown {
  let value = root;
  for (const part of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string | number, unknown>)[part];
  }
  return value;
}

// ---------------------------------------------------------------------------------------------
// Semantic checks

interface Definition {
  kind: 'type' | 'role' | 'variant' | 'role pointer' | 'function' | 'constant';
  /** From a file marked imported. */
  imported?: boolean;
  /** For types: the type kind. */
  typeKind?: string;
  file: LoadedFile;
  path: Path;
}

function semanticDiagnostics(all: readonly LoadedFile[], valid: readonly LoadedFile[]): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const report = (
    file: LoadedFile,
    path: Path,
    code: DiagnosticCode,
    message: string,
    part: 'key' | 'value' = 'value',
  ): void => {
    const { line, col } = positionOf(file, path, part);
    diagnostics.push({ file: file.path, line, col, severity: 'error', code, message });
  };
  const where = (definition: Definition): string => {
    const { line, col } = positionOf(definition.file, [...definition.path, 'name']);
    return `${definition.file.path}:${line}:${col}`;
  };

  // Pass 1: every name the spec defines (from every file that has a recognizable entry, so a file with
  // a schema error does not cause spurious "unknown type" errors elsewhere).
  const definitions = new Map<string, Definition>();
  const define = (name: unknown, definition: Definition, reportDuplicate: boolean): void => {
    if (typeof name !== 'string') return;
    const existing = definitions.get(name);
    if (existing) {
      if (reportDuplicate) {
        report(
          definition.file,
          [...definition.path, name === entryName(definition) ? 'name' : 'pointer'],
          'DDI2001',
          `${quote(name)} is already defined as a ${existing.kind} at ${where(existing)}. Rename one of them or remove the repeat.`,
        );
      }
      return;
    }
    definitions.set(name, definition);
  };
  const validSet = new Set(valid);
  // An imported entry that a curated entry of the same section (or a curated variant) overrides is no
  // definition of its own: the curated one wins field by field, so the two are no duplicate.
  const overridden = overriddenImports(all);
  for (const file of all) {
    const spec = file.value as Partial<SpecFile> | null;
    if (!spec || typeof spec !== 'object') continue;
    const strict = validSet.has(file);
    const imported = isImported(file);
    const skip = (section: string, name: unknown): boolean =>
      imported && typeof name === 'string' && overridden.has(`${section}:${name}`);
    forEachEntry(spec.types, (entry, i) => {
      if (skip('types', entry.name)) return;
      define(
        entry.name,
        {
          kind: 'type',
          typeKind: typeof entry.kind === 'string' ? entry.kind : '',
          file,
          path: ['types', i],
          imported,
        },
        strict,
      );
    });
    forEachEntry(spec.roles, (entry, i) => {
      if (skip('roles', entry.name)) return;
      define(entry.name, { kind: 'role', file, path: ['roles', i], imported }, strict);
      if (entry.pointer !== undefined)
        define(entry.pointer, { kind: 'role pointer', file, path: ['roles', i] }, strict);
      forEachEntry(entry.variants, (variant, j) => {
        define(variant.name, { kind: 'variant', file, path: ['roles', i, 'variants', j] }, strict);
        define(variant.pointer, { kind: 'role pointer', file, path: ['roles', i, 'variants', j] }, strict);
      });
    });
    forEachEntry(spec.functions, (entry, i) => {
      if (skip('functions', entry.name)) return;
      define(entry.name, { kind: 'function', file, path: ['functions', i], imported }, strict);
    });
    forEachEntry(spec.constants, (entry, i) =>
      define(entry.name, { kind: 'constant', file, path: ['constants', i] }, strict),
    );
  }

  const typeNames = [...definitions].filter(([, d]) => d.kind === 'type' || d.kind === 'role pointer').map(([n]) => n);
  const entryNames = [...definitions].filter(([, d]) => d.kind !== 'role pointer').map(([n]) => n);

  const checkTypeRef = (
    file: LoadedFile,
    path: Path,
    name: string,
    usage: 'param' | 'return' | 'field' | 'pointee' | 'constant',
  ): Definition | undefined => {
    const definition = definitions.get(name);
    if (!definition || (definition.kind !== 'type' && definition.kind !== 'role pointer')) {
      const what = definition ? ` (it names a ${definition.kind}, not a type)` : '';
      const hint =
        definition?.kind === 'role' || definition?.kind === 'variant' ? ` Use its pointer typedef instead.` : '';
      report(
        file,
        path,
        'DDI2002',
        `unknown type ${quote(name)}${what}.${didYouMean(name, typeNames)}${hint || ' Define it under types:, or use a type the spec defines.'}`,
      );
      return undefined;
    }
    if (definition.typeKind === 'void' && usage !== 'return' && usage !== 'pointee') {
      report(
        file,
        path,
        'DDI2011',
        `${quote(name)} is void and can only be a return type (got it as a ${usage} type). Use PVOID for an untyped pointer.`,
      );
    }
    if (usage === 'return' && definition.typeKind === 'struct') {
      report(
        file,
        path,
        'DDI2011',
        `${quote(name)} is a structure; DDIs do not return structures by value. Return a pointer type.`,
      );
    }
    return definition;
  };

  const checkIdentifier = (file: LoadedFile, path: Path, name: string, what: string): void => {
    if (cReservedWords.has(name)) {
      report(
        file,
        path,
        'DDI2004',
        `${what} ${quote(name)} is a reserved word in C, so the generated header would not compile. Rename it (Windows names never collide with C keywords).`,
      );
    } else if (isCImplementationReserved(name)) {
      report(
        file,
        path,
        'DDI2010',
        `${what} ${quote(name)} is reserved for the C implementation (leading underscore and capital, or "__"). Drop the leading underscore, as in ${quote(name.replace(/^_+/, '').replace(/__+/g, '_') || 'Name')}.`,
      );
    }
    if (tsReservedWords.has(name)) {
      report(
        file,
        path,
        'DDI2005',
        `${what} ${quote(name)} is a reserved word in TypeScript, so the generated declarations would not compile. Rename it.`,
      );
    }
  };

  const checkParams = (file: LoadedFile, path: Path, params: readonly SpecParam[]): void => {
    const seen = new Set<string>();
    params.forEach((param, i) => {
      const at: Path = [...path, 'params', i];
      checkIdentifier(file, [...at, 'name'], param.name, 'parameter');
      if (seen.has(param.name))
        report(file, [...at, 'name'], 'DDI2012', `parameter ${quote(param.name)} appears twice. Rename or remove one.`);
      seen.add(param.name);
      if (param.type === undefined) return;
      const type = checkTypeRef(file, [...at, 'type'], param.type, 'param');
      if (type && param.dir !== undefined && param.dir !== 'in' && type.typeKind !== 'pointer') {
        report(
          file,
          [...at, 'dir'],
          'DDI2009',
          `parameter ${quote(param.name)} is "${param.dir}" but its type ${quote(param.type)} is not a pointer, so the callee could not write through it. Use a pointer type (such as P${param.type}) or make it "in".`,
        );
      }
    });
  };

  const checkIrql = (file: LoadedFile, path: Path, irql: SpecIrql, params: readonly SpecParam[]): void => {
    const at: Path = [...path, 'irql'];
    const names = params.map((p) => p.name);
    const bounds = [irql.runsAt && 'runsAt', irql.min && 'min', irql.max && 'max', irql.any && 'any'].filter(
      Boolean,
    ) as string[];
    if (bounds.length === 0 && irql.unknown === undefined) {
      report(
        file,
        at,
        'DDI2007',
        `the IRQL contract states no level. Give one of runsAt, min, max or any (or unknown, with the reason no level is known).`,
      );
    }
    if (irql.unknown !== undefined && bounds.length > 0) {
      report(
        file,
        [...at, 'unknown'],
        'DDI2007',
        `unknown says no level is known, but the contract states ${bounds.join(' and ')}. Keep the level and remove unknown, or the reverse.`,
        'key',
      );
    }
    if (irql.runsAt && (irql.min || irql.max || irql.any)) {
      report(
        file,
        [...at, 'runsAt'],
        'DDI2007',
        `runsAt fixes the level, so it cannot be combined with ${bounds.filter((b) => b !== 'runsAt').join(' or ')}. Keep runsAt alone, or replace it with min/max.`,
      );
    }
    if (irql.any && (irql.min || irql.max)) {
      report(
        file,
        [...at, 'any'],
        'DDI2007',
        `any cannot be combined with ${bounds.filter((b) => b !== 'any').join(' or ')}. Keep one of them.`,
      );
    }
    if (irql.min && irql.max && lower(irql.min) > upper(irql.max)) {
      report(
        file,
        [...at, 'min'],
        'DDI2007',
        `min ${irql.min} is above max ${irql.max}, so no IRQL satisfies the contract. Swap or correct them.`,
      );
    }
    const entry = irql.runsAt ?? irql.max;
    if (irql.raisesTo && entry && upper(irql.raisesTo) < lower(entry)) {
      report(
        file,
        [...at, 'raisesTo'],
        'DDI2007',
        `raisesTo ${irql.raisesTo} is below the entry level ${entry}; a raise can never lower IRQL. Use restores for a call that lowers.`,
      );
    }
    if (irql.same && (irql.raisesTo || irql.restores)) {
      report(
        file,
        [...at, 'same'],
        'DDI2007',
        `same says IRQL is unchanged on return, but ${irql.raisesTo ? 'raisesTo' : 'restores'} says the call changes it. Remove one of them.`,
      );
    }
    for (const key of ['saves', 'restores'] as const) {
      const name = irql[key];
      if (name !== undefined && !names.includes(name)) {
        report(
          file,
          [...at, key],
          'DDI2008',
          `${key} names the parameter ${quote(name)}, which this entry does not have.${didYouMean(name, names)} Parameters: ${names.join(', ') || 'none'}.`,
        );
      }
    }
    irql.when?.forEach((condition, i) => {
      if (condition.param !== undefined && condition.condition !== undefined) {
        report(
          file,
          [...at, 'when', i, 'condition'],
          'DDI2007',
          `the condition both tests the parameter ${quote(condition.param)} and states ${quote(condition.condition)}. Give param and equals, or condition, not both.`,
          'key',
        );
      } else if (condition.param === undefined && condition.condition === undefined) {
        report(
          file,
          [...at, 'when', i],
          'DDI1004',
          `when[${i}] is missing the required property "param" (with "equals") or "condition". Add one.`,
        );
      } else if (condition.param !== undefined && condition.equals === undefined) {
        report(
          file,
          [...at, 'when', i],
          'DDI1004',
          `when[${i}] is missing the required property "equals". Add the value the parameter must have.`,
        );
      } else if (condition.param === undefined && condition.equals !== undefined) {
        report(
          file,
          [...at, 'when', i, 'equals'],
          'DDI1004',
          `when[${i}] has equals but no param. Add the parameter it tests.`,
          'key',
        );
      }
      if (condition.param !== undefined && !names.includes(condition.param)) {
        report(
          file,
          [...at, 'when', i, 'param'],
          'DDI2008',
          `the condition tests the parameter ${quote(condition.param)}, which this entry does not have.${didYouMean(condition.param, names)} Parameters: ${names.join(', ') || 'none'}.`,
        );
      }
      const inner = condition.irql;
      const innerBounds = [inner.runsAt, inner.min, inner.max, inner.any].filter((b) => b !== undefined);
      if (innerBounds.length === 0) {
        report(
          file,
          [...at, 'when', i, 'irql'],
          'DDI2007',
          `the conditional contract states no level. Give one of runsAt, min, max or any.`,
        );
      } else if ((inner.runsAt && (inner.min || inner.max || inner.any)) || (inner.any && (inner.min || inner.max))) {
        report(
          file,
          [...at, 'when', i, 'irql'],
          'DDI2007',
          `the conditional contract combines bounds that exclude each other. Use runsAt alone, any alone, or min/max.`,
        );
      } else if (inner.min && inner.max && lower(inner.min) > upper(inner.max)) {
        report(
          file,
          [...at, 'when', i, 'irql', 'min'],
          'DDI2007',
          `min ${inner.min} is above max ${inner.max}, so no IRQL satisfies the condition's contract.`,
        );
      }
    });
  };

  /** Each of these lists names an item at most once (a semantic check: the schema's uniqueItems would deep-compare hostile objects). */
  const checkUnique = (file: LoadedFile, path: Path, entry: Record<string, unknown>): void => {
    for (const key of ['seeAlso', 'rules', 'invokedBy', 'compliance']) {
      const list = entry[key];
      if (!Array.isArray(list)) continue;
      const seen = new Set<unknown>();
      list.forEach((item, i) => {
        if (seen.has(item))
          report(file, [...path, key, i], 'DDI1006', `${key} lists ${quote(item)} twice. Remove the repeat.`);
        seen.add(item);
      });
    }
  };

  const ruleTable = ruleDefinitions(all);
  const ruleIds = [...ruleTable.keys()].sort(compareStrings);
  const checkRules = (file: LoadedFile, path: Path, rules: readonly string[] | undefined): void => {
    rules?.forEach((rule, i) => {
      if (ruleTable.has(rule)) return;
      report(
        file,
        [...path, 'rules', i],
        'DDI2013',
        ruleIds.length === 0
          ? `rules names ${quote(rule)}, but the spec has no rule table. Add the harness's rule table (spec/rules.yaml) to the spec folder.`
          : `rules names ${quote(rule)}, which is not a rule of the harness.${didYouMean(rule, ruleIds)} Rules: ${ruleIds.join(', ')}.`,
      );
    });
  };

  const checkSeeAlso = (file: LoadedFile, path: Path, names: readonly string[] | undefined, self: string): void => {
    names?.forEach((name, i) => {
      if (!definitions.has(name)) {
        report(
          file,
          [...path, 'seeAlso', i],
          'DDI2003',
          `seeAlso names ${quote(name)}, which no entry defines.${didYouMean(name, entryNames)} Remove it or define the entry.`,
        );
      } else if (name === self) {
        report(file, [...path, 'seeAlso', i], 'DDI2003', `seeAlso names the entry itself. Remove it.`);
      }
    });
  };

  for (const file of valid) {
    const spec = file.value as SpecFile;
    const imported = isImported(file);
    spec.types?.forEach((type, i) => {
      const path: Path = ['types', i];
      checkIdentifier(file, [...path, 'name'], type.name, 'type');
      const misplaced = misplacedTypeProperties(type.kind, type as unknown as Record<string, unknown>);
      for (const key of misplaced) {
        report(
          file,
          [...path, key],
          'DDI2011',
          `${key} does not apply to a ${type.kind} type. Remove it, or change kind.`,
          'key',
        );
      }
      if (type.kind === 'pointer') {
        if (type.to === undefined)
          report(
            file,
            path,
            'DDI1004',
            `a pointer type is missing the required property "to". Name the type it points to.`,
          );
        else checkTypeRef(file, [...path, 'to'], type.to, 'pointee');
      }
      if ((type.kind === 'scalar' || type.kind === 'handle') && (type.c === undefined || type.ts === undefined)) {
        report(
          file,
          path,
          'DDI1004',
          `a ${type.kind} type needs both "c" (its C fallback type) and "ts" (its TypeScript type). Add ${[type.c === undefined && '"c"', type.ts === undefined && '"ts"'].filter(Boolean).join(' and ')}.`,
        );
      }
      if (type.kind === 'struct') {
        if (type.fields === undefined && !imported)
          report(file, path, 'DDI1004', `a struct type is missing the required property "fields". List its fields.`);
        const seen = new Set<string>();
        type.fields?.forEach((field, j) => {
          checkIdentifier(file, [...path, 'fields', j, 'name'], field.name, 'field');
          if (seen.has(field.name))
            report(
              file,
              [...path, 'fields', j, 'name'],
              'DDI2012',
              `field ${quote(field.name)} appears twice. Rename or remove one.`,
            );
          seen.add(field.name);
          if (field.type === undefined) return;
          if (field.type === type.name)
            report(
              file,
              [...path, 'fields', j, 'type'],
              'DDI2011',
              `field ${quote(field.name)} contains its own structure, which has no finite size. Use a pointer type.`,
            );
          else checkTypeRef(file, [...path, 'fields', j, 'type'], field.type, 'field');
        });
      }
      if (type.kind === 'enum') {
        if (type.values === undefined && !imported)
          report(file, path, 'DDI1004', `an enum type is missing the required property "values". List its members.`);
        type.values?.forEach((value, j) => {
          checkIdentifier(file, [...path, 'values', j, 'name'], value.name, 'enum member');
          if (definitions.has(value.name)) {
            report(
              file,
              [...path, 'values', j, 'name'],
              'DDI2001',
              `enum member ${quote(value.name)} has the name of a ${definitions.get(value.name)!.kind} at ${where(definitions.get(value.name)!)}. In C both share one name space; rename one.`,
            );
          }
        });
        const seenValues = new Set<string>();
        type.values?.forEach((value, j) => {
          if (seenValues.has(value.name))
            report(
              file,
              [...path, 'values', j, 'name'],
              'DDI2001',
              `enum member ${quote(value.name)} appears twice. Remove the repeat.`,
            );
          seenValues.add(value.name);
        });
      }
    });

    spec.roles?.forEach((role, i) => {
      const path: Path = ['roles', i];
      checkIdentifier(file, [...path, 'name'], role.name, 'role');
      if (role.pointer !== undefined) checkIdentifier(file, [...path, 'pointer'], role.pointer, 'pointer typedef');
      if (role.function !== undefined) checkIdentifier(file, [...path, 'function'], role.function, 'function name');
      checkParams(file, path, role.params);
      if (role.returns !== undefined) checkTypeRef(file, [...path, 'returns', 'type'], role.returns.type, 'return');
      checkIrql(file, path, role.irql, role.params);
      checkSeeAlso(file, path, role.seeAlso, role.name);
      checkRules(file, path, role.rules);
      checkUnique(file, path, role as unknown as Record<string, unknown>);
      if (role.pointer !== undefined && !role.pointer.endsWith('_HANDLER')) {
        report(
          file,
          [...path, 'pointer'],
          'DDI2006',
          `the pointer typedef ${quote(role.pointer)} must end in _HANDLER, as ndis.h names them (for example ${role.name}_HANDLER).`,
        );
      }
      role.invokedBy?.forEach((name, j) => {
        const definition = definitions.get(name);
        if (name === 'NDIS') return;
        if (!definition || definition.kind !== 'function') {
          report(
            file,
            [...path, 'invokedBy', j],
            'DDI2003',
            `invokedBy names ${quote(name)}, which is not a function of the spec.${didYouMean(
              name,
              [...definitions]
                .filter(([, d]) => d.kind === 'function')
                .map(([n]) => n)
                .concat('NDIS'),
            )} Use a function name, or NDIS for NDIS itself.`,
          );
        }
      });
      if (role.registeredIn !== undefined) {
        const [structName, fieldName] = role.registeredIn.split('.') as [string, string];
        const definition = definitions.get(structName);
        const struct =
          definition?.kind === 'type' && definition.typeKind === 'struct'
            ? (definition.file.value as SpecFile).types![definition.path[1] as number]!
            : undefined;
        if (struct && !validSet.has(definition!.file)) {
          // The structure's own file failed the schema and has its own diagnostics; its fields cannot be trusted.
        } else if (!struct) {
          report(
            file,
            [...path, 'registeredIn'],
            'DDI2003',
            `registeredIn names the structure ${quote(structName)}, which the spec does not define.${didYouMean(structName, typeNames)}`,
          );
        } else {
          const field = struct.fields?.find((f) => f.name === fieldName);
          const pointers = [role.pointer, ...(role.variants ?? []).map((v) => v.pointer)].filter(
            (p) => p !== undefined,
          );
          if (!field) {
            report(
              file,
              [...path, 'registeredIn'],
              'DDI2003',
              `registeredIn names the field ${quote(fieldName)}, which ${structName} does not have.${didYouMean(
                fieldName,
                (struct.fields ?? []).map((f) => f.name),
              )}`,
            );
          } else if (field.type === undefined || !pointers.includes(field.type)) {
            report(
              file,
              [...path, 'registeredIn'],
              'DDI2011',
              `${structName}.${fieldName} has type ${field.type ?? 'unknown'}, not the role's pointer typedef ${role.pointer ?? '(none stated)'}. Point registeredIn at a field of that type.`,
            );
          }
        }
      }
      role.variants?.forEach((variant, j) => {
        const at: Path = [...path, 'variants', j];
        checkIdentifier(file, [...at, 'name'], variant.name, 'variant');
        checkIdentifier(file, [...at, 'pointer'], variant.pointer, 'pointer typedef');
        if (!isVariantName(role.name, variant.name)) {
          const words = role.name.split('_');
          report(
            file,
            [...at, 'name'],
            'DDI2006',
            `the variant ${quote(variant.name)} must keep the words of its base role ${role.name} in order, with its own words inserted between the first and the last (for example ${[...words.slice(0, -1), 'MESSAGE', words[words.length - 1]].join('_')}).`,
          );
        }
        if (!variant.pointer.endsWith('_HANDLER')) {
          report(
            file,
            [...at, 'pointer'],
            'DDI2006',
            `the pointer typedef ${quote(variant.pointer)} must end in _HANDLER, as ndis.h names them.`,
          );
        }
      });
    });

    spec.constants?.forEach((constant, i) => {
      const path: Path = ['constants', i];
      checkIdentifier(file, [...path, 'name'], constant.name, 'constant');
      const type = checkTypeRef(file, [...path, 'type'], constant.type, 'constant');
      if (type && type.typeKind !== 'scalar') {
        report(
          file,
          [...path, 'type'],
          'DDI2011',
          `a constant needs a scalar type (got ${quote(constant.type)}, a ${type.typeKind}). Use a scalar such as ULONG.`,
        );
      } else if (type && validSet.has(type.file)) {
        // (A type from a file that failed the schema has its own diagnostics; its bits cannot be trusted.)
        const spec = (type.file.value as SpecFile).types![type.path[1] as number]!;
        const value = BigInt(constant.value);
        const bits = BigInt(spec.bits ?? 64);
        const fits = spec.signed
          ? typeof constant.value === 'string'
            ? value < 1n << bits
            : value >= -(1n << (bits - 1n)) && value < 1n << (bits - 1n)
          : value >= 0n && value < 1n << bits;
        if (!fits) {
          report(
            file,
            [...path, 'value'],
            'DDI1006',
            `the value ${quote(constant.value)} does not fit in ${constant.type} (${spec.signed ? 'signed' : 'unsigned'} ${spec.bits ?? 64} bits). Correct the value or the type.`,
          );
        }
      }
    });

    spec.functions?.forEach((fn, i) => {
      const path: Path = ['functions', i];
      checkIdentifier(file, [...path, 'name'], fn.name, 'function');
      checkParams(file, path, fn.params);
      if (fn.returns !== undefined) checkTypeRef(file, [...path, 'returns', 'type'], fn.returns.type, 'return');
      checkIrql(file, path, fn.irql, fn.params);
      checkSeeAlso(file, path, fn.seeAlso, fn.name);
      checkRules(file, path, fn.rules);
      checkUnique(file, path, fn as unknown as Record<string, unknown>);
    });
  }
  diagnostics.push(...ruleDiagnostics(valid, all));
  diagnostics.push(...disagreements(valid));
  return diagnostics;
}

// ---------------------------------------------------------------------------------------------
// Curated entries against the reference pages they override

type Callable = SpecRole | SpecFunction;

/** One fact where a curated entry and the reference page it overrides differ. */
export interface Disagreement {
  /** The curated entry. */
  name: string;
  /** Where in the curated file (path, line, column of the differing property). */
  file: string;
  line: number;
  col: number;
  /** contract: the IRQL range or a parameter's direction or optional mark; signature: names, count, return type, version. */
  kind: 'contract' | 'signature';
  what: string;
  curated: string;
  docs: string;
  /** The reference page, and where the imported entry is. */
  page: string;
  importedAt: string;
}

/**
 * Every fact where a curated role or function differs from the imported entry (its reference page)
 * that it overrides. Contract differences become DDI2014 warnings; the others are listed by
 * `ddikit coverage`.
 */
export function disagreementsOf(files: readonly LoadedFile[]): Disagreement[] {
  const imported = new Map<string, { spec: Callable; file: LoadedFile; path: Path }>();
  for (const file of files) {
    if (!isImported(file)) continue;
    const spec = file.value as SpecFile;
    spec.roles?.forEach((role, i) => imported.set(`roles:${role.name}`, { spec: role, file, path: ['roles', i] }));
    spec.functions?.forEach((fn, i) =>
      imported.set(`functions:${fn.name}`, { spec: fn, file, path: ['functions', i] }),
    );
  }
  const found: Disagreement[] = [];
  for (const file of files) {
    if (isImported(file)) continue;
    const spec = file.value as SpecFile;
    for (const section of ['roles', 'functions'] as const) {
      (spec[section] as Callable[] | undefined)?.forEach((entry, i) => {
        const docs = imported.get(`${section}:${entry.name}`);
        if (docs === undefined) return;
        const where = positionOf(docs.file, [...docs.path, 'name']);
        for (const difference of compareCallable(entry, docs.spec)) {
          const { line, col } = positionOf(file, [section, i, ...difference.at], 'key');
          found.push({
            name: entry.name,
            file: file.path,
            line,
            col,
            kind: difference.kind,
            what: difference.what,
            curated: difference.curated,
            docs: difference.docs,
            page: docs.spec.page ?? `${docs.file.path}:${where.line}`,
            importedAt: `${docs.file.path}:${where.line}`,
          });
        }
      });
    }
  }
  return found;
}

function disagreements(files: readonly LoadedFile[]): Diagnostic[] {
  return disagreementsOf(files)
    .filter((d) => d.kind === 'contract')
    .map((d) => ({
      file: d.file,
      line: d.line,
      col: d.col,
      severity: 'warning' as const,
      code: 'DDI2014' as const,
      message: `${d.name}: the curated ${d.what} is ${d.curated}, but the reference page ${d.page} says ${d.docs} (imported at ${d.importedAt}). Check the page, and correct whichever is wrong.`,
    }));
}

interface Difference {
  at: Path;
  kind: 'contract' | 'signature';
  what: string;
  curated: string;
  docs: string;
}

function compareCallable(curated: Callable, docs: Callable): Difference[] {
  const found: Difference[] = [];
  const curatedRange = irqlRangeText(curated.irql);
  const docsRange = irqlRangeText(docs.irql);
  if (curatedRange !== null && docsRange !== null && curatedRange !== docsRange) {
    found.push({ at: ['irql'], kind: 'contract', what: 'IRQL contract', curated: curatedRange, docs: docsRange });
  }
  if (docs.params.length > 0 && docs.params.length !== curated.params.length) {
    found.push({
      at: ['params'],
      kind: 'signature',
      what: 'parameter list',
      curated: `(${curated.params.map((p) => p.name).join(', ')})`,
      docs: `(${docs.params.map((p) => p.name).join(', ')})`,
    });
  } else {
    docs.params.forEach((param, i) => {
      const mine = curated.params[i]!;
      if (mine.name !== param.name)
        found.push({
          at: ['params', i, 'name'],
          kind: 'signature',
          what: `name of parameter ${i + 1}`,
          curated: quote(mine.name),
          docs: quote(param.name),
        });
      if (param.dir !== undefined && mine.dir !== param.dir)
        found.push({
          at: ['params', i, 'dir'],
          kind: 'contract',
          what: `direction of ${mine.name}`,
          curated: String(mine.dir),
          docs: param.dir,
        });
      if (param.optional === true && mine.optional !== true)
        found.push({
          at: ['params', i, 'name'],
          kind: 'contract',
          what: `optional mark of ${mine.name}`,
          curated: 'not optional',
          docs: 'optional',
        });
    });
  }
  if (docs.returns !== undefined && curated.returns !== undefined && docs.returns.type !== curated.returns.type) {
    found.push({
      at: ['returns', 'type'],
      kind: 'signature',
      what: 'return type',
      curated: curated.returns.type,
      docs: docs.returns.type,
    });
  }
  if (docs.since !== undefined && curated.since !== undefined && docs.since !== curated.since) {
    found.push({ at: ['since'], kind: 'signature', what: 'first version', curated: curated.since, docs: docs.since });
  }
  return found;
}

/** The range an IRQL contract admits, as text ("at most DISPATCH_LEVEL"), or null when unknown. */
function irqlRangeText(irql: SpecIrql): string | null {
  let min: LevelName;
  let max: LevelName;
  if (irql.runsAt) min = max = irql.runsAt;
  else if (irql.any) [min, max] = ['PASSIVE_LEVEL', 'HIGH_LEVEL'];
  else if (irql.min || irql.max) [min, max] = [irql.min ?? 'PASSIVE_LEVEL', irql.max ?? 'HIGH_LEVEL'];
  else return null;
  const conditions = (irql.when ?? []).map((c) => {
    const inner = c.irql;
    const range = inner.runsAt
      ? `exactly ${inner.runsAt}`
      : inner.any
        ? 'any level'
        : `${inner.min ?? 'PASSIVE_LEVEL'} to ${inner.max ?? 'HIGH_LEVEL'}`;
    return `${range} when ${c.param !== undefined ? `${c.param} is ${String(c.equals)}` : c.condition}`;
  });
  const base =
    min === max
      ? `exactly ${min}`
      : min === 'PASSIVE_LEVEL' && max === 'HIGH_LEVEL'
        ? 'any level'
        : min === 'PASSIVE_LEVEL'
          ? `at most ${max}`
          : max === 'HIGH_LEVEL'
            ? `at least ${min}`
            : `${min} to ${max}`;
  return [base, ...conditions].join('; ');
}

function entryName(definition: Definition): unknown {
  let value: unknown = definition.file.value;
  for (const part of definition.path) value = (value as Record<string | number, unknown>)[part];
  return (value as { name?: unknown }).name;
}

function forEachEntry<T extends Record<string, unknown>>(
  list: unknown,
  visit: (entry: Partial<T> & Record<string, unknown>, index: number) => void,
): void {
  if (!Array.isArray(list)) return;
  list.forEach((entry, index) => {
    if (entry !== null && typeof entry === 'object' && !Array.isArray(entry))
      visit(entry as Partial<T> & Record<string, unknown>, index);
  });
}

const kindProperties: Record<string, readonly string[]> = {
  scalar: ['c', 'ts', 'bits', 'signed'],
  handle: ['c', 'ts'],
  pointer: ['to'],
  struct: ['tag', 'fields', 'opaque'],
  enum: ['tag', 'values'],
  void: [],
};
const kindSpecific = ['c', 'ts', 'bits', 'signed', 'to', 'tag', 'fields', 'values', 'opaque'];

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

function lower(level: LevelName): number {
  return levelRange[level][0];
}

function upper(level: LevelName): number {
  return levelRange[level][1];
}
