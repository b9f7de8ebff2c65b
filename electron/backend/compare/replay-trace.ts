/**
 * A trace's commands sent again through the reader hub (`cardbench replay` and the Captures
 * workbench's "Replay on a reader…"): in the trace's order, each card conversation to its own
 * reader, secret commands as replayPlan decides; each answer is kept for the comparison with
 * the recorded one (core/trace-diff). Stops at a signal between commands or while one waits for
 * its answer, at the first command the reader refuses, and — when asked — at the first answer
 * that differs.
 */
import { fromHex } from '#core/bytes/hex.js';
import { DiffTraceBuilder, type DiffExchange, type ReplayPlan } from '#core/trace-diff/index.js';
import type { ProtocolChoice, ShareMode } from '../reader-backend.js';
import type { HubReader, ReaderHub } from '../readers/reader-hub.js';

export interface ReplayStop {
  at: DiffExchange;
  reason: 'difference' | 'signal' | 'error';
  message?: string;
  /** Stopped while the command waited for its answer. */
  inFlight?: boolean;
}

export interface ReplayOutcome {
  /** The replay's exchanges (B), with the recorded indices. */
  replayed: DiffExchange[];
  /** The recorded exchanges that were sent (A of the comparison). */
  sent: DiffExchange[];
  /** The reader each conversation went to, in the plan's order. */
  readers: string[];
  stop?: ReplayStop;
  /** Commands after the stop that were not sent. */
  notSentAfter: number;
}

export interface ReplayOptions {
  share?: ShareMode;
  protocol?: ProtocolChoice;
  stopOnDifference?: boolean;
  signal?: AbortSignal;
  /** Called once the readers are known, before anything is sent. */
  onStart?: (readers: string[], count: number) => void;
  /** Called about every 100 ms while commands are sent, and once at the end. */
  onProgress?: (sent: number, total: number) => void;
}

/** Thrown when a conversation has no reader to go to. */
export class NoReaderForReplay extends Error {}

/** The reader of each conversation: the one named for it, else the first reader holding a card. */
export function replayReaders(hub: ReaderHub, plan: ReplayPlan, names: readonly string[]): HubReader[] {
  return plan.conversations.map((_, i) => {
    const named = names[i];
    const reader = named !== undefined ? hub.resolve(named).reader : hub.firstWithCard();
    if (!reader) throw new NoReaderForReplay('No reader has a card. Insert one, or name the reader.');
    return reader;
  });
}

export async function replayTrace(
  hub: ReaderHub,
  plan: ReplayPlan,
  targets: readonly HubReader[],
  options: ReplayOptions = {},
): Promise<ReplayOutcome> {
  const readers = targets.map((r) => r.name);
  // Two conversations sent to one reader stay two conversations in the comparison.
  const labels = readers.map((name, i) => (readers.indexOf(name) === i && readers.lastIndexOf(name) === i ? name : `${name} #${i + 1}`));
  const builder = new DiffTraceBuilder();
  const sent: DiffExchange[] = [];
  const toSend = plan.steps.filter((s) => !s.skip);
  const outcome = (stop?: ReplayStop): ReplayOutcome => {
    const after = stop ? toSend.length - toSend.findIndex((s) => s.exchange === stop.at) - 1 : 0;
    return { replayed: builder.exchanges, sent, readers, notSentAfter: after, ...(stop ? { stop } : {}) };
  };
  const transmitOptions = {
    ...(options.share ? { share: options.share } : {}),
    ...(options.protocol ? { protocol: options.protocol } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  };
  options.onStart?.(readers, toSend.length);
  let turned = performance.now();
  let told = turned;
  for (const step of toSend) {
    const recorded = step.exchange;
    // A reader that answers at once (the built-in one) resolves in microtasks only: let the event
    // loop turn now and then, or a signal would be seen only after the last command.
    if (performance.now() - turned > 20) {
      await new Promise((resolve) => setImmediate(resolve));
      turned = performance.now();
    }
    if (options.onProgress && turned - told > 100) {
      told = turned;
      options.onProgress(sent.length, toSend.length);
    }
    if (options.signal?.aborted) return outcome({ at: recorded, reason: 'signal' });
    let answer: { response: Uint8Array; ms: number };
    try {
      // The exchange's own time (not the connection the first one opens), as a trace measures it.
      answer = await hub.transmit(targets[step.conversation]!.id, fromHex(recorded.command), transmitOptions);
    } catch (error) {
      if (options.signal?.aborted) return outcome({ at: recorded, reason: 'signal', inFlight: true });
      return outcome({ at: recorded, reason: 'error', message: error instanceof Error ? error.message : String(error) });
    }
    const again = builder.add({
      index: recorded.index,
      device: labels[step.conversation]!,
      slot: 0,
      command: fromHex(recorded.command),
      response: answer.response,
      timeMs: 0,
      durationMs: answer.ms,
    });
    sent.push(recorded);
    const same = again.sw === recorded.sw && again.responseLength === recorded.responseLength && again.dataHash === recorded.dataHash;
    if (!same && options.stopOnDifference) return outcome({ at: recorded, reason: 'difference' });
  }
  options.onProgress?.(sent.length, toSend.length);
  return outcome();
}
