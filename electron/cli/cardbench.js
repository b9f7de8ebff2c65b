#!/usr/bin/env node
// The installed `cardbench` command: runs the bundled CLI (out/main/cli.js). From a checkout,
// `npm run cardbench -- <args>` runs the TypeScript source instead and needs no build.
import { existsSync } from 'node:fs';

const built = new URL('../../out/main/cli.js', import.meta.url);
if (!existsSync(built)) {
  process.stderr.write('cardbench: not built yet: run `npm run build` first (or `npm run cardbench -- <args>` from a checkout).\n');
  process.exit(3);
}
await import(built.href);
