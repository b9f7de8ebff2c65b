/**
 * The desktop app for real, where an Electron binary exists. Here (no binary) every test skips
 * with the resolver's reason printed. The binary is resolved by the same helper `npm start` uses,
 * never through require('electron') (which would try to download one).
 */
import { _electron as electron, expect, test, type ElectronApplication, type Page } from '@playwright/test';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveElectronBinary } from '../../electron/cli/electron-binary.js';
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

test.describe('desktop app security', () => {
  test.skip(skipReason !== undefined, skipReason);
  let app: ElectronApplication;
  let page: Page;

  test.beforeAll(async () => {
    if (!binary.found) return;
    app = await electron.launch({ executablePath: binary.path, args: [REPO_ROOT, '--no-sandbox'] });
    page = await app.firstWindow();
    await expect(page.locator('[data-ready="true"]')).toBeVisible();
  });
  test.afterAll(async () => app?.close());

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
    await page.evaluate(() => {
      window.location.href = 'https://example.com/';
    });
    await page.waitForTimeout(300);
    expect(page.url()).toBe(before);
    expect(await page.evaluate(() => window.open('https://example.com/') === null)).toBe(true);
    expect(app.windows()).toHaveLength(1);
    const permission = await page.evaluate(async () => (await navigator.permissions.query({ name: 'geolocation' })).state);
    expect(permission).not.toBe('granted');
  });
});
