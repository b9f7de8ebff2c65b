/**
 * Exports a capture, or a range of its rows, as JSON, a text transcript or a scriptor script
 * (one APDU per line, the SW the card gave as a comment). With redaction, PIN data never
 * appears: VERIFY/CHANGE REFERENCE DATA/RESET RETRY COUNTER bodies (core/iso7816
 * redactedCommandHex) and the PIN block of CCID Secure messages are masked with '**'.
 */
import { fromHex, toHex } from '../../../core/bytes/hex.js';
import type { CaptureExport } from '../../../core/ipc/channels/captures.js';
import { carriesPin, redactedCommandHex } from '../../../core/iso7816/pin-redaction.js';
import { describeStatusWord } from '../../../core/iso7816/status-words.js';
import type { TraceExchange } from '../../../core/trace/index.js';
import type { CaptureSession } from './capture-session.js';
import { NO_INS } from './row-columns.js';
import { decodeRow, describeRow } from './row-decode.js';

export type CaptureExportFormat = 'json' | 'text' | 'script';

export interface CaptureExportRequest {
  format: CaptureExportFormat;
  redactPins: boolean;
  range?: { start: number; count: number } | undefined;
}

const SECURE = 0x69;
const CCID_HEADER = 10;
/** CLA INS P1 P2 Lc of a Secure message's APDU template stay visible; what follows is the PIN block. */
const TEMPLATE_HEADER = 5;

/** A row's message as hex, PIN bytes masked when asked. */
export function messageHex(session: CaptureSession, row: number, redact: boolean): string {
  const bytes = session.bytes(row);
  if (!redact) return toHex(bytes);
  const c = session.columns;
  if (bytes[0] === SECURE) {
    const template = decodeRow(session, row).secure?.apdu;
    if (!template) return toHex(bytes.subarray(0, CCID_HEADER)) + '**'.repeat(Math.max(0, bytes.length - CCID_HEADER));
    const from = Math.min(bytes.length, template.offset + TEMPLATE_HEADER);
    const to = Math.min(bytes.length, template.offset + template.length);
    return toHex(bytes.subarray(0, from)) + '**'.repeat(Math.max(0, to - from)) + toHex(bytes.subarray(to));
  }
  const ins = c.ins[row]!;
  const direction = c.direction[row]!;
  const pinCommand =
    direction === 0 && bytes.length > CCID_HEADER && (carriesPin(bytes[CCID_HEADER + 1] ?? -1) || (ins !== NO_INS && carriesPin(ins)));
  if (!pinCommand) return toHex(bytes);
  const body = bytes.subarray(CCID_HEADER);
  // An APDU-level command masks its data field only; a TPDU (T=1 block) is masked whole.
  const masked = carriesPin(body[1] ?? -1) ? redactedCommandHex(body) : '**'.repeat(body.length);
  return toHex(bytes.subarray(0, CCID_HEADER)) + masked;
}

function exchangeCommand(exchange: TraceExchange, redact: boolean): string {
  return redact ? redactedCommandHex(fromHex(exchange.command)) : exchange.command;
}

export function exportCapture(session: CaptureSession, request: CaptureExportRequest): CaptureExport {
  const total = session.columns.length;
  const start = Math.min(request.range?.start ?? 0, total);
  const end = request.range ? Math.min(total, start + request.range.count) : total;
  const exchanges = session.exchangesIn(request.range ? { start, end } : undefined);
  const base = session.name.replace(/\.(pcapng|pcap|cap)$/i, '') || 'capture';
  const redact = request.redactPins;
  const suffix = request.range ? `-rows-${start + 1}-${end}` : '';

  if (request.format === 'script') {
    return { fileName: `${base}${suffix}.script`, mimeType: 'text/plain', text: scriptText(session, exchanges, redact) };
  }
  if (request.format === 'json') {
    const rows = [];
    for (let i = start; i < end; i++) rows.push({ ...describeRow(session, i), hex: messageHex(session, i, redact) });
    const document = {
      file: session.name,
      format: session.fileFormat,
      redacted: redact,
      rows,
      exchanges: exchanges.map((e) => ({ ...e, command: exchangeCommand(e, redact) })),
      transactions: session
        .transactionsFor(exchanges)
        .map((t) => ({ ...t, command: redact ? redactedCommandHex(fromHex(t.command)) : t.command })),
    };
    return { fileName: `${base}${suffix}.json`, mimeType: 'application/json', text: `${JSON.stringify(document, null, 2)}\n` };
  }
  const lines = [`# ${session.name}${redact ? ' (PIN data redacted)' : ''}`, `# rows ${start + 1}–${end} of ${total}`, ''];
  for (let i = start; i < end; i++) {
    const row = describeRow(session, i);
    const slot = row.slot === null ? '-' : String(row.slot);
    lines.push(`${row.frame}\t${row.timeMs.toFixed(3)} ms\t${row.device}\tslot ${slot}\t${row.direction}\t${row.name}\t${row.summary}`);
    lines.push(`\t${messageHex(session, i, redact)}`);
  }
  lines.push('', '# APDU transactions');
  for (const t of session.transactionsFor(exchanges)) {
    const command = redact ? redactedCommandHex(fromHex(t.command)) : t.command;
    lines.push(`${t.name ?? 'command'}\t${command}\t${t.sw ?? '----'} ${t.meaning ?? ''}\t${t.durationMs} ms`);
  }
  return { fileName: `${base}${suffix}.txt`, mimeType: 'text/plain', text: `${lines.join('\n')}\n` };
}

/**
 * scriptor reads one APDU per line (hex bytes) and skips lines starting with '#'. A redacted
 * PIN command cannot be replayed, so it stays as a comment saying what to put back.
 */
function scriptText(session: CaptureSession, exchanges: readonly TraceExchange[], redact: boolean): string {
  const lines = [
    `# ${session.name}: ${exchanges.length} APDU exchange(s), replay with: scriptor <this file>`,
    ...(redact ? ['# PIN data redacted: PIN commands are commented out, put the PIN back to replay them'] : []),
  ];
  for (const exchange of exchanges) {
    const command = exchangeCommand(exchange, redact);
    const spaced = command.replace(/(..)(?=.)/g, '$1 ');
    const sw = exchange.sw;
    const expected = sw
      ? `# expected SW ${sw} (${describeStatusWord(parseInt(sw.slice(0, 2), 16), parseInt(sw.slice(2), 16), { ins: parseInt(command.slice(2, 4), 16) || 0 }).meaning})`
      : '# no status word was captured';
    lines.push(command.includes('*') ? `# ${spaced}  (PIN redacted)` : spaced, expected);
  }
  return `${lines.join('\n')}\n`;
}
