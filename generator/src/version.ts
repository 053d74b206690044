/** The generator's version: the `version` of its package.json. */
import { readFileSync } from 'node:fs';
import { generatorPackagePath } from './paths.js';

let cached: string | undefined;

export function generatorVersion(): string {
  cached ??= (JSON.parse(readFileSync(generatorPackagePath(), 'utf8')) as { version: string }).version;
  return cached;
}
