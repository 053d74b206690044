#!/usr/bin/env node
// The ddikit command. The generator is built into ../dist by `npm install` (the prepare script).
import { existsSync } from 'node:fs';

const cli = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write(
    'ddikit: the generator is not built. Run "npm install" (or "npm run build") at the repository root.\n',
  );
  process.exit(2);
}
const { run } = await import(cli.href);
await run();
