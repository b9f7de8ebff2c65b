import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireShared, sharedPath } from '../shared-path.js';
import { apduUsbTrace } from '../support/apdu-usb-trace.js';
import { findOverflows } from './overflow-probe.js';
import { expect, test } from './web-server-fixture.js';

/**
 * "Compare with…" in browser mode, in Chromium: the labcard session captured on the host
 * (usbmon) against the same session recorded by QEMU on the device side, uploaded as the page
 * uploads any file: the two traces match, exchange by exchange. Then the pinpad capture by path
 * and by keyboard only: its differences listed, one selected with the arrows and shown in full.
 */
const LABCARD = sharedPath('captures', 'usbmon-qemu-labcard', 'labcard-basic.usbmon.pcapng');
const QEMU = sharedPath('captures', 'usbmon-qemu-labcard', 'labcard-basic.qemu.pcap');
const PINPAD = sharedPath('captures', 'usbmon-qemu-pinpad', 'pinpad-labcard.usbmon.pcap');
const missing = requireShared('captures', 'usbmon-qemu-labcard');

test.describe('captures: compare two traces side by side', () => {
  test.skip(missing !== undefined, missing ?? '');

  test('the two labcard captures match; the pinpad capture differs, browsed by keyboard', async ({ page, webMode }) => {
    await page.goto(`${webMode.url}#/captures`);
    await expect(page.locator('[data-ready="true"]')).toBeVisible();
    await page.getByLabel('Capture path').fill(LABCARD);
    await page.getByRole('button', { name: 'Open path' }).click();
    await expect(page.locator('[data-state="done"]')).toBeVisible();

    await page.getByRole('button', { name: 'Compare with…' }).click();
    await expect(page.getByLabel('Trace to compare with')).toBeFocused();
    await page
      .getByTestId('compare-file-input')
      .setInputFiles({ name: 'labcard-basic.qemu.pcap', mimeType: 'application/octet-stream', buffer: readFileSync(QEMU) });
    await expect(page.getByTestId('compare-verdict')).toHaveText('The traces match.');
    await expect(page.getByTestId('compare-counts')).toHaveText(
      '33 same · 0 with another answer (0 status word, 0 data) · 0 only in A · 0 only in B · 0 timing',
    );
    await expect(page.getByRole('region', { name: 'Comparison' })).toContainText('B labcard-basic.qemu.pcap');
    await page.getByLabel('Differences only').uncheck();
    const list = page.getByRole('listbox', { name: 'aligned exchanges' });
    await expect(list.locator('[data-kind="same"]').first()).toContainText('SELECT 00A4040009F04C4142434152440100');

    // Another comparison by keyboard alone: Tab to the button, Enter, type the path, Enter.
    await page.getByRole('button', { name: 'Compare with another…' }).focus();
    await page.keyboard.press('Enter');
    await expect(page.getByLabel('Trace to compare with')).toBeFocused();
    await page.keyboard.type(PINPAD);
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('compare-verdict')).toHaveText('The traces differ.');
    await expect(page.getByTestId('compare-counts')).toHaveText(
      '3 same · 0 with another answer (0 status word, 0 data) · 30 only in A · 2 only in B · 0 timing',
    );
    await list.focus();
    await page.keyboard.press('ArrowDown');
    await expect(page.getByTestId('compare-selected')).toContainText('#1 · SELECT');
    await page.screenshot({ path: test.info().outputPath('captures-compare.png') });
    // At the smallest window tried (layout.spec.ts), no text of the comparison runs out of its card.
    await page.setViewportSize({ width: 1024, height: 700 });
    expect(await page.evaluate(findOverflows, '[role="tabpanel"]')).toEqual([]);
    await page.getByRole('button', { name: 'Back to the capture' }).click();
    await expect(page.getByRole('listbox', { name: 'messages' })).toBeVisible();
  });
});

test.describe('captures: replay a trace on a reader', () => {
  test('a session of the virtual card replayed on the built-in reader: the wrong PIN left out, the counter differs', async ({
    page,
    webMode,
  }) => {
    // What a fresh virtual card answered: SELECT OpenPGP, the retry counter, a wrong PIN, the counter again.
    const trace = join(mkdtempSync(join(tmpdir(), 'cardbench-e2e-replay-')), 'session.pcapng');
    writeFileSync(
      trace,
      apduUsbTrace([
        { command: '00A4040006D27600012401', response: '9000' },
        { command: '00200081', response: '63C3' },
        { command: '0020008106313131313131', response: '63C2' },
        { command: '00200081', response: '63C2' },
      ]),
    );
    await page.goto(`${webMode.url}#/captures`);
    await expect(page.locator('[data-ready="true"]')).toBeVisible();
    await page.getByLabel('Capture path').fill(trace);
    await page.getByRole('button', { name: 'Open path' }).click();
    await expect(page.locator('[data-state="done"]')).toBeVisible();

    await page.getByRole('button', { name: 'Replay on a reader…' }).click();
    const reader = page.getByLabel('Reader to replay on');
    await expect(reader).toBeFocused();
    await reader.selectOption({ label: 'Cardbench Virtual Pinpad' });
    await page.getByRole('button', { name: 'Replay', exact: true }).click();
    await expect(page.getByTestId('compare-verdict')).toHaveText('The traces differ.');
    // (The timing count is left out: the trace holds no real times, and a busy machine can make one exchange 50 ms slower.)
    await expect(page.getByTestId('compare-counts')).toHaveText(
      /^2 same · 1 with another answer \(1 status word, 0 data\) · 0 only in A · 0 only in B · \d timing$/,
    );
    await expect(page.getByTestId('replay-report')).toContainText('Not sent: A#3 VERIFY 0020008106************');
    await expect(page.getByRole('listbox', { name: 'aligned exchanges' }).locator('[data-kind="changed"]')).toContainText(
      '63C3 PIN not verified yet: 3 tries left',
    );
  });
});
