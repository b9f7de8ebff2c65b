import { describe, expect, it } from 'vitest';
import { toHex } from '#core/bytes/hex.js';
import { parseScript, statusWordMatches } from '#core/console/script.js';

describe('parseScript (scriptor format + expected status words)', () => {
  it('reads hex APDUs with or without spaces, reset, comments and both assertion forms', () => {
    const { steps, problems } = parseScript(
      [
        '# OpenPGP card',
        '',
        'reset',
        '00 a4 04 00 06 D2 76 00 01 24 01 # expect 9000',
        '00CA006E00 => 9000|6A88',
        '00B0000000 # read it',
        'exit',
        '00FF0000',
      ].join('\n'),
    );
    expect(problems).toEqual([]);
    expect(steps).toHaveLength(4);
    expect(steps[0]).toEqual({ kind: 'reset', line: 3 });
    expect(steps[1]).toMatchObject({ kind: 'apdu', line: 4, expect: ['9000'] });
    expect(steps[1]!.kind === 'apdu' && toHex(steps[1]!.apdu)).toBe('00A4040006D27600012401');
    expect(steps[2]).toMatchObject({ kind: 'apdu', line: 5, expect: ['9000', '6A88'] });
    // A plain comment after an APDU stays a comment, so scriptor's scripts run unchanged.
    expect(steps[3]).toMatchObject({ kind: 'apdu', line: 6, expect: undefined, comment: 'read it' });
  });

  it('says which line is wrong and why, and sends nothing for it', () => {
    const { steps, problems } = parseScript('00A4040\nA0 00\n00A40400 => 90\nhello\n00A40400 => 9000');
    expect(steps).toHaveLength(1);
    expect(problems.map((p) => p.line)).toEqual([1, 2, 3, 4]);
    expect(problems[0]!.message).toMatch(/not an APDU in hex/);
    expect(problems[1]!.message).toMatch(/at least CLA INS P1 P2/);
    expect(problems[2]!.message).toMatch(/not 4 hex digits/);
  });

  it('handles CRLF line endings', () => {
    expect(parseScript('reset\r\n00A40400\r\n').steps).toHaveLength(2);
  });
});

describe('statusWordMatches', () => {
  it('matches exact words and X wildcards, case-insensitively', () => {
    expect(statusWordMatches('9000', ['9000'])).toBe(true);
    expect(statusWordMatches('6110', ['61XX'])).toBe(true);
    expect(statusWordMatches('63c2', ['63CX'])).toBe(true);
    expect(statusWordMatches('6A82', ['9000', '61XX'])).toBe(false);
    expect(statusWordMatches('', ['9000'])).toBe(false);
  });
});
