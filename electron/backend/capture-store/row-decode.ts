/**
 * What a stored row looks like again: the message bytes are re-decoded on demand (core/ccid for
 * the CCID layer, core/iso7816 for the APDU inside), so the index keeps no strings or trees.
 */
import { byteHex, intHex } from '../../../core/bytes/hex.js';
import { decodeCcidMessage, type CcidMessage, type DecodeCcidOptions } from '../../../core/ccid/decode-message.js';
import type { DissectNode } from '../../../core/dissect/node.js';
import { parseCommandApdu } from '../../../core/iso7816/command-apdu.js';
import { redactedCommandHex } from '../../../core/iso7816/pin-redaction.js';
import { parseResponseApdu } from '../../../core/iso7816/response-apdu.js';
import { describeStatusWord } from '../../../core/iso7816/status-words.js';
import type { CaptureNode, CaptureRow } from '../../../core/ipc/channels/captures.js';
import { DIRECTIONS, FLAG_PROBLEM, FLAG_TRUNCATED, NO_INS, NO_SLOT, NO_SW, PAYLOAD_KINDS, type RowColumns } from './row-columns.js';

const ICC_POWER_ON = 0x62;
/** How many bytes of an APDU the one-line summary shows. */
const PREVIEW_BYTES = 24;

export interface RowSource {
  columns: RowColumns;
  bytes(row: number): Uint8Array;
  deviceName(index: number): string;
}

export function decodeOptionsFor(columns: RowColumns, row: number): DecodeCcidOptions {
  const kind = PAYLOAD_KINDS[columns.kind[row]!];
  const options: DecodeCcidOptions = { direction: DIRECTIONS[columns.direction[row]!] ?? 'out' };
  if (kind === 'tpdu') options.exchangeLevel = 'tpdu';
  if (kind === 'atr') options.answerTo = ICC_POWER_ON;
  return options;
}

export function decodeRow(source: RowSource, row: number): CcidMessage {
  return decodeCcidMessage(source.bytes(row), decodeOptionsFor(source.columns, row));
}

/** The list's line for one row. */
export function describeRow(source: RowSource, row: number, decoded: CcidMessage = decodeRow(source, row)): CaptureRow {
  const c = source.columns;
  const slot = c.slot[row]!;
  const ins = c.ins[row]!;
  const sw = c.sw[row]!;
  return {
    row,
    frame: c.frame[row]!,
    timeMs: Math.round(c.timeNs[row]! / 1000) / 1000,
    device: source.deviceName(c.device[row]!),
    slot: slot === NO_SLOT ? null : slot,
    direction: DIRECTIONS[c.direction[row]!] ?? 'out',
    messageType: c.messageType[row]!,
    name: decoded.name ?? `unknown 0x${byteHex(c.messageType[row]!)}`,
    summary: summaryOf(decoded, ins === NO_INS ? undefined : ins),
    length: c.byteLength[row]!,
    transfers: c.transfers[row]!,
    ins: ins === NO_INS ? null : ins,
    sw: sw === NO_SW ? null : intHex(sw, 4),
    problem: (c.flags[row]! & FLAG_PROBLEM) !== 0,
    truncated: (c.flags[row]! & FLAG_TRUNCATED) !== 0,
  };
}

function summaryOf(message: CcidMessage, ins: number | undefined): string {
  const data = message.data;
  if (data?.kind === 'apdu' && data.bytes.length >= 4) {
    const apdu = parseCommandApdu(data.bytes);
    // The list line never shows PIN bytes (the hex pane shows the message as captured).
    const shown = spaced(redactedCommandHex(data.bytes)).slice(0, PREVIEW_BYTES * 3 - 1);
    const preview = shown + (data.bytes.length > PREVIEW_BYTES ? ' …' : '');
    return `${apdu.name ?? `INS ${byteHex(apdu.ins)}`}  ${preview}`;
  }
  if (data?.kind === 'response-apdu' && data.bytes.length >= 2) {
    const bytes = data.bytes;
    const sw1 = bytes[bytes.length - 2]!;
    const sw2 = bytes[bytes.length - 1]!;
    const meaning = describeStatusWord(sw1, sw2, ins !== undefined ? { ins } : {}).meaning;
    const body = bytes.length > 2 ? `, ${bytes.length - 2} bytes of data` : '';
    return `${byteHex(sw1)}${byteHex(sw2)} ${meaning}${body}`;
  }
  return message.summary;
}

/**
 * The detail tree: the CCID message with the APDU its abData carries nested under abData, so
 * the innermost field under any byte (core/dissect nodeAtOffset) is the most specific one.
 */
export function detailTree(message: CcidMessage, ins: number | undefined): CaptureNode[] {
  const root = toCaptureNode(message.node);
  const data = message.data;
  let apdu: DissectNode | undefined;
  if (data?.kind === 'apdu' && data.bytes.length >= 4) {
    apdu = parseCommandApdu(data.bytes, { base: data.offset }).node;
  } else if (data?.kind === 'response-apdu' && data.bytes.length >= 2) {
    apdu = parseResponseApdu(data.bytes, { base: data.offset, ...(ins !== undefined ? { ins } : {}) }).node;
  }
  const abData = root.children?.find((child) => child.id === 'ccid.abData');
  if (apdu && abData) abData.children = [...(abData.children ?? []), toCaptureNode(apdu)];
  else if (apdu) return [root, toCaptureNode(apdu)];
  return [root];
}

/** Plain JSON for the contract: bigint values as decimal strings, depth bounded. */
export function toCaptureNode(node: DissectNode): CaptureNode {
  return convert(node, 0);
}

const MAX_DEPTH = 64;

function convert(node: DissectNode, depth: number): CaptureNode {
  const out: CaptureNode = { id: node.id, label: node.label, offset: node.offset, length: node.length };
  if (node.value !== undefined) out.value = typeof node.value === 'bigint' ? node.value.toString() : node.value;
  if (node.problem) out.problem = { code: node.problem.code, message: node.problem.message, severity: node.problem.severity };
  if (node.children && node.children.length > 0 && depth < MAX_DEPTH)
    out.children = node.children.map((child) => convert(child, depth + 1));
  return out;
}

function spaced(hex: string): string {
  return hex.replace(/(..)(?=.)/g, '$1 ');
}
