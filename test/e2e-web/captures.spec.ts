import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { requireShared, sharedPath } from '../shared-path.js';
import { t1ReaderCapture } from '../support/t1-reader-capture.js';
import { expect, test } from './web-server-fixture.js';

const GCC = sharedPath('captures', 'usbpcap-emv-gcc2024', 'usb.pcapng');
const LABCARD = sharedPath('captures', 'usbmon-qemu-labcard', 'labcard-basic.usbmon.pcapng');
const PINPAD = sharedPath('captures', 'usbmon-qemu-pinpad', 'pinpad-labcard.usbmon.pcapng');
const missing = requireShared('captures', 'usbpcap-emv-gcc2024', 'usb.pcapng');
const scratch = mkdtempSync(join(tmpdir(), 'cardbench-e2e-captures-'));

async function openByPath(page: Page, url: string, path: string, state = 'done'): Promise<void> {
  await page.goto(`${url}#/captures`);
  await expect(page.locator('[data-ready="true"]')).toBeVisible();
  await page.getByLabel('Capture path').fill(path);
  await page.getByRole('button', { name: 'Open path' }).click();
  await expect(page.locator(`[data-state="${state}"]`)).toBeVisible();
}

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

    // Find text, answered by the session's search worker in the built backend: ASCII in an answer, hex without spaces.
    await page.getByLabel('INS (hex)').fill('');
    await page.getByLabel('Find text').fill('MASTERCARD');
    await expect(page.getByTestId('matched')).toContainText('1 shown');
    await expect(page.locator('[data-row]')).toHaveCount(1);
    await page.getByLabel('Find text').fill('00a40400');
    await expect(page.getByTestId('matched')).toContainText('2 shown');
    await expect(page.locator('[data-row]').first()).toContainText('SELECT');
    await page.getByLabel('Find text').fill('');
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

