import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toHex } from '#core/bytes/hex.js';
import { decodeCcidMessage } from '#core/ccid/decode-message.js';
import { encodeSecure } from '#core/ccid/encode-message.js';
import { secureDataFromPinModifyBytes, secureDataFromPinVerifyBytes } from '#core/ccid/secure-from-pcsc.js';
import {
  ccidModifyMessageIndexCount,
  decodeFormatString,
  encodeFormatString,
  encodePinBlockString,
  encodePinLengthFormat,
  explainEntryValidationCondition,
  explainFormatString,
  locatePin,
  decodePinBlockString,
  decodePinLengthFormat,
} from '#core/pcsc/pin-format.js';
import {
  decodePinModifyStructure,
  decodePinVerifyStructure,
  encodePinModifyStructure,
  encodePinVerifyStructure,
} from '#core/pcsc/pin-structures.js';

const u8 = fc.integer({ min: 0, max: 0xff });
const apdu = fc.uint8Array({ minLength: 4, maxLength: 64 });

describe('pin-format bit fields', () => {
  it('bmFormatString round-trips and explains itself', () => {
    for (let raw = 0; raw < 256; raw++) expect(encodeFormatString(decodeFormatString(raw))).toBe(raw);
    expect(explainFormatString(decodeFormatString(0x86))).toEqual([
      'system units: bytes',
      'PIN position: 0 bytes after Lc',
      'justification: right (fillers on the left)',
      'PIN format: ASCII (one digit per byte, 30-39)',
    ]);
  });

  it('bmPINBlockString and bmPINLengthFormat round-trip', () => {
    for (let raw = 0; raw < 256; raw++) {
      expect(encodePinBlockString(decodePinBlockString(raw))).toBe(raw);
      expect(encodePinLengthFormat(decodePinLengthFormat(raw))).toBe(raw & 0x1f);
    }
  });

  it('bEntryValidationCondition explanation', () => {
    expect(explainEntryValidationCondition({ raw: 7, maxSizeReached: true, validationKeyPressed: true, timeout: true })).toHaveLength(3);
    expect(explainEntryValidationCondition({ raw: 0, maxSizeReached: false, validationKeyPressed: false, timeout: false })[0]).toContain(
      'invalid',
    );
  });

  it('PIN placement in bits units', () => {
    const p = locatePin(13, decodeFormatString(0x09), decodePinBlockString(0x47), decodePinLengthFormat(0x04));
    // 0x09: position counted in bits (bit 7 clear), 1 bit into the block.
    expect(p).toMatchObject({ blockOffset: 5, pinOffset: 5, pinBitOffset: 1, lengthField: { offset: 5, bitOffset: 4, sizeBits: 4 } });
    expect(locatePin(8, decodeFormatString(0x82), decodePinBlockString(0x08), decodePinLengthFormat(0)).fitsInApdu).toBe(false);
  });

  it('CCID modify carries 1, 2 or 3 message indexes', () => {
    expect([0, 1, 2, 3, 0xff].map(ccidModifyMessageIndexCount)).toEqual([1, 2, 2, 3, 3]);
  });
});

describe('PIN_VERIFY/MODIFY_STRUCTURE build and decode (fast-check)', () => {
  it('verify: decode(encode(x)) gives x back, and the Secure built from it decodes to the same fields', () => {
    fc.assert(
      fc.property(
        u8,
        u8,
        u8,
        u8,
        u8,
        u8,
        u8,
        fc.integer({ min: 1, max: 7 }),
        u8,
        fc.integer({ min: 0, max: 0xffff }),
        apdu,
        (t1, t2, fs, pb, lf, min, max, evc, nm, lang, a) => {
          const input = {
            timeOut: t1,
            timeOut2: t2,
            formatString: fs,
            pinBlockString: pb,
            pinLengthFormat: lf & 0x1f,
            minPinSize: min,
            maxPinSize: max,
            entryValidationCondition: evc,
            numberMessage: nm,
            langId: lang,
            msgIndex: 0,
            apdu: a,
          };
          const bytes = encodePinVerifyStructure(input);
          expect(bytes.length).toBe(19 + a.length);
          const { structure, problems } = decodePinVerifyStructure(bytes);
          expect(problems.filter((p) => p.severity === 'error')).toEqual([]);
          expect(structure).toMatchObject({
            bTimeOut: t1,
            bTimeOut2: t2,
            bmFormatString: { raw: fs },
            bmPINBlockString: { raw: pb },
            bmPINLengthFormat: { raw: lf & 0x1f },
            wPINMaxExtraDigit: { min, max },
            bEntryValidationCondition: { raw: evc },
            bNumberMessage: nm,
            wLangId: lang,
            ulDataLength: a.length,
          });
          expect(toHex(structure!.apdu.bytes)).toBe(toHex(a));
          const data = secureDataFromPinVerifyBytes(bytes).data!;
          const secure = decodeCcidMessage(encodeSecure({ slot: 0, seq: 0, data })).secure!;
          expect(secure.verify!.bmFormatString).toEqual(structure!.bmFormatString);
          expect(secure.verify!.wPINMaxExtraDigit).toEqual(structure!.wPINMaxExtraDigit);
          expect(secure.apdu!.placement).toEqual(structure!.apdu.placement);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('modify: round trip, and CCID drops the message indexes bNumberMessage does not need', () => {
    fc.assert(
      fc.property(
        u8,
        u8,
        u8,
        fc.integer({ min: 0, max: 3 }),
        fc.constantFrom(0, 1, 2, 3, 0xff),
        apdu,
        (old, neu, confirm, conf2, nm, a) => {
          const bytes = encodePinModifyStructure({
            formatString: 0x82,
            pinBlockString: 0x08,
            pinLengthFormat: 0,
            insertionOffsetOld: old,
            insertionOffsetNew: neu,
            minPinSize: 4,
            maxPinSize: 8,
            confirmPin: (confirm & 0xfc) | conf2,
            numberMessage: nm,
            msgIndex1: 0x10,
            msgIndex2: 0x11,
            msgIndex3: 0x12,
            apdu: a,
          });
          const { structure } = decodePinModifyStructure(bytes);
          expect(structure).toMatchObject({
            bInsertionOffsetOld: old,
            bInsertionOffsetNew: neu,
            bNumberMessage: nm,
            bMsgIndex1: 0x10,
            bMsgIndex2: 0x11,
            bMsgIndex3: 0x12,
          });
          const data = secureDataFromPinModifyBytes(bytes).data!;
          const m = decodeCcidMessage(encodeSecure({ slot: 0, seq: 0, data })).secure!.modify!;
          const expected = [0x10, 0x11, 0x12].slice(0, ccidModifyMessageIndexCount(nm));
          expect([m.bMsgIndex1, m.bMsgIndex2, m.bMsgIndex3].filter((x) => x !== undefined)).toEqual(expected);
          expect(m.bConfirmPIN.raw).toBe((confirm & 0xfc) | conf2);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('never throws on random structures', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 60 }), (bytes) => {
        const v = decodePinVerifyStructure(bytes, 5);
        const m = decodePinModifyStructure(bytes, 5);
        for (const r of [v, m]) {
          expect(r.node.offset).toBe(5);
          if (!r.structure) expect(r.problems.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
