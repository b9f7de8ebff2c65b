/**
 * `cardbench diff A B [--json | --text] [--timing-threshold 2x,50ms|off]`: two traces compared at
 * APDU level (core/trace-diff): commands aligned by content, card conversations paired in order
 * of first use. Exit 0 when they match, 1 when they differ (as diff(1)); 2 for a wrong command
 * line and, as diff(1) says "trouble", for a trace that cannot be read or was read only in part
 * (what could be compared is still printed); 130 on Ctrl-C.
 */
import { diffTraces, parseTimingThreshold, type TimingThreshold } from '#core/trace-diff/index.js';
import { CaptureAbortedError, CaptureFileError, streamCaptureSource } from '../../backend/capture/decode-capture-file.js';
import { readDiffTrace, type DiffTrace } from '../../backend/capture/diff-trace-file.js';
import type { CliCommand, CommandContext } from '../command.js';
import { CliError, EXIT } from '../exit-codes.js';
import { parseCommandOptions } from '../parse-options.js';
import { writeDiffJson, writeDiffText } from './diff-output.js';

export const DIFF_USAGE = 'A B [--json | --text] [--timing-threshold 2x,50ms|off]';

/** The name standard input goes by, as for decode. */
const STDIN = '-';

export function parseTimingOption(command: string, value: string | undefined): TimingThreshold | null | undefined {
  if (value === undefined) return undefined;
  const parsed = parseTimingThreshold(value);
  if (!parsed.ok) throw new CliError(`${command}: --timing-threshold: ${parsed.reason}.`, EXIT.usage);
  return parsed.threshold;
}

/** A trace that stopped before its end makes any verdict doubtful: the sentence saying so, or none. */
export function incompleteTraceText(trace: DiffTrace, consequence = 'only what came before is compared'): string | undefined {
  const stop = trace.report.stoppedBy;
  if (!stop) return undefined;
  const where = stop.fileOffset !== undefined ? ` at byte ${stop.fileOffset}` : '';
  return `${trace.name} could not be read to its end (${stop.message}${where}); ${consequence}.`;
}

export async function runDiff(context: CommandContext, args: readonly string[]): Promise<number> {
  const { values, positionals } = parseCommandOptions(
    'diff',
    args,
    { json: { type: 'boolean' }, text: { type: 'boolean' }, 'timing-threshold': { type: 'string' } },
    true,
  );
  if (values.json && values.text) throw new CliError('diff: choose one of --json and --text.', EXIT.usage);
  if (positionals.length !== 2) {
    throw new CliError(`diff: name two trace files, A and B (usage: cardbench diff ${DIFF_USAGE}).`, EXIT.usage);
  }
  const timing = parseTimingOption('diff', values['timing-threshold']);
  const [pathA, pathB] = positionals as [string, string];
  if (pathA === STDIN && pathB === STDIN) throw new CliError('diff: only one of A and B can be - (standard input).', EXIT.usage);
  const read = (path: string): Promise<DiffTrace> =>
    readDiffTrace(path, { signal: context.signal, ...(path === STDIN ? { source: streamCaptureSource(process.stdin, STDIN) } : {}) });
  let traces: [DiffTrace, DiffTrace];
  try {
    // One after the other: each decode has its own worker and heap limit, and memory holds one at a time.
    const a = await read(pathA);
    traces = [a, await read(pathB)];
  } catch (error) {
    if (error instanceof CaptureAbortedError || context.signal.aborted) {
      throw new CliError('diff: stopped while reading the traces; nothing was compared.', EXIT.interrupted);
    }
    // diff(1)'s "trouble": 1 would say the traces differ.
    if (error instanceof CaptureFileError) throw new CliError(`diff: ${error.message}`, EXIT.usage);
    throw error;
  }
  const [a, b] = traces;
  const diff = diffTraces(a.exchanges, b.exchanges, timing === undefined ? {} : { timing });
  const names = { a: a.name, b: b.name };
  if (values.json) await writeDiffJson(context, diff, names, { complete: { a: a.report.complete, b: b.report.complete } });
  else await writeDiffText(context, diff, names);
  if (context.signal.aborted) {
    context.stderr('cardbench: diff: stopped while writing the comparison.');
    return EXIT.interrupted;
  }
  const incomplete = [incompleteTraceText(a), incompleteTraceText(b)].filter((t) => t !== undefined);
  for (const line of incomplete) context.stderr(`cardbench: diff: ${line}`);
  if (incomplete.length > 0) return EXIT.usage;
  return diff.match ? EXIT.ok : EXIT.failure;
}

export const diffCommand: CliCommand = {
  name: 'diff',
  usage: DIFF_USAGE,
  summary: 'compare two traces APDU by APDU (commands matched by content); exit 1 when they differ',
  help: {
    arguments: [
      {
        syntax: 'A',
        text: 'the first trace: any file `cardbench decode` reads (.pcapng, .pcap: USB captures, recordings; pcsc-spy logs), or - for standard input',
      },
      { syntax: 'B', text: 'the second trace, of the same or another format (- for standard input when A is a file)' },
    ],
    options: [
      { syntax: '--text', text: "for people: diff(1)'s signs, INS names and status word meanings", default: 'text' },
      { syntax: '--json', text: 'one JSON object: counts, paired conversations and the differences, one per line' },
      {
        syntax: '--timing-threshold T',
        text: 'when two durations differ enough to report: FACTORx,MSms (both must hold), either alone, or off',
        default: '2x,50ms',
      },
    ],
    examples: [
      'cardbench diff before.pcapng after.pcapng   # what changed between two runs',
      'cardbench diff --json --timing-threshold off usb.pcapng recording.pcapng | jq .counts',
      'ssh lab cat trace.pcapng | cardbench diff - local.pcapng   # one of them from standard input',
    ],
    notes: [
      'Commands are matched by their bytes, not their position: an extra GET RESPONSE or a retried command is one row.',
      'Card conversations (reader + slot) are paired in the order each trace first uses them; reader names are not',
      '  compared, so one session seen through two readers lines up.',
      'Rows: "- A#n" only in A, "+ B#n" only in B, "! A#n B#m" the same command with another answer (the two answers',
      '  follow), "~" durations beyond the threshold. Secret data (VERIFY PINs, keys) is shown masked as **.',
      'Exit 0 when the traces match, 1 when they differ, 2 for a wrong command line or a trace that cannot be read',
      '  (or only in part), 130 on Ctrl-C.',
      'Every exchange is held for the alignment (~260 bytes + its command + up to 256 bytes of its answer); a trace beyond',
      '  CARDBENCH_DIFF_HEAP_MB (default 1024) ends with a sentence saying so.',
    ],
  },
  run: runDiff,
};
