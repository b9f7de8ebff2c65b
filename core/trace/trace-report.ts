/**
 * The shape of a decoded trace as `cardbench decode --json` prints it (issue "Captures"). Plain
 * JSON values only: hex is uppercase without spaces, times are milliseconds, frames are the
 * 1-based frame numbers Wireshark shows.
 */
import type { CaptureFormat } from '../capture/capture-types.js';
import type { CcidClassDescriptor } from '../ccid/class-descriptor.js';
import type { PinModifyFields, PinVerifyFields } from '../pcsc/pin-format.js';

export interface TraceDevice {
  /** Device identity key ("1.4", "1.2#2"). */
  id: string;
  /** 4 lowercase hex digits, null when the capture holds no device descriptor. */
  vendorId: string | null;
  productId: string | null;
  product?: string;
  /** The decoded class descriptor when the device is a CCID reader that told us; else null. */
  ccid: CcidClassDescriptor | null;
  /** How the CCID endpoints were found, when they were. */
  ccidDetection?: 'descriptor' | 'heuristic';
  /** A reader an APDU-level trace names (an exported-PDU recording's interface, a pcsc-spy log's reader): no USB identity. */
  apduTrace?: true;
  /** What a recording's interface comment says of the reader (backend: pcsc, usb, virtual; protocol as asked). */
  backend?: string;
  protocol?: string;
  /** Whether the recording masked PIN and key bytes (`masked`: they are '*' fillers, not the secret). */
  pins?: 'masked' | 'exact';
}

export interface TraceAtr {
  frame: number;
  device: string;
  slot: number;
  atr: string;
}

export interface TraceExchange {
  /** 1-based, in capture order. */
  index: number;
  device: string;
  slot: number;
  command: string;
  response: string;
  /** Last two response bytes, null when the response is shorter than a status word. */
  sw: string | null;
  commandFrame: number;
  responseFrame: number;
  /** When the command went out, ms since frame 1. */
  timeMs: number;
  /** From the command to the end of its response. */
  durationMs: number;
  /** Some bytes of the command or response were not captured (snapshot length). */
  truncated: boolean;
}

export type TraceEventKind = 'card-inserted' | 'card-removed' | 'time-extension' | 'hardware-error';

export interface TraceEvent {
  frame: number;
  device: string;
  slot: number;
  kind: TraceEventKind;
}

export interface TraceProblem {
  /** Absent when the problem belongs to no single frame (a broken file header). */
  frame?: number;
  code: string;
  message: string;
  severity?: 'info' | 'warning' | 'error';
}

export interface TracePinAnswer {
  message: string;
  bStatus: number;
  bError: number;
  meaning: string;
  /** The card's response APDU when the reader answered with a DataBlock. */
  response?: string;
  sw?: string | null;
}

export interface TracePinOperation {
  frame: number;
  device: string;
  slot: number;
  operation: string;
  /** The APDU the reader completes with the PIN typed on its keypad (never contains a PIN). */
  apduTemplate: string | null;
  structure: PinVerifyFields | PinModifyFields | null;
  /** null when the capture ends before the reader answered. */
  answer: TracePinAnswer | null;
}

export interface TraceTransaction {
  /** Exchange indices (TraceExchange.index) folded into this transaction. */
  exchanges: number[];
  device: string;
  slot: number;
  command: string;
  /** INS name in the light of the selected application; null when nothing fits. */
  name: string | null;
  /** Bytes of response data of all folded exchanges together (the bytes are in the exchanges). */
  dataLength: number;
  sw: string | null;
  meaning: string | null;
  durationMs: number;
  folded: boolean;
  problems: TraceProblem[];
}

/** Why reading stopped before the end of the file (a block cut short, an impossible length…). */
export interface TraceStop {
  code: string;
  message: string;
  /** Byte offset in the file of the block or record where reading stopped. */
  fileOffset?: number;
  frame?: number;
}

/** A capture container, or a pcsc-spy log (whose frames are line numbers). */
export type TraceFormat = CaptureFormat | 'pcsc-spy';

export interface TraceReport {
  file: string;
  /** null when the data was not a capture (see problems). */
  format: TraceFormat | null;
  linkTypes: number[];
  /** Container records (frames), decodable or not; a pcsc-spy log's lines. */
  packets: number;
  devices: TraceDevice[];
  ccid: { messages: number; byType: Record<string, number> };
  atrs: TraceAtr[];
  exchanges: TraceExchange[];
  events: TraceEvent[];
  pinOperations: TracePinOperation[];
  transactions: TraceTransaction[];
  problems: TraceProblem[];
  /** Problems counted but not listed (beyond maxProblems). */
  problemsOmitted: number;
  /** Card events counted but not listed (beyond maxEvents). */
  eventsOmitted: number;
  /** False when the file could not be read to its end (stoppedBy says why); what came before is decoded. */
  complete: boolean;
  stoppedBy?: TraceStop;
  /**
   * Whether secret command data (PINs, keys: core/iso7816/secret-commands) is masked as '**'.
   * False as decoded: a capture is evidence; redactPins gives the copy to share.
   */
  redacted: boolean;
}

/** A report holding nothing yet: what a decoder starts from, and a frame for lists redactPins should judge alone. */
export function emptyTraceReport(file = '', complete = false): TraceReport {
  return {
    file,
    format: null,
    linkTypes: [],
    packets: 0,
    devices: [],
    ccid: { messages: 0, byType: {} },
    atrs: [],
    exchanges: [],
    events: [],
    pinOperations: [],
    transactions: [],
    problems: [],
    problemsOmitted: 0,
    eventsOmitted: 0,
    complete,
    redacted: false,
  };
}
