import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '#core/bytes/hex.js';
import { chainApdu, decodeT1Block, encodeT1Block, t1Crc, t1Lrc, type T1BlockSpec, type T1Edc } from '#core/iso7816/t1.js';

const ascii = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0));

describe('EDC', () => {
  it('LRC is the XOR of the block', () => {
    expect(t1Lrc(fromHex('00 C1 01 FE'))).toBe(0x3e);
  });
  it('CRC is CRC-16 x^16+x^12+x^5+1, reflected, preset FFFF (check value of "123456789" = 6F91)', () => {
    expect(t1Crc(ascii('123456789'))).toBe(0x6f91);
    expect(t1Crc(new Uint8Array(0))).toBe(0xffff);
  });
});

describe('decodeT1Block', () => {
  it('S(IFS request) 00 C1 01 FE 3E, the block every T=1 reader sends first', () => {
    const block = decodeT1Block(fromHex('00 C1 01 FE 3E'));
    expect(block.problems).toEqual([]);
    expect(block).toMatchObject({ kind: 'S', sType: 'IFS', response: false, sValue: 254, len: 1, edcValid: true });
    expect(block.node.label).toBe('T=1 S(IFS request 254), 1 byte(s)');
    expect(block.node.children!.map((c) => c.id)).toEqual([
      'iso7816.t1.nad',
      'iso7816.t1.pcb',
      'iso7816.t1.len',
      'iso7816.t1.ifs',
      'iso7816.t1.edc',
    ]);
  });

  it('I-block with chaining, NAD addresses and offsets', () => {
    const bytes = encodeT1Block({ kind: 'I', ns: 1, more: true, inf: fromHex('00 A4 04 00'), nad: 0x21 });
    const block = decodeT1Block(bytes, { base: 100 });
    expect(block).toMatchObject({ kind: 'I', ns: 1, more: true, dad: 2, sad: 1, edcValid: true });
    expect(toHex(block.inf)).toBe('00A40400');
    const inf = block.node.children!.find((c) => c.id === 'iso7816.t1.inf')!;
    expect([inf.offset, inf.length]).toEqual([103, 4]);
  });

  it('R-block error codes', () => {
    expect(decodeT1Block(fromHex('00 81 00 81'))).toMatchObject({ kind: 'R', nr: 0, error: 'edc-parity' });
    expect(decodeT1Block(fromHex('00 92 00 92'))).toMatchObject({ kind: 'R', nr: 1, error: 'other' });
    expect(decodeT1Block(fromHex('00 90 00 90'))).toMatchObject({ kind: 'R', nr: 1, error: 'none' });
  });

  it('S-blocks: RESYNCH, ABORT, WTX with their INF meaning', () => {
    expect(decodeT1Block(fromHex('00 C0 00 C0'))).toMatchObject({ sType: 'RESYNCH', response: false });
    expect(decodeT1Block(fromHex('00 E2 00 E2'))).toMatchObject({ sType: 'ABORT', response: true });
    const wtx = decodeT1Block(fromHex('00 C3 01 02 C0'));
    expect(wtx).toMatchObject({ sType: 'WTX', sValue: 2 });
    expect(wtx.node.children!.find((c) => c.id === 'iso7816.t1.wtx')!.label).toContain('BWT × 2');
  });

  it('bad EDC, LEN mismatch, truncation, too short, bad S INF', () => {
    expect(decodeT1Block(fromHex('00 C1 01 FE 3F')).problems.map((p) => p.code)).toEqual(['bad-edc']);
    expect(decodeT1Block(fromHex('00 40 02 90 00 D2'), { edc: 'crc' }).problems.map((p) => p.code)).toEqual(['truncated']);
    expect(decodeT1Block(fromHex('00 00 01 90 91 00')).problems.map((p) => p.code)).toEqual(['len-mismatch']);
    expect(decodeT1Block(fromHex('00 00')).problems.map((p) => p.code)).toEqual(['too-short']);
    expect(decodeT1Block(fromHex('00 C1 00 C1')).problems.map((p) => p.code)).toEqual(['bad-s-inf']);
    expect(decodeT1Block(fromHex('00 C1 01 00 C0')).problems.map((p) => p.code)).toEqual(['bad-s-inf']);
  });

  it('CRC blocks check both bytes', () => {
    const bytes = encodeT1Block({ kind: 'I', ns: 0, inf: fromHex('90 00') }, 'crc');
    expect(bytes.length).toBe(7);
    expect(decodeT1Block(bytes, { edc: 'crc' }).edcValid).toBe(true);
    bytes[5] = bytes[5]! ^ 1;
    expect(decodeT1Block(bytes, { edc: 'crc' }).problems.map((p) => p.code)).toEqual(['bad-edc']);
  });

  it('never throws on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.constantFrom<T1Edc>('lrc', 'crc'), (bytes, edc) => {
        const block = decodeT1Block(bytes, { edc });
        expect(block.node.length).toBe(bytes.length);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('encodeT1Block', () => {
  const specArb: fc.Arbitrary<T1BlockSpec> = fc.oneof(
    fc.record({
      kind: fc.constant('I' as const),
      ns: fc.constantFrom<0 | 1>(0, 1),
      more: fc.boolean(),
      inf: fc.uint8Array({ maxLength: 254 }),
      nad: fc.integer({ min: 0, max: 0x77 }).map((n) => n & 0x77),
    }),
    fc.record({
      kind: fc.constant('R' as const),
      nr: fc.constantFrom<0 | 1>(0, 1),
      error: fc.constantFrom('none' as const, 'edc-parity' as const, 'other' as const),
      nad: fc.constant(0),
    }),
    fc.record({
      kind: fc.constant('S' as const),
      sType: fc.constantFrom('IFS' as const, 'WTX' as const),
      response: fc.boolean(),
      value: fc.integer({ min: 1, max: 254 }),
      nad: fc.constant(0),
    }),
    fc.record({
      kind: fc.constant('S' as const),
      sType: fc.constantFrom('RESYNCH' as const, 'ABORT' as const),
      response: fc.boolean(),
      nad: fc.constant(0),
    }),
  );

  it('decode(encode(spec)) gives the spec back, with a valid EDC', () => {
    fc.assert(
      fc.property(specArb, fc.constantFrom<T1Edc>('lrc', 'crc'), (spec, edc) => {
        const block = decodeT1Block(encodeT1Block(spec, edc), { edc });
        expect(block.problems).toEqual([]);
        expect(block.kind).toBe(spec.kind);
        expect(block.nad).toBe(spec.nad ?? 0);
        if (spec.kind === 'I') {
          expect([block.ns, block.more, toHex(block.inf)]).toEqual([spec.ns, spec.more, toHex(spec.inf)]);
        } else if (spec.kind === 'R') {
          expect([block.nr, block.error]).toEqual([spec.nr, spec.error]);
        } else {
          expect([block.sType, block.response, block.sValue]).toEqual([spec.sType, spec.response, spec.value]);
        }
      }),
      { numRuns: 1500 },
    );
  });

  it('refuses an INF over 254 bytes and S(IFS) without a value', () => {
    expect(() => encodeT1Block({ kind: 'I', ns: 0, inf: new Uint8Array(255) })).toThrow(RangeError);
    expect(() => encodeT1Block({ kind: 'S', sType: 'IFS', response: false })).toThrow(RangeError);
  });

  it('chainApdu splits at IFS and alternates N(S)', () => {
    const blocks = chainApdu(new Uint8Array(300), 254, 1);
    expect(blocks.map((b) => (b.kind === 'I' ? [b.ns, b.more, b.inf.length] : []))).toEqual([
      [1, true, 254],
      [0, false, 46],
    ]);
    expect(chainApdu(new Uint8Array(0), 32, 0)).toHaveLength(1);
  });
});
