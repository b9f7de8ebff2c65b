import { describe, expect, it } from 'vitest';
import { fromHex } from '#core/bytes/hex.js';
import { identifyAid, KNOWN_AIDS } from '#core/apps/known-aids.js';
import { tagName } from '#core/apps/tag-names.js';

const ascii = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0));

describe('identifyAid', () => {
  it('EMV AIDs from the capture (CB, Mastercard) and the PSE/PPSE names', () => {
    expect(identifyAid(fromHex('A0 00 00 00 42 10 10'))).toMatchObject({ name: 'CB (Cartes Bancaires)', kind: 'emv', exact: true });
    expect(identifyAid(fromHex('A0 00 00 00 04 10 10'))).toMatchObject({ name: 'Mastercard Credit/Debit', kind: 'emv' });
    expect(identifyAid(fromHex('A0 00 00 00 03 10 10'))).toMatchObject({ name: 'Visa Credit/Debit', kind: 'emv' });
    expect(identifyAid(ascii('1PAY.SYS.DDF01'))?.name).toContain('(PSE)');
    expect(identifyAid(ascii('2PAY.SYS.DDF01'))?.name).toContain('(PPSE)');
    expect(identifyAid(fromHex('A0 00 00 00 04 30 60'))?.name).toBe('Maestro');
    expect(identifyAid(fromHex('A0 00 00 00 25 01 08 01'))).toMatchObject({ name: 'American Express', exact: false });
  });

  it('longest prefix wins; RID alone still names the scheme', () => {
    expect(identifyAid(fromHex('A0 00 00 00 03 99 99'))).toMatchObject({ name: 'Visa', matched: 'A000000003', exact: false });
    expect(identifyAid(fromHex('A0 00 00 00 03 00 00 00'))).toMatchObject({ kind: 'gp' });
    expect(identifyAid(fromHex('A0 00 00 01 51 00 00 00'))).toMatchObject({ name: 'GlobalPlatform Issuer Security Domain', kind: 'gp' });
  });

  it('PIV, OpenPGP (with version/manufacturer/serial) and Yubico', () => {
    expect(identifyAid(fromHex('A0 00 00 03 08 00 00 10 00 01 00'))).toMatchObject({ kind: 'piv', exact: true });
    expect(identifyAid(fromHex('A0 00 00 03 08'))).toMatchObject({ kind: 'piv' });
    expect(identifyAid(fromHex('D2 76 00 01 24 01'))).toMatchObject({ name: 'OpenPGP card', kind: 'openpgp' });
    expect(identifyAid(fromHex('D2 76 00 01 24 01 03 04 00 06 12 34 56 78 00 00'))?.name).toBe(
      'OpenPGP card v3.4 (Yubico, serial 12345678)',
    );
    expect(identifyAid(fromHex('A0 00 00 05 27 20 01'))).toMatchObject({ name: 'Yubico OTP', kind: 'other' });
    expect(identifyAid(fromHex('F0 4C 41 42 43 41 52 44 01'))).toBeUndefined();
  });

  it('table entries are well-formed hex and unique', () => {
    const seen = new Set<string>();
    for (const entry of KNOWN_AIDS) {
      expect(entry.aid).toMatch(/^([0-9A-F]{2}){5,16}$/);
      expect(seen.has(entry.aid)).toBe(false);
      seen.add(entry.aid);
    }
  });
});

describe('tagName', () => {
  it('EMV tags', () => {
    for (const [tag, name] of [
      [0x4f, 'Application Identifier (ADF Name)'],
      [0x57, 'Track 2 Equivalent Data'],
      [0x5a, 'Application Primary Account Number (PAN)'],
      [0x5f24, 'Application Expiration Date'],
      [0x82, 'Application Interchange Profile (AIP)'],
      [0x8c, 'Card Risk Management Data Object List 1 (CDOL1)'],
      [0x94, 'Application File Locator (AFL)'],
      [0x9f26, 'Application Cryptogram (AC)'],
      [0x9f38, 'Processing Options Data Object List (PDOL)'],
      [0xbf0c, 'File Control Information (FCI) Issuer Discretionary Data'],
    ] as const) {
      expect(tagName(tag, 'emv')).toBe(name);
    }
  });

  it('context and parent decide between meanings', () => {
    expect(tagName(0x82, 'emv')).toContain('Interchange Profile');
    expect(tagName(0x82, undefined, 0x62)).toBe('File descriptor');
    expect(tagName(0x82, 'emv', 0x62)).toBe('File descriptor');
    expect(tagName(0x83, undefined, 0x6f)).toBe('File identifier');
    expect(tagName(0x73, 'openpgp')).toBe('Discretionary data objects');
    expect(tagName(0x73, 'emv')).toBe('Directory Discretionary Template');
    expect(tagName(0xc4, 'openpgp')).toBe('PW status bytes');
    expect(tagName(0xc4, 'gp')).toBe('Executable load file AID');
    expect(tagName(0x81, 'openpgp', 0x7f49)).toBe('Modulus');
    expect(tagName(0x82, 'piv', 0x7c)).toBe('Response');
    expect(tagName(0x70, 'piv', 0x53)).toBe('Certificate');
    expect(tagName(0x5fc105, 'piv')).toBe('X.509 certificate for PIV authentication');
    expect(tagName(0x7f60, 'piv')).toBe('Biometric information template');
    expect(tagName(0x9f7f, 'gp')).toContain('CPLC');
    expect(tagName(0x6e)).toBe('Application related data');
    expect(tagName(0x9f36)).toBe('Application Transaction Counter (ATC)');
    expect(tagName(0xdf63, 'emv')).toBeUndefined();
  });
});
