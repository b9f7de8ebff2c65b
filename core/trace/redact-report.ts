/**
 * A report safe to share (`decode --redact-pins`): the data of every secret-carrying command
 * (core/iso7816/secret-commands) is masked as '**' wherever a command appears — exchanges,
 * the transactions folded from them, the APDU templates of PIN entry requests.
 *
 * Structural, not a list of known places: each field of each record type has a decision below
 * ('clear': it cannot hold command bytes), the mapped types make a new field a compile error
 * until someone decides, and a field present at run time without a decision is dropped.
 */
import { fromHex } from '../bytes/hex.js';
import { maskedBytes, maskedPinTemplateHex, redactedCommandHex, remaskCommandText } from '../iso7816/pin-redaction.js';
import { SecretCommandTracker, type SecretCommand } from '../iso7816/secret-commands.js';
import type { TraceExchange, TracePinAnswer, TracePinOperation, TraceReport, TraceTransaction } from './trace-report.js';

type Rule<V, C> = 'clear' | ((value: V, context: C) => V);
type Decisions<T, C> = { [K in keyof T]-?: Rule<T[K], C> };

/** Which exchanges (by TraceExchange.index) carry secret data: what the whole redaction hangs on. */
interface Secrets {
  of(index: number): SecretCommand | undefined;
}

const EXCHANGE: Decisions<TraceExchange, SecretCommand | undefined> = {
  index: 'clear',
  device: 'clear',
  slot: 'clear',
  command: (command, secret) => maskedCommand(command, secret),
  // Answers to secret commands carry status words, not secrets.
  response: 'clear',
  sw: 'clear',
  commandFrame: 'clear',
  responseFrame: 'clear',
  timeMs: 'clear',
  durationMs: 'clear',
  truncated: 'clear',
};

const TRANSACTION: Decisions<TraceTransaction, SecretCommand | undefined> = {
  exchanges: 'clear',
  device: 'clear',
  slot: 'clear',
  // The first exchange's command: masked when any exchange folded into it is secret.
  command: (command, secret) => maskedCommand(command, secret),
  name: 'clear',
  dataLength: 'clear',
  sw: 'clear',
  meaning: 'clear',
  durationMs: 'clear',
  folded: 'clear',
  problems: 'clear',
};

const PIN_ANSWER: Decisions<TracePinAnswer, undefined> = {
  message: 'clear',
  bStatus: 'clear',
  bError: 'clear',
  meaning: 'clear',
  response: 'clear',
  sw: 'clear',
};

const PIN_OPERATION: Decisions<TracePinOperation, undefined> = {
  frame: 'clear',
  device: 'clear',
  slot: 'clear',
  operation: 'clear',
  apduTemplate: (template) => (template === null ? null : maskedPinTemplateHex(fromHex(template.replace(/\*/g, '0')))),
  // bmFormatString, offsets, timeouts: numbers that describe the PIN block, not its content.
  structure: 'clear',
  answer: (answer) => (answer === null ? null : decide(answer, PIN_ANSWER, undefined)),
};

const REPORT: Decisions<TraceReport, Secrets> = {
  file: 'clear',
  format: 'clear',
  linkTypes: 'clear',
  packets: 'clear',
  devices: 'clear',
  ccid: 'clear',
  atrs: 'clear',
  exchanges: (list, secrets) => list.map((e) => decide(e, EXCHANGE, secrets.of(e.index))),
  events: 'clear',
  pinOperations: (list) => list.map((p) => decide(p, PIN_OPERATION, undefined)),
  transactions: (list, secrets) =>
    list.map((t) =>
      decide(
        t,
        TRANSACTION,
        t.exchanges.map((i) => secrets.of(i)).find((s) => s !== undefined),
      ),
    ),
  // Problem messages name frames, codes and lengths, never command bytes.
  problems: 'clear',
  problemsOmitted: 'clear',
  eventsOmitted: 'clear',
  // Whether the file was read to its end, and the container problem that stopped it: no command bytes.
  complete: 'clear',
  stoppedBy: 'clear',
  redacted: () => true,
};

export function redactPins(report: TraceReport): TraceReport {
  return decide(report, REPORT, secretExchanges(report.exchanges));
}

/**
 * How many exchanges carry secret data (the transcript says so when it shows them): commands
 * of the table that have bytes to mask; VERIFY without data only asks for the retry counter.
 */
export function countSecretExchanges(exchanges: readonly TraceExchange[]): number {
  const secrets = secretExchanges(exchanges);
  let count = 0;
  for (const e of exchanges) {
    const secret = secrets.of(e.index);
    // A report redacted before shows its secret commands by their masks.
    if (e.command.includes('*') || (secret && maskedCommand(e.command, secret) !== e.command)) count++;
  }
  return count;
}

/** Classifies each card conversation (device + slot) in order, so chained parts follow their first part. */
function secretExchanges(exchanges: readonly TraceExchange[]): Secrets {
  const trackers = new Map<string, SecretCommandTracker>();
  const secret = new Map<number, SecretCommand>();
  for (const e of exchanges) {
    const key = `${e.device}/${e.slot}`;
    let tracker = trackers.get(key);
    if (!tracker) trackers.set(key, (tracker = new SecretCommandTracker()));
    const found = tracker.classify(bytesOf(e.command));
    if (found) secret.set(e.index, found);
  }
  return { of: (index) => secret.get(index) };
}

function decide<T extends object, C>(value: T, decisions: Decisions<T, C>, context: C): T {
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    const rule = (decisions as Record<string, Rule<unknown, C> | undefined>)[key];
    // Undecided: not known to be safe, so not shown.
    if (rule === undefined) continue;
    out[key] = rule === 'clear' ? field : rule(field, context);
  }
  return out as T;
}

/** A command's bytes for classifying; masked bytes ('**', in a report redacted before) read as 00. */
function bytesOf(command: string): Uint8Array {
  return fromHex(command.replace(/\*/g, '0'));
}

/** Masking twice gives the same text: already masked commands are masked again without trusting their '*'. */
function maskedCommand(command: string, secret: SecretCommand | undefined): string {
  if (!command.includes('*')) return redactedCommandHex(fromHex(command), secret);
  return remaskCommandText(command) ?? maskedBytes(command.length / 2);
}
