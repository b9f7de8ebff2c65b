/**
 * TextBlocks writes the JSON reports byte by byte: what it writes for numbers, strings, hex and
 * literals must be exactly what JSON.stringify and core/bytes would write, for every value.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toHex } from '#core/bytes/hex.js';
import { TextBlocks, utf8 } from '#core/trace/text-blocks.js';

function written(write: (out: TextBlocks) => void, blockSize?: number): string {
  const out = new TextBlocks(blockSize);
  write(out);
  return Buffer.concat(out.take()).toString('utf8');
}

describe('TextBlocks', () => {
  it('writes every number as JSON.stringify does', () => {
    const edges = [
      0,
      1,
      9,
      10,
      99,
      100,
      2 ** 31 - 1,
      2 ** 31,
      2 ** 32,
      Number.MAX_SAFE_INTEGER,
      2 ** 53,
      -1,
      -0,
      0.5,
      12.345,
      1e21,
      1e-7,
      NaN,
      Infinity,
    ];
    for (const value of edges) expect(written((out) => out.number(value))).toBe(JSON.stringify(value));
    fc.assert(
      fc.property(fc.oneof(fc.nat(), fc.integer(), fc.maxSafeNat(), fc.double()), (value) => {
        expect(written((out) => out.number(value))).toBe(JSON.stringify(value));
      }),
    );
  });

  it('writes strings as UTF-8 (lone surrogates as U+FFFD; long ones too), hex as toHex (whole or byte by byte), literals as given, across block boundaries', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.string({ unit: 'binary' }),
            fc.string({ unit: 'binary', minLength: 250, maxLength: 600 }),
            fc.uint8Array({ maxLength: 40 }),
          ),
          { maxLength: 30 },
        ),
        (pieces) => {
          const expected = pieces.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8').toString('utf8') : toHex(p))).join('');
          const text = written((out) => {
            for (const p of pieces) {
              if (typeof p === 'string') out.text(p);
              else out.hex(p);
            }
          }, 16);
          expect(text).toBe(expected);
          const bytewise = pieces.filter((p) => typeof p !== 'string').map((p) => p as Uint8Array);
          expect(written((out) => bytewise.forEach((p) => p.forEach((b) => out.hexByte(b))), 16)).toBe(
            bytewise.map((p) => toHex(p)).join(''),
          );
          expect(written((out) => pieces.forEach((p) => typeof p === 'string' && out.bytes(utf8(p))), 16)).toBe(
            pieces
              .filter((p) => typeof p === 'string')
              .map((p) => Buffer.from(p as string, 'utf8').toString('utf8'))
              .join(''),
          );
        },
      ),
    );
  });
});

describe('TextBlocks.millis', () => {
  it('writes whole thousandths, and any other number, as JSON.stringify does', () => {
    const edges = [0, -0, 0.001, 0.01, 0.1, 1, 28537.425, 28537.42, 28537.4, -1.5, -0.001, 1e12 + 0.001, 1e15, 0.0004, NaN, 12.3456];
    for (const value of edges) expect(written((out) => out.millis(value))).toBe(JSON.stringify(value));
    fc.assert(
      fc.property(
        fc.oneof(
          fc.integer({ min: -(2 ** 50), max: 2 ** 50 }).map((k) => k / 1000),
          fc.double(),
        ),
        (value) => {
          expect(written((out) => out.millis(value))).toBe(JSON.stringify(value));
        },
      ),
    );
  });
});
