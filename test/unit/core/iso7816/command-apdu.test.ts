import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '#core/bytes/hex.js';
import type { DissectNode } from '#core/dissect/node.js';
import { encodeCommandApdu, parseCommandApdu, type CommandApduSpec } from '#core/iso7816/command-apdu.js';
import { requireShared } from '../../../shared-path.js';
import { EMV_EXPECT, LABCARD_SECTION, LABCARD_TXT, readExchanges } from './ground-truth.js';

function find(node: DissectNode, id: string): DissectNode | undefined {
  if (node.id === id) return node;
  for (const child of node.children ?? []) {
    const hit = find(child, id);
    if (hit) return hit;
  }
  return undefined;
}

describe('parseCommandApdu: ISO 7816-3 cases', () => {
  it('case 1: header only (labcard VERIFY counter query 00 20 00 81)', () => {
    const apdu = parseCommandApdu(fromHex('00 20 00 81'));
    expect(apdu.apduCase).toBe('1');
    expect(apdu.le).toBeUndefined();
    expect(apdu.lc).toBeUndefined();
    expect(apdu.name).toBe('VERIFY');
    expect(apdu.problems).toEqual([]);
  });

  it('case 2S with Le 00 meaning 256 (labcard READ BINARY 00 B0 00 00 00)', () => {
    const apdu = parseCommandApdu(fromHex('00 B0 00 00 00'));
    expect(apdu.apduCase).toBe('2S');
    expect(apdu.le).toBe(256);
    const le = find(apdu.node, 'iso7816.le')!;
    expect([le.offset, le.length, le.value]).toEqual([4, 1, 256]);
  });

  it('case 3S (labcard SELECT EF 00 A4 00 0C 02 01 01)', () => {
    const apdu = parseCommandApdu(fromHex('00 A4 00 0C 02 01 01'));
    expect(apdu.apduCase).toBe('3S');
    expect(apdu.lc).toBe(2);
    expect(toHex(apdu.data)).toBe('0101');
    expect(apdu.le).toBeUndefined();
    const data = find(apdu.node, 'iso7816.data')!;
    expect([data.offset, data.length]).toEqual([5, 2]);
    expect(find(apdu.node, 'iso7816.p2')!.label).toContain('no response data');
  });

  it('case 4S (EMV SELECT PSE) names the DF and the application', () => {
    const apdu = parseCommandApdu(fromHex('00 A4 04 00 0E 31 50 41 59 2E 53 59 53 2E 44 44 46 30 31 00'));
    expect(apdu.apduCase).toBe('4S');
    expect(apdu.lc).toBe(14);
    expect(apdu.le).toBe(256);
    expect(apdu.node.label).toContain('SELECT');
    expect(apdu.node.label).toContain('select by DF name');
    expect(find(apdu.node, 'iso7816.data')!.label).toContain('Payment System Environment');
    expect(find(apdu.node, 'iso7816.le')!.offset).toBe(19);
  });

  it('case 2E with Le 0100 (labcard exchange 33: 00 B0 00 00 00 01 00)', () => {
    const apdu = parseCommandApdu(fromHex('00 B0 00 00 00 01 00'));
    expect(apdu.apduCase).toBe('2E');
    expect(apdu.extended).toBe(true);
    expect(apdu.le).toBe(256);
    const le = find(apdu.node, 'iso7816.le')!;
    expect([le.offset, le.length]).toEqual([4, 3]);
  });

  it('case 2E with Le 0000 meaning 65536', () => {
    expect(parseCommandApdu(fromHex('00 B0 00 00 00 00 00')).le).toBe(65536);
  });

  it('case 3E and 4E', () => {
    const data = new Uint8Array(300).fill(0xab);
    const c3 = parseCommandApdu(Uint8Array.from([0x00, 0xda, 0x01, 0x01, 0x00, 0x01, 0x2c, ...data]));
    expect(c3.apduCase).toBe('3E');
    expect(c3.lc).toBe(300);
    expect(c3.data.length).toBe(300);
    const c4 = parseCommandApdu(Uint8Array.from([0x00, 0x2a, 0x9e, 0x9a, 0x00, 0x01, 0x2c, ...data, 0x00, 0x00]));
    expect(c4.apduCase).toBe('4E');
    expect(c4.le).toBe(65536);
    expect(c4.node.label).toContain('COMPUTE DIGITAL SIGNATURE');
    expect(find(c4.node, 'iso7816.lc')!.length).toBe(3);
  });

  it('proprietary CLA: EMV GET PROCESSING OPTIONS 80 A8 00 00 02 83 00 00', () => {
    const apdu = parseCommandApdu(fromHex('80 A8 00 00 02 83 00 00'));
    expect(apdu.name).toBe('GET PROCESSING OPTIONS');
    expect(apdu.apduCase).toBe('4S');
    // The PDOL data 83 00 is shown as a TLV tree.
    expect(find(apdu.node, 'iso7816.data.tlv.object')!.label).toContain('83');
  });

  it('EMV GET DATA names the tag', () => {
    const apdu = parseCommandApdu(fromHex('80 CA 9F 36 00'), { context: 'emv' });
    expect(apdu.name).toBe('GET DATA');
    expect(apdu.node.label).toContain('Application Transaction Counter');
  });
});

