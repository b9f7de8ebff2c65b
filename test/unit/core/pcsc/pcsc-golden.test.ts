import { describe, expect, it } from 'vitest';
import { toHex } from '#core/bytes/hex.js';
import { decodeCcidMessage } from '#core/ccid/decode-message.js';
import { secureDataFromPinModifyBytes, secureDataFromPinVerifyBytes } from '#core/ccid/secure-from-pcsc.js';
import { CM_IOCTL_GET_FEATURE_REQUEST_LINUX, decodeControlCode, LIBCCID_IOCTL_MAGIC, scardCtlCodeLinux } from '#core/pcsc/control-codes.js';
import { decodeFeatureList, encodeFeatureList, featureTagByName } from '#core/pcsc/features.js';
import { decodePinProperties, encodePinProperties } from '#core/pcsc/pin-properties.js';
import { decodePinModifyStructure, decodePinVerifyStructure } from '#core/pcsc/pin-structures.js';
import { decodeTlvProperties, encodeTlvProperties } from '#core/pcsc/tlv-properties.js';
import { requireShared } from '../../../shared-path.js';
import { controlCalls, PINPAD_TXT, readGroundTruth, secureGroundTruth } from '../ccid/ground-truth.js';

const skip = requireShared(...PINPAD_TXT);
const text = skip ? '' : readGroundTruth(PINPAD_TXT);
const calls = skip ? [] : controlCalls(text);
const secures = skip ? [] : secureGroundTruth(text);
const call = (step: number) => calls.find((c) => c.step === step)!;

