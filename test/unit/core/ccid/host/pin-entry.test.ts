import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '#core/bytes/hex.js';
import { decodeSecureData } from '#core/ccid/secure.js';
import { ByteReader } from '#core/bytes/byte-reader.js';
import { assertPinPad, securePinRequest } from '#core/ccid/host/pin-entry.js';
import { encodePinModifyStructure, encodePinVerifyStructure } from '#core/pcsc/pin-structures.js';

const VERIFY = encodePinVerifyStructure({
  formatString: 0x82,
  pinBlockString: 0x08,
  pinLengthFormat: 0x00,
  minPinSize: 6,
  maxPinSize: 8,
  apdu: fromHex('00 20 00 81 08 FF FF FF FF FF FF FF FF'),
});

describe('PIN entry requests (PC/SC structure → CCID Secure abData)', () => {
  it('turns a PIN_VERIFY_STRUCTURE into Secure abData that ends with its APDU template', () => {
    const request = securePinRequest('verify', VERIFY);
    expect(toHex(request.template)).toBe('0020008108FFFFFFFFFFFFFFFF');
    expect(toHex(request.abData.subarray(request.abData.length - request.template.length))).toBe(toHex(request.template));
    const decoded = decodeSecureData(new ByteReader(request.abData), 0);
    expect(decoded.secure).toMatchObject({ operation: 'verify' });
    expect(decoded.problems).toEqual([]);
  });

  it('does the same for a PIN_MODIFY_STRUCTURE', () => {
    const modify = encodePinModifyStructure({
      formatString: 0x82,
      pinBlockString: 0x00,
      pinLengthFormat: 0x00,
      insertionOffsetOld: 0,
      insertionOffsetNew: 0,
      minPinSize: 6,
      maxPinSize: 8,
      confirmPin: 0x03,
      numberMessage: 3,
      apdu: fromHex('00 24 00 81'),
    });
    const request = securePinRequest('modify', modify);
    expect(toHex(request.template)).toBe('00240081');
    expect(decodeSecureData(new ByteReader(request.abData), 0).secure).toMatchObject({ operation: 'modify' });
  });

  it('refuses a structure it cannot read, saying which and why, and a reader without a PIN pad', () => {
    expect(() => securePinRequest('verify', VERIFY.subarray(0, 10))).toThrow(/^The PIN_VERIFY_STRUCTURE was refused: .+ Fix the structure/);
    expect(() => securePinRequest('modify', VERIFY)).toThrow(/^The PIN_MODIFY_STRUCTURE was refused/);
    expect(() => assertPinPad({ bPINSupport: 0 })).toThrow('This reader has no PIN pad (bPINSupport 0).');
    expect(() => assertPinPad({ bPINSupport: 0x03 })).not.toThrow();
  });
});
