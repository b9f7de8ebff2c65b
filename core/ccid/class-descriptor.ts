/**
 * The 54-byte CCID class (functional) descriptor, bDescriptorType 0x21 (CCID 1.1 §5.1): what the
 * reader can do. dwFeatures decides the exchange level and therefore what XfrBlock carries.
 */
import { CCID_HEADER_LENGTH, CCID_MAX_DATA_LENGTH } from './message-types.js';
import { ByteReader } from '../bytes/byte-reader.js';
import { field, type DissectNode, type Problem } from '../dissect/node.js';
import type { ExchangeLevel } from './decode-message.js';
import { hexLiteral, intHex } from '../bytes/hex.js';
import { FieldCursor } from './field-cursor.js';

export const CCID_CLASS_DESCRIPTOR_LENGTH = 54;
export const CCID_CLASS_DESCRIPTOR_TYPE = 0x21;
/**
 * CCID 1.1 §5.1: dwMaxCCIDMessageLength lies between 261 + 10 and 65544 + 10 (an extended APDU
 * and the 10-byte header). Anything a reader or a capture claims beyond it is not a size to
 * allocate: buffers and reassemblies are sized from usableMessageLength().
 */
export const CCID_MAX_MESSAGE_LENGTH = CCID_HEADER_LENGTH + CCID_MAX_DATA_LENGTH;

/** A dwMaxCCIDMessageLength (or a dwLength + header) clamped to what CCID allows. */
export function usableMessageLength(claimed: number): number {
  return Math.min(claimed, CCID_MAX_MESSAGE_LENGTH);
}

/** The raw numbers, in descriptor order (what encodeClassDescriptor takes). */
export interface CcidClassDescriptorFields {
  bcdCCID: number;
  bMaxSlotIndex: number;
  bVoltageSupport: number;
  dwProtocols: number;
  dwDefaultClock: number;
  dwMaximumClock: number;
  bNumClockSupported: number;
  dwDataRate: number;
  dwMaxDataRate: number;
  bNumDataRatesSupported: number;
  dwMaxIFSD: number;
  dwSynchProtocols: number;
  dwMechanical: number;
  dwFeatures: number;
  dwMaxCCIDMessageLength: number;
  bClassGetResponse: number;
  bClassEnvelope: number;
  wLcdLayout: number;
  bPINSupport: number;
  bMaxCCIDBusySlots: number;
}

export interface CcidFeatureFlag {
  mask: number;
  /** Stable short name, e.g. 'auto-pps'. */
  name: string;
  description: string;
}

export interface CcidFeatures {
  raw: number;
  exchangeLevel: ExchangeLevel;
  /** Every set bit, known or not (unknown ones named 'unknown-0x…'). */
  flags: CcidFeatureFlag[];
  /** Descriptions of the automatic behaviours (the 'auto-*' flags). */
  automatic: string[];
  usbWakeUp: boolean;
}

export interface CcidClassDescriptor extends CcidClassDescriptorFields {
  bLength: number;
  bDescriptorType: number;
  /** '1.10' from bcdCCID 0x0110. */
  version: string;
  slotCount: number;
  voltages: string[];
  protocols: string[];
  synchProtocols: string[];
  mechanical: string[];
  features: CcidFeatures;
  lcd?: { lines: number; charactersPerLine: number };
  pinSupport: { verify: boolean; modify: boolean };
}

export interface ClassDescriptorDecode {
  /** Present when all 54 bytes were there. */
  descriptor?: CcidClassDescriptor;
  node: DissectNode;
  problems: Problem[];
}

