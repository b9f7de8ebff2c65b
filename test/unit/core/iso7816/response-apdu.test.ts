import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex } from '#core/bytes/hex.js';
import type { DissectNode } from '#core/dissect/node.js';
import { parseResponseApdu } from '#core/iso7816/response-apdu.js';

function labels(node: DissectNode): string[] {
  return [node.label, ...(node.children ?? []).flatMap(labels)];
}

describe('parseResponseApdu', () => {
  it('status word only', () => {
    const r = parseResponseApdu(fromHex('6A 82'));
    expect(r.sw).toBe(0x6a82);
    expect(r.data.length).toBe(0);
    expect(r.status?.meaning).toBe('File or application not found');
    expect(r.node.children!.map((c) => c.id)).toEqual(['iso7816.sw']);
  });

  it('EMV FCI from the capture: data as a named TLV tree, SW at the end', () => {
    const r = parseResponseApdu(
      fromHex('6F 20 84 0E 31 50 41 59 2E 53 59 53 2E 44 44 46 30 31 A5 0E 88 01 01 9F 11 01 01 5F 2D 04 66 72 65 6E 90 00'),
      { context: 'emv', base: 10 },
    );
    expect(r.tlv).toBe(true);
    expect(r.status?.category).toBe('success');
    const all = labels(r.node).join('\n');
    expect(all).toContain('Dedicated File (DF) Name');
    expect(all).toContain('"1PAY.SYS.DDF01"');
    expect(all).toContain('Language Preference');
    const sw = r.node.children!.find((c) => c.id === 'iso7816.sw')!;
    expect([sw.offset, sw.length]).toEqual([10 + 34, 2]);
  });

  it('VERIFY context turns 63C2 into tries left', () => {
    expect(parseResponseApdu(fromHex('63 C2'), { ins: 0x20 }).status?.meaning).toBe('Wrong PIN: 2 tries left');
  });

  it('non-TLV data stays flat', () => {
    const r = parseResponseApdu(fromHex('49 E4 49 80 4D FC 90 00'));
    expect(r.tlv).toBe(false);
    expect(r.node.children![0]!.id).toBe('iso7816.data');
  });

  it('fewer than 2 bytes is a problem, not an exception', () => {
    expect(parseResponseApdu(fromHex('90')).problems.map((p) => p.code)).toEqual(['too-short']);
    expect(parseResponseApdu(new Uint8Array(0)).sw).toBeUndefined();
  });

  it('never throws on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const r = parseResponseApdu(bytes);
        expect(r.node.length).toBe(bytes.length);
      }),
      { numRuns: 1500 },
    );
  });
});
