import { describe, expect, it } from 'vitest';
import { checkApduInput } from '#core/console/apdu-input.js';

describe('checkApduInput (live validation of the console input)', () => {
  it('accepts spaces, any case, and says what it reads', () => {
    const check = checkApduInput('00 a4 04 00 06 d2 76 00 01 24 01 00');
    expect(check.ok).toBe(true);
    expect(check.summary).toBe('case 4S, SELECT, Lc 6, Le 256');
  });

  it('odd number of digits', () => {
    expect(checkApduInput('00A4040').errors[0]).toMatch(/Odd number of hex digits \(7\)/);
  });

  it('a character that is not hex', () => {
    expect(checkApduInput('00A4 04G0').errors[0]).toMatch(/'G' is not a hex digit/);
  });

  it('Lc that promises more data than typed', () => {
    const check = checkApduInput('00A4040006D276000124');
    expect(check.ok).toBe(false);
    expect(check.errors[0]).toMatch(/Lc mismatch: Lc says 6 byte\(s\) of data but only 5 follow/);
  });

  it('too long for short encoding', () => {
    const check = checkApduInput(`00D60000FF${'00'.repeat(300)}`);
    expect(check.ok).toBe(false);
    expect(check.errors[0]).toMatch(/Too long for short encoding/);
  });

  it('shorter than a header', () => {
    expect(checkApduInput('00A4').errors[0]).toMatch(/at least the 4 header bytes/);
  });

  it('extended APDUs read as such', () => {
    expect(checkApduInput('00B00000000258').summary).toMatch(/case 2E.*Le 600.*extended/);
  });
});
