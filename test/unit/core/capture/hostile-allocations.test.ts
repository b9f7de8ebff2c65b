/**
 * Counts and lengths written by someone else never decide what we keep or allocate (issue 8,
 * items 6 and 7). Each case is a crafted capture that once took the decoder down; the bound is
 * proved by counting what the decoder retains, not by timing it.
 */
import { describe, expect, it } from 'vitest';
import { DESCRIPTOR_LIMITS, MAX_CAPTURE_INTERFACES, UsbCaptureDecoder, type UsbDeviceInfo } from '#core/capture/index.js';
import { CCID_MAX_MESSAGE_LENGTH, decodeClassDescriptor, encodeClassDescriptor } from '#core/ccid/class-descriptor.js';
import { decodeCcidMessage } from '#core/ccid/decode-message.js';
import { GEMPC_PINPAD_PROFILE } from '#core/sim/reader/reader-profile.js';
import { decodeTraceBytes } from '#core/trace/trace-decoder.js';
import { concatBytes, epb, idb, shb } from './capture-builder.js';
import { descriptorFloodCapture, hugeLengthCapture, UsbmonPcapWriter, type DescriptorFlood } from './hostile-capture-files.js';

/** Interfaces, endpoints, class descriptors and strings a device keeps. */
function retained(device: UsbDeviceInfo): number {
  let count = Object.keys(device.strings).length;
  for (const config of device.configurations) {
    count += config.interfaces.length;
    for (const iface of config.interfaces) count += iface.endpoints.length + iface.classDescriptors.length;
  }
  return count;
}

function decodeWhole(bytes: Uint8Array) {
  const problems: { code: string; message: string }[] = [];
  const decoder = new UsbCaptureDecoder({ problem: (p) => problems.push(p) });
  decoder.push(bytes);
  decoder.end();
  return { summary: decoder.summary(), problems, decoder };
}

describe('descriptor floods are bounded (item 6)', () => {
  it('the issue file: two configuration answers of 1.8 M interface descriptors each keep at most the per-configuration cap', () => {
    const file = descriptorFloodCapture();
    expect(file.length).toBeGreaterThan(32_000_000);
    const { summary, problems, decoder } = decodeWhole(file);
    const device = summary.devices[0]!;
    expect(device.configurations).toHaveLength(2);
    for (const config of device.configurations) expect(config.interfaces).toHaveLength(DESCRIPTOR_LIMITS.interfacesPerConfiguration);
    expect(retained(device)).toBe(2 * DESCRIPTOR_LIMITS.interfacesPerConfiguration);
    expect(decoder.tracker.devices.retainedDescriptors).toBe(retained(device));
    // The answer is cut at 65,535 bytes (a 16-bit wTotalLength), and what is dropped is said.
    const dropped = problems.filter((p) => p.code === 'too-many-descriptors');
    expect(dropped.map((p) => p.message)).toEqual(
      [1, 2].map((n) =>
        expect.stringMatching(
          new RegExp(
            `^1\\.1: configuration ${n}: dropped \\d+ interface descriptor\\(s\\) beyond 64, .*byte\\(s\\) beyond the 16-bit wTotalLength`,
          ),
        ),
      ),
    );
  });

  it.each<[DescriptorFlood, (d: UsbDeviceInfo) => number, number]>([
    ['endpoints', (d) => d.configurations[0]!.interfaces[0]!.endpoints.length, DESCRIPTOR_LIMITS.endpointsPerInterface],
    [
      'class-descriptors',
      (d) => d.configurations[0]!.interfaces[0]!.classDescriptors.length,
      DESCRIPTOR_LIMITS.classDescriptorsPerInterface,
    ],
  ])('a flood of %s behind one interface keeps the per-interface cap', (flood, count, limit) => {
    const { summary, problems } = decodeWhole(descriptorFloodCapture({ flood, count: 200_000, answers: 1 }));
    expect(count(summary.devices[0]!)).toBe(limit);
    expect(problems.filter((p) => p.code === 'too-many-descriptors')).toHaveLength(1);
  });

  it('more configurations than a device keeps are dropped with a problem', () => {
    const { summary, problems } = decodeWhole(descriptorFloodCapture({ count: 1, answers: 20 }));
    expect(summary.devices[0]!.configurations).toHaveLength(DESCRIPTOR_LIMITS.configurationsPerDevice);
    expect(problems.filter((p) => p.code === 'too-many-descriptors')).toHaveLength(20 - DESCRIPTOR_LIMITS.configurationsPerDevice);
    expect(problems[0]!.message).toBe('1.1: configuration 9 dropped: a device keeps at most 8 configurations');
  });

  it('many devices together stay within the capture-wide budget', () => {
    // 1,200 devices × 8 configurations × 64 interfaces would be 614,400 descriptors.
    const writer = new UsbmonPcapWriter();
    const config = (value: number) => {
      const bytes = new Uint8Array(9 + 64 * 9);
      bytes.set([0x09, 0x02, bytes.length & 0xff, bytes.length >> 8, 64, value, 0, 0x80, 0x32]);
      for (let i = 0; i < 64; i++) bytes.set([0x09, 0x04, i, 0, 0, 0xff, 0, 0, 0], 9 + i * 9);
      return bytes;
    };
    for (let device = 0; device < 1200; device++) {
      writer.bus = 1 + Math.floor(device / 100);
      for (let value = 1; value <= 8; value++) writer.configuration(1 + (device % 100), config(value));
    }
    const { summary, problems, decoder } = decodeWhole(writer.build());
    const total = summary.devices.reduce((n, d) => n + retained(d), 0);
    expect(total).toBeLessThanOrEqual(DESCRIPTOR_LIMITS.descriptorsPerCapture);
    expect(decoder.tracker.devices.retainedDescriptors).toBe(total);
    expect(problems.filter((p) => p.message.includes('at most 65536 are kept'))).toHaveLength(1);
  });

  it('a pcapng of nothing but interface descriptions keeps at most MAX_CAPTURE_INTERFACES', () => {
    const one = idb({ linkType: 220 });
    const blocks = new Uint8Array(one.length * 50_000);
    for (let i = 0; i < 50_000; i++) blocks.set(one, i * one.length);
    const { summary, problems } = decodeWhole(concatBytes(shb(), blocks, epb(49_999, 1n, new Uint8Array(64))));
    expect(summary.interfaces).toHaveLength(MAX_CAPTURE_INTERFACES);
    expect(problems.map((p) => p.code)).toEqual(['too-many-interfaces', 'unknown-interface']);
  });
});

