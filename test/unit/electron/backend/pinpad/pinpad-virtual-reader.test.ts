/**
 * The Pinpad channels on the built-in "Cardbench Virtual Pinpad", end to end: contract → service →
 * hub → CCID driver (PC_to_RDR_Secure) → in-process USB device → reader model → virtual card, with
 * a person answering the on-screen keypad through pinpad.keypadInput. The card's PINs are set to
 * distinctive values so a leak anywhere would be found.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VirtualSmartCard } from '#core/sim/card/virtual-smart-card.js';
import { createVirtualReaderBackend, VIRTUAL_READER_ID } from '../../../../../electron/backend/virtual-reader/virtual-reader-backend.js';
import { filesUnder, pinForms, startPinpadBackend, type PinpadHarness } from './pinpad-harness.js';

const PW1 = '739146';
const NEW_PW1 = '582063';
const PIV_PIN = '864213';
const READER = VIRTUAL_READER_ID;

let h: PinpadHarness;
let card: VirtualSmartCard;

beforeEach(() => {
  card = new VirtualSmartCard({ openPgpPw1: PW1, pivPin: PIV_PIN });
  h = startPinpadBackend(({ keypad }) => [createVirtualReaderBackend({ card, ...(keypad ? { keypad } : {}) })]);
});

afterEach(async () => {
  await h.dispose();
});

const verify = (preset = 'openpgp-pw1', extra: { overrides?: Record<string, number | string>; confirmLastTry?: boolean } = {}) =>
  h.api.invoke('pinpad.run', { reader: READER, preset, operation: 'verify', select: true, confirmLastTry: false, ...extra });
/** A verify on the software path: the PIN typed in Cardbench, sent in the APDU. */
const verifySoftware = (pin: string, preset = 'openpgp-pw1') =>
  h.api.invoke('pinpad.runSoftware', { reader: READER, preset, operation: 'verify', select: true, confirmLastTry: false, pin });

describe('pinpad.presets / build / capabilities', () => {
  it('lists the presets the issue names, each with its source and the SELECT it sends', async () => {
    const presets = await h.api.invoke('pinpad.presets', {});
    const names = presets.map((p) => p.name);
    for (const name of ['openpgp-pw1', 'openpgp-pw3', 'piv-pin', 'belgian-eid', 'iso-ascii', 'iso-bcd', 'iso-format2', 'custom'])
      expect(names).toContain(name);
    expect(presets.find((p) => p.name === 'piv-pin')).toMatchObject({ select: '00A4040009A0000003080000100000', retryProbe: 'supported' });
  });

  it('the built-in reader offers verify and modify on its keypad (CCID bPINSupport, libccid-style feature list)', async () => {
    const caps = await h.api.invoke('pinpad.capabilities', { reader: READER });
    expect(caps).toMatchObject({
      reader: 'Cardbench Virtual Pinpad',
      keypad: true,
      verify: true,
      modify: true,
      verifyVia: 'VERIFY_PIN_DIRECT',
    });
    expect(caps.sentences[0]).toMatch(/has a PIN pad/);
  });

  it('build previews the bytes without touching the card; a bad setting is refused by name', async () => {
    const view = await h.api.invoke('pinpad.build', { preset: 'openpgp-pw1', operation: 'verify', overrides: { bTimerOut: 0x1e } });
    expect(view.pcsc.hex.startsWith('1E')).toBe(true);
    expect(view.ccid.abDataHex?.startsWith('001E82')).toBe(true);
    await expect(
      h.api.invoke('pinpad.build', { preset: 'openpgp-pw1', operation: 'verify', overrides: { bMsgIndex1: 1 } }),
    ).rejects.toMatchObject({
      code: 'invalid-arguments',
      message: expect.stringMatching(/bMsgIndex1 belongs to a PIN modify/),
    });
  });
});

