/**
 * The 21 CCID 1.1 message types as data, Wireshark's field and value tables being the model: for
 * each its code, spec name and pipe, the header fields it carries (name, size, value table), what
 * its abData carries, and for a command the one answer the reader may give. The decoder, the
 * encoder, the host driver, the trace and the simulators read the layout from here, and name the
 * codes through CCID_MESSAGE_CODE: a field changes in one place.
 *
 * Header layout (CCID 1.1 §6.1, §6.2): every bulk message starts with bMessageType, dwLength (LE),
 * bSlot and bSeq, then 3 bytes. A command fills those 3 bytes with its own fields; an answer starts
 * them with bStatus and bError and fills the last one with its own. An interrupt message (§6.3) has
 * only bMessageType in common: its fields follow it directly.
 */
import { MAX_EXTENDED_APDU_LENGTH } from '../iso7816/apdu-limits.js';
import {
  CHAIN_PARAMETER_NAMES,
  CLOCK_COMMAND_NAMES,
  CLOCK_STATUS_NAMES,
  explainBwi,
  explainClassByte,
  explainLevelParameter,
  explainT0Changes,
  HARDWARE_ERROR_NAMES,
  MECHANICAL_FUNCTION_NAMES,
  POWER_SELECT_NAMES,
  PROTOCOL_NUM_NAMES,
} from './value-tables.js';

export type CcidCommandName =
  | 'PC_to_RDR_IccPowerOn'
  | 'PC_to_RDR_IccPowerOff'
  | 'PC_to_RDR_GetSlotStatus'
  | 'PC_to_RDR_XfrBlock'
  | 'PC_to_RDR_GetParameters'
  | 'PC_to_RDR_ResetParameters'
  | 'PC_to_RDR_SetParameters'
  | 'PC_to_RDR_Escape'
  | 'PC_to_RDR_IccClock'
  | 'PC_to_RDR_T0APDU'
  | 'PC_to_RDR_Secure'
  | 'PC_to_RDR_Mechanical'
  | 'PC_to_RDR_Abort'
  | 'PC_to_RDR_SetDataRateAndClockFrequency';

export type CcidResponseName =
  'RDR_to_PC_DataBlock' | 'RDR_to_PC_SlotStatus' | 'RDR_to_PC_Parameters' | 'RDR_to_PC_Escape' | 'RDR_to_PC_DataRateAndClockFrequency';

export type CcidInterruptName = 'RDR_to_PC_NotifySlotChange' | 'RDR_to_PC_HardwareError';

export type CcidMessageName = CcidCommandName | CcidResponseName | CcidInterruptName;

/** Which pipe carries the message: commands go bulk OUT, answers bulk IN, events interrupt IN. */
export type CcidPipe = 'bulk-out' | 'bulk-in' | 'interrupt-in';

/** The reader's exchange level (from dwFeatures), which decides what abData carries. */
export type ExchangeLevel = 'character' | 'tpdu' | 'short-apdu' | 'extended-apdu';

export type CcidPayloadKind =
  'apdu' | 'response-apdu' | 'tpdu' | 'characters' | 'atr' | 'escape' | 'secure' | 'protocol-data' | 'clock-and-rate' | 'data';

/** What abData carries: one kind, or one per exchange level ('apdu' stands for both APDU levels and an unknown one). */
export type CcidPayloadRule = CcidPayloadKind | Readonly<Record<'tpdu' | 'character' | 'apdu', CcidPayloadKind>>;

/** Header fields that hold a value (the reserved ones are abRFU / bRFU). */
export type CcidValueFieldName =
  | 'bPowerSelect'
  | 'bBWI'
  | 'wLevelParameter'
  | 'bProtocolNum'
  | 'bClockCommand'
  | 'bmChanges'
  | 'bClassGetResponse'
  | 'bClassEnvelope'
  | 'bFunction'
  | 'bChainParameter'
  | 'bClockStatus'
  | 'bHardwareErrorCode';

