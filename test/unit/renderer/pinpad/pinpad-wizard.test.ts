/**
 * The Pinpad wizard (rune module + components) in happy-dom against the real backend in the same
 * process: contract, dispatch, pinpad service, reader hub and the built-in virtual reader (the
 * real CCID driver, the virtual pinpad reader model and a virtual card whose PW1 is a distinctive
 * 739146, 3 tries). The on-screen keypad is answered by pressing keys, as a person would.
 */
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Api } from '#core/ipc/contract.js';
import { VirtualSmartCard } from '#core/sim/card/virtual-smart-card.js';
import { GEMPC_PINPAD_USB_PROFILE } from '#core/sim/usb/usb-reader-profiles.js';
import { VirtualUsbCcidDevice } from '#core/sim/usb/virtual-usb-ccid-device.js';
import { createBackend, type Backend } from '../../../../electron/backend/backend.js';
import { createUsbReaderBackend } from '../../../../electron/backend/ccid-usb/usb-reader-backend.js';
import { createVirtualReaderBackend, nodeTimers } from '../../../../electron/backend/virtual-reader/virtual-reader-backend.js';
import PinpadWorkbench from '../../../../renderer/src/workbenches/pinpad/PinpadWorkbench.svelte';
import { PinpadWizard } from '../../../../renderer/src/workbenches/pinpad/pinpad-wizard.svelte.js';
import { controllableProbes } from '../../../support/fake-probes.js';
import { inProcessApi } from '../../../support/in-process-api.js';
import { FakeReaderBackend } from '../../electron/backend/readers/fake-reader-backend.js';
import { fakeUsbBusDevice } from '../../electron/backend/ccid-usb/fake-usb-bus.js';
import { DeviceKeypad } from '../../electron/backend/pinpad/device-keypad.js';
import { filesUnder, pinForms } from '../../electron/backend/pinpad/pinpad-harness.js';

const PW1 = '739146';
const NEW_PW1 = '582063';
const WRONG = '000000';

let backend: Backend;
let dataDir: string;
let log: ApiLog;

/** Everything that crossed the contract, as JSON text: every call's arguments, every result and every event. */
interface ApiLog {
  calls: { channel: string; args: string }[];
  results: string[];
  events: string[];
}

function recordingApi(api: Api, log: ApiLog): Api {
  return {
    invoke: async (channel, args) => {
      log.calls.push({ channel, args: JSON.stringify(args) });
      const result = await api.invoke(channel, args);
      log.results.push(JSON.stringify(result));
      return result;
    },
    on: (event, listener) =>
      api.on(event, (payload) => {
        log.events.push(JSON.stringify(payload));
        listener(payload);
      }),
  };
}

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'cardbench-pinpad-ui-'));
  const card = new VirtualSmartCard({ openPgpPw1: PW1 });
  backend = createBackend({
    shell: 'browser',
    electron: { available: false, reason: 'test' },
    probes: controllableProbes({ pcsc: { available: false, reason: 'test' }, usb: { available: false, reason: 'test' } }),
    readers: {
      backends: ({ keypad }) => [createVirtualReaderBackend({ card, ...(keypad ? { keypad } : {}) })],
      dataDir,
    },
  });
  log = { calls: [], results: [], events: [] };
});

afterEach(() => {
  cleanup();
  backend.dispose();
  rmSync(dataDir, { recursive: true, force: true });
});

async function openWizard(expect_ = { keypad: true }): Promise<{ wizard: PinpadWizard; container: HTMLElement }> {
  const wizard = new PinpadWizard();
  const { container } = render(PinpadWorkbench, { props: { api: recordingApi(inProcessApi(backend), log), wizard } });
  return ready(wizard, container, expect_.keypad);
}

async function ready(
  wizard: PinpadWizard,
  container: HTMLElement,
  keypad: boolean,
): Promise<{ wizard: PinpadWizard; container: HTMLElement }> {
  await waitFor(() => expect(wizard.capabilities?.keypad).toBe(keypad));

  // The preview is rebuilt for the reader once its capabilities are known.
  await waitFor(() => expect(wizard.preview !== undefined && !wizard.building).toBe(true));
  return { wizard, container };
}

