/**
 * The software path builds exactly the APDU a pinpad would, from the same structure; the card
 * (the virtual one) accepts it; and no error message ever carries a digit of the PIN.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toHex } from '#core/bytes/hex.js';
import { VirtualSmartCard } from '#core/sim/card/virtual-smart-card.js';
import { buildPinRequest, buildSoftwarePinApdu, SoftwarePinError, type SoftwarePins } from '#core/pinpad/index.js';
import { parsedSettings } from './parsed-settings.js';
import type { PinOperationName } from '#core/pcsc/pin-format.js';

function apdu(preset: string, operation: PinOperationName, pins: SoftwarePins, ...settings: string[]): string {
  const request = buildPinRequest({ preset, operation, settings: parsedSettings(...settings) });
  return toHex(buildSoftwarePinApdu(operation, request.parameters, pins));
}

describe('software PIN path', () => {
  it("formats the PIN as each preset's pinpad would", () => {
    // Variable length ASCII, appended with its Lc (OpenPGP, case-1 template).
    expect(apdu('openpgp-pw1', 'verify', { pin: '123456' })).toBe('0020008106313233343536');
    // Fixed 8-byte FF block, ASCII (PIV).
    expect(apdu('piv-pin', 'verify', { pin: '123456' })).toBe('0020008008313233343536FFFF');
    // ISO 9564 format 2: control 2, length nibble, BCD, F fillers (Belgian eID).
    expect(apdu('belgian-eid', 'verify', { pin: '1234' })).toBe('002000010824' + '1234FFFFFFFFFF');
    // The same block in bit units (OpenSC's format 2 for EMV).
    expect(apdu('emv-plaintext', 'verify', { pin: '12345' })).toBe('002000800825' + '12345FFFFFFFFF'.slice(0, 14));
    // BCD, left-justified, F fillers.
    expect(apdu('iso-bcd', 'verify', { pin: '1234' })).toBe('0020008108' + '1234FFFFFFFFFFFF');
    // Right-justified ASCII (bmFormatString 86): fillers first.
    expect(apdu('iso-ascii', 'verify', { pin: '1234' }, 'bmFormatString=0x86')).toBe('0020008108' + 'FFFFFFFF31323334');
  });

  it('a change puts the current PIN at bInsertionOffsetOld and the new one at bInsertionOffsetNew', () => {
    expect(apdu('piv-pin', 'modify', { currentPin: '1234', newPin: '5678', newPinAgain: '5678' })).toBe(
      '0024008010' + '31323334FFFFFFFF' + '35363738FFFFFFFF',
    );
    expect(apdu('openpgp-pw1', 'modify', { currentPin: '123456', newPin: '654321' })).toBe('002400810C' + '313233343536' + '363534333231');
  });

  it('the virtual card accepts what the software path builds', () => {
    const card = new VirtualSmartCard({ protocol: 'T=1' });
    for (const preset of ['openpgp-pw1', 'piv-pin']) {
      const request = buildPinRequest({ preset, operation: 'verify' });
      expect(toHex(card.transmit(request.select!)).slice(-4)).toBe('9000');
      expect(toHex(card.transmit(buildSoftwarePinApdu('verify', request.parameters, { pin: '123456' })))).toBe('9000');
    }
  });

  it('refuses what a pinpad would refuse, naming sizes only', () => {
    const p = buildPinRequest({ preset: 'piv-pin', operation: 'verify' }).parameters;
    expect(() => buildSoftwarePinApdu('verify', p, {})).toThrow('the PIN is missing');
    expect(() => buildSoftwarePinApdu('verify', p, { pin: '12' })).toThrow(
      'the PIN must be 4 to 8 digits long (wPINMaxExtraDigit), it has 2',
    );
    expect(() => buildSoftwarePinApdu('verify', p, { pin: '12a4' })).toThrow('the PIN must hold digits only');
    const m = buildPinRequest({ preset: 'piv-pin', operation: 'modify' }).parameters;
    expect(() => buildSoftwarePinApdu('modify', m, { currentPin: '1234', newPin: '5678', newPinAgain: '5679' })).toThrow(
      'the new PIN and its confirmation differ',
    );
    expect(() => buildSoftwarePinApdu('modify', m, { newPin: '5678' })).toThrow('the current PIN is missing');
  });

  it('no error message contains the PIN, whatever it is', () => {
    const params = ['piv-pin', 'belgian-eid', 'openpgp-pw1', 'iso-bcd'].map(
      (name) => buildPinRequest({ preset: name, operation: 'verify' }).parameters,
    );
    fc.assert(
      fc.property(fc.constantFrom(...params), fc.stringMatching(/^[0-9a-f]{1,20}$/), (p, pin) => {
        try {
          buildSoftwarePinApdu('verify', p, { pin });
        } catch (error) {
          expect(error).toBeInstanceOf(SoftwarePinError);
          const message = (error as Error).message;
          if (pin.length >= 2) expect(message).not.toContain(pin);
          expect(message).not.toMatch(/\d{3,}/);
        }
      }),
      { numRuns: 400 },
    );
  });
});
