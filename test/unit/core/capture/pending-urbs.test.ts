/**
 * A URB in flight across chunks keeps its payload, not the 4 MiB chunk it came in: the decoder
 * hands chunks over and lets them go, and a capture with a URB that never completes (an
 * interrupt IN waiting for a card event) would otherwise pin a chunk per such URB.
 */
import { describe, expect, it } from 'vitest';
import { UsbCaptureDecoder, type CcidFrame } from '#core/capture/index.js';
import { concatBytes, epb, idb, shb, usbmon } from './capture-builder.js';

const XFR = [0x6f, 5, 0, 0, 0, 0, 7, 0, 0, 0, 0x00, 0xb0, 0x00, 0x00, 0x10];

function records(): Uint8Array[] {
  return [
    // A bulk OUT command submitted now, completed in the next chunk.
    usbmon({ id: 0x10n, event: 'S', transfer: 3, endpoint: 0x02, device: 4, data: XFR }),
    // A bulk IN URB waiting for the answer, and an interrupt IN URB that never completes.
    usbmon({ id: 0x11n, event: 'S', transfer: 3, endpoint: 0x83, device: 4, length: 4096 }),
    usbmon({ id: 0x12n, event: 'S', transfer: 1, endpoint: 0x81, device: 4, length: 8 }),
    // Next chunk: both bulk URBs complete.
    usbmon({ id: 0x10n, event: 'C', transfer: 3, endpoint: 0x02, device: 4, length: XFR.length }),
    usbmon({ id: 0x11n, event: 'C', transfer: 3, endpoint: 0x83, device: 4, data: [0x80, 2, 0, 0, 0, 0, 7, 0, 0, 0, 0x90, 0x00] }),
  ];
}

/** Each piece of the file in a buffer of its own, as the decode's reader hands them over. */
function own(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes);
}

describe('URBs in flight across chunks', () => {
  it('keep their payload in a buffer of their own, not the chunk they came in, and still pair', () => {
    const r = records();
    const head = concatBytes(shb(), idb({ linkType: 220 }), ...r.slice(0, 3).map((x, i) => epb(0, BigInt(i), x)));
    const tail = concatBytes(...r.slice(3).map((x, i) => epb(0, BigInt(10 + i), x)));
    const frames: CcidFrame[] = [];
    const decoder = new UsbCaptureDecoder({ ccid: (f) => frames.push(f) });

    const first = own(head);
    decoder.push(first);
    const inFlight = decoder.tracker.inFlight;
    expect(inFlight.map((p) => p.frame).sort()).toEqual([1, 2, 3]);
    for (const packet of inFlight) {
      expect(packet.buffer.buffer).not.toBe(first.buffer);
      expect(packet.buffer.length).toBe(packet.capturedLength);
    }
    expect(Array.from(inFlight.find((p) => p.frame === 1)!.data)).toEqual(XFR);

    decoder.push(own(tail));
    decoder.end();
    // The OUT command's bytes came from the copy; the pair still makes both messages.
    expect(frames.map((f) => Array.from(f.bytes))).toEqual([XFR, [0x80, 2, 0, 0, 0, 0, 7, 0, 0, 0, 0x90, 0x00]]);
  });
});
