import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CliError, EXIT } from './exit-codes.js';

/**
 * The CLI runs either from source (tsx electron/cli/main.ts) or bundled (out/main/cli.js); the
 * renderer build is out/renderer in both cases, found relative to this file.
 */
export function locateRendererBuild(fromDir: string = import.meta.dirname): string {
  const candidates = [resolve(fromDir, '..', 'renderer'), resolve(fromDir, '..', '..', 'out', 'renderer')];
  const found = candidates.find((dir) => existsSync(join(dir, 'index.html')));
  if (!found) {
    throw new CliError('The renderer is not built yet: run `npm run build` first (`npm run web` builds and serves it).', EXIT.unavailable);
  }
  return found;
}

/** The app folder Electron is started with (its package.json names out/main/index.js). */
export function locateAppRoot(fromDir: string = import.meta.dirname): string {
  const candidates = [resolve(fromDir, '..', '..'), resolve(fromDir, '..', '..', '..')];
  const found = candidates.find((dir) => existsSync(join(dir, 'out', 'main', 'index.js')));
  if (!found) throw new CliError('The desktop app is not built yet: run `npm run build` first.', EXIT.unavailable);
  return found;
}
