/**
 * core/trace: a capture decoded end to end — CCID messages read (ccid-pairing-fields) and paired
 * (slot-pairing), APDU exchanges (slot-apdus), ATRs, PIN operations, events, transactions — into
 * a TraceReport, its text and its redaction. APDU-level traces reach the same report through
 * ApduTraceSink: exported-PDU recordings (exported-pdu-trace) and pcsc-spy logs (pcsc-call-trace).
 */
export * from './apdu-trace-sink.js';
export * from './ccid-pairing-fields.js';
export * from './exported-pdu-trace.js';
export * from './pcsc-call-trace.js';
export * from './slot-apdus.js';
export * from './slot-pairing.js';
export * from './trace-decoder.js';
export * from './trace-report.js';
export * from './trace-transactions.js';
export * from './trace-text.js';
export * from './message-line-bytes.js';
export * from './exchange-lines-bytes.js';
export * from './redact-report.js';
export * from './report-json.js';
