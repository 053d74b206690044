import type { OutputFile, RenderContext } from './render.js';

export function renderTs(_context: RenderContext): OutputFile[] {
  return [];
}
