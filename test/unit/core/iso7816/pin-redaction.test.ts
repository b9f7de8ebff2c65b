import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '#core/bytes/hex.js';
import { redactedCommandHex, remaskCommandText } from '#core/iso7816/pin-redaction.js';
import { SECRET_COMMANDS, SecretCommandTracker, secretCommandOf } from '#core/iso7816/secret-commands.js';

describe('redactedCommandHex', () => {
  it('masks VERIFY data and keeps header and Lc', () => {
    expect(redactedCommandHex(fromHex('0020008106313233343536'))).toBe('0020008106************');
  });

  it('masks CHANGE REFERENCE DATA and RESET RETRY COUNTER, extended too', () => {
    expect(redactedCommandHex(fromHex('002400810C313233343536363534333231'))).toBe('002400810C' + '**'.repeat(12));
    expect(redactedCommandHex(fromHex('002C0081000004313233340000'))).toBe('002C008100000' + '4' + '********' + '0000');
  });

  it('leaves other commands and the status form of VERIFY alone', () => {
    expect(redactedCommandHex(fromHex('00A4040006D27600012401'))).toBe('00A4040006D27600012401');
    expect(redactedCommandHex(fromHex('00200081'))).toBe('00200081');
  });

  it('masks everything after the header of a malformed PIN command', () => {
    expect(redactedCommandHex(fromHex('0020008108313233'))).toBe('00200081********');
  });

  it('never lets a PIN byte through, whatever the command', () => {
    fc.assert(
      fc.property(fc.constantFrom(0x20, 0x21, 0x24, 0x25, 0x2c, 0x2d), fc.uint8Array({ minLength: 1, maxLength: 40 }), (ins, pin) => {
        const command = new Uint8Array([0x00, ins, 0x00, 0x81, pin.length, ...pin]);
        const shown = redactedCommandHex(command);
        expect(shown.slice(10)).toBe('**'.repeat(pin.length));
      }),
    );
  });
});

