/**
 * Text written as UTF-8 bytes into large blocks: how a report of hundreds of thousands of records
 * is written without a JavaScript string per field. A string per field is an allocation, a rope
 * to flatten and garbage to collect; here most fields are bytes copied from a table (JSON keys,
 * hex digits, decimal digits), and the blocks go to the output as they are.
 */

const HEX_CODES = Array.from('0123456789ABCDEF', (c) => c.charCodeAt(0));
/** HEX_PAIRS[2b], HEX_PAIRS[2b + 1]: the two hex digits of byte b. */
const HEX_PAIRS = new Uint8Array(512);
for (let b = 0; b < 256; b++) {
  HEX_PAIRS[2 * b] = HEX_CODES[b >> 4]!;
  HEX_PAIRS[2 * b + 1] = HEX_CODES[b & 15]!;
}

const DEFAULT_BLOCK_SIZE = 1 << 20;
const NO_BLOCK = new Uint8Array(0);
/** Up to this many bytes are copied one by one rather than with TypedArray.set. */
const SHORT_COPY = 64;
/** millis() writes from integers below this many thousandths (well inside a double's exact integers). */
const MAX_THOUSANDTHS = 1e15;
const MINUS = new Uint8Array([45]);

export class TextBlocks {
  private readonly done: Uint8Array[] = [];
  private block: Uint8Array;
  private at = 0;
  private written = 0;

  /**
   * @param blockSize the size of each block (a longer single write gets a block of its own size)
   * @param newBlock where blocks come from: a writer whose blocks come back once written reuses them
   */
  constructor(
    private readonly blockSize = DEFAULT_BLOCK_SIZE,
    private readonly newBlock: (size: number) => Uint8Array = (size) => new Uint8Array(size),
  ) {
    this.block = NO_BLOCK;
  }

  /** Bytes written so far. */
  get length(): number {
    return this.written + this.at;
  }

  /** Raw bytes (already UTF-8: a literal made by utf8(), a cached field). */
  bytes(bytes: Uint8Array): void {
    const n = bytes.length;
    this.room(n);
    // TypedArray.set costs more than the copy for the short literals a writer repeats.
    if (n <= SHORT_COPY) {
      const block = this.block;
      const at = this.at;
      for (let i = 0; i < n; i++) block[at + i] = bytes[i]!;
    } else {
      this.block.set(bytes, this.at);
    }
    this.at += n;
  }

  /** A string, UTF-8 encoded. */
  text(text: string): void {
    const n = text.length;
    this.room(n * 3);
    const block = this.block;
    let at = this.at;
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c < 0x80) {
        block[at++] = c;
        continue;
      }
      at = writeCodePoint(block, at, text, i, c);
      if (c >= 0xd800 && c < 0xdc00 && i + 1 < n) {
        const next = text.charCodeAt(i + 1);
        if (next >= 0xdc00 && next < 0xe000) i++;
      }
    }
    this.at = at;
  }

  /** Uppercase hex of the bytes, no separator (core/bytes toHex's text). */
  hex(bytes: Uint8Array): void {
    this.room(bytes.length * 2);
    const block = this.block;
    let at = this.at;
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i]! << 1;
      block[at++] = HEX_PAIRS[b]!;
      block[at++] = HEX_PAIRS[b + 1]!;
    }
    this.at = at;
  }

  /** Uppercase hex of one byte (no view made: see ByteSlab on views of small arrays). */
  hexByte(byte: number): void {
    this.room(2);
    const b = (byte & 0xff) << 1;
    this.block[this.at++] = HEX_PAIRS[b]!;
    this.block[this.at++] = HEX_PAIRS[b + 1]!;
  }

  /** A number as JSON writes it: integers digit by digit, other numbers through String(), NaN and infinities as null. */
  number(value: number): void {
    if ((value | 0) === value && value >= 0) {
      this.smallInteger(value);
      return;
    }
    if (!Number.isSafeInteger(value) || value < 0) {
      this.text(Number.isFinite(value) ? String(value) : 'null');
      return;
    }
    this.room(16);
    const block = this.block;
    let at = this.at + digitCount(value);
    this.at = at;
    let rest = value;
    do {
      block[--at] = 48 + (rest % 10);
      rest = Math.floor(rest / 10);
    } while (rest > 0);
  }

  /**
   * number() for a value that is a whole number of thousandths (the report's milliseconds, rounded
   * to the microsecond), written from that integer: the same text, since no shorter decimal names
   * the same double; anything else goes to number().
   */
  millis(value: number): void {
    const thousandths = Math.round(value * 1000);
    if (!(thousandths / 1000 === value && thousandths > -MAX_THOUSANDTHS && thousandths < MAX_THOUSANDTHS) || Object.is(value, -0)) {
      this.number(value);
      return;
    }
    if (thousandths < 0) this.bytes(MINUS);
    const magnitude = Math.abs(thousandths);
    const fraction = magnitude % 1000;
    this.number((magnitude - fraction) / 1000);
    if (fraction === 0) return;
    const block = this.reserve(4);
    let at = this.at;
    block[at++] = 46;
    block[at++] = 48 + Math.floor(fraction / 100);
    if (fraction % 100 !== 0) {
      block[at++] = 48 + (Math.floor(fraction / 10) % 10);
      if (fraction % 10 !== 0) block[at++] = 48 + (fraction % 10);
    }
    this.at = at;
  }

  /** A non-negative 31-bit integer: frame numbers, indexes, slots (the numbers a report is full of), in int32 arithmetic. */
  private smallInteger(value: number): void {
    this.room(10);
    const digits =
      value < 10
        ? 1
        : value < 100
          ? 2
          : value < 1000
            ? 3
            : value < 10000
              ? 4
              : value < 100000
                ? 5
                : value < 1000000
                  ? 6
                  : value < 10000000
                    ? 7
                    : value < 100000000
                      ? 8
                      : value < 1000000000
                        ? 9
                        : 10;
    const block = this.block;
    let at = this.at + digits;
    this.at = at;
    let rest = value;
    do {
      const tenth = (rest / 10) | 0;
      block[--at] = 48 + rest - tenth * 10;
      rest = tenth;
    } while (rest > 0);
  }

  /**
   * Room for `n` more bytes, for a writer that lays out fixed-width fields itself rather than a
   * call per byte: it writes into the returned block from `position` on, then calls moveTo(end).
   */
  reserve(n: number): Uint8Array {
    this.room(n);
    return this.block;
  }
  get position(): number {
    return this.at;
  }
  moveTo(end: number): void {
    this.at = end;
  }

  /** Everything written, in order; the writer is empty afterwards. */
  take(): Uint8Array[] {
    if (this.at > 0) {
      this.done.push(this.block.subarray(0, this.at));
      this.block = NO_BLOCK;
    }
    const out = this.done.splice(0);
    this.written = 0;
    this.at = 0;
    return out;
  }

  private room(n: number): void {
    if (this.at + n <= this.block.length) return;
    if (this.at > 0) this.done.push(this.block.subarray(0, this.at));
    this.written += this.at;
    const size = Math.max(this.blockSize, n);
    const block = this.newBlock(size);
    // A reused block may be smaller than a long write needs.
    this.block = block.length >= n ? block : new Uint8Array(size);
    this.at = 0;
  }
}

