import { describe, expect, it } from 'vitest';
import { CCID_MESSAGE_TYPES, messageTypeByCode, messageTypeByName } from '../../../../core/ccid/message-types.js';

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
});
