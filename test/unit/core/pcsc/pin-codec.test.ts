/**
 * The one field-list codec and the one check behind PC/SC PIN_VERIFY/MODIFY_STRUCTURE and the
 * CCID Secure abPINDataStructure: same problems with the same severities in both layouts, the
 * writer and the reader agree field for field, and the real SCardControl inputs of the pinpad
 * capture come back byte for byte.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteReader } from '#core/bytes/byte-reader.js';
import { fromHex, toHex } from '#core/bytes/hex.js';
import { decodeSecureData, decodeSecureParameters, encodeSecurePinData } from '#core/ccid/secure.js';
import { secureDataFromPinVerifyBytes } from '#core/ccid/secure-from-pcsc.js';
import {
  emptyPinParameters,
  pinStructureFields,
  pinStructureHeaderLength,
  type PinOperationName,
  type PinParameters,
} from '#core/pcsc/pin-format.js';
import { decodePinStructure, encodePinStructure } from '#core/pcsc/pin-structures.js';
import { requireShared } from '../../../shared-path.js';
import { controlCalls, PINPAD_TXT, readGroundTruth } from '../ccid/ground-truth.js';

const u8 = fc.integer({ min: 0, max: 0xff });

/** Random but valid parameters: every field in its range, a template of 4..40 bytes. */
const parameters = (operation: PinOperationName) =>
  fc.record({
    bTimerOut: u8,
    bTimerOut2: u8,
    bmFormatString: u8,
    bmPINBlockString: u8,
    bmPINLengthFormat: fc.integer({ min: 0, max: 0x1f }),
    bInsertionOffsetOld: u8,
    bInsertionOffsetNew: u8,
    wPINMaxExtraDigit: fc.integer({ min: 0, max: 0xffff }),
    bConfirmPIN: fc.integer({ min: 0, max: 3 }),
    bEntryValidationCondition: fc.integer({ min: 1, max: 7 }),
    bNumberMessage: operation === 'verify' ? fc.constantFrom(0, 1, 0xff) : fc.constantFrom(0, 1, 2, 3, 0xff),
    wLangId: fc.integer({ min: 0, max: 0xffff }),
    bMsgIndex: u8,
    bMsgIndex1: u8,
    bMsgIndex2: u8,
    bMsgIndex3: u8,
    bTeoPrologue: fc.integer({ min: 0, max: 0xffffff }),
    apdu: fc.uint8Array({ minLength: 4, maxLength: 40 }),
  });

/** The fields a layout carries, by name. */
function carried(format: 'pcsc' | 'ccid', operation: PinOperationName, p: PinParameters): Record<string, number> {
  const out: Record<string, number> = {};
  for (const spec of pinStructureFields(format, operation, p.bNumberMessage)) {
    if (spec.name !== 'ulDataLength') out[spec.name] = p[spec.name];
  }
  return out;
}

describe('one check for both layouts', () => {
  it('an APDU template shorter than CLA INS P1 P2 is an error in the PC/SC structure and in the CCID Secure alike', () => {
    const p = {
      ...emptyPinParameters(),
      bmFormatString: 0x82,
      wPINMaxExtraDigit: 0x0408,
      bEntryValidationCondition: 2,
      apdu: fromHex('002000'),
    };
    const pcsc = decodePinStructure('verify', encodePinStructure('verify', p));
    const ccid = decodeSecureData(new ByteReader(encodeSecurePinData('verify', p)));
    const pick = (problems: { code: string; severity: string }[]) => problems.find((x) => x.code === 'apdu-too-short');
    expect(pick(pcsc.problems)).toMatchObject({ severity: 'error' });
    expect(pick(ccid.problems)).toMatchObject({ severity: 'error' });
  });

  it('reports the same codes for the same fields whichever layout carried them', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<PinOperationName>('verify', 'modify'),
        u8,
        fc.integer({ min: 0, max: 0xffff }),
        u8,
        (op, evc, digits, nm) => {
          const p: PinParameters = {
            ...emptyPinParameters(),
            bmFormatString: 0x82,
            bmPINBlockString: 0x08,
            bmPINLengthFormat: 0xe0,
            wPINMaxExtraDigit: digits,
            bEntryValidationCondition: evc,
            bNumberMessage: nm,
            bInsertionOffsetNew: 8,
            bConfirmPIN: 3,
            apdu: fromHex('0020008108FFFFFFFFFFFFFFFF'),
          };
          const pcsc = decodePinStructure(op, encodePinStructure(op, p)).problems;
          const ccid = decodeSecureData(new ByteReader(encodeSecurePinData(op, p))).problems;
          expect(ccid.map((x) => [x.code, x.severity])).toEqual(pcsc.map((x) => [x.code, x.severity]));
        },
      ),
    );
  });

  it('names each problem: min above max, reserved coding, bad message count', () => {
    const p = {
      ...emptyPinParameters(),
      bmFormatString: 0x83,
      wPINMaxExtraDigit: 0x0804,
      bEntryValidationCondition: 0,
      bNumberMessage: 4,
      apdu: fromHex('00200081'),
    };
    const codes = decodePinStructure('modify', encodePinStructure('modify', p)).problems.map((x) => x.code);
    expect(codes).toEqual(['bad-number-message', 'bad-entry-validation', 'reserved-coding', 'min-above-max']);
  });
});

