/**
 * `cardbench send [--reader R] [--protocol t0|t1|any] [--share shared|exclusive|direct] [--follow-ups] [--json] APDU... | --file F`:
 * sends exactly the APDUs given (with --follow-ups, also GET RESPONSE for 61xx and the re-send
 * for 6Cxx, each shown), one connection for all of them, through the reader hub, and prints each
 * exchange as it completes. APDUs come from the command line or, one per line, from a file or
 * standard input (an extended APDU does not fit in argv). PIN-carrying commands are shown with
 * their data masked, in text and JSON alike. Ctrl-C stops it between APDUs or while one waits
 * for its answer, and it says which were not sent.
 */
import { parseHex } from '#core/bytes/hex.js';
import type { ExchangeView } from '#core/console/exchange-view.js';
import { SelectedApplications } from '#core/apps/selected-applications.js';
import { transmitApdu } from '#core/console/transmit-sequence.js';
import type { ReaderHub } from '../../backend/readers/reader-hub.js';
import type { ProtocolChoice, ShareMode } from '../../backend/reader-backend.js';
import { stopCause, type CliCommand, type CommandContext } from '../command.js';
import { CliError, EXIT } from '../exit-codes.js';
import { JsonArrayWriter } from '../json-array-writer.js';
import { readTextInput } from '../read-input.js';
import { openCliRecording, RECORD_OPTION_HELP, RECORD_OPTIONS, RECORD_USAGE } from '../record-option.js';
import { cliReaderBackends, withReaderHub } from '../reader-session.js';
import { parseTransmitOptions, TRANSMIT_OPTION_HELP, TRANSMIT_USAGE } from '../transmit-options.js';

export interface SentExchange {
  command: string;
  response: string;
  sw: string;
  meaning: string;
  ms: number;
  automatic?: true;
  /**
   * Only on the whole answer that follows the exchanges of one APDU with --follow-ups: how many
   * exchanges' data it joins (the answer as the application meant it, as the Console shows it).
   */
  assembledFrom?: number;
}

/** Extended APDU: 4 header + 3 Lc + 65535 data + 2 Le. */
const MAX_APDU_BYTES = 65544;
/** As many APDUs as a script may hold. */
export const MAX_SEND_APDUS = 10_000;
/** An APDU file: room for many extended APDUs written with spaces and comments, and no more. */
const MAX_APDU_FILE_BYTES = 16 * 1024 * 1024;

export interface ApduLine {
  /** Where it came from, for messages: 'APDU 2' on the command line, 'line 7' in a file. */
  label: string;
  text: string;
}

export function parseApduArguments(texts: readonly (string | ApduLine)[]): Uint8Array[] {
  if (texts.length === 0) {
    throw new CliError('send: give at least one APDU in hex, e.g. 00A4040007A0000002471001 (or --file F, one per line).', EXIT.usage);
  }
  if (texts.length > MAX_SEND_APDUS)
    throw new CliError(`send: at most ${MAX_SEND_APDUS} APDUs at a time, not ${texts.length}.`, EXIT.usage);
  return texts.map((entry, index) => {
    const { label, text } = typeof entry === 'string' ? { label: `APDU ${index + 1}`, text: entry } : entry;
    const parsed = parseHex(text, MAX_APDU_BYTES);
    if (!parsed.ok)
      throw new CliError(`send: ${label} is not valid hex: ${parsed.reason} (at character ${parsed.position + 1}).`, EXIT.usage);
    if (parsed.bytes.length < 4)
      throw new CliError(`send: ${label} has ${parsed.bytes.length} byte(s); an APDU needs at least CLA INS P1 P2.`, EXIT.usage);
    return parsed.bytes;
  });
}