test.describe('captures workbench: PIN entries, file problems, T=1 blocks, the timing plot (issue 10)', () => {
  test.skip(missing !== undefined, missing ?? '');

  test('PIN entries show in the conversation and the timing plot with their outcome, and in the JSON export', async ({ page, webMode }) => {
    await openByPath(page, webMode.url, PINPAD);
    const conversation = page.getByRole('listbox', { name: 'transactions' });
    const pins = conversation.locator('[data-kind="pin"]');
    await expect(pins).toHaveCount(8);
    await expect(pins.first()).toContainText('PIN verify on the keypad');
    await expect(pins.first()).toContainText('CMD_NOT_SUPPORTED');
    await expect(conversation.locator('[data-kind="pin"]').last()).toContainText('PIN modify on the keypad');
    // The plot draws them as their own series, and says so.
    const plot = page.getByRole('region', { name: 'Timing' });
    await expect(plot.locator('[data-points-pin]')).toHaveAttribute('data-points-pin', '8');
    await expect(plot).toContainText('PIN entry');
    // Hovering a PIN entry's point says its outcome.
    const over = (await plot.locator('.u-over').boundingBox())!;
    let said = '';
    for (let x = over.x + 1; x < over.x + over.width && !said.includes('PIN verify'); x += 2) {
      await page.mouse.move(x, over.y + over.height / 2);
      said = await plot.getByTestId('timing-hover').innerText();
    }
    await expect(plot.getByTestId('timing-hover')).toContainText(/PIN verify on the keypad · SlotStatus: CMD_NOT_SUPPORTED/);

    await page.getByLabel('Export format').selectOption('json');
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export' }).click();
    const json = JSON.parse(readFileSync((await (await download).path())!, 'utf8')) as {
      pinOperations: { operation: string; answer: { bError: number; meaning: string } }[];
    };
    expect(json.pinOperations).toHaveLength(8);
    expect(json.pinOperations[0]!.answer.meaning).toContain('CMD_NOT_SUPPORTED');
  });

  test('a capture cut short says why where its problems badge is, and the problems filter lists it', async ({ page, webMode }) => {
    const cut = join(scratch, 'cut-short.pcapng');
    writeFileSync(cut, readFileSync(LABCARD).subarray(0, 20_000));
    await openByPath(page, webMode.url, cut);
    const badge = page.getByTestId('capture-problems');
    await expect(badge).toContainText('problem');
    await badge.click();
    await expect(page.getByTestId('file-problems')).toContainText('file ends inside a block (16 byte(s) of 108)');
    await page.getByLabel('problems', { exact: true }).check();
    await expect(page.getByRole('region', { name: 'Messages' })).toContainText('file ends inside a block');
  });

  test('a failed open shows an error state, stays out of Recent, and a new error replaces the old one', async ({ page, webMode }) => {
    const notes = join(scratch, 'notes.pcapng');
    writeFileSync(notes, 'not a capture at all\n'.repeat(40));
    await openByPath(page, webMode.url, notes, 'failed');
    const error = page.getByRole('alert');
    await expect(error).toHaveCount(1);
    await expect(error).toContainText('not a pcap/pcapng file');
    await expect(page.getByRole('listbox', { name: 'messages' })).toHaveCount(0);
    await expect(page.getByRole('region', { name: 'Timing' })).toHaveCount(0);

    await page.getByLabel('Capture path').fill(join(scratch, 'missing.pcapng'));
    await page.getByRole('button', { name: 'Open path' }).click();
    await expect(page.getByRole('alert')).toHaveCount(1);
    await expect(page.getByRole('alert')).toContainText('there is no such file');
    await expect(page.getByRole('alert')).not.toContainText('not a pcap/pcapng file');

    // Neither failure is offered again as a recent capture.
    await page.reload();
    await expect(page.locator('[data-ready="true"]')).toBeVisible();
    await expect(page.locator('.recent')).toHaveCount(0);
  });

  test('a second Open while the first capture still imports shows the second, without a stale "not open any more"', async ({
    page,
    webMode,
  }) => {
    // 24 sections of the GCC capture (a pcapng may hold several): long enough to be still importing at the second click.
    const long = join(scratch, 'gcc-x24.pcapng');
    writeFileSync(long, Buffer.concat(Array.from({ length: 24 }, () => readFileSync(GCC))));
    await page.goto(`${webMode.url}#/captures`);
    await expect(page.locator('[data-ready="true"]')).toBeVisible();
    await page.getByLabel('Capture path').fill(long);
    const open = page.getByRole('button', { name: 'Open path' });
    await open.click();
    await expect(page.locator('[data-state="importing"]')).toBeVisible();
    // The second click of a slow double click: the first capture is closed in the middle of its import.
    await open.click();
    await expect(page.locator('[data-state="done"]')).toBeVisible({ timeout: 20_000 });
    await expect(page.getByTestId('capture-summary')).toContainText(`${(426 * 24).toLocaleString('en-US')} messages`);
    await expect(page.getByRole('alert')).toHaveCount(0);
    await expect(page.getByText('not open any more')).toHaveCount(0);
  });

  test('a TPDU T=1 reader: the T=1 block under the CCID message, BER-TLV one line per TLV', async ({ page, webMode }) => {
    const file = join(scratch, 't1-reader.pcapng');
    writeFileSync(file, t1ReaderCapture());
    await openByPath(page, webMode.url, file);
    const list = page.getByRole('listbox', { name: 'messages' });
    await list.locator('[data-index="2"]').click();
    const detail = page.locator('.detail');
    await expect(detail).toHaveAttribute('data-for-index', '2');
    for (const id of ['iso7816.t1.nad', 'iso7816.t1.pcb', 'iso7816.t1.len', 'iso7816.t1.edc'])
      await expect(detail.locator(`[data-field="${id}"]`)).toHaveCount(1);
    await expect(detail.locator('[data-field="iso7816.t1.edc"] > .item')).toContainText('LRC: A1 (correct)');
    await expect(detail.locator('[data-field="iso7816.t1.inf"] [data-field="iso7816.ins"] > .item')).toContainText('INS: CA (GET DATA)');

    await list.locator('[data-index="3"]').click();
    await expect(detail).toHaveAttribute('data-for-index', '3');
    const tlv = detail.locator('[data-field="iso7816.data.tlv.object"]');
    await expect(tlv).toHaveCount(3);
    await expect(tlv.nth(1).locator('> .item')).toContainText('4F');
    await expect(tlv.nth(1).locator('> .item')).toContainText('D2 76 00 01 24 01 03 04');
    await expect(detail.locator('[data-field="iso7816.data.tlv.tag"]')).toHaveCount(0);
    await expect(detail.locator('[data-field="iso7816.data.tlv.value"]')).toHaveCount(0);
  });

  test('the timing plot: a time axis with units, unstretched labels, zoom and pan, hover for the exchange, click to select it', async ({
    page,
    webMode,
  }) => {
    await openByPath(page, webMode.url, GCC);
    const plot = page.getByRole('region', { name: 'Timing' });
    const figure = plot.locator('[data-points]');
    await expect(figure).toBeVisible();
    expect(await plot.locator('[preserveAspectRatio="none"]').count()).toBe(0);
    // One uPlot, drawn on a canvas at the device's pixel ratio and shown at its own size: nothing is stretched.
    await expect(plot.locator('.uplot')).toHaveCount(1);
    const canvas = await plot.locator('canvas').evaluate((c: HTMLCanvasElement) => ({
      width: c.width,
      height: c.height,
      cssWidth: c.getBoundingClientRect().width,
      cssHeight: c.getBoundingClientRect().height,
      ratio: devicePixelRatio,
    }));
    expect(Math.abs(canvas.width - canvas.cssWidth * canvas.ratio)).toBeLessThanOrEqual(1);
    expect(Math.abs(canvas.height - canvas.cssHeight * canvas.ratio)).toBeLessThanOrEqual(1);
    // The x axis the canvas shows reads in seconds since the first frame (the GCC trace spans ~27 s); the y axis in ms.
    await expect(figure).toHaveAttribute('data-x-ticks', /^\d+ s( \| \d+ s)+$/);
    await expect(plot).toContainText('duration (ms)');
    const fullRange = await figure.getAttribute('data-range');

    // Zoom in with the keyboard (the plot is one Tab stop), then pan: the range shrinks, then moves.
    await plot.locator('[data-points]').focus();
    await page.keyboard.press('+');
    await expect(figure).not.toHaveAttribute('data-range', fullRange!);
    const zoomed = (await figure.getAttribute('data-range'))!.split(' ').map(Number);
    expect(zoomed[1]! - zoomed[0]!).toBeLessThan(Number(fullRange!.split(' ')[1]) - Number(fullRange!.split(' ')[0]));
    await page.keyboard.press('ArrowRight');
    await expect(figure).not.toHaveAttribute('data-range', zoomed.join(' '));
    await page.keyboard.press('0');
    await expect(figure).toHaveAttribute('data-range', fullRange!);

    // Hover a point: the exchange is named; click: it is selected in the conversation and the list.
    const box = (await plot.locator('.u-over').boundingBox())!;
    let named = '';
    for (let x = box.x + 2; x < box.x + box.width && !named; x += 3) {
      await page.mouse.move(x, box.y + box.height / 2);
      const hover = plot.getByTestId('timing-hover');
      if ((await hover.count()) > 0 && (await hover.getAttribute('data-index')) !== null) named = (await hover.innerText()).trim();
    }
    expect(named).toMatch(/ms/);
    const index = await plot.getByTestId('timing-hover').getAttribute('data-index');
    await page.mouse.down();
    await page.mouse.up();
    const conversation = page.getByRole('listbox', { name: 'transactions' });
    await expect(conversation.locator('[aria-selected="true"] [data-transaction]')).toHaveAttribute('data-transaction', index!);
    await expect(page.locator('.detail')).toContainText('Command APDU');
    await page.screenshot({ path: 'test/.results/captures-timing.png' });
  });

  test('the timing plot repaints in the colours of a theme chosen while it is shown', async ({ page, webMode }) => {
    await page.emulateMedia({ colorScheme: 'light' });
    await openByPath(page, webMode.url, GCC);
    const figure = page.getByRole('region', { name: 'Timing' }).locator('[data-points]');
    await expect(figure).toHaveAttribute('data-series-colors', '#2f6fdf #d64545 #1f9d55');
    try {
      await page.getByLabel('Theme').selectOption('dark');
      await expect(figure).toHaveAttribute('data-series-colors', '#6ea0ff #ff6b6b #3ccf7c');
      await expect(page.getByRole('region', { name: 'Timing' }).locator('.uplot')).toHaveCount(1);
    } finally {
      await page.getByLabel('Theme').selectOption('system');
    }
    await expect(figure).toHaveAttribute('data-series-colors', '#2f6fdf #d64545 #1f9d55');
  });
});
