/**
 * The JSON Schema's errors as diagnostics: each error becomes one located message that states the
 * rule, the value found and the fix (an unknown property with the allowed ones, a value outside its
 * set with a suggestion, a missing property, a wrong type or form).
 *
 * Length: schemaDiagnostic is one switch over the JSON Schema's error keywords, a table in code.
 */
import type { ErrorObject, ValidateFunction } from 'ajv';
import { quote, type Diagnostic, type DiagnosticCode } from '../diagnostics.js';
import { didYouMean } from '../names.js';
import { positionOf, type LoadedFile } from './load.js';
import type { Path } from './report.js';

export interface SchemaResult {
  diagnostics: Diagnostic[];
  /** Where each error is (the path of keys and indexes to the value that failed): see schema-passed.ts. */
  failedAt: Path[];
}

export function schemaDiagnostics(file: LoadedFile, check: ValidateFunction): SchemaResult {
  if (check(file.value)) return { diagnostics: [], failedAt: [] };
  const diagnostics: Diagnostic[] = [];
  const failedAt: Path[] = [];
  for (const error of check.errors ?? []) {
    const diagnostic = schemaDiagnostic(file, error);
    if (diagnostic) {
      diagnostics.push(diagnostic);
      failedAt.push(pointerToPath(error.instancePath));
    }
  }
  return { diagnostics, failedAt };
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
      const types = String((error.params as { type: string | string[] }).type).split(',');
      return make(
        'DDI1005',
        `${where || 'the file'} must be ${typesInWords(types)} (got ${describe(value)}).${types.length === 1 && types[0] === 'array' ? ' Write it as a YAML list.' : ''}`,
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
      return make('DDI1006', `${where} has the wrong form (got ${quote(value)}). ${patternHint(path, value)}`);
    }
    case 'maxLength':
      return make(
        'DDI1006',
        `${where} is ${typeof value === 'string' ? value.length : '?'} characters long, more than the ${(error.params as { limit: number }).limit} allowed (got ${quote(value)}). Shorten it.`,
      );
    case 'minLength':
      return make('DDI1006', `${where} must not be empty. Write the text or remove the property.`);
    case 'minItems':
      return make('DDI1006', `${where} must not be an empty list. Add an item or remove the property.`);
    case 'minimum':
      return make(
        'DDI1006',
        `${where} must be at least ${(error.params as { limit: number }).limit} (got ${quote(value)}).`,
      );
    case 'maximum':
      return make(
        'DDI1006',
        `${where} must be at most ${(error.params as { limit: number }).limit} (got ${quote(value)}).`,
      );
    case 'uniqueItems':
      return make('DDI1006', `${where} lists the same item twice. Remove the repeat.`);
    default:
      return make('DDI1006', `${where} ${error.message ?? 'is not valid'} (got ${quote(value)}).`);
  }
}

function article(type: string): string {
  return type === 'integer'
    ? 'an integer'
    : type === 'object'
      ? 'a mapping'
      : type === 'array'
        ? 'a list'
        : `a ${type}`;
}

/** "a string", "a string or a number", "a string, an integer or a boolean". */
function typesInWords(types: readonly string[]): string {
  const words = types.map(article);
  return words.length <= 1 ? words.join('') : `${words.slice(0, -1).join(', ')} or ${words[words.length - 1]}`;
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

function patternHint(path: Path, value: unknown): string {
  const last = String(path[path.length - 1]);
  if (path[0] === 'constants' && last === 'value') return constantValueHint(String(value));
  if (last === 'page') return 'Write the file name of the reference page, such as nf-ndis-ndisfreememory.md.';
  if (last === 'header') return 'Write a header file name such as ndis.h.';
  if (last === 'since') return 'Write the version as "NDIS 6.0".';
  if (last === 'family') return 'Use lower-case words joined by hyphens, such as spin-locks.';
  if (last === 'registeredIn') return 'Write it as Structure.Field.';
  if (last === 'c') return 'Write a C type in lower case, such as unsigned int or void *.';
  if (last === 'equals')
    return 'Write an integer, TRUE or FALSE, a level name, or the name of a constant or enum member.';
  if (path.includes('compliance'))
    return "Write the compliance rule's name as Static Driver Verifier spells it, such as SpinlockRelease.";
  if (path.includes('bugChecks'))
    return "Write the bug check's name in capitals, such as DRIVER_VERIFIER_DETECTED_VIOLATION.";
  if (path.includes('rules')) return 'Write a rule id in capitals joined by hyphens, such as IRQL-CALL.';
  return 'Use a C identifier: a letter or underscore, then letters, digits or underscores.';
}

/**
 * What is wrong with a constant's value written as a string, and what a valid one looks like: a
 * decimal integer, or 0x and 1 to 16 hexadecimal digits (a 64-bit bit pattern, as C headers write it).
 */
function constantValueHint(text: string): string {
  const valid =
    'Write a decimal integer (such as 42 or -1) or a string of 0x and 1 to 16 hexadecimal digits (such as "0xC0000001")';
  const suffix = /^(0x[0-9A-Fa-f]+|-?[0-9]+)([uUlL]+)$/.exec(text);
  if (suffix && constantValue.test(suffix[1]!))
    return `The C suffix ${quote(suffix[2])} is no part of the value. Leave it out: ${quote(suffix[1])}.`;
  if (/^-0[xX]/.test(text))
    return `A hexadecimal value is a bit pattern and has no sign. ${valid}: a negative value in decimal, or its bit pattern in hexadecimal.`;
  if (text.startsWith('0X'))
    return `The prefix of a hexadecimal value is a lower-case 0x. Write ${quote(`0x${text.slice(2)}`)}.`;
  const hex = /^0x([0-9A-Fa-f]*)$/.exec(text);
  if (hex && hex[1]!.length > 16)
    return `It has ${hex[1]!.length} hexadecimal digits, more than the 16 of a 64-bit value. ${valid}.`;
  if (text.startsWith('0x')) return `0x must be followed by hexadecimal digits only (0-9, A-F). ${valid}.`;
  return `The value is neither a decimal integer nor a hexadecimal string. ${valid}.`;
}

/** The form the schema gives a constant's value. */
const constantValue = /^(0x[0-9A-Fa-f]{1,16}|-?[0-9]+)$/;

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
