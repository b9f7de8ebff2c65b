/**
 * Classic libpcap reader: both byte orders, microsecond (a1b2c3d4) and nanosecond (a1b23c4d)
 * magics, and Kuznetzov's "modified" format (a1b2cd34, 8 more bytes per record header). One
 * implicit interface; the link type is the low 16 bits of the header's network field (the
 * upper bits carry FCS information we do not need).
 */
import { MAX_UNIT_LENGTH, type CaptureInterface } from './capture-types.js';
import { ContainerReader } from './container-reader.js';
import { SecondsClock } from './timestamps.js';

const FILE_HEADER = 24;

interface PcapMagic {
  littleEndian: boolean;
  nanoseconds: boolean;
  recordHeader: number;
}

/** Reads the magic as little-endian and says what it means, or undefined for anything else. */
export function pcapMagic(magicLe: number): PcapMagic | undefined {
  switch (magicLe >>> 0) {
    case 0xa1b2c3d4:
      return { littleEndian: true, nanoseconds: false, recordHeader: 16 };
    case 0xd4c3b2a1:
      return { littleEndian: false, nanoseconds: false, recordHeader: 16 };
    case 0xa1b23c4d:
      return { littleEndian: true, nanoseconds: true, recordHeader: 16 };
    case 0x4d3cb2a1:
      return { littleEndian: false, nanoseconds: true, recordHeader: 16 };
    case 0xa1b2cd34:
      return { littleEndian: true, nanoseconds: false, recordHeader: 24 };
    case 0x34cdb2a1:
      return { littleEndian: false, nanoseconds: false, recordHeader: 24 };
    default:
      return undefined;
  }
}

export class PcapReader extends ContainerReader {
  private magic: PcapMagic | undefined;
  private clock = new SecondsClock(1000);
  private info: CaptureInterface | undefined;

  get interfaces(): readonly CaptureInterface[] {
    return this.info ? [this.info] : [];
  }

  headerLength(): number {
    return this.magic ? this.magic.recordHeader : FILE_HEADER;
  }

  unitLength(_bytes: Uint8Array, view: DataView, offset: number, fileOffset: number): number {
    if (!this.magic) {
      const magic = pcapMagic(view.getUint32(offset, true));
      if (!magic) return this.fatal('bad-magic', 'not a pcap file header', fileOffset);
      this.magic = magic;
      return FILE_HEADER;
    }
    const capturedLength = view.getUint32(offset + 8, this.magic.littleEndian);
    if (capturedLength > MAX_UNIT_LENGTH) {
      return this.fatal('bad-record-length', `record of ${capturedLength} bytes is beyond any real packet`, fileOffset, this.frame + 1);
    }
    return this.magic.recordHeader + capturedLength;
  }

  unit(bytes: Uint8Array, view: DataView, offset: number, length: number, fileOffset: number): void {
    const magic = this.magic!;
    const le = magic.littleEndian;
    if (!this.info) {
      this.fileHeader(view, offset, magic);
      return;
    }
    this.frame++;
    const capturedLength = length - magic.recordHeader;
    const originalLength = view.getUint32(offset + 12, le);
    if (this.info.snapLength > 0 && capturedLength > this.info.snapLength) {
      this.problem(
        'beyond-snaplen',
        `record of ${capturedLength} bytes exceeds the snapshot length ${this.info.snapLength}`,
        'warning',
        fileOffset,
        this.frame,
      );
    }
    const timeNs = this.clock.timeNs(view.getUint32(offset, le), view.getUint32(offset + 4, le), this.timeBase);
    this.emitPacket(this.info, timeNs, bytes, view, offset + magic.recordHeader, capturedLength, originalLength, undefined);
  }

  finish(danglingBytes: number, expectedLength: number | undefined, fileOffset: number): void {
    if (!this.info) {
      this.headerMissing('truncated', `pcap file header incomplete (${danglingBytes} of 24 bytes)`, fileOffset);
    } else if (danglingBytes > 0) {
      const expected = expectedLength === undefined ? '' : ` of ${expectedLength}`;
      this.cutShort('truncated', `last record cut short (${danglingBytes} byte(s)${expected}); dropped`, fileOffset, this.frame + 1);
    }
  }

  private fileHeader(view: DataView, offset: number, magic: PcapMagic): void {
    const le = magic.littleEndian;
    this.clock = new SecondsClock(magic.nanoseconds ? 1 : 1000);
    this.info = {
      index: 0,
      section: 0,
      linkType: view.getUint32(offset + 20, le) & 0xffff,
      snapLength: view.getUint32(offset + 16, le),
      unitsPerSecond: magic.nanoseconds ? 1_000_000_000n : 1_000_000n,
      offsetSeconds: 0n,
      littleEndian: le,
    };
    this.handlers.interface(this.info);
  }
}
