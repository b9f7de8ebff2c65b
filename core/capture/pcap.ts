/**
 * Classic libpcap reader: both byte orders, microsecond (a1b2c3d4) and nanosecond (a1b23c4d)
 * magics, and Kuznetzov's "modified" format (a1b2cd34, 8 more bytes per record header). One
 * implicit interface; the link type is the low 16 bits of the header's network field (the
 * upper bits carry FCS information we do not need).
 */
import { UnitSplitter, type ByteSink, type UnitFramer } from './byte-source.js';
import { MAX_UNIT_LENGTH, newRecord, type CaptureInterface, type CaptureProblem, type ContainerHandlers } from './capture-types.js';
import { CaptureTimeBase, SecondsClock } from './timestamps.js';

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

export class PcapReader implements ByteSink, UnitFramer {
  private readonly splitter = new UnitSplitter(this);
  private readonly record = newRecord();
  private readonly timeBase: CaptureTimeBase;
  private magic: PcapMagic | undefined;
  private clock = new SecondsClock(1000);
  private info: CaptureInterface | undefined;
  private frame = 0;
  private stop: CaptureProblem | undefined;

  constructor(private readonly handlers: ContainerHandlers) {
    this.timeBase = new CaptureTimeBase((ns) => handlers.start?.(ns));
  }

  get interfaces(): readonly CaptureInterface[] {
    return this.info ? [this.info] : [];
  }
  get startEpochNs(): bigint | undefined {
    return this.timeBase.startEpochNs;
  }
  get frameCount(): number {
    return this.frame;
  }
  /** Why the file could not be read to its end (a record cut short, a length no record can have…). */
  get stoppedBy(): CaptureProblem | undefined {
    return this.stop;
  }

  push(chunk: Uint8Array): void {
    this.splitter.push(chunk);
  }
  end(): void {
    this.splitter.end();
  }

  headerLength(): number {
    return this.magic ? this.magic.recordHeader : FILE_HEADER;
  }

  unitLength(_bytes: Uint8Array, view: DataView, offset: number, fileOffset: number): number {
    if (!this.magic) {
      const magic = pcapMagic(view.getUint32(offset, true));
      if (!magic) {
        this.stop ??= this.problem('bad-magic', 'not a pcap file header; import stopped here', fileOffset);
        return -1;
      }
      this.magic = magic;
      return FILE_HEADER;
    }
    const capturedLength = view.getUint32(offset + 8, this.magic.littleEndian);
    if (capturedLength > MAX_UNIT_LENGTH) {
      this.stop ??= this.problem(
        'bad-record-length',
        `record of ${capturedLength} bytes is beyond any real packet; import stopped here`,
        fileOffset,
        this.frame + 1,
      );
      return -1;
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
        fileOffset,
        this.frame,
        'warning',
      );
    }
    const r = this.record;
    r.frame = this.frame;
    r.interfaceIndex = 0;
    r.linkType = this.info.linkType;
    r.littleEndian = le;
    r.timeNs = this.clock.timeNs(view.getUint32(offset, le), view.getUint32(offset + 4, le), this.timeBase);
    r.originalLength = Math.max(originalLength, capturedLength);
    r.capturedLength = capturedLength;
    r.buffer = bytes;
    r.view = view;
    r.offset = offset + magic.recordHeader;
    this.handlers.record(r);
  }

  finish(danglingBytes: number, expectedLength: number | undefined, fileOffset: number): void {
    if (!this.info) {
      this.stop ??= this.problem('truncated', `pcap file header incomplete (${danglingBytes} of 24 bytes)`, fileOffset);
    } else if (danglingBytes > 0) {
      const expected = expectedLength === undefined ? '' : ` of ${expectedLength}`;
      this.stop ??= this.problem(
        'truncated',
        `last record cut short (${danglingBytes} byte(s)${expected}); dropped`,
        fileOffset,
        this.frame + 1,
        'warning',
      );
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

  private problem(
    code: string,
    message: string,
    fileOffset: number,
    frame?: number,
    severity: 'warning' | 'error' = 'error',
  ): CaptureProblem {
    const problem: CaptureProblem = { code, message, severity, fileOffset };
    if (frame !== undefined) problem.frame = frame;
    this.handlers.problem(problem);
    return problem;
  }
}
