import { describe, expect, it } from 'vitest';
import { toHex } from '#core/bytes/hex.js';
import { parseScript, statusWordMatches, writeScript, type ScriptEntry } from '#core/console/script.js';

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

describe('writeScript and parseScript: one format', () => {
  const entries: ScriptEntry[] = [
    { kind: 'comment', text: 'labcard: 3 exchanges' },
    { kind: 'apdu', apdu: '00A4040006D27600012401', sw: '9000', meaning: 'Success' },
    { kind: 'apdu', apdu: '0020008106************', sw: '63C2', meaning: 'Wrong PIN: 2 tries left' },
    { kind: 'apdu', apdu: '00200081', sw: '63C2', meaning: 'PIN not verified yet: 2 tries left' },
    { kind: 'reset' },
    { kind: 'apdu', apdu: '00B0000000', sw: undefined },
  ];

  it('writes what it reads back: each APDU with the status word the card gave as its expectation', () => {
    const text = writeScript(entries);
    expect(text).toBe(
      [
        '# labcard: 3 exchanges',
        '00 A4 04 00 06 D2 76 00 01 24 01',
        '# expect 9000 (Success)',
        '# PIN redacted: put the PIN in place of the ** and remove the "# " before the APDU to replay it',
        '# 00 20 00 81 06 ** ** ** ** ** **',
        '# expect 63C2 (Wrong PIN: 2 tries left)',
        '00 20 00 81',
        '# expect 63C2 (PIN not verified yet: 2 tries left)',
        'reset',
        '00 B0 00 00 00',
        '# no status word was captured',
        '',
      ].join('\n'),
    );
    const { steps, problems } = parseScript(text);
    expect(problems).toEqual([]);
    expect(steps.map((s) => (s.kind === 'apdu' ? [toHex(s.apdu), s.expect] : ['reset']))).toEqual([
      ['00A4040006D27600012401', ['9000']],
      // The masked VERIFY's 63C2 does not become the expectation of the SELECT before it.
      ['00200081', ['63C2']],
      ['reset'],
      ['00B0000000', undefined],
    ]);
  });

  it('reads the assertion line after an APDU, the older export spelling too, and prose as a comment', () => {
    const { steps, problems } = parseScript(
      [
        '00A4040006D27600012401',
        '# expected SW 9000 (Success)',
        '00CA006E00',
        '',
        '# => 9000|6A88',
        '00B0000000',
        '# expect the card to refuse this one',
        '00B0000001',
        '# a note first',
        '# expect 6282',
      ].join('\n'),
    );
    expect(problems).toEqual([]);
    expect(steps.map((s) => s.kind === 'apdu' && s.expect)).toEqual([['9000'], ['9000', '6A88'], undefined, undefined]);
  });

  it('says when an assertion line is wrong or comes twice', () => {
    const { problems } = parseScript(['00A40400 => 9000', '# expect 6A82', '00B00000', '# expect 900'].join('\n'));
    expect(problems.map((p) => [p.line, p.message])).toEqual([
      [2, 'the APDU of line 1 already has an expected status word'],
      [4, expect.stringMatching(/'900' is not 4 hex digits/)],
    ]);
  });

  it('keeps scriptor running it: every comment on one line, and no "exit" anywhere (scriptor stops at it on any line)', () => {
    const text = writeScript([
      { kind: 'comment', text: 'exit-test.pcapng\n00 E4 00 00 02 3F 00' },
      { kind: 'apdu', apdu: '00A40400', sw: '9000', meaning: 'Success' },
    ]);
    expect(text).not.toMatch(/exit/i);
    expect(text.split('\n')[0]).toBe('# ex-it-test.pcapng 00 E4 00 00 02 3F 00');
    expect(parseScript(text).steps).toHaveLength(1);
  });
});
