/**
 * ATR historical bytes (ISO 7816-4 §8.1.1). The category indicator says how to read them:
 * 00 = COMPACT-TLV objects then a mandatory 3-byte status indicator, 80 = COMPACT-TLV objects
 * (status optional, as tag 8), 10 = a DIR data reference, 81–8F reserved, anything else is
 * proprietary (often ASCII, like 'Yubikey4' or 'LAB-CARD01').
 */
import { byteHex, intHex, toHex } from '../bytes/hex.js';
import { field, type DissectNode, type Problem } from '../dissect/node.js';
import { identifyAid } from '../apps/known-aids.js';
import { COMPACT_TLV_TAG_NAMES, parseCompactTlv, type CompactTlvObject } from '../tlv/compact-tlv.js';
import { summarizeValue } from '../tlv/ber-tlv.js';

export type HistoricalFormat = 'empty' | 'compact-tlv' | 'dir-reference' | 'reserved' | 'proprietary';

export interface StatusIndicator {
  /** Life cycle status byte. */
  lcs?: number;
  sw1?: number;
  sw2?: number;
}

export interface HistoricalBytes {
  bytes: Uint8Array;
  categoryIndicator: number | undefined;
  format: HistoricalFormat;
  objects: CompactTlvObject[];
  status: StatusIndicator | undefined;
  node: DissectNode;
  problems: Problem[];
}

export function decodeHistoricalBytes(bytes: Uint8Array, base = 0): HistoricalBytes {
  const problems: Problem[] = [];
  const children: DissectNode[] = [];
  if (bytes.length === 0) {
    return {
      bytes,
      categoryIndicator: undefined,
      format: 'empty',
      objects: [],
      status: undefined,
      node: field('iso7816.atr.historical', 'Historical bytes: none', base, 0),
      problems,
    };
  }
  const category = bytes[0]!;
  let format: HistoricalFormat;
  let objects: CompactTlvObject[] = [];
  let status: StatusIndicator | undefined;
  if (category === 0x00 || category === 0x80) {
    format = 'compact-tlv';
    children.push(
      field(
        'iso7816.atr.historical.category',
        `Category indicator: ${byteHex(category)} (COMPACT-TLV${category === 0 ? ', status at the end' : ''})`,
        base,
        1,
        category,
      ),
    );
    let tlvEnd = bytes.length;
    // Category 00's status sits in the last 3 bytes; a COMPACT-TLV tag 8 may also carry one, and
    // must not be drawn at the (absent) trailing position.
    let trailingStatus: StatusIndicator | undefined;
    if (category === 0x00) {
      if (bytes.length < 4) {
        problems.push({ code: 'truncated', message: 'category 00 needs a 3-byte status indicator at the end', severity: 'error' });
      } else {
        tlvEnd = bytes.length - 3;
        trailingStatus = { lcs: bytes[tlvEnd]!, sw1: bytes[tlvEnd + 1]!, sw2: bytes[tlvEnd + 2]! };
        status = trailingStatus;
      }
    }
    const parsed = parseCompactTlv(bytes.subarray(1, tlvEnd), base + 1);
    objects = parsed.objects;
    problems.push(...parsed.problems);
    for (const object of objects) {
      children.push(compactObjectNode(object));
      if (object.tag === 0x8 && !object.problem) status = statusFromObject(object.value);
    }
    if (trailingStatus) {
      children.push(
        field(
          'iso7816.atr.historical.status',
          `Status indicator: ${describeStatus(trailingStatus)}`,
          base + tlvEnd,
          3,
          toHex(bytes.subarray(tlvEnd)),
        ),
      );
    }
  } else if (category === 0x10) {
    format = 'dir-reference';
    children.push(field('iso7816.atr.historical.category', 'Category indicator: 10 (DIR data reference follows)', base, 1, category));
    if (bytes.length > 1) {
      children.push(field('iso7816.atr.historical.dir', `DIR data reference: ${byteHex(bytes[1]!)}`, base + 1, 1, bytes[1]!));
    }
  } else if (category >= 0x81 && category <= 0x8f) {
    format = 'reserved';
    children.push(field('iso7816.atr.historical.category', `Category indicator: ${byteHex(category)} (reserved)`, base, 1, category));
  } else {
    format = 'proprietary';
  }
  const label =
    format === 'proprietary' ? `Historical bytes (proprietary): ${summarizeValue(bytes)}` : `Historical bytes: ${toHex(bytes, ' ')}`;
  const node = field('iso7816.atr.historical', label, base, bytes.length, toHex(bytes), children);
  if (problems[0]) node.problem = problems[0];
  return { bytes, categoryIndicator: category, format, objects, status, node, problems };
}

function statusFromObject(value: Uint8Array): StatusIndicator | undefined {
  if (value.length === 1) return { lcs: value[0]! };
  if (value.length === 2) return { sw1: value[0]!, sw2: value[1]! };
  if (value.length === 3) return { lcs: value[0]!, sw1: value[1]!, sw2: value[2]! };
  return undefined;
}