/** One APDU per line; blank lines and `#` comments (whole lines or after the hex) are skipped. */
export function apduLinesOf(text: string, source: string): ApduLine[] {
  const lines: ApduLine[] = [];
  for (const [index, raw] of text.split(/\r?\n/).entries()) {
    const hash = raw.indexOf('#');
    const body = (hash >= 0 ? raw.slice(0, hash) : raw).trim();
    if (body !== '') lines.push({ label: `${source} line ${index + 1}`, text: body });
  }
  return lines;
}

export function sentExchange(view: ExchangeView): SentExchange {
  const out: SentExchange = { command: view.command, response: view.response, sw: view.sw, meaning: view.meaning, ms: view.ms };
  if (view.automatic) out.automatic = true;
  if (view.assembledFrom !== undefined) out.assembledFrom = view.assembledFrom;
  return out;
}

/** Two lines per exchange: the command, then the data (if any), the status word once, its meaning and the time. */
export function exchangeLines(exchange: SentExchange): string[] {
  const data = exchange.sw ? exchange.response.slice(0, exchange.response.length - exchange.sw.length) : exchange.response;
  const answer = [data, exchange.sw].filter((part) => part !== '').join(' ');
  if (exchange.assembledFrom !== undefined)
    return [`= ${answer}  ${exchange.meaning} (whole answer of ${exchange.assembledFrom} exchanges, ${exchange.ms} ms in all)`];
  return [
    `> ${exchange.command}${exchange.automatic ? '   (automatic)' : ''}`,
    `< ${answer === '' ? '(nothing)' : answer}  ${exchange.meaning} (${exchange.ms} ms)`,
  ];
}

export interface SendProgress {
  /** Called once the reader is known, before anything is sent. */
  onReader?: (reader: string) => void;
  /** Called with each exchange as it completes; awaited. */
  onExchange?: (exchange: SentExchange) => void | Promise<void>;
  signal?: AbortSignal;
}

/** Where a stopped `send` ended: the APDU (1-based) that did not complete, and whether it had been sent. */
export interface SendStop {
  apdu: number;
  inFlight: boolean;
}

export async function sendApdus(
  hub: ReaderHub,
  apdus: readonly Uint8Array[],
  options: { reader?: string; share: ShareMode; protocol: ProtocolChoice; followUps?: boolean },
  progress: SendProgress = {},
): Promise<{ reader: string; exchanges: SentExchange[]; stopped?: SendStop }> {
  const target = options.reader ? hub.resolve(options.reader).reader : hub.firstWithCard();
  if (!target) throw new CliError('send: no reader has a card. Insert one, or name the reader with --reader.', EXIT.failure);
  progress.onReader?.(target.name);
  const exchanges: SentExchange[] = [];
  const signal = progress.signal;
  const transmitOptions = { share: options.share, protocol: options.protocol, ...(signal ? { signal } : {}) };
  const send = (apdu: Uint8Array) => hub.transmit(target.id, apdu, transmitOptions);
  // What the card selected names INS and tags of later APDUs, as in the Console.
  const selected = new SelectedApplications();
  for (const [index, apdu] of apdus.entries()) {
    if (signal?.aborted) return { reader: target.name, exchanges, stopped: { apdu: index + 1, inFlight: false } };
    let views: ExchangeView[];
    try {
      const result = await transmitApdu(send, apdu, { followUps: options.followUps ?? false, selected });
      views = result.whole ? [...result.exchanges, result.whole] : result.exchanges;
    } catch (error) {
      if (signal?.aborted) return { reader: target.name, exchanges, stopped: { apdu: index + 1, inFlight: true } };
      throw error;
    }
    for (const view of views) {
      const exchange = sentExchange(view);
      if (progress.onExchange) await progress.onExchange(exchange);
      else exchanges.push(exchange);
    }
  }
  return { reader: target.name, exchanges };
}

