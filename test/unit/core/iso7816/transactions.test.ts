import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '#core/bytes/hex.js';
import { parseBerTlv } from '#core/tlv/ber-tlv.js';
import { foldTransactions, type ApduExchange } from '#core/iso7816/transactions.js';
import { requireShared } from '../../../shared-path.js';
import { EMV_EXPECT, LABCARD_SECTION, LABCARD_TXT, readExchanges } from './ground-truth.js';

const ex = (command: string, response: string, extra: Partial<ApduExchange> = {}): ApduExchange => ({
  command: fromHex(command),
  response: fromHex(response),
  ...extra,
});

describe('foldTransactions', () => {
  it('61xx → GET RESPONSE, with times and frames spanning the chain', () => {
    const tx = foldTransactions([
      ex('00 A4 04 00 02 3F 00 00', '61 04', { commandTime: 1, commandFrame: 10 }),
      ex('00 C0 00 00 04', '6F 02 84 00 90 00', { responseTime: 5, responseFrame: 13 }),
      ex('00 B0 00 00 00', '6B 00'),
    ]);
    expect(tx).toHaveLength(2);
    expect(tx[0]).toMatchObject({ exchanges: [0, 1], roles: ['initial', 'get-response'], sw1: 0x90, sw2: 0, folded: true });
    expect(toHex(tx[0]!.data)).toBe('6F028400');
    expect([tx[0]!.startTime, tx[0]!.endTime, tx[0]!.firstFrame, tx[0]!.lastFrame]).toEqual([1, 5, 10, 13]);
    expect(tx[1]).toMatchObject({ exchanges: [2], folded: false, problems: [] });
  });

  it('6Cxx → same command with Le = xx; a different command is not a retry', () => {
    const tx = foldTransactions([
      ex('00 B2 01 0C 00', '6C 03'),
      ex('00 B2 01 0C 03', '70 01 AA 90 00'),
      ex('00 B2 02 2C 00', '6C 24'),
      ex('00 B2 03 2C 00', '6A 83'),
    ]);
    expect(tx.map((t) => t.exchanges)).toEqual([[0, 1], [2], [3]]);
    expect(tx[0]!.roles).toEqual(['initial', 'le-retry']);
    expect(toHex(tx[0]!.data)).toBe('7001AA');
    expect(tx[1]!.problems.map((p) => p.code)).toEqual(['le-not-corrected']);
  });

  it('abandoned 61xx, orphan GET RESPONSE and a response without status word', () => {
    const tx = foldTransactions([ex('00 A4 04 00 01 AA 00', '61 10'), ex('00 C0 00 00 10', '90 00'), ex('00 B0 00 00 00', '90')]);
    expect(tx[0]!.exchanges).toEqual([0, 1]);
    expect(tx[1]!.problems.map((p) => p.code)).toEqual(['bad-response']);
    const orphan = foldTransactions([ex('00 C0 00 00 10', '6F 00')]);
    expect(orphan[0]!.problems.map((p) => p.code)).toEqual(['orphan-get-response']);
    const abandoned = foldTransactions([ex('00 A4 04 00 01 AA 00', '61 10'), ex('00 B0 00 00 00', '90 00')]);
    expect(abandoned[0]!.problems.map((p) => p.code)).toEqual(['response-abandoned']);
  });

  it('empty input', () => {
    expect(foldTransactions([])).toEqual([]);
  });
});

describe('foldTransactions on the ground-truth captures', () => {
  const skip = requireShared('captures');

  it.skipIf(skip)('EMV (GCC 2024): 208 exchanges → 191 transactions, 3 GET RESPONSE and 14 Le retries folded', () => {
    const exchanges = readExchanges(EMV_EXPECT);
    expect(exchanges).toHaveLength(208);
    const tx = foldTransactions(exchanges);
    expect(tx).toHaveLength(191);
    // Every exchange is kept, exactly once, in order.
    expect(tx.flatMap((t) => t.exchanges)).toEqual(exchanges.map((_, i) => i));
    const folded = tx.filter((t) => t.folded).map((t) => t.exchanges.map((i) => exchanges[i]!.number));
    expect(folded).toEqual([
      [1, 2],
      [3, 4],
      [5, 6],
      [8, 9],
      [10, 11],
      [12, 13],
      [15, 16],
      [25, 26],
      [32, 33],
      [39, 40],
      [41, 42],
      [47, 48],
      [50, 51],
      [52, 53],
      [56, 57],
      [58, 59],
      [60, 61],
    ]);
    expect(tx.flatMap((t) => t.roles).filter((r) => r === 'get-response')).toHaveLength(3);
    expect(tx.flatMap((t) => t.roles).filter((r) => r === 'le-retry')).toHaveLength(14);
    // Exchange 49 (00 B2 02 2C → 6C 24) was never re-sent.
    const t49 = tx.find((t) => t.exchanges.includes(48))!;
    expect(t49.problems.map((p) => p.code)).toEqual(['le-not-corrected']);
    // Every folded answer ends 9000 and is clean BER-TLV (the FCI, the GPO answer, the records).
    for (const t of tx.filter((t) => t.folded)) {
      expect([t.sw1, t.sw2]).toEqual([0x90, 0x00]);
      expect(parseBerTlv(t.data).clean).toBe(true);
    }
    // The SELECT PSE transaction delivers the FCI that the GET RESPONSE carried.
    expect(toHex(tx[0]!.data).startsWith('6F20840E315041592E5359532E4444463031')).toBe(true);
  });

  it.skipIf(skip)('labcard: 33 exchanges → 26 transactions, the 600-byte GET RESPONSE chain in one', () => {
    const exchanges = readExchanges(LABCARD_TXT, LABCARD_SECTION);
    expect(exchanges).toHaveLength(33);
    const tx = foldTransactions(exchanges);
    expect(tx).toHaveLength(26);
    expect(tx.flatMap((t) => t.exchanges)).toEqual(exchanges.map((_, i) => i));
    const folded = tx.filter((t) => t.folded).map((t) => t.exchanges.map((i) => exchanges[i]!.number));
    expect(folded).toEqual([
      [1, 2],
      [3, 4],
      [6, 7],
      [12, 13, 14, 15],
      [26, 27],
    ]);

    // 1–2: SELECT → 61 1E, GET RESPONSE with Le 40 → 6C 1E, and the script gave up (selected again).
    expect(tx[0]).toMatchObject({ sw1: 0x6c, sw2: 0x1e, roles: ['initial', 'get-response'] });
    expect(tx[0]!.problems.map((p) => p.code)).toEqual(['le-not-corrected']);

    const big = tx.find((t) => t.exchanges.length === 4)!;
    expect(big.roles).toEqual(['initial', 'get-response', 'get-response', 'get-response']);
    expect(big.data.length).toBe(600);
    expect([big.sw1, big.sw2]).toEqual([0x90, 0x00]);
    expect(toHex(big.data.subarray(0, 4))).toBe('92AFBC99');
    expect(toHex(big.data.subarray(256, 260))).toBe('A7EEE5D6');

    // 28: SELECT → 61 1E followed by UPDATE BINARY: the pending answer was abandoned.
    const t28 = tx.find((t) => t.exchanges[0] === 27)!;
    expect(t28.exchanges).toEqual([27]);
    expect(t28.problems.map((p) => p.code)).toEqual(['response-abandoned']);
  });
});
