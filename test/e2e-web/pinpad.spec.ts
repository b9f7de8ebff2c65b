/**
 * The Pinpad wizard in Chromium against the real `cardbench web`, with nothing but the built-in
 * virtual reader ("Cardbench Virtual Pinpad": Cardbench's CCID driver, the virtual pinpad reader
 * and its virtual OpenPGP card, PW1 123456, 3 tries). The PIN is typed on the on-screen keypad of
 * the simulated reader, or on the software path. Readiness is the app's own state (data-*
 * attributes, visible text), never a fixed sleep.
 *
 * The tests share one server (and so one virtual card) and run in order: the guard test leaves
 * the card with 3 tries again by verifying the right PIN after confirming the last try.
 */
import type { Page } from '@playwright/test';
import { expect, test } from './web-server-fixture.js';

const READER = 'Cardbench Virtual Pinpad';
const RIGHT_PIN = '123456';
const WRONG_PIN = '000000';

async function openWizard(page: Page, url: string): Promise<void> {
  await page.goto(`${url}#/pinpad`);
  await expect(page.getByTestId('pinpad-workbench')).toBeVisible({ timeout: 15_000 });
  // The built-in reader is picked by itself and says it has a keypad.
  await expect(page.locator(`[data-reader="${READER}"] input`)).toBeChecked({ timeout: 15_000 });
  await expect(page.getByTestId('pinpad-capabilities')).toHaveAttribute('data-keypad', 'true', { timeout: 15_000 });
}

/** Goes to the Run step and waits for the guard's reading of the retry counter. */
async function toRunStep(page: Page, triesLeft: number): Promise<void> {
  await page.locator('[data-step-button="run"]').click();
  await expect(page.getByTestId('retry-guard')).toHaveAttribute('data-tries-left', String(triesLeft), { timeout: 10_000 });
  await expect(page.getByTestId('retry-guard')).toHaveAttribute('data-checking', 'false');
}

/** Types on the computer's keyboard while the simulated reader's keypad is open. */
async function typeOnKeypad(page: Page, digits: string): Promise<void> {
  const keypad = page.getByTestId('on-screen-keypad');
  await expect(keypad).toBeVisible({ timeout: 10_000 });
  for (const [i, digit] of [...digits].entries()) {
    await page.keyboard.press(digit);
    await expect(keypad).toHaveAttribute('data-digits', String(i + 1));
  }
}

async function softwareVerify(page: Page, pin: string): Promise<void> {
  const input = page.getByTestId('software-path').locator('input[data-pin="pin"]');
  await input.fill(pin);
  await input.press('Enter');
  await expect(page.getByTestId('run-panel')).toHaveAttribute('data-phase', 'idle', { timeout: 10_000 });
}

