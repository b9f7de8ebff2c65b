/**
 * Crafted captures that once took the decoder down (issue 8), generated on demand so no
 * multi-megabyte file is committed. They are classic pcap files of Linux usbmon records
 * (LINKTYPE_USB_LINUX_MMAPPED, 220), written straight into one buffer: the builders in
 * capture-builder.ts push byte by byte, too slow for 32 MB.
 *
 * Used by the unit tests (core, backend, CLI) and by test/bench/hostile-captures.ts.
 */
import { encodeClassDescriptor, type CcidClassDescriptorFields } from '#core/ccid/class-descriptor.js';
import { GEMPC_PINPAD_PROFILE } from '#core/sim/reader/reader-profile.js';

const LINKTYPE_USB_LINUX_MMAPPED = 220;
const USBMON_HEADER = 64;
const PCAP_RECORD_HEADER = 16;
const TRANSFER_INTERRUPT = 1;
const TRANSFER_CONTROL = 2;
const TRANSFER_BULK = 3;

/** Appends pcap records of usbmon events to one growing buffer. */
export class UsbmonPcapWriter {
  private buffer = new Uint8Array(1 << 16);
  private view = new DataView(this.buffer.buffer);
  private length = 0;
  private nextId = 0x1000;
  private microseconds = 0;
  /** The USB bus of the records written next. */
  bus = 1;

  constructor() {
    this.reserve(24);
    const v = this.view;
    v.setUint32(0, 0xa1b2c3d4, true);
    v.setUint16(4, 2, true);
    v.setUint16(6, 4, true);
    v.setUint32(16, 0x4000000, true);
    v.setUint32(20, LINKTYPE_USB_LINUX_MMAPPED, true);
    this.length = 24;
  }

  /** A control IN request (setup on the submit) and its answer; returns the answer's data offset in the file. */
  controlIn(device: number, setup: readonly number[], answer: Uint8Array | number): number {
    const id = this.nextId++;
    this.record({ id, event: 'S', transfer: TRANSFER_CONTROL, endpoint: 0x80, device, setup, length: setup[6]! | (setup[7]! << 8) });
    return this.record({ id, event: 'C', transfer: TRANSFER_CONTROL, endpoint: 0x80, device, data: answer });
  }

  /** GET_DESCRIPTOR(CONFIGURATION) answered with `config` (a Uint8Array, or a length to fill with `fill`). */
  configuration(device: number, config: Uint8Array | number): number {
    const length = typeof config === 'number' ? config : config.length;
    return this.controlIn(device, [0x80, 0x06, 0x00, 0x02, 0x00, 0x00, length & 0xff, (length >> 8) & 0xff], config);
  }

  bulkOut(device: number, endpoint: number, data: Uint8Array): void {
    const id = this.nextId++;
    this.record({ id, event: 'S', transfer: TRANSFER_BULK, endpoint, device, data });
    this.record({ id, event: 'C', transfer: TRANSFER_BULK, endpoint, device, length: data.length });
  }

  bulkIn(device: number, endpoint: number, data: Uint8Array): void {
    const id = this.nextId++;
    this.record({ id, event: 'S', transfer: TRANSFER_BULK, endpoint: endpoint | 0x80, device, length: 0x10000 });
    this.record({ id, event: 'C', transfer: TRANSFER_BULK, endpoint: endpoint | 0x80, device, data });
  }

  interruptIn(device: number, endpoint: number, data: Uint8Array): void {
    const id = this.nextId++;
    this.record({ id, event: 'S', transfer: TRANSFER_INTERRUPT, endpoint: endpoint | 0x80, device, length: 0x10000 });
    this.record({ id, event: 'C', transfer: TRANSFER_INTERRUPT, endpoint: endpoint | 0x80, device, data });
  }

  /** Reserves `length` bytes in the file for the caller to fill (the answer written by controlIn with a number). */
  at(offset: number, length: number): Uint8Array {
    return this.buffer.subarray(offset, offset + length);
  }

  build(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }

