/**
 * vsmartcard's vpcd wire format: every message, both ways, is a 2-byte big-endian length then the payload.
 * TCP may split or merge messages, so incoming bytes are buffered until whole frames are there.
 */
export const VPCD_MAX_PAYLOAD = 0xffff;

export function encodeVpcdFrame(payload: Uint8Array): Uint8Array {
  if (payload.length > VPCD_MAX_PAYLOAD)
    throw new RangeError(`a vpcd message carries at most ${VPCD_MAX_PAYLOAD} bytes, not ${payload.length}`);
  const frame = new Uint8Array(2 + payload.length);
  frame[0] = payload.length >> 8;
  frame[1] = payload.length & 0xff;
  frame.set(payload, 2);
  return frame;
}

export class VpcdFrameReader {
  #buffer = new Uint8Array(0);

  /** Adds received bytes and returns every payload now complete, in order. */
  push(chunk: Uint8Array): Uint8Array[] {
    const joined = new Uint8Array(this.#buffer.length + chunk.length);
    joined.set(this.#buffer, 0);
    joined.set(chunk, this.#buffer.length);
    const payloads: Uint8Array[] = [];
    let at = 0;
    while (joined.length - at >= 2) {
      const length = (joined[at]! << 8) | joined[at + 1]!;
      if (joined.length - at - 2 < length) break;
      payloads.push(joined.slice(at + 2, at + 2 + length));
      at += 2 + length;
    }
    this.#buffer = joined.slice(at);
    return payloads;
  }
}

/** A 1-byte payload from vpcd is a control byte (no APDU is that short). */
export const VPCD_CONTROL = {
  POWER_OFF: 0x00,
  POWER_ON: 0x01,
  RESET: 0x02,
  GET_ATR: 0x04,
} as const;
