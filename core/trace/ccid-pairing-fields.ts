/**
 * The fields of one CCID message that the trace needs to pair commands with answers and to pull
 * APDUs out of them (CcidPairingFields), read as cheaply as the message allows.
 *
 * Clean XfrBlock and DataBlock messages — nearly all the volume of a real trace — are read
 * straight from their 10-byte header: they have no reserved bytes, so "clean" means the header
 * is whole, dwLength matches the bytes and bStatus has no reserved bit set. Everything else
 * (other types, anything odd) goes through core/ccid's full decoder, which reports every
 * problem. A clean message decoded fully would give the same fields and no problem; the
 * decode tree is left for the viewer to build when a packet is selected.
 */
import { ccidBodySummary, decodeCcidMessage, type CcidMessage, type CcidPayloadKind, type ExchangeLevel } from '../ccid/decode-message.js';
import { decodeSlotStatus, type CcidSlotStatus } from '../ccid/slot-status.js';
import {
  CCID_HEADER_LENGTH,
  CCID_MESSAGE_CODE,
  dwLengthOf,
  messageTypeByCode,
  messageTypeByName,
  payloadKindOf,
  type CcidMessageName,
  type CcidResponseName,
} from '../ccid/message-types.js';
import type { SecureRequest } from '../ccid/secure.js';
import type { SlotChangeEvent } from '../ccid/decode-message.js';
import type { Problem } from '../dissect/node.js';

export interface CcidPairingFields {
  bMessageType: number;
  name: CcidMessageName | undefined;
  expectedAnswer: CcidResponseName | undefined;
  bSlot: number | undefined;
  bSeq: number | undefined;
  status: CcidSlotStatus | undefined;
  /** abData bytes present (a view). */
  data: Uint8Array | undefined;
  /** What abData carries ('apdu', 'response-apdu', 'tpdu', 'atr'…); undefined when the message has none. */
  kind: CcidPayloadKind | undefined;
  wLevelParameter: number;
  bChainParameter: number;
  bProtocolNum: number | undefined;
  secure: SecureRequest | undefined;
  slotChanges: SlotChangeEvent[] | undefined;
  problems: Problem[];
  /** The one-line summary (decode-message's), when asked for (`summary`) or decoded fully. */
  summary: string | undefined;
  /** The full decode, when the message took the full path. */
  message: CcidMessage | undefined;
}

export interface CcidPairingFieldsOptions {
  direction: 'out' | 'in' | 'interrupt';
  exchangeLevel?: ExchangeLevel | undefined;
  answerTo?: number | undefined;
  slotCount?: number | undefined;
  /** Write the summary line also for messages read from their header (a transcript shows it). */
  summary?: boolean | undefined;
  /** Always run the full decoder (whoever wants the decode tree of every message). */
  full?: boolean | undefined;
}

const XFR = CCID_MESSAGE_CODE.PC_to_RDR_XfrBlock;
const DATA_BLOCK = CCID_MESSAGE_CODE.RDR_to_PC_DataBlock;
const XFR_TYPE = messageTypeByName('PC_to_RDR_XfrBlock');
const DATA_TYPE = messageTypeByName('RDR_to_PC_DataBlock');
const NO_PROBLEMS: Problem[] = [];
/**
 * decodeSlotStatus by bStatus × 256 + bError, made once each: a trace reads the same few
 * statuses hundreds of thousands of times. The objects are never changed by their readers.
 */
const slotStatuses = new Map<number, CcidSlotStatus>();

function slotStatusOf(bStatus: number, bError: number): CcidSlotStatus {
  const key = (bStatus << 8) | bError;
  let status = slotStatuses.get(key);
  if (status === undefined) slotStatuses.set(key, (status = Object.freeze(decodeSlotStatus(bStatus, bError))));
  return status;
}

