/**
 * decode --text writes each message's line as bytes (MessageLineWriter); it must be exactly the
 * line traceMessageLine makes, for any time, frame, device, slot, direction and summary.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { headerOnlySummary, MessageLineWriter, traceMessageLine, type TraceMessageLineFields } from '#core/trace/index.js';
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

describe('MessageLineWriter.lineWithHeader', () => {
  it('writes the line of a message read from its header alone, summary made from the header', () => {
    const header = fc.tuple(
      fc.constantFrom(0x6f, 0x80, 0x81, 0x62),
      fc.oneof(fc.constantFrom(0, 1, 2, 255, 256, 65536), fc.nat({ max: 70_000 })),
      fc.nat({ max: 255 }),
      fc.nat({ max: 255 }),
      fc.oneof(fc.constant(0), fc.nat({ max: 255 })),
      fc.nat({ max: 255 }),
      fc.nat({ max: 255 }),
    );
    fc.assert(
      fc.property(line, header, (fields, [type, length, slot, seq, status, error, chain]) => {
        const bytes = Uint8Array.of(type, length & 0xff, (length >> 8) & 0xff, (length >> 16) & 0xff, 0, slot, seq, status, error, chain);
        const direction = type === 0x6f ? 'out' : fields.direction === 'interrupt' ? 'in' : fields.direction;
        const out = new TextBlocks(64);
        new MessageLineWriter(out).lineWithHeader(fields.timeNs, fields.frame, fields.device, fields.slot, direction, bytes);
        const summary = headerOnlySummary(bytes, direction) ?? '';
        expect(Buffer.concat(out.take()).toString('utf8')).toBe(expected([{ ...fields, direction, summary }]));
      }),
    );
  });
});
