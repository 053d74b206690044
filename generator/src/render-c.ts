import type { OutputFile, RenderContext } from './render.js';

export function renderC(_context: RenderContext): OutputFile[] {
  return [];
}
