/**
 * APDU-level traces in the Captures workbench, in Chromium against the built browser-mode backend:
 * a real pcsc-spy log (test/fixtures/pcsc-spy) and an exported-PDU recording open with a row per
 * APDU, response and ATR, the APDU's decode tree over its bytes, the conversation, and the VERIFY
 * PIN masked in the list.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Page } from '@playwright/test';
import { exportedPduRecording, RECORDED_PIN } from '../unit/core/trace/apdu-trace-files.js';
import { expect, test } from './web-server-fixture.js';

const SPY_LOG = resolve(import.meta.dirname, '..', 'fixtures', 'pcsc-spy', 'opensc-tool-piv.pcsc-spy');
const scratch = mkdtempSync(join(tmpdir(), 'cardbench-e2e-apdu-traces-'));

async function openByPath(page: Page, url: string, path: string): Promise<void> {
  await page.goto(`${url}#/captures`);
  await expect(page.locator('[data-ready="true"]')).toBeVisible();
  await page.getByLabel('Capture path').fill(path);
  await page.getByRole('button', { name: 'Open path' }).click();
  await expect(page.locator('[data-state="done"]')).toBeVisible();
}

test.describe('APDU-level traces in the captures workbench', () => {
  test('a pcsc-spy log: the ATR and each APDU as rows, the APDU tree over its bytes, the conversation', async ({ page, webMode }) => {
    await openByPath(page, webMode.url, SPY_LOG);
    await expect(page.getByTestId('capture-summary')).toContainText('43 messages · 21 exchanges');
    const rows = page.locator('[data-row]');
    await expect(rows.first()).toContainText('ATR');
    await expect(rows.nth(1)).toContainText('Command APDU');
    await rows.nth(1).click();
    // 00 A4 04 00 07 62 76 01 FF 00 00 00: twelve bytes, no CCID header around them.
    await expect(page.locator('.hexpane [data-offset]')).toHaveCount(12);
    await page.locator('[data-field="iso7816.ins"] > .item .label').click();
    await expect(page.locator('.hexpane .byte.lit')).toHaveText('A4');
    await expect(page.locator('.conversation')).toContainText('SELECT');
    await expect(page.locator('.conversation')).toContainText('GET DATA');
  });

  test('a recording: commands and responses of both readers, the VERIFY PIN masked in the list', async ({ page, webMode }) => {
    const file = join(scratch, 'recording.pcapng');
    writeFileSync(file, exportedPduRecording());
    await openByPath(page, webMode.url, file);
    await expect(page.getByTestId('capture-summary')).toContainText('11 messages · 4 exchanges · 4');
    const list = page.getByRole('listbox', { name: 'messages' });
    await expect(list).toContainText('VERIFY');
    await expect(list).toContainText('GET DATA  00 CA 00 6E 00');
    await expect(list).toContainText('VERIFY  00 20 00 81 06 ** ** ** ** ** **');
    await expect(list).not.toContainText(RECORDED_PIN.replace(/(..)(?=.)/g, '$1 '));
  });
});