  /** Writes one record; returns the offset of its data in the file. */
  private record(r: {
    id: number;
    event: 'S' | 'C';
    transfer: number;
    endpoint: number;
    device: number;
    setup?: readonly number[];
    data?: Uint8Array | number;
    length?: number;
  }): number {
    const dataLength = r.data === undefined ? 0 : typeof r.data === 'number' ? r.data : r.data.length;
    const recordLength = USBMON_HEADER + dataLength;
    this.reserve(PCAP_RECORD_HEADER + recordLength);
    const v = this.view;
    let at = this.length;
    this.microseconds += 10;
    v.setUint32(at, Math.floor(this.microseconds / 1e6), true);
    v.setUint32(at + 4, this.microseconds % 1e6, true);
    v.setUint32(at + 8, recordLength, true);
    v.setUint32(at + 12, recordLength, true);
    at += PCAP_RECORD_HEADER;
    this.buffer.fill(0, at, at + USBMON_HEADER);
    v.setUint32(at, r.id, true);
    v.setUint8(at + 8, r.event.charCodeAt(0));
    v.setUint8(at + 9, r.transfer);
    v.setUint8(at + 10, r.endpoint);
    v.setUint8(at + 11, r.device);
    v.setUint16(at + 12, this.bus, true);
    v.setUint8(at + 14, r.setup ? 0 : 0x2d);
    v.setUint8(at + 15, dataLength ? 0x3d : 0x3c);
    v.setInt32(at + 28, r.event === 'S' ? -115 : 0, true);
    v.setUint32(at + 32, r.length ?? dataLength, true);
    v.setUint32(at + 36, dataLength, true);
    if (r.setup) this.buffer.set(r.setup, at + 40);
    at += USBMON_HEADER;
    if (r.data instanceof Uint8Array) this.buffer.set(r.data, at);
    this.length = at + dataLength;
    return at;
  }

  private reserve(more: number): void {
    if (this.length + more <= this.buffer.length) return;
    let size = this.buffer.length;
    while (size < this.length + more) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.buffer.subarray(0, this.length));
    this.buffer = grown;
    this.view = new DataView(grown.buffer);
  }
}

/** Which descriptor a flood repeats inside a configuration answer. */
export type DescriptorFlood = 'interfaces' | 'endpoints' | 'class-descriptors';

const FLOOD_UNITS: Record<DescriptorFlood, number[]> = {
  interfaces: [0x09, 0x04, 0x00, 0x00, 0x02, 0x0b, 0x00, 0x00, 0x00],
  endpoints: [0x07, 0x05, 0x81, 0x02, 0x40, 0x00, 0x00],
  'class-descriptors': [0x09, 0x21, 0x10, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00],
};

/**
 * The issue 8 file: `answers` configuration-descriptor answers (distinct bConfigurationValue),
 * each holding `count` repeats of one descriptor. With the defaults — two answers of 1.8 M
 * interface descriptors — it is a 32 MB pcap (32 KB gzipped) that made `decode` peak at 773 MiB.
 */
export function descriptorFloodCapture(options: { flood?: DescriptorFlood; count?: number; answers?: number } = {}): Uint8Array {
  const unit = FLOOD_UNITS[options.flood ?? 'interfaces'];
  const count = options.count ?? 1_800_000;
  const writer = new UsbmonPcapWriter();
  for (let answer = 0; answer < (options.answers ?? 2); answer++) {
    // One interface first so endpoints and class descriptors have somewhere to belong.
    const head = [0x09, 0x02, 0xff, 0xff, 0x01, answer + 1, 0x00, 0x80, 0x32, 0x09, 0x04, 0x00, 0x00, 0x02, 0x0b, 0x00, 0x00, 0x00];
    const length = head.length + count * unit.length;
    const at = writer.configuration(1, length);
    const bytes = writer.at(at, length);
    bytes.set(head, 0);
    for (let i = 0, offset = head.length; i < count; i++, offset += unit.length) bytes.set(unit, offset);
  }
  return writer.build();
}

