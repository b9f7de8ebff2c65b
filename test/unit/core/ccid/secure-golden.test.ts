import { describe, expect, it } from 'vitest';
import { toHex } from '#core/bytes/hex.js';
import { decodeCcidMessage } from '#core/ccid/decode-message.js';
import { encodeSecure } from '#core/ccid/encode-message.js';
import { encodeSecureModifyData, encodeSecureVerifyData } from '#core/ccid/secure.js';
import type { PinEntryCommon } from '#core/pcsc/pin-format.js';
import { requireShared } from '../../../shared-path.js';
import { PINPAD_TXT, readGroundTruth, secureGroundTruth } from './ground-truth.js';

const skip = requireShared(...PINPAD_TXT);
const cases = skip ? [] : secureGroundTruth(readGroundTruth(PINPAD_TXT));

const hexByte = (v: number) => toHex(Uint8Array.of(v));
/** wPINMaxExtraDigit and wLangId as the ground truth writes them: wire order (little-endian). */
const hexWordLe = (v: number) => `${hexByte(v & 0xff)} ${hexByte(v >> 8)}`;

function commonAsGroundTruth(f: PinEntryCommon): Record<string, string> {
  return {
    bTimeOut: hexByte(f.bTimeOut),
    bmFormatString: hexByte(f.bmFormatString.raw),
    bmPINBlockString: hexByte(f.bmPINBlockString.raw),
    bmPINLengthFormat: hexByte(f.bmPINLengthFormat.raw),
    wPINMaxExtraDigit: hexWordLe(f.wPINMaxExtraDigit.raw),
    bEntryValidationCondition: hexByte(f.bEntryValidationCondition.raw),
    bNumberMessage: hexByte(f.bNumberMessage),
    wLangId: hexWordLe(f.wLangId).replace(' ', ''),
    bTeoPrologue: f.bTeoPrologue.map(hexByte).join(' '),
  };
}

