/**
 * `cardbench replay TRACE [--reader R]… [--stop-on-difference] [--with-pins] [--json]`: sends a
 * trace's commands again, in order, and compares each answer with the recorded one through the
 * same alignment and report as `diff` (A: the recording, B: the replay).
 *
 * Readers: a trace with one card conversation goes to --reader (or the first reader with a card);
 * a trace with several needs one --reader per conversation, given in the order the trace first
 * uses them (the command says which when they are missing). Secret commands follow replayPlan:
 * not sent unless --with-pins, never when the trace masked them; those not sent are listed and
 * left out of the comparison. Card resets and power events of the trace are not replayed.
 *
 * Exit 0 when every answer matches, 1 when one differs or a command could not be sent, 2 for a
 * wrong command line or an unreadable trace, 3 when no reader backend is available, 130 on Ctrl-C
 * (after printing the comparison of what was replayed).
 */
import { diffTraces, REPLAY_SKIP_TEXT, replayPlan, type ReplayPlan } from '#core/trace-diff/index.js';
import { CaptureAbortedError, CaptureFileError } from '../../backend/capture/decode-capture-file.js';
import { readDiffTrace } from '../../backend/capture/diff-trace-file.js';
import { NoReaderForReplay, replayReaders, replayTrace, type ReplayStop } from '../../backend/compare/replay-trace.js';
import type { HubReader, ReaderHub } from '../../backend/readers/reader-hub.js';
import { stopCause, type CliCommand, type CommandContext } from '../command.js';
import { CliError, EXIT } from '../exit-codes.js';
import { parseCommandOptions } from '../parse-options.js';
import { CONNECTION_OPTION_HELP, connectionOptions } from '../transmit-options.js';
import { withReaderHub } from '../reader-session.js';
import { incompleteTraceText, parseTimingOption } from './diff.js';
import { writeDiffJson, writeDiffText } from './diff-output.js';

export const REPLAY_USAGE =
  'TRACE [--reader R]… [--stop-on-difference] [--with-pins] [--json] [--timing-threshold 2x,50ms|off] [--protocol t0|t1|any] [--share shared|exclusive|direct]';

export async function runReplay(context: CommandContext, args: readonly string[]): Promise<number> {
  const { values, positionals } = parseCommandOptions(
    'replay',
    args,
    {
      reader: { type: 'string', multiple: true },
      'stop-on-difference': { type: 'boolean' },
      'with-pins': { type: 'boolean' },
      json: { type: 'boolean' },
      text: { type: 'boolean' },
      'timing-threshold': { type: 'string' },
      protocol: { type: 'string' },
      share: { type: 'string' },
    },
    true,
  );
  if (values.json && values.text) throw new CliError('replay: choose one of --json and --text.', EXIT.usage);
  if (positionals.length !== 1) throw new CliError(`replay: name one trace file (usage: cardbench replay ${REPLAY_USAGE}).`, EXIT.usage);
  const timing = parseTimingOption('replay', values['timing-threshold']);
  const { share, protocol } = connectionOptions('replay', values);
  const path = positionals[0]!;
  const trace = await readDiffTrace(path, { signal: context.signal }).catch((error: unknown) => {
    if (error instanceof CaptureAbortedError || context.signal.aborted) {
      throw new CliError('replay: stopped while reading the trace; nothing was sent.', EXIT.interrupted);
    }
    if (error instanceof CaptureFileError) throw new CliError(`replay: ${error.message}`, EXIT.usage);
    throw error;
  });
  // A trace cut short would replay a session that never ended as recorded: refused before anything is sent.
  const incomplete = incompleteTraceText(trace, 'nothing was sent');
  if (incomplete) throw new CliError(`replay: ${incomplete}`, EXIT.usage);
  const plan = replayPlan(trace.exchanges, { withPins: values['with-pins'] === true });
  const readerNames = values.reader ?? [];
  checkReaders(plan, readerNames);

  const outcome = await withReaderHub(context, (hub) =>
    replayTrace(hub, plan, targetsOf(hub, plan, readerNames), {
      share,
      protocol,
      stopOnDifference: values['stop-on-difference'] === true,
      signal: context.signal,
      // On stderr: stdout holds the comparison alone, written once the replay is done.
      onStart: (readers, count) => context.stderr(`cardbench: replay: sending ${count} command(s) to ${[...new Set(readers)].join(', ')}…`),
    }),
  );
  const diff = diffTraces(outcome.sent, outcome.replayed, timing === undefined ? {} : { timing });
  const names = { a: `${trace.name} (recording)`, b: `replay on ${[...new Set(outcome.readers)].join(', ')}` };
  const notSent = plan.steps.filter((s) => s.skip);
  const unsent = outcome.notSentAfter;
  if (values.json) {
    await writeDiffJson(context, diff, names, {
      readers: outcome.readers.map((reader, i) => ({ conversation: plan.conversations[i], reader })),
      notSent: notSent.map((s) => ({ index: s.exchange.index, command: s.exchange.shownCommand, name: s.exchange.name, reason: s.skip })),
      ...(outcome.stop
        ? {
            stopped: {
              index: outcome.stop.at.index,
              reason: outcome.stop.reason,
              ...(outcome.stop.message ? { message: outcome.stop.message } : {}),
              notSentAfter: unsent,
            },
          }
        : {}),
    });
  } else {
    const head = outcome.readers.map((reader, i) => `Conversation ${i + 1} (${plan.conversations[i]}) replayed on ${reader}.`);
    const tail = notSent.map(
      (s) => `  not sent: A#${s.exchange.index}  ${s.exchange.name}  ${s.exchange.shownCommand}: ${REPLAY_SKIP_TEXT[s.skip!]}`,
    );
    if (outcome.stop) tail.push(stopText(outcome.stop, unsent));
    await writeDiffText(context, diff, names, { head, tail });
  }
  if (outcome.stop?.reason === 'signal' || context.signal.aborted) {
    context.stderr(
      `cardbench: replay: stopped by ${stopCause(context.signal)}; ${outcome.stop ? stopText(outcome.stop, unsent).trim() : ''}`,
    );
    return EXIT.interrupted;
  }
  if (outcome.stop?.reason === 'error') {
    context.stderr(`cardbench: replay: ${outcome.stop.message}`);
    return EXIT.failure;
  }
  return diff.match ? EXIT.ok : EXIT.failure;
}