/** dwFeatures bits other than the exchange level (CCID 1.1 Table 5.1-1). */
export const FEATURE_FLAGS: readonly CcidFeatureFlag[] = [
  { mask: 0x00000002, name: 'auto-parameters-from-atr', description: 'automatic parameter configuration based on ATR data' },
  { mask: 0x00000004, name: 'auto-activation', description: 'automatic activation of the ICC on insertion' },
  { mask: 0x00000008, name: 'auto-voltage', description: 'automatic ICC voltage selection' },
  { mask: 0x00000010, name: 'auto-clock', description: 'automatic ICC clock frequency change' },
  { mask: 0x00000020, name: 'auto-baud-rate', description: 'automatic baud rate change' },
  {
    mask: 0x00000040,
    name: 'auto-parameters-negotiation',
    description: 'automatic parameters negotiation by the CCID (warm/cold resets, PPS)',
  },
  { mask: 0x00000080, name: 'auto-pps', description: 'automatic PPS by the CCID according to the active parameters' },
  { mask: 0x00000100, name: 'clock-stop', description: 'CCID can set the ICC in clock stop mode' },
  { mask: 0x00000200, name: 'nad-other-than-00', description: 'NAD value other than 00 accepted (T=1)' },
  { mask: 0x00000400, name: 'auto-ifsd', description: 'automatic IFSD exchange as first exchange (T=1)' },
  { mask: 0x00010000, name: 'tpdu-level', description: 'TPDU level exchanges' },
  { mask: 0x00020000, name: 'short-apdu-level', description: 'short APDU level exchanges' },
  { mask: 0x00040000, name: 'extended-apdu-level', description: 'short and extended APDU level exchanges' },
  { mask: 0x00100000, name: 'usb-wake-up', description: 'USB wake up signalling on card insertion and removal' },
];

const EXCHANGE_LEVEL_MASK = 0x00070000;

export const EXCHANGE_LEVEL_NAMES: Record<ExchangeLevel, string> = {
  character: 'character level',
  tpdu: 'TPDU level',
  'short-apdu': 'short APDU level',
  'extended-apdu': 'short and extended APDU level',
};

const VOLTAGES: readonly [number, string][] = [
  [0x01, '5.0V'],
  [0x02, '3.0V'],
  [0x04, '1.8V'],
];
const PROTOCOLS: readonly [number, string][] = [
  [0x01, 'T=0'],
  [0x02, 'T=1'],
];
const SYNCH_PROTOCOLS: readonly [number, string][] = [
  [0x01, '2-wire'],
  [0x02, '3-wire'],
  [0x04, 'I2C'],
];
const MECHANICAL: readonly [number, string][] = [
  [0x01, 'card accept mechanism'],
  [0x02, 'card ejection mechanism'],
  [0x04, 'card capture mechanism'],
  [0x08, 'card lock/unlock mechanism'],
];

function bitNames(value: number, table: readonly [number, string][]): string[] {
  return table.filter(([mask]) => (value & mask) !== 0).map(([, name]) => name);
}

export function decodeFeatures(raw: number): CcidFeatures {
  const flags: CcidFeatureFlag[] = [];
  let known = 0;
  for (const flag of FEATURE_FLAGS) {
    known |= flag.mask;
    if ((raw & flag.mask) !== 0) flags.push(flag);
  }
  const unknown = raw & ~known & ~0x1; // bit 0 is unused
  for (let bit = 0; bit < 32; bit++) {
    const mask = (1 << bit) >>> 0;
    if ((unknown & mask) !== 0)
      flags.push({ mask, name: `unknown-${hexLiteral(mask, 8)}`, description: `unknown feature bit ${hexLiteral(mask, 8)}` });
  }
  return {
    raw,
    exchangeLevel: exchangeLevelOf(raw),
    flags,
    automatic: flags.filter((f) => f.name.startsWith('auto-')).map((f) => f.description),
    usbWakeUp: (raw & 0x00100000) !== 0,
  };
}

/** Highest level bit wins if a reader wrongly sets several. */
export function exchangeLevelOf(dwFeatures: number): ExchangeLevel {
  if (dwFeatures & 0x00040000) return 'extended-apdu';
  if (dwFeatures & 0x00020000) return 'short-apdu';
  if (dwFeatures & 0x00010000) return 'tpdu';
  return 'character';
}

function version(bcd: number): string {
  return `${intHex(bcd >> 8)}.${intHex(bcd & 0xff, 2)}`;
}

