/**
 * Types shared by the container readers (pcap, pcapng) and the USB layers above them.
 *
 * Time model: every record carries `timeNs`, a JS number of nanoseconds relative to the FIRST
 * record of the capture (frame 1 has timeNs 0; a later record may be negative if the writer's
 * clock went back). Relative numbers stay exact to the nanosecond for ~104 days, whereas an
 * absolute epoch in nanoseconds (~1.7e18) does not fit a double. The absolute epoch time of
 * frame 1 is reported once, as a bigint, in `CaptureInfo.startEpochNs`.
 */
import type { Problem } from '../dissect/node.js';

export type CaptureFormat = 'pcap' | 'pcapng';

/** A problem found while reading, with where it happened. */
export interface CaptureProblem extends Problem {
  /** 1-based frame number when the problem belongs to one packet. */
  frame?: number;
  /** Absolute byte offset in the file of the block/record concerned. */
  fileOffset?: number;
}

/** One capture interface (pcapng IDB, or the single implicit interface of a classic pcap). */
export interface CaptureInterface {
  /** Global index across all pcapng sections (Wireshark numbers them the same way). */
  index: number;
  /** pcapng section (0-based); 0 for pcap. */
  section: number;
  linkType: number;
  /** 0 means "no limit". */
  snapLength: number;
  name?: string;
  description?: string;
  /** if_comment/opt_comment texts (at most MAX_INTERFACE_COMMENTS): exported-PDU recordings name their reader there. */
  comments?: string[];
  /** Timestamp units per second, e.g. 1_000_000 for microseconds. */
  unitsPerSecond: bigint;
  /** if_tsoffset: seconds added to every timestamp of this interface. */
  offsetSeconds: bigint;
  /** Byte order of the host that wrote the section: usbmon pseudo-headers use it. */
  littleEndian: boolean;
}

export interface CaptureInfo {
  format: CaptureFormat;
  /** Epoch time of frame 1 in nanoseconds, once a record has been seen. */
  startEpochNs?: bigint;
  interfaces: CaptureInterface[];
}

/**
 * One packet record. FLYWEIGHT: the container readers reuse one object for every record so
 * that a 1.8 M packet import does not allocate 1.8 M of them; copy what you keep.
 * `buffer[offset .. offset+capturedLength)` are the captured bytes; `buffer` is the pushed chunk
 * when the record lies inside it, a private copy when it straddled two chunks. Holding a view
 * pins the whole chunk in memory, so layers that keep bytes copy them.
 */
export interface CaptureRecord {
  frame: number;
  interfaceIndex: number;
  linkType: number;
  littleEndian: boolean;
  timeNs: number;
  originalLength: number;
  capturedLength: number;
  buffer: Uint8Array;
  /** A DataView over `buffer` (same byteOffset), so decoders read without allocating. */
  view: DataView;
  offset: number;
  /**
   * The packet's opt_comment, read only for exported-PDU interfaces (link type 252, where
   * recordings put card events in it); undefined otherwise.
   */
  comment: string | undefined;
}

export interface ContainerHandlers {
  interface(info: CaptureInterface): void;
  record(record: CaptureRecord): void;
  problem(problem: CaptureProblem): void;
  /** First record seen: the epoch base of all `timeNs`. */
  start?(startEpochNs: bigint): void;
}

export function newRecord(): CaptureRecord {
  const empty = new Uint8Array(0);
  return {
    frame: 0,
    interfaceIndex: 0,
    linkType: 0,
    littleEndian: true,
    timeNs: 0,
    originalLength: 0,
    capturedLength: 0,
    buffer: empty,
    view: new DataView(empty.buffer),
    offset: 0,
    comment: undefined,
  };
}

/** Comments kept per interface: a recording writes one or two; a hostile IDB may hold thousands. */
export const MAX_INTERFACE_COMMENTS = 16;

/** Hard limit for one pcapng block or pcap record: nothing real comes close, hostile files do. */
export const MAX_UNIT_LENGTH = 16 * 1024 * 1024;
