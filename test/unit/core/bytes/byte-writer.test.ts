import { describe, expect, it } from 'vitest';
import { ByteWriter } from '#core/bytes/byte-writer.js';
import { toHex } from '#core/bytes/hex.js';

describe('ByteWriter', () => {
  it('writes little- and big-endian integers and byte runs in order', () => {
    const w = new ByteWriter(16);
    w.u8(0x1ff).u16le(0x0409).u16be(0x0409).u24be(0x000d05).u32le(0x0000000d).bytes([0xaa, 0xbb]);
    expect(toHex(w.done())).toBe('FF09040409000D050D000000AABB');
    expect(w.length).toBe(14);
  });

  it('refuses to write past its capacity instead of growing', () => {
    const w = new ByteWriter(3);
    w.u16le(1);
    expect(() => w.u16le(2)).toThrow(RangeError);
    expect(() => w.bytes([1, 2])).toThrow(/passes the capacity of 3/);
    expect(() => new ByteWriter(-1)).toThrow(RangeError);
  });
});
