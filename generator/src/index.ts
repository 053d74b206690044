export { main, nodeIo, run } from './cli.js';
export type { CliIo } from './cli.js';
export {
  compareDiagnostics,
  diagnosticCodes,
  formatDiagnostic,
  formatSummary,
  hasErrors,
  sortDiagnostics,
} from './diagnostics.js';
export type { Diagnostic, DiagnosticCode, Severity } from './diagnostics.js';
export { load, loadLimits } from './load.js';
export type { LoadedFile, LoadResult, SpecSource } from './load.js';
export { buildModel } from './model.js';
export type {
  ConstantModel,
  EntryModel,
  FunctionModel,
  IrqlModel,
  Model,
  ParamModel,
  RoleModel,
  TypeModel,
} from './model.js';
export { bundled } from './paths.js';
export { check, generate } from './pipeline.js';
export type { PipelineOptions, PipelineResult } from './pipeline.js';
export { generatedDirs, render } from './render.js';
export type { OutputFile } from './render.js';
export { readSpecSources } from './spec-files.js';
export { readSchema, validate } from './validate.js';
export { applyWrite, planWrite, WriteError } from './write.js';
export type { WritePlan, WriteResult } from './write.js';
export { coverage } from './coverage.js';
export type { CoverageReport, CoverageRow } from './coverage.js';
export { importDocs } from './import/import-docs.js';
export type { ImportOptions, ImportResult } from './import/import-docs.js';
export { scaffold, scaffoldDiagnosticCodes } from './scaffold.js';
export { runSimulate } from './simulate.js';
export { runExplore } from './explore.js';
