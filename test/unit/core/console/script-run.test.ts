/**
 * runScript as the CLI uses it: each step handed over as it completes (before the next is
 * sent), a stop request honoured between steps and for a step whose answer never came, and no
 * steps kept when the caller streams them.
 */
import { describe, expect, it } from 'vitest';
import { toHex } from '#core/bytes/hex.js';
import { parseScript } from '#core/console/script.js';
import { runScript, type ScriptRunner, type ScriptStepResult } from '#core/console/script-run.js';

const SCRIPT = ['# three reads', '00B0000001 => 9000', '', '00B0000002 => 9000', 'reset', '00B0000003'].join('\n');

/** A card that answers 9000 to everything and records what it was sent, in order with the steps seen. */
function recordingRunner(events: string[], stall?: (apdu: string) => boolean): ScriptRunner {
  return {
    send: (apdu) => {
      const hex = toHex(apdu);
      events.push(`send ${hex}`);
      if (stall?.(hex)) return Promise.reject(new Error('stopped while waiting for the answer'));
      return Promise.resolve({ response: Uint8Array.of(0x90, 0x00), ms: 1 });
    },
    reset: () => {
      events.push('reset');
      return Promise.resolve();
    },
  };
}

describe('runScript, streaming and stoppable', () => {
  it('hands each step over as it completes, before the next is sent, and keeps them unless told not to', async () => {
    const events: string[] = [];
    const onStep = (step: ScriptStepResult) => void events.push(`step ${step.line} ${step.outcome}`);
    const result = await runScript(parseScript(SCRIPT), recordingRunner(events), { onStep });
    expect(events).toEqual([
      'send 00B0000001',
      'step 2 passed',
      'send 00B0000002',
      'step 4 passed',
      'reset',
      'step 5 reset',
      'send 00B0000003',
      'step 6 sent',
    ]);
    expect(result.steps.map((s) => s.line)).toEqual([2, 4, 5, 6]);
    expect(result.stopped).toBeUndefined();
    expect(result.ok).toBe(true);

    const streamed = await runScript(parseScript(SCRIPT), recordingRunner([]), { onStep: () => undefined, keepSteps: false });
    expect(streamed.steps).toEqual([]);
    expect(streamed.counts).toEqual({ passed: 2, failed: 0, sent: 1, errors: 0 });
  });

  it('waits for an asynchronous onStep before sending the next APDU (a slow reader paces the run)', async () => {
    const events: string[] = [];
    await runScript(parseScript(SCRIPT), recordingRunner(events), {
      onStep: async (step) => {
        await Promise.resolve();
        events.push(`shown ${step.line}`);
      },
    });
    expect(events.indexOf('shown 2')).toBeLessThan(events.indexOf('send 00B0000002'));
  });

  it('stops between steps when asked: the line of the first step not run and how many were not', async () => {
    const events: string[] = [];
    let stop = false;
    const result = await runScript(parseScript(SCRIPT), recordingRunner(events), {
      onStep: (step) => {
        if (step.line === 4) stop = true;
      },
      stopRequested: () => stop,
    });
    expect(events).toEqual(['send 00B0000001', 'send 00B0000002']);
    expect(result.stopped).toEqual({ line: 5, inFlight: false, notDone: 2 });
    expect(result.ok).toBe(false);
    expect(result.counts).toEqual({ passed: 2, failed: 0, sent: 0, errors: 0 });
  });

  it('a step whose send failed because of the stop is "in flight", not an error', async () => {
    let stop = false;
    const result = await runScript(
      parseScript(SCRIPT),
      recordingRunner([], (apdu) => (apdu === '00B0000002' ? (stop = true) : false)),
      { stopRequested: () => stop },
    );
    expect(result.stopped).toEqual({ line: 4, inFlight: true, notDone: 3 });
    expect(result.counts.errors).toBe(0);
    expect(result.steps.map((s) => s.outcome)).toEqual(['passed']);
  });

  it('without a stop request a failed send is still an error that ends the run', async () => {
    const result = await runScript(
      parseScript(SCRIPT),
      recordingRunner([], (apdu) => apdu === '00B0000002'),
    );
    expect(result.steps.map((s) => s.outcome)).toEqual(['passed', 'error']);
    expect(result.stopped).toBeUndefined();
  });
});
