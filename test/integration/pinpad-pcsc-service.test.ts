/**
 * The Pinpad channels against a real PC/SC pinpad: a private pcscd whose libccid serial driver
 * (libccidtwin, GemPC Pinpad) drives the virtual pinpad reader over a pty, its keypad played by
 * a script. Every preset that fits the virtual card runs through pinpad.run (SCardControl with the
 * VERIFY/MODIFY_PIN_DIRECT code libccid announced), and each outcome is asserted with its SW and
 * explanation: enter, wrong PIN, keypad cancel, keypad timeout, PINs differ, blocked; the retry
 * guard refuses at 0 and asks at 1 try left; pinpad.cancel says what PC/SC cannot do.
 *
 * The keypad script is played in order: each test consumes the entries noted beside it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PinpadRunState, PinRunResult } from '#core/ipc/channels/pinpad.js';
import type { Api } from '#core/ipc/contract.js';
import { pcscdRigUnavailableReason, waitFor } from '../rigs/pcscd-rig.js';
import { PINPAD_READER_ID, startPinpadBackendRig, type PinpadBackendRig } from '../rigs/pinpad-backend-rig.js';
import type { PinpadRig } from '../rigs/pinpad-reader-rig.js';
import { filesUnder, pinForms } from '../unit/electron/backend/pinpad/pinpad-harness.js';

const skipReason = pcscdRigUnavailableReason();
if (skipReason) {
  if (process.env.CI === 'true') throw new Error(`integration rig unavailable under CI: ${skipReason}`);
  console.warn(`[skip] pinpad over PC/SC: ${skipReason}`);
}

const READER = PINPAD_READER_ID;
/** The PIN PW1 is changed to: distinctive, so a leak anywhere would be found. */
const NEW_PW1 = '739146';
const SELECT_PIV = '00A4040009A0000003080000100000';
const FF8 = 'FF'.repeat(8);

const KEYPAD = [
  '123456', // enter
  '000000', // wrong PIN
  'cancel', // keypad cancel
  'timeout', // keypad timeout
  '000000', // wrong again: one try left
  '123456', // confirmed last try
  '123456',
  NEW_PW1,
  '739147', // modify, PINs differ
  '123456',
  NEW_PW1,
  NEW_PW1, // modify
  NEW_PW1, // verify the new PIN
  NEW_PW1, // openpgp-pw1-82
  '12345678', // openpgp-pw3
  '123456', // piv-pin
  '123456', // iso-ascii (PIV selected)
  '123456', // iso-bcd: the PIV PIN is ASCII, so wrong
  '123456', // iso-format2: wrong again
  '123456', // piv-pin at the last try, confirmed
  '00000000',
  '00000000',
  '00000000', // PW3 blocked
  '12345678', // custom without probe: the card says blocked
  'delay 1500',
  'cancel', // pinpad.cancel while the keypad waits
];

let setup: PinpadBackendRig | undefined;
let rig: PinpadRig;
let api: Api;
let dataDir: string;
const states: PinpadRunState[] = [];
const results: unknown[] = [];
const timings: string[] = [];

const run = async (
  preset: string,
  extra: Partial<{
    operation: 'verify' | 'modify';
    select: boolean;
    confirmLastTry: boolean;
    overrides: Record<string, number | string>;
  }> = {},
): Promise<PinRunResult> => {
  const result = await api.invoke('pinpad.run', {
    reader: READER,
    preset,
    operation: 'verify',
    select: true,
    confirmLastTry: false,
    ...extra,
  });
  results.push(result);
  return result;
};

