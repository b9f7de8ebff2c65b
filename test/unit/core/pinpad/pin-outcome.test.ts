import { describe, expect, it } from 'vitest';
import { fromHex } from '#core/bytes/hex.js';
import { encodeSecure } from '#core/ccid/encode-message.js';
import { decodeCcidMessage } from '#core/ccid/decode-message.js';
import { pinOutcomeFromBError, pinOutcomeFromResponse } from '#core/ccid/host/pin-outcome.js';
import { buildPinRequest, explainPcscError, explainPinOutcome, secureFieldAtOffset } from '#core/pinpad/index.js';
import { requireShared } from '../../../shared-path.js';
import { controlCalls, PINPAD_TXT, readGroundTruth } from '../ccid/ground-truth.js';

const sw = (hex: string) => explainPinOutcome({ operation: 'verify', response: fromHex(hex) });

describe('outcomes from the status word', () => {
  it.each([
    ['9000', 'accepted', 'PIN verified', undefined],
    ['63C2', 'wrong-pin', 'Wrong PIN: 2 tries left', 2],
    ['63C1', 'wrong-pin', 'Wrong PIN: 1 try left', 1],
    ['63C0', 'blocked', 'Wrong PIN: now blocked', 0],
    ['6983', 'blocked', 'PIN blocked', 0],
    ['6400', 'timeout', 'Nobody typed the PIN in time', undefined],
    ['6401', 'cancelled', 'Cancelled on the keypad', undefined],
    ['6402', 'confirmation-mismatch', 'The new PINs differ', undefined],
    ['6403', 'wrong-length', 'PIN too short or too long', undefined],
    ['6404', 'reader-refused', 'The reader wants the PIN on its keypad', undefined],
    ['6B80', 'reader-refused', 'The reader refused the structure', undefined],
    ['6A80', 'card-error', 'PIN format refused', undefined],
    ['6A88', 'card-error', 'Wrong PIN reference', undefined],
  ] as const)('%s → %s', (hex, kind, title, triesLeft) => {
    const o = sw(hex);
    expect(o).toMatchObject({ kind, title, sw: parseInt(hex, 16) });
    expect(o.triesLeft).toBe(triesLeft);
    expect(o.detail.length).toBeGreaterThan(20);
  });

  it('names a "success" with no status word: the driver never prompted', () => {
    expect(sw('')).toMatchObject({ kind: 'not-prompted', title: 'Success with no status word', source: 'driver' });
    expect(sw('90')).toMatchObject({ kind: 'reader-error' });
    expect(sw('00009000').detail).toMatch(/returned 4 bytes/);
    expect(explainPinOutcome({ operation: 'modify', response: fromHex('9000') }).title).toBe('PIN changed');
  });

  it('the CCID host driver reports the same kinds and sentences', () => {
    expect(pinOutcomeFromResponse('verify', fromHex('63C2'))).toMatchObject({
      kind: 'wrong-pin',
      triesLeft: 2,
      sw: 0x63c2,
      meaning: sw('63C2').detail,
    });
    expect(pinOutcomeFromBError('verify', 0xef)).toMatchObject({ kind: 'cancelled', bError: 0xef });
    expect(pinOutcomeFromBError('verify', 0x05)).toBeUndefined();
  });
});

describe('outcomes from the CCID bError', () => {
  it('EF cancelled, F0 timeout, 00 not supported, FF aborted', () => {
    expect(explainPinOutcome({ operation: 'verify', bError: 0xef })).toMatchObject({ kind: 'cancelled', title: 'Cancelled on the keypad' });
    expect(explainPinOutcome({ operation: 'verify', bError: 0xf0 })).toMatchObject({ kind: 'timeout' });
    expect(explainPinOutcome({ operation: 'verify', bError: 0x00 })).toMatchObject({
      kind: 'reader-refused',
      title: 'The reader does not do PIN entry',
    });
    expect(explainPinOutcome({ operation: 'verify', bError: 0xff })).toMatchObject({ kind: 'cancelled', title: 'Aborted by the host' });
    expect(explainPinOutcome({ operation: 'verify', bError: 0xfe })).toMatchObject({ kind: 'card-error', title: 'ICC_MUTE' });
  });

  it('a bad-parameter bError names the field at that offset of the Secure message', () => {
    const request = buildPinRequest({ preset: 'iso-ascii', operation: 'verify' });
    const message = request.ccid.message!;
    // Cross-check every offset with the decoder's own tree.
    const nodes = decodeCcidMessage(message).node.children!.find((n) => n.id === 'ccid.abData')!.children!;
    const structure = nodes.find((n) => n.id === 'ccid.secure.abPINDataStructure')!.children!;
    for (const node of structure) {
      if (node.id.endsWith('abPINApdu')) continue;
      expect(secureFieldAtOffset('verify', node.offset)).toBe(node.id.slice('ccid.secure.'.length));
    }
    expect(explainPinOutcome({ operation: 'verify', bError: 12 }).title).toBe('The reader refused bmFormatString');
    expect(explainPinOutcome({ operation: 'modify', bError: 21, bNumberMessage: 3 }).title).toBe('The reader refused bNumberMessage');
    expect(explainPinOutcome({ operation: 'verify', bError: 10 }).title).toBe('The reader refused bPINOperation');
    expect(secureFieldAtOffset('verify', 60)).toBe('abPINApdu');
    expect(encodeSecure).toBeTypeOf('function');
  });
});

const skip = requireShared(...PINPAD_TXT);

describe('outcomes from PC/SC errors', () => {
  it('by code or by the message that carries it', () => {
    expect(explainPcscError(0x80100016)).toMatchObject({ kind: 'reader-error', source: 'driver' });
    expect(explainPcscError('SCardControl failed: Transaction failed. (0x80100016)').title).toBe('The reader failed the PIN request');
    expect(explainPcscError(0x8010001f)).toMatchObject({ kind: 'reader-refused' });
    expect(explainPcscError(0x80100002)).toMatchObject({ kind: 'cancelled' });
    expect(explainPcscError('something odd').kind).toBe('reader-error');
  });

  it.skipIf(skip)(
    "the results the capture's application got: Transaction failed for the Secure libccid sent, Feature not supported for the ones it refused",
    () => {
      const calls = controlCalls(readGroundTruth(PINPAD_TXT));
      const result = (step: number) => calls.find((c) => c.step === step)!.result;
      expect(explainPcscError(result(6))).toMatchObject({ kind: 'reader-error', title: 'The reader failed the PIN request' });
      expect(explainPcscError(result(12))).toMatchObject({ kind: 'reader-refused', title: 'The driver refused the structure' });
    },
  );
});
