import type { OutputFile, RenderContext } from './render.js';

export function renderDocs(_context: RenderContext): OutputFile[] {
  return [];
}
