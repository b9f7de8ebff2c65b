/**
 * The built-in virtual reader in Chromium, with nothing else on the machine (no pcscd, no USB):
 * a new user sees one reader, inspects it, sends an APDU through Cardbench's own CCID driver,
 * and can switch the reader off and on again.
 */
import { expect, test } from './web-server-fixture.js';

const NAME = 'Cardbench Virtual Pinpad';

test.describe('built-in virtual reader', () => {
  test('shows in Readers with its CCID pinpad capabilities', async ({ page, webMode }) => {
    await page.goto(`${webMode.url}#/readers`);
    const entry = page.locator(`[data-reader="${NAME}"]`);
    await expect(entry).toBeVisible({ timeout: 15_000 });
    await expect(entry).toContainText('virtual');
    await entry.click();
    const details = page.getByRole('region', { name: 'Reader details' });
    await expect(details).toContainText('VERIFY_PIN_DIRECT', { timeout: 15_000 });
    await expect(details).toContainText('MODIFY_PIN_DIRECT');
    await expect(details).toContainText('CCID');
  });

  test('the Console talks to it through the CCID driver', async ({ page, webMode }) => {
    await page.goto(`${webMode.url}#/console`);
    const console = page.getByTestId('console-workbench');
    await expect(console).toBeVisible({ timeout: 15_000 });
    await console.getByLabel('Reader', { exact: true }).selectOption({ label: NAME });
    const input = page.locator('#apdu-input');
    await input.fill('00A4040006D27600012401');
    await input.press('Control+Enter');
    await expect(page.getByTestId('responses').locator('[data-sw="9000"]')).toHaveCount(1, { timeout: 10_000 });
  });

  test('can be switched off and on, and says why it is gone', async ({ page, webMode }) => {
    await page.goto(`${webMode.url}#/readers`);
    const toggle = page.getByTestId('virtual-reader-toggle');
    await expect(toggle).toBeChecked({ timeout: 15_000 });
    await toggle.uncheck();
    await expect(page.getByRole('tabpanel')).toContainText('turned off', { timeout: 10_000 });
    await expect(page.locator(`[data-reader="${NAME}"]`)).toHaveCount(0);
    await page.getByTestId('virtual-reader-toggle').check();
    await expect(page.locator(`[data-reader="${NAME}"]`)).toBeVisible({ timeout: 10_000 });
  });
});
