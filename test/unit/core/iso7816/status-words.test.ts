import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { commandFields } from '#core/iso7816/command-apdu.js';
import { describeStatusWord, statusContextOf } from '#core/iso7816/status-words.js';

describe('describeStatusWord', () => {
  it('success and the numeric families', () => {
    expect(describeStatusWord(0x90, 0x00)).toEqual({ meaning: 'Success', category: 'success' });
    const more = describeStatusWord(0x61, 0x1e);
    expect(more.category).toBe('more-data');
    expect(more.meaning).toContain('30 more byte(s)');
    expect(more.meaning).toContain('GET RESPONSE');
    expect(describeStatusWord(0x61, 0x00).meaning).toContain('256 or more');
    const retry = describeStatusWord(0x6c, 0x26);
    expect(retry.category).toBe('retry');
    expect(retry.meaning).toContain('Le=26');
  });

  it('63Cx depends on the command', () => {
    expect(describeStatusWord(0x63, 0xc2, { ins: 0x20 })).toEqual({ meaning: 'Wrong PIN: 2 tries left', category: 'error' });
    expect(describeStatusWord(0x63, 0xc1, { ins: 0x20 }).meaning).toBe('Wrong PIN: 1 try left');
    expect(describeStatusWord(0x63, 0xc0, { ins: 0x20 }).meaning).toContain('blocked');
    expect(describeStatusWord(0x63, 0xc3, { ins: 0x20, commandHasData: false })).toEqual({
      meaning: 'PIN not verified yet: 3 tries left',
      category: 'warning',
    });
    expect(describeStatusWord(0x63, 0xc2, { ins: 0x24 }).meaning).toContain('not changed: 2 tries left');
    expect(describeStatusWord(0x63, 0xc4, { ins: 0x2c }).meaning).toContain('PUK');
    expect(describeStatusWord(0x63, 0xc2).category).toBe('warning');
    expect(describeStatusWord(0x69, 0x83, { ins: 0x20 }).meaning).toContain('PIN blocked');
  });

  it('the ISO table and EMV/GP specifics', () => {
    expect(describeStatusWord(0x6a, 0x82).meaning).toBe('File or application not found');
    expect(describeStatusWord(0x6a, 0x83).meaning).toBe('Record not found');
    expect(describeStatusWord(0x69, 0x85).meaning).toBe('Conditions of use not satisfied');
    expect(describeStatusWord(0x62, 0x83)).toMatchObject({ category: 'warning' });
    expect(describeStatusWord(0x62, 0x83).meaning).toContain('GlobalPlatform');
    expect(describeStatusWord(0x62, 0x82).meaning).toContain('end of file');
    expect(describeStatusWord(0x6b, 0x00).category).toBe('error');
    expect(describeStatusWord(0x6d, 0x00).meaning).toContain('Instruction');
    expect(describeStatusWord(0x6e, 0x00).meaning).toContain('Class');
    expect(describeStatusWord(0x6f, 0x00).meaning).toBe('No precise diagnosis');
    expect(describeStatusWord(0x67, 0x00).meaning).toContain('Wrong length');
    expect(describeStatusWord(0x6a, 0x88, { ins: 0xca }).meaning).toContain('no such data object');
  });

  it('family fallback, GSM 9Fxx and unknown values', () => {
    expect(describeStatusWord(0x64, 0x42)).toEqual({ meaning: 'Execution error: memory unchanged (SW2 42)', category: 'error' });
    expect(describeStatusWord(0x9f, 0x10).category).toBe('more-data');
    expect(describeStatusWord(0x91, 0x00).category).toBe('warning');
    expect(describeStatusWord(0x12, 0x34).meaning).toContain('Unknown');
  });
});

describe('statusContextOf', () => {
  it('says what commandFields says of any command: its INS and whether it carries data', () => {
    const apdu = fc.oneof(
      fc.uint8Array({ maxLength: 12 }),
      fc
        .tuple(fc.uint8Array({ minLength: 4, maxLength: 4 }), fc.nat({ max: 255 }), fc.uint8Array({ maxLength: 300 }))
        .map(([header, lc, rest]) => Uint8Array.from([...header, lc, ...rest])),
      fc
        .tuple(fc.uint8Array({ minLength: 4, maxLength: 4 }), fc.uint8Array({ maxLength: 300 }))
        .map(([header, rest]) => Uint8Array.from([...header, 0, ...rest])),
    );
    fc.assert(
      fc.property(apdu, (command) => {
        const expected =
          command.length < 4 ? {} : { ins: commandFields(command).ins, commandHasData: commandFields(command).data.length > 0 };
        expect(statusContextOf(command)).toEqual(expected);
      }),
    );
  });
});
