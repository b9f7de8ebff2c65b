import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex } from '../../../../core/bytes/hex.js';
import { redactedCommandHex } from '../../../../core/iso7816/pin-redaction.js';

describe('redactedCommandHex', () => {
  it('masks VERIFY data and keeps header and Lc', () => {
    expect(redactedCommandHex(fromHex('0020008106313233343536'))).toBe('0020008106************');
  });

  it('masks CHANGE REFERENCE DATA and RESET RETRY COUNTER, extended too', () => {
    expect(redactedCommandHex(fromHex('002400810C313233343536363534333231'))).toBe('002400810C' + '**'.repeat(12));
    expect(redactedCommandHex(fromHex('002C0081000004313233340000'))).toBe('002C008100000' + '4' + '********' + '0000');
  });

  it('leaves other commands and the status form of VERIFY alone', () => {
    expect(redactedCommandHex(fromHex('00A4040006D27600012401'))).toBe('00A4040006D27600012401');
    expect(redactedCommandHex(fromHex('00200081'))).toBe('00200081');
  });

  it('masks everything after the header of a malformed PIN command', () => {
    expect(redactedCommandHex(fromHex('0020008108313233'))).toBe('00200081********');
  });

  it('never lets a PIN byte through, whatever the command', () => {
    fc.assert(
      fc.property(fc.constantFrom(0x20, 0x21, 0x24, 0x25, 0x2c, 0x2d), fc.uint8Array({ minLength: 1, maxLength: 40 }), (ins, pin) => {
        const command = new Uint8Array([0x00, ins, 0x00, 0x81, pin.length, ...pin]);
        const shown = redactedCommandHex(command);
        expect(shown.slice(10)).toBe('**'.repeat(pin.length));
      }),
    );
  });
});
