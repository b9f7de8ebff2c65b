import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '#core/bytes/hex.js';
import type { DissectNode } from '#core/dissect/node.js';
import { parseAtr } from '#core/iso7816/atr.js';
import { decodeHistoricalBytes } from '#core/iso7816/historical-bytes.js';

/** TCK = XOR of T0 .. last byte before it (computed here, independently of the decoder). */
function withTck(hex: string): Uint8Array {
  const bytes = fromHex(hex);
  let x = 0;
  for (let i = 1; i < bytes.length; i++) x ^= bytes[i]!;
  return Uint8Array.from([...bytes, x]);
}

function ids(node: DissectNode): string[] {
  return (node.children ?? []).map((c) => c.id);
}

describe('parseAtr: golden vectors', () => {
  it('EMV card of the GCC capture: 3B 65 00 00 20 63 CB BC 00 (T=0, no TCK)', () => {
    const atr = parseAtr(fromHex('3B 65 00 00 20 63 CB BC 00'));
    expect(atr.problems).toEqual([]);
    expect(atr.convention).toBe('direct');
    expect(atr.protocols).toEqual([0]);
    expect(atr.historicalLength).toBe(5);
    expect(atr.interfaceBytes.map((b) => `${b.name}=${b.value}`)).toEqual(['TB1=0', 'TC1=0']);
    expect(atr.interfaceBytes[0]!.meaning).toContain('VPP not connected');
    expect(atr.extraGuardTime).toBe(0);
    expect(atr.tck).toEqual({ required: false, present: false, value: undefined, valid: undefined });
    expect(toHex(atr.historical.bytes)).toBe('2063CBBC00');
    expect(atr.historical.format).toBe('proprietary');
    expect(ids(atr.node)).toEqual(['iso7816.atr.ts', 'iso7816.atr.t0', 'iso7816.atr.tb', 'iso7816.atr.tc', 'iso7816.atr.historical']);
    const hist = atr.node.children!.at(-1)!;
    expect([hist.offset, hist.length]).toEqual([4, 5]);
  });

  it('labcard: 3B 0A "LAB-CARD01"', () => {
    const atr = parseAtr(fromHex('3B 0A 4C 41 42 2D 43 41 52 44 30 31'));
    expect(atr.problems).toEqual([]);
    expect(atr.interfaceBytes).toEqual([]);
    expect(atr.protocols).toEqual([0]);
    expect(atr.fi).toBe(372);
    expect(atr.di).toBe(1);
    expect(atr.historical.node.label).toContain('"LAB-CARD01"');
  });

  it('T=1 ATR 3B 8A 81 31 FE 45 + 10 historical bytes (COMPACT-TLV) + TCK', () => {
    const bytes = withTck('3B 8A 81 31 FE 45 80 31 C0 73 C0 21 C0 82 90 00');
    const atr = parseAtr(bytes);
    expect(atr.problems).toEqual([]);
    expect(atr.protocols).toEqual([1]);
    expect(atr.t1).toEqual({ ifsc: 254, bwi: 4, cwi: 5, edc: 'lrc' });
    expect(atr.interfaceBytes.map((b) => b.name)).toEqual(['TD1', 'TD2', 'TA3', 'TB3']);
    expect(atr.interfaceBytes[2]!.protocol).toBe(1);
    expect(atr.tck).toMatchObject({ required: true, present: true, valid: true });
    const h = atr.historical;
    expect(h.format).toBe('compact-tlv');
    expect(h.objects.map((o) => o.tag)).toEqual([3, 7, 8]);
    expect(h.status).toEqual({ sw1: 0x90, sw2: 0x00 });
    const text = JSON.stringify(h.node);
    expect(text).toContain('application selection by full DF name');
    expect(text).toContain('command chaining');
    expect(text).toContain('extended Lc and Le');
  });

  it('YubiKey 4: 3B F8 13 00 00 81 31 FE 15 "Yubikey4" D4', () => {
    const atr = parseAtr(fromHex('3B F8 13 00 00 81 31 FE 15 59 75 62 69 6B 65 79 34 D4'));
    expect(atr.problems).toEqual([]);
    expect([atr.fi, atr.di, atr.fMaxMHz]).toEqual([372, 4, 5]);
    expect(atr.protocols).toEqual([1]);
    expect(atr.t1).toEqual({ ifsc: 254, bwi: 1, cwi: 5, edc: 'lrc' });
    expect(atr.tck).toEqual({ required: true, present: true, value: 0xd4, valid: true });
    expect(atr.historical.node.label).toContain('"Yubikey4"');
    const tck = atr.node.children!.at(-1)!;
    expect([tck.id, tck.offset]).toEqual(['iso7816.atr.tck', 17]);
  });

  it('YubiKey 5 NFC: category 80 historical bytes with card capabilities', () => {
    const atr = parseAtr(fromHex('3B FD 13 00 00 81 31 FE 15 80 73 C0 21 C0 57 59 75 62 69 4B 65 79 40'));
    expect(atr.problems).toEqual([]);
    expect(atr.historical.objects.map((o) => [o.tag, toHex(o.value)])).toEqual([
      [7, 'C021C0'],
      [5, '597562694B6579'],
    ]);
  });

  it('T=0 plus T=15 global bytes: clock stop and classes, TCK required', () => {
    const atr = parseAtr(withTck('3B 80 80 1F 47'));
    expect(atr.problems).toEqual([]);
    expect(atr.protocols).toEqual([0]);
    expect(atr.clockStop).toBe('state-L');
    expect(atr.voltageClasses).toEqual(['A', 'B', 'C']);
    expect(atr.tck.required).toBe(true);
  });

  it('TA1 Fi/Di/fmax, TC1 N, TA2 specific mode, TC2 WI', () => {
    const atr = parseAtr(withTck('3B F0 96 00 FF 51 81 14'));
    expect(atr.problems).toEqual([]);
    expect([atr.fi, atr.di, atr.fMaxMHz]).toEqual([512, 32, 5]);
    expect(atr.extraGuardTime).toBe(255);
    expect(atr.specificMode).toEqual({ protocol: 1, canChange: false, implicitParameters: false });
    expect(atr.waitingTimeInteger).toBe(20);
    expect(atr.protocols).toEqual([1]);
  });
});

