/**
 * Response APDUs: optional data, then SW1 SW2 (ISO 7816-4 §5.1). The data gets a BER-TLV tree
 * when it parses cleanly as such; the status word is explained in the light of the command
 * (when the caller knows it).
 */
import { toHex } from '../bytes/hex.js';
import { field, type DissectNode, type Problem } from '../dissect/node.js';
import type { ApplicationKind } from '../apps/application-kind.js';
import { tagName } from '../apps/tag-names.js';
import { berTlvNodes, looksLikeBerTlv, parseBerTlv, summarizeValue } from '../tlv/ber-tlv.js';
import { describeStatusWord, formatStatusWord, type StatusWordMeaning } from './status-words.js';

export interface ResponseApdu {
  /** Response data (a view); empty when only a status word came back. */
  data: Uint8Array;
  sw1: number | undefined;
  sw2: number | undefined;
  /** SW1 << 8 | SW2, undefined when the response is shorter than 2 bytes. */
  sw: number | undefined;
  status: StatusWordMeaning | undefined;
  /** True when the data was shown as a BER-TLV tree. */
  tlv: boolean;
  node: DissectNode;
  problems: Problem[];
}

export interface ResponseApduOptions {
  base?: number;
  /** INS of the command answered (VERIFY changes what 63Cx means). */
  ins?: number;
  /** Whether the command answered carried data (VERIFY without data queries the counter). */
  commandHasData?: boolean;
  /** Selected application, for tag names. */
  context?: ApplicationKind;
  /** Set false to skip the TLV attempt (e.g. READ BINARY of a transparent file). */
  decodeTlv?: boolean;
}

export function parseResponseApdu(bytes: Uint8Array, options: ResponseApduOptions = {}): ResponseApdu {
  const base = options.base ?? 0;
  const problems: Problem[] = [];
  if (bytes.length < 2) {
    const p: Problem = {
      code: 'too-short',
      message: `a response APDU needs at least SW1 SW2, got ${bytes.length} byte(s)`,
      severity: 'error',
    };
    problems.push(p);
    const node = field(
      'iso7816.response',
      'Response APDU (no status word)',
      base,
      bytes.length,
      undefined,
      bytes.length ? [field('iso7816.response.raw', `Bytes: ${toHex(bytes, ' ')}`, base, bytes.length, toHex(bytes))] : [],
    );
    node.problem = p;
    return { data: bytes.subarray(0, 0), sw1: undefined, sw2: undefined, sw: undefined, status: undefined, tlv: false, node, problems };
  }
  const dataLength = bytes.length - 2;
  const data = bytes.subarray(0, dataLength);
  const sw1 = bytes[dataLength]!;
  const sw2 = bytes[dataLength + 1]!;
  const status = describeStatusWord(sw1, sw2, { ins: options.ins, commandHasData: options.commandHasData });
  const children: DissectNode[] = [];
  let tlv = false;
  if (dataLength > 0) {
    if (options.decodeTlv !== false && looksLikeBerTlv(data)) {
      tlv = true;
      const parsed = parseBerTlv(data, { base });
      const context = options.context;
      const tree = berTlvNodes(parsed.objects, {
        tagName: (tag, parent) => tagName(tag, context, parent),
        idPrefix: 'iso7816.data.tlv',
      });
      children.push(field('iso7816.data', `Data: ${dataLength} byte(s), BER-TLV`, base, dataLength, toHex(data), tree));
    } else {
      children.push(field('iso7816.data', `Data: ${dataLength} byte(s): ${summarizeValue(data)}`, base, dataLength, toHex(data)));
    }
  }
  const swText = formatStatusWord(sw1, sw2);
  children.push(
    field('iso7816.sw', `SW: ${swText} (${status.meaning})`, base + dataLength, 2, (sw1 << 8) | sw2, [
      field('iso7816.sw1', `SW1: ${swText.slice(0, 2)}`, base + dataLength, 1, sw1),
      field('iso7816.sw2', `SW2: ${swText.slice(2)}`, base + dataLength + 1, 1, sw2),
    ]),
  );
  const node = field(
    'iso7816.response',
    `Response APDU: ${swText} ${status.meaning}${dataLength ? `, ${dataLength} byte(s) of data` : ''}`,
    base,
    bytes.length,
    undefined,
    children,
  );
  return { data, sw1, sw2, sw: (sw1 << 8) | sw2, status, tlv, node, problems };
}
