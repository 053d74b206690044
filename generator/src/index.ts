export { main, nodeIo, run } from './cli/main.js';
export type { CliIo } from './cli/main.js';
export {
  compareDiagnostics,
  diagnosticCodes,
  formatDiagnostic,
  formatSummary,
  hasErrors,
  sortDiagnostics,
} from './diagnostics.js';
export type { Diagnostic, DiagnosticCode, Severity } from './diagnostics.js';
export { load, loadLimits } from './spec/load.js';
export type { LoadedFile, LoadResult, SpecSource } from './spec/load.js';
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
export { bundled } from './paths.js';
export { check, generate } from './pipeline.js';
export type { PipelineOptions, PipelineResult } from './pipeline.js';
export { generatedDirs, render } from './render/render.js';
export type { OutputFile } from './render/render.js';
export { readSpecSources } from './spec/read-spec-folder.js';
export { readSchema, validate } from './spec/validate.js';
export { applyWrite, planWrite, WriteError } from './write/write.js';
export type { WritePlan, WriteResult } from './write/write.js';
export { coverage } from './spec/coverage.js';
export type { CoverageReport, CoverageRow } from './spec/coverage.js';
export { importDocs } from './import/import-docs.js';
export type { ImportOptions, ImportResult } from './import/import-docs.js';
export { scaffold, scaffoldDiagnosticCodes } from './render/scaffold.js';
export { runSimulate } from './cli/commands/simulate.js';
export { runExplore } from './cli/commands/explore.js';
