/**
 * What @ddikit/ndis weighs in a consumer's project, each figure against a baseline of the same run
 * (run `npm run build` first: it measures the built package):
 *
 * - a bundle (esbuild, minified, ESM) of a module importing only MINIPORT_SYNCHRONIZE_INTERRUPT,
 *   against a bundle of the whole package (`import * as ndis`): target at most 25 kB;
 * - `tsc --noEmit` of a 12-line consumer with `skipLibCheck: false` (tsc's default) against the
 *   same consumer with `skipLibCheck: true`: target at most 1.3×;
 * - the packed size of @ddikit/ndis (`npm pack --dry-run`) against its files' unpacked size, with
 *   the target of at most half the 357 kB it packed to before the CommonJS build and the trimmed
 *   file list (a figure of an earlier version, so not measured here).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { Result } from './harness.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const ndisDir = join(root, 'packages/ndis');
const bench = 'weight';

/** Packed size of @ddikit/ndis before this layout, in bytes. */
const packedBeforeBytes = 357_000;

async function bundleBytes(source: string): Promise<number> {
  const result = await build({
    stdin: { contents: source, resolveDir: root, loader: 'ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'neutral',
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles.reduce((sum, file) => sum + file.contents.byteLength, 0);
}

const consumer = `import {
  MINIPORT_ISR,
  MINIPORT_SYNCHRONIZE_INTERRUPT,
  NDIS_STATUS_SUCCESS,
  type NDIS_HANDLE,
} from '@ddikit/ndis';

export const isr = MINIPORT_ISR('MyIsr', (context, queueDpc) => {
  queueDpc.value = context !== null;
  return true;
});
export const sync = MINIPORT_SYNCHRONIZE_INTERRUPT('MySync', (context: NDIS_HANDLE) => context !== null);
export const ok: number = NDIS_STATUS_SUCCESS;
`;

/** A consumer project whose node_modules/@ddikit/ndis is the built package; returns its tsconfig paths. */
function consumerProject(dir: string): { checked: string; skipped: string } {
  mkdirSync(join(dir, 'node_modules/@ddikit'), { recursive: true });
  symlinkSync(ndisDir, join(dir, 'node_modules/@ddikit/ndis'), 'dir');
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
  writeFileSync(join(dir, 'consumer.ts'), consumer);
  const options = { module: 'nodenext', target: 'ES2022', strict: true, noEmit: true, types: [] };
  const checked = join(dir, 'tsconfig.checked.json');
  const skipped = join(dir, 'tsconfig.skipped.json');
  writeFileSync(
    checked,
    JSON.stringify({ compilerOptions: { ...options, skipLibCheck: false }, files: ['consumer.ts'] }),
  );
  writeFileSync(
    skipped,
    JSON.stringify({ compilerOptions: { ...options, skipLibCheck: true }, files: ['consumer.ts'] }),
  );
  return { checked, skipped };
}

function tscMs(tsc: string, project: string): number {
  const started = process.hrtime.bigint();
  const ran = spawnSync(process.execPath, [tsc, '-p', project], { encoding: 'utf8' });
  if (ran.status !== 0) throw new Error(`tsc -p ${project} failed:\n${ran.stdout}${ran.stderr}`);
  return Number(process.hrtime.bigint() - started) / 1e6;
}

function packed(): { size: number; unpackedSize: number } {
  const ran = spawnSync('npm', ['pack', '--dry-run', '--json', '--loglevel=error'], { cwd: ndisDir, encoding: 'utf8' });
  if (ran.status !== 0) throw new Error(`npm pack --dry-run failed:\n${ran.stderr}`);
  const [pack] = JSON.parse(ran.stdout) as { size: number; unpackedSize: number }[];
  return pack!;
}

export async function benchWeight(): Promise<Result[]> {
  const one = await bundleBytes(`import { MINIPORT_SYNCHRONIZE_INTERRUPT } from '@ddikit/ndis';
console.log(MINIPORT_SYNCHRONIZE_INTERRUPT);`);
  const all = await bundleBytes(`import * as ndis from '@ddikit/ndis';
console.log(ndis);`);

  const work = mkdtempSync(join(tmpdir(), 'ddikit-weight-'));
  const tsc = join(root, 'node_modules/typescript/bin/tsc');
  const rounds = 3;
  const ratios: number[] = [];
  let checkedMs = 0;
  let skippedMs = 0;
  try {
    const { checked, skipped } = consumerProject(work);
    tscMs(tsc, skipped);
    for (let i = 0; i < rounds; i++) {
      const a = tscMs(tsc, checked);
      const b = tscMs(tsc, skipped);
      checkedMs += a / rounds;
      skippedMs += b / rounds;
      ratios.push(a / b);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const ratio = ratios.sort((x, y) => x - y)[Math.floor(ratios.length / 2)]!;
  const pack = packed();
  const kB = (bytes: number): number => bytes / 1000;
  return [
    { bench, metric: 'bundle: import * as ndis (baseline)', value: kB(all), unit: 'kB', target: '-', met: true },
    {
      bench,
      metric: 'bundle: MINIPORT_SYNCHRONIZE_INTERRUPT only',
      value: kB(one),
      unit: 'kB',
      target: '≤ 25 kB',
      met: one <= 25_000,
    },
    {
      bench,
      metric: 'tsc consumer, skipLibCheck: true (baseline)',
      value: skippedMs,
      unit: 'ms',
      target: '-',
      met: true,
    },
    { bench, metric: 'tsc consumer, skipLibCheck: false', value: checkedMs, unit: 'ms', target: '-', met: true },
    { bench, metric: 'skipLibCheck false / true', value: ratio, unit: '×', target: '≤ 1.3×', met: ratio <= 1.3 },
    {
      bench,
      metric: '@ddikit/ndis unpacked (baseline)',
      value: kB(pack.unpackedSize),
      unit: 'kB',
      target: '-',
      met: true,
    },
    {
      bench,
      metric: '@ddikit/ndis packed',
      value: kB(pack.size),
      unit: 'kB',
      target: `≤ ${kB(packedBeforeBytes / 2)} kB`,
      met: pack.size <= packedBeforeBytes / 2,
    },
  ];
}
