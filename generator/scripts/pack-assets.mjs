#!/usr/bin/env node
// Run by npm around `npm pack` / `npm publish` of the generator: `copy` puts the bundled spec
// (YAML, rule table, JSON Schema, format README), the templates and the example driver into the package, next to
// dist/, where the generator looks for them; `remove` takes them out of the checkout again.
import { cpSync, existsSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDir = dirname(dirname(fileURLToPath(import.meta.url)));
const checkout = dirname(packageDir);
const assets = ['spec', 'templates', 'examples'];
/** What of each folder ships: all of it, or the named files (the example driver `ddikit init` copies). */
const only = { examples: ['e1000-line.ts', 'lib/e1000-rings.ts'] };
const action = process.argv[2];

if (action === 'copy') {
  if (!existsSync(join(packageDir, 'dist', 'cli.js'))) {
    process.stderr.write('pack-assets: generator/dist is missing; run "npm run build" at the repository root first.\n');
    process.exit(1);
  }
  for (const name of assets) {
    rmSync(join(packageDir, name), { recursive: true, force: true });
    for (const file of only[name] ?? ['.']) {
      cpSync(join(checkout, name, file), join(packageDir, name, file), { recursive: true });
    }
  }
} else if (action === 'remove') {
  for (const name of assets) rmSync(join(packageDir, name), { recursive: true, force: true });
} else {
  process.stderr.write('usage: pack-assets.mjs copy|remove\n');
  process.exit(2);
}
