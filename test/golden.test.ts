/**
 * Golden cases: test/golden/<case>/spec is generated and compared, byte for byte, with
 * test/golden/<case>/expected. UPDATE_GOLDEN=1 rewrites expected/ (review the diff like code). The
 * provenance lines name the placeholder version of test/golden/version.ts, not the generator's.
 */
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../generator/src/diagnostics.js';
import { bundled } from '../generator/src/paths.js';
import { generate } from '../generator/src/pipeline.js';
import { readSpecFolder, readSpecSources } from '../generator/src/spec/read-spec-folder.js';
import { readSchema } from '../generator/src/spec/validate.js';
import { goldenVersion } from './golden/version.js';

const goldenDir = join(bundled.root, 'test/golden');
const update = process.env['UPDATE_GOLDEN'] === '1';
const schema = readSchema(bundled.schemaPath);

function files(root: string): string[] {
  if (!existsSync(root)) return [];
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else found.push(relative(root, path).split('\\').join('/'));
    }
  };
  walk(root);
  return found;
}

const cases = readdirSync(goldenDir)
  .filter((name) => existsSync(join(goldenDir, name, 'spec')))
  .sort();

describe('golden cases', () => {
  it('exist', () => {
    expect(cases.length).toBeGreaterThan(0);
  });

  for (const name of cases) {
    describe(name, () => {
      const caseDir = join(goldenDir, name);
      const expectedDir = join(caseDir, 'expected');
      const sources = readSpecFolder(join(caseDir, 'spec'), caseDir);
      const result = generate(sources, { schema, templatesDir: bundled.templatesDir, version: goldenVersion });

      it('generates without diagnostics', () => {
        expect(result.diagnostics.map(formatDiagnostic)).toEqual([]);
      });

      it('matches expected/ byte for byte, file for file', () => {
        const produced = result.files ?? [];
        if (update) {
          rmSync(expectedDir, { recursive: true, force: true });
          for (const file of produced) {
            mkdirSync(dirname(join(expectedDir, file.path)), { recursive: true });
            writeFileSync(join(expectedDir, file.path), file.content);
          }
        }
        expect(produced.map((f) => f.path)).toEqual(files(expectedDir));
        for (const file of produced) {
          expect(
            file.content,
            `${name}/expected/${file.path} differs; if intended, rerun with UPDATE_GOLDEN=1 and review the diff`,
          ).toBe(readFileSync(join(expectedDir, file.path), 'utf8'));
        }
      });

      it('the expected header compiles with gcc', () => {
        const header = join(expectedDir, 'include/ndis_roles.h');
        if (!existsSync(header)) return;
        const dir = mkdtempSync(join(tmpdir(), 'ddikit-golden-'));
        try {
          writeFileSync(join(dir, 'use.c'), '#include "ndis_roles.h"\nint main(void) { return 0; }\n');
          const gcc = spawnSync(
            'gcc',
            [
              '-std=c11',
              '-fsyntax-only',
              '-Wall',
              '-Wextra',
              '-Werror',
              '-pedantic',
              `-I${dirname(header)}`,
              join(dir, 'use.c'),
            ],
            { encoding: 'utf8' },
          );
          expect(gcc.stderr).toBe('');
          expect(gcc.status).toBe(0);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      });
    });
  }
});

describe('the bundled spec', () => {
  it('generates the same files whatever order its files are read in', () => {
    const sources = readSpecSources(bundled.specDir, bundled.root);
    expect(sources.length).toBeGreaterThan(2);
    const forward = generate(sources, { schema, templatesDir: bundled.templatesDir });
    const backward = generate([...sources].reverse(), { schema, templatesDir: bundled.templatesDir });
    const rotated = generate([...sources.slice(2), ...sources.slice(0, 2)], {
      schema,
      templatesDir: bundled.templatesDir,
    });
    expect(forward.files!.length).toBeGreaterThan(0);
    expect(backward.files).toEqual(forward.files);
    expect(rotated.files).toEqual(forward.files);
  });
});
