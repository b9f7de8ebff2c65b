/**
 * `cardbench decode FILE|- [--json | --text]`: a USB capture read as CCID messages and APDU
 * exchanges. --json prints the report object (the format scripts and tests rely on); --text,
 * the default, a transcript for people. `-` reads the capture from standard input.
 *
 * Decoding runs in a worker thread with a heap limit (CARDBENCH_DECODE_HEAP_MB): a file crafted
 * to exhaust memory or hang the decoder ends with exit 1 and a sentence saying so. Exit 1 too
 * when the file cannot be read, is not a capture, or could not be read to its end — what was
 * decoded before that point is still printed, and the report says "complete": false.
 */
import { traceHeaderLine, traceMessageLine, type TraceStop } from '#core/trace/index.js';
import {
  CaptureAbortedError,
  CaptureFileError,
  decodeCaptureToText,
  openCaptureFile,
  streamCaptureSource,
  type CaptureSource,
} from '../../backend/capture/decode-capture-file.js';
import { MESSAGE_DIRECTIONS, NO_MESSAGE_SLOT, type DecodedBatch } from '../../backend/capture/decoded-batch.js';
import type { CommandContext } from '../command.js';
import { CliError, EXIT } from '../exit-codes.js';
import { parseCommandOptions } from '../parse-options.js';

export const DECODE_USAGE = 'FILE|- [--json | --text] [--redact-pins]';

/** The name `-` stands for in messages and the report. */
const STDIN = '-';

export async function runDecode(context: CommandContext, args: readonly string[]): Promise<number> {
  const { values, positionals } = parseCommandOptions(
    'decode',
    args,
    { json: { type: 'boolean' }, text: { type: 'boolean' }, 'redact-pins': { type: 'boolean' } },
    true,
  );
  // Exact bytes by default (a capture is evidence); --redact-pins for a transcript to share.
  const redact = values['redact-pins'] === true;
  if (values.json && values.text) throw new CliError('decode: choose one of --json and --text.', EXIT.usage);
  if (positionals.length !== 1) {
    throw new CliError(
      `decode: ${positionals.length === 0 ? 'name the capture file (or - for standard input)' : 'one capture file at a time'} (usage: cardbench decode ${DECODE_USAGE}).`,
      EXIT.usage,
    );
  }
  const file = positionals[0]!;
  try {
    const source = file === STDIN ? streamCaptureSource(process.stdin, STDIN) : await openCaptureFile(file);
    const report = values.json ? await decodeJson(context, source, redact) : await decodeText(context, source, redact);
    if (report.stoppedBy === undefined) return EXIT.ok;
    const stop = report.stoppedBy;
    const where = stop?.fileOffset !== undefined ? ` at byte ${stop.fileOffset}` : '';
    context.stderr(
      `cardbench: decode: ${file} could not be read to its end (${stop?.message ?? 'unknown reason'}${where}); what was decoded before that is printed.`,
    );
    return EXIT.failure;
  } catch (error) {
    if (error instanceof CaptureAbortedError) throw new CliError(`decode: stopped before the end of ${file}`, EXIT.interrupted);
    if (error instanceof CaptureFileError) throw new CliError(`decode: ${error.message}`, EXIT.failure);
    throw error;
  }
}

/** What the exit status and the last words depend on. */
interface Outcome {
  stoppedBy?: TraceStop | undefined;
}

async function decodeJson(context: CommandContext, source: CaptureSource, redact: boolean): Promise<Outcome> {
  // The worker makes the text (masked when asked): no report object crosses threads.
  const report = await decodeCaptureToText(source, { format: 'json', signal: context.signal, redactPins: redact });
  context.stdout(report.text);
  return report;
}

async function decodeText(context: CommandContext, source: CaptureSource, redact: boolean): Promise<Outcome> {
  context.stdout(traceHeaderLine({ file: source.name }, { redactPins: redact }));
  const devices: string[] = [];
  // Lines for each message as batches come, then the summary the worker wrote (masked when asked).
  const report = await decodeCaptureToText(source, {
    format: 'transcript',
    redactPins: redact,
    signal: context.signal,
    contents: { messages: true, messageBytes: false, summaries: true },
    onBatch: (batch) => messageLines(context, batch, devices),
  });
  context.stdout(report.text);
  const stop = report.stoppedBy;
  if (stop) {
    const where = stop.fileOffset !== undefined ? ` at byte ${stop.fileOffset}` : '';
    context.stdout('');
    context.stdout(`Import stopped${where}: ${stop.message}. The file could not be read to its end; the above is what came before.`);
  }
  return report;
}

/** One transcript line per CCID message of the batch. */
function messageLines(context: CommandContext, batch: DecodedBatch, devices: string[]): void {
  devices.push(...batch.newDevices);
  const m = batch.messages;
  for (let i = 0; i < m.count; i++) {
    const slot = m.slot[i]!;
    context.stdout(
      traceMessageLine({
        frame: m.frame[i]!,
        timeNs: m.timeNs[i]!,
        device: devices[m.device[i]!] ?? '?',
        slot: slot === NO_MESSAGE_SLOT ? undefined : slot,
        direction: MESSAGE_DIRECTIONS[m.direction[i]!]!,
        summary: m.summaries?.[i] ?? '',
      }),
    );
  }
}