describe('parseCommandApdu: malformed input', () => {
  it('too short: partial header, no throw', () => {
    const apdu = parseCommandApdu(fromHex('00 A4'));
    expect(apdu.apduCase).toBeUndefined();
    expect(apdu.problems.map((p) => p.code)).toEqual(['too-short']);
    expect(apdu.node.children!.map((c) => c.id)).toEqual(['iso7816.cla', 'iso7816.ins']);
  });

  it('Lc beyond data keeps the data present', () => {
    const apdu = parseCommandApdu(fromHex('00 A4 04 00 0E 31 50 41'));
    expect(apdu.problems.map((p) => p.code)).toEqual(['lc-beyond-data']);
    expect(apdu.data.length).toBe(3);
    expect(find(apdu.node, 'iso7816.lc')!.problem?.code).toBe('lc-beyond-data');
  });

  it('trailing bytes after Le', () => {
    const apdu = parseCommandApdu(fromHex('00 A4 04 00 02 3F 00 00 11 22'));
    expect(apdu.apduCase).toBe('4S');
    expect(apdu.le).toBe(256);
    expect(apdu.problems.map((p) => p.code)).toEqual(['trailing-bytes']);
    const trailing = find(apdu.node, 'iso7816.trailing')!;
    expect([trailing.offset, trailing.length]).toEqual([8, 2]);
  });

  it('00 xx body is malformed', () => {
    const apdu = parseCommandApdu(fromHex('00 B0 00 00 00 05'));
    expect(apdu.problems.map((p) => p.code)).toEqual(['malformed-length']);
  });

  it('extended with one byte after the data', () => {
    const apdu = parseCommandApdu(fromHex('00 DA 00 00 00 00 02 AA BB 01'));
    expect(apdu.apduCase).toBe('3E');
    expect(apdu.problems.map((p) => p.code)).toEqual(['trailing-bytes']);
  });

  it('invalid INS 6X is a warning', () => {
    const apdu = parseCommandApdu(fromHex('00 6A 00 00'));
    expect(apdu.problems).toEqual([expect.objectContaining({ code: 'invalid-ins', severity: 'warning' })]);
  });

  it('node offsets follow the base', () => {
    const apdu = parseCommandApdu(fromHex('00 B2 01 0C 00'), { base: 10 });
    expect(apdu.node.offset).toBe(10);
    expect(find(apdu.node, 'iso7816.p2')!.offset).toBe(13);
    expect(find(apdu.node, 'iso7816.p2')!.label).toContain('SFI 1');
  });

  it('never throws on random bytes, and nodes stay inside the buffer', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const apdu = parseCommandApdu(bytes, { base: 7 });
        const check = (node: DissectNode): void => {
          expect(node.offset).toBeGreaterThanOrEqual(7);
          expect(node.offset + node.length).toBeLessThanOrEqual(7 + bytes.length);
          node.children?.forEach(check);
        };
        check(apdu.node);
      }),
      { numRuns: 1500 },
    );
  });
});

