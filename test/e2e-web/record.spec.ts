/**
 * Recording a session in Chromium against `cardbench web` and its built-in virtual reader: the
 * Console starts it (button and Alt+Shift+R), the status bar shows the red dot, the file name and
 * the packet count as exchanges go,
 * and Stop downloads a .pcapng that tshark 4.0 decodes as those exchanges.
 */
import { readFileSync } from 'node:fs';
import { expect, test } from './web-server-fixture.js';
import type { Page } from '@playwright/test';
import { tsharkInfo, tsharkUnavailableReason } from '../support/tshark.js';

const VIRTUAL_READER = 'Cardbench Virtual Pinpad';

async function send(page: Page, apdu: string): Promise<void> {
  const before = await page.getByTestId('responses').locator('.outcome').count();
  await page.locator('#apdu-input').fill(apdu);
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  await expect(page.getByTestId('responses').locator('.outcome')).toHaveCount(before + 1, { timeout: 10_000 });
}

const noTshark = tsharkUnavailableReason();
if (noTshark) console.warn(`[skip] tshark check of the downloaded recording: ${noTshark}`);

test.describe('Recording from the Console on the built-in virtual reader', () => {
  test('Record → red dot, file name, packet count → Stop downloads a .pcapng tshark reads as the exchanges', async ({ page, webMode }) => {
    await page.goto(`${webMode.url}#/console`);
    await expect(page.locator('[data-ready="true"]')).toBeVisible();
    await expect(page.getByTestId('console-workbench')).toBeVisible({ timeout: 15_000 });
    await page.getByTestId('console-workbench').getByLabel('Reader', { exact: true }).selectOption({ label: VIRTUAL_READER });

    // The shell's key starts it (focus outside a text field).
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('Alt+Shift+R');
    const indicator = page.getByTestId('recording-indicator');
    await expect(indicator).toBeVisible();
    await expect(indicator).toContainText(/Recording cardbench-session-.*\.pcapng · 0\s+packets/);
    await expect(page.getByRole('button', { name: /Stop recording/ })).toBeVisible();

    await send(page, '00A4040006D27600012401');
    await send(page, '00CA006E00');
    // ATR + 2 × (command, response).
    await expect(page.getByTestId('recording-packets')).toHaveText('5');

    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: /Stop recording/ }).click();
    const file = await (await download).path();
    await expect(indicator).toBeHidden();
    await expect(page.getByTestId('record-controls')).toContainText(/Downloaded cardbench-session-.*\.pcapng \(5 packets\)\./);

    const bytes = readFileSync(file);
    expect(bytes.subarray(0, 4).toString('hex')).toBe('0a0d0d0a');
    if (noTshark) return;
    const info = tsharkInfo(file);
    expect(info[0]).toMatch(/^ATR/);
    expect(info.slice(1)).toEqual(['Select file', 'Response APDU (to Select file)', 'Get data', 'Response APDU (to Get data)']);
  });
});