describe('the table of secret-carrying commands (one table, every output path)', () => {
  const PIN = '313233343536';
  const KEY = 'C0FFEE31C0FFEE32C0FFEE33';

  it.each([
    ['DISABLE VERIFICATION REQUIREMENT', `0026008106${PIN}`, '0026008106'],
    ['ENABLE VERIFICATION REQUIREMENT', `0028008106${PIN}`, '0028008106'],
    ['PUT DATA resetting code (OpenPGP)', `00DA00D306${PIN}`, '00DA00D306'],
    ['PUT DATA AES key (OpenPGP)', `00DA00D50C${KEY}`, '00DA00D50C'],
    ['private key import, 4D extended header list (OpenPGP)', `00DB3FFF0C4D0AB6007F4804920118${KEY.slice(0, 4)}`, '00DB3FFF0C'],
    ['private key import, later chain part', `00DB3FFF0C${KEY}`, '00DB3FFF0C'],
    ['4D template under another P1-P2', `00DB00FF0C4D0A${KEY.slice(0, 20)}`, '00DB00FF0C'],
    ['SET MANAGEMENT KEY (YubiKey PIV)', `00FFFFFF0F039B0C${KEY}`, '00FFFFFF0F'],
    ['IMPORT ASYMMETRIC KEY (YubiKey PIV)', `00FE119A0E060C${KEY}`, '00FE119A0E'],
    ['PUT KEY (GlobalPlatform)', `80D8018110${KEY}01020304`, '80D8018110'],
    ['LOAD KEYS (PC/SC reader)', `FF82000006${KEY.slice(0, 12)}`, 'FF82000006'],
    ['VERIFY under secure messaging (CLA 0C)', `0C2000810E8709013132333435363738${'8E04'}A1B2C3D4`.slice(0, 10 + 28), '0C2000810E'],
    ['VERIFY, first part of a chain (CLA 10)', `1020008103313233`, '1020008103'],
    ['VERIFY, last part of a chain', `0020008103343536`, '0020008103'],
  ])('%s: header and Lc kept, every data byte masked', (_name, hex, kept) => {
    const shown = redactedCommandHex(fromHex(hex));
    expect(shown).toBe(kept + '**'.repeat(hex.length / 2 - kept.length / 2));
  });

  it('leaves what holds no secret: other PUT DATA objects, a key template without 4D, GET DATA, SELECT', () => {
    for (const hex of ['00DA005B0548656C6C6F', '00DB00FF037F2100', '00CA006E00', '00A4040006D27600012401', '00820000']) {
      expect(redactedCommandHex(fromHex(hex))).toBe(hex);
    }
  });

  it('follows a chain whose first part was recognised by its data (4D) to the parts that no longer show it', () => {
    const tracker = new SecretCommandTracker();
    const parts = ['10DB00FF044D02B600', '10DB00FF03C0FFEE', '00DB00FF03313233', '00DB00FF037F2100'];
    const secret = parts.map((hex) => tracker.classify(fromHex(hex))?.name);
    expect(secret).toEqual([
      'PUT DATA: private key import (OpenPGP)',
      'PUT DATA: private key import (OpenPGP)',
      'PUT DATA: private key import (OpenPGP)',
      // The chain ended with the previous part (CLA b5 clear): a new command is judged alone.
      undefined,
    ]);
    // Another logical channel's chain is its own.
    expect(new SecretCommandTracker().classify(fromHex('11DB00FF03C0FFEE'))).toBeUndefined();
  });

  it('names a source for every row', () => {
    expect(SECRET_COMMANDS.length).toBeGreaterThanOrEqual(12);
    for (const row of SECRET_COMMANDS) {
      expect(row.source, row.name).toMatch(/ISO\/IEC 7816-4|OpenPGP smart card application|Yubico|GlobalPlatform|PC\/SC/);
      const p1p2 = row.p1p2?.[0] ?? 0x3fff;
      const probe = Uint8Array.of(row.readerClass ? 0xff : 0x00, row.ins[0]!, p1p2 >> 8, p1p2 & 0xff, 1, 0x4d);
      expect(secretCommandOf(probe)?.name).toBe(row.name);
    }
  });
});

describe('remaskCommandText: masking again trusts no "*"', () => {
  it('hides every data byte of a half-masked command, and the whole body when a length byte is unknown', () => {
    expect(remaskCommandText('00200081063132**343536')).toBe('0020008106************');
    expect(remaskCommandText('00A40400**D27600012401')).toBe('00A40400' + '**'.repeat(7));
    expect(remaskCommandText('00**008106313233343536')).toBe('00**0081' + '**'.repeat(7));
    expect(remaskCommandText('0020 0081 06** **** **** **')).toBe('0020008106************');
    // Lc says 6 but 5 bytes follow: the boundaries cannot be trusted.
    expect(remaskCommandText('0020 0081 06** **** ****')).toBe('00200081' + '**'.repeat(6));
    expect(remaskCommandText('00 2*')).toBe('00**');
    expect(remaskCommandText('nope')).toBeUndefined();
  });

  it('gives its own output back, and never shows a data byte of a secret command, however it was masked before', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(0x20, 0x24, 0x26, 0x28, 0x2c, 0xff, 0xfe),
        fc.uint8Array({ minLength: 1, maxLength: 40 }),
        fc.array(fc.nat({ max: 60 }), { maxLength: 8 }),
        (ins, pin, starred) => {
          const command = Uint8Array.of(0x00, ins, 0x00, 0x81, pin.length, ...pin);
          const pairs = toHex(command).match(/../g)!;
          for (const at of starred) if (at < pairs.length) pairs[at] = '**';
          const once = remaskCommandText(pairs.join(''))!;
          expect(remaskCommandText(once)).toBe(once);
          expect(once.length).toBe(command.length * 2);
          expect(once.slice(10)).toBe('**'.repeat(pin.length));
        },
      ),
    );
  });
});
