import { describe, expect, it } from 'vitest';
import {
  answerCodeOf,
  CCID_HEADER_LENGTH,
  CCID_MESSAGE_CODE,
  CCID_MESSAGE_TYPES,
  messageCodesOn,
  messageTypeByCode,
  messageTypeByName,
  payloadKindOf,
  type ExchangeLevel,
} from '#core/ccid/message-types.js';

describe('CCID message types', () => {
  it('lists the 21 types of CCID 1.1 with unique codes', () => {
    expect(CCID_MESSAGE_TYPES).toHaveLength(21);
    expect(new Set(CCID_MESSAGE_TYPES.map((t) => t.code)).size).toBe(21);
    expect(CCID_MESSAGE_TYPES.filter((t) => t.pipe === 'bulk-out')).toHaveLength(14);
    expect(CCID_MESSAGE_TYPES.filter((t) => t.pipe === 'bulk-in')).toHaveLength(5);
    expect(CCID_MESSAGE_TYPES.filter((t) => t.pipe === 'interrupt-in')).toHaveLength(2);
  });

  it('names follow the spec and every command expects a bulk-IN answer', () => {
    for (const t of CCID_MESSAGE_TYPES) {
      expect(t.name).toMatch(t.pipe === 'bulk-out' ? /^PC_to_RDR_/ : /^RDR_to_PC_/);
      if (t.pipe === 'bulk-out') expect(messageTypeByName(t.answer!).pipe).toBe('bulk-in');
      else expect(t.answer).toBeUndefined();
    }
  });

  it('pairs commands with answers as the spec says', () => {
    const pairs = Object.fromEntries(CCID_MESSAGE_TYPES.filter((t) => t.answer).map((t) => [t.code, t.answer]));
    expect(pairs).toEqual({
      0x62: 'RDR_to_PC_DataBlock',
      0x63: 'RDR_to_PC_SlotStatus',
      0x65: 'RDR_to_PC_SlotStatus',
      0x6f: 'RDR_to_PC_DataBlock',
      0x6c: 'RDR_to_PC_Parameters',
      0x6d: 'RDR_to_PC_Parameters',
      0x61: 'RDR_to_PC_Parameters',
      0x6b: 'RDR_to_PC_Escape',
      0x6e: 'RDR_to_PC_SlotStatus',
      0x6a: 'RDR_to_PC_SlotStatus',
      0x69: 'RDR_to_PC_DataBlock',
      0x71: 'RDR_to_PC_SlotStatus',
      0x72: 'RDR_to_PC_SlotStatus',
      0x73: 'RDR_to_PC_DataRateAndClockFrequency',
    });
    expect(messageTypeByCode(0x50)!.name).toBe('RDR_to_PC_NotifySlotChange');
    expect(messageTypeByCode(0x51)!.name).toBe('RDR_to_PC_HardwareError');
    expect(messageTypeByCode(0x2a)).toBeUndefined();
  });

  it("lays out every header in full: 3 bytes of a command's own, 1 of an answer's after bStatus and bError, 3 after an interrupt type", () => {
    for (const t of CCID_MESSAGE_TYPES) {
      const expected = { 'bulk-out': 3, 'bulk-in': 1, 'interrupt-in': t.name === 'RDR_to_PC_HardwareError' ? 3 : 0 }[t.pipe];
      expect([t.name, t.header.reduce((n, f) => n + f.size, 0)]).toEqual([t.name, expected]);
    }
    expect(CCID_HEADER_LENGTH).toBe(1 + 4 + 1 + 1 + 3);
  });

  it('names every code once, and lists them by pipe', () => {
    expect(Object.keys(CCID_MESSAGE_CODE)).toHaveLength(21);
    for (const t of CCID_MESSAGE_TYPES) expect(CCID_MESSAGE_CODE[t.name]).toBe(t.code);
    expect(CCID_MESSAGE_CODE.PC_to_RDR_XfrBlock).toBe(0x6f);
    expect([...messageCodesOn('interrupt-in')].sort()).toEqual([0x50, 0x51]);
    expect([...messageCodesOn('bulk-in')].sort()).toEqual([0x80, 0x81, 0x82, 0x83, 0x84]);
    expect(messageCodesOn('bulk-out').size).toBe(14);
    expect(answerCodeOf(0x62)).toBe(0x80);
    expect(answerCodeOf(0x72)).toBe(0x81);
    expect(answerCodeOf(0x80)).toBeUndefined();
    expect(answerCodeOf(0x2a)).toBeUndefined();
  });

  it('says what abData carries, by type, exchange level and the command answered', () => {
    const levels: (ExchangeLevel | undefined)[] = ['character', 'tpdu', 'short-apdu', 'extended-apdu', undefined];
    const kinds = (code: number, answerTo?: number) =>
      levels.map((level) =>
        payloadKindOf(messageTypeByCode(code), level, answerTo === undefined ? undefined : messageTypeByCode(answerTo)),
      );
    expect(kinds(0x6f)).toEqual(['characters', 'tpdu', 'apdu', 'apdu', 'apdu']);
    expect(kinds(0x80)).toEqual(['characters', 'tpdu', 'response-apdu', 'response-apdu', 'response-apdu']);
    expect(kinds(0x80, 0x6f)).toEqual(['characters', 'tpdu', 'response-apdu', 'response-apdu', 'response-apdu']);
    expect(kinds(0x80, 0x62)).toEqual(['atr', 'atr', 'atr', 'atr', 'atr']);
    expect(kinds(0x80, 0x69)).toEqual(['response-apdu', 'tpdu', 'response-apdu', 'response-apdu', 'response-apdu']);
    // An answer of another type than the command's own carries what that type carries.
    expect(kinds(0x81, 0x62)).toEqual(Array(5).fill('data'));
    expect(kinds(0x69)[0]).toBe('secure');
    expect([kinds(0x6b)[0], kinds(0x83)[0]]).toEqual(['escape', 'escape']);
    expect([kinds(0x61)[0], kinds(0x82)[0]]).toEqual(['protocol-data', 'protocol-data']);
    expect([kinds(0x73)[0], kinds(0x84)[0]]).toEqual(['clock-and-rate', 'clock-and-rate']);
    expect([kinds(0x62)[0], kinds(0x81)[0], kinds(0x2a)[0]]).toEqual(['data', 'data', 'data']);
  });
});
