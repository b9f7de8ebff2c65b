/**
 * A reader's capabilities, decoded from what the reader answered: PC/SC part 10 features
 * (GET_FEATURE_REQUEST), TLV properties, PIN properties, the card's ATR, the CCID class
 * descriptor when the backend sees the device. The backend only gathers the raw answers; this
 * module is what both the CLI (`cardbench inspect`) and the Readers workbench show.
 */
import { fromHex, hexLiteral, intHex, toHex } from '../bytes/hex.js';
import type { DissectNode } from '../dissect/node.js';
import { treeLines } from '../dissect/tree-text.js';
import { decodeClassDescriptor, type CcidClassDescriptor } from '../ccid/class-descriptor.js';
import { parseAtr } from '../iso7816/atr.js';
import { decodeFeatureList } from '../pcsc/features.js';
import { decodePinProperties } from '../pcsc/pin-properties.js';
import { decodeTlvProperties } from '../pcsc/tlv-properties.js';
import { jsonSafeNodes } from './json-safe.js';

export interface AtrDecoded {
  hex: string;
  convention: string | null;
  /** 'T=0', 'T=1'… in the order offered. */
  protocols: string[];
  fi: number;
  di: number;
  fMaxMHz: number;
  historicalBytes: string;
  tck: { required: boolean; present: boolean; valid: boolean | null };
  tree: DissectNode[];
  problems: string[];
}

export interface CardIdentification {
  /** Path of the list read (pcsc-tools' smartcard_list.txt), null when there is none. */
  source: string | null;
  /** Descriptions of every entry whose ATR pattern matches. */
  matches: string[];
  note?: string;
}

export interface ReaderInspection {
  id: string;
  name: string;
  backend: string;
  cardPresent: boolean;
  /** Feature name → SCardControl code (uppercase hex, 8 digits). */
  features: Record<string, string>;
  tlvProperties: Record<string, number | string> | null;
  pinProperties: {
    wLcdLayout: number;
    lcd: { lines: number; charactersPerLine: number } | null;
    bEntryValidationCondition: number;
    bTimeOut2: number;
  } | null;
  pinpad: { verify: boolean; modify: boolean; lcd: { lines: number; charactersPerLine: number } | null };
  atr: AtrDecoded | null;
  card: CardIdentification | null;
  /** The CCID class descriptor: raw, decoded field by field (bPINSupport, dwFeatures…) and as a tree. */
  ccidDescriptor: { hex: string; fields: CcidClassDescriptor | null; tree: DissectNode[] } | null;
  /** Largest command data field, in bytes, and where that figure came from. */
  maxApdu: number | null;
  maxApduSource: string | null;
  /** What could not be read, and why (e.g. the driver has no SCardControl). */
  notes: string[];
}

export interface RawReaderAnswers {
  id: string;
  name: string;
  backend: string;
  cardPresent: boolean;
  atr: string | null;
  featureAnswer?: Uint8Array;
  tlvAnswer?: Uint8Array;
  pinAnswer?: Uint8Array;
  descriptor?: Uint8Array;
  card?: CardIdentification;
  notes?: string[];
}

export function decodeAtrSummary(hex: string): AtrDecoded {
  const atr = parseAtr(fromHex(hex));
  return {
    hex: hex.toUpperCase(),
    convention: atr.convention ?? null,
    protocols: atr.protocols.map((p) => `T=${p}`),
    fi: atr.fi,
    di: atr.di,
    fMaxMHz: atr.fMaxMHz,
    historicalBytes: toHex(atr.historical.bytes),
    tck: { required: atr.tck.required, present: atr.tck.present, valid: atr.tck.valid ?? null },
    tree: jsonSafeNodes([atr.node]),
    problems: atr.problems.map((p) => p.message),
  };
}

