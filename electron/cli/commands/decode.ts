/**
 * `cardbench decode FILE [--json | --text]`: a USB capture read as CCID messages and APDU
 * exchanges. --json prints the report object (the format scripts and tests rely on); --text,
 * the default, a transcript for people. Exit 1 when the file cannot be read or is not a capture.
 */
import { redactPins, traceHeaderLine, traceMessageLine, traceSummaryLines } from '../../../core/trace/index.js';
import { CaptureAbortedError, CaptureFileError, decodeCaptureFile } from '../../backend/capture/decode-capture-file.js';
import type { CommandContext } from '../command.js';
import { CliError, EXIT } from '../exit-codes.js';
import { parseCommandOptions } from '../parse-options.js';

export const DECODE_USAGE = 'FILE [--json | --text] [--redact-pins]';

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
      `decode: ${positionals.length === 0 ? 'name the capture file' : 'one capture file at a time'} (usage: cardbench decode ${DECODE_USAGE}).`,
      EXIT.usage,
    );
  }
  const file = positionals[0]!;
  const abort = new AbortController();
  void context.untilInterrupted().then(() => abort.abort());
  try {
    if (values.json) {
      const report = await decodeCaptureFile(file, { signal: abort.signal });
      context.stdout(JSON.stringify(redact ? redactPins(report) : report, null, 2));
      return EXIT.ok;
    }
    context.stdout(traceHeaderLine({ file }, { redactPins: redact }));
    const report = await decodeCaptureFile(file, {
      signal: abort.signal,
      handlers: { message: (message) => context.stdout(traceMessageLine(message)) },
    });
    for (const line of traceSummaryLines(report, { redactPins: redact })) context.stdout(line);
    return EXIT.ok;
  } catch (error) {
    if (error instanceof CaptureFileError) throw new CliError(`decode: ${error.message}`, EXIT.failure);
    if (error instanceof CaptureAbortedError) throw new CliError('decode: interrupted', EXIT.interrupted);
    throw error;
  }
}