describe.skipIf(skip)('SCardControl bytes of pinpad-labcard.txt', () => {
  it('finds the 13 SCardControl calls', () => {
    expect(calls.map((c) => c.step)).toEqual([1, 2, 3, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
  });

  it('[01] GET_FEATURE_REQUEST: code 0x42000D48 and its answer', () => {
    expect(call(1).code).toBe(CM_IOCTL_GET_FEATURE_REQUEST_LINUX);
    expect(decodeControlCode(call(1).code)).toEqual({ platform: 'pcsc-lite', functionNumber: 3400 });
    const { features, problems, nodes } = decodeFeatureList(call(1).output!);
    expect(problems).toEqual([]);
    expect(features).toEqual([
      { tag: 0x06, name: 'VERIFY_PIN_DIRECT', controlCode: 0x42330006 },
      { tag: 0x0a, name: 'IFD_PIN_PROPERTIES', controlCode: 0x4233000a },
      { tag: 0x12, name: 'GET_TLV_PROPERTIES', controlCode: 0x42330012 },
    ]);
    expect(nodes.map((n) => [n.offset, n.length])).toEqual([
      [0, 6],
      [6, 6],
      [12, 6],
    ]);
    // libccid's feature codes are SCARD_CTL_CODE(0x330000 + tag).
    for (const f of features) expect(f.controlCode).toBe(scardCtlCodeLinux(LIBCCID_IOCTL_MAGIC + f.tag));
    expect(toHex(encodeFeatureList(features))).toBe(toHex(call(1).output!));
    // and the later calls use those codes
    expect(call(2).code).toBe(0x42330012);
    expect(call(6).code).toBe(features[0]!.controlCode);
  });

  it('[02] GET_TLV_PROPERTIES', () => {
    const r = decodeTlvProperties(call(2).output!);
    expect(r.problems).toEqual([]);
    expect(r.byName).toEqual({
      wLcdLayout: 0,
      bTimeOut2: 0,
      bPPDUSupport: 0,
      wIdVendor: 0x08e6,
      wIdProduct: 0x4433,
      dwMaxAPDUDataSize: 0x10000,
    });
    expect(r.properties.map((p) => p.tag)).toEqual([0x01, 0x03, 0x09, 0x0b, 0x0c, 0x0a]);
    expect(r.nodes[3]!.label).toBe('wIdVendor = 0x08E6');
    const rebuilt = encodeTlvProperties(r.properties.map((p) => ({ tag: p.tag, value: p.value })));
    expect(toHex(rebuilt)).toBe(toHex(call(2).output!));
  });

  it('[03] IFD_PIN_PROPERTIES', () => {
    const r = decodePinProperties(call(3).output!);
    expect(r.problems).toEqual([]);
    expect(r.properties).toEqual({ wLcdLayout: 0, bEntryValidationCondition: 0x07, bTimeOut2: 0 });
    expect(toHex(encodePinProperties(r.properties!))).toBe('00000700');
  });

  const verifySteps = [6, 7, 8, 9, 10, 11, 14];
  it.each(verifySteps)('[%i] PIN_VERIFY_STRUCTURE decodes and agrees field by field with the Secure libccid sent', (step) => {
    const c = call(step);
    expect(c.code).toBe(0x42330006);
    const { structure, problems } = decodePinVerifyStructure(c.input);
    const wire = secures[verifySteps.indexOf(step)]!;
    const secure = decodeCcidMessage(wire.message).secure!;
    expect(structure).toBeDefined();
    // (d) has the invalid bEntryValidationCondition 00 that libccid rewrote to 02.
    expect(problems.map((p) => p.code)).toEqual(step === 9 ? ['bad-entry-validation'] : []);
    const s = structure!;
    const v = secure.verify!;
    expect(s.ulDataLength).toBe(s.apdu.length);
    expect(s.bTimeOut).toBe(v.bTimeOut);
    expect(s.bmFormatString).toEqual(v.bmFormatString);
    expect(s.bmPINBlockString).toEqual(v.bmPINBlockString);
    expect(s.bmPINLengthFormat).toEqual(v.bmPINLengthFormat);
    expect(s.wPINMaxExtraDigit).toEqual(v.wPINMaxExtraDigit);
    expect(s.bNumberMessage).toBe(v.bNumberMessage);
    expect(s.wLangId).toBe(v.wLangId);
    expect(s.bMsgIndex).toBe(v.bMsgIndex);
    expect(s.bTeoPrologue).toEqual(v.bTeoPrologue);
    expect(toHex(s.apdu.bytes)).toBe(toHex(secure.apdu!.bytes));
    expect(s.apdu.placement).toEqual(secure.apdu!.placement);
    if (step === 9) {
      expect(s.bEntryValidationCondition.raw).toBe(0);
      expect(v.bEntryValidationCondition.raw).toBe(2);
      expect(s.bTimeOut2).toBe(5);
    } else {
      expect(s.bEntryValidationCondition).toEqual(v.bEntryValidationCondition);
    }
    // and our libccid-style conversion produces exactly the wire abData
    const converted = secureDataFromPinVerifyBytes(c.input);
    expect(toHex(converted.data!)).toBe(toHex(wire.message.subarray(10)));
    expect(converted.problems.map((p) => p.code)).toEqual(step === 9 ? ['entry-validation-fixed'] : []);
  });

  it('[15] PIN_MODIFY_STRUCTURE agrees with Secure #8 (modify)', () => {
    const c = call(15);
    expect(c.code).toBe(0x42330007);
    const { structure, problems } = decodePinModifyStructure(c.input);
    expect(problems).toEqual([]);
    const secure = decodeCcidMessage(secures[7]!.message).secure!;
    const m = secure.modify!;
    const s = structure!;
    expect(s).toMatchObject({
      bTimeOut: m.bTimeOut,
      bTimeOut2: 0,
      bInsertionOffsetOld: 0,
      bInsertionOffsetNew: 8,
      bConfirmPIN: m.bConfirmPIN,
      bNumberMessage: 3,
      bMsgIndex1: 0,
      bMsgIndex2: 1,
      bMsgIndex3: 2,
      ulDataLength: 21,
    });
    expect([
      s.bmFormatString,
      s.bmPINBlockString,
      s.bmPINLengthFormat,
      s.wPINMaxExtraDigit,
      s.bEntryValidationCondition,
      s.wLangId,
    ]).toEqual([m.bmFormatString, m.bmPINBlockString, m.bmPINLengthFormat, m.wPINMaxExtraDigit, m.bEntryValidationCondition, m.wLangId]);
    expect([m.bMsgIndex1, m.bMsgIndex2, m.bMsgIndex3]).toEqual([0, 1, 2]);
    expect(s.apdu.newPinPlacement).toEqual(secure.apdu!.newPinPlacement);
    expect(toHex(secureDataFromPinModifyBytes(c.input).data!)).toBe(toHex(secures[7]!.message.subarray(10)));
  });

  it('[12] [13] the malformed structures libccid refused are refused here too', () => {
    const g = decodePinVerifyStructure(call(12).input);
    expect(g.problems.map((p) => p.code)).toEqual(['length-mismatch']);
    expect(g.problems[0]!.message).toBe('ulDataLength 14 but 13 APDU byte(s) follow');
    expect(g.node.problem!.code).toBe('length-mismatch');
    // (h): 19 + 3 bytes, ulDataLength 3: libccid says "Command too short: 22 < 23".
    const h = decodePinVerifyStructure(call(13).input);
    expect(h.problems.map((p) => p.code)).toEqual(['apdu-too-short']);
    expect(h.structure!.apdu.length).toBe(3);
    const refused = secureDataFromPinVerifyBytes(call(12).input);
    expect(refused.data).toBeUndefined();
    expect(refused.problems.map((p) => p.code)).toEqual(['length-mismatch']);
    expect(secureDataFromPinVerifyBytes(call(13).input).data).toBeUndefined();
    expect(call(12).result).toContain('Feature not supported');
  });

  it('feature names', () => {
    expect(featureTagByName('VERIFY_PIN_DIRECT')).toBe(0x06);
    expect(featureTagByName('MODIFY_PIN_DIRECT')).toBe(0x07);
    expect(featureTagByName('CCID_ESC_COMMAND')).toBe(0x13);
  });
});
