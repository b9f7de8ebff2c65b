/**
 * Where traces that carry APDUs rather than CCID messages — exported-PDU recordings
 * (exported-pdu-trace) and pcsc-spy logs (pcsc-call-trace) — put what they find. TraceDecoder
 * implements it with the same report, exchange numbering, transactions and handlers as the USB
 * path, so every output (decode --json/--text/--ndjson, redaction, the Captures workbench) reads
 * these traces unchanged.
 */
import type { Problem } from '../dissect/node.js';
import type { RawApduExchange } from './slot-apdus.js';
import type { TraceEventKind, TracePinOperation } from './trace-report.js';

export interface ApduTraceSink {
  /** A reader the trace names; the report lists each once, in order of appearance. */
  device(name: string): void;
  /** An APDU exchange; its byte arrays are views the sink copies if it keeps them. */
  exchange(device: string, slot: number, raw: RawApduExchange): void;
  atr(frame: number, device: string, slot: number, atr: Uint8Array): void;
  event(frame: number, device: string, slot: number, kind: TraceEventKind): void;
  /** A PIN entry on the reader's keypad; `answer` may be filled in later (the sink keeps the object). */
  pinOperation(operation: TracePinOperation): void;
  problem(frame: number | undefined, problem: Problem): void;
}
