/**
 * replayTrace through a real ReaderHub on the built-in virtual reader: a trace of two card
 * conversations sent to one reader stays two conversations in the comparison; a recorded answer
 * that the card does not give stops the replay when asked; an aborted signal stops it before
 * anything is sent.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fromHex } from '#core/bytes/hex.js';
import { DiffTraceBuilder, diffTraces, replayPlan } from '#core/trace-diff/index.js';
import { replayReaders, replayTrace } from '../../../../../electron/backend/compare/replay-trace.js';
import { ReaderHub } from '../../../../../electron/backend/readers/reader-hub.js';
import { createVirtualReaderBackend } from '../../../../../electron/backend/virtual-reader/virtual-reader-backend.js';

const VIRTUAL = 'Cardbench Virtual Pinpad';

/** [device, command, recorded answer] in capture order. */
function trace(rows: [string, string, string][]) {
  const builder = new DiffTraceBuilder();
  rows.forEach(([device, command, response], i) =>
    builder.add({ index: i + 1, device, slot: 0, command: fromHex(command), response: fromHex(response), timeMs: i, durationMs: 1 }),
  );
  return builder.exchanges;
}

let hub: ReaderHub;
beforeEach(async () => {
  hub = new ReaderHub([createVirtualReaderBackend()]);
  await hub.settled();
});
afterEach(() => hub.dispose());

describe('replayTrace', () => {
  const twoConversations = trace([
    ['1.2', '00A4040006D27600012401', '9000'],
    ['1.3', '00A4040006D27600012401', '9000'],
    ['1.2', '00200081', '63C3'],
    ['1.3', '00200081', '63C3'],
  ]);

  it('two conversations to one reader: two conversations in the comparison, every answer the same', async () => {
    const plan = replayPlan(twoConversations, { withPins: false });
    const outcome = await replayTrace(hub, plan, replayReaders(hub, plan, [VIRTUAL, VIRTUAL]));
    expect(outcome.readers).toEqual([VIRTUAL, VIRTUAL]);
    // Answers only: the first exchange after the card's power-up may take longer than the recorded 1 ms.
    const diff = diffTraces(outcome.sent, outcome.replayed, { timing: null });
    expect(diff.match).toBe(true);
    expect(diff.conversations.map((c) => [c.a, c.b])).toEqual([
      ['1.2 slot 0', `${VIRTUAL} #1 slot 0`],
      ['1.3 slot 0', `${VIRTUAL} #2 slot 0`],
    ]);
  });

  it('stopOnDifference: stops at the first answer the card does not give, and counts what was not sent', async () => {
    const wrong = trace([
      ['1.2', '00A4040006D27600012401', '9000'],
      ['1.2', '00200081', '63C1'],
      ['1.2', '00CA006E00', '9000'],
    ]);
    const plan = replayPlan(wrong, { withPins: false });
    const outcome = await replayTrace(hub, plan, replayReaders(hub, plan, []), { stopOnDifference: true });
    expect(outcome.stop).toMatchObject({ reason: 'difference', at: { index: 2 } });
    expect(outcome.notSentAfter).toBe(1);
    expect(outcome.replayed.map((e) => e.sw)).toEqual(['9000', '63C3']);
  });

  it('an aborted signal: nothing sent, stopped at the first command', async () => {
    const plan = replayPlan(twoConversations, { withPins: false });
    const stop = new AbortController();
    stop.abort();
    const outcome = await replayTrace(hub, plan, replayReaders(hub, plan, [VIRTUAL, VIRTUAL]), { signal: stop.signal });
    expect(outcome.sent).toEqual([]);
    expect(outcome.stop).toMatchObject({ reason: 'signal', at: { index: 1 } });
    expect(outcome.notSentAfter).toBe(3);
  });
});
