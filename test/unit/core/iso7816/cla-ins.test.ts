import { describe, expect, it } from 'vitest';
import { decodeCla } from '#core/iso7816/cla.js';
import { insName, isInvalidIns } from '#core/iso7816/ins.js';
import { describeParameters } from '#core/iso7816/parameters.js';

describe('decodeCla', () => {
  it('first interindustry: channel, SM and chaining bits', () => {
    expect(decodeCla(0x00)).toMatchObject({ kind: 'first-interindustry', channel: 0, secureMessaging: 'none', chaining: false });
    expect(decodeCla(0x03)).toMatchObject({ channel: 3 });
    expect(decodeCla(0x0c)).toMatchObject({ secureMessaging: 'sm-header-authenticated' });
    expect(decodeCla(0x04)).toMatchObject({ secureMessaging: 'proprietary' });
    expect(decodeCla(0x10)).toMatchObject({ chaining: true });
    expect(decodeCla(0x10).description).toContain('chaining');
  });

  it('further interindustry: channels 4–19 and one SM bit', () => {
    expect(decodeCla(0x40)).toMatchObject({ kind: 'further-interindustry', channel: 4, secureMessaging: 'none' });
    expect(decodeCla(0x4f)).toMatchObject({ channel: 19 });
    expect(decodeCla(0x60)).toMatchObject({ channel: 4, secureMessaging: 'sm-header-not-authenticated' });
    expect(decodeCla(0x50)).toMatchObject({ chaining: true });
  });

  it('reserved, proprietary and invalid classes', () => {
    expect(decodeCla(0x20).kind).toBe('reserved');
    expect(decodeCla(0x80).kind).toBe('proprietary');
    expect(decodeCla(0x84).description).toContain('SM');
    expect(decodeCla(0xe0).kind).toBe('proprietary');
    expect(decodeCla(0xff).kind).toBe('invalid');
  });
});

describe('insName', () => {
  it('interindustry names', () => {
    expect(insName(0x00, 0xa4)).toBe('SELECT');
    expect(insName(0x00, 0xc0)).toBe('GET RESPONSE');
    expect(insName(0x00, 0xb2)).toBe('READ RECORD(S)');
    expect(insName(0x00, 0x20)).toBe('VERIFY');
    expect(insName(0x00, 0x24)).toBe('CHANGE REFERENCE DATA');
    expect(insName(0x00, 0x2c)).toBe('RESET RETRY COUNTER');
    expect(insName(0x00, 0x84)).toBe('GET CHALLENGE');
    expect(insName(0x00, 0x88)).toBe('INTERNAL AUTHENTICATE');
    expect(insName(0x00, 0x70)).toBe('MANAGE CHANNEL');
    expect(insName(0x0c, 0xca)).toBe('GET DATA');
    expect(insName(0x00, 0x99)).toBeUndefined();
  });

  it('proprietary instructions depend on the application', () => {
    expect(insName(0x80, 0xa8)).toBe('GET PROCESSING OPTIONS');
    expect(insName(0x80, 0xae, 'emv')).toBe('GENERATE APPLICATION CRYPTOGRAM');
    expect(insName(0x80, 0xca)).toBe('GET DATA');
    expect(insName(0x80, 0x50, 'gp')).toBe('INITIALIZE UPDATE');
    expect(insName(0x84, 0x82, 'gp')).toBe('EXTERNAL AUTHENTICATE');
    expect(insName(0x80, 0xe6, 'gp')).toBe('INSTALL');
    expect(insName(0x80, 0xf2)).toBe('GET STATUS');
    expect(insName(0x80, 0xe6, 'emv')).toBeUndefined();
    // 80 82: GP EXTERNAL AUTHENTICATE is the only candidate without context.
    expect(insName(0x80, 0x82)).toBe('EXTERNAL AUTHENTICATE');
    expect(insName(0x00, 0xe6, 'openpgp')).toBe('TERMINATE DF');
    expect(insName(0x00, 0x47, 'piv')).toBe('GENERATE ASYMMETRIC KEY PAIR');
    expect(insName(0x00, 0xf8, 'piv')).toBe('GET SERIAL (YubiKey)');
    expect(insName(0x00, 0xf8)).toBeUndefined();
    expect(insName(0xff, 0xca)).toContain('PC/SC');
  });

  it('6X and 9X are invalid INS', () => {
    expect(isInvalidIns(0x61)).toBe(true);
    expect(isInvalidIns(0x9f)).toBe(true);
    expect(isInvalidIns(0xa4)).toBe(false);
  });
});

