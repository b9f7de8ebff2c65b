import { describe, expect, it } from 'vitest';
import { fromHex } from '#core/bytes/hex.js';
import { parseBerTlv, findTlv } from '#core/tlv/ber-tlv.js';
import { createVirtualCard } from '#core/sim/card/virtual-smart-card.js';
import { SELECT_OPENPGP, ascii, dataOf, send, swOf, verifyApdu } from './card-test-helpers.js';

function openPgpCard(protocol: 'T=0' | 'T=1' = 'T=1') {
  const card = createVirtualCard({ protocol });
  card.reset();
  expect(send(card, SELECT_OPENPGP)).toBe('9000');
  return card;
}

describe('OpenPGP application: SELECT and GET DATA', () => {
  it('answers SELECT by the partial AID D27600012401 and by its full AID; other AIDs are not found', () => {
    const card = createVirtualCard();
    expect(send(card, SELECT_OPENPGP)).toBe('9000');
    expect(card.selected).toBe('openpgp');
    const aid = dataOf(send(card, '00CA004F00'));
    // Version 3.4, manufacturer FFFF (test card), serial 00000001.
    expect(aid).toBe('D276000124010304FFFF000000010000');
    expect(send(card, `00A40400${(aid.length / 2).toString(16).padStart(2, '0')}${aid}`)).toBe('9000');
    expect(send(card, '00A4040006D27600012402')).toBe('6A82');
    expect(card.selected).toBe('openpgp');
  });

  it('returns 6E application related data with AID, historical bytes and the discretionary DOs', () => {
    const card = openPgpCard();
    const response = send(card, '00CA006E00');
    expect(swOf(response)).toBe('9000');
    const tlv = parseBerTlv(fromHex(dataOf(response)));
    expect(tlv.clean).toBe(true);
    expect(tlv.objects[0]?.tag).toBe(0x6e);
    for (const tag of [0x4f, 0x5f52, 0x73, 0xc0, 0xc1, 0xc4, 0xc5, 0xde])
      expect(findTlv(tlv.objects, tag), `tag ${tag.toString(16)}`).toBeDefined();
  });

  it('returns 65 cardholder data, 7A security support template, C4 PW status, empty 5E login data', () => {
    const card = openPgpCard();
    expect(send(card, '00CA006500')).toMatch(/^65..5B005F2D02656E5F3501399000$/);
    expect(send(card, '00CA007A00')).toBe('7A059303000000' + '9000');
    expect(send(card, '00CA00C400')).toBe('017F7F7F0300039000');
    expect(send(card, '00CA005E00')).toBe('9000');
  });

  it('answers 6A88 for a data object it does not have', () => {
    expect(send(openPgpCard(), '00CA010100')).toBe('6A88');
  });
});

