/**
 * Tells pcapng from pcap by their first four bytes, and says clearly when it is neither; and a
 * pcsc-spy log (text) from both by its first line's `THREAD@` (TraceDecoder reads both kinds).
 */
import type { CaptureFormat } from './capture-types.js';
import { pcapMagic } from './pcap.js';

export type FormatDetection =
  | { ok: true; format: CaptureFormat }
  /** `needMore`: fewer than 4 bytes seen so far. */
  | { ok: false; needMore: boolean; message: string };

const PCAPNG_SHB = [0x0a, 0x0d, 0x0d, 0x0a];

/** Formats people drop on a capture viewer by mistake, to make the error useful. */
const KNOWN_OTHERS: { magic: number[]; name: string }[] = [
  { magic: [0x1f, 0x8b], name: 'a gzip file (decompress it first)' },
  { magic: [0x28, 0xb5, 0x2f, 0xfd], name: 'a zstd file (decompress it first)' },
  { magic: [0x50, 0x4b, 0x03, 0x04], name: 'a zip archive' },
  { magic: [0x58, 0x43, 0x46, 0x00], name: 'an Apple PacketLogger/XCF file' },
];

export function detectCaptureFormat(firstBytes: Uint8Array): FormatDetection {
  if (firstBytes.length < 4) {
    return {
      ok: false,
      needMore: true,
      message: firstBytes.length === 0 ? 'empty file' : `not a pcap/pcapng file: only ${firstBytes.length} byte(s)`,
    };
  }
  if (PCAPNG_SHB.every((b, i) => firstBytes[i] === b)) return { ok: true, format: 'pcapng' };
  const magicLe = firstBytes[0]! | (firstBytes[1]! << 8) | (firstBytes[2]! << 16) | (firstBytes[3]! << 24);
  if (pcapMagic(magicLe)) return { ok: true, format: 'pcap' };
  // Never quote the bytes: browser mode opens any path it is given, and the message would hand
  // out the start of any readable file (/etc/passwd gave "72 6F 6F 74 3A 78 3A 30"). Naming a
  // well-known format tells the user what to do and says nothing of the content.
  const known = KNOWN_OTHERS.find((k) => k.magic.every((b, i) => firstBytes[i] === b));
  const hint = known ? ` — it looks like ${known.name}` : '';
  return { ok: false, needMore: false, message: `not a pcap/pcapng file${hint}` };
}

/**
 * A pcsc-spy log starts with a pthread id in hex and `@` (libpcscspy's `%lX@`); no capture's magic is
 * ASCII hex. True or false once that is decided, undefined while too few bytes were seen.
 */
export function looksLikePcscSpyLog(head: Uint8Array): boolean | undefined {
  // pthread ids are at most 16 hex digits.
  for (let i = 0; i < Math.min(head.length, 17); i++) {
    const c = head[i]!;
    if (c === 0x40) return i > 0;
    const hex = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
    if (!hex) return false;
  }
  return head.length >= 17 ? false : undefined;
}
