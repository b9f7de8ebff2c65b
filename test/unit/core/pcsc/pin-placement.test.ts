/**
 * The template with every byte's role, for the wizard's highlighting: it must mark exactly the
 * bytes the reader overwrites, which the virtual reader's insertion code proves by writing digits.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex } from '#core/bytes/hex.js';
import {
  completeVerifyApdu,
  decodeFormatString,
  decodePinBlockString,
  decodePinLengthFormat,
  markApduTemplate,
  pinApduTemplate,
  verifyFromValues,
} from '#core/pcsc/pin-format.js';

function mark(apdu: string, fs: number, pb: number, lf: number, maxDigits: number) {
  return markApduTemplate(fromHex(apdu), {
    bmFormatString: decodeFormatString(fs),
    bmPINBlockString: decodePinBlockString(pb),
    bmPINLengthFormat: decodePinLengthFormat(lf),
    maxDigits,
  });
}

describe('markApduTemplate', () => {
  it('ASCII in an 8-byte block: the digits the maximum length can reach, the rest fillers', () => {
    const m = mark('0020008108FFFFFFFFFFFFFFFF', 0x82, 0x08, 0x00, 6);
    expect(m.roles).toEqual(['cla', 'ins', 'p1', 'p2', 'lc', 'pin', 'pin', 'pin', 'pin', 'pin', 'pin', 'pin-block', 'pin-block']);
    expect(m.appended).toBe(false);
  });

  it('ISO 9564 format 2 (89 47 04): the length nibble in byte 5, BCD digits from byte 6, the 8th data byte untouched', () => {
    const m = mark('002000010820FFFFFFFFFFFFFF', 0x89, 0x47, 0x04, 12);
    expect(m.roles.slice(4)).toEqual(['lc', 'pin-length', 'pin', 'pin', 'pin', 'pin', 'pin', 'pin', 'data']);
  });

  it('the same block in bit units (41 48 04): digits from bit 8 = byte 6', () => {
    const m = mark('002000800820FFFFFFFFFFFFFF', 0x41, 0x48, 0x04, 5);
    expect(m.roles.slice(5)).toEqual(['pin-length', 'pin', 'pin', 'pin', 'pin-block', 'pin-block', 'pin-block', 'pin-block']);
  });

  it('right justification puts the digits at the end of the block', () => {
    const m = mark('0020008108FFFFFFFFFFFFFFFF', 0x86, 0x08, 0x00, 4);
    expect(m.roles.slice(5)).toEqual(['pin-block', 'pin-block', 'pin-block', 'pin-block', 'pin', 'pin', 'pin', 'pin']);
  });

  it('no PIN block: the template is marked as appended, in words', () => {
    const m = mark('00200081', 0x82, 0x00, 0x00, 8);
    expect(m.appended).toBe(true);
    expect(m.lines).toEqual(['no PIN block: the reader appends Lc and the PIN after P2 (variable length PIN)']);
  });

  it('every byte the reader writes a digit into is marked pin (checked by really inserting the longest PIN)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(0x82, 0x81, 0x80, 0x89, 0x86, 0x8a, 0x41, 0x02),
        fc.constantFrom(0x08, 0x47, 0x48, 0x88),
        fc.constantFrom(0x00, 0x04, 0x10),
        fc.integer({ min: 1, max: 12 }),
        (fs, pb, lf, maxDigits) => {
          const apdu = fromHex('0020008108FFFFFFFFFFFFFFFF');
          const values = { bmFormatString: fs, bmPINBlockString: pb, bmPINLengthFormat: lf, wPINMaxExtraDigit: maxDigits };
          const fields = verifyFromValues(values);
          const { template } = pinApduTemplate('t', 0, apdu, fields);
          let completed: Uint8Array;
          try {
            completed = completeVerifyApdu(template, fields, '9'.repeat(maxDigits));
          } catch {
            return; // the block cannot hold that many digits: the warnings say so
          }
          const roles = markApduTemplate(apdu, { ...fields, maxDigits }).roles;
          completed.forEach((b, i) => {
            if (b !== apdu[i] && roles[i] !== 'pin-length') expect(roles[i], `byte ${i}`).toBe('pin');
          });
        },
      ),
      { numRuns: 300 },
    );
  });
});
