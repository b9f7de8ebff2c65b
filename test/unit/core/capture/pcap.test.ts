import { describe, expect, it } from 'vitest';
import { PcapReader, detectCaptureFormat } from '#core/capture/index.js';
import { Bytes, concatBytes, pcapHeader, pcapRecord } from './capture-builder.js';
import { runContainer } from './container-harness.js';

const read = (bytes: Uint8Array, chunk?: number) => runContainer((h) => new PcapReader(h), bytes, chunk);

describe('pcap reader', () => {
  const micro = concatBytes(
    pcapHeader(220, { snapLength: 4160 }),
    pcapRecord(1_700_000_000, 250_000, Uint8Array.of(1, 2, 3)),
    pcapRecord(1_700_000_001, 0, Uint8Array.of(4, 5), { originalLength: 64 }),
  );

  it('reads the header link type, snaplen and microsecond records', () => {
    const seen = read(micro);
    expect(seen.problems).toEqual([]);
    expect(seen.interfaces).toMatchObject([{ linkType: 220, snapLength: 4160, unitsPerSecond: 1_000_000n, littleEndian: true }]);
    expect(seen.records.map((r) => [r.frame, r.data, r.originalLength, r.timeNs])).toEqual([
      [1, [1, 2, 3], 3, 0],
      [2, [4, 5], 64, 750_000_000],
    ]);
    expect(seen.start).toBe(1_700_000_000_250_000_000n);
  });

  it('gives the same records at every chunk size', () => {
    const whole = read(micro);
    for (const chunk of [1, 3, 7, 16, 23]) expect(read(micro, chunk)).toEqual(whole);
  });

  it('reads big-endian nanosecond files', () => {
    const bytes = concatBytes(
      pcapHeader(189, { le: false, nanoseconds: true }),
      pcapRecord(10, 5, Uint8Array.of(7), { le: false }),
      pcapRecord(10, 17, Uint8Array.of(8), { le: false }),
    );
    const seen = read(bytes);
    expect(seen.interfaces[0]).toMatchObject({ linkType: 189, littleEndian: false, unitsPerSecond: 1_000_000_000n });
    expect(seen.records.map((r) => r.timeNs)).toEqual([0, 12]);
  });

  it('takes the link type from the low 16 bits (FCS bits above are ignored)', () => {
    const header = pcapHeader(249);
    header[23] = 0x14; // FCS length bits
    expect(read(header).interfaces[0]!.linkType).toBe(249);
  });

  it('drops a truncated last record with a problem', () => {
    const seen = read(micro.subarray(0, micro.length - 1));
    expect(seen.records).toHaveLength(1);
    expect(seen.problems).toMatchObject([{ code: 'truncated', frame: 2 }]);
  });

  it('stops on an absurd record length without allocating it', () => {
    const bad = new Bytes().u32(1).u32(0).u32(0xfffffff0).u32(0xfffffff0).build();
    const seen = read(concatBytes(micro, bad, pcapRecord(2, 0, Uint8Array.of(1))));
    expect(seen.records).toHaveLength(2);
    expect(seen.problems).toMatchObject([{ code: 'bad-record-length', frame: 3 }]);
  });

  it('warns when a record exceeds the snapshot length', () => {
    const seen = read(concatBytes(pcapHeader(220, { snapLength: 2 }), pcapRecord(0, 0, Uint8Array.of(1, 2, 3))));
    expect(seen.records).toHaveLength(1);
    expect(seen.problems).toMatchObject([{ code: 'beyond-snaplen', severity: 'warning' }]);
  });
});

describe('detectCaptureFormat', () => {
  it('recognises pcapng and every pcap magic', () => {
    expect(detectCaptureFormat(Uint8Array.of(0x0a, 0x0d, 0x0d, 0x0a))).toEqual({ ok: true, format: 'pcapng' });
    for (const magic of [
      [0xd4, 0xc3, 0xb2, 0xa1],
      [0xa1, 0xb2, 0xc3, 0xd4],
      [0x4d, 0x3c, 0xb2, 0xa1],
      [0xa1, 0xb2, 0x3c, 0x4d],
    ]) {
      expect(detectCaptureFormat(Uint8Array.from(magic))).toEqual({ ok: true, format: 'pcap' });
    }
  });

  it('says the file is neither without quoting its bytes (they may come from any file on the machine)', () => {
    const result = detectCaptureFormat(new TextEncoder().encode('GET / HTTP/1.1'));
    expect(result).toEqual({ ok: false, needMore: false, message: 'not a pcap/pcapng file' });
    const gz = detectCaptureFormat(Uint8Array.of(0x1f, 0x8b, 8, 0, 0));
    expect(gz.ok === false && gz.message).toContain('gzip');
    expect(detectCaptureFormat(new Uint8Array(0))).toMatchObject({ ok: false, needMore: true, message: 'empty file' });
  });
});