/** Decodes a class descriptor starting at bytes[0] (bLength first). Never throws. */
export function decodeClassDescriptor(bytes: Uint8Array, offset = 0): ClassDescriptorDecode {
  const problems: Problem[] = [];
  const reader = new ByteReader(bytes, offset);
  const c = new FieldCursor(reader, 'ccid.descriptor');
  const list = (table: readonly [number, string][]) => (v: number) => `${hexLiteral(v)} (${bitNames(v, table).join(', ') || 'none'})`;
  const list32 = (table: readonly [number, string][]) => (v: number) => `${hexLiteral(v, 8)} (${bitNames(v, table).join(', ') || 'none'})`;

  const bLength = c.u8('bLength');
  const bDescriptorType = c.u8('bDescriptorType', (v) => `${hexLiteral(v)}${v === 0x21 ? ' (CCID functional)' : ''}`);
  const f = {
    bcdCCID: c.u16le('bcdCCID', (v) => `${hexLiteral(v, 4)} (${version(v)})`),
    bMaxSlotIndex: c.u8('bMaxSlotIndex', (v) => `${v} (${v + 1} slot${v === 0 ? '' : 's'})`),
    bVoltageSupport: c.u8('bVoltageSupport', list(VOLTAGES)),
    dwProtocols: c.u32le('dwProtocols', list32(PROTOCOLS)),
    dwDefaultClock: c.u32le('dwDefaultClock', (v) => `${v} kHz`),
    dwMaximumClock: c.u32le('dwMaximumClock', (v) => `${v} kHz`),
    bNumClockSupported: c.u8('bNumClockSupported', (v) => (v === 0 ? '0 (default and maximum only)' : String(v))),
    dwDataRate: c.u32le('dwDataRate', (v) => `${v} bps`),
    dwMaxDataRate: c.u32le('dwMaxDataRate', (v) => `${v} bps`),
    bNumDataRatesSupported: c.u8('bNumDataRatesSupported', (v) => (v === 0 ? '0 (default and maximum only)' : String(v))),
    dwMaxIFSD: c.u32le('dwMaxIFSD', (v) => `${v} bytes`),
    dwSynchProtocols: c.u32le('dwSynchProtocols', list32(SYNCH_PROTOCOLS)),
    dwMechanical: c.u32le('dwMechanical', list32(MECHANICAL)),
    dwFeatures: c.u32le('dwFeatures', (v) => `${hexLiteral(v, 8)} (${EXCHANGE_LEVEL_NAMES[exchangeLevelOf(v)]})`),
    dwMaxCCIDMessageLength: c.u32le('dwMaxCCIDMessageLength', (v) => `${v} bytes`),
    bClassGetResponse: c.u8('bClassGetResponse', (v) => `${hexLiteral(v)}${v === 0xff ? ' (echo the APDU class)' : ''}`),
    bClassEnvelope: c.u8('bClassEnvelope', (v) => `${hexLiteral(v)}${v === 0xff ? ' (echo the APDU class)' : ''}`),
    wLcdLayout: c.u16le('wLcdLayout', (v) =>
      v === 0 ? '0x0000 (no LCD)' : `${hexLiteral(v, 4)} (${v >> 8} lines × ${v & 0xff} characters)`,
    ),
    bPINSupport: c.u8(
      'bPINSupport',
      (v) => `${hexLiteral(v)} (${[v & 1 ? 'verification' : '', v & 2 ? 'modification' : ''].filter(Boolean).join(', ') || 'no PIN pad'})`,
    ),
    bMaxCCIDBusySlots: c.u8('bMaxCCIDBusySlots'),
  };

  const featuresNode = c.nodes.find((n) => n.id === 'ccid.descriptor.dwFeatures');
  if (featuresNode && f.dwFeatures !== undefined) {
    const features = decodeFeatures(f.dwFeatures);
    featuresNode.children = features.flags.map((flag) =>
      field('ccid.descriptor.dwFeatures.flag', `${hexLiteral(flag.mask, 8)}: ${flag.description}`, featuresNode.offset, 4, flag.mask),
    );
    const levels = f.dwFeatures & EXCHANGE_LEVEL_MASK;
    if (levels & (levels - 1))
      problems.push({ code: 'several-exchange-levels', message: 'dwFeatures sets more than one exchange level', severity: 'warning' });
    if (features.flags.some((fl) => fl.name.startsWith('unknown-'))) {
      problems.push({ code: 'reserved-nonzero', message: 'dwFeatures has unknown bits set', severity: 'warning' });
    }
  }

  if (f.dwMaxCCIDMessageLength !== undefined && f.dwMaxCCIDMessageLength > CCID_MAX_MESSAGE_LENGTH) {
    problems.push({
      code: 'length-beyond-ccid-maximum',
      message: `dwMaxCCIDMessageLength ${f.dwMaxCCIDMessageLength} exceeds the CCID maximum (${CCID_MAX_MESSAGE_LENGTH} bytes); ${CCID_MAX_MESSAGE_LENGTH} is used`,
      severity: 'warning',
    });
  }
  if (bLength !== undefined && bLength !== CCID_CLASS_DESCRIPTOR_LENGTH) {
    problems.push({
      code: 'unexpected-length',
      message: `bLength ${bLength}, expected ${CCID_CLASS_DESCRIPTOR_LENGTH}`,
      severity: 'warning',
    });
  }
  if (bDescriptorType !== undefined && bDescriptorType !== CCID_CLASS_DESCRIPTOR_TYPE) {
    // Some pre-1.0 readers use 0xFF on a vendor-specific interface; still decodable.
    problems.push({
      code: 'unexpected-descriptor-type',
      message: `bDescriptorType ${hexLiteral(bDescriptorType)}, expected 0x21`,
      severity: 'warning',
    });
  }
  if (c.truncated) {
    problems.push({
      code: 'truncated',
      message: `class descriptor cut short at ${c.truncatedAt} (${bytes.length} of 54 bytes)`,
      severity: 'error',
    });
  }

  const length = Math.min(bytes.length, CCID_CLASS_DESCRIPTOR_LENGTH);
  const node = field('ccid.descriptor', 'CCID class descriptor', offset, length, undefined, c.nodes);
  if (problems[0]) node.problem = problems.find((p) => p.severity === 'error') ?? problems[0];
  if (c.truncated) return { node, problems };

  const fields = f as CcidClassDescriptorFields;
  const descriptor: CcidClassDescriptor = {
    bLength: bLength!,
    bDescriptorType: bDescriptorType!,
    ...fields,
    version: version(fields.bcdCCID),
    slotCount: fields.bMaxSlotIndex + 1,
    voltages: bitNames(fields.bVoltageSupport, VOLTAGES),
    protocols: bitNames(fields.dwProtocols, PROTOCOLS),
    synchProtocols: bitNames(fields.dwSynchProtocols, SYNCH_PROTOCOLS),
    mechanical: bitNames(fields.dwMechanical, MECHANICAL),
    features: decodeFeatures(fields.dwFeatures),
    pinSupport: { verify: (fields.bPINSupport & 1) !== 0, modify: (fields.bPINSupport & 2) !== 0 },
  };
  if (fields.wLcdLayout !== 0) descriptor.lcd = { lines: fields.wLcdLayout >> 8, charactersPerLine: fields.wLcdLayout & 0xff };
  return { descriptor, node, problems };
}