/** Decimal digits of a non-negative integer. */
export function digitCount(value: number): number {
  let digits = 1;
  for (let rest = value; rest >= 10; rest = Math.floor(rest / 10)) digits++;
  return digits;
}

/** Distinct texts one map remembers as UTF-8 before it starts over (a hostile capture cannot make it grow). */
export const MAX_REMEMBERED_TEXTS = 4096;

/**
 * The UTF-8 of `text()`, remembered in `map` under `key`: the writers' names, devices and fused
 * literals, which a trace repeats thousands of times.
 */
export function rememberedUtf8<K>(map: Map<K, Uint8Array>, key: K, text: () => string): Uint8Array {
  let bytes = map.get(key);
  if (!bytes) {
    if (map.size >= MAX_REMEMBERED_TEXTS) map.clear();
    map.set(key, (bytes = utf8(text())));
  }
  return bytes;
}

/** A literal's UTF-8 bytes, made once (the JSON keys and punctuation a writer repeats). */
export function utf8(text: string): Uint8Array {
  const out = new TextBlocks(text.length * 3 + 1);
  out.text(text);
  const [bytes] = out.take();
  return bytes ?? new Uint8Array(0);
}

/** UTF-8 of the UTF-16 code unit c at text[i] (with its low surrogate when it starts a pair); returns the new offset. */
function writeCodePoint(block: Uint8Array, at: number, text: string, i: number, c: number): number {
  if (c < 0x800) {
    block[at++] = 0xc0 | (c >> 6);
    block[at++] = 0x80 | (c & 0x3f);
    return at;
  }
  if (c >= 0xd800 && c < 0xdc00 && i + 1 < text.length) {
    const next = text.charCodeAt(i + 1);
    if (next >= 0xdc00 && next < 0xe000) {
      const point = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
      block[at++] = 0xf0 | (point >> 18);
      block[at++] = 0x80 | ((point >> 12) & 0x3f);
      block[at++] = 0x80 | ((point >> 6) & 0x3f);
      block[at++] = 0x80 | (point & 0x3f);
      return at;
    }
  }
  // A lone surrogate is written as U+FFFD, as a UTF-8 encoder of the output stream would.
  const unit = c >= 0xd800 && c < 0xe000 ? 0xfffd : c;
  block[at++] = 0xe0 | (unit >> 12);
  block[at++] = 0x80 | ((unit >> 6) & 0x3f);
  block[at++] = 0x80 | (unit & 0x3f);
  return at;
}
