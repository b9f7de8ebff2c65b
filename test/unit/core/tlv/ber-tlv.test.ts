import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '#core/bytes/hex.js';
import type { DissectNode } from '#core/dissect/node.js';
import { berTlvNodes, encodeBerTlv, findTlv, looksLikeBerTlv, parseBerTlv, type TlvObject, type TlvSpec } from '#core/tlv/ber-tlv.js';
import { tagName } from '#core/apps/tag-names.js';
import { requireShared } from '../../../shared-path.js';
import { EMV_EXPECT, readExchanges } from '../iso7816/ground-truth.js';

// EMV capture exchange 4: READ RECORD SFI 1 record 1 of the PSE (response data without SW).
const PSE_RECORD = fromHex(
  '70 24 61 22 4F 07 A0 00 00 00 42 10 10 50 02 43 42 9F 12 02 43 42 87 01 01 73 0B 9F 0A 08 00 01 05 01 00 00 00 00',
);

describe('parseBerTlv', () => {
  it('nested EMV record with multi-byte tags and absolute offsets', () => {
    const result = parseBerTlv(PSE_RECORD, { base: 10 });
    expect(result.clean).toBe(true);
    const [record] = result.objects;
    expect(record).toMatchObject({ tag: 0x70, constructed: true, declaredLength: 0x24, offset: 10, totalLength: 38 });
    const app = record!.children![0]!;
    expect(app.children!.map((o) => o.tagHex)).toEqual(['4F', '50', '9F12', '87', '73']);
    const preferred = findTlv(result.objects, 0x9f12)!;
    expect([preferred.offset, preferred.tagLength, preferred.valueOffset, toHex(preferred.value)]).toEqual([10 + 17, 2, 10 + 20, '4342']);
    expect(findTlv(result.objects, 0x9f0a)!.tagClass).toBe('context');
  });

  it('long-form lengths 81, 82, 83, 84', () => {
    for (const [prefix, size] of [
      ['C1 81 80', 0x80],
      ['C1 82 01 00', 0x100],
      ['C1 83 00 01 01', 0x101],
      ['C1 84 00 00 01 02', 0x102],
    ] as const) {
      const bytes = Uint8Array.from([...fromHex(prefix), ...new Uint8Array(size)]);
      const result = parseBerTlv(bytes);
      expect(result.clean).toBe(true);
      expect(result.objects[0]!.declaredLength).toBe(size);
      expect(result.objects[0]!.value.length).toBe(size);
    }
    expect(parseBerTlv(fromHex('C1 85 00 00 00 00 01 AA')).problems.map((p) => p.code)).toEqual(['bad-length']);
  });

  it('three-byte tags (PIV 5FC105) and over-long tags', () => {
    expect(parseBerTlv(fromHex('5C 03 5F C1 05')).clean).toBe(true);
    const piv = parseBerTlv(fromHex('5F C1 05 01 AA'));
    expect(piv.objects[0]!.tag).toBe(0x5fc105);
    expect(parseBerTlv(fromHex('5F 81 82 83 84 01 00')).problems.map((p) => p.code)).toEqual(['tag-too-long']);
  });

  it('indefinite length: refused for primitives, followed to 00 00 for constructed', () => {
    const primitive = parseBerTlv(fromHex('84 80 01 02'));
    expect(primitive.problems.map((p) => p.code)).toEqual(['indefinite-length']);
    const constructed = parseBerTlv(fromHex('30 80 04 01 AA 00 00 50 01 41'));
    expect(constructed.clean).toBe(true);
    expect(constructed.objects.map((o) => o.tagHex)).toEqual(['30', '50']);
    expect(constructed.objects[0]!.children!.map((o) => o.tagHex)).toEqual(['04']);
    expect(constructed.objects[0]!.totalLength).toBe(7);
    expect(parseBerTlv(fromHex('30 80 04 01 AA')).problems.map((p) => p.code)).toEqual(['truncated']);
  });

  it('skips 00/FF padding between objects (EMV annex B)', () => {
    const result = parseBerTlv(fromHex('00 50 01 41 FF FF 00 87 01 01 00'));
    expect(result.clean).toBe(true);
    expect(result.paddingBytes).toBe(5);
    expect(result.objects.map((o) => o.tagHex)).toEqual(['50', '87']);
    expect(parseBerTlv(fromHex('50 01 41 00'), { allowPadding: false }).clean).toBe(false);
  });

  it('truncated values keep the partial tree', () => {
    const result = parseBerTlv(PSE_RECORD.subarray(0, 20));
    expect(result.clean).toBe(false);
    const record = result.objects[0]!;
    expect(record.problem?.code).toBe('truncated');
    expect(record.value.length).toBe(18);
    const app = record.children![0]!;
    expect(app.children!.map((o) => o.tagHex)).toEqual(['4F', '50', '9F12']);
    expect(findTlv(result.objects, 0x9f12)!.problem?.code).toBe('truncated');
  });

  it('depth and node limits', () => {
    let nested = fromHex('80 00');
    for (let i = 0; i < 20; i++) nested = Uint8Array.from([0xa0, nested.length, ...nested]);
    const deep = parseBerTlv(nested);
    expect(deep.problems.map((p) => p.code)).toEqual(['too-deep']);
    expect(parseBerTlv(nested, { maxDepth: 32 }).clean).toBe(true);
    const many = new Uint8Array(5000 * 2).fill(0).map((_, i) => (i % 2 === 0 ? 0x80 : 0));
    const limited = parseBerTlv(many, { maxNodes: 100 });
    expect(limited.objects).toHaveLength(100);
    expect(limited.problems.map((p) => p.code)).toEqual(['too-many-nodes']);
  });

  it('never throws on random bytes; objects stay inside the buffer', () => {
    const inside = (objects: TlvObject[], end: number): void => {
      for (const o of objects) {
        expect(o.offset + o.totalLength).toBeLessThanOrEqual(end);
        expect(o.valueOffset + o.value.length).toBeLessThanOrEqual(end);
        if (o.children) inside(o.children, end);
      }
    };
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const result = parseBerTlv(bytes, { base: 3 });
        inside(result.objects, 3 + bytes.length);
        const nodes = berTlvNodes(result.objects);
        const check = (n: DissectNode): void => {
          expect(n.offset + n.length).toBeLessThanOrEqual(3 + bytes.length);
          n.children?.forEach(check);
        };
        nodes.forEach(check);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('encodeBerTlv round trip', () => {
  const primitiveTag = fc.oneof(
    fc.integer({ min: 0x01, max: 0xfe }).filter((b) => (b & 0x1f) !== 0x1f && (b & 0x20) === 0),
    fc.tuple(fc.constantFrom(0x5f, 0x9f, 0xdf), fc.integer({ min: 0x1f, max: 0x7f })).map(([a, b]) => (a << 8) | b),
  );
  const constructedTag = fc.oneof(
    fc.integer({ min: 0x20, max: 0xfe }).filter((b) => (b & 0x1f) !== 0x1f && (b & 0x20) !== 0),
    fc.tuple(fc.constantFrom(0x7f, 0xbf, 0xff), fc.integer({ min: 0x1f, max: 0x7f })).map(([a, b]) => (a << 8) | b),
  );
  const { tree } = fc.letrec<{ tree: TlvSpec }>((tie) => ({
    tree: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.record({ tag: primitiveTag, value: fc.uint8Array({ maxLength: 300 }) }),
      fc.record({ tag: constructedTag, children: fc.array(tie('tree'), { maxLength: 4 }) }),
    ),
  }));

  const strip = (objects: TlvObject[]): TlvSpec[] =>
    objects.map((o) => (o.constructed ? { tag: o.tag, children: strip(o.children ?? []) } : { tag: o.tag, value: o.value }));

  it('parse(encode(tree)) gives the tree back', () => {
    fc.assert(
      fc.property(fc.array(tree, { minLength: 1, maxLength: 4 }), (objects) => {
        const bytes = encodeBerTlv(objects);
        const parsed = parseBerTlv(bytes, { allowPadding: false, maxDepth: 64 });
        expect(parsed.problems).toEqual([]);
        expect(JSON.stringify(strip(parsed.objects), (_, v) => (v instanceof Uint8Array ? toHex(v) : v))).toBe(
          JSON.stringify(objects, (_, v) => (v instanceof Uint8Array ? toHex(v) : v)),
        );
      }),
      { numRuns: 500 },
    );
  });
});

describe('looksLikeBerTlv', () => {
  it('accepts card TLV answers and rejects binary files', () => {
    expect(looksLikeBerTlv(PSE_RECORD)).toBe(true);
    expect(looksLikeBerTlv(fromHex('9F 36 02 01 4A'))).toBe(true);
    // labcard READ BINARY content and GET DATA serial number
    expect(looksLikeBerTlv(fromHex('49 E4 49 80 4D FC 6F 92 58 52 C8 1B 24 63 A5 61'))).toBe(false);
    expect(looksLikeBerTlv(fromHex('4C 41 42 00 00 00 12 34'))).toBe(false);
    expect(looksLikeBerTlv(fromHex('00 50 01 41'))).toBe(false);
    expect(looksLikeBerTlv(new Uint8Array(0))).toBe(false);
  });
});

describe('EMV capture responses as TLV', () => {
  const skip = requireShared('captures');

  it.skipIf(skip)('every 9000 data answer of the capture is clean BER-TLV with named tags', () => {
    const responses = readExchanges(EMV_EXPECT)
      .map((e) => e.response)
      .filter((r) => r.length > 2 && r[r.length - 2] === 0x90);
    expect(responses.length).toBe(17);
    const unnamed = new Set<string>();
    for (const r of responses) {
      const data = r.subarray(0, r.length - 2);
      expect(looksLikeBerTlv(data)).toBe(true);
      const walk = (objects: TlvObject[], parent?: number): void => {
        for (const o of objects) {
          if (!tagName(o.tag, 'emv', parent)) unnamed.add(o.tagHex);
          if (o.children) walk(o.children, o.tag);
        }
      };
      walk(parseBerTlv(data).objects);
    }
    // DF63 is an issuer-proprietary tag inside BF0C; everything else is in the EMV dictionary.
    expect([...unnamed]).toEqual(['DF63']);
  });
});
