/** The whole pipeline without the disk: sources → diagnostics, model, files. */
import { hasErrors, sortDiagnostics, type Diagnostic } from './diagnostics.js';
import { load, type SpecSource } from './spec/load.js';
import { buildModel, type Model } from './spec/model.js';
import type { OutputFile, RuntimeLocation } from './render/output.js';
import { render } from './render/render.js';
import { validate } from './spec/validate.js';

export interface PipelineOptions {
  schema: object;
  templatesDir: string;
  /**
   * The generator version the provenance lines name; the generator's own by default. Golden tests
   * pass a fixed placeholder so their expected files do not change with every release.
   */
  version?: string;
  /** Where the generated files go: @ddikit/ndis itself (the default) or a project of their own. */
  runtime?: RuntimeLocation;
}

export interface PipelineResult {
  diagnostics: Diagnostic[];
  /** Present when there is no error. */
  model?: Model;
  /** Present when there is no error. */
  files?: OutputFile[];
}

/**
 * load → validate → model; stops before the model when any error was found, and when any file did not
 * load (it always has an error of its own; a model without it would be a spec with a file left out).
 */
export function check(sources: readonly SpecSource[], options: Pick<PipelineOptions, 'schema'>): PipelineResult {
  const loaded = load(sources);
  const diagnostics = [
    ...loaded.diagnostics,
    ...validate(loaded.files, { schema: options.schema, unparsed: loaded.unparsed }),
  ];
  if (sources.length === 0) {
    return { diagnostics: sortDiagnostics(diagnostics) };
  }
  if (hasErrors(diagnostics) || loaded.unparsed.length > 0) return { diagnostics: sortDiagnostics(diagnostics) };
  return { diagnostics: sortDiagnostics(diagnostics), model: buildModel(loaded.files) };
}

/** load → validate → model → render. */
export function generate(sources: readonly SpecSource[], options: PipelineOptions): PipelineResult {
  const checked = check(sources, options);
  if (!checked.model) return checked;
  const { templatesDir, version, runtime } = options;
  return {
    ...checked,
    files: render(checked.model, {
      templatesDir,
      ...(version !== undefined ? { version } : {}),
      ...(runtime !== undefined ? { runtime } : {}),
    }),
  };
}