/** Builds the 54 bytes (bLength 0x36, bDescriptorType 0x21) for a virtual reader. */
export function encodeClassDescriptor(d: CcidClassDescriptorFields): Uint8Array {
  const out = new Uint8Array(CCID_CLASS_DESCRIPTOR_LENGTH);
  const v = new DataView(out.buffer);
  let p = 0;
  const u8 = (x: number) => v.setUint8(p++, x & 0xff);
  const u16 = (x: number) => {
    v.setUint16(p, x & 0xffff, true);
    p += 2;
  };
  const u32 = (x: number) => {
    v.setUint32(p, x >>> 0, true);
    p += 4;
  };
  u8(CCID_CLASS_DESCRIPTOR_LENGTH);
  u8(CCID_CLASS_DESCRIPTOR_TYPE);
  u16(d.bcdCCID);
  u8(d.bMaxSlotIndex);
  u8(d.bVoltageSupport);
  u32(d.dwProtocols);
  u32(d.dwDefaultClock);
  u32(d.dwMaximumClock);
  u8(d.bNumClockSupported);
  u32(d.dwDataRate);
  u32(d.dwMaxDataRate);
  u8(d.bNumDataRatesSupported);
  u32(d.dwMaxIFSD);
  u32(d.dwSynchProtocols);
  u32(d.dwMechanical);
  u32(d.dwFeatures);
  u32(d.dwMaxCCIDMessageLength);
  u8(d.bClassGetResponse);
  u8(d.bClassEnvelope);
  u16(d.wLcdLayout);
  u8(d.bPINSupport);
  u8(d.bMaxCCIDBusySlots);
  return out;
}
