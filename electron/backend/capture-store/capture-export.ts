/**
 * Exports a capture, or a range of its rows, as JSON, a text transcript or a script (the
 * Console's format, which scriptor runs too: one APDU per line, the SW the card gave on the next). With redaction, secret data never
 * appears: the data of secret-carrying commands (core/iso7816/secret-commands), masked in every
 * message that carried them (row-decode rowSecrecy: by exchange membership, so T=1 blocks,
 * chained parts and retransmissions too), and the PIN block of CCID Secure messages, as '**'.
 */
import { CCID_HEADER_LENGTH, CCID_MESSAGE_CODE } from '#core/ccid/message-types.js';
import { fromHex, toHex } from '#core/bytes/hex.js';
import type { CaptureExport } from '#core/ipc/channels/captures.js';
import { maskedBytes, maskedCommandHex, maskedPinTemplateHex, redactedCommandHex } from '#core/iso7816/pin-redaction.js';
import { describeAnswerStatus } from '#core/iso7816/status-words.js';
import { writeScript, type ScriptEntry } from '#core/console/script.js';
import { emptyTraceReport, redactPins, type TraceExchange, type TracePinOperation } from '#core/trace/index.js';
import type { CaptureSession } from './capture-session.js';
import { decodeRow, describeRow, rowSecrecy } from './row-decode.js';

export type CaptureExportFormat = 'json' | 'text' | 'script';

export interface CaptureExportRequest {
  format: CaptureExportFormat;
  redactPins: boolean;
  range?: { start: number; count: number } | undefined;
}

/** A row's message as hex, secret bytes masked when asked. */
export function messageHex(session: CaptureSession, row: number, redact: boolean): string {
  const bytes = session.bytes(row);
  if (!redact) return toHex(bytes);
  const header = toHex(bytes.subarray(0, CCID_HEADER_LENGTH));
  if (bytes[0] === CCID_MESSAGE_CODE.PC_to_RDR_Secure && session.columns.direction[row] === 0) {
    const template = decodeRow(session, row).secure?.apdu;
    if (!template) return header + maskedBytes(bytes.length - CCID_HEADER_LENGTH);
    const from = Math.min(bytes.length, template.offset);
    const to = Math.min(bytes.length, template.offset + template.length);
    return toHex(bytes.subarray(0, from)) + maskedPinTemplateHex(bytes.subarray(from, to)) + toHex(bytes.subarray(to));
  }
  const secrecy = rowSecrecy(session, row);
  if (secrecy === 'clear') return toHex(bytes);
  const body = bytes.subarray(CCID_HEADER_LENGTH);
  return header + (secrecy === 'apdu' ? maskedCommandHex(body) : maskedBytes(body.length));
}

function exchangeCommand(session: CaptureSession, exchange: TraceExchange, redact: boolean): string {
  return redact ? redactedCommandHex(fromHex(exchange.command), session.membership.secretOf(exchange.index)) : exchange.command;
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
      exchanges: exchanges.map((e) => ({ ...e, command: exchangeCommand(session, e, redact) })),
      transactions: session.transactionsFor(exchanges).map((t) => ({ ...t, command: transactionCommand(session, t, redact) })),
      pinOperations: pinOperationsOf(session, request.range ? { start, end } : undefined, redact),
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
    const command = transactionCommand(session, t, redact);
    lines.push(`${t.name ?? 'command'}\t${command}\t${t.sw ?? '----'} ${t.meaning ?? ''}\t${t.durationMs} ms`);
  }
  return { fileName: `${base}${suffix}.txt`, mimeType: 'text/plain', text: `${lines.join('\n')}\n` };
}

/**
 * PIN entries on the keypad (PC_to_RDR_Secure) with their outcome, as `cardbench decode --json`
 * lists them; redacted by the same field-by-field decisions as its --redact-pins.
 */
function pinOperationsOf(session: CaptureSession, range: { start: number; end: number } | undefined, redact: boolean): TracePinOperation[] {
  const operations = session.pinOperationsIn(range);
  if (!redact || operations.length === 0) return operations;
  return redactPins({ ...emptyTraceReport('', true), pinOperations: operations }).pinOperations;
}

function transactionCommand(session: CaptureSession, t: { command: string; exchanges: number[] }, redact: boolean): string {
  return redact ? redactedCommandHex(fromHex(t.command), session.membership.secretOfAny(t.exchanges)) : t.command;
}

/**
 * The Console's script format (core/console/script: written and read by the same module), so
 * the export replays in the Script panel as a test and still runs in scriptor. A redacted PIN
 * command cannot be replayed: it is written commented out, saying what to put back.
 */
function scriptText(session: CaptureSession, exchanges: readonly TraceExchange[], redact: boolean): string {
  const entries: ScriptEntry[] = [
    { kind: 'comment', text: `${session.name}: ${exchanges.length} APDU exchange(s), each with the status word the card gave` },
    { kind: 'comment', text: "run it in the Console's Script panel (a test: each status word checked) or with scriptor" },
  ];
  for (const exchange of exchanges) {
    const sw = exchange.sw ?? undefined;
    entries.push({
      kind: 'apdu',
      apdu: exchangeCommand(session, exchange, redact),
      sw,
      ...(sw
        ? { meaning: describeAnswerStatus(fromHex(exchange.command), parseInt(sw.slice(0, 2), 16), parseInt(sw.slice(2), 16)).meaning }
        : {}),
    });
  }
  return writeScript(entries);
}
