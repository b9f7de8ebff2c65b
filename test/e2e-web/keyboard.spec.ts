/**
 * The Captures workbench by keyboard in Chromium (issue 10, items 10 and 13): the decode tree
 * and the hex pane are one Tab stop each and move with the arrows, a field selected in one lights
 * in the other, a byte clicked brings its field into view in the tree, the pane dividers move by key.
 */
import { readFileSync } from 'node:fs';
import type { Locator, Page } from '@playwright/test';
import { requireShared, sharedPath } from '../shared-path.js';
import { expect, test } from './web-server-fixture.js';

const GCC = sharedPath('captures', 'usbpcap-emv-gcc2024', 'usb.pcapng');
const missing = requireShared('captures', 'usbpcap-emv-gcc2024', 'usb.pcapng');

async function openGcc(page: Page, url: string): Promise<void> {
  await page.goto(`${url}#/captures`);
  await expect(page.locator('[data-ready="true"]')).toBeVisible();
  await page
    .getByTestId('capture-file-input')
    .setInputFiles({ name: 'usb.pcapng', mimeType: 'application/octet-stream', buffer: readFileSync(GCC) });
  await expect(page.locator('[data-state="done"]')).toBeVisible();
}

/** The selected message's detail, once it belongs to that row. */
async function selectRow(page: Page, index: number): Promise<Locator> {
  await page.locator(`[data-row]`).nth(index).click();
  const detail = page.getByRole('region', { name: 'Decode' });
  await expect(detail).toHaveAttribute('data-for-index', String(index));
  return detail;
}

const focusedField = (page: Page): Promise<string | undefined> =>
  page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.field);
const focusedOffset = (page: Page): Promise<string | undefined> =>
  page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.offset);

/** True when the element's box is inside the viewport and inside every scrolling box around it. */
function inView(element: Element): boolean {
  const box = element.getBoundingClientRect();
  if (box.top < 0 || box.bottom > innerHeight) return false;
  for (let e = element.parentElement; e; e = e.parentElement) {
    const style = getComputedStyle(e);
    if (!/(auto|scroll|hidden)/.test(style.overflowY) || e.scrollHeight <= e.clientHeight) continue;
    const frame = e.getBoundingClientRect();
    if (box.top < frame.top - 1 || box.bottom > frame.bottom + 1) return false;
  }
  return true;
}

test.describe('Captures by keyboard', () => {
  test.skip(missing !== undefined, missing ?? '');
  test.use({ viewport: { width: 1024, height: 700 } });

  test('the decode tree and the hex pane: one Tab stop each, arrows move, each lights the other', async ({ page, webMode }) => {
    await openGcc(page, webMode.url);
    const detail = await selectRow(page, 3);
    const tree = detail.getByRole('tree', { name: 'Decode tree' });
    const hex = detail.getByRole('grid', { name: 'Message bytes' });
    await expect(tree.locator('[tabindex="0"]')).toHaveCount(1);
    await expect(tree.locator('button')).toHaveCount(0);
    await expect(hex.locator('[tabindex="0"]')).toHaveCount(1);

    // Into the tree: its Tab stop, then the arrows.
    await tree.locator('[tabindex="0"]').focus();
    expect(await focusedField(page)).toBe('ccid');
    await page.keyboard.press('ArrowDown');
    expect(await focusedField(page)).toBe('ccid.bMessageType');
    await expect(tree.locator('[aria-selected="true"]')).toHaveAttribute('data-field', 'ccid.bMessageType');
    await expect(hex.locator('.byte.lit')).toHaveText(['80']);
    await page.keyboard.press('ArrowDown');
    expect(await focusedField(page)).toBe('ccid.dwLength');
    await expect(hex.locator('.byte.lit')).toHaveCount(4);
    await page.keyboard.press('Home');
    await page.keyboard.press('ArrowLeft'); // closes the message
    await expect(tree.locator('[data-field="ccid"]')).toHaveAttribute('aria-expanded', 'false');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight'); // into its first part
    expect(await focusedField(page)).toBe('ccid.bMessageType');

    // One Tab leaves the tree for the divider under it, the next one reaches the hex pane's cursor, on the field just selected.
    await page.keyboard.press('Tab');
    await expect(page.getByRole('separator', { name: 'Resize the decode tree and the bytes' })).toBeFocused();
    await page.keyboard.press('Tab');
    expect(await focusedOffset(page)).toBe('0');
    await page.keyboard.press('ArrowRight');
    expect(await focusedOffset(page)).toBe('1');
    await expect(tree.locator('[aria-selected="true"]')).toHaveAttribute('data-field', 'ccid.dwLength');
    await page.keyboard.press('End');
    expect(await focusedOffset(page)).toBe('15');
    await page.keyboard.press('ArrowDown'); // 19 bytes: nothing under byte 15
    expect(await focusedOffset(page)).toBe('15');
    await page.keyboard.press('ArrowRight'); // on across the line end
    expect(await focusedOffset(page)).toBe('16');
    // One more Tab leaves the hex pane altogether; Shift+Tab comes back to the cursor.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.closest('[role="grid"]') === null)).toBe(true);
    await page.keyboard.press('Shift+Tab');
    expect(await focusedOffset(page)).toBe('16');
  });

  test('a byte clicked in the hex pane brings its field into view in the tree', async ({ page, webMode }) => {
    await openGcc(page, webMode.url);
    // A long answer (a record of the card's data): its tree is taller than the pane.
    await page.getByLabel('INS (hex)').fill('B2');
    await expect(page.getByTestId('matched')).not.toHaveText('426 shown');
    let detail = await selectRow(page, 1);
    const scroller = detail.locator('.tree');
    for (let row = 2; (await scroller.evaluate((e) => e.scrollHeight <= e.clientHeight * 1.5)) && row < 20; row++) {
      detail = await selectRow(page, row);
    }
    expect(await scroller.evaluate((e) => e.scrollHeight > e.clientHeight * 1.5)).toBe(true);
    await scroller.evaluate((e) => (e.scrollTop = 0));
    const lastByte = detail.locator('.hexpane [data-offset]').last();
    await lastByte.scrollIntoViewIfNeeded();
    await lastByte.click();
    const selected = detail.locator('[role="treeitem"][aria-selected="true"]');
    await expect(selected).toHaveCount(1);
    await expect.poll(() => selected.locator('> .item').evaluate(inView)).toBe(true);
    expect(await scroller.evaluate((e) => e.scrollTop)).toBeGreaterThan(0);
  });

  test('the pane dividers move by keyboard', async ({ page, webMode }) => {
    await openGcc(page, webMode.url);
    await selectRow(page, 0);
    const divider = page.getByRole('separator', { name: 'Resize the message list and the decode' });
    const list = page.getByRole('region', { name: 'Messages' });
    const before = (await list.boundingBox())!.width;
    await divider.focus();
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowLeft');
    await expect(divider).toHaveAttribute('aria-valuenow', '50');
    const after = (await list.boundingBox())!.width;
    expect(before - after).toBeGreaterThan(80);
    const stacked = page.getByRole('separator', { name: 'Resize the decode tree and the bytes' });
    await stacked.focus();
    await page.keyboard.press('End');
    // End gives the decode tree all the room the bytes pane's minimum leaves (how much depends on the window).
    const max = (await stacked.getAttribute('aria-valuemax'))!;
    expect(Number(max)).toBeGreaterThan(70);
    await expect(stacked).toHaveAttribute('aria-valuenow', max);
    await page.keyboard.press('Enter');
    await expect(stacked).toHaveAttribute('aria-valuenow', '62');
  });
});
