import { describe, expect, it } from 'vitest';
import { toHex } from '#core/bytes/hex.js';
import { LONG_FILE_SIZE } from '#core/sim/card/iso-file-system.js';
import { createVirtualCard } from '#core/sim/card/virtual-smart-card.js';
import { SELECT_OPENPGP, dataOf, send, swOf } from './card-test-helpers.js';

const LONG_FILE = toHex(Uint8Array.from({ length: LONG_FILE_SIZE }, (_, i) => i & 0xff));

describe('T=0 at the APDU level: 61xx / GET RESPONSE and 6Cxx', () => {
  it('reads the 600-byte file as 256 + 61xx chains: Le 00 gives 256 bytes and 6100, then GET RESPONSE', () => {
    const card = createVirtualCard({ protocol: 'T=0' });
    expect(send(card, '00A4000C022F01')).toBe('9000');
    // READ BINARY at offset 0 with Le 00 reads exactly 256 bytes: no 6Cxx, no chaining.
    const first = send(card, '00B0000000');
    expect(dataOf(first)).toBe(LONG_FILE.slice(0, 512));
    expect(swOf(first)).toBe('9000');
    // Offset 256 then 512: the last slice is shorter than 256, so Le 00 gets 6C58 (88 bytes).
    expect(dataOf(send(card, '00B0010000'))).toBe(LONG_FILE.slice(512, 1024));
    expect(send(card, '00B0020000')).toBe('6C58');
    expect(send(card, '00B0020058')).toBe(`${LONG_FILE.slice(1024)}9000`);
  });

  it('a case 1/3/4 command with data to return answers 61xx, and GET RESPONSE chains through 600 bytes', () => {
    const card = createVirtualCard({ protocol: 'T=0', longFileSize: 600 });
    send(card, '00A4000C022F01');
    // Case 1 READ BINARY (no Le): the card has data for Ne=256 → 6100.
    expect(send(card, '00B00000')).toBe('6100');
    const chunk = send(card, '00C0000000');
    expect(dataOf(chunk)).toBe(LONG_FILE.slice(0, 512));
    expect(swOf(chunk)).toBe('9000');
    // SELECT by FID with FCP (case 3 under T=0): 61xx, then GET RESPONSE with the exact Le.
    const select = send(card, '00A40004022F01');
    expect(select).toMatch(/^61[0-9A-F]{2}$/);
    const fcp = send(card, `00C00000${select.slice(2)}`);
    expect(fcp).toMatch(/^62.{2}80020258.*9000$/);
  });

  it('GET RESPONSE with a wrong Le gets 6Cxx and the data stays available; a smaller Le chains with 61xx', () => {
    const card = createVirtualCard({ protocol: 'T=0' });
    send(card, SELECT_OPENPGP);
    const more = send(card, '00CA006E');
    expect(more).toMatch(/^61/);
    const total = parseInt(more.slice(2), 16);
    expect(send(card, '00C0000000')).toBe(`6C${more.slice(2)}`);
    const full = send(card, `00C00000${more.slice(2)}`);
    expect(full.length / 2 - 2).toBe(total);
    expect(swOf(full)).toBe('9000');
    // Nothing pending any more.
    expect(send(card, '00C0000000')).toBe('6985');
  });

  it('any other command drops pending GET RESPONSE data', () => {
    const card = createVirtualCard({ protocol: 'T=0' });
    send(card, SELECT_OPENPGP);
    expect(send(card, '00CA006E')).toMatch(/^61/);
    expect(send(card, '00200081')).toBe('63C3');
    expect(send(card, '00C0000000')).toBe('6985');
  });

  it('GET DATA with a wrong Le gets 6Cxx with the exact length; resending with it returns the data', () => {
    const card = createVirtualCard({ protocol: 'T=0' });
    send(card, SELECT_OPENPGP);
    expect(send(card, '00CA00C400')).toBe('6C07');
    expect(send(card, '00CA00C402')).toBe('6C07');
    expect(send(card, '00CA00C407')).toBe('017F7F7F0300039000');
  });

  it('refuses extended APDUs under T=0 with 6700', () => {
    const card = createVirtualCard({ protocol: 'T=0' });
    send(card, '00A4000C022F01');
    expect(send(card, '00B00000000258')).toBe('6700');
  });
});

describe('T=1 at the APDU level: extended length works directly', () => {
  it('reads the whole 600-byte file with one extended Le', () => {
    const card = createVirtualCard({ protocol: 'T=1' });
    send(card, '00A4000C022F01');
    expect(send(card, '00B00000000258')).toBe(`${LONG_FILE}9000`);
    // Extended Le 0000 means 65536: fewer bytes than asked → 6282.
    expect(send(card, '00B00000000000')).toBe(`${LONG_FILE}6282`);
  });

  it('a short Le 00 over 600 bytes gives 256 bytes and 61xx, GET RESPONSE gives the rest', () => {
    const card = createVirtualCard({ protocol: 'T=1', longFileSize: 600 });
    send(card, '00A4000C022F01');
    // A T=1 card returns less than Ne without complaint: 6282 only because the file ended first.
    expect(send(card, '00B0000000')).toBe(`${LONG_FILE.slice(0, 512)}9000`);
    expect(send(card, '00B0020000')).toBe(`${LONG_FILE.slice(1024)}6282`);
  });

  it('answers GET DATA 6E with more than Le as Le bytes and 61xx', () => {
    const card = createVirtualCard({ protocol: 'T=1' });
    send(card, SELECT_OPENPGP);
    const whole = send(card, '00CA006E00');
    const part = send(card, '00CA006E10');
    expect(dataOf(part)).toBe(whole.slice(0, 32));
    expect(swOf(part)).toMatch(/^61/);
    expect(send(card, '00C0000000')).toBe(whole.slice(32));
  });

  it('writes 600 bytes with one extended UPDATE BINARY and reads them back after reset (non-volatile)', () => {
    const card = createVirtualCard({ protocol: 'T=1' });
    send(card, '00A4000C022F01');
    const pattern = 'C3'.repeat(600);
    expect(send(card, `00D60000000258${pattern}`)).toBe('9000');
    card.reset();
    send(card, '00A4000C022F01');
    expect(send(card, '00B00000000258')).toBe(`${pattern}9000`);
  });

  it('GET RESPONSE without pending data is 6985, with wrong P1P2 6A86', () => {
    const card = createVirtualCard();
    expect(send(card, '00C0000000')).toBe('6985');
    expect(send(card, '00C0010000')).toBe('6A86');
  });
});
