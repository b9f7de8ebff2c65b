/**
 * The 21 CCID 1.1 message types as data: code, spec name, pipe, and for each command the message
 * the reader must answer with (so a capture view can pair them and flag a wrong answer).
 */
import { MAX_EXTENDED_APDU_LENGTH } from '../iso7816/apdu-limits.js';

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

export interface CcidMessageType {
  code: number;
  name: CcidMessageName;
  pipe: CcidPipe;
  /** For a command: the only message type the reader may answer it with. */
  answer?: CcidResponseName;
  /** dwLength the spec fixes for this type (0 for header-only messages, 8 for data rate/clock). */
  fixedDwLength?: number;
}

export const CCID_MESSAGE_TYPES: readonly CcidMessageType[] = [
  { code: 0x62, name: 'PC_to_RDR_IccPowerOn', pipe: 'bulk-out', answer: 'RDR_to_PC_DataBlock', fixedDwLength: 0 },
  { code: 0x63, name: 'PC_to_RDR_IccPowerOff', pipe: 'bulk-out', answer: 'RDR_to_PC_SlotStatus', fixedDwLength: 0 },
  { code: 0x65, name: 'PC_to_RDR_GetSlotStatus', pipe: 'bulk-out', answer: 'RDR_to_PC_SlotStatus', fixedDwLength: 0 },
  { code: 0x6f, name: 'PC_to_RDR_XfrBlock', pipe: 'bulk-out', answer: 'RDR_to_PC_DataBlock' },
  { code: 0x6c, name: 'PC_to_RDR_GetParameters', pipe: 'bulk-out', answer: 'RDR_to_PC_Parameters', fixedDwLength: 0 },
  { code: 0x6d, name: 'PC_to_RDR_ResetParameters', pipe: 'bulk-out', answer: 'RDR_to_PC_Parameters', fixedDwLength: 0 },
  { code: 0x61, name: 'PC_to_RDR_SetParameters', pipe: 'bulk-out', answer: 'RDR_to_PC_Parameters' },
  { code: 0x6b, name: 'PC_to_RDR_Escape', pipe: 'bulk-out', answer: 'RDR_to_PC_Escape' },
  { code: 0x6e, name: 'PC_to_RDR_IccClock', pipe: 'bulk-out', answer: 'RDR_to_PC_SlotStatus', fixedDwLength: 0 },
  { code: 0x6a, name: 'PC_to_RDR_T0APDU', pipe: 'bulk-out', answer: 'RDR_to_PC_SlotStatus', fixedDwLength: 0 },
  { code: 0x69, name: 'PC_to_RDR_Secure', pipe: 'bulk-out', answer: 'RDR_to_PC_DataBlock' },
  { code: 0x71, name: 'PC_to_RDR_Mechanical', pipe: 'bulk-out', answer: 'RDR_to_PC_SlotStatus', fixedDwLength: 0 },
  { code: 0x72, name: 'PC_to_RDR_Abort', pipe: 'bulk-out', answer: 'RDR_to_PC_SlotStatus', fixedDwLength: 0 },
  {
    code: 0x73,
    name: 'PC_to_RDR_SetDataRateAndClockFrequency',
    pipe: 'bulk-out',
    answer: 'RDR_to_PC_DataRateAndClockFrequency',
    fixedDwLength: 8,
  },
  { code: 0x80, name: 'RDR_to_PC_DataBlock', pipe: 'bulk-in' },
  { code: 0x81, name: 'RDR_to_PC_SlotStatus', pipe: 'bulk-in', fixedDwLength: 0 },
  { code: 0x82, name: 'RDR_to_PC_Parameters', pipe: 'bulk-in' },
  { code: 0x83, name: 'RDR_to_PC_Escape', pipe: 'bulk-in' },
  { code: 0x84, name: 'RDR_to_PC_DataRateAndClockFrequency', pipe: 'bulk-in', fixedDwLength: 8 },
  { code: 0x50, name: 'RDR_to_PC_NotifySlotChange', pipe: 'interrupt-in' },
  { code: 0x51, name: 'RDR_to_PC_HardwareError', pipe: 'interrupt-in' },
];

const BY_CODE = new Map(CCID_MESSAGE_TYPES.map((t) => [t.code, t]));
const BY_NAME = new Map(CCID_MESSAGE_TYPES.map((t) => [t.name, t]));

export function messageTypeByCode(code: number): CcidMessageType | undefined {
  return BY_CODE.get(code);
}

export function messageTypeByName(name: CcidMessageName): CcidMessageType {
  return BY_NAME.get(name)!;
}

export const CCID_HEADER_LENGTH = 10;
/** abData at its largest (CCID 1.1 §5.1: dwMaxCCIDMessageLength is at most 65544 + 10): one extended APDU. */
export const CCID_MAX_DATA_LENGTH = MAX_EXTENDED_APDU_LENGTH;
