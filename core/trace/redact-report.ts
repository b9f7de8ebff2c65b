/**
 * A report safe to share: every PIN-carrying command (VERIFY, CHANGE REFERENCE DATA, RESET
 * RETRY COUNTER) has its data bytes masked as '**'. Secure PIN operations carry only the APDU
 * template (the reader inserts the PIN), so they need nothing. Used by `decode --redact-pins`.
 */
import { fromHex } from '../bytes/hex.js';
import { redactedCommandHex } from '../iso7816/pin-redaction.js';
import type { TraceReport } from './trace-report.js';

export function redactPins(report: TraceReport): TraceReport {
  return {
    ...report,
    exchanges: report.exchanges.map((exchange) => ({ ...exchange, command: redactedCommandHex(fromHex(exchange.command)) })),
  };
}
