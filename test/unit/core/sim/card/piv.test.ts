import { describe, expect, it } from 'vitest';
import { fromHex } from '#core/bytes/hex.js';
import { findTlv, parseBerTlv } from '#core/tlv/ber-tlv.js';
import { createVirtualCard } from '#core/sim/card/virtual-smart-card.js';
import { SELECT_PIV, ascii, dataOf, send, swOf } from './card-test-helpers.js';

const PIN_123456 = `${ascii('123456')}FFFF`;
const VERIFY_RIGHT = `0020008008${PIN_123456}`;
const GET_CHUID = '00CB3FFF055C035FC10200';
const GET_PRINTED = '00CB3FFF055C035FC10900';

function pivCard() {
  const card = createVirtualCard();
  const select = send(card, SELECT_PIV);
  expect(swOf(select)).toBe('9000');
  return { card, select };
}

describe('PIV application', () => {
  it('answers SELECT A000000308 with the application property template', () => {
    const { select } = pivCard();
    const tlv = parseBerTlv(fromHex(dataOf(select)));
    expect(tlv.objects[0]?.tag).toBe(0x61);
    expect(findTlv(tlv.objects, 0x4f)?.value).toEqual(fromHex('000010000100'));
  });

  it('GET DATA returns the CHUID (53 with FASC-N, GUID, expiry) and the discovery object', () => {
    const { card } = pivCard();
    const chuid = send(card, GET_CHUID);
    expect(swOf(chuid)).toBe('9000');
    const outer = parseBerTlv(fromHex(dataOf(chuid)));
    expect(outer.objects[0]?.tag).toBe(0x53);
    // 53 is a primitive tag by its bits: PIV puts TLV inside its value anyway.
    const tlv = parseBerTlv(outer.objects[0]!.value);
    expect(findTlv(tlv.objects, 0x30)?.value.length).toBe(25);
    expect(findTlv(tlv.objects, 0x35)?.value).toEqual(fromHex(ascii('20301231')));
    expect(send(card, '00CB3FFF035C017E00')).toMatch(/^7E.*9000$/);
    expect(send(card, '00CB3FFF055C035FC10700')).toMatch(/^53.*9000$/);
  });

  it('GET DATA: unknown object 6A82, malformed tag list 6A80, wrong P1P2 6A86', () => {
    const { card } = pivCard();
    expect(send(card, '00CB3FFF055C035FC1FF00')).toBe('6A82');
    expect(send(card, '00CB3FFF02010200')).toBe('6A80');
    expect(send(card, '00CB3FFE055C035FC10200')).toBe('6A86');
  });

  it('VERIFY 80 with the PIN padded with FF: wrong → 63C2, right → 9000, and unlocks printed information', () => {
    const { card } = pivCard();
    expect(send(card, GET_PRINTED)).toBe('6982');
    expect(send(card, '00200080')).toBe('63C3');
    expect(send(card, `0020008008${ascii('654321')}FFFF`)).toBe('63C2');
    expect(send(card, VERIFY_RIGHT)).toBe('9000');
    expect(send(card, '00200080')).toBe('9000');
    expect(swOf(send(card, GET_PRINTED))).toBe('9000');
  });

  it('VERIFY refuses a PIN not padded to 8 bytes (6A80) without costing a try, and unknown references (6A88)', () => {
    const { card } = pivCard();
    expect(send(card, `0020008006${ascii('123456')}`)).toBe('6A80');
    expect(send(card, '00200080')).toBe('63C3');
    expect(send(card, `0020008108${PIN_123456}`)).toBe('6A88');
  });

  it('blocks after three wrong PINs: 63C2, 63C1, 63C0, then 6983', () => {
    const { card } = pivCard();
    const wrong = `0020008008${ascii('000000')}FFFF`;
    expect([send(card, wrong), send(card, wrong), send(card, wrong), send(card, VERIFY_RIGHT)]).toEqual(['63C2', '63C1', '63C0', '6983']);
  });

  it('CHANGE REFERENCE DATA 80: old ‖ new, each padded to 8', () => {
    const { card } = pivCard();
    expect(send(card, `0024008010${PIN_123456}${ascii('24680135')}`)).toBe('9000');
    expect(send(card, VERIFY_RIGHT)).toBe('63C2');
    expect(send(card, `0020008008${ascii('24680135')}`)).toBe('9000');
    // New PIN with a letter in it: refused, unchanged.
    expect(send(card, `0024008010${ascii('24680135')}${ascii('1234a6')}FFFF`)).toBe('6A80');
  });

  it('a configured PIN must be 6–8 digits, and the error does not show it', () => {
    expect(() => createVirtualCard({ pivPin: '12ab' })).toThrow(/6 to 8 digits/);
    try {
      createVirtualCard({ pivPin: '12ab' });
    } catch (error) {
      expect(String(error)).not.toContain('12ab');
    }
  });
});