describe.skipIf(skipReason)('pinpad.run on a PC/SC pinpad (pcscd + libccid GemPC Pinpad + virtual reader)', () => {
  beforeAll(async () => {
    setup = await startPinpadBackendRig({ card: 't1', keypadScript: KEYPAD }, { pcscRetryMs: 200 });
    ({ rig, api, dataDir } = setup);
    api.on('pinpad.runState', (state) => states.push(state));
  }, 60_000);

  afterAll(async () => {
    console.log(`PINPAD-PCSC timings\n  ${timings.join('\n  ')}`);
    await setup?.stop();
  });

  it('capabilities: libccid announces VERIFY/MODIFY_PIN_DIRECT; the GemPC Pinpad is recognised by its USB id', async () => {
    const caps = await api.invoke('pinpad.capabilities', { reader: READER });
    expect(caps).toMatchObject({
      keypad: true,
      verifyVia: 'VERIFY_PIN_DIRECT',
      modifyVia: 'MODIFY_PIN_DIRECT',
      known: { model: 'gempc-pinpad', by: 'usb-id' },
    });
    expect(caps.minPin).toEqual(expect.any(Number));
    const view = await api.invoke('pinpad.build', { reader: READER, preset: 'piv-pin', operation: 'verify' });
    // What libccid really sends this model: bNumberMessage forced to 01 on a verify.
    expect(view.libccid?.rewrites).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'bNumberMessage', to: 1 })]));
  });

  it('enter: SELECT, retry counter, SCardControl(42330006) → 90 00 explained; runState select → retry-check → keypad → done', async () => {
    states.length = 0;
    const result = await run('openpgp-pw1');
    expect(result).toMatchObject({
      path: 'pcsc-part10',
      ran: true,
      select: { sw: '9000' },
      tries: { probe: '00200081', reading: { state: 'tries-left', triesLeft: 3 } },
      response: '9000',
      outcome: { kind: 'accepted', title: 'PIN verified', detail: 'The card accepted the PIN typed on the keypad (90 00).' },
    });
    expect(states.map((s) => s.state)).toEqual(['select', 'retry-check', 'keypad', 'done']);
    timings.push(`keypad verify through pcscd + libccid + the pty reader, SELECT and retry probe included: ${result.durationMs} ms`);
  });

  it('wrong PIN 63 C2, keypad cancel 64 01, keypad timeout 64 00 — each with its explanation', async () => {
    expect(await run('openpgp-pw1')).toMatchObject({
      response: '63C2',
      outcome: { kind: 'wrong-pin', title: 'Wrong PIN: 2 tries left', triesLeft: 2 },
    });
    const cancelled = await run('openpgp-pw1');
    expect(cancelled).toMatchObject({ response: '6401', outcome: { kind: 'cancelled', source: 'reader' } });
    expect(cancelled.outcome?.detail).toMatch(/64 01/);
    const timedOut = await run('openpgp-pw1');
    expect(timedOut).toMatchObject({ response: '6400', outcome: { kind: 'timeout', source: 'reader' } });
  });

  it('the retry guard asks at one try left and goes on only when confirmed', async () => {
    expect(await run('openpgp-pw1')).toMatchObject({ response: '63C1' });
    const asked = await run('openpgp-pw1');
    expect(asked).toMatchObject({
      ran: false,
      response: null,
      decision: { decision: 'confirm', sentence: expect.stringMatching(/Only one try is left/) },
    });
    expect(await run('openpgp-pw1', { confirmLastTry: true })).toMatchObject({ ran: true, response: '9000' });
    expect((await api.invoke('pinpad.readTries', { reader: READER, preset: 'openpgp-pw1', select: true })).reading.triesLeft).toBe(3);
  });

  it('modify: different new PINs are 64 02 (PINs differ); then the change, and a verify with the new PIN', async () => {
    const differ = await run('openpgp-pw1', { operation: 'modify' });
    expect(differ).toMatchObject({ response: '6402', outcome: { kind: 'confirmation-mismatch' } });
    expect(await run('openpgp-pw1', { operation: 'modify' })).toMatchObject({ response: '9000', outcome: { title: 'PIN changed' } });
    expect(await run('openpgp-pw1')).toMatchObject({ response: '9000' });
  });

  it('every preset that fits the virtual card: openpgp-pw1-82, openpgp-pw3, piv-pin, and iso-* on the PIV PIN', async () => {
    expect(await run('openpgp-pw1-82')).toMatchObject({ response: '9000', select: { sw: '9000' } });
    expect(await run('openpgp-pw3')).toMatchObject({ response: '9000', tries: { probe: '00200083' } });
    expect(await run('piv-pin')).toMatchObject({ response: '9000', select: { apdu: SELECT_PIV, sw: '9000' } });
    await api.invoke('card.transmit', { reader: READER, apdu: SELECT_PIV });
    const ascii = await run('iso-ascii', { select: false, overrides: { apdu: `0020008008${FF8}` } });
    expect(ascii).toMatchObject({ select: null, tries: null, response: '9000' });
    // The virtual PIV PIN is ASCII: the same digits as BCD or in a format-2 block are a wrong PIN, which proves the block reached the card.
    expect(await run('iso-bcd', { select: false, overrides: { apdu: `0020008008${FF8}` } })).toMatchObject({ response: '63C2' });
    expect(await run('iso-format2', { select: false, overrides: { apdu: `002000800820${'FF'.repeat(7)}` } })).toMatchObject({
      response: '63C1',
    });
    expect(await run('piv-pin', { confirmLastTry: true })).toMatchObject({ response: '9000' });
    for (const preset of ['belgian-eid', 'ias-ecc', 'smartcard-hsm']) {
      const absent = await run(preset);
      expect(absent).toMatchObject({ ran: false, select: { sw: '6A82' }, decision: { decision: 'refuse' } });
    }
  });

  it('blocked: the guard refuses at 0 tries; without a probe the card itself answers 69 83, explained', async () => {
    for (const left of ['63C2', '63C1', '63C0'])
      expect(await run('openpgp-pw3', { confirmLastTry: true })).toMatchObject({ response: left });
    const refused = await run('openpgp-pw3', { confirmLastTry: true });
    expect(refused).toMatchObject({
      ran: false,
      tries: { reading: { state: 'blocked' } },
      decision: { decision: 'refuse', sentence: expect.stringMatching(/blocked/) },
    });
    const blocked = await run('custom', { select: false, overrides: { apdu: '00200083', bmPINBlockString: 0, wPINMaxExtraDigit: '8-15' } });
    expect(blocked).toMatchObject({ ran: true, response: '6983', outcome: { kind: 'blocked' } });
  });

  it('pinpad.cancel on PC/SC says it cannot end the entry (the reader does); a second run is refused meanwhile', async () => {
    states.length = 0;
    const pending = run('openpgp-pw1');
    await waitFor(
      () => states.some((s) => s.state === 'keypad'),
      10_000,
      () => 'no keypad state',
    );
    const started = performance.now();
    const cancel = await api.invoke('pinpad.cancel', { reader: READER });
    expect(cancel).toEqual({ cancelled: false, detail: expect.stringMatching(/SCardCancel returns at once and changes nothing/) });
    await expect(run('openpgp-pw1')).rejects.toMatchObject({ message: expect.stringMatching(/already waiting on the keypad/) });
    const ended = await pending;
    expect(ended).toMatchObject({ response: '6401', outcome: { kind: 'cancelled' } });
    timings.push(`PC/SC entry after pinpad.cancel: ended by the keypad's own Cancel ${Math.round(performance.now() - started)} ms later`);
  });

  it('the software path on a PC/SC reader sends the PIN in the APDU', async () => {
    const result = await api.invoke('pinpad.runSoftware', {
      reader: READER,
      preset: 'openpgp-pw1',
      operation: 'verify',
      select: true,
      confirmLastTry: false,
      pin: NEW_PW1,
    });
    results.push(result);
    expect(result).toMatchObject({ path: 'software', response: '9000' });
  });

  it('no form of the PIN in any result, event, the data directory or the reader process output', async () => {
    await api.invoke('console.history', {});
    const texts = [JSON.stringify(results), JSON.stringify(states), rig.reader.output(), ...filesUnder(dataDir).map((f) => f.text)];
    for (const form of pinForms(NEW_PW1)) for (const text of texts) expect(text).not.toContain(form);
  });
});