/** Life cycle status byte (ISO 7816-4 table 13). */
export function describeLifeCycle(lcs: number): string {
  if (lcs === 0x00) return 'no information';
  if (lcs === 0x01) return 'creation state';
  if (lcs === 0x03) return 'initialisation state';
  if ((lcs & 0xfd) === 0x05) return 'operational state (activated)';
  if ((lcs & 0xfd) === 0x04) return 'operational state (deactivated)';
  if ((lcs & 0xfc) === 0x0c) return 'termination state';
  if (lcs >= 0x10) return 'proprietary';
  return 'reserved';
}

function describeStatus(status: StatusIndicator): string {
  const parts: string[] = [];
  if (status.lcs !== undefined) parts.push(`life cycle ${byteHex(status.lcs)} (${describeLifeCycle(status.lcs)})`);
  if (status.sw1 !== undefined && status.sw2 !== undefined) parts.push(`SW ${byteHex(status.sw1)}${byteHex(status.sw2)}`);
  return parts.join(', ');
}

const SELECTION_METHODS: readonly [number, string][] = [
  [0x80, 'DF selection by full DF name'],
  [0x40, 'DF selection by partial DF name'],
  [0x20, 'DF selection by path'],
  [0x10, 'DF selection by file identifier'],
  [0x08, 'implicit DF selection'],
  [0x04, 'short EF identifier'],
  [0x02, 'record number'],
  [0x01, 'record identifier'],
];

/** Tag 7 card capabilities: selection methods, data coding byte, chaining/extended/channels. */
export function describeCardCapabilities(value: Uint8Array): string[] {
  const lines: string[] = [];
  const first = value[0];
  if (first !== undefined) {
    const methods = SELECTION_METHODS.filter(([bit]) => (first & bit) !== 0).map(([, name]) => name);
    lines.push(`Supports: ${methods.length ? methods.join(', ') : 'no selection method indicated'}`);
  }
  const coding = value[1];
  if (coding !== undefined) {
    const writes = ['one-time write', 'proprietary', 'write OR', 'write AND'][(coding >> 5) & 0x03]!;
    lines.push(
      `Data coding: ${(coding & 0x80) !== 0 ? 'EFs of TLV structure supported, ' : ''}write behaviour ${writes}, ` +
        `FF ${(coding & 0x10) !== 0 ? 'valid' : 'invalid'} as first tag byte, data unit ${1 << (coding & 0x0f)} quartet(s)`,
    );
  }
  const third = value[2];
  if (third !== undefined) {
    const features: string[] = [];
    if (third & 0x80) features.push('command chaining');
    if (third & 0x40) features.push('extended Lc and Le');
    if (third & 0x20) features.push('extended length information in EF.ATR/INFO');
    const assignment = (third >> 3) & 0x03;
    if (assignment & 0x02) features.push('logical channels assigned by the card');
    if (assignment & 0x01) features.push('logical channels assigned by the interface device');
    const channels = third & 0x07;
    features.push(channels === 7 ? '8 or more logical channels' : `${channels + 1} logical channel(s)`);
    lines.push(`Features: ${features.join(', ')}`);
  }
  return lines;
}

const DIR_ACCESS: Readonly<Record<number, string>> = { 0b100: 'READ BINARY', 0b000: 'READ RECORD(S)', 0b010: 'GET DATA' };

/** Tag 3 card service data. */
export function describeCardServiceData(value: Uint8Array): string[] {
  const b = value[0];
  if (b === undefined) return [];
  const items: string[] = [];
  if (b & 0x80) items.push('application selection by full DF name');
  if (b & 0x40) items.push('application selection by partial DF name');
  if (b & 0x20) items.push('BER-TLV data objects in EF.DIR');
  if (b & 0x10) items.push('BER-TLV data objects in EF.ATR/INFO');
  items.push(`EF.DIR/EF.ATR read with ${DIR_ACCESS[(b >> 1) & 0x07] ?? 'reserved method'}`);
  items.push((b & 0x01) !== 0 ? 'card without MF' : 'card with MF');
  return items;
}

function compactObjectNode(object: CompactTlvObject): DissectNode {
  const name = COMPACT_TLV_TAG_NAMES[object.tag] ?? `tag ${intHex(object.tag)}`;
  const details: string[] = [];
  if (object.tag === 0x7) details.push(...describeCardCapabilities(object.value));
  if (object.tag === 0x3) details.push(describeCardServiceData(object.value).join('; '));
  if (object.tag === 0xf) {
    const known = identifyAid(object.value);
    if (known) details.push(known.name);
  }
  if (object.tag === 0x8) {
    const status = statusFromObject(object.value);
    if (status) details.push(describeStatus(status));
  }
  const valueText = summarizeValue(object.value);
  const children = details.map((text, i) =>
    field(
      'iso7816.atr.historical.detail',
      text,
      object.offset + 1 + Math.min(i, Math.max(0, object.value.length - 1)),
      object.value.length ? 1 : 0,
    ),
  );
  const node = field(
    'iso7816.atr.historical.object',
    `${intHex(object.tag)}${intHex(object.length)} ${name}: ${valueText}`,
    object.offset,
    1 + object.value.length,
    toHex(object.value),
    children,
  );
  if (object.problem) node.problem = object.problem;
  return node;
}
