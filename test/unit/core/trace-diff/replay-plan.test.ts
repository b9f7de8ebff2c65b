/** replayPlan: which of a trace's commands a replay sends, and to which conversation. */
import { describe, expect, it } from 'vitest';
import { fromHex } from '#core/bytes/hex.js';
import { DiffTraceBuilder, replayPlan } from '#core/trace-diff/index.js';

function trace(rows: [device: string, command: string][], traceMasked = false) {
  const builder = new DiffTraceBuilder(traceMasked);
  rows.forEach(([device, command], i) =>
    builder.add({ index: i + 1, device, slot: 0, command: fromHex(command), response: fromHex('9000'), timeMs: i, durationMs: 1 }),
  );
  return builder.exchanges;
}

describe('replayPlan', () => {
  const rows: [string, string][] = [
    ['1.2', '00A4040006D27600012401'],
    ['1.2', '00200081'], // retry counter query: no secret
    ['1.2', '0020008106313233343536'], // a PIN
    ['1.3', '0020008106FFFFFFFFFFFF'], // a PIN block recorded masked
    ['1.3', '002400810C2A2A2A2A2A2A2A2A2A2A2A2A'], // CHANGE REFERENCE DATA masked as '*'
    ['1.2', '00CA006E00'],
  ];

  it('without --with-pins: PINs and masked secrets are skipped, the rest sent, conversations in order of first use', () => {
    const plan = replayPlan(trace(rows), { withPins: false });
    expect(plan.conversations).toEqual(['1.2 slot 0', '1.3 slot 0']);
    expect(plan.steps.map((s) => [s.exchange.index, s.conversation, s.skip ?? 'send'])).toEqual([
      [1, 0, 'send'],
      [2, 0, 'send'],
      [3, 0, 'pin'],
      [4, 1, 'masked'],
      [5, 1, 'masked'],
      [6, 0, 'send'],
    ]);
  });

  it('with --with-pins: the PIN is sent, masked ones never', () => {
    const plan = replayPlan(trace(rows), { withPins: true });
    expect(plan.steps.map((s) => s.skip ?? 'send')).toEqual(['send', 'send', 'send', 'masked', 'masked', 'send']);
  });

  it('a trace that says its secrets are masked: every secret command with data is masked', () => {
    const plan = replayPlan(trace(rows, true), { withPins: true });
    expect(plan.steps.map((s) => s.skip ?? 'send')).toEqual(['send', 'send', 'masked', 'masked', 'masked', 'send']);
  });
});
