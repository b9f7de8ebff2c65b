/**
 * The human transcript of a trace (`cardbench decode --text`): one line per CCID message while
 * decoding, then the report's sections — exchanges with INS names and status word meanings in
 * the light of the selected application, PIN operations, events, problems.
 */
import { describeAnswerStatus } from '../iso7816/status-words.js';
import { insName } from '../iso7816/ins.js';
import { SelectedApplications } from '../apps/selected-applications.js';
import { fromHex } from '../bytes/hex.js';
import { traceExchangeOf, type TraceMessage, type TraceRawExchange } from './trace-decoder.js';
import { countSecretExchanges, redactPins, SecretExchanges } from './redact-report.js';
import { ExchangeLineWriter } from './exchange-lines-bytes.js';
import { TextBlocks } from './text-blocks.js';
import type { TraceExchange, TraceReport } from './trace-report.js';

/** Hex longer than this (in bytes) is shortened in the transcript; JSON keeps everything. */
const SHOWN_BYTES = 48;

const ARROWS: Record<TraceMessage['direction'], string> = { out: '->', in: '<-', interrupt: '<!' };

/** The fields of a message its transcript line shows (a decode in a worker sends just these). */
export type TraceMessageLineFields = Pick<TraceMessage, 'timeNs' | 'frame' | 'device' | 'slot' | 'direction' | 'summary'>;

export function traceMessageLine(message: TraceMessageLineFields): string {
  const time = (message.timeNs / 1e9).toFixed(6).padStart(12);
  const slot = message.slot !== undefined ? `slot ${message.slot}` : '      ';
  return `${time}  #${String(message.frame).padEnd(7)} ${message.device.padEnd(7)} ${slot}  ${ARROWS[message.direction]}  ${message.summary}`;
}

export function traceHeaderLine(report: Pick<TraceReport, 'file'>, options: { redactPins?: boolean } = {}): string {
  return `Capture ${report.file}${options.redactPins ? ' (secret command data masked as **)' : ''}`;
}

/**
 * @param options.redactPins show the report as redactPins gives it (secret command data masked);
 *   by default the bytes are shown as captured, and a line says so when any command carries a secret
 */
export function traceSummaryLines(report: TraceReport, options: { redactPins?: boolean } = {}): string[] {
  const shown = options.redactPins && !report.redacted ? redactPins(report) : report;
  const lines = traceSummaryHead(report, countSecretExchanges(report.exchanges), shown.redacted);
  lines.push(...traceExchangesHeading(report.exchanges.length));
  const exchangeLines = new TraceExchangeLines();
  // Not push(...lines): a spread of 150 k lines (50 k exchanges) overflows the stack.
  for (const e of shown.exchanges) exchangeLines.add(e, lines);
  for (const line of traceSummaryTail(shown)) lines.push(line);
  return lines;
}

/** Every reader of the trace is a recording's that says its PINs were masked when it was written. */
function maskedByRecorder(report: TraceReport): boolean {
  return report.devices.length > 0 && report.devices.every((d) => d.apduTrace && d.pins === 'masked');
}

/**
 * The summary up to its exchanges: format, packets and messages, the PIN data line, the readers,
 * the ATRs. For a writer that prints exchanges as they are decoded, `report` may have none.
 *
 * @param secretExchanges how many exchanges carry secret data (SecretExchanges.shownSecrets)
 * @param redacted whether they are shown masked
 */
