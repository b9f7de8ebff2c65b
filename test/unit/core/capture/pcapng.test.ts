import { describe, expect, it } from 'vitest';
import { PcapngReader } from '#core/capture/index.js';
import { Bytes, block, concatBytes, epb, idb, obsoletePacketBlock, shb, spb } from './capture-builder.js';
import { runContainer } from './container-harness.js';

const read = (bytes: Uint8Array, chunk?: number) => runContainer((h) => new PcapngReader(h), bytes, chunk);

describe('pcapng reader', () => {
  const little = concatBytes(
    shb(),
    idb({ linkType: 220, snapLength: 4096, tsresol: 9, name: 'usbmon1' }),
    block(4, new Bytes().u16(0).u16(0).build()), // NRB: skipped
    epb(0, 1_700_000_000_000_000_000n, Uint8Array.of(1, 2, 3)),
    block(0x0bad, new Bytes().u32(32473).u32(7).build()), // custom: skipped
    epb(0, 1_700_000_000_000_001_500n, Uint8Array.of(4, 5, 6, 7, 8), 9),
    block(5, new Bytes().u32(0).u32(0).u32(0).build()), // ISB: skipped
  );

  it('reads SHB, IDB options, EPBs and skips NRB/ISB/custom blocks', () => {
    const seen = read(little);
    expect(seen.problems).toEqual([]);
    expect(seen.interfaces).toHaveLength(1);
    expect(seen.interfaces[0]).toMatchObject({
      index: 0,
      linkType: 220,
      snapLength: 4096,
      name: 'usbmon1',
      unitsPerSecond: 1_000_000_000n,
    });
    expect(seen.records.map((r) => r.data)).toEqual([
      [1, 2, 3],
      [4, 5, 6, 7, 8],
    ]);
    expect(seen.records.map((r) => r.frame)).toEqual([1, 2]);
    expect(seen.records[1]!.originalLength).toBe(9);
    // ns resolution: 1500 ns after frame 1, exact although the epoch does not fit a double.
    expect(seen.records.map((r) => r.timeNs)).toEqual([0, 1500]);
    expect(seen.start).toBe(1_700_000_000_000_000_000n);
  });

  it('gives the same records whatever the chunking (every split point of a block)', () => {
    const whole = read(little);
    for (const chunk of [1, 2, 3, 5, 7, 11, 13, 64]) expect(read(little, chunk)).toEqual(whole);
  });

  it('reads big-endian sections', () => {
    const big = concatBytes(shb(false), idb({ linkType: 249 }, false), epb(0, 5_000_000n, Uint8Array.of(9, 8, 7), 3, false));
    const seen = read(big);
    expect(seen.problems).toEqual([]);
    expect(seen.interfaces[0]).toMatchObject({ linkType: 249, littleEndian: false, unitsPerSecond: 1_000_000n });
    expect(seen.records[0]!.data).toEqual([9, 8, 7]);
    expect(seen.start).toBe(5_000_000_000n);
  });

  it('numbers interfaces globally and resets them per section (mixed byte orders)', () => {
    const bytes = concatBytes(
      shb(),
      idb({ linkType: 220 }),
      idb({ linkType: 249 }),
      epb(1, 1_000_000n, Uint8Array.of(1)),
      shb(false),
      idb({ linkType: 266 }, false),
      epb(0, 2_000_000n, Uint8Array.of(2), 1, false),
      epb(1, 3_000_000n, Uint8Array.of(3), 1, false), // interface 1 does not exist in section 2
    );
    const seen = read(bytes);
    expect(seen.interfaces.map((i) => [i.index, i.section, i.linkType])).toEqual([
      [0, 0, 220],
      [1, 0, 249],
      [2, 1, 266],
    ]);
    expect(seen.records.map((r) => [r.frame, r.interfaceIndex, r.linkType, r.timeNs])).toEqual([
      [1, 1, 249, 0],
      [2, 2, 266, 1e9],
    ]);
    expect(seen.problems).toMatchObject([{ code: 'unknown-interface', frame: 3 }]);
  });

  it('honours if_tsresol as a power of two and if_tsoffset', () => {
    // 2^-10 s units; offset 100 s.
    const bytes = concatBytes(
      shb(),
      idb({ linkType: 220, tsresol: 0x80 | 10, tsoffset: 100n }),
      epb(0, 1024n, Uint8Array.of(1)),
      epb(0, 1024n + 512n, Uint8Array.of(2)),
    );
    const seen = read(bytes);
    expect(seen.start).toBe(101_000_000_000n);
    expect(seen.records.map((r) => r.timeNs)).toEqual([0, 500_000_000]);
  });

  it('reads Simple Packet Blocks with interface 0 snaplen, and the obsolete Packet Block', () => {
    const bytes = concatBytes(
      shb(),
      idb({ linkType: 220, snapLength: 4 }),
      obsoletePacketBlock(0, 7_000_000n, Uint8Array.of(1, 2)),
      spb(Uint8Array.of(1, 2, 3, 4, 0, 0, 0, 0), 10),
    );
    const seen = read(bytes);
    expect(seen.problems).toEqual([]);
    expect(seen.records.map((r) => [r.frame, r.data, r.originalLength])).toEqual([
      [1, [1, 2], 2],
      [2, [1, 2, 3, 4], 10],
    ]);
    // SPB has no timestamp: it takes the previous packet's.
    expect(seen.records[1]!.timeNs).toBe(seen.records[0]!.timeNs);
  });

  it.each([
    ['shorter than 12', 8],
    ['not a multiple of 4', 30],
    ['beyond 16 MiB', 0x7fff_fff0],
  ])('stops cleanly on a block length %s', (_label, length) => {
    const bad = new Bytes().u32(6).u32(length).u32(0).build();
    const seen = read(concatBytes(shb(), idb({ linkType: 220 }), epb(0, 1n, Uint8Array.of(1)), bad, epb(0, 2n, Uint8Array.of(2))));
    expect(seen.records).toHaveLength(1);
    expect(seen.problems).toMatchObject([{ code: 'bad-block-length', severity: 'error' }]);
  });

  it('reports a file cut inside a block and keeps what came before', () => {
    const bytes = concatBytes(shb(), idb({ linkType: 220 }), epb(0, 1n, Uint8Array.of(1, 2, 3, 4)), epb(0, 2n, Uint8Array.of(5, 6, 7, 8)));
    const seen = read(bytes.subarray(0, bytes.length - 5));
    expect(seen.records).toHaveLength(1);
    expect(seen.problems).toMatchObject([{ code: 'truncated', severity: 'warning' }]);
  });

  it('flags a captured length larger than its block and clamps it', () => {
    const body = new Bytes().u32(0).u32(0).u32(1).u32(200).u32(200).bytes([1, 2, 3, 4]).build();
    const seen = read(concatBytes(shb(), idb({ linkType: 220 }), block(6, body)));
    expect(seen.records[0]!.data).toEqual([1, 2, 3, 4]);
    expect(seen.problems).toMatchObject([{ code: 'length-beyond-block', frame: 1 }]);
  });

  it('refuses data that does not start with a section header', () => {
    const seen = read(concatBytes(idb({ linkType: 220 }), epb(0, 1n, Uint8Array.of(1))));
    expect(seen.records).toEqual([]);
    expect(seen.problems).toMatchObject([{ code: 'no-section-header' }]);
  });
});