describe('pinpad.run on the on-screen keypad (CCID Secure)', () => {
  it('verify: SELECT, retry counter, keypad request with the prompt and timeout, 90 00 explained', async () => {
    h.keypad({ type: 'type', digits: PW1 });
    const result = await verify();
    expect(result).toMatchObject({
      reader: READER,
      path: 'ccid-secure',
      ran: true,
      response: '9000',
      select: { apdu: '00A4040006D27600012401', sw: '9000' },
      outcome: { kind: 'accepted', title: 'PIN verified' },
    });
    expect(result.tries).toMatchObject({ probe: '00200081', reading: { state: 'tries-left', triesLeft: 3 } });
    expect(h.requests).toEqual([
      expect.objectContaining({
        reader: READER,
        operation: 'verify',
        step: 'pin',
        minDigits: 6,
        maxDigits: 15,
        timeoutMs: 30_000,
        messages: ['Enter PIN', 'OK to validate, Cancel to stop'],
      }),
    ]);
    expect(h.done).toEqual([{ requestId: h.requests[0]!.requestId, reader: READER, outcome: 'entered' }]);
    expect(h.states.map((s) => s.state)).toEqual(['select', 'retry-check', 'keypad', 'done']);
    expect(h.states[2]).toEqual({ reader: READER, state: 'keypad', timeoutMs: 30_000 });
    // keypadInput says how many digits, never which.
    expect(h.answers).toEqual([{ requestId: h.requests[0]!.requestId, accepted: true, digitsEntered: PW1.length }]);
  });

  it('a wrong PIN is 63 C2 with the tries left; the keypad Cancel key is "Cancelled on the keypad" (bError EF)', async () => {
    h.keypad({ type: 'type', digits: '000000' }, { type: 'cancel' });
    const wrong = await verify();
    expect(wrong).toMatchObject({ response: '63C2', outcome: { kind: 'wrong-pin', triesLeft: 2 } });
    const cancelled = await verify();
    expect(cancelled).toMatchObject({ ran: true, response: null, outcome: { kind: 'cancelled', title: 'Cancelled on the keypad' } });
    expect(cancelled.outcome?.detail).toMatch(/bError EF/);
    expect(h.done.map((d) => d.outcome)).toEqual(['entered', 'cancelled']);
    // A cancel costs no try: the guard still reads 2.
    expect(card.protocol).toBe('T=1');
    const tries = await h.api.invoke('pinpad.readTries', { reader: READER, preset: 'openpgp-pw1', select: true });
    expect(tries.reading).toMatchObject({ state: 'tries-left', triesLeft: 2 });
  });

  it('nobody types: the keypad times out after bTimerOut (bError F0 → timeout), then the reader works on', async () => {
    h.keypad({ type: 'ignore' }, { type: 'type', digits: PW1 });
    const timedOut = await verify('openpgp-pw1', { overrides: { bTimerOut: 1 } });
    expect(h.requests[0]!.timeoutMs).toBe(1000);
    expect(timedOut).toMatchObject({ ran: true, outcome: { kind: 'timeout' } });
    expect(h.done[0]!.outcome).toBe('timeout');
    expect((await verify()).outcome?.kind).toBe('accepted');
  });

  it('pinpad.cancel aborts the pending entry with a CCID Abort: CMD_ABORTED, keypad closed, T=1 still in step after', async () => {
    h.keypad({ type: 'host-cancel' }, { type: 'type', digits: PW1 });
    const aborted = await verify();
    expect(aborted).toMatchObject({ ran: true, response: null, outcome: { kind: 'cancelled', title: 'Aborted by the host' } });
    expect(h.answers[0]).toEqual({ cancelled: true, detail: expect.stringMatching(/CCID Abort/) });
    expect(h.done[0]!.outcome).toBe('aborted');
    // The driver and the reader kept their T=1 sequence numbers in step: the next entry works.
    expect((await verify()).response).toBe('9000');
    expect(await h.api.invoke('pinpad.cancel', { reader: READER })).toEqual({
      cancelled: false,
      detail: expect.stringMatching(/No PIN entry is waiting/),
    });
  });

  it('a second run while the keypad waits is refused, saying why; so is a retry query', async () => {
    h.keypad({ type: 'ignore' });
    const first = verify('openpgp-pw1', { overrides: { bTimerOut: 2 } });
    await expect.poll(() => h.requests.length).toBe(1);
    await expect(verify()).rejects.toMatchObject({
      code: 'operation-failed',
      message: expect.stringMatching(/already waiting on the keypad of Cardbench Virtual Pinpad/),
    });
    await expect(h.api.invoke('pinpad.readTries', { reader: READER, preset: 'openpgp-pw1', select: true })).rejects.toMatchObject({
      message: expect.stringMatching(/already waiting/),
    });
    expect((await first).outcome?.kind).toBe('timeout');
  });

  it('the retry guard asks at one try left and refuses a blocked PIN; without the guard the card says 69 83', async () => {
    h.keypad({ type: 'type', digits: '000000' }, { type: 'type', digits: '111111' });
    await verify();
    await verify();
    const asked = await verify();
    expect(asked).toMatchObject({ ran: false, decision: { decision: 'confirm' }, tries: { reading: { triesLeft: 1 } }, outcome: null });
    expect(h.requests).toHaveLength(2); // no keypad request for the run the guard stopped
    h.keypad({ type: 'type', digits: '222222' });
    const last = await verify('openpgp-pw1', { confirmLastTry: true });
    expect(last).toMatchObject({ ran: true, response: '63C0', outcome: { kind: 'blocked' } });
    const refused = await verify('openpgp-pw1', { confirmLastTry: true });
    expect(refused).toMatchObject({ ran: false, decision: { decision: 'refuse' }, tries: { reading: { state: 'blocked' } } });
    // custom with a probe the card might count: not probed, so the card itself answers.
    h.keypad({ type: 'type', digits: PW1 });
    const blocked = await verify('custom', { overrides: { apdu: '00200081', bmPINBlockString: 0 } });
    expect(blocked.select).toBeNull();
    h.keypad({ type: 'type', digits: PW1 });
    const selected = await h.api.invoke('pinpad.readTries', { reader: READER, preset: 'openpgp-pw1', select: true });
    expect(selected.reading.state).toBe('blocked');
    const afterSelect = await verify('custom', { overrides: { apdu: '00200081', bmPINBlockString: 0 } });
    expect(afterSelect).toMatchObject({ ran: true, response: '6983', outcome: { kind: 'blocked' } });
  });

  it('modify: current PIN, new PIN, confirmation on three keypad requests; differing entries are 64 02', async () => {
    h.keypad({ type: 'type', digits: PW1 }, { type: 'type', digits: NEW_PW1 }, { type: 'type', digits: '582064' });
    const differ = await h.api.invoke('pinpad.run', {
      reader: READER,
      preset: 'openpgp-pw1',
      operation: 'modify',
      select: true,
      confirmLastTry: false,
    });
    expect(differ).toMatchObject({ response: '6402', outcome: { kind: 'confirmation-mismatch' } });
    expect(h.requests.map((r) => [r.step, r.messages[0]])).toEqual([
      ['current-pin', 'Enter current PIN'],
      ['new-pin', 'Enter new PIN'],
      ['confirm-new-pin', 'Confirm new PIN'],
    ]);
    h.keypad({ type: 'type', digits: PW1 }, { type: 'type', digits: NEW_PW1 }, { type: 'type', digits: NEW_PW1 });
    const changed = await h.api.invoke('pinpad.run', {
      reader: READER,
      preset: 'openpgp-pw1',
      operation: 'modify',
      select: true,
      confirmLastTry: false,
    });
    expect(changed).toMatchObject({ response: '9000', outcome: { kind: 'accepted', title: 'PIN changed' } });
    h.keypad({ type: 'type', digits: NEW_PW1 });
    expect((await verify()).response).toBe('9000');
  });

  it('piv-pin: the PIN lands FF-padded in the 8-byte block the PIV applet expects', async () => {
    h.keypad({ type: 'type', digits: PIV_PIN });
    const result = await verify('piv-pin');
    expect(result).toMatchObject({ select: { sw: '9000' }, response: '9000', outcome: { kind: 'accepted' } });
    // The reader has a display (wLcdLayout): OpenSC's rule asks for its default message (FF).
    expect(result.request.fields).toMatchObject({ bmPINBlockString: 0x08, bNumberMessage: 0xff });
    expect(result.request.adjustments).toEqual([expect.objectContaining({ field: 'bNumberMessage', to: 0xff })]);
  });

  it('a reader without the application: the SELECT fails and nothing reaches the keypad', async () => {
    const result = await verify('belgian-eid');
    expect(result).toMatchObject({ ran: false, select: { sw: '6A82' }, decision: { decision: 'refuse' }, outcome: null });
    expect(h.requests).toHaveLength(0);
  });
});