describe.skipIf(skip)('PC_to_RDR_Secure: the 8 real messages of pinpad-labcard.txt', () => {
  it('finds all 8 messages in the ground truth', () => {
    expect(cases.map((c) => c.index)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(cases.map((c) => c.operation)).toEqual(['verify', 'verify', 'verify', 'verify', 'verify', 'verify', 'verify', 'modify']);
  });

  it.each(cases.map((c) => [c.index, c] as const))('Secure #%i decodes field by field', (_i, c) => {
    const msg = decodeCcidMessage(c.message, { direction: 'out' });
    expect(msg.name).toBe('PC_to_RDR_Secure');
    expect(msg.problems).toEqual([]);
    expect(msg.dwLength).toBe(c.message.length - 10);
    expect(msg.bSlot).toBe(0);
    expect(msg.bSeq).toBe(c.message[6]);
    expect(msg.fields.bBWI).toBe(0);
    expect(msg.fields.wLevelParameter).toBe(0);
    expect(msg.data).toMatchObject({ offset: 10, length: c.message.length - 10, kind: 'secure' });
    const secure = msg.secure!;
    expect(secure.operation).toBe(c.operation);
    expect(secure.bPINOperation).toBe(c.operation === 'verify' ? 0 : 1);

    const fields = (secure.verify ?? secure.modify)!;
    const actual: Record<string, string> = commonAsGroundTruth(fields);
    if (secure.verify) actual.bMsgIndex = hexByte(secure.verify.bMsgIndex);
    if (secure.modify) {
      const m = secure.modify;
      actual.bInsertionOffsetOld = hexByte(m.bInsertionOffsetOld);
      actual.bInsertionOffsetNew = hexByte(m.bInsertionOffsetNew);
      actual.bConfirmPIN = hexByte(m.bConfirmPIN.raw);
      actual.bMsgIndex = [m.bMsgIndex1, m.bMsgIndex2, m.bMsgIndex3]
        .filter((v) => v !== undefined)
        .map((v) => hexByte(v!))
        .join(' ');
    }
    // The ground truth writes wLangId as "0409" (one token): compare the number.
    const expected = Object.fromEntries(c.fields);
    expect(parseInt(expected.wLangId!, 16)).toBe(fields.wLangId);
    delete expected.wLangId;
    delete actual.wLangId;
    expect(actual).toEqual(expected);

    expect(toHex(secure.apdu!.bytes)).toBe(toHex(c.apdu));
    expect(secure.apdu!.offset + secure.apdu!.length).toBe(c.message.length);
  });

  it('answers are RDR_to_PC_SlotStatus, command failed, bError 00 = command not supported', () => {
    for (const c of cases) {
      const a = decodeCcidMessage(c.answer, { direction: 'in', answerTo: 0x69 });
      expect(a.name).toBe('RDR_to_PC_SlotStatus');
      expect(a.bSeq).toBe(c.message[6]);
      expect(a.status).toMatchObject({
        bStatus: 0x40,
        bmICCStatus: 0,
        iccStatus: 'present-active',
        commandStatus: 'failed',
        bError: 0,
        errorName: 'CMD_NOT_SUPPORTED',
      });
      expect(a.status!.errorMeaning).toBe('command not supported');
      expect(a.summary).toBe(`RDR_to_PC_SlotStatus slot 0 seq ${c.message[6]}: failed, bError 0x00 (CMD_NOT_SUPPORTED)`);
    }
  });

  it('decodes the PIN placement of each APDU template', () => {
    const [a, b, cBin, , , , case1, modify] = cases.map((c) => decodeCcidMessage(c.message).secure!);
    // (a) ASCII, bytes, position 0: PIN block of 8 at APDU bytes 5..12, no length field.
    expect(a!.apdu!.placement).toEqual({ blockOffset: 5, blockSize: 8, pinOffset: 5, pinBitOffset: 0, fitsInApdu: true });
    expect(a!.verify!.bmFormatString).toEqual({ raw: 0x82, unitsBytes: true, pinPosition: 0, rightJustify: false, coding: 'ascii' });
    // (b) ISO 9564 format 2: 7-byte block, BCD digits from data byte 1, 4-bit length at bit 4 of data byte 0.
    expect(b!.verify!.bmFormatString.coding).toBe('bcd');
    expect(b!.apdu!.placement).toEqual({
      blockOffset: 5,
      blockSize: 7,
      pinOffset: 6,
      pinBitOffset: 0,
      lengthField: { offset: 5, bitOffset: 4, sizeBits: 4 },
      fitsInApdu: true,
    });
    // (c) 8-byte block holding an 8-bit length at data byte 0 and binary digits from data byte 1.
    expect(cBin!.verify!.bmFormatString.coding).toBe('binary');
    expect(cBin!.apdu!.placement).toMatchObject({ blockOffset: 5, blockSize: 8, pinOffset: 6, fitsInApdu: true });
    expect(cBin!.apdu!.placement.lengthField).toEqual({ offset: 5, bitOffset: 0, sizeBits: 8 });
    // (i) case-1 APDU: no PIN block.
    expect(case1!.apdu!.bytes.length).toBe(4);
    expect(case1!.apdu!.placement.blockSize).toBe(0);
    // modify: old PIN at data offset 0, new PIN at data offset 8, three message indexes.
    expect(modify!.modify!.bConfirmPIN).toEqual({ raw: 3, confirmationRequested: true, currentPinRequested: true });
    expect(modify!.apdu!.placement).toMatchObject({ blockOffset: 5, blockSize: 8, pinOffset: 5, fitsInApdu: true });
    expect(modify!.apdu!.newPinPlacement).toMatchObject({ blockOffset: 13, blockSize: 8, pinOffset: 13, fitsInApdu: true });
    expect(modify!.modify!.bNumberMessage).toBe(3);
  });

  it('has dissect nodes with absolute offsets for every PIN field', () => {
    const msg = decodeCcidMessage(cases[1]!.message, { offset: 64 });
    const abData = msg.node.children!.find((n) => n.id === 'ccid.abData')!;
    const structure = abData.children!.find((n) => n.id === 'ccid.secure.abPINDataStructure')!;
    const byId = new Map(structure.children!.map((n) => [n.id, n]));
    expect(byId.get('ccid.secure.bTimeOut')).toMatchObject({ offset: 64 + 11, length: 1, value: 0x1e });
    expect(byId.get('ccid.secure.bmFormatString')).toMatchObject({ offset: 64 + 12, length: 1, value: 0x89 });
    expect(byId.get('ccid.secure.wPINMaxExtraDigit')).toMatchObject({ offset: 64 + 15, length: 2, value: 0x040c });
    expect(byId.get('ccid.secure.abPINApdu')).toMatchObject({ offset: 64 + 25, length: 13 });
    const lines = byId.get('ccid.secure.bmFormatString')!.children!.map((n) => n.label);
    expect(lines).toEqual([
      'system units: bytes',
      'PIN position: 1 byte after Lc',
      'justification: left (fillers on the right)',
      'PIN format: BCD (one digit per half byte)',
    ]);
    expect(byId.get('ccid.secure.wPINMaxExtraDigit')!.children!.map((n) => n.label)).toEqual([
      'minimum PIN size: 4 digits',
      'maximum PIN size: 12 digits',
    ]);
    expect(msg.summary).toBe('PC_to_RDR_Secure slot 0 seq 13, 28 bytes: PIN verify APDU 00200080');
  });

  it('encodes each message back byte for byte from the decoded fields', () => {
    for (const c of cases) {
      const msg = decodeCcidMessage(c.message);
      const s = msg.secure!;
      const f = (s.verify ?? s.modify)!;
      const common = {
        timeOut: f.bTimeOut,
        formatString: f.bmFormatString.raw,
        pinBlockString: f.bmPINBlockString.raw,
        pinLengthFormat: f.bmPINLengthFormat.raw,
        minPinSize: f.wPINMaxExtraDigit.min,
        maxPinSize: f.wPINMaxExtraDigit.max,
        entryValidationCondition: f.bEntryValidationCondition.raw,
        numberMessage: f.bNumberMessage,
        langId: f.wLangId,
        teoPrologue: f.bTeoPrologue,
        apdu: s.apdu!.bytes,
      };
      const data = s.verify
        ? encodeSecureVerifyData({ ...common, msgIndex: s.verify.bMsgIndex })
        : encodeSecureModifyData({
            ...common,
            insertionOffsetOld: s.modify!.bInsertionOffsetOld,
            insertionOffsetNew: s.modify!.bInsertionOffsetNew,
            confirmPin: s.modify!.bConfirmPIN.raw,
            msgIndex1: s.modify!.bMsgIndex1,
            msgIndex2: s.modify!.bMsgIndex2,
            msgIndex3: s.modify!.bMsgIndex3,
          });
      expect(toHex(encodeSecure({ slot: 0, seq: msg.bSeq!, data }))).toBe(toHex(c.message));
    }
  });
});