describe('OpenPGP application: VERIFY and retry counters', () => {
  it('PW1 (81) wrong → 63C2, right → 9000 and resets the counter; the status form follows', () => {
    const card = openPgpCard();
    expect(send(card, '00200081')).toBe('63C3');
    expect(send(card, verifyApdu(0x81, '000000'))).toBe('63C2');
    expect(send(card, '00CA00C400').slice(8, 10)).toBe('02');
    expect(send(card, verifyApdu(0x81, '123456'))).toBe('9000');
    expect(send(card, '00200081')).toBe('9000');
    expect(send(card, '00CA00C400').slice(8, 10)).toBe('03');
  });

  it('81 and 82 share PW1 and its counter but are verified separately', () => {
    const card = openPgpCard();
    expect(send(card, verifyApdu(0x82, '123456'))).toBe('9000');
    expect(send(card, '00200082')).toBe('9000');
    expect(send(card, '00200081')).toBe('63C3');
    expect(send(card, verifyApdu(0x81, '654321'))).toBe('63C2');
    expect(send(card, '00200082')).toBe('9000');
  });

  it('PW3 (83) blocks after three wrong tries: 63C2, 63C1, 63C0, then 6983 even for the right PIN', () => {
    const card = openPgpCard();
    expect(send(card, verifyApdu(0x83, '00000000'))).toBe('63C2');
    expect(send(card, verifyApdu(0x83, '00000000'))).toBe('63C1');
    expect(send(card, verifyApdu(0x83, '00000000'))).toBe('63C0');
    expect(send(card, verifyApdu(0x83, '12345678'))).toBe('6983');
    expect(send(card, '00200083')).toBe('6983');
    expect(send(card, '00CA00C400')).toBe('017F7F7F0300009000');
    // PW1 is a separate counter.
    expect(send(card, verifyApdu(0x81, '123456'))).toBe('9000');
  });

  it('counters survive reset, verification does not', () => {
    const card = openPgpCard();
    expect(send(card, verifyApdu(0x81, '111111'))).toBe('63C2');
    expect(send(card, verifyApdu(0x82, '123456'))).toBe('9000');
    card.reset();
    send(card, SELECT_OPENPGP);
    expect(send(card, '00200082')).toBe('63C3');
    expect(send(card, verifyApdu(0x81, '111111'))).toBe('63C2');
  });

  it('VERIFY P1=FF resets the access status; wrong P1/P2 are refused', () => {
    const card = openPgpCard();
    expect(send(card, verifyApdu(0x82, '123456'))).toBe('9000');
    expect(send(card, '0020FF82')).toBe('9000');
    expect(send(card, '00200082')).toBe('63C3');
    expect(send(card, verifyApdu(0x84, '123456'))).toBe('6A86');
    expect(send(card, '00200181' + '06' + ascii('123456'))).toBe('6A86');
  });

  it('re-selecting the application clears the access status', () => {
    const card = openPgpCard();
    send(card, verifyApdu(0x82, '123456'));
    send(card, SELECT_OPENPGP);
    expect(send(card, '00200082')).toBe('63C3');
  });
});

describe('OpenPGP application: CHANGE REFERENCE DATA', () => {
  it('changes PW1 when the old one is right, then only the new one verifies', () => {
    const card = openPgpCard();
    const body = ascii('123456') + ascii('24680135');
    expect(send(card, `00240081${(body.length / 2).toString(16).padStart(2, '0')}${body}`)).toBe('9000');
    expect(send(card, verifyApdu(0x81, '123456'))).toBe('63C2');
    expect(send(card, verifyApdu(0x81, '24680135'))).toBe('9000');
  });

  it('a wrong old PIN costs a try; a too short new PIN is refused with 6A80; a body without a new PIN is 6700', () => {
    const card = openPgpCard();
    const wrong = ascii('654321') + ascii('11112222');
    expect(send(card, `00240081${(wrong.length / 2).toString(16).padStart(2, '0')}${wrong}`)).toBe('63C2');
    const tooShort = ascii('123456') + ascii('12');
    expect(send(card, `00240081${(tooShort.length / 2).toString(16).padStart(2, '0')}${tooShort}`)).toBe('6A80');
    expect(send(card, `0024008106${ascii('123456')}`)).toBe('6700');
    expect(send(card, verifyApdu(0x81, '123456'))).toBe('9000');
  });

  it('changes PW3 (83) and refuses other references', () => {
    const card = openPgpCard();
    const body = ascii('12345678') + ascii('87654321');
    expect(send(card, `00240083${(body.length / 2).toString(16).padStart(2, '0')}${body}`)).toBe('9000');
    expect(send(card, verifyApdu(0x83, '87654321'))).toBe('9000');
    expect(send(card, `00240082${(body.length / 2).toString(16).padStart(2, '0')}${body}`)).toBe('6A86');
  });
});

describe('GET CHALLENGE', () => {
  it('returns exactly Le random bytes from the given source, and 6700 without Le', () => {
    const card = createVirtualCard({ random: (n) => new Uint8Array(n).fill(0xa5) });
    expect(send(card, '0084000008')).toBe('A5A5A5A5A5A5A5A59000');
    expect(send(card, '00840000')).toBe('6700');
    expect(send(card, '0084010008')).toBe('6A86');
  });

  it('uses the platform CSPRNG by default: two challenges differ', () => {
    const card = createVirtualCard();
    const a = send(card, '0084000010');
    const b = send(card, '0084000010');
    expect(swOf(a)).toBe('9000');
    expect(a.length).toBe(36);
    expect(a).not.toBe(b);
  });
});
