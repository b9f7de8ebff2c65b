import { readFileSync } from 'node:fs';
import { requireShared, sharedPath } from '../shared-path.js';
import { expect, test } from './web-server-fixture.js';

const GCC = sharedPath('captures', 'usbpcap-emv-gcc2024', 'usb.pcapng');
const LABCARD = sharedPath('captures', 'usbmon-qemu-labcard', 'labcard-basic.usbmon.pcapng');
const missing = requireShared('captures', 'usbpcap-emv-gcc2024', 'usb.pcapng');

test.describe('captures workbench in browser mode', () => {
  test.skip(missing !== undefined, missing ?? '');

  test('opens the GCC capture by upload: rows, split DataBlock whole, tree ↔ hex, named EMV transactions', async ({ page, webMode }) => {
    await page.goto(`${webMode.url}#/captures`);
    await expect(page.locator('[data-ready="true"]')).toBeVisible();
    await page
      .getByTestId('capture-file-input')
      .setInputFiles({ name: 'usb.pcapng', mimeType: 'application/octet-stream', buffer: readFileSync(GCC) });
    await expect(page.locator('[data-state="done"]')).toBeVisible();
    await expect(page.getByTestId('capture-summary')).toContainText('426 messages');
    await expect(page.locator('[data-row]').first()).toBeVisible();

    // A DataBlock that came in two transfers is shown whole.
    await page.getByLabel('Message type').selectOption({ label: 'RDR_to_PC_DataBlock (210)' });
    await expect(page.getByTestId('matched')).toContainText('210 shown');
    const list = page.getByRole('listbox', { name: 'messages' });
    await list.focus();
    let detailText = '';
    for (let i = 0; i < 210 && !detailText.includes('rebuilt from 2 transfers'); i++) {
      await page.keyboard.press('ArrowDown');
      // Read the detail only once it belongs to the row now selected.
      const index = await list.locator('[aria-selected="true"]').getAttribute('data-index');
      await expect(page.locator('.detail')).toHaveAttribute('data-for-index', index ?? '');
      detailText = await page.locator('.detail').innerText();
    }
    expect(detailText).toContain('rebuilt from 2 transfers');
    const bytes = Number(/· (\d+) bytes/.exec(detailText)?.[1]);
    // Whole: the header's dwLength accounts for every byte shown (Wireshark shows the first transfer only).
    await expect(page.locator('[data-field="ccid.dwLength"] > .item')).toContainText(`dwLength: ${bytes - 10}`);
    expect(bytes).toBeGreaterThan(32);
    await expect(page.locator('.hexpane [data-offset]')).toHaveCount(bytes);

    // GET PROCESSING OPTIONS: select the INS field, see its byte lit; click a byte, see its field.
    await page.getByLabel('Message type').selectOption('');
    await page.getByLabel('INS (hex)').fill('A8');
    await expect(page.locator('[data-row]').first()).toBeVisible();
    await page.locator('[data-row]').first().click();
    await page.locator('[data-field="iso7816.ins"] > .item .label').click();
    await expect(page.locator('.hexpane .byte.lit')).toHaveCount(1);
    await expect(page.locator('.hexpane .byte.lit')).toHaveText('A8');
    await page.locator('.hexpane [data-offset="0"]').click();
    await expect(page.locator('[data-field="ccid.bMessageType"]')).toHaveAttribute('aria-selected', 'true');
    await page.locator('.hexpane [data-offset="12"]').click();
    await expect(page.locator('[data-field="iso7816.p1"]')).toHaveAttribute('aria-selected', 'true');

    await expect(page.locator('.conversation')).toContainText('GET PROCESSING OPTIONS');
    await expect(page.locator('.conversation')).toContainText('SELECT');
    await page.screenshot({ path: 'test/.results/captures-gcc.png' });
  });

  test('opens a capture by path and exports a redacted scriptor script', async ({ page, webMode }) => {
    await page.goto(`${webMode.url}#/captures`);
    await page.getByLabel('Capture path').fill(LABCARD);
    await page.getByRole('button', { name: 'Open path' }).click();
    await expect(page.locator('[data-state="done"]')).toBeVisible();
    await expect(page.locator('.conversation')).toContainText('VERIFY');
    await page.getByLabel('Export format').selectOption('script');
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export' }).click();
    const file = await (await download).path();
    const script = readFileSync(file, 'utf8');
    expect(script).toMatch(/^00 A4 /m);
    expect(script).toMatch(/PIN redacted/);
    expect(script).not.toMatch(/^00 20 00 \S+ \S+ /m);
    await page.screenshot({ path: 'test/.results/captures-labcard.png' });
  });
});
