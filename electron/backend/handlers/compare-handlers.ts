/** Handlers of the trace comparison channels (core/ipc/channels/compare.ts). */
import type { compareChannels, CompareSummary } from '#core/ipc/channels/compare.js';
import type { Handlers } from '#core/ipc/dispatch.js';
import { CardbenchError } from '#core/ipc/errors.js';
import { diffTraces, replayPlan, type ReplayPlan } from '#core/trace-diff/index.js';
import { CaptureAbortedError } from '../capture/decode-capture-file.js';
import type { DiffTrace } from '../capture/diff-trace-file.js';
import { CompareStore, read } from '../compare/compare-store.js';
import { NoReaderForReplay, replayReaders, replayTrace, type ReplayOutcome } from '../compare/replay-trace.js';
import type { ReaderHub } from '../readers/reader-hub.js';
import type { HandlerContext } from './handler-context.js';

export type CompareHandlers = Pick<Handlers, keyof typeof compareChannels>;

export interface CompareHandlerOptions {
  /** The readers a replay goes to (the app's hub, shared with the Console and the Pinpad). */
  hub: () => ReaderHub;
}

export function createCompareHandlers(context: HandlerContext, options: CompareHandlerOptions): CompareHandlers {
  const store = new CompareStore();
  /** The replay in progress, which Stop aborts. */
  let running: AbortController | undefined;
  context.onDispose(() => {
    running?.abort();
    store.closeAll();
  });
  return {
    'compare.open': ({ a, b, timing }) => store.compare(a, b, timing),
    'compare.replay': async ({ trace, readers, withPins, stopOnDifference }): Promise<CompareSummary> => {
      if (running) throw new CardbenchError('operation-failed', 'A replay is already running: stop it or wait for its end.');
      // Stop works from the start: while the trace is read too.
      const mine = new AbortController();
      running = mine;
      let recording: DiffTrace;
      let plan: ReplayPlan;
      let outcome: ReplayOutcome;
      try {
        recording = await read(trace, mine.signal);
        plan = replayPlan(recording.exchanges, { withPins });
        if (plan.conversations.length === 0)
          throw new CardbenchError('operation-failed', `${recording.name} holds no APDU exchange to send.`);
        // One reader named: every conversation goes to it (the workbench offers one choice).
        const names = readers.length === 1 ? plan.conversations.map(() => readers[0]!) : readers;
        if (names.length > 0 && names.length !== plan.conversations.length) {
          throw new CardbenchError(
            'invalid-arguments',
            `${recording.name} has ${plan.conversations.length} card conversations: name one reader, or one per conversation.`,
          );
        }
        const hub = options.hub();
        const progress = (sent: number, total: number): void => context.emit({ event: 'compare.replayProgress', payload: { sent, total } });
        outcome = await replayTrace(hub, plan, replayReaders(hub, plan, names), {
          stopOnDifference,
          signal: mine.signal,
          onStart: (_readers, total) => progress(0, total),
          onProgress: progress,
        });
      } catch (error) {
        if (error instanceof NoReaderForReplay) throw new CardbenchError('operation-failed', error.message);
        if (error instanceof CaptureAbortedError) throw new CardbenchError('operation-failed', 'Replay stopped before anything was sent.');
        throw error;
      } finally {
        if (running === mine) running = undefined;
      }
      const diff = diffTraces(outcome.sent, outcome.replayed);
      const summary = store.keep(diff, { a: `${recording.name} (recording)`, b: `replay on ${[...new Set(outcome.readers)].join(', ')}` });
      const stop = outcome.stop;
      return {
        ...summary,
        replay: {
          readers: outcome.readers.map((reader, i) => ({ conversation: plan.conversations[i]!, reader })),
          notSent: plan.steps
            .filter((s) => s.skip)
            .map((s) => ({ index: s.exchange.index, command: s.exchange.shownCommand, name: s.exchange.name, reason: s.skip! })),
          ...(stop
            ? {
                stopped: {
                  index: stop.at.index,
                  name: stop.at.name,
                  reason: stop.reason === 'signal' ? ('stopped' as const) : stop.reason,
                  ...(stop.message ? { message: stop.message } : {}),
                  notSentAfter: outcome.notSentAfter,
                },
              }
            : {}),
        },
      };
    },
    'compare.stopReplay': () => {
      const stopped = running !== undefined;
      running?.abort();
      return { stopped };
    },
    'compare.rows': ({ id, start, count, differencesOnly }) => store.rows(id, start, count, differencesOnly),
    'compare.close': ({ id }) => ({ closed: store.close(id) }),
  };
}
