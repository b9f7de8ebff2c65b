import { VPCD_READER, pcscdRigUnavailableReason, startPcscd } from '../rigs/pcscd-rig.js';
import { expect, test } from './web-server-fixture.js';

test.describe('browser mode shell', () => {
  test('serves all four workbenches, reachable by mouse and keyboard', async ({ page, webMode }) => {
    await page.goto(webMode.url);
    await expect(page.locator('[data-ready="true"]')).toBeVisible();
    // The token was traded for an HttpOnly cookie: it is gone from the address bar and from script.
    expect(page.url()).toBe(`${webMode.origin}/`);
    expect(await page.evaluate(() => document.cookie)).toBe('');
    const tabs = page.getByRole('tab');
    await expect(tabs).toHaveText(['Readers', 'Console', 'Pinpad', 'Captures']);

    for (const [name, text] of [
      ['Readers', 'Cardbench Virtual Pinpad'],
      ['Console', 'Cardbench Virtual Pinpad'],
      ['Pinpad', 'What it offers for PIN entry'],
      ['Captures', 'No capture open'],
    ] as const) {
      await page.getByRole('tab', { name }).click();
      await expect(page.getByRole('tabpanel')).toContainText(text);
    }

    // Browser mode: Ctrl+2 is the browser's (its second tab); Alt+Shift+2 is Cardbench's (shell-look.spec.ts).
    await page.keyboard.press('Alt+Shift+2');
    await expect(page.getByRole('tabpanel')).toHaveAttribute('data-workbench', 'console');
    await page.keyboard.press('ArrowRight');
    await expect(page.getByRole('tabpanel')).toHaveAttribute('data-workbench', 'pinpad');
    await expect(page.getByRole('tab', { name: 'Pinpad' })).toBeFocused();

    await page.reload();
    await expect(page.getByRole('tabpanel')).toHaveAttribute('data-workbench', 'pinpad');
  });

  test('the status bar says which backends are missing and why', async ({ page, webMode }) => {
    await page.goto(webMode.url);
    const status = page.getByRole('contentinfo');
    await expect(status).toContainText('PC/SC service not running');
    await expect(status).toContainText('USB');
    await expect(status).toContainText('browser mode');
    await page.screenshot({ path: 'test/.results/browser-mode-shell.png' });
  });

  test('refuses requests without the token', async ({ request, webMode }) => {
    const bare = await request.get(`${webMode.origin}/`, { maxRedirects: 0 });
    expect(bare.status()).toBe(401);
    expect(await bare.text()).toContain('access token');
    const asset = await request.get(`${webMode.origin}/index.html`);
    expect(asset.status()).toBe(401);
    const wrongHost = await request.get(webMode.url.replace('127.0.0.1', 'localhost').replace(/token=.*/, 'token=nope'));
    expect(wrongHost.status()).toBe(401);
  });

  test('a page of another origin cannot open the WebSocket, and garbage closes only that socket', async ({ page, webMode }) => {
    await page.goto(webMode.url);
    await expect(page.locator('[data-ready="true"]')).toBeVisible();
    const closeCode = await page.evaluate(
      (origin) =>
        new Promise<number>((resolve) => {
          const ws = new WebSocket(origin.replace('http', 'ws') + '/ws');
          ws.onopen = () => ws.send('this is not a request');
          ws.onclose = (event) => resolve(event.code);
        }),
      webMode.origin,
    );
    expect(closeCode).toBe(1008);
    expect(webMode.output()).toContain('websocket closed: frame is not JSON');
    // The app's own connection and the server are unaffected.
    await page.getByRole('tab', { name: 'Captures' }).click();
    await page.reload();
    await expect(page.locator('[data-ready="true"]')).toBeVisible();
  });

  test('shows PC/SC becoming available when pcscd starts', async ({ page, webMode }) => {
    const unavailable = pcscdRigUnavailableReason();
    test.skip(unavailable !== undefined && process.env.CI !== 'true', `pcscd rig: ${unavailable}`);
    await page.goto(webMode.url);
    const pcsc = page.locator('[data-backend="PC/SC"]');
    await expect(pcsc).not.toHaveClass(/available/);
    const rig = await startPcscd([VPCD_READER]);
    try {
      await expect(pcsc).toHaveClass(/\bavailable\b/, { timeout: 10_000 });
    } finally {
      await rig.stop();
    }
    await expect(pcsc).not.toHaveClass(/\bavailable\b/, { timeout: 10_000 });
  });
});
