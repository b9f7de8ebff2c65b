/**
 * Where traces that carry APDUs rather than CCID messages — exported-PDU recordings
 * (exported-pdu-trace) and pcsc-spy logs (pcsc-call-trace) — put what they find. TraceDecoder
 * implements it with the same report, exchange numbering, transactions and handlers as the USB
 * path, so every output (decode --json/--text/--ndjson, redaction, the Captures workbench) reads
 * these traces unchanged.
 */
import type { Problem } from '../dissect/node.js';
import type { RawApduExchange } from './slot-apdus.js';
import type { TraceDevice, TraceEventKind, TracePinOperation } from './trace-report.js';

/**
 * One APDU, response or ATR as an APDU-level trace carries it (an exported PDU, the send buffer or
 * answer of a pcsc-spy SCardTransmit): what the Captures workbench lists as a row where a USB
 * capture has CCID messages. `bytes` is a view the receiver copies if it keeps it.
 */
export interface TraceApduPacket {
  frame: number;
  /** ns since frame 1. */
  timeNs: number;
  device: string;
  slot: number;
  kind: 'command' | 'response' | 'atr';
  bytes: Uint8Array;
  truncated: boolean;
}

export interface ApduTraceSink {
  /** A reader the trace names; the report lists each once, in order of appearance, with what the trace says of it. */
  device(name: string, about?: Pick<TraceDevice, 'backend' | 'protocol' | 'pins'>): void;
  /** Every APDU, response and ATR, in trace order, before the exchange it completes. */
  packet(packet: TraceApduPacket): void;
  /** An APDU exchange; its byte arrays are views the sink copies if it keeps them. */
  exchange(device: string, slot: number, raw: RawApduExchange): void;
  atr(frame: number, device: string, slot: number, atr: Uint8Array): void;
  event(frame: number, device: string, slot: number, kind: TraceEventKind): void;
  /** A PIN entry on the reader's keypad; `answer` may be filled in later (the sink keeps the object). */
  pinOperation(operation: TracePinOperation): void;
  problem(frame: number | undefined, problem: Problem): void;
}
