/**
 * What a stored row looks like again: the message bytes are re-decoded on demand (core/ccid for
 * the CCID layer, core/iso7816 for the APDU inside), so the index keeps no strings or trees.
 */
import { byteHex, intHex, toHex } from '#core/bytes/hex.js';
import { decodeCcidMessage, type CcidMessage, type DecodeCcidOptions } from '#core/ccid/decode-message.js';
import { CCID_HEADER_LENGTH, CCID_MESSAGE_CODE } from '#core/ccid/message-types.js';
import type { DissectNode } from '#core/dissect/node.js';
import { parseCommandApdu } from '#core/iso7816/command-apdu.js';
import { maskedCommandHex } from '#core/iso7816/pin-redaction.js';
import { parseResponseApdu } from '#core/iso7816/response-apdu.js';
import { secretCommandOf } from '#core/iso7816/secret-commands.js';
import { describeStatusWord, type StatusWordContext } from '#core/iso7816/status-words.js';
import { decodeT1Block } from '#core/iso7816/t1.js';
import { tlvLines } from '#core/tlv/ber-tlv.js';
import type { CaptureNode, CaptureRow } from '#core/ipc/channels/captures.js';
import {
  DIRECTIONS,
  FLAG_COMMAND_HAS_DATA,
  FLAG_IN_EXCHANGE,
  FLAG_PROBLEM,
  FLAG_SECRET,
  FLAG_TRUNCATED,
  FLAG_WHOLE_APDU,
  NO_INS,
  NO_SLOT,
  NO_SW,
  PAYLOAD_KINDS,
  type RowColumns,
  type StoredRows,
} from './row-columns.js';
import type { T1Reading } from './slot-protocol.js';
import { decodeApduPacketRow, isApduPacketRow, KIND_APDU_PACKET } from './apdu-packet-row.js';

/** How many bytes of an APDU the one-line summary shows. */
const PREVIEW_BYTES = 24;

export interface RowSource extends StoredRows {
  deviceName(index: number): string;
}

export function decodeOptionsFor(columns: RowColumns, row: number): DecodeCcidOptions {
  const kind = PAYLOAD_KINDS[columns.kind[row]!];
  const options: DecodeCcidOptions = { direction: DIRECTIONS[columns.direction[row]!] ?? 'out' };
  if (kind === 'tpdu') options.exchangeLevel = 'tpdu';
  if (kind === 'atr') options.answerTo = CCID_MESSAGE_CODE.PC_to_RDR_IccPowerOn;
  return options;
}

export function decodeRow(source: RowSource, row: number): CcidMessage {
  const kind = source.columns.kind[row]!;
  if (isApduPacketRow(kind)) return decodeApduPacketRow(source.bytes(row), kind);
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
    summary: summaryOf(
      decoded,
      statusContextOfRow(c, row),
      rowSecrecy(source, row),
      carriesPartOfApdu(c, row),
      endingStatusWord(c, row, decoded),
    ),
    length: c.byteLength[row]!,
    transfers: c.transfers[row]!,
    ins: ins === NO_INS ? null : ins,
    sw: sw === NO_SW ? null : intHex(sw, 4),
    problem: (c.flags[row]! & FLAG_PROBLEM) !== 0,
    truncated: (c.flags[row]! & FLAG_TRUNCATED) !== 0,
  };
}

/** What a row knows of the command its answer belongs to: the INS and whether it carried data. */
export function statusContextOfRow(c: RowColumns, row: number): StatusWordContext {
  const ins = c.ins[row]!;
  if (ins === NO_INS) return {};
  return { ins, commandHasData: (c.flags[row]! & FLAG_COMMAND_HAS_DATA) !== 0 };
}

/**
 * The exchange's status word when this answer row ends with it but is not read as a response
 * APDU (a T=0 TPDU reader's DataBlock: procedure bytes and SW1 SW2): the row was tagged with
 * the exchange's SW, and its last two bytes are that SW.
 */
