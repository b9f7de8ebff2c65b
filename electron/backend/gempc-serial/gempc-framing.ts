/**
 * The GemPC serial framing libccid's libccidtwin driver speaks: `03 06 <CCID message> LRC` both
 * ways (03 SYNC, 06 ACK, LRC = XOR of every byte before it), `03 15 16` for a NAK. The reader
 * side may also send single bytes >= 0x80 ("busy": each restarts the driver's read timeout).
 */
import { CCID_HEADER_LENGTH } from '#core/ccid/message-types.js';

export const SYNC = 0x03;
export const ACK = 0x06;
export const NAK = 0x15;
export const NAK_FRAME = Uint8Array.of(SYNC, NAK, SYNC ^ NAK);
export const BUSY_BYTE = 0x80;
/** Far above anything libccid sends (271-byte CCID messages); a larger dwLength means we lost sync. */
export const MAX_SERIAL_CCID_MESSAGE = 4096;

export function lrc(bytes: Uint8Array, initial = 0): number {
  let x = initial;
  for (const b of bytes) x ^= b;
  return x;
}

/** `03 06 <message> LRC`. */
export function encodeGemPcFrame(message: Uint8Array): Uint8Array {
  const out = new Uint8Array(message.length + 3);
  out[0] = SYNC;
  out[1] = ACK;
  out.set(message, 2);
  out[out.length - 1] = lrc(out.subarray(0, out.length - 1));
  return out;
}

/**
 * The echo a GemPC Pinpad sends before its answer: libccid reads one frame and drops it. It must
 * be the command's header with dwLength 0: echoing a long command byte for byte overflows the
 * driver's answer buffer (a 175-byte Escape read into 30 bytes breaks initialisation).
 */
export function shortEcho(command: Uint8Array): Uint8Array {
  const header = Uint8Array.from(command.subarray(0, CCID_HEADER_LENGTH));
  header.fill(0, 1, 5);
  return encodeGemPcFrame(header);
}

export type GemPcInbound =
  | { type: 'message'; message: Uint8Array }
  | { type: 'nak' }
  | { type: 'bad-lrc'; message: Uint8Array }
  | { type: 'garbage'; bytes: number; reason: string };

/** Cuts the host's byte stream into frames, whatever the chunking; resynchronises on SYNC. */
export class GemPcFrameReader {
  private buffer = new Uint8Array(0);

  push(chunk: Uint8Array): GemPcInbound[] {
    const joined = new Uint8Array(this.buffer.length + chunk.length);
    joined.set(this.buffer, 0);
    joined.set(chunk, this.buffer.length);
    const events: GemPcInbound[] = [];
    let at = 0;
    let skipped = 0;
    const flushSkipped = (reason: string) => {
      if (skipped > 0) events.push({ type: 'garbage', bytes: skipped, reason });
      skipped = 0;
    };
    for (;;) {
      if (at >= joined.length) break;
      if (joined[at] !== SYNC) {
        at++;
        skipped++;
        continue;
      }
      if (joined.length - at < 2) break;
      const control = joined[at + 1];
      if (control === NAK) {
        if (joined.length - at < 3) break;
        flushSkipped('bytes before a frame');
        if (joined[at + 2] === (SYNC ^ NAK)) events.push({ type: 'nak' });
        else events.push({ type: 'garbage', bytes: 3, reason: 'NAK frame with a wrong LRC' });
        at += 3;
        continue;
      }
      if (control !== ACK) {
        at++;
        skipped++;
        continue;
      }
      if (joined.length - at < 2 + 5) break;
      const dwLength = new DataView(joined.buffer, joined.byteOffset + at + 3, 4).getUint32(0, true);
      if (dwLength > MAX_SERIAL_CCID_MESSAGE) {
        at++;
        skipped++;
        continue;
      }
      const frameLength = 2 + CCID_HEADER_LENGTH + dwLength + 1;
      if (joined.length - at < frameLength) break;
      flushSkipped('bytes before a frame');
      const frame = joined.subarray(at, at + frameLength);
      const message = Uint8Array.from(frame.subarray(2, frameLength - 1));
      const valid = lrc(frame.subarray(0, frameLength - 1)) === frame[frameLength - 1];
      events.push(valid ? { type: 'message', message } : { type: 'bad-lrc', message });
      at += frameLength;
    }
    flushSkipped('bytes without a frame');
    this.buffer = joined.slice(at);
    return events;
  }

  /** Bytes held back waiting for the rest of a frame. */
  get pending(): number {
    return this.buffer.length;
  }
}
