import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatDiagnostic, sortDiagnostics } from '../generator/src/diagnostics.js';
import { load } from '../generator/src/spec/load.js';
import { coverage, formatCoverage } from '../generator/src/spec/coverage.js';
import { buildModel } from '../generator/src/spec/model.js';
import { bundled } from '../generator/src/paths.js';
import { scaffold } from '../generator/src/render/scaffold.js';
import { readSpecSources } from '../generator/src/spec/read-spec-folder.js';
import { readSchema, validate } from '../generator/src/spec/validate.js';

/** The README shows real output; these keep it true. */
const readme = readFileSync(join(bundled.root, 'README.md'), 'utf8');

function block(after: string, lang: string): string {
  const start = readme.indexOf(after);
  expect(start, `README section "${after}"`).toBeGreaterThanOrEqual(0);
  const open = readme.indexOf('```' + lang + '\n', start);
  const close = readme.indexOf('\n```', open + 4 + lang.length);
  return readme.slice(open + 4 + lang.length, close + 1);
}

describe('README', () => {
  const sources = readSpecSources(bundled.specDir, bundled.root);
  const loaded = load(sources);
  const model = buildModel(loaded.files);

  it('starts with the two commands that set up and run everything', () => {
    const commands = block('# ddikit', 'sh')
      .split('\n')
      .filter(Boolean)
      .map((line) => line.replace(/\s+#.*$/, ''));
    expect(commands).toEqual(['npm install && npm start', 'npm test']);
  });

  it('quotes the C header as generated', () => {
    const header = readFileSync(join(bundled.outDir, 'include/ndis_roles.h'), 'utf8');
    expect(header).toContain(block('The C header', 'c'));
  });

  it('quotes the WDK-example scaffold as generated', () => {
    const result = scaffold(
      model,
      [
        { role: 'MINIPORT_SYNCHRONIZE_INTERRUPT', name: 'MySynchronizeInterrupt' },
        { role: 'MINIPORT_SYNCHRONIZE_MESSAGE_INTERRUPT', name: 'MySynchronizeMessageInterrupt' },
      ],
      'c',
      'sync',
    );
    const shown = block('And the scaffold, for the names', 'c');
    const [h, c] = shown.split('\n/* driver/sync.c */\n') as [string, string];
    const files = Object.fromEntries(result.files.map((f) => [f.path, f.content]));
    expect(files['sync.h']).toContain(h.replace('/* driver/sync.h */\n', ''));
    expect(files['sync.c']).toContain(c);
  });

  it('shows a diagnostic exactly as ddikit prints it', () => {
    const shown = block('A diagnostic reads', 'text').trim();
    const broken = sources.map((s) =>
      s.path.endsWith('interrupts.yaml')
        ? {
            ...s,
            text: s.text.replace(
              '    irql:\n      runsAt: DIRQL\n      same: true\n      note: The DIRQL',
              '    irql:\n      runsAt: DIRQ\n      same: true\n      note: The DIRQL',
            ),
          }
        : s,
    );
    const again = load(broken);
    const lines = sortDiagnostics([
      ...again.diagnostics,
      ...validate(again.files, { schema: readSchema(bundled.schemaPath) }),
    ]).map(formatDiagnostic);
    expect(lines).toEqual([shown]);
  });

  it('states the model counts that generate prints', () => {
    const variants = model.roles.filter((r) => r.variantOf).length;
    expect(readme).toContain(
      `model       ${model.roles.length} roles (${variants} variant${variants === 1 ? '' : 's'}), ${model.functions.length} functions, ${model.types.length} types, ${model.constants.length} constants`,
    );
  });

  it('shows the coverage table that ddikit coverage prints', () => {
    const shown = block('`npx ddikit coverage` prints', 'text');
    const table = formatCoverage(coverage(model, loaded.files)).split('\n\n')[0]!;
    expect(shown).toBe(`${table}\n`);
  });
});
