/**
 * Every preset, run through the virtual CCID pinpad reader (the same reader the built-in virtual
 * reader and the GemPC serial rig serve): the Secure message the wizard builds is accepted, the
 * typed PIN reaches the card exactly where the software path would put it, and the virtual
 * OpenPGP/PIV card verifies and changes PINs sent by the OpenPGP and PIV presets. The cards speak
 * T=0 here: at TPDU level a T=1 card needs the host's T=1 engine, which the CCID driver tests cover.
 */
import { describe, expect, it } from 'vitest';
import { toHex } from '#core/bytes/hex.js';
import { decodeCcidMessage } from '#core/ccid/decode-message.js';
import { encodeIccPowerOn, encodeSecure, encodeXfrBlock } from '#core/ccid/encode-message.js';
import type { PinOperationName } from '#core/pcsc/pin-format.js';
import {
  buildPinRequest,
  buildSoftwarePinApdu,
  explainPinOutcome,
  PIN_PRESETS,
  presetOperations,
  type SoftwarePins,
} from '#core/pinpad/index.js';
import type { SmartCard } from '#core/sim/card/virtual-card.js';
import { VirtualSmartCard } from '#core/sim/card/virtual-smart-card.js';
import { ScriptedKeypad, type KeypadResult } from '#core/sim/reader/keypad.js';
import { VirtualCcidReader } from '#core/sim/reader/virtual-ccid-reader.js';
import { TestCard } from '../sim/reader/test-card.js';

const digits = (d: string): KeypadResult => ({ kind: 'digits', digits: d });

async function pinpad(card: SmartCard, typed: KeypadResult[]) {
  const keypad = new ScriptedKeypad(typed, { sleep: () => Promise.resolve() });
  const reader = new VirtualCcidReader({ keypad, card });
  await reader.handle(encodeIccPowerOn({ slot: 0, seq: 0 }));
  let seq = 1;
  return {
    transmit: async (apdu: Uint8Array) =>
      decodeCcidMessage(await reader.handle(encodeXfrBlock({ slot: 0, seq: seq++, data: apdu })), { direction: 'in' }),
    secure: async (abData: Uint8Array) =>
      decodeCcidMessage(await reader.handle(encodeSecure({ slot: 0, seq: seq++, data: abData })), { direction: 'in' }),
  };
}

/** PINs that fit every preset's length range. */
function pinsFor(operation: PinOperationName, min: number): { typed: KeypadResult[]; pins: SoftwarePins } {
  const a = '123456789012'.slice(0, Math.max(6, min));
  const b = '987654321098'.slice(0, Math.max(6, min));
  return operation === 'verify'
    ? { typed: [digits(a)], pins: { pin: a } }
    : { typed: [digits(a), digits(b), digits(b)], pins: { currentPin: a, newPin: b, newPinAgain: b } };
}

const rows = PIN_PRESETS.flatMap((p) => presetOperations(p).map((op) => [p.name, op] as const));

describe('every preset through the virtual pinpad reader', () => {
  it.each(rows)('%s %s: the card gets exactly the APDU the software path builds', async (name, operation) => {
    const request = buildPinRequest({ preset: name, operation });
    const { typed, pins } = pinsFor(operation, request.parameters.wPINMaxExtraDigit >> 8);
    const card = new TestCard('T=0');
    const reader = await pinpad(card, typed);
    const answer = await reader.secure(request.ccid.abData!);
    expect(answer.status?.commandStatus).toBe('ok');
    expect(toHex(card.lastApdu!)).toBe(toHex(buildSoftwarePinApdu(operation, request.parameters, pins)));
  });

  it.each([
    ['openpgp-pw1', '123456'],
    ['openpgp-pw1-82', '123456'],
    ['openpgp-pw3', '12345678'],
    ['piv-pin', '123456'],
  ])('%s: SELECT, then the virtual card verifies the PIN typed on the keypad (and counts a wrong one)', async (name, right) => {
    const request = buildPinRequest({ preset: name, operation: 'verify' });
    const reader = await pinpad(new VirtualSmartCard({ protocol: 'T=0' }), [digits('99999999'), digits(right)]);
    const select = await reader.transmit(request.select!);
    expect(toHex(select.data!.bytes).slice(-4)).toMatch(/^(9000|61..)$/);
    const wrong = await reader.secure(request.ccid.abData!);
    expect(explainPinOutcome({ operation: 'verify', response: wrong.data!.bytes })).toMatchObject({ kind: 'wrong-pin', triesLeft: 2 });
    const ok = await reader.secure(request.ccid.abData!);
    expect(explainPinOutcome({ operation: 'verify', response: ok.data!.bytes })).toMatchObject({ kind: 'accepted', title: 'PIN verified' });
  });

  it.each([
    ['openpgp-pw1', '123456', '24681357'],
    ['openpgp-pw3', '12345678', '87654321'],
    ['piv-pin', '123456', '654321'],
  ])('%s: a PIN change on the keypad, then the new PIN verifies', async (name, current, next) => {
    const modify = buildPinRequest({ preset: name, operation: 'modify' });
    const verify = buildPinRequest({ preset: name, operation: 'verify' });
    const reader = await pinpad(new VirtualSmartCard({ protocol: 'T=0' }), [digits(current), digits(next), digits(next), digits(next)]);
    await reader.transmit(modify.select!);
    const changed = await reader.secure(modify.ccid.abData!);
    expect(explainPinOutcome({ operation: 'modify', response: changed.data!.bytes })).toMatchObject({
      kind: 'accepted',
      title: 'PIN changed',
    });
    const verified = await reader.secure(verify.ccid.abData!);
    expect(toHex(verified.data!.bytes)).toBe('9000');
  });

  it("the reader's own outcomes: the two new PINs differ (64 02), cancel (bError EF)", async () => {
    const modify = buildPinRequest({ preset: 'piv-pin', operation: 'modify' });
    const reader = await pinpad(new VirtualSmartCard({ protocol: 'T=0' }), [
      digits('123456'),
      digits('111111'),
      digits('222222'),
      { kind: 'cancel' },
    ]);
    await reader.transmit(modify.select!);
    const differ = await reader.secure(modify.ccid.abData!);
    expect(explainPinOutcome({ operation: 'modify', response: differ.data!.bytes })).toMatchObject({ kind: 'confirmation-mismatch' });
    const cancelled = await reader.secure(buildPinRequest({ preset: 'piv-pin', operation: 'verify' }).ccid.abData!);
    expect(explainPinOutcome({ operation: 'verify', bError: cancelled.status!.bError })).toMatchObject({
      title: 'Cancelled on the keypad',
    });
  });
});
