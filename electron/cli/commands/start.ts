import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { electronBuildAdvice } from '../../backend/native/pcsclite-location.js';
import { readElectronTarget } from '../../tooling/electron-target.js';
import { desktopNodeAdvice } from '../../tooling/node-requirements.js';
import { ensureElectronPcsclite } from '../../tooling/pcsclite-electron-build.js';
import type { CommandContext } from '../command.js';
import { resolveElectronBinary } from '../electron-binary.js';
import { electronSandboxSupport, readSandboxFacts } from '../electron-sandbox.js';
import { EXIT } from '../exit-codes.js';
import { locateAppRoot } from '../locate-build.js';
import { runWeb, type WebOptions } from './web.js';

/**
 * Runs the desktop app when Electron's binary is present; otherwise says why and serves browser
 * mode instead. Never triggers the electron package's own download. Before the window opens it
 * makes sure pcsclite is built for Electron (out/native/electron-<abi>/); when that cannot be
 * done (offline, no compiler) the app starts anyway and says what to run.
 */
export async function runStart(context: CommandContext, webOptions: Omit<WebOptions, 'whyNotElectron'>): Promise<number> {
  const electronPackageDir = findElectronPackageDir();
  const binary = resolveElectronBinary({
    platform: process.platform,
    env: process.env,
    electronPackageDir,
    exists: existsSync,
    readText: (path) => (existsSync(path) ? readFileSync(path, 'utf8') : undefined),
  });
  if (!binary.found) {
    context.stderr(`The desktop app cannot start: ${binary.reason}`);
    // Fetching the binary is the next step, and Electron's installer needs a newer Node than the CLI does.
    const nodeAdvice = desktopNodeAdvice(process.version, electronPackageDir ? electronVersionIn(electronPackageDir) : undefined);
    if (nodeAdvice) context.stderr(nodeAdvice);
    context.stderr('Starting browser mode instead.');
    return runWeb(context, { ...webOptions, whyNotElectron: nodeAdvice ? `${binary.reason} ${nodeAdvice}` : binary.reason });
  }
  const appRoot = locateAppRoot();
  await prepareDesktopPcsc(context, appRoot);
  if (context.signal.aborted) return EXIT.interrupted;
  const sandbox = electronSandboxSupport(readSandboxFacts(binary.path));
  if (!sandbox.sandbox) context.stderr(`Electron may refuse to start: ${sandbox.reason}`);
  const child = spawn(binary.path, [appRoot], { stdio: 'inherit' });
  return new Promise((resolve) => {
    child.on('error', (error) => {
      context.stderr(`Electron failed to start: ${error.message}`);
      resolve(EXIT.failure);
    });
    child.on('exit', (code) => resolve(code ?? EXIT.failure));
  });
}

/** Builds pcsclite for Electron when it is missing or stale; a failure is told, never fatal (PC/SC is one feature). */
async function prepareDesktopPcsc(context: CommandContext, appRoot: string): Promise<void> {
  const target = readElectronTarget(appRoot);
  if (!target.ok) {
    context.stderr(`PC/SC in the desktop app: ${target.reason}`);
    return;
  }
  const result = await ensureElectronPcsclite({
    projectRoot: appRoot,
    target: target.target,
    signal: context.signal,
    progress: context.stderr,
  });
  if (result.state !== 'failed' || result.stopped) return;
  context.stderr(result.reason);
  context.stderr(`${electronBuildAdvice(target.target.version)} The desktop app starts without PC/SC meanwhile.`);
}

function findElectronPackageDir(): string | undefined {
  try {
    // Resolve package.json, never the package's index.js (which downloads when the binary is missing).
    return dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  } catch {
    return undefined;
  }
}

function electronVersionIn(packageDir: string): string | undefined {
  try {
    const version = (JSON.parse(readFileSync(`${packageDir}/package.json`, 'utf8')) as { version?: unknown }).version;
    return typeof version === 'string' ? version : undefined;
  } catch {
    return undefined;
  }
}
