import { describe, expect, it } from 'vitest';
import {
  buildPinRequest,
  explainPinOutcome,
  keypadPromptMessages,
  pinEntryTimeoutMs,
  pinOutcomeText,
  pinRequestText,
  pinRequestView,
  templateMarkerLine,
} from '#core/pinpad/index.js';
import { fromHex } from '#core/bytes/hex.js';

describe('the readable request', () => {
  it('lists every field with its offset, value and explanation, the bytes, and the PIN under the template', () => {
    const text = pinRequestText(
      pinRequestView(buildPinRequest({ preset: 'belgian-eid', operation: 'verify', reader: { vendorId: 0x08e6, productId: 0x3478 } })),
    );
    expect(text[0]).toBe('Preset belgian-eid: Belgian eID PIN (ISO 9564 format 2) — PIN verify');
    expect(text).toContain('Reader model: Gemalto GemPC Pinpad');
    expect(text).toContain('SELECT first: 00 A4 04 0C 0C A0 00 00 01 77 50 4B 43 53 2D 31 35');
    expect(text.find((l) => l.includes('bmFormatString'))).toBe(
      '  [ 2] bmFormatString             0x89  system units: bytes; PIN position: 1 byte after Lc; justification: left (fillers on the right); PIN format: BCD (one digit per half byte)',
    );
    expect(text).toContain('  bytes: 1E 1E 89 47 04 0C 04 02 01 09 04 00 00 00 00 0D 00 00 00 00 20 00 01 08 20 FF FF FF FF FF FF FF');
    const template = text.indexOf('APDU template:');
    expect(text[template + 1]).toBe('  00 20 00 01 08 20 FF FF FF FF FF FF FF');
    expect(text[template + 2]).toBe('                 LL ** ** ** ** ** **');
    expect(text.some((l) => l.startsWith('  warning [wPINMaxExtraDigit] The GemPC Pinpad takes at most 8 digits'))).toBe(true);
  });

  it('marks a case-1 template as appended and shows what libccid sends instead', () => {
    const text = pinRequestText(
      pinRequestView(buildPinRequest({ preset: 'piv-pin', operation: 'verify', reader: { vendorId: 0x08e6, productId: 0x3478 } })),
    );
    expect(text.some((l) => l.startsWith('libccid sends this reader instead: 00 1E 82 08 00 08 04 02 01'))).toBe(true);
    expect(text.some((l) => l.includes('bNumberMessage: 0 → 1'))).toBe(true);
    const pgp = pinRequestText(pinRequestView(buildPinRequest({ preset: 'openpgp-pw1', operation: 'verify' })));
    expect(pgp).toContain('  no PIN block: the reader appends Lc and the PIN after P2 (variable length PIN)');
    expect(templateMarkerLine(['cla', 'ins', 'p1', 'p2'])).toBe('');
  });

  it('says the outcome in two lines, tries left on a third', () => {
    expect(pinOutcomeText(explainPinOutcome({ operation: 'verify', response: fromHex('63C1') }))).toEqual([
      'Outcome: Wrong PIN: 1 try left (SW 63C1)',
      '  The card refused the PIN (63 C1). One more wrong PIN blocks it.',
      '  Tries left: 1',
    ]);
  });

  it('keypad prompts and timeouts', () => {
    expect(keypadPromptMessages('modify', 'confirm-new-pin')[0]).toBe('Confirm new PIN');
    expect(keypadPromptMessages('verify', 'pin')[0]).toBe('Enter PIN');
    expect([pinEntryTimeoutMs(0), pinEntryTimeoutMs(0x1e, 5000), pinEntryTimeoutMs(0, 5000)]).toEqual([30000, 30000, 5000]);
  });
});