export function traceSummaryHead(report: TraceReport, secretExchanges: number, redacted: boolean): string[] {
  const lines: string[] = [];
  lines.push('');
  lines.push(
    report.format === 'pcsc-spy'
      ? `pcsc-spy log, ${report.packets} lines`
      : `${report.format ?? 'unknown format'}, link type${report.linkTypes.length === 1 ? '' : 's'} ${report.linkTypes.join(', ') || 'none'}, ` +
          `${report.packets} packets, ${report.ccid.messages} CCID messages`,
  );
  const secrets = secretExchanges;
  if (secrets > 0) {
    const what = `PIN data: ${secrets} command${secrets === 1 ? '' : 's'} ${secrets === 1 ? 'carries' : 'carry'} secret data`;
    lines.push(
      redacted
        ? `${what}, masked as **`
        : maskedByRecorder(report)
          ? `${what}, masked by the recorder (the file holds no PIN)`
          : `${what}, shown as captured (mask ${secrets === 1 ? 'it' : 'them'} with --redact-pins)`,
    );
  }
  const readers = report.devices.filter((d) => d.ccid || d.ccidDetection);
  const apduReaders = report.devices.filter((d) => d.apduTrace);
  if (readers.length > 0 || apduReaders.length === 0) lines.push('', `CCID readers (${readers.length}):`);
  for (const d of readers) {
    const ids = d.vendorId ? `${d.vendorId}:${d.productId}` : 'ids unknown';
    const ccid = d.ccid ? `CCID ${d.ccid.version}, ${d.ccid.features.exchangeLevel} level` : 'no class descriptor (found from traffic)';
    lines.push(`  ${d.id.padEnd(7)} ${ids}  ${d.product ?? ''}${d.product ? '  ' : ''}${ccid}`);
  }
  if (apduReaders.length > 0) {
    lines.push('', `Readers (${apduReaders.length}, APDU level):`);
    for (const d of apduReaders) {
      const about = [d.backend, d.protocol, d.pins === undefined ? undefined : `PINs ${d.pins} in the recording`].filter(
        (a) => a !== undefined,
      );
      lines.push(`  ${d.id}${about.length > 0 ? `  (${about.join(', ')})` : ''}`);
    }
  }
  if (report.atrs.length > 0) {
    lines.push('', `ATRs (${report.atrs.length}):`);
    for (const a of report.atrs) lines.push(`  #${a.frame} ${a.device} slot ${a.slot}: ${a.atr}`);
  }
  return lines;
}

/** The line before the exchanges' lines. */
export function traceExchangesHeading(count: number): string[] {
  return ['', `APDU exchanges (${count}):`];
}

