/**
 * A capture that cannot be read to its end says so (issue 8, item 4): the summary's stoppedBy
 * and the report's complete/stoppedBy name the problem that stopped the reader, and everything
 * before it is still decoded. Built from a real capture cut or spoiled in each way users meet.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCaptureBytes } from '#core/capture/index.js';
import { decodeTraceBytes } from '#core/trace/trace-decoder.js';
import { requireShared, sharedPath } from '../../../shared-path.js';
import { concatBytes, pcapHeader } from './capture-builder.js';

const skip = requireShared('captures');
const read = (...parts: string[]) => (skip ? new Uint8Array(0) : new Uint8Array(readFileSync(sharedPath('captures', ...parts))));
const PCAPNG = read('usbmon-qemu-labcard', 'labcard-basic.usbmon.pcapng');
const PCAP = read('usbmon-qemu-labcard', 'labcard-basic.usbmon.pcap');

/** Offsets of the pcapng blocks of a little-endian file. */
function blockOffsets(bytes: Uint8Array): number[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const offsets: number[] = [];
  for (let at = 0; at < bytes.length; at += view.getUint32(at + 4, true)) offsets.push(at);
  return offsets;
}

describe.skipIf(skip)('imports that stop before the end of the file', () => {
  it('a complete file is complete', () => {
    const report = decodeTraceBytes(PCAPNG);
    expect(report.complete).toBe(true);
    expect(report.stoppedBy).toBeUndefined();
    expect(report.exchanges).toHaveLength(33);
    expect(decodeTraceBytes(PCAP).complete).toBe(true);
  });

  it('cut in the middle of a block: truncated, with what came before decoded', () => {
    const blocks = blockOffsets(PCAPNG);
    const cut = blocks[Math.floor(blocks.length / 2)]! + 20;
    const report = decodeTraceBytes(PCAPNG.subarray(0, cut));
    expect(report.complete).toBe(false);
    expect(report.stoppedBy).toMatchObject({
      code: 'truncated',
      message: expect.stringMatching(/^file ends inside a block \(20 byte\(s\) of \d+\)$/),
    });
    expect(report.stoppedBy!.fileOffset).toBe(blocks[Math.floor(blocks.length / 2)]);
    expect(report.exchanges.length).toBeGreaterThan(0);
    expect(report.exchanges.length).toBeLessThan(33);
  });

  it('a block length beyond the end of the file', () => {
    const bytes = PCAPNG.slice();
    const blocks = blockOffsets(bytes);
    const at = blocks[blocks.length - 10]!;
    new DataView(bytes.buffer).setUint32(at + 4, 1_000_000, true);
    const report = decodeTraceBytes(bytes);
    expect(report.complete).toBe(false);
    expect(report.stoppedBy).toMatchObject({ code: 'truncated', fileOffset: at });
    expect(report.stoppedBy!.message).toMatch(/of 1000000\)$/);
  });

  it('an impossible block length stops the reader there', () => {
    const bytes = PCAPNG.slice();
    const at = blockOffsets(bytes)[20]!;
    new DataView(bytes.buffer).setUint32(at + 4, 13, true);
    const report = decodeTraceBytes(bytes);
    expect(report.stoppedBy).toMatchObject({
      code: 'bad-block-length',
      fileOffset: at,
      message: expect.stringContaining('import stopped here'),
    });
    expect(report.complete).toBe(false);
  });

  it('a second section whose header is spoiled (bad byte-order magic)', () => {
    const second = PCAPNG.slice();
    new DataView(second.buffer).setUint32(8, 0xdeadbeef, true);
    const report = decodeTraceBytes(concatBytes(PCAPNG, second));
    expect(report.stoppedBy).toMatchObject({ code: 'bad-byte-order-magic', fileOffset: PCAPNG.length });
    expect(report.exchanges).toHaveLength(33);
  });

  it('garbage after a valid section', () => {
    const garbage = new TextEncoder().encode('this text was appended to the capture by mistake\n'.repeat(3));
    const report = decodeTraceBytes(concatBytes(PCAPNG, garbage));
    expect(report.complete).toBe(false);
    expect(report.stoppedBy).toMatchObject({ fileOffset: PCAPNG.length });
    expect(report.exchanges).toHaveLength(33);
  });

  it('pcap: a record cut short, and a record length no packet has', () => {
    const cut = decodeTraceBytes(PCAP.subarray(0, PCAP.length - 7));
    expect(cut.stoppedBy).toMatchObject({ code: 'truncated', message: expect.stringContaining('last record cut short') });
    const huge = concatBytes(PCAP, new Uint8Array(new Uint32Array([0, 0, 0x7fffffff, 0x7fffffff]).buffer));
    expect(decodeTraceBytes(huge).stoppedBy).toMatchObject({ code: 'bad-record-length' });
    expect(parseCaptureBytes(concatBytes(pcapHeader(220), new Uint8Array(3))).stoppedBy).toMatchObject({ code: 'truncated' });
  });
});
