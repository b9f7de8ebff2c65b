/**
 * pcapng reader (draft-ietf-opsawg-pcapng): every block type is framed by its length; SHB,
 * IDB, EPB, SPB and the obsolete Packet Block are read, everything else (NRB, ISB, decryption
 * secrets, custom, journal, unknown) is skipped. Each SHB starts a section with its own byte
 * order and its own interface numbering; interfaces get a global index like Wireshark's.
 *
 * Hostile input: a block length < 12, not a multiple of 4 or > 16 MiB cannot be resynchronised
 * reliably, so it stops the import with a problem (nothing is allocated for it).
 */
import { hexLiteral } from '../bytes/hex.js';
import { MAX_INTERFACE_COMMENTS, MAX_UNIT_LENGTH, type CaptureInterface } from './capture-types.js';
import { ContainerReader } from './container-reader.js';
import { LINKTYPE_WIRESHARK_UPPER_PDU, PCAPNG_OPT_COMMENT } from './exported-pdu.js';
import { decodeUtf8, stripNul } from './text-decode.js';
import { UnitClock, unitsPerSecondFromResolution } from './timestamps.js';

export const PCAPNG_BLOCK_TYPES: Record<number, string> = {
  0x0a0d0d0a: 'Section Header Block',
  0x00000001: 'Interface Description Block',
  0x00000002: 'Packet Block (obsolete)',
  0x00000003: 'Simple Packet Block',
  0x00000004: 'Name Resolution Block',
  0x00000005: 'Interface Statistics Block',
  0x00000006: 'Enhanced Packet Block',
  0x00000009: 'systemd Journal Export Block',
  0x0000000a: 'Decryption Secrets Block',
  0x00000bad: 'Custom Block',
  0x40000bad: 'Custom Block (do not copy)',
};

const SHB = 0x0a0d0d0a;
const IDB = 1;
const PACKET_BLOCK = 2;
const SPB = 3;
const EPB = 6;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const BLOCK_HEADER = 12;

/**
 * Interfaces kept for the whole capture. An IDB is 20 bytes on disk but an object and a clock in
 * memory: a file of nothing but IDBs must not decide how much we keep. Real captures have a
 * handful (one per USB bus or root hub).
 */
export const MAX_CAPTURE_INTERFACES = 4096;

const OPT_END = 0;
const IF_NAME = 2;
const IF_DESCRIPTION = 3;
const IF_TSRESOL = 9;
const IF_TSOFFSET = 14;

interface SectionInterface {
  info: CaptureInterface;
  clock: UnitClock;
}

export class PcapngReader extends ContainerReader {
  private littleEndian = true;
  private sawSectionHeader = false;
  private section = -1;
  private sectionInterfaces: SectionInterface[] = [];
  private readonly allInterfaces: CaptureInterface[] = [];
  private lastTimeNs = 0;
  private droppedInterfaces = 0;

  get interfaces(): readonly CaptureInterface[] {
    return this.allInterfaces;
  }

  headerLength(): number {
    return BLOCK_HEADER;
  }

  unitLength(bytes: Uint8Array, view: DataView, offset: number, fileOffset: number): number {
    let type = view.getUint32(offset, this.littleEndian);
    if (type === SHB) {
      const magic = view.getUint32(offset + 8, true);
      if (magic === BYTE_ORDER_MAGIC) this.littleEndian = true;
      else if (magic === 0x4d3c2b1a) this.littleEndian = false;
      else return this.fatal('bad-byte-order-magic', `section header byte-order magic is ${hexLiteral(magic, 8)}`, fileOffset);
    } else if (!this.sawSectionHeader) {
      return this.fatal('no-section-header', 'pcapng data does not start with a Section Header Block', fileOffset);
    }
    type = view.getUint32(offset, this.littleEndian);
    const length = view.getUint32(offset + 4, this.littleEndian);
    if (length < BLOCK_HEADER || length % 4 !== 0 || length > MAX_UNIT_LENGTH) {
      const name = PCAPNG_BLOCK_TYPES[type] ?? `block type ${hexLiteral(type, 8)}`;
      return this.fatal('bad-block-length', `${name} has an impossible length ${length}`, fileOffset);
    }
    if (type === SHB && length < 28) return this.fatal('bad-block-length', `Section Header Block of ${length} bytes`, fileOffset);
    void bytes;
    return length;
  }

