import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hexLiteral, intHex, toHex } from '#core/bytes/hex.js';

describe('integer hex (the one way numbers become hex text)', () => {
  it('writes uppercase, zero-padded to the digits asked, as many as the value needs by default', () => {
    expect(intHex(0xc)).toBe('C');
    expect(intHex(0x4433, 4)).toBe('4433');
    expect(intHex(0x3, 2)).toBe('03');
    expect(intHex(0x12345, 2)).toBe('12345');
    expect(hexLiteral(0x6f)).toBe('0x6F');
    expect(hexLiteral(0x10, 4)).toBe('0x0010');
    expect(hexLiteral(0x8010002e, 1)).toBe('0x8010002E');
  });

  it('reads a 32-bit value as unsigned, as the wire holds it', () => {
    expect(intHex(-1, 8)).toBe('FFFFFFFF');
    expect(hexLiteral(0x80000000 | 0, 8)).toBe('0x80000000');
  });

  it('agrees with toHex byte by byte', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xff }), (b) => {
        expect(intHex(b, 2)).toBe(toHex(Uint8Array.of(b)));
        expect(hexLiteral(b)).toBe(`0x${toHex(Uint8Array.of(b))}`);
      }),
    );
  });
});