/** Each conversation's reader; none with a card is a failure with what to do. */
function targetsOf(hub: ReaderHub, plan: ReplayPlan, names: readonly string[]): HubReader[] {
  try {
    return replayReaders(hub, plan, names);
  } catch (error) {
    if (error instanceof NoReaderForReplay)
      throw new CliError('replay: no reader has a card. Insert one, or name the reader with --reader.', EXIT.failure);
    throw error;
  }
}

function stopText(stop: ReplayStop, unsent: number): string {
  const later = unsent > 0 ? `; the ${unsent} after it ${unsent === 1 ? 'was' : 'were'} not sent` : '';
  const what =
    stop.reason === 'difference'
      ? `its answer differs (--stop-on-difference)`
      : stop.reason === 'error'
        ? `it could not be sent: ${stop.message}`
        : stop.inFlight
          ? 'it was sent and got no answer'
          : 'it was not sent';
  return `  stopped at A#${stop.at.index} (${stop.at.name}): ${what}${later}.`;
}

/** One --reader per conversation (or none for a trace of one conversation): else a usage error naming them. */
function checkReaders(plan: ReplayPlan, readers: readonly string[]): void {
  const count = plan.conversations.length;
  if (readers.length === count || (readers.length === 0 && count <= 1)) return;
  const list = plan.conversations.map((c, i) => `  ${i + 1}: ${c}`).join('\n');
  throw new CliError(
    `replay: the trace has ${count} card conversation(s); give one --reader per conversation, in this order` +
      ` (${readers.length} given):\n${list}`,
    EXIT.usage,
  );
}

export const replayCommand: CliCommand = {
  name: 'replay',
  usage: REPLAY_USAGE,
  summary: "send a trace's commands again and compare each answer with the recorded one; exit 1 on a difference",
  help: {
    arguments: [{ syntax: 'TRACE', text: 'the trace: any file `cardbench decode` reads (.pcapng, .pcap: USB captures, recordings)' }],
    options: [
      {
        syntax: '--reader R',
        text: "the reader (name, id or a part of its name); a trace with several card conversations takes one --reader per conversation, in the trace's order",
        default: 'the first reader with a card',
      },
      {
        syntax: '--stop-on-difference',
        text: 'stop at the first answer that differs from the recorded one',
        default: 'replay the whole trace',
      },
      {
        syntax: '--with-pins',
        text: 'also send the commands that carry a PIN or key (VERIFY…); never those the trace holds masked',
        default: 'not sent, listed',
      },
      { syntax: '--text', text: "for people: the comparison with diff(1)'s signs, as `cardbench diff` prints it", default: 'text' },
      { syntax: '--json', text: "one JSON object: diff's, plus the readers used, the commands not sent and where the replay stopped" },
      {
        syntax: '--timing-threshold T',
        text: 'when two durations differ enough to report: FACTORx,MSms (both must hold), either alone, or off',
        default: '2x,50ms',
      },
      ...CONNECTION_OPTION_HELP,
    ],
    examples: [
      'cardbench replay session.pcapng --reader "Virtual PCD 00 00"   # the same card should answer the same',
      'cardbench replay --stop-on-difference --json usb-capture.pcapng | jq .stopped',
    ],
    notes: [
      "Commands are sent exactly as recorded, in order (a trace's GET RESPONSE and re-sent commands are in it already);",
      '  card resets and power events of the trace are not replayed.',
      'A VERIFY without data (a retry counter query) carries no secret and is sent; those with a PIN only with --with-pins.',
      'Exit 0 when every answer matches, 1 when one differs or a command could not be sent, 2 for a wrong command line or',
      '  a trace that cannot be read, 3 when no reader backend is available, 130 on Ctrl-C (what was replayed is compared).',
    ],
  },
  run: runReplay,
};
