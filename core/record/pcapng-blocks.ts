/**
 * pcapng blocks as a recording writes them (little-endian, one section of unknown length):
 * Section Header, Interface Description, Enhanced Packet. Each function returns one whole block,
 * so a writer can append it to a file and the file is valid after every block
 * (draft-ietf-opsawg-pcapng §4).
 */
import { utf8 } from '../trace/text-blocks.js';

export const BLOCK_TYPE = { sectionHeader: 0x0a0d0d0a, interfaceDescription: 0x00000001, enhancedPacket: 0x00000006 } as const;

const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const OPT_ENDOFOPT = 0;
const OPT_COMMENT = 1;
const SHB_USERAPPL = 4;
const IF_NAME = 2;
const IF_TSRESOL = 9;

/** Time resolution of every interface a recording writes: microseconds (if_tsresol 6, also pcapng's default). */
export const TS_RESOLUTION_EXPONENT = 6;

export interface PcapngOption {
  code: number;
  value: Uint8Array;
}

export const commentOption = (text: string): PcapngOption => ({ code: OPT_COMMENT, value: utf8(text) });

const pad4 = (n: number): number => (n + 3) & ~3;

function optionsLength(options: readonly PcapngOption[]): number {
  if (options.length === 0) return 0;
  return options.reduce((sum, o) => sum + 4 + pad4(o.value.length), 4);
}

function writeOptions(out: Uint8Array, view: DataView, at: number, options: readonly PcapngOption[]): number {
  if (options.length === 0) return at;
  let p = at;
  for (const option of options) {
    if (option.value.length > 0xffff) throw new RangeError(`a pcapng option holds at most 65535 bytes, not ${option.value.length}`);
    view.setUint16(p, option.code, true);
    view.setUint16(p + 2, option.value.length, true);
    out.set(option.value, p + 4);
    p += 4 + pad4(option.value.length);
  }
  view.setUint16(p, OPT_ENDOFOPT, true);
  view.setUint16(p + 2, 0, true);
  return p + 4;
}

/** A block: type, total length, body (written by `fill` from offset 8), total length again. */
function block(type: number, bodyLength: number, fill: (out: Uint8Array, view: DataView) => void): Uint8Array {
  const total = 12 + bodyLength;
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  view.setUint32(0, type, true);
  view.setUint32(4, total, true);
  fill(out, view);
  view.setUint32(total - 4, total, true);
  return out;
}

export function sectionHeaderBlock(application: string): Uint8Array {
  const options = [{ code: SHB_USERAPPL, value: utf8(application) }];
  return block(BLOCK_TYPE.sectionHeader, 16 + optionsLength(options), (out, view) => {
    view.setUint32(8, BYTE_ORDER_MAGIC, true);
    view.setUint16(12, 1, true);
    view.setUint16(14, 0, true);
    // Section length -1: not known while the session goes on.
    view.setInt32(16, -1, true);
    view.setInt32(20, -1, true);
    writeOptions(out, view, 24, options);
  });
}

/** snaplen 0: no limit on packet length. */
export function interfaceDescriptionBlock(linkType: number, name: string, comment: string): Uint8Array {
  const options: PcapngOption[] = [
    { code: IF_NAME, value: utf8(name) },
    commentOption(comment),
    { code: IF_TSRESOL, value: Uint8Array.of(TS_RESOLUTION_EXPONENT) },
  ];
  return block(BLOCK_TYPE.interfaceDescription, 8 + optionsLength(options), (out, view) => {
    view.setUint16(8, linkType, true);
    view.setUint16(10, 0, true);
    view.setUint32(12, 0, true);
    writeOptions(out, view, 16, options);
  });
}

/** `timestamp`: microseconds since 1970 (TS_RESOLUTION_EXPONENT). `parts` are the packet's bytes, in order. */
export function enhancedPacketBlock(
  interfaceId: number,
  timestamp: bigint,
  parts: readonly Uint8Array[],
  comments: readonly string[] = [],
): Uint8Array {
  const length = parts.reduce((sum, part) => sum + part.length, 0);
  const options = comments.map(commentOption);
  return block(BLOCK_TYPE.enhancedPacket, 20 + pad4(length) + optionsLength(options), (out, view) => {
    view.setUint32(8, interfaceId, true);
    view.setUint32(12, Number((timestamp >> 32n) & 0xffffffffn), true);
    view.setUint32(16, Number(timestamp & 0xffffffffn), true);
    view.setUint32(20, length, true);
    view.setUint32(24, length, true);
    let p = 28;
    for (const part of parts) {
      out.set(part, p);
      p += part.length;
    }
    writeOptions(out, view, 28 + pad4(length), options);
  });
}
