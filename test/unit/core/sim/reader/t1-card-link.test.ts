import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '#core/bytes/hex.js';
import { MAX_EXTENDED_APDU_LENGTH } from '#core/iso7816/apdu-limits.js';
import { chainApdu, decodeT1Block, encodeT1Block } from '#core/iso7816/t1.js';
import { T1Reassembler, type T1Event } from '#core/iso7816/t1-reassembler.js';
import { T1CardLink } from '#core/sim/reader/t1-card-link.js';
import { TestCard } from './test-card.js';

const hex = (bytes: Uint8Array) => toHex(bytes, ' ').toUpperCase();

function link(ifsc = 254) {
  const card = new TestCard('T=1');
  const t1 = new T1CardLink((apdu) => card.transmit(apdu), { ifsc });
  return { card, t1 };
}

describe('T1CardLink', () => {
  it('answers the IFS request libccid sends with the IFS response (00 C1 01 FE 3E → 00 E1 01 FE 1E)', () => {
    const { t1 } = link();
    expect(hex(t1.receive(fromHex('00C101FE3E')))).toBe('00 E1 01 FE 1E');
    expect(t1.hostIfsd).toBe(254);
  });

  it('answers I-blocks with I-blocks whose N(S) alternates, one APDU per block', () => {
    const { card, t1 } = link();
    const select = fromHex('00A4040006D27600012401');
    const first = decodeT1Block(t1.receive(encodeT1Block({ kind: 'I', ns: 0, inf: select })));
    expect(first).toMatchObject({ kind: 'I', ns: 0, more: false, edcValid: true });
    expect(hex(first.inf)).toBe('90 00');
    const second = decodeT1Block(t1.receive(encodeT1Block({ kind: 'I', ns: 1, inf: fromHex('00200081') })));
    expect(second).toMatchObject({ kind: 'I', ns: 1 });
    expect(hex(second.inf)).toBe('63 C3');
    const third = decodeT1Block(t1.receive(encodeT1Block({ kind: 'I', ns: 0, inf: select })));
    expect(third.ns).toBe(0);
    expect(card.received.map((a) => hex(a))).toEqual([hex(select), '00 20 00 81', hex(select)]);
  });

  it('takes a command chained by the host (R-block after each M=1 block) and hands the card one APDU', () => {
    const { card, t1 } = link(32);
    t1.receive(fromHex('00C101FE3E'));
    const data = Uint8Array.from({ length: 100 }, (_, i) => i);
    const apdu = Uint8Array.from([0x00, 0xee, 0x00, 0x00, data.length, ...data]);
    const blocks = chainApdu(apdu, 32, 0);
    expect(blocks.length).toBe(4);
    const answers = blocks.map((b) => decodeT1Block(t1.receive(encodeT1Block(b))));
    for (const [i, r] of answers.slice(0, -1).entries()) {
      expect(r).toMatchObject({ kind: 'R', nr: (i + 1) % 2, error: 'none' });
    }
    expect(answers.at(-1)).toMatchObject({ kind: 'I', ns: 0, more: false });
    expect(hex(card.lastApdu!)).toBe(hex(apdu));
  });

  it('takes a chained command up to the longest extended APDU (65544 bytes) and refuses a chain one byte longer', () => {
    const chained = (length: number) => {
      const { card, t1 } = link(254);
      t1.receive(fromHex('00C101FE3E'));
      const apdu = new Uint8Array(length);
      const answers = chainApdu(apdu, 254, 0).map((b) => decodeT1Block(t1.receive(encodeT1Block(b))));
      return { card, last: answers.at(-1)! };
    };
    const longest = chained(MAX_EXTENDED_APDU_LENGTH);
    expect(longest.card.lastApdu?.length).toBe(MAX_EXTENDED_APDU_LENGTH);
    expect(longest.last).toMatchObject({ kind: 'I' });
    const tooLong = chained(MAX_EXTENDED_APDU_LENGTH + 1);
    expect(tooLong.card.lastApdu).toBeUndefined();
    expect(tooLong.last).toMatchObject({ kind: 'R', error: 'other' });
  });

  it('sends a long answer as a chain, one block per R-block acknowledgement, respecting the IFSD', () => {
    const { t1 } = link();
    t1.receive(encodeT1Block({ kind: 'S', sType: 'IFS', response: false, value: 64 }));
    const first = decodeT1Block(t1.receive(encodeT1Block({ kind: 'I', ns: 0, inf: fromHex('00CA000000') })));
    expect(first).toMatchObject({ kind: 'I', ns: 0, more: true });
    expect(first.inf.length).toBe(64);
    const parts = [first.inf];
    let ns: 0 | 1 = 0;
    let block = first;
    while (block.more) {
      ns = (ns ^ 1) as 0 | 1;
      block = decodeT1Block(t1.receive(encodeT1Block({ kind: 'R', nr: ns })));
      expect(block.ns).toBe(ns);
      expect(block.inf.length).toBeLessThanOrEqual(64);
      parts.push(block.inf);
    }
    const response = Uint8Array.from(parts.flatMap((p) => [...p]));
    expect(response.length).toBe(302);
    expect(hex(response.subarray(-2))).toBe('90 00');
    expect(response[255]).toBe(255);
  });

  it('retransmits its last block when the host R-block names that block (N(R) = its N(S))', () => {
    const { card, t1 } = link();
    const answer = t1.receive(encodeT1Block({ kind: 'I', ns: 0, inf: fromHex('00A4040000') }));
    const again = t1.receive(encodeT1Block({ kind: 'R', nr: 0, error: 'edc-parity' }));
    expect(hex(again)).toBe(hex(answer));
    // Mid-chain: a NAK-like R-block for the current block gets the same block again.
    t1.receive(encodeT1Block({ kind: 'S', sType: 'IFS', response: false, value: 100 }));
    const chained = t1.receive(encodeT1Block({ kind: 'I', ns: 1, inf: fromHex('00CA000000') }));
    expect(decodeT1Block(chained)).toMatchObject({ kind: 'I', ns: 1, more: true });
    expect(hex(t1.receive(encodeT1Block({ kind: 'R', nr: 1, error: 'other' })))).toBe(hex(chained));
    const next = decodeT1Block(t1.receive(encodeT1Block({ kind: 'R', nr: 0 })));
    expect(next).toMatchObject({ kind: 'I', ns: 0, more: true });
    expect(card.received.length).toBe(2);
  });

  it('resends its answer, without asking the card again, when the host repeats its I-block', () => {
    const { card, t1 } = link();
    const block = encodeT1Block({ kind: 'I', ns: 0, inf: fromHex('00200081') });
    const answer = t1.receive(block);
    expect(hex(t1.receive(block))).toBe(hex(answer));
    expect(card.received.length).toBe(1);
  });

  it('answers a block with a bad LRC with R(edc error) for the block it expects', () => {
    const { card, t1 } = link();
    const bad = encodeT1Block({ kind: 'I', ns: 0, inf: fromHex('00A4040000') });
    bad[bad.length - 1]! ^= 0xff;
    expect(decodeT1Block(t1.receive(bad))).toMatchObject({ kind: 'R', nr: 0, error: 'edc-parity' });
    expect(card.received.length).toBe(0);
  });

  it('resets sequence numbers on S(RESYNCH) and answers S(ABORT)', () => {
    const { t1 } = link();
    t1.receive(encodeT1Block({ kind: 'I', ns: 0, inf: fromHex('00A4040000') }));
    expect(hex(t1.receive(encodeT1Block({ kind: 'S', sType: 'RESYNCH', response: false })))).toBe('00 E0 00 E0');
    expect(decodeT1Block(t1.receive(encodeT1Block({ kind: 'I', ns: 0, inf: fromHex('00A4040000') }))).ns).toBe(0);
    expect(decodeT1Block(t1.receive(encodeT1Block({ kind: 'S', sType: 'ABORT', response: false })))).toMatchObject({
      kind: 'S',
      sType: 'ABORT',
      response: true,
    });
  });

  it('produces a block stream an independent observer (T1Reassembler) reads without a problem', () => {
    const { t1 } = link(32);
    const observer = new T1Reassembler();
    const events: T1Event<number>[] = [];
    const send = (bytes: Uint8Array) => {
      events.push(...observer.feedBytes('to-card', bytes));
      const answer = t1.receive(bytes);
      events.push(...observer.feedBytes('to-reader', answer));
      return decodeT1Block(answer);
    };
    send(fromHex('00C101FE3E'));
    const apdu = Uint8Array.from([0x00, 0xee, 0x00, 0x00, 80, ...Array.from({ length: 80 }, (_, i) => i)]);
    let answer;
    for (const b of chainApdu(apdu, 32, 0)) answer = send(encodeT1Block(b));
    let ns = 0;
    while (answer!.more) answer = send(encodeT1Block({ kind: 'R', nr: (ns = ns ^ 1) as 0 | 1 }));
    const problems = events.filter((e) => e.type === 'problem');
    expect(problems).toEqual([]);
    const apdus = events.filter((e) => e.type === 'apdu');
    expect(apdus.map((e) => e.direction)).toEqual(['to-card', 'to-reader']);
    expect(apdus[0]!.type === 'apdu' && hex(apdus[0]!.bytes)).toBe(hex(apdu));
  });
});
