/**
 * decode --text writes each exchange's three lines as bytes (ExchangeLineWriter); they must be
 * exactly TraceExchangeLines' lines for any exchange: names and meanings in the light of the
 * applications selected before, APDUs cut after 48 bytes, any duration (negative, zero, long).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ExchangeLineWriter, TraceExchangeLines, traceExchangeOf, type TraceRawExchange } from '#core/trace/index.js';
import { TextBlocks } from '#core/trace/text-blocks.js';

const SELECT_PPSE = Uint8Array.from(Buffer.from('00A404000E325041592E5359532E444446303100', 'hex'));

const exchange = fc.record({
  index: fc.nat({ max: 2_000_000 }),
  device: fc.constantFrom('1.2', '1.2#7', 'Pinpad 00 00', 'é reader'),
  slot: fc.nat({ max: 3 }),
  command: fc.oneof(fc.constant(SELECT_PPSE), fc.uint8Array({ maxLength: 4 }), fc.uint8Array({ minLength: 4, maxLength: 80 })),
  response: fc.oneof(fc.constant(Uint8Array.of(0x90, 0x00)), fc.uint8Array({ maxLength: 70 })),
  commandFrame: fc.nat(),
  responseFrame: fc.nat(),
  commandTimeNs: fc.integer({ min: 0, max: 2 ** 45 }),
  durationNs: fc.oneof(
    fc.integer({ min: -5_000_000, max: 5_000_000 }),
    fc.integer({ min: 0, max: 2 ** 50 }),
    fc.constantFrom(499, -499, -600, -1000, -1400, 0, 1000),
  ),
  truncated: fc.boolean(),
});

describe('ExchangeLineWriter', () => {
  it("writes TraceExchangeLines' lines for any run of exchanges", () => {
    fc.assert(
      fc.property(fc.array(exchange, { maxLength: 12 }), (list) => {
        const out = new TextBlocks(64);
        const bytes = new ExchangeLineWriter(out);
        const strings = new TraceExchangeLines();
        let expected = '';
        for (const { durationNs, ...e } of list) {
          const raw: TraceRawExchange = { ...e, responseEndNs: e.commandTimeNs + durationNs };
          bytes.add(raw);
          const lines: string[] = [];
          strings.add(traceExchangeOf(raw), lines);
          expected += `\n${lines.join('\n')}`;
        }
        expect(Buffer.concat(out.take()).toString('utf8')).toBe(Buffer.from(expected, 'utf8').toString('utf8'));
      }),
    );
  });
});