export function buildInspection(raw: RawReaderAnswers): ReaderInspection {
  const notes = [...(raw.notes ?? [])];
  const features: Record<string, string> = {};
  if (raw.featureAnswer) {
    const decoded = decodeFeatureList(raw.featureAnswer);
    for (const f of decoded.features) features[f.name] = intHex(f.controlCode, 8);
    for (const p of decoded.problems) notes.push(`GET_FEATURE_REQUEST answer: ${p.message}`);
  }
  let tlvProperties: ReaderInspection['tlvProperties'] = null;
  if (raw.tlvAnswer) {
    const decoded = decodeTlvProperties(raw.tlvAnswer);
    tlvProperties = decoded.byName;
    for (const p of decoded.problems) notes.push(`GET_TLV_PROPERTIES answer: ${p.message}`);
  }
  let pinProperties: ReaderInspection['pinProperties'] = null;
  if (raw.pinAnswer) {
    const decoded = decodePinProperties(raw.pinAnswer);
    if (decoded.properties) {
      pinProperties = { ...decoded.properties, lcd: decoded.properties.lcd ?? null };
    }
    for (const p of decoded.problems) notes.push(`IFD_PIN_PROPERTIES answer: ${p.message}`);
  }
  let ccidDescriptor: ReaderInspection['ccidDescriptor'] = null;
  let descriptorMax: number | undefined;
  let descriptorPin: { verify: boolean; modify: boolean } | undefined;
  let descriptorLcd: { lines: number; charactersPerLine: number } | undefined;
  if (raw.descriptor) {
    const decoded = decodeClassDescriptor(raw.descriptor);
    ccidDescriptor = { hex: toHex(raw.descriptor), fields: decoded.descriptor ?? null, tree: jsonSafeNodes([decoded.node]) };
    if (decoded.descriptor) {
      // A CCID message is a 10-byte header and the APDU; the reader buffers at most dwMaxCCIDMessageLength.
      descriptorMax = decoded.descriptor.dwMaxCCIDMessageLength - 10;
      descriptorPin = decoded.descriptor.pinSupport;
      descriptorLcd = decoded.descriptor.lcd;
    }
  }
  const lcdLayout = typeof tlvProperties?.wLcdLayout === 'number' ? tlvProperties.wLcdLayout : (pinProperties?.wLcdLayout ?? 0);
  const lcd = lcdLayout ? { lines: lcdLayout >> 8, charactersPerLine: lcdLayout & 0xff } : (descriptorLcd ?? null);
  const pinpad = {
    verify: 'VERIFY_PIN_DIRECT' in features || 'VERIFY_PIN_START' in features || descriptorPin?.verify === true,
    modify: 'MODIFY_PIN_DIRECT' in features || 'MODIFY_PIN_START' in features || descriptorPin?.modify === true,
    lcd,
  };
  let maxApdu: number | null = null;
  let maxApduSource: string | null = null;
  if (typeof tlvProperties?.dwMaxAPDUDataSize === 'number' && tlvProperties.dwMaxAPDUDataSize > 0) {
    maxApdu = tlvProperties.dwMaxAPDUDataSize;
    maxApduSource = 'dwMaxAPDUDataSize (TLV properties)';
  } else if (descriptorMax !== undefined) {
    maxApdu = descriptorMax;
    maxApduSource = 'dwMaxCCIDMessageLength − 10 (CCID descriptor)';
  } else if (tlvProperties && tlvProperties.dwMaxAPDUDataSize === 0) {
    maxApdu = 255;
    maxApduSource = 'dwMaxAPDUDataSize 0: short APDUs only';
  }
  return {
    id: raw.id,
    name: raw.name,
    backend: raw.backend,
    cardPresent: raw.cardPresent,
    features,
    tlvProperties,
    pinProperties,
    pinpad,
    atr: raw.atr ? decodeAtrSummary(raw.atr) : null,
    card: raw.card ?? null,
    ccidDescriptor,
    maxApdu,
    maxApduSource,
    notes,
  };
}

/** The readable form of `cardbench inspect` and of the report a driver maintainer asks for. */
export function inspectionText(inspection: ReaderInspection): string {
  const lines: string[] = [];
  lines.push(`Reader: ${inspection.name}`);
  lines.push(`Backend: ${inspection.backend}`);
  lines.push(`Card: ${inspection.cardPresent ? 'present' : 'absent'}`);
  if (inspection.atr) {
    const atr = inspection.atr;
    lines.push(`ATR: ${spaced(atr.hex)}`);
    lines.push(`  protocols ${atr.protocols.join(', ') || 'none'}; Fi ${atr.fi}, Di ${atr.di}, fmax ${atr.fMaxMHz} MHz`);
    lines.push(`  historical bytes: ${atr.historicalBytes ? spaced(atr.historicalBytes) : 'none'}`);
    if (atr.tck.present) lines.push(`  TCK ${atr.tck.valid ? 'correct' : 'WRONG'}`);
    for (const p of atr.problems) lines.push(`  problem: ${p}`);
  }
  if (inspection.card) {
    if (inspection.card.matches.length) {
      lines.push(`Card identification (${inspection.card.source ?? 'no list'}):`);
      for (const m of inspection.card.matches) lines.push(`  ${m}`);
    } else {
      lines.push(`Card identification: ${inspection.card.note ?? 'no match'}`);
    }
  }
  const featureNames = Object.keys(inspection.features);
  lines.push(`PC/SC part 10 features: ${featureNames.length ? '' : 'none announced'}`);
  for (const name of featureNames) lines.push(`  ${name.padEnd(28)} ${inspection.features[name]}`);
  if (inspection.tlvProperties) {
    lines.push('TLV properties:');
    for (const [name, value] of Object.entries(inspection.tlvProperties)) {
      lines.push(`  ${name.padEnd(28)} ${typeof value === 'number' ? `${value} (${hexLiteral(value, 1)})` : value}`);
    }
  }
  if (inspection.pinProperties) {
    const p = inspection.pinProperties;
    lines.push('PIN properties:');
    lines.push(`  wLcdLayout ${p.lcd ? `${p.lcd.lines} lines × ${p.lcd.charactersPerLine} characters` : 'no LCD'}`);
    lines.push(`  bEntryValidationCondition 0x${intHex(p.bEntryValidationCondition, 2)}, bTimeOut2 ${p.bTimeOut2}`);
  }
  const pad = inspection.pinpad;
  lines.push(
    `Pinpad: ${pad.verify || pad.modify ? [pad.verify ? 'verify' : '', pad.modify ? 'modify' : ''].filter(Boolean).join(' + ') : 'none'}; LCD: ${pad.lcd ? `${pad.lcd.lines}×${pad.lcd.charactersPerLine}` : 'none'}`,
  );
  lines.push(`Max APDU data: ${inspection.maxApdu === null ? 'unknown' : `${inspection.maxApdu} bytes (${inspection.maxApduSource})`}`);
  if (inspection.ccidDescriptor) {
    lines.push(`CCID class descriptor: ${spaced(inspection.ccidDescriptor.hex)}`);
    // Decoded below the bytes, field by field: what a driver maintainer reads the report for.
    const [root] = inspection.ccidDescriptor.tree;
    for (const line of treeLines(root?.children ?? inspection.ccidDescriptor.tree, '  ')) lines.push(line);
  }
  for (const note of inspection.notes) lines.push(`Note: ${note}`);
  return lines.join('\n');
}

function spaced(hex: string): string {
  return hex.replace(/(..)(?=.)/g, '$1 ');
}
