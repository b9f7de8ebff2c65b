import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CliError, EXIT } from './exit-codes.js';

/**
 * Where the code asking runs from: source (electron/cli, through tsx), the bundled entry
 * (out/main/cli.js) or a chunk the bundler split off (out/main/chunks/*.js: the commands are
 * loaded on demand). Each place names the build folders relative to itself.
 */
const APP_ROOTS_FROM = [
  ['..', '..'], // electron/cli → the checkout
  ['..', '..', '..'], // out/main/chunks → the app folder
  ['..', '..'], // out/main → the app folder
] as const;

function appRootCandidates(fromDir: string): string[] {
  return [...new Set(APP_ROOTS_FROM.map((up) => resolve(fromDir, ...up)))];
}

/** The renderer build (out/renderer), wherever this file was bundled to. */
export function locateRendererBuild(fromDir: string = import.meta.dirname): string {
  const candidates = appRootCandidates(fromDir).map((root) => join(root, 'out', 'renderer'));
  const found = candidates.find((dir) => existsSync(join(dir, 'index.html')));
  if (!found) {
    throw new CliError('The renderer is not built yet: run `npm run build` first (`npm run web` builds and serves it).', EXIT.unavailable);
  }
  return found;
}

/** The app folder Electron is started with (its package.json names out/main/index.js). */
export function locateAppRoot(fromDir: string = import.meta.dirname): string {
  const found = appRootCandidates(fromDir).find((dir) => existsSync(join(dir, 'out', 'main', 'index.js')));
  if (!found) throw new CliError('The desktop app is not built yet: run `npm run build` first.', EXIT.unavailable);
  return found;
}