describe('one writer and one reader, driven by the field lists', () => {
  it.each(['verify', 'modify'] as const)('%s: decode(write(parameters)) gives every carried field back, in both layouts', (op) => {
    fc.assert(
      fc.property(parameters(op), (p) => {
        const pcsc = encodePinStructure(op, p);
        expect(pcsc.length).toBe(pinStructureHeaderLength('pcsc', op) + p.apdu.length);
        const back = decodePinStructure(op, pcsc);
        expect(back.problems.filter((x) => x.severity === 'error')).toEqual([]);
        expect(carried('pcsc', op, back.parameters!)).toEqual(carried('pcsc', op, p));
        expect(toHex(back.parameters!.apdu)).toBe(toHex(p.apdu));

        const ccid = encodeSecurePinData(op, p);
        expect(ccid.length).toBe(pinStructureHeaderLength('ccid', op, p.bNumberMessage) + p.apdu.length);
        const secure = decodeSecureParameters(ccid)!;
        expect(secure.operation).toBe(op);
        expect(carried('ccid', op, secure.parameters)).toEqual(carried('ccid', op, p));
        // and the bytes come back identical when rebuilt from what was read
        expect(toHex(encodePinStructure(op, back.parameters!))).toBe(toHex(pcsc));
        expect(toHex(encodeSecurePinData(op, secure.parameters))).toBe(toHex(ccid));
      }),
      { numRuns: 300 },
    );
  });

  it('the CCID layout is the PC/SC one without bTimerOut2 and ulDataLength (and, for a modify, the message indexes bNumberMessage does not need)', () => {
    const names = (format: 'pcsc' | 'ccid', op: PinOperationName, nm?: number) => pinStructureFields(format, op, nm).map((s) => s.name);
    expect(names('ccid', 'verify')).toEqual(names('pcsc', 'verify').filter((n) => n !== 'bTimerOut2' && n !== 'ulDataLength'));
    expect(pinStructureFields('ccid', 'verify')[0]!.label).toBe('bTimeOut');
    expect(names('ccid', 'modify', 0).filter((n) => n.startsWith('bMsgIndex'))).toEqual(['bMsgIndex1']);
    expect(names('ccid', 'modify', 2).filter((n) => n.startsWith('bMsgIndex'))).toEqual(['bMsgIndex1', 'bMsgIndex2']);
    expect(names('ccid', 'modify', 0xff).filter((n) => n.startsWith('bMsgIndex'))).toEqual(['bMsgIndex1', 'bMsgIndex2', 'bMsgIndex3']);
    expect([pinStructureHeaderLength('pcsc', 'verify'), pinStructureHeaderLength('pcsc', 'modify')]).toEqual([19, 24]);
    // Words are little-endian in both specs; only the 3-byte T=1 prologue reads as NAD PCB LEN.
    for (const spec of [...pinStructureFields('pcsc', 'modify'), ...pinStructureFields('ccid', 'modify')]) {
      expect(spec.endian, spec.name).toBe(spec.size === 3 ? 'be' : 'le');
    }
  });
});

const skip = requireShared(...PINPAD_TXT);
const calls = skip ? [] : controlCalls(readGroundTruth(PINPAD_TXT));

describe.skipIf(skip)('the real SCardControl PIN structures of pinpad-labcard.txt', () => {
  const wellFormed = [6, 7, 8, 9, 10, 11, 14, 15];
  it.each(wellFormed)('[%i] decode → parameters → encode gives the bytes the application sent', (step) => {
    const call = calls.find((c) => c.step === step)!;
    const op = call.code === 0x42330007 ? 'modify' : 'verify';
    const decoded = decodePinStructure(op, call.input);
    expect(toHex(encodePinStructure(op, decoded.parameters!))).toBe(toHex(call.input));
  });

  it('[12] the structure libccid refused ("Wrong lengths") gets no CCID bytes here either', () => {
    const refused = secureDataFromPinVerifyBytes(calls.find((c) => c.step === 12)!.input);
    expect(refused.data).toBeUndefined();
  });
});
