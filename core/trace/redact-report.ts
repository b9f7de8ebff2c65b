/**
 * A report safe to share (`decode --redact-pins`): the data of every secret-carrying command
 * (core/iso7816/secret-commands) is masked as '**' wherever a command appears — exchanges,
 * the transactions folded from them, the APDU templates of PIN entry requests.
 *
 * Structural, not a list of known places: each field of each record type has a decision below
 * ('clear': it cannot hold command bytes), the mapped types make a new field a compile error
 * until someone decides, and a field present at run time without a decision is dropped.
 */
import { fromHex, toHex } from '../bytes/hex.js';
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
  const secrets = new SecretExchanges();
  for (const e of exchanges) secrets.classify(e);
  return secrets.shownSecrets;
}

/**
 * The secrets of a trace's exchanges, learnt one exchange at a time in capture order (each card
 * conversation, device + slot, in order, so chained parts follow their first part): what the
 * whole redaction hangs on, also for outputs written as the exchanges are decoded.
 */
export class SecretExchanges implements Secrets {
  private readonly trackers = new Map<string, SecretCommandTracker>();
  private readonly secret = new Map<number, SecretCommand>();
  private readonly remember: boolean;
  private shown = 0;

  /**
   * @param options.remember keep each secret exchange's secret for `of` and transactions (default
   *   true); a consumer that writes each exchange and forgets it keeps nothing per exchange
   */
  constructor(options: { remember?: boolean } = {}) {
    this.remember = options.remember !== false;
  }

  /** Learns whether the exchange's command carries a secret; returns it. Call once per exchange, in order. */
  classify(e: TraceExchange): SecretCommand | undefined {
    const found = this.tracker(e.device, e.slot).classify(bytesOf(e.command));
    if (found && this.remember) this.secret.set(e.index, found);
    // A report redacted before shows its secret commands by their masks.
    if (e.command.includes('*') || (found && maskedCommand(e.command, found) !== e.command)) this.shown++;
    return found;
  }

  /** classify() for an exchange known by its bytes (as decoded: nothing masked yet). */
  classifyCommand(index: number, device: string, slot: number, command: Uint8Array): SecretCommand | undefined {
    const found = this.tracker(device, slot).classify(command);
    if (!found) return undefined;
    if (this.remember) this.secret.set(index, found);
    if (redactedCommandHex(command, found) !== toHex(command)) this.shown++;
    return found;
  }

  private tracker(device: string, slot: number): SecretCommandTracker {
    const key = `${device}/${slot}`;
    let tracker = this.trackers.get(key);
    if (!tracker) this.trackers.set(key, (tracker = new SecretCommandTracker()));
    return tracker;
  }

  of(index: number): SecretCommand | undefined {
    return this.secret.get(index);
  }

  /** Exchanges classified so far whose command has secret bytes to show or mask (countSecretExchanges). */
  get shownSecrets(): number {
    return this.shown;
  }

  /** The exchange as redactPins shows it (`secret`: what classify returned for it). */
  redactedExchange(e: TraceExchange, secret: SecretCommand | undefined = this.secret.get(e.index)): TraceExchange {
    return decide(e, EXCHANGE, secret);
  }

  /** The transaction as redactPins shows it (masked when any exchange folded into it is secret). */
  redactedTransaction(t: TraceTransaction): TraceTransaction {
    return decide(
      t,
      TRANSACTION,
      t.exchanges.map((i) => this.secret.get(i)).find((s) => s !== undefined),
    );
  }
}

function secretExchanges(exchanges: readonly TraceExchange[]): Secrets {
  const secrets = new SecretExchanges();
  for (const e of exchanges) secrets.classify(e);
  return secrets;
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
