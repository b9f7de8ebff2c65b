/** Builds small pcap/pcapng files and USB pseudo-headers by hand for the capture tests. */

export class Bytes {
  private readonly parts: number[] = [];
  constructor(private readonly littleEndian = true) {}
  u8(v: number): this {
    this.parts.push(v & 0xff);
    return this;
  }
  u16(v: number): this {
    return this.littleEndian ? this.u8(v).u8(v >> 8) : this.u8(v >> 8).u8(v);
  }
  u32(v: number): this {
    const b = [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
    for (const x of this.littleEndian ? b : b.reverse()) this.u8(x);
    return this;
  }
  u64(v: bigint): this {
    const lo = Number(v & 0xffffffffn);
    const hi = Number((v >> 32n) & 0xffffffffn);
    return this.littleEndian ? this.u32(lo).u32(hi) : this.u32(hi).u32(lo);
  }
  bytes(b: ArrayLike<number>): this {
    for (let i = 0; i < b.length; i++) this.u8(b[i]!);
    return this;
  }
  pad4(): this {
    while (this.parts.length % 4) this.u8(0);
    return this;
  }
  get length(): number {
    return this.parts.length;
  }
  build(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** One pcapng block: type, length, body (padded), trailing length. */
export function block(type: number, body: Uint8Array, le = true): Uint8Array {
  const padded = (body.length + 3) & ~3;
  const total = 12 + padded;
  const b = new Bytes(le).u32(type).u32(total).bytes(body);
  while (b.length < 8 + padded) b.u8(0);
  return b.u32(total).build();
}

export function shb(le = true): Uint8Array {
  return block(0x0a0d0d0a, new Bytes(le).u32(0x1a2b3c4d).u16(1).u16(0).u64(0xffffffffffffffffn).build(), le);
}

export interface IdbOptions {
  linkType: number;
  snapLength?: number;
  tsresol?: number;
  tsoffset?: bigint;
  name?: string;
  /** opt_comment (option 1), UTF-8. */
  comment?: string;
}

export function idb(o: IdbOptions, le = true): Uint8Array {
  const b = new Bytes(le)
    .u16(o.linkType)
    .u16(0)
    .u32(o.snapLength ?? 0);
  if (o.name !== undefined) {
    const text = Array.from(o.name, (c) => c.charCodeAt(0));
    b.u16(2).u16(text.length).bytes(text).pad4();
  }
  if (o.tsresol !== undefined) b.u16(9).u16(1).u8(o.tsresol).pad4();
  if (o.tsoffset !== undefined) b.u16(14).u16(8).u64(o.tsoffset);
  if (o.comment !== undefined) utf8Option(b, 1, o.comment);
  if (o.name !== undefined || o.tsresol !== undefined || o.tsoffset !== undefined || o.comment !== undefined) b.u16(0).u16(0);
  return block(1, b.build(), le);
}

export function epb(iface: number, timestamp: bigint, data: Uint8Array, originalLength = data.length, le = true): Uint8Array {
  const b = new Bytes(le)
    .u32(iface)
    .u32(Number(timestamp >> 32n))
    .u32(Number(timestamp & 0xffffffffn))
    .u32(data.length)
    .u32(originalLength)
    .bytes(data)
    .pad4();
  return block(6, b.build(), le);
}

/** An EPB with an opt_comment after the packet data. */
export function epbWithComment(iface: number, timestamp: bigint, data: Uint8Array, comment: string, le = true): Uint8Array {
  const b = new Bytes(le)
    .u32(iface)
    .u32(Number(timestamp >> 32n))
    .u32(Number(timestamp & 0xffffffffn))
    .u32(data.length)
    .u32(data.length)
    .bytes(data)
    .pad4();
  utf8Option(b, 1, comment);
  b.u16(0).u16(0);
  return block(6, b.build(), le);
}

function utf8Option(b: Bytes, code: number, text: string): void {
  const bytes = new TextEncoder().encode(text);
  b.u16(code).u16(bytes.length).bytes(bytes).pad4();
}

export function spb(data: Uint8Array, originalLength = data.length, le = true): Uint8Array {
  return block(3, new Bytes(le).u32(originalLength).bytes(data).pad4().build(), le);
}

export function obsoletePacketBlock(iface: number, timestamp: bigint, data: Uint8Array, le = true): Uint8Array {
  const b = new Bytes(le)
    .u16(iface)
    .u16(0)
    .u32(Number(timestamp >> 32n))
    .u32(Number(timestamp & 0xffffffffn))
    .u32(data.length)
    .u32(data.length)
    .bytes(data)
    .pad4();
  return block(2, b.build(), le);
}

export function pcapHeader(linkType: number, o: { le?: boolean; nanoseconds?: boolean; snapLength?: number } = {}): Uint8Array {
  const le = o.le ?? true;
  return new Bytes(le)
    .u32(o.nanoseconds ? 0xa1b23c4d : 0xa1b2c3d4)
    .u16(2)
    .u16(4)
    .u32(0)
    .u32(0)
    .u32(o.snapLength ?? 65535)
    .u32(linkType)
    .build();
}

export function pcapRecord(
  seconds: number,
  fraction: number,
  data: Uint8Array,
  o: { le?: boolean; originalLength?: number } = {},
): Uint8Array {
  return new Bytes(o.le ?? true)
    .u32(seconds)
    .u32(fraction)
    .u32(data.length)
    .u32(o.originalLength ?? data.length)
    .bytes(data)
    .build();
}

export interface UsbmonFields {
  id?: bigint;
  event: 'S' | 'C' | 'E';
  transfer: number;
  endpoint: number;
  device: number;
  bus?: number;
  setup?: number[];
  status?: number;
  length?: number;
  lenCap?: number;
  data?: number[];
  ndesc?: number;
  isoDescriptors?: number;
}

/** A usbmon record (64-byte mmapped header when mmapped, else 48). */
export function usbmon(f: UsbmonFields, mmapped = true, le = true): Uint8Array {
  const data = f.data ?? [];
  const b = new Bytes(le)
    .u64(f.id ?? 0xffff888012345600n)
    .u8(f.event.charCodeAt(0))
    .u8(f.transfer)
    .u8(f.endpoint)
    .u8(f.device)
    .u16(f.bus ?? 1)
    .u8(f.setup ? 0 : 0x2d)
    .u8(data.length ? 0x3d : 0x3c)
    .u64(0n)
    .u32(0)
    .u32(f.status ?? 0)
    .u32(f.length ?? data.length)
    .u32(f.lenCap ?? data.length);
  b.bytes(f.setup ?? [0, 0, 0, 0, 0, 0, 0, 0]);
  if (mmapped)
    b.u32(0)
      .u32(0)
      .u32(0)
      .u32(f.ndesc ?? 0);
  for (let i = 0; i < (f.isoDescriptors ?? 0); i++) b.u32(0).u32(0).u32(0).u32(0);
  return b.bytes(data).build();
}

/**
 * usbmon records of a CCID reader at device 4 (bulk OUT 0x02, bulk IN 0x83, interrupt IN 0x81),
 * each transfer a submit and its completion, URB ids counted from `firstId`.
 */
export function usbmonCcidPipes(firstId: bigint) {
  let urb = firstId;
  return {
    /** A bulk OUT transfer: the message in the submit, its length in the completion. */
    out(message: Uint8Array): Uint8Array[] {
      const id = urb++;
      const data = Array.from(message);
      return [
        usbmon({ id, event: 'S', transfer: 3, endpoint: 0x02, device: 4, data }),
        usbmon({ id, event: 'C', transfer: 3, endpoint: 0x02, device: 4, length: data.length }),
      ];
    },
    /** A bulk IN transfer: a 4096-byte request, the message in the completion (`length`: what the reader said it sent). */
    inn(message: Uint8Array, length = message.length): Uint8Array[] {
      const id = urb++;
      return [
        usbmon({ id, event: 'S', transfer: 3, endpoint: 0x83, device: 4, length: 4096 }),
        usbmon({ id, event: 'C', transfer: 3, endpoint: 0x83, device: 4, data: Array.from(message), length }),
      ];
    },
    /** An interrupt IN transfer (NotifySlotChange, HardwareError). */
    interrupt(message: Uint8Array): Uint8Array[] {
      const id = urb++;
      return [
        usbmon({ id, event: 'S', transfer: 1, endpoint: 0x81, device: 4, length: 8 }),
        usbmon({ id, event: 'C', transfer: 1, endpoint: 0x81, device: 4, data: Array.from(message) }),
      ];
    },
  };
}

export interface UsbpcapFields {
  irp?: bigint;
  completion: boolean;
  bus?: number;
  device: number;
  endpoint: number;
  transfer: number;
  stage?: number;
  status?: number;
  data?: number[];
  function?: number;
}

export function usbpcap(f: UsbpcapFields): Uint8Array {
  const data = f.data ?? [];
  const headerLength = f.stage === undefined ? 27 : 28;
  const b = new Bytes(true)
    .u16(headerLength)
    .u64(f.irp ?? 0xffffab8e00001000n)
    .u32(f.status ?? 0)
    .u16(f.function ?? 9)
    .u8(f.completion ? 1 : 0)
    .u16(f.bus ?? 1)
    .u16(f.device)
    .u8(f.endpoint)
    .u8(f.transfer)
    .u32(data.length);
  if (f.stage !== undefined) b.u8(f.stage);
  return b.bytes(data).build();
}

export interface DarwinFields {
  complete: boolean;
  ioLength: number;
  id?: bigint;
  location?: number;
  device: number;
  endpoint: number;
  endpointType: number;
  status?: number;
  data?: number[];
}

export function darwin(f: DarwinFields): Uint8Array {
  return new Bytes(true)
    .u16(0x0100)
    .u8(32)
    .u8(f.complete ? 1 : 0)
    .u32(f.ioLength)
    .u32(f.status ?? 0)
    .u32(0)
    .u64(f.id ?? 0x1234n)
    .u32(f.location ?? 0x14100000)
    .u8(2)
    .u8(f.device)
    .u8(f.endpoint)
    .u8(f.endpointType)
    .bytes(f.data ?? [])
    .build();
}

/** A little-endian pcapng with one interface of the given link type and one EPB per record. */
export function pcapngOf(linkType: number, records: Uint8Array[], tsresol?: number): Uint8Array {
  const idbOptions: IdbOptions = { linkType };
  if (tsresol !== undefined) idbOptions.tsresol = tsresol;
  return concatBytes(shb(), idb(idbOptions), ...records.map((r, i) => epb(0, BigInt(1_000_000 + i * 10), r)));
}

export function hex(text: string): number[] {
  return (text.match(/[0-9a-fA-F]{2}/g) ?? []).map((h) => parseInt(h, 16));
}
