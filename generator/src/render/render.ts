/**
 * render: model → output files (path relative to the output folder, and exact bytes). Pure: nothing
 * here reads or writes the disk except templates (read once, cached).
 */
import type { Model } from '../spec/model.js';
import { provenanceLine, runtimeImports, type OutputFile, type RenderContext, type RuntimeLocation } from './output.js';
import { renderC } from './c-header.js';
import { renderHarnessHeader } from './c-harness-header.js';
import { renderDocs } from './reference-pages.js';
import { renderMetadata } from './metadata.js';
import { renderTs } from './typescript.js';
import { loadTemplates } from './templates.js';
import { generatorVersion } from '../version.js';

export interface RenderOptions {
  templatesDir: string;
  /** The generator version the provenance lines name; the generator's own by default (golden tests pass a placeholder). */
  version?: string;
  /** Where the files go: @ddikit/ndis itself (the default) or a project of their own (RuntimeLocation). */
  runtime?: RuntimeLocation;
}

/** Folders (under the output folder) that generation owns: files there that it no longer produces are stale. */
export const generatedDirs = ['src/generated', 'include', 'docs/reference'] as const;

export function render(model: Model, options: RenderOptions): OutputFile[] {
  const templates = loadTemplates(options.templatesDir);
  const version = options.version ?? generatorVersion();
  const context: RenderContext = {
    model,
    version,
    templates,
    provenance: (template) => provenanceLine(model, version, template),
    runtimeImports: runtimeImports(options.runtime ?? 'package'),
  };
  const files = [
    ...renderTs(context),
    ...renderMetadata(context),
    ...renderC(context),
    ...renderHarnessHeader(context),
    ...renderDocs(context),
  ];
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
