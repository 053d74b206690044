/**
 * @ddikit/generator's library API, in pipeline order: read and load the spec, validate it, build the
 * model, render it, plan and apply the write; scaffolds, the docs importer, coverage and diagnostics
 * beside them. The command line is not part of it (it lives in cli/ and ships as bin/ddikit.js).
 */
export { bundled } from './paths.js';
export { generatorVersion } from './version.js';
export {
  compareDiagnostics,
  diagnosticCodes,
  formatDiagnostic,
  formatSummary,
  hasErrors,
  sortDiagnostics,
} from './diagnostics.js';
export type { Diagnostic, DiagnosticCode, Severity } from './diagnostics.js';
export { readSpecFolder, readSpecSources } from './spec/read-spec-folder.js';
export { load, loadLimits } from './spec/load.js';
export type { LoadedFile, LoadResult, SpecSource } from './spec/load.js';
export { readSchema, validate } from './spec/validate.js';
export { buildModel } from './spec/model.js';
export type {
  ConstantModel,
  EntryModel,
  FunctionModel,
  IrqlModel,
  Model,
  ParamModel,
  RoleModel,
  TypeModel,
} from './spec/model.js';
export { check, generate } from './pipeline.js';
export type { PipelineOptions, PipelineResult } from './pipeline.js';
export { generatedDirs, render } from './render/render.js';
export type { OutputFile, RenderContext } from './render/output.js';
export { applyWrite, planWrite, WriteError } from './write/write.js';
export type { WritePlan, WriteResult } from './write/write.js';
export { scaffold, scaffoldDiagnosticCodes } from './render/scaffold.js';
export { importDocs } from './import/import-docs.js';
export type { ImportOptions, ImportResult } from './import/import-docs.js';
export { coverage } from './spec/coverage.js';
export type { CoverageReport, CoverageRow } from './spec/coverage.js';