/** One header field of a message type (Wireshark's header_field_info: name, size, value table). */
export interface CcidHeaderField {
  /** The spec's name; abRFU / bRFU are reserved bytes, written as zero and flagged when not. */
  name: CcidValueFieldName | 'bSlot' | 'bSeq' | 'abRFU' | 'bRFU';
  /** Bytes, little-endian. */
  size: 1 | 2 | 3;
  /** Names of the values (shown as '0x01 (5.0 V)'); a value the table lacks is `unknownValue`. */
  values?: Readonly<Record<number, string>>;
  /** What a value missing from `values` is called (default 'RFU'). */
  unknownValue?: string;
  /** The reading of a value no table can give (a multiplier, bits, a meaning that depends on the level). */
  explain?: (value: number, level: ExchangeLevel | undefined) => string;
}

export interface CcidMessageType {
  code: number;
  name: CcidMessageName;
  pipe: CcidPipe;
  /** The fields after the common part (see the top of this file), in wire order. */
  header: readonly CcidHeaderField[];
  /** What abData carries. */
  payload: CcidPayloadRule;
  /** For a command: the only message type the reader may answer it with. */
  answer?: CcidResponseName;
  /** For a command: what that answer's abData carries when it is not the answer type's own payload. */
  answerPayload?: CcidPayloadRule;
  /** dwLength the spec fixes for this type (0 for header-only messages, 8 for data rate/clock). */
  fixedDwLength?: number;
}

const RFU3: CcidHeaderField = { name: 'abRFU', size: 3 };
const RFU2: CcidHeaderField = { name: 'abRFU', size: 2 };
const RFU1: CcidHeaderField = { name: 'bRFU', size: 1 };
const BWI: CcidHeaderField = { name: 'bBWI', size: 1, explain: explainBwi };
const LEVEL_PARAMETER: CcidHeaderField = { name: 'wLevelParameter', size: 2, explain: explainLevelParameter };
const PROTOCOL_NUM: CcidHeaderField = { name: 'bProtocolNum', size: 1, values: PROTOCOL_NUM_NAMES };

/** XfrBlock carries TPDUs at TPDU level, characters at character level, APDUs otherwise; DataBlock likewise answers. */
const COMMAND_BY_LEVEL = { tpdu: 'tpdu', character: 'characters', apdu: 'apdu' } as const;
const RESPONSE_BY_LEVEL = { tpdu: 'tpdu', character: 'characters', apdu: 'response-apdu' } as const;