export function endingStatusWord(c: RowColumns, row: number, message: CcidMessage): number | undefined {
  const sw = c.sw[row]!;
  const data = message.data;
  if (sw === NO_SW || DIRECTIONS[c.direction[row]!] !== 'in' || data?.kind !== 'tpdu' || data.bytes.length < 2) return undefined;
  const n = data.bytes.length;
  return ((data.bytes[n - 2]! << 8) | data.bytes[n - 1]!) === sw ? sw : undefined;
}

/**
 * How much of a row's abData may be shown where secrets must not be: 'clear' (all of it),
 * 'apdu' (it is a secret command APDU: header and Lc, data masked), 'whole' (nothing).
 *
 * A row that carried a decoded exchange follows that exchange (FLAG_* set by
 * ExchangeMembership). A command message no exchange claims (the capture ended before the
 * answer, a pairing problem) is judged from its own bytes and shown only when they plainly
 * are a command without secret: a T=1 I-block may be any part of a chain, so it is hidden.
 */
export type RowSecrecy = 'clear' | 'apdu' | 'whole';

export function rowSecrecy(source: RowSource, row: number): RowSecrecy {
  const c = source.columns;
  if (c.kind[row] === KIND_APDU_PACKET) return apduPacketSecrecy(source, row);
  if (c.direction[row] !== 0 || c.messageType[row] !== CCID_MESSAGE_CODE.PC_to_RDR_XfrBlock) return 'clear';
  const flags = c.flags[row]!;
  if ((flags & FLAG_SECRET) !== 0) return (flags & FLAG_WHOLE_APDU) !== 0 ? 'apdu' : 'whole';
  if ((flags & FLAG_IN_EXCHANGE) !== 0) return 'clear';
  const message = source.bytes(row);
  const data = message.subarray(CCID_HEADER_LENGTH);
  if (data.length === 0) return 'clear';
  // wLevelParameter 2 or 3: the continuation of a command chained over XfrBlocks, data without a header.
  const levelParameter = (message[8] ?? 0) | ((message[9] ?? 0) << 8);
  if (levelParameter === 0x02 || levelParameter === 0x03) return 'whole';
  for (const edc of ['lrc', 'crc'] as const) {
    const block = decodeT1Block(data, { edc });
    if (block.problems.length === 0) return block.kind === 'I' ? 'whole' : 'clear';
  }
  const apdu = parseCommandApdu(data);
  if (apdu.apduCase === undefined || apdu.problems.some((p) => p.severity === 'error')) return 'whole';
  return secretCommandOf(data) ? 'apdu' : 'clear';
}

/** A command APDU of an APDU-level trace: always a whole APDU, masked like one. */
function apduPacketSecrecy(source: RowSource, row: number): RowSecrecy {
  const flags = source.columns.flags[row]!;
  if ((flags & FLAG_SECRET) !== 0) return 'apdu';
  if ((flags & FLAG_IN_EXCHANGE) !== 0) return 'clear';
  return secretCommandOf(source.bytes(row)) ? 'apdu' : 'clear';
}

/** A command message of an exchange whose abData is not the APDU itself: a T=1 block, a chained part. */
function carriesPartOfApdu(c: RowColumns, row: number): boolean {
  return (c.flags[row]! & (FLAG_IN_EXCHANGE | FLAG_WHOLE_APDU)) === FLAG_IN_EXCHANGE;
}

