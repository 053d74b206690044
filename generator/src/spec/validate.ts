/**
 * validate: loaded files → diagnostics. First the JSON Schema (shape: schema-diagnostics.ts), then
 * the semantic checks that need the whole spec (names, references, contracts: check-entries.ts),
 * over every entry that passed the schema (schema-passed.ts), so one run reports both kinds.
 * The model stage runs only when this finds no error.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { ValidateFunction } from 'ajv';
import type { Diagnostic } from '../diagnostics.js';
import { semanticDiagnostics } from './check-entries.js';
import type { LoadedFile, UnparsedFile } from './load.js';
import type { Path } from './report.js';
import { schemaDiagnostics } from './schema-diagnostics.js';
import { SchemaPassed } from './schema-passed.js';

const require = createRequire(import.meta.url);

export interface ValidateOptions {
  /** The JSON Schema object (spec/schema/ddi.schema.json). */
  schema: object;
  /**
   * The files that did not load (LoadResult.unparsed): none of them is checked, but the names they
   * define are known, so references into them cause no follow-on error.
   */
  unparsed?: readonly UnparsedFile[];
}

export function validate(files: readonly LoadedFile[], options: ValidateOptions): Diagnostic[] {
  const check = compileSchema(options.schema);
  const diagnostics: Diagnostic[] = [];
  const failedAt = new Map<LoadedFile, Path[]>();
  for (const file of files) {
    const found = schemaDiagnostics(file, check);
    for (const d of found.diagnostics) diagnostics.push(d);
    failedAt.set(file, found.failedAt);
  }
  for (const d of semanticDiagnostics(files, new SchemaPassed(failedAt), options.unparsed ?? [])) diagnostics.push(d);
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
