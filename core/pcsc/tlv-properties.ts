/**
 * FEATURE_GET_TLV_PROPERTIES answer (PC/SC part 10 §2.6.14): tag(1) len(1) value, values
 * little-endian integers of 1, 2 or 4 bytes, sFirmwareID an ASCII string.
 */
import { intHex } from '../bytes/hex.js';
import { field, type DissectNode, type Problem } from '../dissect/node.js';

export const TLV_PROPERTY_NAMES: Record<number, string> = {
  0x01: 'wLcdLayout',
  0x02: 'bEntryValidationCondition',
  0x03: 'bTimeOut2',
  0x04: 'wLcdMaxCharacters',
  0x05: 'wLcdMaxLines',
  0x06: 'bMinPINSize',
  0x07: 'bMaxPINSize',
  0x08: 'sFirmwareID',
  0x09: 'bPPDUSupport',
  0x0a: 'dwMaxAPDUDataSize',
  0x0b: 'wIdVendor',
  0x0c: 'wIdProduct',
};

export interface TlvProperty {
  tag: number;
  name: string;
  /** Integer for 1/2/4-byte values; string for sFirmwareID (and other odd sizes: hex). */
  value: number | string;
}

export interface TlvPropertiesDecode {
  properties: TlvProperty[];
  /** By name, for convenience: { wIdVendor: 0x08E6, … }. */
  byName: Record<string, number | string>;
  nodes: DissectNode[];
  problems: Problem[];
}

const STRING_TAGS = new Set([0x08]);

function ascii(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.';
  return s;
}

function littleEndian(bytes: Uint8Array): number {
  let v = 0;
  for (let i = bytes.length - 1; i >= 0; i--) v = v * 256 + bytes[i]!;
  return v;
}

function display(tag: number, value: number | string): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (tag === 0x01) return value === 0 ? '0x0000 (no LCD)' : `0x${intHex(value, 4)} (${value >> 8} lines × ${value & 0xff} characters)`;
  if (tag === 0x09) {
    const ways = [value & 1 ? 'SCardControl with FEATURE_CCID_ESC_COMMAND' : '', value & 2 ? 'SCardTransmit' : ''].filter(Boolean);
    return `0x${intHex(value, 2)} (PPDU ${ways.length ? 'via ' + ways.join(' and ') : 'not supported'})`;
  }
  if (tag === 0x0b || tag === 0x0c) return `0x${intHex(value, 4)}`;
  return String(value);
}

/** Never throws; stops at a TLV that runs past the end. */
export function decodeTlvProperties(bytes: Uint8Array, offset = 0): TlvPropertiesDecode {
  const out: TlvPropertiesDecode = { properties: [], byName: {}, nodes: [], problems: [] };
  let p = 0;
  while (p < bytes.length) {
    if (p + 2 > bytes.length || p + 2 + bytes[p + 1]! > bytes.length) {
      out.problems.push({ code: 'truncated', message: `TLV property at byte ${p} runs past the end`, severity: 'error' });
      out.nodes.push(field('pcsc.tlvProperty.trailing', 'truncated TLV', offset + p, bytes.length - p));
      break;
    }
    const tag = bytes[p]!;
    const len = bytes[p + 1]!;
    const valueBytes = bytes.subarray(p + 2, p + 2 + len);
    const name = TLV_PROPERTY_NAMES[tag] ?? `unknown property 0x${intHex(tag, 2)}`;
    let value: number | string;
    if (STRING_TAGS.has(tag)) value = ascii(valueBytes);
    else if (len === 1 || len === 2 || len === 4) value = littleEndian(valueBytes);
    else {
      value = Array.from(valueBytes, (b) => intHex(b, 2)).join('');
      out.problems.push({ code: 'bad-length', message: `${name} has a ${len}-byte value`, severity: 'warning' });
    }
    out.properties.push({ tag, name, value });
    out.byName[name] = value;
    out.nodes.push(
      field('pcsc.tlvProperty', `${name} = ${display(tag, value)}`, offset + p, 2 + len, typeof value === 'number' ? value : value, [
        field('pcsc.tlvProperty.tag', `tag: 0x${intHex(tag, 2)} (${name})`, offset + p, 1, tag),
        field('pcsc.tlvProperty.length', `length: ${len}`, offset + p + 1, 1, len),
        field('pcsc.tlvProperty.value', `value: ${display(tag, value)}`, offset + p + 2, len, value),
      ]),
    );
    p += 2 + len;
  }
  return out;
}

/** Builds a GET_TLV_PROPERTIES answer; numbers are written with the given size (default by name prefix). */
export function encodeTlvProperties(properties: readonly { tag: number; value: number | string; size?: 1 | 2 | 4 }[]): Uint8Array {
  const parts: number[] = [];
  for (const prop of properties) {
    if (typeof prop.value === 'string') {
      const chars = Array.from(prop.value.slice(0, 255), (ch) => ch.charCodeAt(0) & 0xff);
      parts.push(prop.tag, chars.length, ...chars);
      continue;
    }
    const name = TLV_PROPERTY_NAMES[prop.tag] ?? '';
    const size = prop.size ?? (name.startsWith('dw') ? 4 : name.startsWith('w') ? 2 : 1);
    parts.push(prop.tag, size);
    for (let i = 0; i < size; i++) parts.push(Math.floor(prop.value / 2 ** (8 * i)) & 0xff);
  }
  return Uint8Array.from(parts);
}