describe('lengths from the capture are clamped to the CCID maximum (item 7)', () => {
  it('dwMaxCCIDMessageLength 0xFFFFFFFF no longer sizes a reassembly buffer from each dwLength', () => {
    const decoder = new UsbCaptureDecoder({
      ccid: () => {
        // Sampled as each message comes out: a 4 GiB buffer just used would still be counted here.
        peak = Math.max(peak, process.memoryUsage().arrayBuffers);
      },
    });
    let peak = 0;
    const before = process.memoryUsage().arrayBuffers;
    decoder.push(hugeLengthCapture({ messages: 20 }));
    decoder.end();
    expect(decoder.summary().ccidFrames).toBe(20);
    expect(peak - before).toBeLessThan(64 * 1024 * 1024);
  });

  it('says which dwLength exceeds the CCID maximum, and that the descriptor claimed too much', () => {
    const report = decodeTraceBytes(hugeLengthCapture({ messages: 3, dwLength: 0xffffffff }));
    const messages = report.problems.map((p) => p.message);
    expect(messages).toContain(
      `1.1: dwMaxCCIDMessageLength 4294967295 exceeds the CCID maximum (${CCID_MAX_MESSAGE_LENGTH} bytes); messages are read up to 65554 bytes`,
    );
    expect(messages.filter((m) => m === 'dwLength 4294967295 exceeds the CCID maximum (65544 data bytes); resynchronising')).toHaveLength(
      3,
    );
    const just = decodeTraceBytes(hugeLengthCapture({ messages: 2 }));
    expect(just.problems.filter((p) => p.message.startsWith('dwLength 4294967280 exceeds the CCID maximum'))).toHaveLength(2);
  });
});

describe('a length or count inside one CCID message is clamped too', () => {
  it('a class descriptor claiming dwMaxCCIDMessageLength 0xFFFFFFFF is marked', () => {
    const bytes = encodeClassDescriptor({ ...GEMPC_PINPAD_PROFILE.descriptor, dwMaxCCIDMessageLength: 0xffffffff });
    const decoded = decodeClassDescriptor(bytes);
    expect(decoded.descriptor?.dwMaxCCIDMessageLength).toBe(0xffffffff);
    expect(decoded.problems).toEqual([
      {
        code: 'length-beyond-ccid-maximum',
        message: 'dwMaxCCIDMessageLength 4294967295 exceeds the CCID maximum (65554 bytes); 65554 is used',
        severity: 'warning',
      },
    ]);
  });

  it('a 64 KiB NotifySlotChange reads 256 slots at most (bSlot is a byte); the rest are trailing bytes', () => {
    const bytes = new Uint8Array(1 + 65_536).fill(0xff);
    bytes[0] = 0x50;
    const message = decodeCcidMessage(bytes, { direction: 'interrupt' });
    expect(message.slotChanges).toHaveLength(256);
    expect(message.problems).toEqual([{ code: 'trailing-bytes', message: '65472 byte(s) after the message', severity: 'warning' }]);
  });
});
