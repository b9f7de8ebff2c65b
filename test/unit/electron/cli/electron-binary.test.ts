import { describe, expect, it } from 'vitest';
import { resolveElectronBinary, type ElectronBinaryEnvironment } from '../../../../electron/cli/electron-binary.js';
import { browserOpener } from '../../../../electron/cli/open-browser.js';

function environment(files: Record<string, string>, overrides: Partial<ElectronBinaryEnvironment> = {}): ElectronBinaryEnvironment {
  return {
    platform: 'linux',
    env: {},
    electronPackageDir: '/app/node_modules/electron',
    exists: (path) => Object.hasOwn(files, path),
    readText: (path) => files[path],
    ...overrides,
  };
}

describe('resolveElectronBinary', () => {
  it('finds the binary the package recorded in path.txt', () => {
    const env = environment({ '/app/node_modules/electron/path.txt': 'electron', '/app/node_modules/electron/dist/electron': '' });
    expect(resolveElectronBinary(env)).toEqual({ found: true, path: '/app/node_modules/electron/dist/electron' });
  });

  it('explains a missing binary instead of downloading one', () => {
    const verdict = resolveElectronBinary(environment({}));
    expect(verdict.found).toBe(false);
    if (!verdict.found) {
      expect(verdict.reason).toContain("Electron's binary is not installed");
      expect(verdict.reason).toContain('ELECTRON_OVERRIDE_DIST_PATH');
    }
  });

  it('prefers ELECTRON_OVERRIDE_DIST_PATH and says when it points nowhere', () => {
    const files = { '/opt/electron/electron': '' };
    expect(resolveElectronBinary(environment(files, { env: { ELECTRON_OVERRIDE_DIST_PATH: '/opt/electron' } }))).toEqual({
      found: true,
      path: '/opt/electron/electron',
    });
    const missing = resolveElectronBinary(environment({}, { env: { ELECTRON_OVERRIDE_DIST_PATH: '/nowhere' } }));
    expect(missing).toMatchObject({ found: false, reason: expect.stringContaining('/nowhere/electron') });
  });

  it('uses the platform executable name when path.txt is absent', () => {
    const files = { '/e/dist/Electron.app/Contents/MacOS/Electron': '' };
    expect(resolveElectronBinary(environment(files, { platform: 'darwin', electronPackageDir: '/e' }))).toMatchObject({ found: true });
  });

  it('says to install dependencies when the package is missing', () => {
    expect(resolveElectronBinary(environment({}, { electronPackageDir: undefined }))).toMatchObject({
      found: false,
      reason: expect.stringContaining('npm ci'),
    });
  });
});

describe('browserOpener', () => {
  it('uses the platform opener', () => {
    expect(browserOpener('darwin', {})).toEqual({ command: 'open', args: [] });
    expect(browserOpener('linux', { DISPLAY: ':0' })).toEqual({ command: 'xdg-open', args: [] });
  });

  it('does not try on a Linux box without a graphical session', () => {
    expect(browserOpener('linux', {})).toMatchObject({ reason: expect.stringContaining('DISPLAY') });
  });
});