/** "APDU 2 of 3 was sent and got no answer; the 1 after it was not sent." */
export function sendStopText(stop: SendStop, total: number): string {
  const after = total - stop.apdu;
  const rest = after === 0 ? '' : `; the ${after} after it ${after === 1 ? 'was' : 'were'} not sent`;
  return stop.inFlight
    ? `APDU ${stop.apdu} of ${total} was sent and got no answer${rest}.`
    : `APDU ${stop.apdu} of ${total} was not sent${after === 0 ? '' : `, nor the ${after} after it`}.`;
}

export const sendCommand: CliCommand = {
  name: 'send',
  usage: `${TRANSMIT_USAGE} ${RECORD_USAGE} [--file F] APDU...`,
  summary: 'send APDUs to a card and print the decoded answers',
  help: {
    arguments: [{ syntax: 'APDU...', text: 'command APDUs in hex (spaces allowed inside quotes), sent in order on one connection' }],
    options: [
      ...TRANSMIT_OPTION_HELP,
      {
        syntax: '--file F',
        text: 'read the APDUs from file F (- for standard input): one per line, blank lines and # comments skipped',
        default: 'the APDUs on the command line',
      },
      ...RECORD_OPTION_HELP,
    ],
    examples: [
      'cardbench send 00A4040006D27600012401 00CA006E00   # select OpenPGP, read its application data',
      'cardbench send --reader "Virtual PCD 00 01" --follow-ups 00A40000022F01   # T=0: GET RESPONSE after 61xx',
      'cardbench send --json --file apdus.txt   # APDUs from a file (an extended APDU does not fit in argv)',
      'generate-apdus | cardbench send --file -   # APDUs from standard input',
      'cardbench send --record session.pcapng 00A4040006D27600012401   # then: wireshark session.pcapng',
    ],
    notes: [
      'Each exchange is printed as it completes: "> command", then "< data SW meaning (time)".',
      'PIN-carrying commands (VERIFY, CHANGE REFERENCE DATA, RESET RETRY COUNTER…) are shown with their data masked as **.',
      'Ctrl-C stops it within a second (exit 130) and says which APDUs were not sent.',
    ],
  },
  async run(context: CommandContext, args: readonly string[]): Promise<number> {
    const options = parseTransmitOptions('send', args, { file: { type: 'string' }, ...RECORD_OPTIONS });
    const fromStdin = options.positionals.length === 1 && options.positionals[0] === '-';
    const file = typeof options.extra.file === 'string' ? options.extra.file : fromStdin ? '-' : undefined;
    if (file !== undefined && options.positionals.length > 0 && !fromStdin) {
      throw new CliError('send: give the APDUs on the command line or with --file, not both.', EXIT.usage);
    }
    const apdus =
      file === undefined
        ? parseApduArguments(options.positionals)
        : parseApduArguments(
            apduLinesOf(await readTextInput('send', file, MAX_APDU_FILE_BYTES, context.signal), file === '-' ? 'standard input' : file),
          );
    const recording = openCliRecording('send', options.extra);
    const json = options.json ? new JsonArrayWriter(context.write) : undefined;
    const outcome = await withReaderHub(
      context,
      (hub) =>
        sendApdus(hub, apdus, options, {
          signal: context.signal,
          onReader: (reader) => {
            if (!json) context.stdout(`Reader: ${reader}`);
          },
          onExchange: async (exchange) => {
            if (json) json.push(exchange);
            else for (const line of exchangeLines(exchange)) context.stdout(line);
            await context.drain();
          },
        }),
      recording?.backends(cliReaderBackends),
    )
      .catch((error: unknown) => {
        if (context.signal.aborted) return { stopped: undefined };
        throw error;
      })
      .finally(() => {
        if (recording) context.stderr(recording.close());
      });
    json?.close();
    if (context.signal.aborted) {
      const detail = outcome.stopped ? sendStopText(outcome.stopped, apdus.length) : 'no APDU was sent.';
      context.stderr(`cardbench: send: stopped by ${stopCause(context.signal)}: ${detail}`);
      return EXIT.interrupted;
    }
    return recording?.failed ? EXIT.failure : EXIT.ok;
  },
};
