/**
 * `cardbench decode FILE|- [--json | --ndjson | --text]`: a USB capture read as CCID messages and
 * APDU exchanges. --json prints the report object (the format scripts and tests rely on); --ndjson
 * one exchange per line as they are decoded (for pipelines: memory stays flat whatever the file's
 * size); --text, the default, a transcript for people. `-` reads the capture from standard input.
 *
 * Decoding runs in a worker thread with a heap limit (CARDBENCH_DECODE_HEAP_MB): a file crafted
 * to exhaust memory or hang the decoder ends with exit 1 and a sentence saying so. The worker
 * sends each chunk's exchanges as bytes; this thread writes their text (and folds transactions)
 * while the worker decodes the next chunk, so the two cores share the work. What --json and
 * --text must hold until the end (the report lists exchanges after the devices, known last) is
 * held as text and bounded by the same limit. Exit 1 too when the file cannot be read, is not a
 * capture, or could not be read to its end — what was decoded before that point is still
 * printed, and the report says "complete": false.
 */
import {
  MessageLineWriter,
  traceHeaderLine,
  TraceJsonWriter,
  TraceTranscriptWriter,
  type TraceRawExchange,
  type TraceReport,
} from '#core/trace/index.js';
import { TextBlocks } from '#core/trace/text-blocks.js';
import {
  CaptureAbortedError,
  CaptureFileError,
  decodeCapture,
  openCaptureFile,
  streamCaptureSource,
  type CaptureSource,
} from '../../backend/capture/decode-capture-file.js';
import {
  forEachSummary,
  MESSAGE_DIRECTIONS,
  NO_MESSAGE_SLOT,
  rawExchangeAt,
  type DecodedBatch,
} from '../../backend/capture/decoded-batch.js';
import { decoderLimits } from '../../backend/capture/decode-worker-host.js';
import type { CommandContext } from '../command.js';
import { CliError, EXIT } from '../exit-codes.js';
import { parseCommandOptions } from '../parse-options.js';

export const DECODE_USAGE = 'FILE|- [--json | --ndjson | --text] [--redact-pins]';

/** Blocks the transcript's message lines are written in before they go out. */
const MESSAGE_LINES_BLOCK = 256 * 1024;

/** The name `-` stands for in messages and the report. */
const STDIN = '-';

export async function runDecode(context: CommandContext, args: readonly string[]): Promise<number> {
  const { values, positionals } = parseCommandOptions(
    'decode',
    args,
    { json: { type: 'boolean' }, ndjson: { type: 'boolean' }, text: { type: 'boolean' }, 'redact-pins': { type: 'boolean' } },
    true,
  );
  // Exact bytes by default (a capture is evidence); --redact-pins for a transcript to share.
  const redact = values['redact-pins'] === true;
  if ([values.json, values.ndjson, values.text].filter(Boolean).length > 1) {
    throw new CliError('decode: choose one of --json, --ndjson and --text.', EXIT.usage);
  }
  if (positionals.length !== 1) {
    throw new CliError(
      `decode: ${positionals.length === 0 ? 'name the capture file (or - for standard input)' : 'one capture file at a time'} (usage: cardbench decode ${DECODE_USAGE}).`,
      EXIT.usage,
    );
  }
  const file = positionals[0]!;
  try {
    const source = file === STDIN ? streamCaptureSource(process.stdin, STDIN) : await openCaptureFile(file);
    const print = values.json ? printJson : values.ndjson ? printNdjson : printTranscript;
    const report = await print(context, source, redact);
    if (report.stoppedBy === undefined) return EXIT.ok;
    const stop = report.stoppedBy;
    const where = stop.fileOffset !== undefined ? ` at byte ${stop.fileOffset}` : '';
    context.stderr(
      `cardbench: decode: ${file} could not be read to its end (${stop.message}${where}); what was decoded before that is printed.`,
    );
    return EXIT.failure;
  } catch (error) {
    if (error instanceof CaptureAbortedError) throw new CliError(`decode: stopped before the end of ${file}`, EXIT.interrupted);
    if (error instanceof CaptureFileError) throw new CliError(`decode: ${error.message}`, EXIT.failure);
    throw error;
  }
}

/** The transcript's line of each message of a batch, in order (the batch carries their summaries as bytes). */
function writeMessageLines(batch: DecodedBatch, devices: readonly string[], lines: MessageLineWriter): void {
  const m = batch.messages;
  forEachSummary(batch, (i, summary) => {
    const slot = m.slot[i]! === NO_MESSAGE_SLOT ? undefined : m.slot[i]!;
    const device = devices[m.device[i]!] ?? '?';
    const direction = MESSAGE_DIRECTIONS[m.direction[i]!]!;
    const headerAt = m.byteOffset[i]!;
    // A message read from its header alone: its summary is made here, from the header sent.
    if (m.byteLength[i]! > 0)
      lines.lineWithHeader(m.timeNs[i]!, m.frame[i]!, device, slot, direction, m.bytes.subarray(headerAt, headerAt + m.byteLength[i]!));
    else lines.lineWithSummary(m.timeNs[i]!, m.frame[i]!, device, slot, direction, summary);
  });
}

