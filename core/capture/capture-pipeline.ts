/**
 * The capture pipeline in one push-driven object: bytes → container (pcap/pcapng, detected
 * from the first bytes) → link-type decoder → UsbPacket → submit/complete pairing and devices
 * → bulk/interrupt UsbTransfer → CCID message reassembly. Every stage reports through the
 * handlers as it goes; nothing is accumulated here except bounded state, so a file of any size
 * can stream through. `parseCaptureBytes` is the collect-everything convenience for tests.
 */
import { concatBytes } from '../bytes/concat.js';
import type { ByteSink } from './byte-source.js';
import type { CaptureFormat, CaptureInterface, CaptureProblem, CaptureRecord, ContainerHandlers } from './capture-types.js';
import { CcidStreamAssembler, type CcidEndpoints, type CcidFrame, type CcidStreamOptions } from './ccid-stream.js';
import { dataTransferSlot } from './link-peek.js';
import { LINKTYPE_WIRESHARK_UPPER_PDU } from './exported-pdu.js';
import { detectCaptureFormat } from './format-detect.js';
import { UsbLinkDecoderSet } from './link-types.js';
import { PcapReader } from './pcap.js';
import { PcapngReader } from './pcapng.js';
import type { UsbDeviceInfo } from './usb-devices.js';
import type { UsbPacket } from './usb-packet.js';
import { UsbTransferTracker, type UsbControlTransfer, type UsbTransfer, type UsbTransferStats } from './usb-transfers.js';

export interface UsbCaptureHandlers {
  interface?(info: CaptureInterface): void;
  /** Raw container record (flyweight, see CaptureRecord) — before link decoding. */
  record?(record: CaptureRecord): void;
  packet?(packet: UsbPacket): void;
  transfer?(transfer: UsbTransfer): void;
  control?(transfer: UsbControlTransfer): void;
  ccid?(frame: CcidFrame): void;
  /**
   * Records of Wireshark's exported-PDU link type (252, APDUs a recording wrote): when set, they
   * come here instead of going to the USB decoders (which would call them an unsupported link type).
   */
  exportedPdu?(record: CaptureRecord): void;
  problem?(problem: CaptureProblem): void;
}

export interface UsbCaptureSummary {
  /** Undefined when the data was not a capture (see problems). */
  format: CaptureFormat | undefined;
  startEpochNs: bigint | undefined;
  interfaces: readonly CaptureInterface[];
  /** Container records (frames), decodable or not. */
  frames: number;
  devices: readonly UsbDeviceInfo[];
  ccidReaders: CcidEndpoints[];
  usb: UsbTransferStats;
  ccidFrames: number;
  /**
   * Set when the data could not be read to its end: the file is cut inside a block or record,
   * or a header no reader can get past (bad block length, bad section header). Everything
   * before that point was decoded.
   */
  stoppedBy: CaptureProblem | undefined;
}

export type UsbCaptureOptions = CcidStreamOptions;

interface ContainerReader extends ByteSink {
  readonly interfaces: readonly CaptureInterface[];
  readonly startEpochNs: bigint | undefined;
  readonly frameCount: number;
  readonly stoppedBy: CaptureProblem | undefined;
}

export class UsbCaptureDecoder implements ByteSink {
  private container: ContainerReader | undefined;
  private format: CaptureFormat | undefined;
  private head: Uint8Array | undefined;
  private refused = false;
  private ended = false;
  private ccidCount = 0;
  private readonly links: UsbLinkDecoderSet;
  readonly tracker: UsbTransferTracker;
  readonly ccid: CcidStreamAssembler;

  constructor(
    private readonly handlers: UsbCaptureHandlers = {},
    options: UsbCaptureOptions = {},
  ) {
    const problem = (p: CaptureProblem): void => handlers.problem?.(p);
    this.links = new UsbLinkDecoderSet(problem);
    // The tracker's transfer handler reaches this.ccid only when called, after both exist.
    this.tracker = new UsbTransferTracker({
      transfer: (t) => {
        handlers.transfer?.(t);
        this.ccid.transfer(t);
      },
      control: handlers.control ? (c) => handlers.control!(c) : undefined,
      problem,
    });
    this.ccid = new CcidStreamAssembler(
      this.tracker.devices,
      (frame) => {
        this.ccidCount++;
        handlers.ccid?.(frame);
      },
      options,
      problem,
    );
  }