export const CCID_MESSAGE_TYPES: readonly CcidMessageType[] = [
  {
    code: 0x62,
    name: 'PC_to_RDR_IccPowerOn',
    pipe: 'bulk-out',
    header: [{ name: 'bPowerSelect', size: 1, values: POWER_SELECT_NAMES }, RFU2],
    payload: 'data',
    answer: 'RDR_to_PC_DataBlock',
    answerPayload: 'atr',
    fixedDwLength: 0,
  },
  {
    code: 0x63,
    name: 'PC_to_RDR_IccPowerOff',
    pipe: 'bulk-out',
    header: [RFU3],
    payload: 'data',
    answer: 'RDR_to_PC_SlotStatus',
    fixedDwLength: 0,
  },
  {
    code: 0x65,
    name: 'PC_to_RDR_GetSlotStatus',
    pipe: 'bulk-out',
    header: [RFU3],
    payload: 'data',
    answer: 'RDR_to_PC_SlotStatus',
    fixedDwLength: 0,
  },
  {
    code: 0x6f,
    name: 'PC_to_RDR_XfrBlock',
    pipe: 'bulk-out',
    header: [BWI, LEVEL_PARAMETER],
    payload: COMMAND_BY_LEVEL,
    answer: 'RDR_to_PC_DataBlock',
  },
  {
    code: 0x6c,
    name: 'PC_to_RDR_GetParameters',
    pipe: 'bulk-out',
    header: [RFU3],
    payload: 'data',
    answer: 'RDR_to_PC_Parameters',
    fixedDwLength: 0,
  },
  {
    code: 0x6d,
    name: 'PC_to_RDR_ResetParameters',
    pipe: 'bulk-out',
    header: [RFU3],
    payload: 'data',
    answer: 'RDR_to_PC_Parameters',
    fixedDwLength: 0,
  },
  {
    code: 0x61,
    name: 'PC_to_RDR_SetParameters',
    pipe: 'bulk-out',
    header: [PROTOCOL_NUM, RFU2],
    payload: 'protocol-data',
    answer: 'RDR_to_PC_Parameters',
  },
  { code: 0x6b, name: 'PC_to_RDR_Escape', pipe: 'bulk-out', header: [RFU3], payload: 'escape', answer: 'RDR_to_PC_Escape' },
  {
    code: 0x6e,
    name: 'PC_to_RDR_IccClock',
    pipe: 'bulk-out',
    header: [{ name: 'bClockCommand', size: 1, values: CLOCK_COMMAND_NAMES }, RFU2],
    payload: 'data',
    answer: 'RDR_to_PC_SlotStatus',
    fixedDwLength: 0,
  },
  {
    code: 0x6a,
    name: 'PC_to_RDR_T0APDU',
    pipe: 'bulk-out',
    header: [
      { name: 'bmChanges', size: 1, explain: explainT0Changes },
      { name: 'bClassGetResponse', size: 1, explain: explainClassByte },
      { name: 'bClassEnvelope', size: 1, explain: explainClassByte },
    ],
    payload: 'data',
    answer: 'RDR_to_PC_SlotStatus',
    fixedDwLength: 0,
  },
  {
    code: 0x69,
    name: 'PC_to_RDR_Secure',
    pipe: 'bulk-out',
    header: [BWI, LEVEL_PARAMETER],
    payload: 'secure',
    answer: 'RDR_to_PC_DataBlock',
    // The card's answer to the PIN command, which the reader passes on even at character level.
    answerPayload: { tpdu: 'tpdu', character: 'response-apdu', apdu: 'response-apdu' },
  },
  {
    code: 0x71,
    name: 'PC_to_RDR_Mechanical',
    pipe: 'bulk-out',
    header: [{ name: 'bFunction', size: 1, values: MECHANICAL_FUNCTION_NAMES }, RFU2],
    payload: 'data',
    answer: 'RDR_to_PC_SlotStatus',
    fixedDwLength: 0,
  },
  {
    code: 0x72,
    name: 'PC_to_RDR_Abort',
    pipe: 'bulk-out',
    header: [RFU3],
    payload: 'data',
    answer: 'RDR_to_PC_SlotStatus',
    fixedDwLength: 0,
  },
  {
    code: 0x73,
    name: 'PC_to_RDR_SetDataRateAndClockFrequency',
    pipe: 'bulk-out',
    header: [RFU3],
    payload: 'clock-and-rate',
    answer: 'RDR_to_PC_DataRateAndClockFrequency',
    fixedDwLength: 8,
  },
  {
    code: 0x80,
    name: 'RDR_to_PC_DataBlock',
    pipe: 'bulk-in',
    header: [{ name: 'bChainParameter', size: 1, values: CHAIN_PARAMETER_NAMES }],
    payload: RESPONSE_BY_LEVEL,
  },
  {
    code: 0x81,
    name: 'RDR_to_PC_SlotStatus',
    pipe: 'bulk-in',
    header: [{ name: 'bClockStatus', size: 1, values: CLOCK_STATUS_NAMES }],
    payload: 'data',
    fixedDwLength: 0,
  },
  { code: 0x82, name: 'RDR_to_PC_Parameters', pipe: 'bulk-in', header: [PROTOCOL_NUM], payload: 'protocol-data' },
  { code: 0x83, name: 'RDR_to_PC_Escape', pipe: 'bulk-in', header: [RFU1], payload: 'escape' },
  { code: 0x84, name: 'RDR_to_PC_DataRateAndClockFrequency', pipe: 'bulk-in', header: [RFU1], payload: 'clock-and-rate', fixedDwLength: 8 },
  // bmSlotICCState: 2 bits per slot, as many bytes as the slots need (decodeCcidMessage reads them).
  { code: 0x50, name: 'RDR_to_PC_NotifySlotChange', pipe: 'interrupt-in', header: [], payload: 'data' },
  {
    code: 0x51,
    name: 'RDR_to_PC_HardwareError',
    pipe: 'interrupt-in',
    header: [
      { name: 'bSlot', size: 1 },
      { name: 'bSeq', size: 1 },
      { name: 'bHardwareErrorCode', size: 1, values: HARDWARE_ERROR_NAMES, unknownValue: 'unknown hardware error' },
    ],
    payload: 'data',
  },
];

