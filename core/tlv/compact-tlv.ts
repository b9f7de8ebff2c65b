/**
 * COMPACT-TLV (ISO 7816-4 §5.2.3, used in ATR historical bytes): one byte '4-bit tag | 4-bit
 * length' then the value. The objects are small and flat; a length running past the end is
 * kept as a truncated object with a problem.
 */
import { intHex } from '../bytes/hex.js';
import type { Problem } from '../dissect/node.js';

export interface CompactTlvObject {
  /** 0x0–0xF (the high nibble of the first byte). */
  tag: number;
  /** Declared length (low nibble). */
  length: number;
  /** Absolute offset of the tag/length byte. */
  offset: number;
  /** Value bytes present (a view; shorter than length when truncated). */
  value: Uint8Array;
  problem?: Problem;
}

export interface CompactTlvResult {
  objects: CompactTlvObject[];
  problems: Problem[];
}

export function parseCompactTlv(bytes: Uint8Array, base = 0): CompactTlvResult {
  const objects: CompactTlvObject[] = [];
  const problems: Problem[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    const head = bytes[pos]!;
    const tag = head >> 4;
    const length = head & 0x0f;
    const available = bytes.length - pos - 1;
    const present = Math.min(length, available);
    const object: CompactTlvObject = {
      tag,
      length,
      offset: base + pos,
      value: bytes.subarray(pos + 1, pos + 1 + present),
    };
    if (length > available) {
      object.problem = {
        code: 'truncated',
        message: `COMPACT-TLV tag ${intHex(tag)}: length ${length} but only ${available} byte(s) left`,
        severity: 'error',
      };
      problems.push(object.problem);
    }
    objects.push(object);
    pos += 1 + present;
  }
  return { objects, problems };
}

export function encodeCompactTlv(objects: readonly { tag: number; value: Uint8Array }[]): Uint8Array {
  let total = 0;
  for (const o of objects) {
    if (o.tag < 0 || o.tag > 15 || o.value.length > 15) throw new RangeError('COMPACT-TLV tag and length are 4 bits each');
    total += 1 + o.value.length;
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const o of objects) {
    out[at++] = (o.tag << 4) | o.value.length;
    out.set(o.value, at);
    at += o.value.length;
  }
  return out;
}

/** ISO 7816-4 table 'Interindustry data objects' as used in historical bytes (tag nibble → name). */
export const COMPACT_TLV_TAG_NAMES: Readonly<Record<number, string>> = {
  0x1: 'Country code and national data',
  0x2: 'Issuer identification number',
  0x3: 'Card service data',
  0x4: 'Initial access data',
  0x5: "Card issuer's data",
  0x6: 'Pre-issuing data',
  0x7: 'Card capabilities',
  0x8: 'Status indicator',
  0xf: 'Application identifier',
};
