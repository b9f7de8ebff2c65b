import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '#core/bytes/hex.js';
import { encodeCompactTlv, parseCompactTlv } from '#core/tlv/compact-tlv.js';

describe('COMPACT-TLV', () => {
  it('YubiKey 5 historical objects after the 80 category byte', () => {
    const result = parseCompactTlv(fromHex('73 C0 21 C0 57 59 75 62 69 4B 65 79'), 10);
    expect(result.problems).toEqual([]);
    expect(result.objects.map((o) => [o.tag, o.length, o.offset, toHex(o.value)])).toEqual([
      [7, 3, 10, 'C021C0'],
      [5, 7, 14, '597562694B6579'],
    ]);
  });

  it('a length past the end is kept truncated with a problem', () => {
    const result = parseCompactTlv(fromHex('31 C0 45 01 02'));
    expect(result.problems.map((p) => p.code)).toEqual(['truncated']);
    expect(toHex(result.objects[1]!.value)).toBe('0102');
  });

  it('round trip and no throw', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ tag: fc.integer({ min: 0, max: 15 }), value: fc.uint8Array({ maxLength: 15 }) }), { maxLength: 8 }),
        (objects) => {
          const parsed = parseCompactTlv(encodeCompactTlv(objects));
          expect(parsed.problems).toEqual([]);
          expect(parsed.objects.map((o) => [o.tag, toHex(o.value)])).toEqual(objects.map((o) => [o.tag, toHex(o.value)]));
        },
      ),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => void parseCompactTlv(bytes)),
      { numRuns: 500 },
    );
  });
});
