/**
 * Readers and Console in Chromium against `cardbench web` and a real stack started here: a
 * private pcscd with the vpcd reader (our virtual card plugged in) and the virtual pinpad reader
 * on libccidtwin. Runs inside test/rigs/in-private-namespace.sh.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VPCD_READER, pcscdRigUnavailableReason, startPcscd, type PcscdRig } from '../rigs/pcscd-rig.js';
import { PINPAD_PCSC_NAME, pinpadReaderEntry, startVirtualReader, type VirtualReaderProcess } from '../rigs/pinpad-reader-rig.js';
import { VPCD_SLOTS, startVirtualCard, type VirtualCardProcess } from '../rigs/virtual-card-rig.js';
import { expect, test } from './web-server-fixture.js';

// The console keeps history in the data directory: a throwaway one, never the user's.
const dataDir = mkdtempSync(join(tmpdir(), 'cardbench-e2e-data-'));
process.env.CARDBENCH_DATA_DIR ??= dataDir;

const unavailable = pcscdRigUnavailableReason();
const T1_READER = VPCD_SLOTS[0].reader;

test.describe('Readers and Console on the real PC/SC stack', () => {
  test.skip(unavailable !== undefined && process.env.CI !== 'true', `pcscd rig: ${unavailable}`);
  let reader: VirtualReaderProcess | undefined;
  let pcscd: PcscdRig | undefined;
  let card: VirtualCardProcess | undefined;

  test.beforeAll(async () => {
    // The pinpad reader first and last: pcscd drops a serial reader for good if it is not there at start.
    reader = await startVirtualReader({ card: 't1' });
    pcscd = await startPcscd([VPCD_READER, pinpadReaderEntry(reader.ptyPath)]);
    card = startVirtualCard(['--vpcd', `127.0.0.1:${VPCD_SLOTS[0].port}`, '--protocol', 't1']);
    await card.waitForOutput(/Virtual card inserted/);
  });

  test.afterAll(async () => {
    await card?.interrupt();
    await pcscd?.stop();
    await reader?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('the Console sends an APDU to the virtual card and shows the decoded answer', async ({ page, webMode }) => {
    await page.goto(`${webMode.url}#/console`);
    await expect(page.locator('[data-ready="true"]')).toBeVisible();
    const console = page.getByTestId('console-workbench');
    await expect(console).toBeVisible({ timeout: 15_000 });
    await console.getByLabel('Reader', { exact: true }).selectOption({ label: T1_READER });

    const input = page.locator('#apdu-input');
    await input.fill('00 a4 04 00 06 d2 76 00 01 24 0');
    await expect(page.locator('#apdu-check')).toContainText('Odd number of hex digits');
    await expect(page.getByRole('button', { name: 'Send' })).toBeDisabled();
    await input.fill('00 a4 04 00 06 d2 76 00 01 24 01');
    await expect(page.locator('#apdu-check')).toContainText('SELECT');
    await input.press('Control+Enter');
    const responses = page.getByTestId('responses');
    await expect(responses.locator('[data-sw="9000"]')).toHaveCount(1, { timeout: 10_000 });

    await input.fill('00CA006E00');
    await page.getByRole('button', { name: 'Send' }).click();
    const answer = responses.locator('article').first();
    await expect(answer).toHaveAttribute('data-sw', '9000');
    await expect(answer).toContainText('Success');
    await expect(answer).toContainText('GET DATA');
    await expect(answer.locator('[role="treeitem"] .label', { hasText: /^6E/ }).first()).toBeVisible();
    await expect(answer).toContainText(/\d ms/);
    await expect(page.getByRole('complementary')).toContainText('00 CA 00 6E 00');
    await page.screenshot({ path: 'test/.results/console-workbench.png', fullPage: true });
  });

  test("the Readers workbench shows the pinpad reader's part 10 features", async ({ page, webMode }) => {
    await page.goto(`${webMode.url}#/readers`);
    await expect(page.getByTestId('readers-workbench')).toBeVisible({ timeout: 15_000 });
    await page.locator(`[data-reader="${PINPAD_PCSC_NAME}"]`).click();
    const features = page.getByTestId('features');
    await expect(features).toContainText('VERIFY_PIN_DIRECT', { timeout: 10_000 });
    await expect(features.getByRole('row', { name: /VERIFY_PIN_DIRECT/ })).toContainText('42330006');
    await expect(features.getByRole('row', { name: /MODIFY_PIN_DIRECT/ })).toContainText('42330007');
    await expect(features).toContainText('GET_TLV_PROPERTIES');
    await expect(page.getByTestId('pinpad')).toHaveText('verify + modify');
    await expect(page.getByRole('region', { name: 'Card' })).toContainText('3B 8A 81 31');
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export report (text)' }).click();
    expect((await download).suggestedFilename()).toBe('virtual-pinpad-00-00-report.txt');
    await page.screenshot({ path: 'test/.results/readers-workbench.png', fullPage: true });
  });
});