export function readCcidPairingFields(bytes: Uint8Array, options: CcidPairingFieldsOptions): CcidPairingFields {
  if (!options.full) {
    const fast = cleanXfrOrData(bytes, options);
    if (fast) return fast;
  }
  const message = decodeCcidMessage(bytes, {
    direction: options.direction,
    ...(options.exchangeLevel ? { exchangeLevel: options.exchangeLevel } : {}),
    ...(options.answerTo !== undefined ? { answerTo: options.answerTo } : {}),
    ...(options.slotCount !== undefined ? { slotCount: options.slotCount } : {}),
  });
  return {
    bMessageType: message.bMessageType,
    name: message.name,
    expectedAnswer: message.expectedAnswer,
    bSlot: message.bSlot,
    bSeq: message.bSeq,
    status: message.status,
    data: message.data?.bytes,
    kind: message.data?.kind,
    wLevelParameter: message.fields.wLevelParameter ?? 0,
    bChainParameter: message.fields.bChainParameter ?? 0,
    bProtocolNum: message.fields.bProtocolNum,
    secure: message.secure,
    slotChanges: message.slotChanges,
    problems: message.problems,
    summary: message.summary,
    message,
  };
}

function cleanXfrOrData(bytes: Uint8Array, options: CcidPairingFieldsOptions): CcidPairingFields | undefined {
  const length = bytes.length;
  if (length < CCID_HEADER_LENGTH) return undefined;
  if (dwLengthOf(bytes) !== length - CCID_HEADER_LENGTH) return undefined;
  const fields = cleanHeaderFields(bytes, options.direction, options.exchangeLevel, options.answerTo);
  if (fields && options.summary) fields.summary = ccidBodySummary(fields, length - CCID_HEADER_LENGTH, length - CCID_HEADER_LENGTH);
  return fields;
}

/**
 * The summary of a message the decode read from its header alone (a clean XfrBlock or
 * DataBlock), made from those 10 bytes: what readCcidPairingFields writes for the whole message.
 * For a thread that gets the headers from a decode run with TraceDecoderOptions.headerSummaries
 * off; undefined for a header the decode would not have read alone.
 */
export function headerOnlySummary(header: Uint8Array, direction: 'out' | 'in' | 'interrupt'): string | undefined {
  if (header.length < CCID_HEADER_LENGTH) return undefined;
  const fields = cleanHeaderFields(header, direction, undefined, undefined);
  const dataLength = dwLengthOf(header);
  return fields ? ccidBodySummary(fields, dataLength, dataLength) : undefined;
}

/** The fields of a clean XfrBlock or DataBlock from its header (abData: what follows the header in `bytes`). */
function cleanHeaderFields(
  bytes: Uint8Array,
  direction: CcidPairingFieldsOptions['direction'],
  exchangeLevel: ExchangeLevel | undefined,
  answerTo: number | undefined,
): CcidPairingFields | undefined {
  const type = bytes[0];
  if (type === XFR && direction === 'out') {
    return {
      bMessageType: XFR,
      name: XFR_TYPE.name,
      expectedAnswer: XFR_TYPE.answer,
      bSlot: bytes[5],
      bSeq: bytes[6],
      status: undefined,
      data: bytes.subarray(CCID_HEADER_LENGTH),
      kind: payloadKindOf(XFR_TYPE, exchangeLevel),
      wLevelParameter: bytes[8]! | (bytes[9]! << 8),
      bChainParameter: 0,
      bProtocolNum: undefined,
      secure: undefined,
      slotChanges: undefined,
      problems: NO_PROBLEMS,
      summary: undefined,
      message: undefined,
    };
  }
  if (type === DATA_BLOCK && direction === 'in' && (bytes[7]! & 0x3c) === 0) {
    return {
      bMessageType: DATA_BLOCK,
      name: DATA_TYPE.name,
      expectedAnswer: undefined,
      bSlot: bytes[5],
      bSeq: bytes[6],
      status: slotStatusOf(bytes[7]!, bytes[8]!),
      data: bytes.subarray(CCID_HEADER_LENGTH),
      kind: payloadKindOf(DATA_TYPE, exchangeLevel, answerTo === undefined ? undefined : messageTypeByCode(answerTo)),
      wLevelParameter: 0,
      bChainParameter: bytes[9]!,
      bProtocolNum: undefined,
      secure: undefined,
      slotChanges: undefined,
      problems: NO_PROBLEMS,
      summary: undefined,
      message: undefined,
    };
  }
  return undefined;
}
