/**
 * The Console in Chromium against `cardbench web` and its built-in virtual reader (Cardbench
 * Virtual Pinpad: our CCID driver, the virtual pinpad reader and the virtual OpenPGP/PIV card),
 * as a new user meets it with no hardware and no pcscd.
 */
import { readFileSync } from 'node:fs';
import { encodeDataBlock, encodeIccPowerOn, encodeXfrBlock } from '#core/ccid/index.js';
import { fromHex } from '#core/bytes/hex.js';
import { VirtualSmartCard } from '#core/sim/card/virtual-smart-card.js';
import { pcapngOf, usbmonCcidPipes } from '../unit/core/capture/capture-builder.js';
import { expect, test } from './web-server-fixture.js';
import type { Page } from '@playwright/test';

const VIRTUAL_READER = 'Cardbench Virtual Pinpad';

async function openConsole(page: Page, url: string): Promise<void> {
  await page.goto(`${url}#/console`);
  await expect(page.locator('[data-ready="true"]')).toBeVisible();
  await expect(page.getByTestId('console-workbench')).toBeVisible({ timeout: 15_000 });
  await page.getByTestId('console-workbench').getByLabel('Reader', { exact: true }).selectOption({ label: VIRTUAL_READER });
}

async function send(page: Page, apdu: string): Promise<void> {
  const before = await page.getByTestId('responses').locator('.outcome').count();
  await page.locator('#apdu-input').fill(apdu);
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  await expect(page.getByTestId('responses').locator('.outcome')).toHaveCount(before + 1, { timeout: 10_000 });
}

/**
 * A usbmon capture of a conversation with the virtual card: every answer is what the card
 * itself gave (the same card model the built-in reader holds), so its script export must replay
 * on that reader as a passing test. The T=0 ATR only tells the capture reader that abData holds
 * APDUs (no descriptors in the file).
 */
function captureOfVirtualCard(commands: readonly string[]): Uint8Array {
  const card = new VirtualSmartCard();
  card.reset();
  const { out, inn } = usbmonCcidPipes(0x5000n);
  const ok = { slot: 0, iccStatus: 0, commandStatus: 0, bError: 0 };
  const records: Uint8Array[][] = [
    out(encodeIccPowerOn({ slot: 0, seq: 0 })),
    inn(encodeDataBlock({ ...ok, seq: 0, data: fromHex('3B0A4C41422D434152443031') })),
  ];
  commands.forEach((command, i) => {
    const seq = i + 1;
    const apdu = fromHex(command);
    records.push(out(encodeXfrBlock({ slot: 0, seq, data: apdu, levelParameter: 0 })));
    records.push(inn(encodeDataBlock({ ...ok, seq, data: card.transmit(apdu), chainParameter: 0 })));
  });
  return pcapngOf(220, records.flat());
}