/** The summary after its exchanges: PIN operations (of the report as shown: masked when asked), events, problems. */
export function traceSummaryTail(shown: TraceReport): string[] {
  const lines: string[] = [];
  if (shown.pinOperations.length > 0) {
    lines.push('', `PIN operations (${shown.pinOperations.length}):`);
    for (const p of shown.pinOperations) {
      const answer = p.answer ? `${p.answer.message}: ${p.answer.meaning}${p.answer.sw ? `, SW ${p.answer.sw}` : ''}` : 'no answer';
      lines.push(`  #${p.frame} ${p.device} slot ${p.slot}: PIN ${p.operation}, APDU ${p.apduTemplate ?? '?'} → ${answer}`);
    }
  }
  if (shown.events.length > 0) {
    lines.push('', `Events (${shown.events.length + shown.eventsOmitted}):`);
    for (const e of shown.events) lines.push(`  #${e.frame} ${e.device} slot ${e.slot}: ${e.kind}`);
    if (shown.eventsOmitted > 0) lines.push(`  … and ${shown.eventsOmitted} more`);
  }
  const problemCount = shown.problems.length + shown.problemsOmitted;
  lines.push('', `Problems (${problemCount}):`);
  for (const p of shown.problems) lines.push(`  ${p.frame !== undefined ? `#${p.frame}` : 'file'} ${p.code}: ${p.message}`);
  if (shown.problemsOmitted > 0) lines.push(`  … and ${shown.problemsOmitted} more`);
  return lines;
}

/**
 * The transcript's three lines per exchange, named in the light of the application selected on
 * each card conversation (device + slot): give it every exchange in capture order, as shown.
 */
export class TraceExchangeLines {
  private readonly selected = new Map<string, SelectedApplications>();

  add(e: TraceExchange, lines: string[]): void {
    const key = `${e.device}/${e.slot}`;
    let apps = this.selected.get(key);
    if (!apps) this.selected.set(key, (apps = new SelectedApplications()));
    // Masked bytes are data bytes: the header, lengths and so names and meanings are intact.
    const command = fromHex(e.command.replace(/\*/g, '0'));
    const cla = command[0];
    const ins = command[1];
    const name =
      cla !== undefined && ins !== undefined ? (insName(cla, ins, apps.contextFor(cla)) ?? `INS ${e.command.slice(2, 4)}`) : 'short APDU';
    const sw1 = e.sw !== null ? parseInt(e.sw.slice(0, 2), 16) : undefined;
    const sw2 = e.sw !== null ? parseInt(e.sw.slice(2, 4), 16) : undefined;
    const meaning = sw1 !== undefined && sw2 !== undefined ? describeAnswerStatus(command, sw1, sw2).meaning : 'no status word';
    apps.observe(command, sw1);
    lines.push(
      `  ${String(e.index).padStart(5)}  #${e.commandFrame} ${e.device} slot ${e.slot}  ${e.durationMs.toFixed(3)} ms  ${name}${e.truncated ? '  [truncated]' : ''}`,
    );
    lines.push(`         C: ${shorten(e.command)}`);
    lines.push(`         R: ${shorten(e.response)}  (${e.sw ?? '----'}: ${meaning})`);
  }
}

function shorten(hex: string): string {
  if (hex.length <= SHOWN_BYTES * 2) return hex;
  return `${hex.slice(0, SHOWN_BYTES * 2)}… (${hex.length / 2} bytes)`;
}

/**
 * The transcript's summary written as the exchanges come (give them in capture order, as the
 * decoder's rawExchange handler does): their lines are made as they are decoded, and the summary
 * is finished around them once the report is known. The text equals
 * `traceSummaryLines(report, options).join('\n')` of the report decodeTraceBytes gives.
 */
export class TraceTranscriptWriter {
  private readonly secrets = new SecretExchanges();
  /** The exchanges' lines written so far, as UTF-8: written while the capture decodes, not all at the end. */
  private readonly held = new TextBlocks();
  private readonly lineBytes = new ExchangeLineWriter(this.held);
  /** Masked exchanges take the string form (their command is shown as redactPins masks it). */
  private readonly maskedLines = new TraceExchangeLines();
  private exchanges = 0;

  constructor(private readonly options: { redactPins: boolean }) {}

  exchange(raw: TraceRawExchange): void {
    // Classified whether or not it is masked: the summary counts the commands that carry secrets.
    const secret = this.secrets.classifyCommand(raw.index, raw.device, raw.slot, raw.command);
    this.exchanges++;
    if (!secret || !this.options.redactPins) {
      this.lineBytes.add(raw);
      return;
    }
    const lines: string[] = [];
    this.maskedLines.add(this.secrets.redactedExchange(traceExchangeOf(raw)), lines);
    this.held.text(`\n${lines.join('\n')}`);
  }

  /** Bytes of text held so far, to bound what a hostile capture can make it hold. */
  get heldLength(): number {
    return this.held.length;
  }

  /**
   * The summary's text, in pieces to write in order (strings and UTF-8 bytes; lines joined by
   * newlines, no newline at the end).
   *
   * @param report the decoder's report without its exchanges (those given here)
   */
  finish(report: TraceReport): (string | Uint8Array)[] {
    const redact = this.options.redactPins && !report.redacted;
    const shown = redact ? redactPins(report) : report;
    const head = [...traceSummaryHead(report, this.secrets.shownSecrets, shown.redacted), ...traceExchangesHeading(this.exchanges)];
    const tail = traceSummaryTail(shown);
    return [head.join('\n'), ...this.held.take(), `\n${tail.join('\n')}`];
  }
}
