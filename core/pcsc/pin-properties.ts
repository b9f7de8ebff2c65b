/**
 * FEATURE_IFD_PIN_PROPERTIES answer: PIN_PROPERTIES_STRUCTURE (PC/SC part 10 §2.6.8),
 * wLcdLayout (little-endian), bEntryValidationCondition, bTimeOut2.
 */
import { intHex } from '../bytes/hex.js';
import { field, type DissectNode, type Problem } from '../dissect/node.js';
import { pinFieldNode } from './pin-format.js';

export interface PinProperties {
  wLcdLayout: number;
  lcd?: { lines: number; charactersPerLine: number };
  bEntryValidationCondition: number;
  bTimeOut2: number;
}

export interface PinPropertiesDecode {
  properties?: PinProperties;
  nodes: DissectNode[];
  problems: Problem[];
}

export const PIN_PROPERTIES_LENGTH = 4;

export function decodePinProperties(bytes: Uint8Array, offset = 0): PinPropertiesDecode {
  const problems: Problem[] = [];
  if (bytes.length < PIN_PROPERTIES_LENGTH) {
    problems.push({ code: 'truncated', message: `PIN_PROPERTIES_STRUCTURE is 4 bytes, got ${bytes.length}`, severity: 'error' });
    return { nodes: [field('pcsc.pinProperties', `truncated (${bytes.length} bytes)`, offset, bytes.length)], problems };
  }
  if (bytes.length > PIN_PROPERTIES_LENGTH) {
    problems.push({ code: 'trailing-bytes', message: `${bytes.length - 4} byte(s) after PIN_PROPERTIES_STRUCTURE`, severity: 'warning' });
  }
  const wLcdLayout = bytes[0]! | (bytes[1]! << 8);
  const properties: PinProperties = { wLcdLayout, bEntryValidationCondition: bytes[2]!, bTimeOut2: bytes[3]! };
  if (wLcdLayout !== 0) properties.lcd = { lines: wLcdLayout >> 8, charactersPerLine: wLcdLayout & 0xff };
  const lcdText = wLcdLayout === 0 ? 'no LCD' : `${wLcdLayout >> 8} lines × ${wLcdLayout & 0xff} characters`;
  const nodes = [
    field('pcsc.pinProperties.wLcdLayout', `wLcdLayout: 0x${intHex(wLcdLayout, 4)} (${lcdText})`, offset, 2, wLcdLayout),
    pinFieldNode('pcsc.pinProperties', 'bEntryValidationCondition', offset + 2, 1, properties.bEntryValidationCondition),
    pinFieldNode('pcsc.pinProperties', 'bTimeOut2', offset + 3, 1, properties.bTimeOut2),
  ];
  return { properties, nodes, problems };
}

export function encodePinProperties(p: Omit<PinProperties, 'lcd'>): Uint8Array {
  return Uint8Array.of(p.wLcdLayout & 0xff, p.wLcdLayout >> 8, p.bEntryValidationCondition, p.bTimeOut2);
}
