/**
 * decode --text writes each message's line as bytes (MessageLineWriter); it must be exactly the
 * line traceMessageLine makes, for any time, frame, device, slot, direction and summary.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MessageLineWriter, traceMessageLine, type TraceMessageLineFields } from '#core/trace/index.js';
import { TextBlocks } from '#core/trace/text-blocks.js';

function written(lines: readonly TraceMessageLineFields[]): string {
  const out = new TextBlocks(64);
  const writer = new MessageLineWriter(out);
  for (const line of lines) writer.line(line);
  return Buffer.concat(out.take()).toString('utf8');
}

/** What the string form gives, as the UTF-8 a reader of the output decodes. */
function expected(lines: readonly TraceMessageLineFields[]): string {
  return lines.map((l) => Buffer.from(`${traceMessageLine(l)}\n`, 'utf8').toString('utf8')).join('');
}

const timeNs = fc.oneof(
  fc.nat(),
  fc.maxSafeNat(),
  fc.integer({ min: 0, max: 1e13 }).map((us) => us * 1000 + 500),
  fc.integer({ min: 0, max: 1e13 }).map((us) => us * 1000),
  fc.integer({ min: 0, max: 2 ** 40 }).map((n) => n + 0.25),
  fc.integer(),
  fc.double(),
);
const line = fc.record({
  timeNs,
  frame: fc.oneof(fc.nat(), fc.integer({ min: 1_000_000, max: 2 ** 32 })),
  device: fc.oneof(fc.constantFrom('1.2', '3.17', 'usb 1.2', 'reader-with-a-long-name'), fc.string({ unit: 'binary', maxLength: 12 })),
  slot: fc.option(fc.nat({ max: 300 }), { nil: undefined }),
  direction: fc.constantFrom('out' as const, 'in' as const, 'interrupt' as const),
  summary: fc.string({ unit: 'binary', maxLength: 80 }),
});

describe('MessageLineWriter', () => {
  it('writes the lines traceMessageLine makes', () => {
    const edges: TraceMessageLineFields[] = [
      { timeNs: 0, frame: 1, device: '1.2', slot: 0, direction: 'out', summary: 'PC_to_RDR_XfrBlock' },
      { timeNs: 1_234_567_500, frame: 12345678, device: '1.2', slot: undefined, direction: 'interrupt', summary: 'x' },
      { timeNs: 999_999_999_999, frame: 9999999, device: 'abcdefgh', slot: 15, direction: 'in', summary: '✓ é' },
      { timeNs: 1e15 + 1, frame: 0, device: '', slot: 1, direction: 'in', summary: '' },
    ];
    expect(written(edges)).toBe(expected(edges));
    fc.assert(
      fc.property(fc.array(line, { maxLength: 8 }), (lines) => {
        expect(written(lines)).toBe(expected(lines));
      }),
    );
  });
});