describe('pinpad.runSoftware', () => {
  it('sends the PIN in the APDU as a pinpad would; the result carries the template, never the PIN', async () => {
    const ok = await verifySoftware(PW1);
    expect(ok).toMatchObject({ path: 'software', ran: true, response: '9000', outcome: { kind: 'accepted' } });
    const wrong = await verifySoftware('12345678', 'piv-pin');
    expect(wrong).toMatchObject({ response: '63C2', outcome: { kind: 'wrong-pin' } });
    for (const result of [ok, wrong])
      for (const form of [...pinForms(PW1), ...pinForms('12345678')]) expect(JSON.stringify(result)).not.toContain(form);
  });

  it('a missing or too short PIN is refused before anything is sent, the message naming sizes, not digits', async () => {
    await expect(verifySoftware('98765')).rejects.toMatchObject({
      code: 'invalid-arguments',
      message: 'The PIN cannot be sent: the PIN must be 6 to 15 digits long (wPINMaxExtraDigit), it has 5.',
    });
    await expect(verifySoftware('x9876')).rejects.toMatchObject({ code: 'invalid-arguments', detail: expect.not.stringContaining('9876') });
    // Nothing was sent: the counter is untouched.
    const tries = await h.api.invoke('pinpad.readTries', { reader: READER, preset: 'openpgp-pw1', select: true });
    expect(tries.reading.triesLeft).toBe(3);
  });
});

