/** Hex conversions used by every layer. Output is uppercase without separators unless asked. */

const HEX_DIGITS = '0123456789ABCDEF';
const DIGIT_CODES = Array.from(HEX_DIGITS, (c) => c.charCodeAt(0));
/** String.fromCharCode.apply takes the codes as arguments: stay well below engines' argument limits. */
const CODES_PER_CALL = 8192;
/** Reused between calls (synchronous, single-threaded): no allocation per string. */
let scratch = new Uint16Array(CODES_PER_CALL);

/**
 * Uppercase hex. Built from character codes in one call rather than by concatenation: V8 keeps a
 * concatenated string as a rope of one node per byte until something flattens it, and a capture
 * report keeps hundreds of thousands of these strings (measured: seconds and gigabytes).
 */
export function toHex(bytes: Uint8Array, separator = ''): string {
  if (separator) return Array.from(bytes, byteHex).join(separator);
  const length = bytes.length * 2;
  if (scratch.length < length) scratch = new Uint16Array(length);
  const codes = scratch;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    codes[2 * i] = DIGIT_CODES[b >> 4]!;
    codes[2 * i + 1] = DIGIT_CODES[b & 0x0f]!;
  }
  if (length <= CODES_PER_CALL) return fromCodes(codes.subarray(0, length));
  const parts: string[] = [];
  for (let at = 0; at < length; at += CODES_PER_CALL) parts.push(fromCodes(codes.subarray(at, Math.min(length, at + CODES_PER_CALL))));
  return parts.join('');
}

function fromCodes(codes: Uint16Array): string {
  return String.fromCharCode.apply(null, codes as unknown as number[]);
}

export function byteHex(value: number): string {
  return HEX_DIGITS[(value >> 4) & 0x0f]! + HEX_DIGITS[value & 0x0f]!;
}

/**
 * Uppercase hex of an unsigned integer, zero-padded to `digits`: intHex(0x4433, 4) === '4433',
 * intHex(0xc, 1) === 'C' (1: as many digits as the value needs). The one place an integer
 * becomes hex text, so every message writes numbers the same way.
 */
export function intHex(value: number, digits = 1): string {
  return (value >>> 0).toString(16).toUpperCase().padStart(digits, '0');
}

/** A value as specs and Wireshark write it: hexLiteral(0x6f) === '0x6F', hexLiteral(0x10, 4) === '0x0010'. */
export function hexLiteral(value: number, digits = 2): string {
  return '0x' + intHex(value, digits);
}

export type HexParseResult = { ok: true; bytes: Uint8Array } | { ok: false; reason: string; position: number };

/**
 * Parses user-typed hex: spaces, tabs, newlines, ':' and '-' between bytes are ignored; case-
 * insensitive; an optional 0x prefix per group is accepted. Says where and why it fails.
 */
export function parseHex(text: string, maxBytes = 1 << 20): HexParseResult {
  const digits: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x30 && (text[i + 1] === 'x' || text[i + 1] === 'X') && isGroupStart(text, i)) {
      i++;
      continue;
    }
    const v = hexValue(c);
    if (v >= 0) {
      digits.push(v);
      if (digits.length > maxBytes * 2) return { ok: false, reason: `more than ${maxBytes} bytes`, position: i };
      continue;
    }
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x3a || c === 0x2d) continue;
    return { ok: false, reason: `'${text[i]}' is not a hex digit`, position: i };
  }
  if (digits.length % 2 !== 0) {
    return { ok: false, reason: `odd number of hex digits (${digits.length})`, position: text.length };
  }
  const bytes = new Uint8Array(digits.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (digits[2 * i]! << 4) | digits[2 * i + 1]!;
  return { ok: true, bytes };
}

/** Strict variant for trusted literals (tests, tables): throws on anything parseHex refuses. */
export function fromHex(text: string): Uint8Array {
  const result = parseHex(text);
  if (!result.ok) throw new Error(`invalid hex: ${result.reason} at ${result.position}`);
  return result.bytes;
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

function isGroupStart(text: string, i: number): boolean {
  if (i === 0) return true;
  const prev = text[i - 1]!;
  return prev === ' ' || prev === '\t' || prev === '\n' || prev === '\r' || prev === ':' || prev === '-' || prev === ',';
}
