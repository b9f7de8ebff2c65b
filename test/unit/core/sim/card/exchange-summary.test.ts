import { describe, expect, it } from 'vitest';
import { fromHex } from '#core/bytes/hex.js';
import { describeCommandSafely, summarizeExchange } from '#core/sim/card/exchange-summary.js';
import { ascii } from './card-test-helpers.js';

describe('exchange summaries never show PIN bytes', () => {
  const cases: [string, string][] = [
    ['VERIFY', `0020008106${ascii('123456')}`],
    ['VERIFY (odd INS)', `0021008106${ascii('123456')}`],
    ['CHANGE REFERENCE DATA', `002400810E${ascii('123456')}${ascii('24680135')}`],
    ['RESET RETRY COUNTER', `002C028106${ascii('123456')}`],
    ['malformed VERIFY', `00200081FF${ascii('123456')}`],
    // Every row of core/iso7816/secret-commands, not only the PIN commands of ISO 7816-4.
    ['DISABLE VERIFICATION REQUIREMENT', `0026008106${ascii('123456')}`],
    ['ENABLE VERIFICATION REQUIREMENT', `0028008106${ascii('123456')}`],
    ['PUT DATA resetting code (OpenPGP)', `00DA00D306${ascii('123456')}`],
    ['PUT DATA private key import (OpenPGP)', `00DB3FFF0A4D08${ascii('123456')}0000`],
    ['SET MANAGEMENT KEY (YubiKey)', `00FFFFFF09039B06${ascii('123456')}`],
  ];
  for (const [label, hex] of cases) {
    it(`${label}: the body is replaced by its length`, () => {
      const line = summarizeExchange(fromHex(hex), fromHex('63C2'));
      expect(line).toMatch(/hidden/);
      expect(line).not.toContain(ascii('123456'));
      expect(line).not.toContain('123456');
      expect(line).not.toContain(ascii('24680135'));
    });
  }

  it('shows other commands, the status word and its meaning in context', () => {
    expect(describeCommandSafely(fromHex('00A4040006D27600012401'))).toBe('00A40400 SELECT D27600012401');
    const line = summarizeExchange(fromHex('00200081'), fromHex('63C3'), 1.25);
    expect(line).toContain('00200081 VERIFY');
    expect(line).toContain('SW 63C3 (PIN not verified yet: 3 tries left)');
    expect(line).toContain('in 1.3 ms');
  });

  it('shortens long data', () => {
    expect(describeCommandSafely(fromHex(`00D60000000258${'AB'.repeat(600)}`))).toContain('… (600 bytes)');
  });
});