/** A CCID reader's configuration: one class 0x0B interface, its functional descriptor, bulk OUT 1, bulk IN 2, interrupt IN 3. */
export function ccidConfiguration(descriptor: Partial<CcidClassDescriptorFields> = {}): Uint8Array {
  const functional = encodeClassDescriptor({ ...GEMPC_PINPAD_PROFILE.descriptor, ...descriptor });
  const endpoints = [
    [0x07, 0x05, 0x01, 0x02, 0x40, 0x00, 0x00],
    [0x07, 0x05, 0x82, 0x02, 0x40, 0x00, 0x00],
    [0x07, 0x05, 0x83, 0x03, 0x08, 0x00, 0x10],
  ].flat();
  const total = 9 + 9 + functional.length + endpoints.length;
  return Uint8Array.from([
    ...[0x09, 0x02, total & 0xff, total >> 8, 0x01, 0x01, 0x00, 0x80, 0x32],
    ...[0x09, 0x04, 0x00, 0x00, 0x03, 0x0b, 0x00, 0x00, 0x00],
    ...functional,
    ...endpoints,
  ]);
}

/** A 10-byte CCID header with the given type, dwLength, slot 0 and bSeq. */
export function ccidHeader(type: number, dwLength: number, seq = 0): Uint8Array {
  const header = new Uint8Array(10);
  const view = new DataView(header.buffer);
  header[0] = type;
  view.setUint32(1, dwLength >>> 0, true);
  header[6] = seq;
  return header;
}

/**
 * The issue 8 file whose lengths drove allocations: a reader whose descriptor claims
 * dwMaxCCIDMessageLength 0xFFFFFFFF, then `messages` PC_to_RDR_XfrBlock headers announcing
 * dwLength `dwLength` (default just under 4 GiB), each followed by a zero-length packet that
 * ends it — so each would start a new reassembly buffer of that size. 1.2 MB with the default 3,600.
 */
export function hugeLengthCapture(options: { messages?: number; dwLength?: number } = {}): Uint8Array {
  const writer = new UsbmonPcapWriter();
  writer.configuration(1, ccidConfiguration({ dwMaxCCIDMessageLength: 0xffffffff }));
  const header = ccidHeader(0x6f, options.dwLength ?? 0xfffffff0);
  for (let i = 0; i < (options.messages ?? 3_600); i++) {
    header[6] = i & 0xff;
    writer.bulkOut(1, 0x01, header);
    writer.bulkOut(1, 0x01, new Uint8Array(0));
  }
  return writer.build();
}

/**
 * A well-formed capture that legitimately needs memory to report: an extended APDU reader
 * answering `exchanges` READ BINARY commands with `responseLength` bytes each. The report holds
 * every response as hex, about 2 × exchanges × responseLength bytes of strings.
 */
export function largeResponsesCapture(options: { exchanges?: number; responseLength?: number } = {}): Uint8Array {
  const exchanges = options.exchanges ?? 400;
  const responseLength = options.responseLength ?? 60_000;
  const writer = new UsbmonPcapWriter();
  writer.configuration(1, ccidConfiguration({ dwFeatures: 0x000404be, dwMaxCCIDMessageLength: 65_554 }));
  const response = new Uint8Array(10 + responseLength + 2);
  response.set(ccidHeader(0x80, responseLength + 2), 0);
  for (let i = 0; i < responseLength; i++) response[10 + i] = (i * 31) & 0xff;
  response.set([0x90, 0x00], 10 + responseLength);
  const command = Uint8Array.of(...ccidHeader(0x6f, 7), 0x00, 0xb0, 0x00, 0x00, 0x00, 0x00, 0x00);
  for (let i = 0; i < exchanges; i++) {
    command[6] = response[6] = i & 0xff;
    // A byte that differs per exchange, so no two responses are the same string.
    response[10] = i & 0xff;
    response[11] = (i >> 8) & 0xff;
    writer.bulkOut(1, 0x01, command);
    writer.bulkIn(1, 0x02, response);
  }
  return writer.build();
}

/**
 * A reader that claims 256 slots (bMaxSlotIndex 255) and sends `messages` NotifySlotChange
 * interrupts in which every slot changed: 256 card events per 65-byte message, ~70× the file's
 * size if every event were listed (the report lists 65,536 and counts the rest).
 */
export function slotChangeFloodCapture(options: { messages?: number } = {}): Uint8Array {
  const writer = new UsbmonPcapWriter();
  writer.configuration(1, ccidConfiguration({ bMaxSlotIndex: 0xff }));
  const notify = new Uint8Array(65).fill(0xff);
  notify[0] = 0x50;
  for (let i = 0; i < (options.messages ?? 2_000); i++) writer.interruptIn(1, 0x03, notify);
  return writer.build();
}