const stepButton = (container: HTMLElement, step: string) => container.querySelector<HTMLButtonElement>(`[data-step-button="${step}"]`)!;
const field = (name: string) => document.getElementById(`pinpad-field-${name}`) as HTMLInputElement;
const byteAt = (hex: string | undefined, offset: number) => hex?.slice(offset * 2, offset * 2 + 2);

async function toRunStep(container: HTMLElement, triesLeft: number): Promise<void> {
  await fireEvent.click(stepButton(container, 'run'));
  await waitFor(() => expect(screen.getByTestId('retry-guard').dataset.triesLeft).toBe(String(triesLeft)));
  await waitFor(() => expect(screen.getByTestId('retry-guard').dataset.checking).toBe('false'));
}

async function pressKeys(keys: string[]): Promise<void> {
  for (const key of keys) await fireEvent.keyDown(window, { key });
}

async function softwareVerify(pin: string): Promise<HTMLInputElement> {
  const input = screen.getByTestId('software-path').querySelector<HTMLInputElement>('input[data-pin="pin"]')!;
  input.value = pin;
  await fireEvent.submit(screen.getByTestId('software-path'));
  await waitFor(() => expect(screen.getByTestId('run-panel').dataset.phase).toBe('idle'));
  return input;
}

describe('parameters and live preview', () => {
  it('editing a field changes the PC/SC and CCID bytes, raw or part by part; a bad value is refused by name and never sent', async () => {
    const { wizard, container } = await openWizard();
    await fireEvent.click(stepButton(container, 'parameters'));
    const preview = await screen.findByTestId('structure-preview');
    // openpgp-pw1 asks for the reader's default timeout: byte 0 of the PC/SC structure, byte 11 of the Secure message.
    expect(byteAt(preview.dataset.pcscHex, 0)).toBe('00');
    expect(byteAt(preview.dataset.ccidHex, 11)).toBe('00');

    await fireEvent.input(field('bTimerOut'), { target: { value: '0x2D' } });
    await waitFor(() => expect(byteAt(screen.getByTestId('structure-preview').dataset.pcscHex, 0)).toBe('2D'));
    expect(byteAt(screen.getByTestId('structure-preview').dataset.ccidHex, 11)).toBe('2D');
    expect(screen.getByTestId('pcsc-structure').querySelector('[data-offset="0"]')!.textContent).toBe('2D');
    expect(screen.getByTestId('pcsc-structure').textContent).toContain('bTimerOut: 45 (45 s)');

    // The coding part of bmFormatString: ASCII (82) → BCD (81), in both structures and in the raw field.
    const coding = container.querySelector<HTMLSelectElement>('#pinpad-bits-bmFormatString-coding')!;
    await fireEvent.change(coding, { target: { value: 'bcd' } });
    await waitFor(() => expect(byteAt(screen.getByTestId('structure-preview').dataset.pcscHex, 2)).toBe('81'));
    expect(byteAt(screen.getByTestId('structure-preview').dataset.ccidHex, 12)).toBe('81');
    expect(field('bmFormatString').value).toBe('0x81');
    expect(screen.getByTestId('ccid-structure').textContent).toContain('PIN format: BCD');
    expect(wizard.overrides).toEqual({ bTimerOut: 0x2d, bmFormatString: 0x81 });

    const builds = log.calls.filter((c) => c.channel === 'pinpad.build').length;
    await fireEvent.input(field('bTimerOut'), { target: { value: '0x1FF' } });
    expect(field('bTimerOut').getAttribute('aria-invalid')).toBe('true');
    expect(container.querySelector('#pinpad-help-bTimerOut')!.textContent).toContain('bTimerOut takes 0..255');
    expect(log.calls.filter((c) => c.channel === 'pinpad.build')).toHaveLength(builds);
    expect(byteAt(screen.getByTestId('structure-preview').dataset.pcscHex, 0)).toBe('2D');

    // A click on a field in the tree lights its bytes; a click on a byte selects its field.
    const pcsc = screen.getByTestId('pcsc-structure');
    const wLangId = [...pcsc.querySelectorAll<HTMLButtonElement>('.label')].find((b) => b.textContent!.startsWith('wLangId'))!;
    await fireEvent.click(wLangId);
    expect([...pcsc.querySelectorAll('.byte.lit')].map((b) => (b as HTMLElement).dataset.offset)).toEqual(['9', '10']);
    await fireEvent.click(pcsc.querySelector('[data-offset="7"]')!);
    // The innermost node over byte 7: one of bEntryValidationCondition's explanation lines.
    expect(pcsc.querySelector<HTMLElement>('[data-selected-field]')!.dataset.selectedField).toBe(
      'pcsc.pinVerify.bEntryValidationCondition.explain',
    );
    expect([...pcsc.querySelectorAll('.byte.lit')].map((b) => (b as HTMLElement).dataset.offset)).toEqual(['7']);
  });

  it('warnings appear and disappear with the values, each with its source', async () => {
    const { container } = await openWizard();
    await fireEvent.click(stepButton(container, 'parameters'));
    const warnings = await screen.findByTestId('pinpad-warnings');
    expect(warnings.querySelector('[data-warning="entry-validation-invalid"]')).toBeNull();

    await fireEvent.input(field('bEntryValidationCondition'), { target: { value: '0' } });
    await waitFor(() =>
      expect(screen.getByTestId('pinpad-warnings').querySelector('[data-warning="entry-validation-invalid"]')?.textContent).toMatch(
        /Source: \S+/,
      ),
    );
    // The field itself carries the warning too.
    expect(container.querySelector('#pinpad-help-bEntryValidationCondition')!.textContent).toContain('⚠');

    await fireEvent.input(field('bEntryValidationCondition'), { target: { value: '0x02' } });
    await waitFor(() =>
      expect(screen.getByTestId('pinpad-warnings').querySelector('[data-warning="entry-validation-invalid"]')).toBeNull(),
    );
  });
});