  unit(bytes: Uint8Array, view: DataView, offset: number, length: number, fileOffset: number): void {
    const le = this.littleEndian;
    const type = view.getUint32(offset, le);
    if (view.getUint32(offset + length - 4, le) !== length) {
      this.problem('block-length-mismatch', 'trailing block length differs from the leading one', 'warning', fileOffset);
    }
    switch (type) {
      case SHB:
        this.sectionHeader(view, offset, fileOffset);
        break;
      case IDB:
        this.interfaceDescription(bytes, view, offset, length, fileOffset);
        break;
      case EPB:
        this.enhancedPacket(bytes, view, offset, length, fileOffset);
        break;
      case SPB:
        this.simplePacket(bytes, view, offset, length, fileOffset);
        break;
      case PACKET_BLOCK:
        this.obsoletePacket(bytes, view, offset, length, fileOffset);
        break;
      default:
        // NRB, ISB, DSB, custom and unknown blocks carry nothing a USB decode needs.
        break;
    }
  }

  finish(danglingBytes: number, expectedLength: number | undefined, fileOffset: number): void {
    if (danglingBytes > 0) {
      const expected = expectedLength === undefined ? '' : ` of ${expectedLength}`;
      this.cutShort('truncated', `file ends inside a block (${danglingBytes} byte(s)${expected})`, fileOffset);
    } else if (!this.sawSectionHeader) {
      this.problem('empty', 'no pcapng section in the data', 'error', fileOffset);
    }
  }

  private sectionHeader(view: DataView, offset: number, fileOffset: number): void {
    this.sawSectionHeader = true;
    this.section++;
    this.sectionInterfaces = [];
    const major = view.getUint16(offset + 12, this.littleEndian);
    if (major !== 1) this.problem('unsupported-version', `pcapng major version ${major}`, 'warning', fileOffset);
  }

  private interfaceDescription(bytes: Uint8Array, view: DataView, offset: number, length: number, fileOffset: number): void {
    const le = this.littleEndian;
    if (length < 20) {
      this.problem('short-block', 'Interface Description Block too short', 'error', fileOffset);
      return;
    }
    if (this.allInterfaces.length >= MAX_CAPTURE_INTERFACES) {
      // Later IDBs are not kept; packets that name them are reported as of an unknown interface.
      if (this.droppedInterfaces++ === 0) {
        this.problem('too-many-interfaces', `more than ${MAX_CAPTURE_INTERFACES} interfaces: the rest are dropped`, 'warning', fileOffset);
      }
      return;
    }
    let resolution = 6;
    let offsetSeconds = 0n;
    let name: string | undefined;
    let description: string | undefined;
    const comments: string[] = [];
    forEachOption(view, offset + 16, offset + length - 4, le, (code, at, size) => {
      if (code === PCAPNG_OPT_COMMENT) {
        if (comments.length < MAX_INTERFACE_COMMENTS) comments.push(decodeUtf8(bytes.subarray(at, at + size)));
      } else if (code === IF_TSRESOL && size >= 1) resolution = view.getUint8(at);
      else if (code === IF_TSOFFSET && size >= 8) offsetSeconds = le ? view.getBigInt64(at, true) : view.getBigInt64(at, false);
      else if (code === IF_NAME) name = stripNul(decodeUtf8(bytes.subarray(at, at + size)));
      else if (code === IF_DESCRIPTION) description = stripNul(decodeUtf8(bytes.subarray(at, at + size)));
    });
    const unitsPerSecond = unitsPerSecondFromResolution(resolution);
    const info: CaptureInterface = {
      index: this.allInterfaces.length,
      section: this.section,
      linkType: view.getUint16(offset + 8, le),
      snapLength: view.getUint32(offset + 12, le),
      unitsPerSecond,
      offsetSeconds,
      littleEndian: le,
    };
    if (name !== undefined) info.name = name;
    if (description !== undefined) info.description = description;
    if (comments.length > 0) info.comments = comments;
    this.allInterfaces.push(info);
    this.sectionInterfaces.push({ info, clock: new UnitClock(unitsPerSecond, offsetSeconds) });
    this.handlers.interface(info);
  }

  private enhancedPacket(bytes: Uint8Array, view: DataView, offset: number, length: number, fileOffset: number): void {
    this.timedPacket(bytes, view, offset, length, fileOffset, 'Enhanced Packet Block', 4);
  }

