/**
 * What @ddikit/ndis weighs in a consumer's project, each figure against a baseline of the same run
 * (run `npm run build` first: it measures the built package):
 *
 * - a bundle (esbuild, minified, ESM) of a module importing only MINIPORT_SYNCHRONIZE_INTERRUPT,
 *   against a bundle of the whole package (`import * as ndis`): target at most 25 kB;
 * - `tsc --noEmit` of a 12-line consumer with `skipLibCheck: false` (tsc's default) against the
 *   same consumer with `skipLibCheck: true`. With the default, tsc also checks its own lib files,
 *   which cost about as much with or without @ddikit/ndis (a consumer that imports nothing is
 *   measured too, with the default); so the target, at most 1.3×, is on the ratio with
 *   `skipDefaultLibCheck: true`, which checks every declaration of the package but not
 *   TypeScript's own. The plain ratio is printed beside it;
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
import { type Result, scaled } from './harness.js';

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

/** The tsconfig variants of a consumer project whose node_modules/@ddikit/ndis is the built package. */
function consumerProject(dir: string): Record<'checked' | 'skipped' | 'packageChecked' | 'empty', string> {
  mkdirSync(join(dir, 'node_modules/@ddikit'), { recursive: true });
  symlinkSync(ndisDir, join(dir, 'node_modules/@ddikit/ndis'), 'dir');
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
  writeFileSync(join(dir, 'consumer.ts'), consumer);
  writeFileSync(join(dir, 'empty.ts'), 'export const nothing = 0;\n');
  const options = { module: 'nodenext', target: 'ES2022', strict: true, noEmit: true, types: [] };
  const project = (name: string, file: string, extra: object): string => {
    const path = join(dir, `tsconfig.${name}.json`);
    writeFileSync(path, JSON.stringify({ compilerOptions: { ...options, ...extra }, files: [file] }));
    return path;
  };
  return {
    checked: project('checked', 'consumer.ts', { skipLibCheck: false }),
    skipped: project('skipped', 'consumer.ts', { skipLibCheck: true }),
    packageChecked: project('package', 'consumer.ts', { skipLibCheck: false, skipDefaultLibCheck: true }),
    empty: project('empty', 'empty.ts', { skipLibCheck: false }),
  };
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
  const rounds = scaled(2, 1);
  const times = {
    checked: [] as number[],
    skipped: [] as number[],
    packageChecked: [] as number[],
    empty: [] as number[],
  };
  try {
    const projects = consumerProject(work);
    for (let i = 0; i < scaled(1, 0); i++) tscMs(tsc, projects.skipped);
    for (let i = 0; i < rounds; i++) {
      for (const key of ['checked', 'skipped', 'packageChecked', 'empty'] as const) {
        times[key].push(tscMs(tsc, projects[key]));
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const median = (values: number[]): number => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)]!;
  /** The median of the per-round ratios: each round's runs share the machine's load. */
  const ratioOf = (a: number[], b: number[]): number => median(a.map((value, i) => value / b[i]!));
  const ratio = ratioOf(times.packageChecked, times.skipped);
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
      value: median(times.skipped),
      unit: 'ms',
      target: '-',
      met: true,
    },
    {
      bench,
      metric: 'tsc consumer, skipLibCheck: false',
      value: median(times.checked),
      unit: 'ms',
      target: '-',
      met: true,
    },
    {
      bench,
      metric: 'tsc, imports nothing, skipLibCheck: false',
      value: median(times.empty),
      unit: 'ms',
      target: '-',
      met: true,
    },
    {
      bench,
      metric: 'skipLibCheck false / true, tsc lib included',
      value: ratioOf(times.checked, times.skipped),
      unit: '×',
      target: '-',
      met: true,
    },
    {
      bench,
      metric: 'skipLibCheck false / true, tsc lib not',
      value: ratio,
      unit: '×',
      target: '≤ 1.3×',
      met: ratio <= 1.3,
    },
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