function summaryOf(
  message: CcidMessage,
  status: StatusWordContext,
  secrecy: RowSecrecy,
  partOfApdu: boolean,
  endingSw: number | undefined,
): string {
  const data = message.data;
  if (endingSw !== undefined)
    return `${message.summary}: ${intHex(endingSw, 4)} ${describeStatusWord(endingSw >> 8, endingSw & 0xff, status).meaning}`;
  if (secrecy === 'whole') return `${message.summary}: secret data masked (${data?.length ?? 0} bytes)`;
  if (partOfApdu && data) {
    // Read as an APDU, a block would get a made-up INS name.
    const shown = spaced(toHex(data.bytes.subarray(0, PREVIEW_BYTES))) + (data.bytes.length > PREVIEW_BYTES ? ' …' : '');
    return `${message.summary}: part of an APDU exchange  ${shown}`;
  }
  if (data?.kind === 'apdu' && data.bytes.length >= 4) {
    const apdu = parseCommandApdu(data.bytes);
    // The list line never shows secret bytes (the hex pane shows the message as captured).
    const hex = secrecy === 'apdu' ? maskedCommandHex(data.bytes) : toHex(data.bytes);
    const shown = spaced(hex).slice(0, PREVIEW_BYTES * 3 - 1);
    const preview = shown + (data.bytes.length > PREVIEW_BYTES ? ' …' : '');
    return `${apdu.name ?? `INS ${byteHex(apdu.ins)}`}  ${preview}`;
  }
  if (data?.kind === 'response-apdu' && data.bytes.length >= 2) {
    const bytes = data.bytes;
    const sw1 = bytes[bytes.length - 2]!;
    const sw2 = bytes[bytes.length - 1]!;
    const meaning = describeStatusWord(sw1, sw2, status).meaning;
    const body = bytes.length > 2 ? `, ${bytes.length - 2} bytes of data` : '';
    return `${byteHex(sw1)}${byteHex(sw2)} ${meaning}${body}`;
  }
  return message.summary;
}

/**
 * The detail tree: the CCID message with what its abData carries nested under abData — the
 * APDU, or on a T=1 slot of a TPDU reader the T=1 block (NAD, PCB, LEN, INF, EDC) with the APDU
 * under its INF when the block holds a whole one — so the innermost field under any byte (core/dissect
 * nodeAtOffset) is the most specific one. BER-TLV data shows one line per TLV.
 */
export function detailTree(message: CcidMessage, status: StatusWordContext, t1?: T1Reading, endingSw?: number): CaptureNode[] {
  const root = toCaptureNode(message.node);
  const data = message.data;
  let inner: DissectNode | undefined;
  if (endingSw !== undefined && data) {
    inner = {
      id: 'iso7816.sw',
      label: `SW1 SW2: ${intHex(endingSw, 4)} (${describeStatusWord(endingSw >> 8, endingSw & 0xff, status).meaning}), ending the APDU exchange`,
      offset: data.offset + data.bytes.length - 2,
      length: 2,
    };
  } else if (t1 && data && (data.kind === 'tpdu' || data.kind === 'apdu' || data.kind === 'response-apdu')) {
    inner = t1BlockTree(data.bytes, data.offset, message.bMessageType === CCID_MESSAGE_CODE.RDR_to_PC_DataBlock, status, t1);
  } else if (data) {
    inner = apduTree(
      data.bytes,
      data.offset,
      data.kind === 'response-apdu' ? 'response' : data.kind === 'apdu' ? 'command' : undefined,
      status,
    );
  }
  const abData = root.children?.find((child) => child.id === 'ccid.abData');
  if (inner && abData) abData.children = [...(abData.children ?? []), toCaptureNode(inner)];
  else if (inner) return [root, toCaptureNode(inner)];
  return [root];
}

function apduTree(
  bytes: Uint8Array,
  base: number,
  side: 'command' | 'response' | undefined,
  status: StatusWordContext,
): DissectNode | undefined {
  if (side === 'command' && bytes.length >= 4) return tlvLines(parseCommandApdu(bytes, { base }).node);
  if (side === 'response' && bytes.length >= 2) return tlvLines(parseResponseApdu(bytes, { base, ...status }).node);
  return undefined;
}

/** The block, and under its INF the APDU an unchained I-block carries whole. */
function t1BlockTree(bytes: Uint8Array, base: number, answer: boolean, status: StatusWordContext, t1: T1Reading): DissectNode {
  const block = decodeT1Block(bytes, { base, edc: t1.edc });
  if (block.kind !== 'I' || block.more || t1.continuesChain) return block.node;
  const apdu = apduTree(block.inf, base + 3, answer ? 'response' : 'command', status);
  const inf = block.node.children?.find((child) => child.id === 'iso7816.t1.inf');
  if (apdu && inf) inf.children = [...(inf.children ?? []), apdu];
  return block.node;
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
