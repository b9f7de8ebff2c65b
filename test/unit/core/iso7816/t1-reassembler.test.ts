import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '#core/bytes/hex.js';
import { chainApdu, encodeT1Block, type T1BlockSpec } from '#core/iso7816/t1.js';
import { T1Reassembler, type T1Direction, type T1Event } from '#core/iso7816/t1-reassembler.js';

type Step = [T1Direction, T1BlockSpec | Uint8Array];

function run(steps: Step[], reassembler = new T1Reassembler<number>()): T1Event<number>[] {
  return steps.flatMap(([direction, block], i) =>
    reassembler.feedBytes(direction, block instanceof Uint8Array ? block : encodeT1Block(block), i),
  );
}

const apdus = (events: T1Event<number>[]): string[] =>
  events.flatMap((e) => (e.type === 'apdu' ? [`${e.direction} ${toHex(e.bytes)} [${e.refs.join(',')}]`] : []));
const problems = (events: T1Event<number>[]): string[] => events.flatMap((e) => (e.type === 'problem' ? [e.problem.code] : []));

describe('T1Reassembler', () => {
  it('one command, one response', () => {
    const events = run([
      ['to-card', { kind: 'I', ns: 0, inf: fromHex('00 A4 04 00 02 3F 00') }],
      ['to-reader', { kind: 'I', ns: 0, inf: fromHex('90 00') }],
      ['to-card', { kind: 'I', ns: 1, inf: fromHex('00 B0 00 00 00') }],
      ['to-reader', { kind: 'I', ns: 1, inf: fromHex('6B 00') }],
    ]);
    expect(apdus(events)).toEqual(['to-card 00A40400023F00 [0]', 'to-reader 9000 [1]', 'to-card 00B0000000 [2]', 'to-reader 6B00 [3]']);
    expect(problems(events)).toEqual([]);
  });

  it('chained command and chained response rebuild whole APDUs', () => {
    const command = Uint8Array.from({ length: 300 }, (_, i) => i & 0xff);
    const response = Uint8Array.from({ length: 200 }, (_, i) => (i * 7) & 0xff);
    const [c1, c2] = chainApdu(command, 254, 0);
    const [r1, r2] = chainApdu(response, 128, 0);
    const events = run([
      ['to-card', c1!],
      ['to-reader', { kind: 'R', nr: 1 }],
      ['to-card', c2!],
      ['to-reader', r1!],
      ['to-card', { kind: 'R', nr: 1 }],
      ['to-reader', r2!],
    ]);
    expect(problems(events)).toEqual([]);
    const out = events.filter((e) => e.type === 'apdu');
    expect(out.map((e) => (e.type === 'apdu' ? [e.direction, toHex(e.bytes), e.refs] : []))).toEqual([
      ['to-card', toHex(command), [0, 2]],
      ['to-reader', toHex(response), [3, 5]],
    ]);
  });

  it('a garbled block is ignored, the R-block asks again, the resend completes the APDU', () => {
    const good = encodeT1Block({ kind: 'I', ns: 0, inf: fromHex('00 84 00 00 08') });
    const bad = Uint8Array.from(good);
    bad[bad.length - 1] = good[good.length - 1]! ^ 0xff;
    const events = run([
      ['to-card', bad],
      ['to-reader', { kind: 'R', nr: 0, error: 'edc-parity' }],
      ['to-card', good],
    ]);
    expect(problems(events)).toEqual(['invalid-block', 'r-block-error']);
    expect(apdus(events)).toEqual(['to-card 0084000008 [2]']);
  });

  it('retransmission of a valid block is reported and not duplicated', () => {
    const events = run([
      ['to-card', { kind: 'I', ns: 0, inf: fromHex('00 84 00 00 08') }],
      ['to-reader', { kind: 'R', nr: 0, error: 'other' }],
      ['to-card', { kind: 'I', ns: 0, inf: fromHex('00 84 00 00 08') }],
    ]);
    expect(problems(events)).toEqual(['r-block-error', 'retransmit-request', 'retransmission']);
    expect(apdus(events)).toHaveLength(1);
  });

  it('wrong N(S) and wrong N(R)', () => {
    const wrongNs = run([
      ['to-card', { kind: 'I', ns: 0, inf: fromHex('00 B0 00 00 00') }],
      ['to-reader', { kind: 'I', ns: 0, inf: fromHex('90 00') }],
      ['to-card', { kind: 'I', ns: 0, inf: fromHex('00 B0 00 10 00') }],
    ]);
    expect(problems(wrongNs)).toEqual(['wrong-ns']);
    expect(apdus(wrongNs)).toHaveLength(3);

    const wrongNr = run([
      ['to-card', { kind: 'I', ns: 0, inf: fromHex('00 B0 00 00 00') }],
      ['to-reader', { kind: 'R', nr: 1 }],
    ]);
    expect(problems(wrongNr)).toEqual(['wrong-nr']);

    expect(problems(run([['to-reader', { kind: 'R', nr: 1 }]]))).toEqual(['wrong-nr']);
  });

  it('the same R-block three times is a loop', () => {
    const events = run([
      ['to-card', { kind: 'I', ns: 0, more: true, inf: fromHex('00 DA 00 00') }],
      ['to-reader', { kind: 'R', nr: 0, error: 'edc-parity' }],
      ['to-reader', { kind: 'R', nr: 0, error: 'edc-parity' }],
      ['to-reader', { kind: 'R', nr: 0, error: 'edc-parity' }],
    ]);
    expect(problems(events).filter((c) => c === 'r-block-loop')).toHaveLength(1);
  });

  it('S-blocks are reported; RESYNCH resets the sequence numbers', () => {
    const events = run([
      ['to-card', { kind: 'I', ns: 0, inf: fromHex('00 B0 00 00 00') }],
      ['to-reader', { kind: 'S', sType: 'WTX', response: false, value: 2 }],
      ['to-card', { kind: 'S', sType: 'WTX', response: true, value: 2 }],
      ['to-reader', { kind: 'I', ns: 0, inf: fromHex('90 00') }],
      ['to-card', { kind: 'S', sType: 'RESYNCH', response: false }],
      ['to-reader', { kind: 'S', sType: 'RESYNCH', response: true }],
      ['to-card', { kind: 'I', ns: 0, inf: fromHex('00 C0 00 00 00') }],
    ]);
    expect(problems(events)).toEqual([]);
    expect(events.filter((e) => e.type === 'supervisory').map((e) => (e.type === 'supervisory' ? e.summary : ''))).toEqual([
      'S(WTX request 2)',
      'S(WTX response 2)',
      'S(RESYNCH request)',
      'S(RESYNCH response)',
    ]);
    expect(apdus(events)).toHaveLength(3);
  });

  it('never throws on random block streams', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom<T1Direction>('to-card', 'to-reader'), fc.uint8Array({ maxLength: 40 })), { maxLength: 30 }),
        (steps) => {
          const reassembler = new T1Reassembler<number>({ maxApduLength: 100 });
          for (const [direction, bytes] of steps) {
            for (const e of reassembler.feedBytes(direction, bytes)) expect(['apdu', 'problem', 'supervisory']).toContain(e.type);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
