import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type { CommandContext } from '../command.js';
import { resolveElectronBinary } from '../electron-binary.js';
import { EXIT } from '../exit-codes.js';
import { locateAppRoot } from '../locate-build.js';
import { runWeb, type WebOptions } from './web.js';

/**
 * Runs the desktop app when Electron's binary is present; otherwise says why and serves browser
 * mode instead. Never triggers the electron package's own download.
 */
export async function runStart(context: CommandContext, webOptions: Omit<WebOptions, 'whyNotElectron'>): Promise<number> {
  const binary = resolveElectronBinary({
    platform: process.platform,
    env: process.env,
    electronPackageDir: findElectronPackageDir(),
    exists: existsSync,
    readText: (path) => (existsSync(path) ? readFileSync(path, 'utf8') : undefined),
  });
  if (!binary.found) {
    context.stderr(`The desktop app cannot start: ${binary.reason}`);
    context.stderr('Starting browser mode instead.');
    return runWeb(context, { ...webOptions, whyNotElectron: binary.reason });
  }
  const appRoot = locateAppRoot();
  const child = spawn(binary.path, [appRoot], { stdio: 'inherit' });
  return new Promise((resolve) => {
    child.on('error', (error) => {
      context.stderr(`Electron failed to start: ${error.message}`);
      resolve(EXIT.failure);
    });
    child.on('exit', (code) => resolve(code ?? EXIT.failure));
  });
}

function findElectronPackageDir(): string | undefined {
  try {
    // Resolve package.json, never the package's index.js (which downloads when the binary is missing).
    return dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  } catch {
    return undefined;
  }
}