describe('encodeCommandApdu', () => {
  it('encodes every case with the smallest form', () => {
    const enc = (spec: CommandApduSpec): string => {
      const r = encodeCommandApdu(spec);
      if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('; '));
      return `${r.apduCase} ${toHex(r.bytes)}`;
    };
    expect(enc({ cla: 0, ins: 0x20, p1: 0, p2: 0x81 })).toBe('1 00200081');
    expect(enc({ cla: 0, ins: 0xb0, p1: 0, p2: 0, le: 256 })).toBe('2S 00B0000000');
    expect(enc({ cla: 0, ins: 0xa4, p1: 0, p2: 0x0c, data: fromHex('0101') })).toBe('3S 00A4000C020101');
    expect(enc({ cla: 0x80, ins: 0xa8, p1: 0, p2: 0, data: fromHex('8300'), le: 256 })).toBe('4S 80A8000002830000');
    expect(enc({ cla: 0, ins: 0xb0, p1: 0, p2: 0, le: 256, extended: true })).toBe('2E 00B00000000100');
    expect(enc({ cla: 0, ins: 0xb0, p1: 0, p2: 0, le: 65536 })).toBe('2E 00B00000000000');
    expect(enc({ cla: 0, ins: 0xda, p1: 1, p2: 1, data: new Uint8Array(256) }).slice(0, 17)).toBe('3E 00DA0101000100');
  });

  it('says what is wrong', () => {
    const tooMuchData = encodeCommandApdu({ cla: 0, ins: 0xda, p1: 0, p2: 0, data: new Uint8Array(300), extended: false });
    expect(tooMuchData.ok).toBe(false);
    if (!tooMuchData.ok) {
      expect(tooMuchData.errors).toEqual([{ field: 'data', message: expect.stringContaining('at most 255') }]);
    }
    const bigLe = encodeCommandApdu({ cla: 0, ins: 0xb0, p1: 0, p2: 0, le: 1000, extended: false });
    expect(bigLe.ok === false && bigLe.errors[0]!.field === 'le' && bigLe.errors[0]!.message.includes('extended')).toBe(true);
    const zeroLe = encodeCommandApdu({ cla: 0, ins: 0xb0, p1: 0, p2: 0, le: 0 });
    expect(zeroLe.ok === false && zeroLe.errors[0]!.message.includes('leave Le out')).toBe(true);
    const badP1 = encodeCommandApdu({ cla: 0, ins: 0xb0, p1: 256, p2: 0 });
    expect(badP1.ok === false && badP1.errors[0]!.field === 'p1').toBe(true);
    const huge = encodeCommandApdu({ cla: 0, ins: 0xda, p1: 0, p2: 0, data: new Uint8Array(70000) });
    expect(huge.ok === false && huge.errors[0]!.message.includes('65535')).toBe(true);
    const badIns = encodeCommandApdu({ cla: 0, ins: 0x61, p1: 0, p2: 0 });
    expect(badIns.ok && badIns.warnings[0]!.field === 'ins').toBe(true);
  });

  const specArb = fc.record({
    cla: fc.integer({ min: 0, max: 255 }),
    ins: fc.integer({ min: 0, max: 255 }),
    p1: fc.integer({ min: 0, max: 255 }),
    p2: fc.integer({ min: 0, max: 255 }),
    data: fc.uint8Array({ maxLength: 600 }),
    le: fc.option(fc.integer({ min: 1, max: 65536 }), { nil: undefined }),
    extended: fc.option(fc.boolean(), { nil: undefined }),
  });

  it('parse(encode(x)) gives x back', () => {
    fc.assert(
      fc.property(specArb, (spec) => {
        const result = encodeCommandApdu(spec);
        const needsExtended = spec.data.length > 255 || (spec.le ?? 0) > 256;
        if (spec.extended === false && needsExtended) {
          expect(result.ok).toBe(false);
          return;
        }
        expect(result.ok).toBe(true);
        if (!result.ok) return;
        const parsed = parseCommandApdu(result.bytes);
        expect(parsed.problems.filter((p) => p.severity === 'error')).toEqual([]);
        expect([parsed.cla, parsed.ins, parsed.p1, parsed.p2]).toEqual([spec.cla, spec.ins, spec.p1, spec.p2]);
        expect(toHex(parsed.data)).toBe(toHex(spec.data));
        expect(parsed.le).toBe(spec.le);
        expect(parsed.apduCase).toBe(result.apduCase);
        expect(parsed.extended).toBe(result.extended);
      }),
      { numRuns: 1000 },
    );
  });

  it('encode(parse(bytes)) gives the bytes back for well-formed APDUs', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 4, maxLength: 400 }), (bytes) => {
        const parsed = parseCommandApdu(bytes);
        if (parsed.problems.some((p) => p.severity === 'error') || parsed.trailing.length > 0) return;
        const again = encodeCommandApdu({ ...parsed, extended: parsed.extended });
        expect(again.ok && toHex(again.bytes)).toBe(toHex(bytes));
      }),
      { numRuns: 1000 },
    );
  });
});

describe('ground truth command APDUs', () => {
  const skip = requireShared('captures');

  it.skipIf(skip)('every EMV command (208) parses without problems and re-encodes identically', () => {
    const exchanges = readExchanges(EMV_EXPECT);
    expect(exchanges).toHaveLength(208);
    const cases = new Map<string, number>();
    for (const { command } of exchanges) {
      const apdu = parseCommandApdu(command);
      expect(apdu.problems).toEqual([]);
      cases.set(apdu.apduCase!, (cases.get(apdu.apduCase!) ?? 0) + 1);
      const again = encodeCommandApdu({ ...apdu, extended: apdu.extended });
      expect(again.ok && toHex(again.bytes)).toBe(toHex(command));
    }
    // SELECTs and GPO are case 4; READ RECORD / GET DATA / GET RESPONSE are case 2.
    expect(cases.get('4S')).toBe(3);
    expect(cases.get('2S')).toBe(205);
  });

  it.skipIf(skip)('labcard commands: cases as scriptor sent them, 6700 cases flagged where malformed', () => {
    const exchanges = readExchanges(LABCARD_TXT, LABCARD_SECTION);
    expect(exchanges).toHaveLength(33);
    const byNumber = new Map(exchanges.map((e) => [e.number, parseCommandApdu(e.command)]));
    expect(byNumber.get(17)!.apduCase).toBe('1');
    expect(byNumber.get(23)!.apduCase).toBe('3S');
    expect(byNumber.get(26)!.apduCase).toBe('4S');
    expect(byNumber.get(31)!.apduCase).toBe('2S');
    expect(byNumber.get(31)!.node.children![0]!.label).toContain('proprietary');
    // 32: 00 A4 00 0C 04 3F 00 — Lc 4 with 2 data bytes (the card answered 6700).
    expect(byNumber.get(32)!.problems.map((p) => p.code)).toEqual(['lc-beyond-data']);
    // 33: extended READ BINARY, Le = 256.
    expect([byNumber.get(33)!.apduCase, byNumber.get(33)!.le]).toEqual(['2E', 256]);
  });
});