  push(chunk: Uint8Array): void {
    if (this.refused || this.ended || chunk.length === 0) return;
    if (!this.container) {
      // The magic may arrive split across tiny chunks: keep the first bytes until there are 4.
      const head = this.head ? concatBytes([this.head, chunk]) : chunk;
      const detection = detectCaptureFormat(head);
      if (!detection.ok) {
        if (detection.needMore) {
          this.head = head.slice();
          return;
        }
        this.refuse(detection.message);
        return;
      }
      this.head = undefined;
      this.format = detection.format;
      this.container = this.createContainer(detection.format);
      this.container.push(head);
      this.tracker.releaseChunk();
      return;
    }
    this.container.push(chunk);
    // The caller may drop the chunk now: nothing pending may keep it alive.
    this.tracker.releaseChunk();
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    if (!this.container) {
      if (!this.refused) this.refuse(messageFor(this.head));
      return;
    }
    this.container.end();
    this.tracker.end();
    this.ccid.end();
  }

  summary(): UsbCaptureSummary {
    return {
      format: this.format,
      startEpochNs: this.container?.startEpochNs,
      interfaces: this.container?.interfaces ?? [],
      frames: this.container?.frameCount ?? 0,
      devices: this.tracker.devices.devices,
      ccidReaders: this.ccid.readers,
      usb: { ...this.tracker.stats },
      ccidFrames: this.ccidCount,
      stoppedBy: this.container?.stoppedBy,
    };
  }

  private createContainer(format: CaptureFormat): ContainerReader {
    const handlers = this.handlers;
    const links = this.links;
    const tracker = this.tracker;
    // Only when nobody asked for every packet or transfer may a known non-CCID device's traffic be dropped undecoded.
    const skipNonCcid = !handlers.packet && !handlers.transfer;
    const containerHandlers: ContainerHandlers = {
      interface: (info) => handlers.interface?.(info),
      problem: (p) => handlers.problem?.(p),
      record: (record) => {
        handlers.record?.(record);
        if (record.linkType === LINKTYPE_WIRESHARK_UPPER_PDU && handlers.exportedPdu) {
          handlers.exportedPdu(record);
          return;
        }
        if (skipNonCcid) {
          const slot = dataTransferSlot(record);
          if (slot >= 0 && tracker.devices.isKnownNonCcid(slot, record.frame)) {
            tracker.stats.skippedNonCcidRecords++;
            return;
          }
        }
        const packet = links.decode(record);
        if (!packet) return;
        handlers.packet?.(packet);
        tracker.packet(packet);
      },
    };
    return format === 'pcapng' ? new PcapngReader(containerHandlers) : new PcapReader(containerHandlers);
  }

  private refuse(message: string): void {
    this.refused = true;
    this.head = undefined;
    this.handlers.problem?.({ code: 'not-a-capture', message, severity: 'error' });
  }
}

export interface ParsedCapture extends UsbCaptureSummary {
  packets: UsbPacket[];
  transfers: UsbTransfer[];
  controlTransfers: UsbControlTransfer[];
  ccidFrames: number;
  messages: CcidFrame[];
  problems: CaptureProblem[];
}

export interface ParseCaptureOptions extends UsbCaptureOptions {
  /** Push the bytes in chunks of this size (tests use it to exercise chunk straddling). */
  chunkSize?: number;
  /** Keep every UsbPacket (default true). */
  keepPackets?: boolean;
  /** At most this many problems are kept (default 10 000); the count goes on. */
  maxProblems?: number;
}

/** Decodes a whole capture held in memory and collects everything. */
export function parseCaptureBytes(bytes: Uint8Array, options: ParseCaptureOptions = {}): ParsedCapture {
  const packets: UsbPacket[] = [];
  const transfers: UsbTransfer[] = [];
  const controlTransfers: UsbControlTransfer[] = [];
  const messages: CcidFrame[] = [];
  const problems: CaptureProblem[] = [];
  const maxProblems = options.maxProblems ?? 10_000;
  const keepPackets = options.keepPackets ?? true;
  const decoder = new UsbCaptureDecoder(
    {
      packet: keepPackets ? (p) => packets.push(p) : undefined,
      transfer: (t) => transfers.push(t),
      control: (c) => controlTransfers.push(c),
      ccid: (f) => messages.push(f),
      problem: (p) => {
        if (problems.length < maxProblems) problems.push(p);
      },
    },
    options,
  );
  const chunkSize = Math.max(1, options.chunkSize ?? bytes.length);
  for (let at = 0; at < bytes.length; at += chunkSize) decoder.push(bytes.subarray(at, at + chunkSize));
  decoder.end();
  return { ...decoder.summary(), packets, transfers, controlTransfers, messages, problems };
}

function messageFor(head: Uint8Array | undefined): string {
  const detection = detectCaptureFormat(head ?? new Uint8Array(0));
  return detection.ok ? 'truncated capture' : detection.message;
}