/** Each exchange of a batch, in order, as the decoder gave it; `devices` is the decode's device list so far. */
function eachExchange(batch: DecodedBatch, devices: readonly string[], visit: (exchange: TraceRawExchange) => void): void {
  for (let i = 0; i < batch.exchanges.count; i++) visit(rawExchangeAt(batch.exchanges, i, devices));
}

/** Text --json and --text may hold until the report is known: as much as the decoder's heap may hold. */
function heldTextLimit(source: CaptureSource): { check: (held: number) => void } {
  const { heapMb } = decoderLimits();
  return {
    check(held) {
      if (held <= heapMb * 1024 * 1024) return;
      throw new CaptureFileError(
        `${source.name}: its report is larger than the ${heapMb} MiB a decode may hold (CARDBENCH_DECODE_HEAP_MB); ` +
          `decode --ndjson writes the exchanges as they are decoded, or allow more with CARDBENCH_DECODE_HEAP_MB=${heapMb * 2}.`,
        'too-large',
      );
    },
  };
}

/** Writes pieces of text (strings, or UTF-8 bytes) in order, waiting for a slow reader of the pipe between them. */
async function writeAll(context: CommandContext, pieces: readonly (string | Uint8Array)[]): Promise<void> {
  const decoder = new TextDecoder();
  for (const piece of pieces) {
    if (typeof piece === 'string') context.write(piece);
    else if (context.writeBytes) await context.writeBytes(piece);
    else context.write(decoder.decode(piece));
    await context.drain();
  }
}

async function printJson(context: CommandContext, source: CaptureSource, redact: boolean): Promise<TraceReport> {
  const writer = new TraceJsonWriter({ redactPins: redact });
  const limit = heldTextLimit(source);
  const devices: string[] = [];
  const report = await decodeCapture(source, {
    signal: context.signal,
    contents: { exchanges: true },
    reportExchanges: false,
    foldTransactions: false,
    onBatch: (batch) => {
      devices.push(...batch.newDevices);
      eachExchange(batch, devices, (e) => writer.exchange(e));
      limit.check(writer.heldLength);
    },
  });
  await writeAll(context, [...writer.finish(report), '\n']);
  return report;
}

async function printNdjson(context: CommandContext, source: CaptureSource, redact: boolean): Promise<TraceReport> {
  // The worker writes the lines (TraceNdjsonWriter); nothing is kept per exchange, here or there.
  return decodeCapture(source, {
    signal: context.signal,
    contents: { ndjson: { redactPins: redact } },
    reportExchanges: false,
    reportLists: false,
    foldTransactions: false,
    // A slow reader of the pipe paces the decode: no more is read until it took these.
    onBatch: (batch) => (batch.lines.length > 0 ? writeAll(context, batch.lines) : undefined),
  });
}

async function printTranscript(context: CommandContext, source: CaptureSource, redact: boolean): Promise<TraceReport> {
  context.stdout(traceHeaderLine({ file: source.name }, { redactPins: redact }));
  const writer = new TraceTranscriptWriter({ redactPins: redact });
  const limit = heldTextLimit(source);
  const devices: string[] = [];
  const messageText = new TextBlocks(MESSAGE_LINES_BLOCK);
  const messageLines = new MessageLineWriter(messageText);
  // A line for each message as batches come, then the summary around the exchanges' lines. The
  // worker sends each message's summary as bytes and the lines are laid out here: decoding keeps
  // the worker the busier of the two threads.
  const report = await decodeCapture(source, {
    signal: context.signal,
    contents: { summaryText: true, messageBytes: false, exchanges: true },
    reportExchanges: false,
    foldTransactions: false,
    onBatch: async (batch) => {
      devices.push(...batch.newDevices);
      writeMessageLines(batch, devices, messageLines);
      eachExchange(batch, devices, (e) => writer.exchange(e));
      limit.check(writer.heldLength);
      await writeAll(context, messageText.take());
    },
  });
  await writeAll(context, [...writer.finish(report), '\n']);
  const stop = report.stoppedBy;
  if (stop) {
    const where = stop.fileOffset !== undefined ? ` at byte ${stop.fileOffset}` : '';
    context.stdout('');
    context.stdout(`Import stopped${where}: ${stop.message}. The file could not be read to its end; the above is what came before.`);
  }
  return report;
}
