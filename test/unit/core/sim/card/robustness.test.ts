import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toHex } from '#core/bytes/hex.js';
import { createVirtualCard } from '#core/sim/card/virtual-smart-card.js';
import { SELECT_OPENPGP, SELECT_PIV, send } from './card-test-helpers.js';

describe('the card never throws and answers ISO errors', () => {
  it('header errors: too short or inconsistent lengths 6700, CLA FF/80 6E00, channels 6881, SM 6882, chaining 6884, INS 6D00', () => {
    const card = createVirtualCard();
    expect(send(card, '')).toBe('6700');
    expect(send(card, '00A4')).toBe('6700');
    expect(send(card, '00A4040006D276')).toBe('6700');
    expect(send(card, 'FFCA000000')).toBe('6E00');
    expect(send(card, '80CA006E00')).toBe('6E00');
    expect(send(card, '01A4000C')).toBe('6881');
    expect(send(card, '0CA4000C')).toBe('6882');
    expect(send(card, '10A4000C')).toBe('6884');
    expect(send(card, '00600000')).toBe('6D00');
    expect(send(card, '00EE0000')).toBe('6D00');
  });

  it('application commands without a selected application find no reference data (6A88)', () => {
    const card = createVirtualCard();
    expect(send(card, '00CA006E00')).toBe('6A88');
    expect(send(card, '00200081')).toBe('6A88');
  });

  it('instructions of the other application are not supported (6D00)', () => {
    const card = createVirtualCard();
    send(card, SELECT_OPENPGP);
    expect(send(card, '00CB3FFF035C017E00')).toBe('6D00');
    send(card, SELECT_PIV);
    expect(send(card, '00CA006E00')).toBe('6D00');
  });

  for (const protocol of ['T=0', 'T=1'] as const) {
    it(`${protocol}: random bytes, and random commands after each application's SELECT, always end in a status word`, () => {
      const prefixes = ['', SELECT_OPENPGP, SELECT_PIV, '00A4000C022F01'];
      fc.assert(
        fc.property(
          fc.constantFrom(...prefixes),
          fc.oneof(
            fc.uint8Array({ maxLength: 300 }),
            fc
              .tuple(
                fc.constantFrom(0x00, 0x10, 0x80),
                fc.constantFrom(0x20, 0x24, 0x84, 0xa4, 0xb0, 0xc0, 0xca, 0xcb, 0xd6),
                fc.uint8Array({ minLength: 2, maxLength: 270 }),
              )
              .map(([cla, ins, rest]) => Uint8Array.of(cla, ins, ...rest)),
          ),
          (prefix, apdu) => {
            const card = createVirtualCard({ protocol });
            if (prefix) send(card, prefix);
            const response = card.transmit(apdu);
            expect(response.length).toBeGreaterThanOrEqual(2);
            const sw1 = response[response.length - 2]!;
            expect(sw1 === 0x90 || (sw1 >= 0x61 && sw1 <= 0x6f)).toBe(true);
            // 6F00 is what transmit() answers when a handler threw: a bug, not a card answer.
            expect(toHex(response.subarray(-2))).not.toBe('6F00');
          },
        ),
        { numRuns: 400 },
      );
    });
  }

  it('a failing random source ends in 6F00, not an exception', () => {
    const card = createVirtualCard({
      random: () => {
        throw new Error('no entropy');
      },
    });
    expect(send(card, '0084000008')).toBe('6F00');
  });
});

describe('PINs stay out of error text', () => {
  it('configured PINs that break the rules are refused without quoting them', () => {
    const secrets = ['12345', 'abc', '1234567', '98a'];
    const attempts = [
      () => createVirtualCard({ openPgpPw1: secrets[0] }),
      () => createVirtualCard({ openPgpPw1: secrets[1] }),
      () => createVirtualCard({ openPgpPw3: secrets[2] }),
      () => createVirtualCard({ pivPin: secrets[3] }),
    ];
    attempts.forEach((attempt, index) => {
      let message = '';
      try {
        attempt();
      } catch (error) {
        message = error instanceof Error ? `${error.message} ${error.stack ?? ''}` : String(error);
      }
      expect(message).toMatch(/not shown/);
      expect(message).not.toContain(secrets[index]);
    });
  });
});