/** The code of each message type by its spec name: CCID_MESSAGE_CODE.PC_to_RDR_XfrBlock === 0x6F. */
export const CCID_MESSAGE_CODE = Object.freeze(Object.fromEntries(CCID_MESSAGE_TYPES.map((t) => [t.name, t.code]))) as Readonly<
  Record<CcidMessageName, number>
>;

/** What a bulk message's header holds before its own fields: bMessageType, dwLength, bSlot, bSeq (and bStatus, bError for an answer). */
export const CCID_HEADER_LENGTH = 10;
/** abData at its largest (CCID 1.1 §5.1: dwMaxCCIDMessageLength is at most 65544 + 10): one extended APDU. */
export const CCID_MAX_DATA_LENGTH = MAX_EXTENDED_APDU_LENGTH;

/** dwLength of a bulk message (bytes 1–4, little-endian), read without a decoder; 0 when fewer than 5 bytes are there. */
export function dwLengthOf(message: Uint8Array): number {
  if (message.length < 5) return 0;
  return (message[1]! | (message[2]! << 8) | (message[3]! << 16) | (message[4]! << 24)) >>> 0;
}

/** The header of a bulk OUT message of a type nobody knows: three reserved bytes. */
export const UNKNOWN_COMMAND_HEADER: readonly CcidHeaderField[] = [RFU3];
/** The header of a bulk IN message of a type nobody knows: one reserved byte after bStatus and bError. */
export const UNKNOWN_ANSWER_HEADER: readonly CcidHeaderField[] = [RFU1];

const BY_CODE = new Map(CCID_MESSAGE_TYPES.map((t) => [t.code, t]));
const BY_NAME = new Map(CCID_MESSAGE_TYPES.map((t) => [t.name, t]));

export function messageTypeByCode(code: number): CcidMessageType | undefined {
  return BY_CODE.get(code);
}

export function messageTypeByName(name: CcidMessageName): CcidMessageType {
  return BY_NAME.get(name)!;
}

const CODES_ON: Readonly<Record<CcidPipe, ReadonlySet<number>>> = {
  'bulk-out': new Set(CCID_MESSAGE_TYPES.filter((t) => t.pipe === 'bulk-out').map((t) => t.code)),
  'bulk-in': new Set(CCID_MESSAGE_TYPES.filter((t) => t.pipe === 'bulk-in').map((t) => t.code)),
  'interrupt-in': new Set(CCID_MESSAGE_TYPES.filter((t) => t.pipe === 'interrupt-in').map((t) => t.code)),
};

/** The codes of every type carried on `pipe`. */
export function messageCodesOn(pipe: CcidPipe): ReadonlySet<number> {
  return CODES_ON[pipe];
}

/** The code of the answer a command must get, undefined for anything that is not a known command. */
export function answerCodeOf(commandCode: number): number | undefined {
  const answer = BY_CODE.get(commandCode)?.answer;
  return answer === undefined ? undefined : BY_NAME.get(answer)!.code;
}

/**
 * What the abData of a message of `type` carries at `level`; `answering` is the command a bulk IN
 * message answers (an IccPowerOn's DataBlock carries the ATR).
 */
export function payloadKindOf(
  type: CcidMessageType | undefined,
  level: ExchangeLevel | undefined,
  answering?: CcidMessageType,
): CcidPayloadKind {
  if (!type) return 'data';
  const rule = answering?.answer === type.name && answering.answerPayload !== undefined ? answering.answerPayload : type.payload;
  if (typeof rule === 'string') return rule;
  return level === 'tpdu' ? rule.tpdu : level === 'character' ? rule.character : rule.apdu;
}