describe('parseAtr: problems', () => {
  const yubikey = fromHex('3B F8 13 00 00 81 31 FE 15 59 75 62 69 6B 65 79 34 D4');

  it('bad TCK', () => {
    const bytes = Uint8Array.from(yubikey);
    bytes[bytes.length - 1] = 0xd5;
    const atr = parseAtr(bytes);
    expect(atr.problems.map((p) => p.code)).toEqual(['bad-tck']);
    expect(atr.tck.valid).toBe(false);
    expect(atr.node.problem?.code).toBe('bad-tck');
  });

  it('missing TCK', () => {
    expect(parseAtr(yubikey.subarray(0, yubikey.length - 1)).problems.map((p) => p.code)).toEqual(['missing-tck']);
  });

  it('truncated interface bytes and historical bytes', () => {
    expect(parseAtr(fromHex('3B F8 13 00')).problems.map((p) => p.code)).toEqual(['truncated']);
    expect(parseAtr(fromHex('3B 0A 4C 41')).problems.map((p) => p.code)).toEqual(['truncated']);
  });

  it('bad TS, trailing bytes and a correct but unneeded TCK', () => {
    expect(parseAtr(fromHex('3C 00')).problems.map((p) => p.code)).toEqual(['bad-ts']);
    expect(parseAtr(fromHex('3B 00 11 22')).problems.map((p) => p.code)).toEqual(['trailing-bytes']);
    expect(parseAtr(fromHex('3B 01 41 40')).problems.map((p) => p.code)).toEqual(['unexpected-tck']);
    expect(parseAtr(fromHex('3F 00')).convention).toBe('inverse');
  });

  it('category 00 historical bytes too short for a status indicator draw no node past the ATR', () => {
    // Found by the property test below with a random seed: 3B 13 00 00 81 00 once drew the status at offset 6, length 3.
    const atr = parseAtr(fromHex('3B 13 00 00 81 00'));
    const check = (node: DissectNode): void => {
      expect(node.offset + node.length).toBeLessThanOrEqual(6);
      node.children?.forEach(check);
    };
    check(atr.node);
    expect(atr.problems.map((p) => p.code)).toContain('truncated');
  });

  it('never throws on random bytes; nodes stay inside the ATR', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (tail) => {
        const bytes = Uint8Array.from([0x3b, ...tail]);
        const atr = parseAtr(bytes, 5);
        const check = (node: DissectNode): void => {
          expect(node.offset).toBeGreaterThanOrEqual(5);
          expect(node.offset + node.length).toBeLessThanOrEqual(5 + bytes.length);
          node.children?.forEach(check);
        };
        check(atr.node);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('decodeHistoricalBytes', () => {
  it('category 00 has the status indicator in its last 3 bytes', () => {
    const h = decodeHistoricalBytes(fromHex('00 31 C0 05 90 00'));
    expect(h.format).toBe('compact-tlv');
    expect(h.objects.map((o) => o.tag)).toEqual([3]);
    expect(h.status).toEqual({ lcs: 0x05, sw1: 0x90, sw2: 0x00 });
    expect(JSON.stringify(h.node)).toContain('operational state (activated)');
  });

  it('category 10 and AID objects', () => {
    expect(decodeHistoricalBytes(fromHex('10 02')).format).toBe('dir-reference');
    const h = decodeHistoricalBytes(fromHex('80 F6 D2 76 00 01 24 01'));
    expect(JSON.stringify(h.node)).toContain('OpenPGP card');
  });
});
