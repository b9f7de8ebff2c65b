/** Malformed input never throws and always terminates; chunking never changes the result. */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCaptureBytes, UsbCaptureDecoder } from '#core/capture/index.js';
import { requireShared, sharedPath } from '../../../shared-path.js';
import { concatBytes, pcapHeader, pcapngOf, shb, usbmon } from './capture-builder.js';

const skip = requireShared('captures');
const real = (relative: string) => (skip ? new Uint8Array(0) : new Uint8Array(readFileSync(sharedPath('captures', relative))));
const PINPAD_QEMU = 'usbmon-qemu-pinpad/pinpad-labcard.qemu.pcap';
const LABCARD_PCAPNG = 'usbmon-qemu-labcard/labcard-basic.usbmon.pcapng';

/** Everything a decode produced, as plain data, to compare runs. */
function fingerprint(bytes: Uint8Array, chunkSize?: number) {
  const options = chunkSize === undefined ? { keepPackets: false } : { keepPackets: false, chunkSize };
  const c = parseCaptureBytes(bytes, options);
  return {
    frames: c.frames,
    transfers: c.transfers.length,
    devices: c.devices.map((d) => d.key),
    messages: c.messages.map((m) => [m.direction, m.frames.join(','), Array.from(m.bytes).join(',')].join('|')),
    problems: c.problems.map((p) => p.code),
  };
}

describe('hostile input', () => {
  it('random bytes, bare or behind a valid magic, never throw', () => {
    const prefixes = [new Uint8Array(0), shb(), pcapHeader(220), pcapHeader(249), concatBytes(shb(), pcapngOf(249, []).subarray(28))];
    fc.assert(
      fc.property(
        fc.constantFrom(...prefixes),
        fc.uint8Array({ maxLength: 600 }),
        fc.integer({ min: 1, max: 64 }),
        (prefix, tail, chunk) => {
          const result = parseCaptureBytes(concatBytes(prefix, tail), { chunkSize: chunk });
          expect(result.frames).toBeGreaterThanOrEqual(0);
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('random USB pseudo-headers inside valid containers never throw', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(189, 220, 249, 266),
        fc.array(fc.uint8Array({ maxLength: 120 }), { maxLength: 12 }),
        (linkType, records) => {
          const result = parseCaptureBytes(pcapngOf(linkType, records));
          expect(result.frames).toBe(records.length);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it.skipIf(skip)('a real capture cut at every offset decodes what precedes the cut, without throwing', () => {
    const bytes = real(PINPAD_QEMU);
    const full = parseCaptureBytes(bytes, { keepPackets: false });
    let previousFrames = 0;
    for (let cut = 0; cut <= bytes.length; cut++) {
      const c = parseCaptureBytes(bytes.subarray(0, cut), { keepPackets: false });
      expect(c.frames).toBeGreaterThanOrEqual(previousFrames);
      previousFrames = c.frames;
    }
    expect(previousFrames).toBe(full.frames);
  });

  it.skipIf(skip)('mutated real captures never throw and never produce more frames than blocks allow', () => {
    const bytes = real(LABCARD_PCAPNG);
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat({ max: bytes.length - 1 }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 20 }),
        (mutations) => {
          const copy = bytes.slice();
          for (const [at, value] of mutations) copy[at] = value;
          const c = parseCaptureBytes(copy, { keepPackets: false });
          expect(c.frames).toBeLessThanOrEqual(bytes.length / 12);
        },
      ),
      { numRuns: 300 },
    );
  });

  it.skipIf(skip)('chunk boundaries anywhere give the same decode', () => {
    const bytes = real(LABCARD_PCAPNG);
    const whole = fingerprint(bytes);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9000 }), (chunk) => {
        expect(fingerprint(bytes, chunk)).toEqual(whole);
      }),
      { numRuns: 40 },
    );
  });

  it('an in-flight table flooded with submits that never complete stays bounded', () => {
    const records = Array.from({ length: 70_000 }, (_, i) =>
      usbmon({ id: BigInt(i + 1), event: 'S', transfer: 3, endpoint: 0x82, device: 2 }),
    );
    const decoder = new UsbCaptureDecoder();
    decoder.push(pcapngOf(220, records));
    decoder.end();
    // 65 536 in flight at most: the oldest are given up as the flood goes on.
    expect(decoder.summary().usb).toMatchObject({ packets: 70_000, abandonedSubmits: 70_000 - 65_536 });
  });

  it('refuses non-captures with one clear problem, even when pushed byte by byte', () => {
    const problems: string[] = [];
    const decoder = new UsbCaptureDecoder({ problem: (p) => problems.push(p.message) });
    for (const b of new TextEncoder().encode('hello world')) decoder.push(Uint8Array.of(b));
    decoder.end();
    expect(problems).toEqual(['not a pcap/pcapng file']);
  });
});
