/**
 * The whole NDIS reference (../shared/ddi-docs/ndis): every page imports without error, and the
 * committed spec/ndis/imported/ is exactly what importing it gives. Skipped, saying so, where the
 * pages are absent (a clone outside the shared layout).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../generator/src/diagnostics.js';
import { importedFiles } from '../../generator/src/import/emit.js';
import { importDocs } from '../../generator/src/import/import-docs.js';
import { bundled } from '../../generator/src/paths.js';

const pagesDir = join(bundled.root, '..', 'shared', 'ddi-docs', 'ndis');
const importedDir = join(bundled.specDir, 'ndis', 'imported');
const present = existsSync(pagesDir);

describe.skipIf(!present)(
  `the NDIS reference pages${present ? '' : ` (skipped: not found at ${pagesDir}; CI has them at ../shared from the repository root)`}`,
  () => {
    const started = performance.now();
    const pages = present
      ? readdirSync(pagesDir)
          .filter((n) => n.endsWith('.md') && n !== 'README.md')
          .sort()
          .map((n) => ({
            path: relative(bundled.root, join(pagesDir, n)).split('\\').join('/'),
            text: readFileSync(join(pagesDir, n), 'utf8'),
          }))
      : [];
    const result = importDocs(pages);
    const elapsedMs = performance.now() - started;

    it('imports every page without an error; the two warnings are the NDIS 5.x twin and a "..." parameter', () => {
      expect(pages.length).toBe(606);
      expect(result.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic)).toEqual([]);
      expect(result.diagnostics.map((d) => `${d.file.replace(/^.*\//, '')} ${d.code}`)).toEqual([
        'nf-ndis-ndismresetcomplete.md DDI3006',
        'nf-ndis-ndiswriteerrorlogentry.md DDI3007',
      ]);
      // Reading 606 pages takes well under a second; the bound only catches a runaway.
      expect(elapsedMs).toBeLessThan(20_000);
    });

    it('has an entry for every page but the header overview and the NDIS 5.x twin', () => {
      expect(result.summary.byKind).toEqual({ role: 136, function: 367, struct: 95, enum: 6 });
      expect(result.summary.skipped).toBe(1);
      expect(result.summary.irql).toEqual({ resolved: 473, conditional: 12, unknown: 18, fromRemarks: 20 });
    });

    it('matches the committed spec/ndis/imported/ byte for byte (rerun ddikit import-docs after changing the importer)', () => {
      expect(readdirSync(importedDir).sort()).toEqual(importedFiles.map((f) => f.path).sort());
      for (const file of result.files) {
        expect(
          readFileSync(join(importedDir, file.path), 'utf8'),
          `${file.path} is stale: run "npx ddikit import-docs ../shared/ddi-docs/ndis --out spec/ndis/imported"`,
        ).toBe(file.content);
      }
    });

    it('commits facts only: no description, and every parameter, link and level a page states', () => {
      const text = result.files.map((f) => f.content).join('\n');
      expect(text).not.toMatch(/^\s*description:/m);
      const functions = new Map(
        (parse(result.files.find((f) => f.path === 'functions.yaml')!.content).functions as { name: string }[]).map(
          (f) => [f.name, f],
        ),
      );
      expect(functions.get('NdisMSynchronizeWithInterruptEx')).toEqual({
        name: 'NdisMSynchronizeWithInterruptEx',
        page: 'nf-ndis-ndismsynchronizewithinterruptex.md',
        since: 'NDIS 6.0',
        params: [
          { name: 'NdisInterruptHandle', dir: 'in' },
          { name: 'MessageId', dir: 'in' },
          { name: 'SynchronizeFunction', dir: 'in' },
          { name: 'SynchronizeContext', dir: 'in' },
        ],
        returns: { type: 'BOOLEAN' },
        irql: { max: 'DIRQL' },
        compliance: ['NdisMDeregisterInterruptEx'],
        seeAlso: ['MINIPORT_ISR', 'MINIPORT_SYNCHRONIZE_INTERRUPT', 'NdisMRegisterInterruptEx'],
      });
      expect(functions.get('NdisAcquireSpinLock')).toMatchObject({
        macro: true,
        params: [{ name: 'SpinLock', dir: 'in' }],
        irql: { max: 'DISPATCH_LEVEL' },
      });
      expect(functions.get('NdisMResetComplete')).toMatchObject({
        page: 'nf-ndis-ndismresetcomplete~r1.md',
        irql: { max: 'DISPATCH_LEVEL' },
      });
    });
  },
);
