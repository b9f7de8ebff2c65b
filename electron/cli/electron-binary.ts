import { join } from 'node:path';

/** Facts about the file system the resolver needs, injectable for tests. */
export interface ElectronBinaryEnvironment {
  platform: NodeJS.Platform;
  env: Record<string, string | undefined>;
  /** Folder of the installed `electron` npm package, or undefined when it is not installed. */
  electronPackageDir: string | undefined;
  exists: (path: string) => boolean;
  readText: (path: string) => string | undefined;
}

export type ElectronBinary = { found: true; path: string } | { found: false; reason: string };

const EXECUTABLE_BY_PLATFORM: Partial<Record<NodeJS.Platform, string>> = {
  darwin: 'Electron.app/Contents/MacOS/Electron',
  win32: 'electron.exe',
};

/**
 * Finds Electron's binary the way the `electron` package would, but without its fallback of
 * downloading one (which hangs or fails offline). ELECTRON_OVERRIDE_DIST_PATH wins, as it does
 * for the package and for Playwright.
 */
export function resolveElectronBinary(environment: ElectronBinaryEnvironment): ElectronBinary {
  const { env, electronPackageDir, exists, readText, platform } = environment;
  const recorded = electronPackageDir ? readText(join(electronPackageDir, 'path.txt'))?.trim() : undefined;
  const executable = recorded || EXECUTABLE_BY_PLATFORM[platform] || 'electron';
  const override = env.ELECTRON_OVERRIDE_DIST_PATH;
  if (override) {
    const candidate = join(override, executable);
    return exists(candidate)
      ? { found: true, path: candidate }
      : { found: false, reason: `ELECTRON_OVERRIDE_DIST_PATH is set but ${candidate} does not exist.` };
  }
  if (!electronPackageDir) return { found: false, reason: 'the electron package is not installed (run `npm ci`).' };
  const candidate = join(electronPackageDir, 'dist', executable);
  if (exists(candidate)) return { found: true, path: candidate };
  return {
    found: false,
    reason:
      "Electron's binary is not installed (since Electron 42 `npm install` fetches none). " +
      'Fetch it with `npx install-electron` on a machine with internet access, or point ELECTRON_OVERRIDE_DIST_PATH at an Electron dist folder.',
  };
}
