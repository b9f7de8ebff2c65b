/**
 * PC/SC part 10 features: the tags a reader lists in its CM_IOCTL_GET_FEATURE_REQUEST answer,
 * each with the control code to use for it.
 */
import { intHex } from '../bytes/hex.js';
import { field, type DissectNode, type Problem } from '../dissect/node.js';

export const FEATURE_NAMES: Record<number, string> = {
  0x01: 'VERIFY_PIN_START',
  0x02: 'VERIFY_PIN_FINISH',
  0x03: 'MODIFY_PIN_START',
  0x04: 'MODIFY_PIN_FINISH',
  0x05: 'GET_KEY_PRESSED',
  0x06: 'VERIFY_PIN_DIRECT',
  0x07: 'MODIFY_PIN_DIRECT',
  0x08: 'MCT_READER_DIRECT',
  0x09: 'MCT_UNIVERSAL',
  0x0a: 'IFD_PIN_PROPERTIES',
  0x0b: 'ABORT',
  0x0c: 'SET_SPE_MESSAGE',
  0x0d: 'VERIFY_PIN_DIRECT_APP_ID',
  0x0e: 'MODIFY_PIN_DIRECT_APP_ID',
  0x0f: 'WRITE_DISPLAY',
  0x10: 'GET_KEY',
  0x11: 'IFD_DISPLAY_PROPERTIES',
  0x12: 'GET_TLV_PROPERTIES',
  0x13: 'CCID_ESC_COMMAND',
  // pcsc-lite's reader.h and BSI TR-03119 use 0x20 for PACE.
  0x20: 'EXECUTE_PACE',
};

export function featureName(tag: number): string {
  return FEATURE_NAMES[tag] ?? `unknown feature 0x${intHex(tag, 2)}`;
}

export function featureTagByName(name: string): number | undefined {
  for (const [tag, n] of Object.entries(FEATURE_NAMES)) if (n === name) return Number(tag);
  return undefined;
}

export interface ReaderFeature {
  tag: number;
  name: string;
  /** The SCardControl code for this feature (big-endian in the answer). */
  controlCode: number;
}

export interface FeatureListDecode {
  features: ReaderFeature[];
  nodes: DissectNode[];
  problems: Problem[];
}

/** Decodes the GET_FEATURE_REQUEST answer: TLVs tag(1) len(1)=4 value(4, big-endian). Never throws. */
export function decodeFeatureList(bytes: Uint8Array, offset = 0): FeatureListDecode {
  const out: FeatureListDecode = { features: [], nodes: [], problems: [] };
  let p = 0;
  while (p < bytes.length) {
    if (p + 2 > bytes.length) {
      out.problems.push({ code: 'truncated', message: `feature TLV at byte ${p} has no length`, severity: 'error' });
      out.nodes.push(field('pcsc.feature.trailing', 'truncated TLV', offset + p, bytes.length - p));
      break;
    }
    const tag = bytes[p]!;
    const len = bytes[p + 1]!;
    if (p + 2 + len > bytes.length) {
      out.problems.push({
        code: 'truncated',
        message: `feature 0x${intHex(tag, 2)} says ${len} bytes, ${bytes.length - p - 2} left`,
        severity: 'error',
      });
      out.nodes.push(field('pcsc.feature', `${featureName(tag)}: truncated`, offset + p, bytes.length - p, tag));
      break;
    }
    if (len !== 4) {
      out.problems.push({
        code: 'bad-length',
        message: `feature 0x${intHex(tag, 2)} value is ${len} bytes, expected 4`,
        severity: 'warning',
      });
      out.nodes.push(field('pcsc.feature', `${featureName(tag)}: ${len}-byte value (expected 4)`, offset + p, 2 + len, tag));
      p += 2 + len;
      continue;
    }
    const code = ((bytes[p + 2]! << 24) | (bytes[p + 3]! << 16) | (bytes[p + 4]! << 8) | bytes[p + 5]!) >>> 0;
    const feature: ReaderFeature = { tag, name: featureName(tag), controlCode: code };
    out.features.push(feature);
    out.nodes.push(
      field('pcsc.feature', `${feature.name} (0x${intHex(tag, 2)}) → control code 0x${intHex(code, 8)}`, offset + p, 6, tag, [
        field('pcsc.feature.tag', `tag: 0x${intHex(tag, 2)} (${feature.name})`, offset + p, 1, tag),
        field('pcsc.feature.length', `length: ${len}`, offset + p + 1, 1, len),
        field('pcsc.feature.controlCode', `control code: 0x${intHex(code, 8)}`, offset + p + 2, 4, code),
      ]),
    );
    p += 6;
  }
  return out;
}

/** Builds a GET_FEATURE_REQUEST answer (for the virtual reader). */
export function encodeFeatureList(features: readonly { tag: number; controlCode: number }[]): Uint8Array {
  const out = new Uint8Array(features.length * 6);
  features.forEach((f, i) => {
    const p = i * 6;
    out[p] = f.tag & 0xff;
    out[p + 1] = 4;
    out[p + 2] = (f.controlCode >>> 24) & 0xff;
    out[p + 3] = (f.controlCode >>> 16) & 0xff;
    out[p + 4] = (f.controlCode >>> 8) & 0xff;
    out[p + 5] = f.controlCode & 0xff;
  });
  return out;
}