describe('run', () => {
  it('a verify on the on-screen keypad: labelled, counts down, takes keyboard digits and Enter, shows 90 00', async () => {
    const { wizard, container } = await openWizard();
    await toRunStep(container, 3);
    await fireEvent.click(screen.getByTestId('run-button'));
    const keypad = await screen.findByTestId('on-screen-keypad');
    expect(keypad.textContent).toContain('Simulated reader keypad');
    expect(keypad.textContent).toContain('not a real device');
    expect(screen.getByTestId('keypad-prompt').textContent).toBe("Enter the PIN on the reader's keypad");
    expect(Number(screen.getByTestId('keypad-countdown').dataset.secondsLeft)).toBeGreaterThan(0);

    await pressKeys([...PW1]);
    await waitFor(() => expect(keypad.dataset.digits).toBe('6'));
    expect(screen.getByTestId('keypad-dots').textContent).toBe('••••••_');
    expect(document.body.innerHTML).not.toContain(PW1);
    await pressKeys(['Enter']);
    await waitFor(() => expect(screen.getByTestId('outcome').dataset.outcome).toBe('accepted'));
    expect(screen.getByTestId('outcome-sw').textContent).toBe('90 00');
    expect(screen.queryByTestId('on-screen-keypad')).toBeNull();
    expect(wizard.keypadDigits).toBe(0);
  });

  it('Escape is the keypad\'s Cancel key: "Cancelled on the keypad" (CCID bError EF), and the edited fields survive', async () => {
    const { wizard, container } = await openWizard();
    await fireEvent.click(stepButton(container, 'parameters'));
    await fireEvent.input(field('bTimerOut'), { target: { value: '0x2D' } });
    await waitFor(() => expect(wizard.preview?.fields.bTimerOut).toBe(0x2d));
    await toRunStep(container, 3);
    await fireEvent.keyDown(document.body, { key: 'Enter' });
    await screen.findByTestId('on-screen-keypad');
    // The reader waits bTimerOut seconds: the countdown starts there.
    expect(Number(screen.getByTestId('keypad-countdown').dataset.secondsLeft)).toBeGreaterThan(40);
    await pressKeys(['1', '2', 'Escape']);
    await waitFor(() => expect(screen.getByTestId('outcome').dataset.outcome).toBe('cancelled'));
    expect(screen.getByTestId('outcome').textContent).toContain('Cancelled on the keypad');
    // The virtual reader answers PC_to_RDR_Secure with bError EF (PIN_CANCELLED): no status word, explained.
    expect(screen.getByTestId('outcome').textContent).toContain('bError EF');
    expect(wizard.overrides).toEqual({ bTimerOut: 0x2d });
    await fireEvent.click(stepButton(container, 'parameters'));
    expect(field('bTimerOut').value).toBe('0x2D');
  });

  it('the guard blocks a verify at 1 try left until the user confirms, on both paths', async () => {
    const { wizard, container } = await openWizard();
    await toRunStep(container, 3);
    await fireEvent.click(screen.getByLabelText(/software path/));
    await softwareVerify(WRONG);
    await waitFor(() => expect(screen.getByTestId('retry-guard').dataset.triesLeft).toBe('2'));
    await softwareVerify(WRONG);
    await waitFor(() => expect(screen.getByTestId('retry-guard').dataset.triesLeft).toBe('1'));
    const guard = screen.getByTestId('retry-guard');
    expect(guard.dataset.guard).toBe('confirm');
    expect(guard.textContent).toContain('Only one try is left');

    const runsBefore = log.calls.filter((c) => c.channel === 'pinpad.run' || c.channel === 'pinpad.runSoftware').length;
    expect((screen.getByTestId('software-run') as HTMLButtonElement).disabled).toBe(true);
    await fireEvent.submit(screen.getByTestId('software-path'));
    await fireEvent.click(screen.getByLabelText(/On the reader's keypad/));
    expect((screen.getByTestId('run-button') as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByTestId('run-blocker').textContent).toBe('Only one try is left: confirm first.');
    await fireEvent.keyDown(document.body, { key: 'Enter' });
    await wizard.run();
    expect(log.calls.filter((c) => c.channel === 'pinpad.run' || c.channel === 'pinpad.runSoftware')).toHaveLength(runsBefore);
    expect(screen.queryByTestId('on-screen-keypad')).toBeNull();

    await fireEvent.click(screen.getByTestId('confirm-last-try'));
    expect((screen.getByTestId('run-button') as HTMLButtonElement).disabled).toBe(false);
    await fireEvent.click(screen.getByTestId('run-button'));
    await screen.findByTestId('on-screen-keypad');
    await pressKeys([...PW1, 'Enter']);
    await waitFor(() => expect(screen.getByTestId('outcome').dataset.outcome).toBe('accepted'));
    const run = log.calls.filter((c) => c.channel === 'pinpad.run').at(-1)!;
    expect(JSON.parse(run.args)).toMatchObject({ confirmLastTry: true });
    // A confirmation is good for one run; the right PIN brought the counter back.
    await waitFor(() => expect(screen.getByTestId('retry-guard').dataset.triesLeft).toBe('3'));
    expect(wizard.lastTryConfirmed).toBe(false);
    expect(screen.getByTestId('retry-guard').dataset.guard).toBe('run');
  });

  it('the software path masks the PIN, empties its input, and hands the digits to pinpad.runSoftware only', async () => {
    const { wizard, container } = await openWizard();
    await toRunStep(container, 3);
    await fireEvent.click(screen.getByLabelText(/software path/));
    const input = screen.getByTestId('software-path').querySelector<HTMLInputElement>('input[data-pin="pin"]')!;
    expect(input.type).toBe('password');
    expect(input.getAttribute('autocomplete')).toBe('off');
    expect(input.getAttribute('name')).toBeNull();
    await softwareVerify(PW1);
    expect(screen.getByTestId('outcome').dataset.outcome).toBe('accepted');
    expect(screen.getByTestId('outcome-sw').textContent).toBe('90 00');
    expect(input.value).toBe('');

    const forms = pinForms(PW1);
    const carrying = log.calls.filter((c) => forms.some((f) => c.args.includes(f)));
    expect(carrying.map((c) => c.channel)).toEqual(['pinpad.runSoftware']);
    expect(JSON.parse(carrying[0]!.args)).toMatchObject({ pin: PW1, preset: 'openpgp-pw1', operation: 'verify' });
    for (const text of [...log.results, ...log.events]) for (const f of forms) expect(text).not.toContain(f);

    const wizardState = JSON.stringify({
      overrides: wizard.overrides,
      preview: wizard.preview,
      result: wizard.result,
      tries: wizard.tries,
      runProblem: wizard.runProblem,
      profiles: wizard.profiles,
      keypad: wizard.keypad,
    });
    const places = {
      wizardState,
      html: document.documentElement.outerHTML,
      url: location.href,
      history: JSON.stringify(history.state),
      localStorage: JSON.stringify({ ...localStorage }),
      sessionStorage: JSON.stringify({ ...sessionStorage }),
    };
    for (const [where, text] of Object.entries(places)) for (const f of forms) expect(text, where).not.toContain(f);
    for (const file of filesUnder(dataDir)) for (const f of forms) expect(file.text, file.path).not.toContain(f);
  });

  it('a change on the on-screen keypad walks through current, new and confirmation, then the new PIN verifies', async () => {
    const { container } = await openWizard();
    await fireEvent.click(stepButton(container, 'card'));
    await fireEvent.click(screen.getByLabelText(/Change \(CHANGE REFERENCE DATA/));
    // The change asks for the current PIN (bConfirmPIN 03): a wrong one costs a try, so the guard reads the counter.
    await toRunStep(container, 3);
    await fireEvent.click(screen.getByTestId('run-button'));
    expect((await screen.findByTestId('keypad-prompt')).textContent).toBe(
      "Enter the current PIN, then the new PIN, then the new PIN again on the reader's keypad",
    );
    const steps: string[] = [];
    for (const pin of [PW1, NEW_PW1, NEW_PW1]) {
      const keypad = await screen.findByTestId('on-screen-keypad');
      steps.push(keypad.dataset.step!);
      const request = keypad.dataset.request;
      await pressKeys([...pin, 'Enter']);
      // The next request replaces this one (or the dialog closes after the last).
      await waitFor(() => expect(screen.queryByTestId('on-screen-keypad')?.dataset.request).not.toBe(request));
    }
    expect(steps).toEqual(['current-pin', 'new-pin', 'confirm-new-pin']);
    await waitFor(() => expect(screen.getByTestId('outcome').dataset.outcome).toBe('accepted'));
    expect(screen.getByTestId('outcome').textContent).toContain('PIN changed');
    // The counter is read again after the run (the controls wait for it).
    await waitFor(() => expect(screen.getByTestId('retry-guard').dataset.checking).toBe('false'));
    expect(screen.getByTestId('retry-guard').dataset.triesLeft).toBe('3');

    await fireEvent.click(stepButton(container, 'card'));
    await fireEvent.click(screen.getByLabelText(/Verify \(VERIFY/));
    await toRunStep(container, 3);
    await fireEvent.click(screen.getByLabelText(/software path/));
    await softwareVerify(NEW_PW1);
    expect(screen.getByTestId('outcome').dataset.outcome).toBe('accepted');
  });

  it('a change on the software path asks for the current PIN and the new one twice; a mismatch is refused without echoing digits', async () => {
    const { container } = await openWizard();
    await fireEvent.click(stepButton(container, 'card'));
    await fireEvent.click(screen.getByLabelText(/Change \(CHANGE REFERENCE DATA/));
    await toRunStep(container, 3);
    await fireEvent.click(screen.getByLabelText(/software path/));
    const form = screen.getByTestId('software-path');
    const inputs = [...form.querySelectorAll<HTMLInputElement>('input')];
    expect(inputs.map((i) => [i.dataset.pin, i.type])).toEqual([
      ['currentPin', 'password'],
      ['newPin', 'password'],
      ['newPinAgain', 'password'],
    ]);
    const fill = async (values: string[]): Promise<void> => {
      values.forEach((v, i) => (inputs[i]!.value = v));
      await fireEvent.submit(form);
      await waitFor(() => expect(screen.getByTestId('run-panel').dataset.phase).toBe('idle'));
    };
    await fill([PW1, NEW_PW1, '582064']);
    expect(screen.getByTestId('outcome').dataset.outcome).toBe('error');
    expect(screen.getByTestId('outcome').textContent).toContain('differ');
    for (const digits of [PW1, NEW_PW1, '582064']) expect(screen.getByTestId('outcome').textContent).not.toContain(digits);
    expect(inputs.map((i) => i.value)).toEqual(['', '', '']);

    await fill([PW1, NEW_PW1, NEW_PW1]);
    expect(screen.getByTestId('outcome').dataset.outcome).toBe('accepted');
    expect(screen.getByTestId('outcome').textContent).toContain('PIN changed');
  });

  it('nobody at the keypad: the reader gives up after bTimerOut and the outcome says so', async () => {
    const { wizard, container } = await openWizard();
    await fireEvent.click(stepButton(container, 'parameters'));
    await fireEvent.input(field('bTimerOut'), { target: { value: '1' } });
    await waitFor(() => expect(wizard.preview?.fields.bTimerOut).toBe(1));
    await toRunStep(container, 3);
    await fireEvent.click(screen.getByTestId('run-button'));
    expect((await screen.findByTestId('keypad-countdown')).dataset.secondsLeft).toBe('1');
    await waitFor(() => expect(screen.getByTestId('outcome').dataset.outcome).toBe('timeout'), { timeout: 5000 });
    expect(screen.getByTestId('outcome').textContent).toContain('Nobody typed the PIN in time');
    expect(screen.queryByTestId('on-screen-keypad')).toBeNull();
  });

  it('a blocked PIN: the guard refuses to run at all', async () => {
    const { container } = await openWizard();
    await toRunStep(container, 3);
    await fireEvent.click(screen.getByLabelText(/software path/));
    await softwareVerify(WRONG);
    await softwareVerify(WRONG);
    await waitFor(() => expect(screen.getByTestId('retry-guard').dataset.guard).toBe('confirm'));
    await fireEvent.click(screen.getByTestId('confirm-last-try'));
    await softwareVerify(WRONG);
    expect(screen.getByTestId('outcome').textContent).toContain('now blocked');
    await waitFor(() => expect(screen.getByTestId('retry-guard').dataset.guard).toBe('refuse'));
    expect(screen.getByTestId('retry-guard').textContent).toContain('Refused:');
    expect(screen.queryByTestId('confirm-last-try')).toBeNull();
    expect((screen.getByTestId('software-run') as HTMLButtonElement).disabled).toBe(true);
    await fireEvent.click(screen.getByLabelText(/On the reader's keypad/));
    expect((screen.getByTestId('run-button') as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByTestId('run-blocker').textContent).toMatch(/blocked/);
  });

  it('leaving the Pinpad tab and coming back keeps the step and the edited fields', async () => {
    const api = recordingApi(inProcessApi(backend), log);
    const first = render(PinpadWorkbench, { props: { api } });
    await waitFor(() =>
      expect(first.container.querySelector('[data-testid="pinpad-capabilities"]')?.getAttribute('data-keypad')).toBe('true'),
    );
    await fireEvent.click(stepButton(first.container, 'parameters'));
    await fireEvent.input(field('bTimerOut'), { target: { value: '0x2D' } });
    await waitFor(() => expect(screen.getByTestId('structure-preview').dataset.pcscHex?.slice(0, 2)).toBe('2D'));
    first.unmount();
    expect(document.getElementById('pinpad-field-bTimerOut')).toBeNull();

    const again = render(PinpadWorkbench, { props: { api } });
    expect(again.container.querySelector('[data-testid="pinpad-workbench"]')!.getAttribute('data-step')).toBe('parameters');
    expect(field('bTimerOut').value).toBe('0x2D');
    await waitFor(() => expect(screen.getByTestId('structure-preview').dataset.pcscHex?.slice(0, 2)).toBe('2D'));
  });
});

describe('a direct-USB reader with its own keypad', () => {
  it('shows "Enter the PIN on the reader\'s keypad" with the countdown, and Cancel aborts the entry on the reader', async () => {
    // Nobody types on the reader: it waits until the host aborts the entry.
    const keypad = new DeviceKeypad();
    const device = new VirtualUsbCcidDevice({
      profile: GEMPC_PINPAD_USB_PROFILE,
      keypad,
      cards: [new VirtualSmartCard({ openPgpPw1: PW1 })],
      timers: nodeTimers,
    });
    backend.dispose();
    backend = createBackend({
      shell: 'browser',
      electron: { available: false, reason: 'test' },
      probes: controllableProbes({ pcsc: { available: false, reason: 'test' }, usb: { available: true } }),
      readers: {
        backends: () => [
          createUsbReaderBackend({ probe: () => ({ available: true }), lib: { getDeviceList: () => [fakeUsbBusDevice(device)] } }),
        ],
        dataDir,
      },
    });
    const { wizard, container } = await openWizard();
    expect(wizard.readerId).toMatch(/^usb:/);
    await fireEvent.click(stepButton(container, 'parameters'));
    await fireEvent.input(field('bTimerOut'), { target: { value: '20' } });
    await waitFor(() => expect(wizard.preview?.fields.bTimerOut).toBe(20));
    await toRunStep(container, 3);
    await fireEvent.click(screen.getByTestId('run-button'));
    await waitFor(() => expect(keypad.prompts).toHaveLength(1));
    expect((await screen.findByTestId('keypad-prompt')).textContent).toBe("Enter the PIN on the reader's keypad");
    const seconds = Number(screen.getByTestId('countdown').dataset.secondsLeft);
    expect(seconds).toBeGreaterThan(15);
    expect(seconds).toBeLessThanOrEqual(20);
    // The app's own keypad is for the built-in reader only: this reader's keypad is the device's.
    expect(screen.queryByTestId('on-screen-keypad')).toBeNull();

    await fireEvent.keyDown(document.body, { key: 'Escape' });
    await waitFor(() => expect(screen.getByTestId('outcome').dataset.outcome).toBe('cancelled'));
    expect(screen.getByTestId('outcome').textContent).toContain('Aborted by the host');
    expect(keypad.aborted).toBe(1);
    expect(log.calls.filter((c) => c.channel === 'pinpad.cancel')).toHaveLength(1);
  });
});

describe('a reader without a keypad', () => {
  it('says so plainly, runs the software path, and keeps the edited fields when a run fails', async () => {
    const plain = new FakeReaderBackend('pcsc');
    plain.list = [{ name: 'Plain Reader 00 00', cardPresent: true, atr: '3B8A8131FE458031C073F4014082900024' }];
    plain.answers.set('00A4040006D27600012401', '9000');
    plain.answers.set('00200081', '63C3');
    // openpgp-pw1 has no PIN block: the PIN is appended after Lc, in ASCII.
    plain.answers.set(`0020008106${Buffer.from(PW1).toString('hex').toUpperCase()}`, '9000');
    plain.answers.set(`0020008106${Buffer.from(WRONG).toString('hex').toUpperCase()}`, 'REMOVED');
    backend.dispose();
    backend = createBackend({
      shell: 'browser',
      electron: { available: false, reason: 'test' },
      probes: controllableProbes({ pcsc: { available: true }, usb: { available: false, reason: 'test' } }),
      readers: { backends: () => [plain], dataDir },
    });
    const { wizard, container } = await openWizard({ keypad: false });
    expect(screen.getByTestId('no-keypad').textContent).toBe('This reader has no keypad: the PIN is typed here and sent in the APDU.');

    await fireEvent.click(stepButton(container, 'parameters'));
    await fireEvent.input(field('bTimerOut'), { target: { value: '0x2D' } });
    await waitFor(() => expect(wizard.preview?.fields.bTimerOut).toBe(0x2d));
    await toRunStep(container, 3);
    expect(screen.getByTestId('software-only').textContent).toContain(
      'This reader has no keypad: the PIN is typed here and sent in the APDU.',
    );
    expect(screen.getByTestId('run-panel').dataset.path).toBe('software');
    expect(screen.queryByTestId('run-button')).toBeNull();

    // The card vanishes under the VERIFY: the run fails, the message says so, nothing edited is lost.
    const input = await softwareVerify(WRONG);
    expect(input.value).toBe('');
    expect(screen.getByTestId('outcome').dataset.outcome).toBe('error');
    expect(screen.getByTestId('outcome').textContent).toContain('Your parameters are kept');
    expect(screen.getByTestId('outcome').textContent).not.toContain(WRONG);
    expect(wizard.overrides).toEqual({ bTimerOut: 0x2d });
    await fireEvent.click(stepButton(container, 'parameters'));
    expect(field('bTimerOut').value).toBe('0x2D');

    await fireEvent.click(stepButton(container, 'run'));
    await softwareVerify(PW1);
    expect(screen.getByTestId('outcome').dataset.outcome).toBe('accepted');
    expect(screen.getByTestId('outcome').textContent).toContain('software path');
    expect(plain.sent).toContain(`Plain Reader 00 00:0020008106${Buffer.from(PW1).toString('hex').toUpperCase()}`);
  });
});

describe('profiles', () => {
  it('saves the changed fields for this reader, loads them back, and exports JSON without any PIN', async () => {
    const { wizard, container } = await openWizard();
    await fireEvent.click(stepButton(container, 'parameters'));
    await fireEvent.input(field('bTimerOut'), { target: { value: '0x2D' } });
    await waitFor(() => expect(wizard.preview?.fields.bTimerOut).toBe(0x2d));
    await fireEvent.click(stepButton(container, 'profiles'));
    await fireEvent.input(screen.getByLabelText(/^Name/), { target: { value: 'slow reader' } });
    await fireEvent.submit(screen.getByRole('form', { name: 'Save a profile' }));
    await waitFor(() => expect(container.querySelector('[data-profile="slow reader"]')?.textContent).toContain('slow reader'));
    expect(wizard.profiles[0]).toMatchObject({ name: 'slow reader', reader: 'Cardbench Virtual Pinpad', settings: { bTimerOut: 0x2d } });

    await wizard.resetAllFields();
    expect(wizard.preview?.fields.bTimerOut).toBe(0);
    await fireEvent.click(container.querySelector('[data-profile="slow reader"] button')!);
    await waitFor(() => expect(wizard.preview?.fields.bTimerOut).toBe(0x2d));

    const exported = await wizard.exportProfiles();
    expect(JSON.parse(exported!.text)).toMatchObject({ format: 'cardbench-pinpad-profiles', profiles: [{ name: 'slow reader' }] });
    await wizard.importProfiles('{"format":"cardbench-pinpad-profiles","version":1,"profiles":[{"name":"x","pin":"1234"}]}');
    expect(wizard.profilesProblem).toMatch(/^Import refused: .*never holds a PIN/);
    expect(wizard.profilesProblem).not.toContain('1234');
    expect(wizard.profiles).toHaveLength(1);
  });
});