describe('profiles', () => {
  const profile = {
    name: 'GemPC OpenPGP',
    reader: READER,
    preset: 'openpgp-pw1',
    operation: 'verify' as const,
    settings: { bTimerOut: 30 },
    select: true,
  };

  it('saved per reader, exported and imported as JSON; a file holding a PIN is refused whole', async () => {
    const saved = await h.api.invoke('pinpad.saveProfile', { profile });
    expect(saved).toEqual([{ ...profile, savedAt: expect.any(String) }]);
    await h.api.invoke('pinpad.saveProfile', { profile: { ...profile, reader: 'pcsc:Other 00 00' } });
    expect(await h.api.invoke('pinpad.profiles', { reader: READER })).toHaveLength(1);
    const exported = await h.api.invoke('pinpad.exportProfiles', {});
    expect(exported).toMatchObject({ fileName: 'cardbench-pinpad-profiles.json', mimeType: 'application/json' });
    expect(JSON.parse(exported.text)).toMatchObject({ format: 'cardbench-pinpad-profiles', version: 1 });
    await h.api.invoke('pinpad.deleteProfile', { name: profile.name, reader: READER });
    expect(await h.api.invoke('pinpad.profiles', {})).toHaveLength(1);
    const imported = await h.api.invoke('pinpad.importProfiles', { text: exported.text });
    expect(imported.imported).toBe(2);
    expect(imported.profiles).toHaveLength(2);
    const withPin = JSON.parse(exported.text) as { profiles: Record<string, unknown>[] };
    withPin.profiles[0]!.pin = PW1;
    await expect(h.api.invoke('pinpad.importProfiles', { text: JSON.stringify(withPin), mode: 'replace' })).rejects.toMatchObject({
      code: 'invalid-arguments',
      message: expect.stringMatching(/never holds a PIN/),
    });
    const digits = JSON.parse(exported.text) as { profiles: { settings: Record<string, unknown> }[] };
    digits.profiles[0]!.settings.apdu = '0020008108' + Buffer.from(PW1).toString('hex') + 'FFFF';
    await expect(h.api.invoke('pinpad.importProfiles', { text: JSON.stringify(digits) })).rejects.toMatchObject({
      message: expect.stringMatching(/holds digits where the PIN goes/),
    });
    expect(await h.api.invoke('pinpad.profiles', {})).toHaveLength(2);
    await expect(h.api.invoke('pinpad.saveProfile', { profile: { ...profile, preset: 'nope' } })).rejects.toMatchObject({
      message: expect.stringMatching(/unknown preset/),
    });
  });
});

describe('secrets', () => {
  it('after every flow, no form of a PIN is in the data directory, the events or the results', async () => {
    const seen: unknown[] = [];
    h.keypad(
      { type: 'type', digits: PW1 },
      { type: 'type', digits: '000000' },
      { type: 'type', digits: PW1 },
      { type: 'type', digits: NEW_PW1 },
      { type: 'type', digits: NEW_PW1 },
    );
    seen.push(await verify(), await verify());
    seen.push(
      await h.api.invoke('pinpad.run', { reader: READER, preset: 'openpgp-pw1', operation: 'modify', select: true, confirmLastTry: false }),
    );
    seen.push(await verifySoftware(NEW_PW1));
    seen.push(
      await h.api.invoke('pinpad.runSoftware', {
        reader: READER,
        preset: 'openpgp-pw1',
        operation: 'modify',
        select: true,
        confirmLastTry: false,
        currentPin: NEW_PW1,
        newPin: PW1,
        newPinAgain: PW1,
      }),
    );
    await h.api.invoke('pinpad.saveProfile', {
      profile: { name: 'p', reader: READER, preset: 'openpgp-pw1', operation: 'verify', settings: {}, select: true },
    });
    seen.push(await h.api.invoke('pinpad.exportProfiles', {}));
    await h.api.invoke('console.history', {});
    expect(seen.slice(0, 5).map((r) => (r as { response: string }).response)).toEqual(['9000', '63C2', '9000', '9000', '9000']);
    const everything = [
      JSON.stringify(seen),
      JSON.stringify(h.requests),
      JSON.stringify(h.done),
      JSON.stringify(h.states),
      JSON.stringify(h.answers),
      ...filesUnder(h.dataDir).map((f) => f.text),
    ];
    expect(filesUnder(h.dataDir).map((f) => f.path.split('/').pop())).toContain('pinpad-profiles.json');
    for (const text of everything) for (const pin of [PW1, NEW_PW1]) for (const form of pinForms(pin)) expect(text).not.toContain(form);
  });
});
