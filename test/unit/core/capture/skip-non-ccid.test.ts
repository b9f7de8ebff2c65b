/**
 * The fast path for big imports: once a device's configuration shows it cannot be a reader
 * (the GCC capture's HID mice), its bulk/interrupt records are dropped undecoded — but only
 * when no consumer asked for every packet or transfer, and never changing a CCID message.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { UsbCaptureDecoder, parseCaptureBytes, type CcidFrame } from '#core/capture/index.js';
import { toHex } from '#core/bytes/hex.js';
import { requireShared, sharedPath } from '../../../shared-path.js';

const skip = requireShared('captures');

function ccidOnly(bytes: Uint8Array): { frames: CcidFrame[]; skipped: number } {
  const frames: CcidFrame[] = [];
  const decoder = new UsbCaptureDecoder({ ccid: (f) => frames.push(f) });
  for (let at = 0; at < bytes.length; at += 65536) decoder.push(bytes.subarray(at, at + 65536));
  decoder.end();
  return { frames, skipped: decoder.summary().usb.skippedNonCcidRecords };
}

describe.skipIf(skip)('dropping known non-CCID traffic', () => {
  it.each([
    ['usbpcap-emv-gcc2024/usb.pcapng', true],
    ['usbmon-qemu-labcard/labcard-basic.usbmon.pcapng', false],
    ['usbmon-qemu-pinpad/pinpad-labcard.usbmon.pcap', false],
  ])('%s: the same CCID messages as the full decode', (file, hasNoise) => {
    const bytes = new Uint8Array(readFileSync(sharedPath('captures', file)));
    const full = parseCaptureBytes(bytes, { keepPackets: false });
    const fast = ccidOnly(bytes);
    expect(fast.frames.map((f) => `${f.device} ${f.direction} ${toHex(f.bytes)}`)).toEqual(
      full.messages.map((f) => `${f.device} ${f.direction} ${toHex(f.bytes)}`),
    );
    expect(full.usb.skippedNonCcidRecords).toBe(0);
    if (hasNoise) expect(fast.skipped).toBeGreaterThan(6000);
  });
});