describe('describeParameters', () => {
  it('SELECT P1/P2', () => {
    expect(describeParameters(0x00, 0xa4, 0x04, 0x00).summary).toBe('select by DF name, first or only occurrence, return FCI');
    expect(describeParameters(0x00, 0xa4, 0x00, 0x0c).p2).toBe('first or only occurrence, no response data');
    expect(describeParameters(0x00, 0xa4, 0x04, 0x02).p2).toBe('next occurrence, return FCI');
    expect(describeParameters(0x00, 0xa4, 0x04, 0x04).p2).toContain('return FCP');
  });

  it('READ RECORD in SFI mode (EMV capture 00 B2 01 0C)', () => {
    expect(describeParameters(0x00, 0xb2, 0x01, 0x0c).summary).toBe('record 1 of SFI 1');
    expect(describeParameters(0x00, 0xb2, 0x02, 0x14).summary).toBe('record 2 of SFI 2');
    expect(describeParameters(0x00, 0xb2, 0x03, 0x04).summary).toBe('record 3 of current EF');
    expect(describeParameters(0x00, 0xb2, 0x01, 0x0d).p2).toContain('records from P1 to the last');
  });

  it('VERIFY references by application', () => {
    expect(describeParameters(0x00, 0x20, 0x00, 0x81, 'openpgp').p2).toContain('PW1 for signing');
    expect(describeParameters(0x00, 0x20, 0x00, 0x83, 'openpgp').p2).toContain('PW3');
    expect(describeParameters(0x00, 0x20, 0x00, 0x80, 'piv').p2).toContain('PIV Card Application PIN');
    expect(describeParameters(0x00, 0x20, 0x00, 0x80, 'emv').p2).toContain('plaintext PIN');
    expect(describeParameters(0x00, 0x20, 0x00, 0x82).p2).toContain('specific (DF) reference 2');
  });

  it('GET DATA tag, GENERATE AC, GP GET STATUS and INSTALL', () => {
    expect(describeParameters(0x80, 0xca, 0x9f, 0x17).summary).toBe('tag 9F17 (PIN Try Counter)');
    expect(describeParameters(0x00, 0xca, 0x00, 0x6e, 'openpgp').summary).toBe('tag 6E (Application related data)');
    expect(describeParameters(0x80, 0xae, 0x80, 0x00, 'emv').p1).toContain('ARQC');
    expect(describeParameters(0x80, 0xae, 0x50, 0x00, 'emv').p1).toBe('TC (approve offline), CDA signature requested');
    expect(describeParameters(0x80, 0xf2, 0x40, 0x02, 'gp').summary).toBe('applications and security domains');
    expect(describeParameters(0x80, 0xe6, 0x0c, 0x00, 'gp').summary).toBe('for install and make selectable');
    expect(describeParameters(0x84, 0x82, 0x03, 0x00, 'gp').summary).toContain('C-DECRYPTION and C-MAC');
  });

  it('PIV GENERAL AUTHENTICATE names algorithm and key', () => {
    const meaning = describeParameters(0x00, 0x87, 0x11, 0x9a, 'piv');
    expect(meaning.summary).toBe('algorithm ECC P-256, PIV authentication key (9A)');
  });

  it('unknown commands give nothing rather than a guess', () => {
    expect(describeParameters(0x00, 0x12, 0x00, 0x00)).toEqual({});
  });
});
