import { readFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundled } from '../../generator/src/paths.js';

/** The spec's README documents every property of the schema under its own heading, and the schema describes every property. */
describe('spec/README.md and the schema', () => {
  const schema = JSON.parse(readFileSync(bundled.schemaPath, 'utf8')) as {
    properties: Record<string, { description?: string }>;
    definitions: Record<string, { properties?: Record<string, { description?: string; $ref?: string }> }>;
  };
  const readme = readFileSync(join(bundled.specDir, 'README.md'), 'utf8');
  const headings = new Set([...readme.matchAll(/^### `([A-Za-z0-9.]+)`$/gm)].map((m) => m[1]));
  const expected = [
    ...Object.keys(schema.properties).map((p) => `file.${p}`),
    ...Object.entries(schema.definitions).flatMap(([name, def]) =>
      Object.keys(def.properties ?? {}).map((p) => `${name}.${p}`),
    ),
  ];

  it('has one heading per schema property, and none for properties the schema lacks', () => {
    expect([...headings].sort()).toEqual([...expected].sort());
  });

  it('gives every schema property a description', () => {
    const missing: string[] = [];
    for (const [p, def] of Object.entries(schema.properties)) if (!def.description) missing.push(`file.${p}`);
    for (const [name, def] of Object.entries(schema.definitions)) {
      for (const [p, prop] of Object.entries(def.properties ?? {})) if (!prop.description) missing.push(`${name}.${p}`);
    }
    expect(missing).toEqual([]);
  });

  it('forbids unknown properties on every object', () => {
    const open = Object.entries(schema.definitions)
      .filter(([, def]) => def.properties && (def as { additionalProperties?: boolean }).additionalProperties !== false)
      .map(([n]) => n);
    expect(open).toEqual([]);
  });

  it('every spec file starts with the schema modeline', async () => {
    const { readSpecSources } = await import('../../generator/src/spec/read-spec-folder.js');
    for (const source of readSpecSources(bundled.specDir, bundled.root)) {
      // The path to the schema from the file's own folder (spec/ndis/imported/ is one level deeper).
      const schema = relative(dirname(join(bundled.root, source.path)), bundled.schemaPath)
        .split(sep)
        .join('/');
      expect(source.text.split('\n')[0], source.path).toBe(`# yaml-language-server: $schema=${schema}`);
    }
  });
});
