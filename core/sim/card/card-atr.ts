/**
 * ATRs of the virtual card. Neither has TA1, so readers keep the default Fi/Di and never attempt a PPS.
 * T=1: 3B 8A 81 31 FE 45 <historical> TCK  (TD1 81 → T=1 follows; TD2 31 → TA3 IFSC 254, TB3 BWI 4 / CWI 5).
 * T=0: 3B 0A <historical>                  (no interface bytes: T=0 is implicit and no TCK is sent).
 */
import type { CardProtocol } from './virtual-card.js';

/**
 * Historical bytes, COMPACT-TLV after category 80: card service data (select by full/partial DF name),
 * card capabilities (selection by name, path, FID, SFI; 1-byte data units; extended Lc/Le only under T=1),
 * status indicator 9000.
 */
export function defaultHistoricalBytes(protocol: CardProtocol): Uint8Array {
  const extendedLength = protocol === 'T=1' ? 0x40 : 0x00;
  return Uint8Array.of(0x80, 0x31, 0xc0, 0x73, 0xf4, 0x01, extendedLength, 0x82, 0x90, 0x00);
}

export const MAX_HISTORICAL_BYTES = 15;

export function buildAtr(protocol: CardProtocol, historical: Uint8Array = defaultHistoricalBytes(protocol)): Uint8Array {
  if (historical.length > MAX_HISTORICAL_BYTES) {
    throw new RangeError(`an ATR carries at most ${MAX_HISTORICAL_BYTES} historical bytes, got ${historical.length}`);
  }
  const k = historical.length;
  if (protocol === 'T=0') return Uint8Array.of(0x3b, k, ...historical);
  const body = [(0x8 << 4) | k, 0x81, 0x31, 0xfe, 0x45, ...historical];
  // TCK makes the XOR of T0..TCK zero (ISO 7816-3 §8.2.5); it is required whenever a protocol other than T=0 is offered.
  const tck = body.reduce((acc, byte) => acc ^ byte, 0);
  return Uint8Array.of(0x3b, ...body, tck);
}