test.describe('Console on the built-in virtual reader', () => {
  test('Handle 61xx/6Cxx follows up a 61xx that came with data and shows the whole answer', async ({ page, webMode }) => {
    await openConsole(page, webMode.url);
    await page.getByLabel(/Handle 61xx\/6Cxx/).check();
    await send(page, '00A4040006D27600012401');
    // Le 5: the card gives 5 bytes and says 61DF for the 223 still waiting.
    await send(page, '00CA006E05');
    const outcome = page.getByTestId('responses').locator('.outcome').first();
    const exchanges = outcome.locator('article.exchange');
    await expect(exchanges).toHaveCount(2);
    await expect(exchanges.first()).toHaveAttribute('data-sw', '61DF');
    await expect(exchanges.nth(1)).toHaveClass(/automatic/);
    await expect(exchanges.nth(1)).toContainText('00 C0 00 00 DF');
    await expect(exchanges.nth(1)).toHaveAttribute('data-sw', '9000');
    const whole = outcome.getByTestId('whole-answer');
    await expect(whole).toContainText('228 bytes from 2 exchanges');
    await expect(whole).toHaveAttribute('data-sw', '9000');
    // The concatenated data decodes as one BER-TLV: the OpenPGP names inside 6E are there.
    await expect(whole.locator('[role="treeitem"] .label', { hasText: /PW status bytes/ }).first()).toBeVisible();
    await page.screenshot({ path: 'test/.results/console-follow-ups.png', fullPage: true });
  });

  test('warns before sending an APDU longer than the reader says it takes, then sends exactly what was typed, folded', async ({
    page,
    webMode,
  }) => {
    await openConsole(page, webMode.url);
    // 35,002 bytes: extended Lc 88B3 (34,995 data bytes) and Le 00 00.
    const apdu = `00DA00FF0088B3${'AB'.repeat(34_995)}`;
    await page.locator('#apdu-input').fill(apdu);
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    const warning = page.getByRole('alertdialog', { name: 'Longer than the reader takes' });
    await expect(warning).toContainText('35,002 bytes');
    await expect(warning).toContainText('Max APDU data 261 bytes');
    // Nothing goes out before the user says so.
    await expect(page.getByTestId('responses').locator('.outcome')).toHaveCount(0);
    await page.screenshot({ path: 'test/.results/console-long-apdu.png' });
    await warning.getByRole('button', { name: 'Send anyway' }).click();
    const outcome = page.getByTestId('responses').locator('.outcome').first();
    await expect(outcome.locator('article.exchange')).toHaveCount(1, { timeout: 10_000 });
    const command = outcome.locator('article.exchange .command');
    await expect(command).toContainText('(35,002 bytes)');
    await expect(command).toContainText('00 DA 00 FF 00 88 B3 AB');
    expect((await command.innerText()).length).toBeLessThan(400);
    await command.getByRole('button', { name: 'show all' }).click();
    await expect(command).toContainText(`${'AB '.repeat(40)}`);
    const history = page.getByRole('complementary').locator('.history li').first();
    await expect(history).toContainText('(35,002 bytes)');
    expect((await history.innerText()).length).toBeLessThan(400);
    // The history gives back exactly what was sent.
    await page.locator('#apdu-input').fill('');
    await history.getByRole('button', { name: 'use' }).click();
    await expect(page.locator('#apdu-input')).toHaveValue(apdu);
  });

  test("a capture's exported script opens in the Script panel and replays there as a passing test", async ({ page, webMode }) => {
    const capture = captureOfVirtualCard([
      '00A4040006D27600012401',
      '00CA006E00',
      '00CA00C400', // PW status bytes
      '00A4040005A000000999', // an application the card does not have: 6A82 is the expected answer
    ]);
    await page.goto(`${webMode.url}#/captures`);
    await expect(page.locator('[data-ready="true"]')).toBeVisible();
    await page
      .getByTestId('capture-file-input')
      .setInputFiles({ name: 'virtual-card.pcapng', mimeType: 'application/octet-stream', buffer: Buffer.from(capture) });
    await expect(page.locator('[data-state="done"]')).toBeVisible();
    await page.getByLabel('Export format').selectOption('script');
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export' }).click();
    const script = readFileSync(await (await download).path());
    expect(script.toString()).toMatch(/^00 CA 00 6E 00\n# expect 9000 \(Success\)$/m);

    await openConsole(page, webMode.url);
    await page.getByRole('tab', { name: 'Script' }).click();
    await page.getByLabel('Open a script file').setInputFiles({ name: 'virtual-card.script', mimeType: 'text/plain', buffer: script });
    await expect(page.getByLabel('Script text')).toHaveValue(/00 A4 04 00 06 D2 76 00 01 24 01/);
    await expect(page.getByTestId('script-steps')).toHaveText('4 step(s), 4 with an expected status word');
    await page.getByRole('button', { name: 'Run script' }).click();
    await expect(page.getByTestId('script-summary')).toHaveText('Passed: 4 passed, 0 failed, 0 without assertion', { timeout: 10_000 });
    await page.screenshot({ path: 'test/.results/console-script-replay.png' });
  });
});