test.describe('Pinpad wizard on the built-in virtual reader', () => {
  test('fits 1024×700 and 1440×900 without sideways scrolling, light and dark', async ({ page, webMode }) => {
    for (const [width, height, scheme] of [
      [1024, 700, 'light'],
      [1440, 900, 'dark'],
    ] as const) {
      await page.setViewportSize({ width, height });
      await page.emulateMedia({ colorScheme: scheme });
      await openWizard(page, webMode.url);
      for (const step of ['reader', 'card', 'parameters', 'run', 'profiles']) {
        await page.locator(`[data-step-button="${step}"]`).click();
        await expect(page.getByTestId('pinpad-workbench')).toHaveAttribute('data-step', step);
        if (step === 'parameters') await expect(page.getByTestId('structure-preview')).toBeVisible();
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        expect(overflow, `${step} at ${width}×${height}`).toBeLessThanOrEqual(0);
        await page.screenshot({ path: `test/.results/pinpad-${step}-${width}x${height}-${scheme}.png` });
      }
    }
  });

  test('a verify typed on the on-screen keypad shows 90 00', async ({ page, webMode }) => {
    await openWizard(page, webMode.url);
    await toRunStep(page, 3);
    await page.getByTestId('run-button').click();
    await expect(page.getByTestId('keypad-prompt')).toHaveText("Enter the PIN on the reader's keypad", { timeout: 10_000 });
    await expect(page.getByTestId('on-screen-keypad')).toContainText('Simulated reader keypad');
    await expect(page.getByTestId('keypad-countdown')).toHaveAttribute('data-seconds-left', /^[1-9]\d*$/);
    await typeOnKeypad(page, RIGHT_PIN);
    // The display shows dots, never the digits.
    await expect(page.getByTestId('keypad-dots')).toHaveText(/^•{6}_$/);
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('on-screen-keypad')).toBeHidden({ timeout: 10_000 });
    const outcome = page.getByTestId('outcome');
    await expect(outcome).toHaveAttribute('data-outcome', 'accepted', { timeout: 10_000 });
    await expect(outcome.getByTestId('outcome-sw')).toHaveText('90 00');
    await expect(outcome).toContainText('PIN verified');
  });

  test('Cancel on the keypad shows "cancelled on the keypad"', async ({ page, webMode }) => {
    await openWizard(page, webMode.url);
    await toRunStep(page, 3);
    // Keyboard first: choosing a step puts the focus in it, and Enter there runs.
    await expect(page.getByTestId('step-content')).toBeFocused();
    await page.keyboard.press('Enter');
    await typeOnKeypad(page, '12');
    await page.getByTestId('on-screen-keypad').getByRole('button', { name: 'Cancel' }).click();
    const outcome = page.getByTestId('outcome');
    await expect(outcome).toHaveAttribute('data-outcome', 'cancelled', { timeout: 10_000 });
    await expect(outcome).toContainText(/cancelled on the keypad/i);
    await expect(outcome).toContainText('bError EF');
    await expect(page.getByTestId('on-screen-keypad')).toBeHidden();
  });

  test('the software path masks the PIN and empties its input', async ({ page, webMode }) => {
    await openWizard(page, webMode.url);
    await toRunStep(page, 3);
    await page.getByLabel('Here, on this computer (software path)').check();
    const input = page.getByTestId('software-path').locator('input[data-pin="pin"]');
    await expect(input).toHaveAttribute('type', 'password');
    await expect(input).toHaveAttribute('autocomplete', 'off');
    await input.fill(RIGHT_PIN);
    await input.press('Enter');
    const outcome = page.getByTestId('outcome');
    await expect(outcome).toHaveAttribute('data-outcome', 'accepted', { timeout: 10_000 });
    await expect(outcome.getByTestId('outcome-sw')).toHaveText('90 00');
    await expect(input).toHaveValue('');
    const traces = await page.evaluate(() => ({
      url: location.href,
      history: JSON.stringify(history.state),
      local: JSON.stringify({ ...localStorage }),
      session: JSON.stringify({ ...sessionStorage }),
      html: document.documentElement.outerHTML,
    }));
    for (const [where, text] of Object.entries(traces)) expect(text, where).not.toContain(RIGHT_PIN);
  });

  test('the retry-counter guard stops a verify at 1 try left until confirmed', async ({ page, webMode }) => {
    await openWizard(page, webMode.url);
    await toRunStep(page, 3);
    await page.getByLabel('Here, on this computer (software path)').check();
    const outcome = page.getByTestId('outcome');
    const guard = page.getByTestId('retry-guard');

    await softwareVerify(page, WRONG_PIN);
    await expect(outcome).toHaveAttribute('data-outcome', 'wrong-pin');
    await expect(guard).toHaveAttribute('data-tries-left', '2', { timeout: 10_000 });
    await softwareVerify(page, WRONG_PIN);
    await expect(outcome).toContainText('1 try left');
    await expect(guard).toHaveAttribute('data-tries-left', '1', { timeout: 10_000 });

    // One try left: both paths refuse until the user confirms.
    await expect(guard).toHaveAttribute('data-guard', 'confirm');
    await expect(guard).toContainText('Only one try is left');
    await expect(page.getByTestId('software-run')).toBeDisabled();
    await page.getByLabel("On the reader's keypad", { exact: false }).check();
    const run = page.getByTestId('run-button');
    await expect(run).toBeDisabled();
    await expect(page.getByTestId('run-blocker')).toHaveText('Only one try is left: confirm first.');
    await page.getByTestId('step-content').focus();
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('on-screen-keypad')).toHaveCount(0);
    await expect(page.getByTestId('run-panel')).toHaveAttribute('data-phase', 'idle');

    // Confirmed: the same Enter runs once; the right PIN brings the counter back to 3.
    await page.getByTestId('confirm-last-try').check();
    await expect(run).toBeEnabled();
    await page.getByTestId('step-content').focus();
    await page.keyboard.press('Enter');
    await typeOnKeypad(page, RIGHT_PIN);
    await page.keyboard.press('Enter');
    await expect(outcome).toHaveAttribute('data-outcome', 'accepted', { timeout: 10_000 });
    await expect(guard).toHaveAttribute('data-tries-left', '3', { timeout: 10_000 });
    await expect(guard).toHaveAttribute('data-guard', 'run');
  });
});