  /** The obsolete Packet Block (type 2): an EPB with a 16-bit interface id and a drops count. */
  private obsoletePacket(bytes: Uint8Array, view: DataView, offset: number, length: number, fileOffset: number): void {
    this.timedPacket(bytes, view, offset, length, fileOffset, 'Packet Block', 2);
  }

  private timedPacket(
    bytes: Uint8Array,
    view: DataView,
    offset: number,
    length: number,
    fileOffset: number,
    blockName: string,
    interfaceIdSize: 2 | 4,
  ): void {
    const le = this.littleEndian;
    this.frame++;
    if (length < 32) return this.packetProblem('short-block', `${blockName} too short`, fileOffset);
    const interfaceId = interfaceIdSize === 4 ? view.getUint32(offset + 8, le) : view.getUint16(offset + 8, le);
    const iface = this.sectionInterfaces[interfaceId];
    if (!iface) return this.packetProblem('unknown-interface', `packet for interface ${interfaceId} that was never described`, fileOffset);
    const timeNs = iface.clock.timeNs(view.getUint32(offset + 12, le), view.getUint32(offset + 16, le), this.timeBase);
    const captured = view.getUint32(offset + 20, le);
    // Only exported-PDU recordings put anything we read in packet comments: USB packets skip the walk.
    const comment =
      iface.info.linkType === LINKTYPE_WIRESHARK_UPPER_PDU && captured <= length - 32
        ? packetComment(bytes, view, offset + 28 + ((captured + 3) & ~3), offset + length - 4, le)
        : undefined;
    this.emit(bytes, view, iface.info, timeNs, offset + 28, captured, view.getUint32(offset + 24, le), length - 32, fileOffset, comment);
  }

  /** SPB: no interface id (always 0), no timestamp (we reuse the previous packet's), no caplen. */
  private simplePacket(bytes: Uint8Array, view: DataView, offset: number, length: number, fileOffset: number): void {
    this.frame++;
    if (length < 16) return this.packetProblem('short-block', 'Simple Packet Block too short', fileOffset);
    const iface = this.sectionInterfaces[0];
    if (!iface) return this.packetProblem('unknown-interface', 'Simple Packet Block without an interface 0', fileOffset);
    const originalLength = view.getUint32(offset + 8, this.littleEndian);
    const room = length - 16;
    let captured = Math.min(originalLength, room);
    if (iface.info.snapLength > 0) captured = Math.min(captured, iface.info.snapLength);
    this.emit(bytes, view, iface.info, this.lastTimeNs, offset + 12, captured, originalLength, room, fileOffset);
  }

  private emit(
    bytes: Uint8Array,
    view: DataView,
    iface: CaptureInterface,
    timeNs: number,
    dataOffset: number,
    capturedLength: number,
    originalLength: number,
    room: number,
    fileOffset: number,
    comment?: string,
  ): void {
    if (capturedLength > room) {
      this.problem(
        'length-beyond-block',
        `captured length ${capturedLength} exceeds the block (${room} bytes)`,
        'error',
        fileOffset,
        this.frame,
      );
      capturedLength = room;
    }
    this.lastTimeNs = timeNs;
    this.emitPacket(iface, timeNs, bytes, view, dataOffset, capturedLength, originalLength, comment);
  }

  private packetProblem(code: string, message: string, fileOffset: number): void {
    this.problem(code, message, 'error', fileOffset, this.frame);
  }
}

/** The first opt_comment of a packet block's options, if any. */
function packetComment(bytes: Uint8Array, view: DataView, start: number, end: number, littleEndian: boolean): string | undefined {
  let comment: string | undefined;
  forEachOption(view, start, end, littleEndian, (code, at, size) => {
    if (code === PCAPNG_OPT_COMMENT && comment === undefined) comment = decodeUtf8(bytes.subarray(at, at + size));
  });
  return comment;
}

/** Walks a pcapng option list; stops at opt_endofopt or at the first option that overflows. */
function forEachOption(
  view: DataView,
  start: number,
  end: number,
  littleEndian: boolean,
  visit: (code: number, valueOffset: number, valueLength: number) => void,
): void {
  let at = start;
  while (at + 4 <= end) {
    const code = view.getUint16(at, littleEndian);
    const size = view.getUint16(at + 2, littleEndian);
    if (code === OPT_END) return;
    if (at + 4 + size > end) return;
    visit(code, at + 4, size);
    at += 4 + ((size + 3) & ~3);
  }
}
