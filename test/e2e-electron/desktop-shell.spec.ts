/**
 * The desktop app for real, where an Electron binary exists. Here (no binary) every test skips
 * with the resolver's reason printed. The binary is resolved by the same helper `npm start` uses,
 * never through require('electron') (which would try to download one). The app is launched as
 * users get it, with Chromium's sandbox on, unless the host cannot give one (root, user
 * namespaces closed and no setuid helper): then it says why and the sandbox test skips.
 * Before launching, pcsclite is built for Electron as `npm start` does, so the PC/SC backend is
 * the real one: running, or pcscd's own "not running" — never a native-module failure.
 */
import { _electron as electron, expect, test, type ElectronApplication, type Page } from '@playwright/test';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AppInfo } from '#core/ipc/app-info.js';
import { pcscErrorByCode } from '../../electron/backend/pcsc/pcsc-errors.js';
import { resolveElectronBinary } from '../../electron/cli/electron-binary.js';
import { electronSandboxSupport, readSandboxFacts } from '../../electron/cli/electron-sandbox.js';
import { readElectronTarget } from '../../electron/tooling/electron-target.js';
import { ensureElectronPcsclite, type EnsureResult } from '../../electron/tooling/pcsclite-electron-build.js';
import { REPO_ROOT } from '../shared-path.js';

const binary = resolveElectronBinary({
  platform: process.platform,
  env: process.env,
  electronPackageDir: join(REPO_ROOT, 'node_modules', 'electron'),
  exists: existsSync,
  readText: (path) => (existsSync(path) ? readFileSync(path, 'utf8') : undefined),
});
const skipReason = binary.found ? undefined : `no Electron binary on this machine: ${binary.reason}`;
if (skipReason) console.log(`[skip] e2e-electron: ${skipReason}`);

const sandbox = binary.found ? electronSandboxSupport(readSandboxFacts(binary.path)) : undefined;
const noSandboxReason = sandbox && !sandbox.sandbox ? sandbox.reason : undefined;
if (noSandboxReason) console.log(`[e2e-electron] launching with --no-sandbox: ${noSandboxReason}`);

/** What the status bar says when pcscd is not running (SCARD_E_NO_SERVICE). */
const PCSC_NOT_RUNNING = pcscErrorByCode(0x8010001d)!.advice;

test.describe('desktop app', () => {
  test.skip(skipReason !== undefined, skipReason);
  let app: ElectronApplication;
  let page: Page;
  let pcscBuild: EnsureResult | undefined;

  test.beforeAll(async () => {
    if (!binary.found) return;
    test.setTimeout(180_000);
    const target = readElectronTarget(REPO_ROOT);
    if (target.ok) {
      pcscBuild = await ensureElectronPcsclite({
        projectRoot: REPO_ROOT,
        target: target.target,
        progress: (line) => console.log(`[e2e-electron] ${line}`),
      });
    }
    const args = noSandboxReason ? [REPO_ROOT, '--no-sandbox'] : [REPO_ROOT];
    app = await electron.launch({ executablePath: binary.path, args });
    page = await app.firstWindow();
    await expect(page.locator('[data-ready="true"]')).toBeVisible();
  });
  test.afterAll(async () => app?.close());

  test('runs with the sandbox on', async () => {
    test.skip(noSandboxReason !== undefined, `this host cannot sandbox Electron: ${noSandboxReason}`);
    expect(await app.evaluate(({ app: electronApp }) => electronApp.commandLine.hasSwitch('no-sandbox'))).toBe(false);
  });

  test('loads the Electron build of pcsclite: PC/SC is running or pcscd is not, never a native-module failure', async () => {
    expect(pcscBuild, 'pcsclite could not be built for Electron (see the log above)').toMatchObject({
      state: expect.stringMatching(/ready|built/),
    });
    const info = (await page.evaluate(async () => {
      const bridge = (window as unknown as { cardbenchBridge: { call(c: string, a: unknown): Promise<{ result: unknown }> } })
        .cardbenchBridge;
      return (await bridge.call('app.info', {})).result;
    })) as AppInfo;
    const pcsc = info.backends.pcsc;
    if (!pcsc.available) expect(pcsc.reason).toBe(PCSC_NOT_RUNNING);
    const line = page.locator('[data-backend="PC/SC"]');
    await expect(line).toBeVisible();
    await expect(line).not.toContainText(/pcsclite|could not be loaded|NODE_MODULE_VERSION|self-register/);
  });

  test('serves the renderer from app:// with the CSP header', async () => {
    expect(page.url()).toMatch(/^app:\/\/cardbench\//);
    const csp = await page.evaluate(async () => (await fetch('/index.html')).headers.get('content-security-policy'));
    expect(csp).toContain("script-src 'self'");
  });

  test('exposes only the contract bridge: no Node, no Electron', async () => {
    const globals = await page.evaluate(() => ({
      bridge: Object.keys((window as unknown as { cardbenchBridge: object }).cardbenchBridge).sort(),
      require: typeof (window as unknown as { require?: unknown }).require,
      process: typeof (window as unknown as { process?: unknown }).process,
    }));
    expect(globals).toEqual({ bridge: ['call', 'subscribe'], require: 'undefined', process: 'undefined' });
  });

  test('answers app.info over IPC and refuses bad arguments with a typed error', async () => {
    const answers = await page.evaluate(async () => {
      const bridge = (window as unknown as { cardbenchBridge: { call(c: string, a: unknown): Promise<unknown> } }).cardbenchBridge;
      return [await bridge.call('app.info', {}), await bridge.call('app.info', { x: 1 }), await bridge.call('nope', {})];
    });
    expect(answers[0]).toMatchObject({ ok: true, result: { shell: 'electron', backends: { electron: { available: true } } } });
    expect(answers[1]).toMatchObject({ ok: false, error: { code: 'invalid-arguments' } });
    expect(answers[2]).toMatchObject({ ok: false, error: { code: 'unknown-channel' } });
  });

  test('denies navigation away, new windows and permissions', async () => {
    const before = page.url();
    // The window's own will-navigate handler decides first; a listener added after it reads its verdict.
    const navigation = await app.evaluate(
      ({ BrowserWindow }) =>
        new Promise<{ url: string; denied: boolean }>((resolve) => {
          const contents = BrowserWindow.getAllWindows()[0]!.webContents;
          contents.once('will-navigate', (event) => resolve({ url: event.url, denied: event.defaultPrevented }));
          void contents.executeJavaScript("window.location.href = 'https://example.com/'");
        }),
    );
    expect(navigation).toEqual({ url: 'https://example.com/', denied: true });
    expect(page.url()).toBe(before);
    expect(await page.evaluate(() => window.open('https://example.com/') === null)).toBe(true);
    expect(app.windows()).toHaveLength(1);
    const permission = await page.evaluate(async () => (await navigator.permissions.query({ name: 'geolocation' })).state);
    expect(permission).not.toBe('granted');
  });
});
