/**
 * runScript as the CLI uses it: each step handed over as it completes (before the next is
 * sent), a stop request honoured between steps and for a step whose answer never came, and no
 * steps kept when the caller streams them.
 */
import { describe, expect, it } from 'vitest';
import { toHex } from '#core/bytes/hex.js';
import { parseScript } from '#core/console/script.js';
import { runScript, type ScriptRunner, type ScriptStepResult } from '#core/console/script-run.js';
import { SelectedApplications } from '#core/apps/selected-applications.js';
import { VirtualSmartCard } from '#core/sim/card/virtual-smart-card.js';

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

describe('runScript names what the card answers after the application the script selected', () => {
  /** The virtual OpenPGP/PIV card itself, reset by the script's reset. */
  function virtualCardRunner(): ScriptRunner {
    const card = new VirtualSmartCard();
    card.reset();
    return {
      send: (apdu) => Promise.resolve({ response: card.transmit(apdu), ms: 1 }),
      reset: () => {
        card.reset();
        return Promise.resolve();
      },
    };
  }
  const c4Label = (step: ScriptStepResult | undefined): string | undefined =>
    step?.exchanges[0]?.tlv?.[0]?.children?.find((node) => node.label.startsWith('C4'))?.label ??
    step?.exchanges[0]?.tlv?.[0]?.children?.flatMap((node) => node.children ?? []).find((node) => node.label.startsWith('C4'))?.label;

  it('after SELECT of OpenPGP, GET DATA 6E labels C4 "PW status bytes" (not GlobalPlatform\'s load file AID); a reset forgets it', async () => {
    const script = parseScript(['00A4040006D27600012401 => 9000', '00CA006E00 => 9000', 'reset', '00CA006E00'].join('\n'));
    const result = await runScript(script, virtualCardRunner());
    expect(result.steps.map((s) => s.exchanges[0]?.sw ?? s.outcome)).toEqual(['9000', '9000', 'reset', '6A88']);
    expect(c4Label(result.steps[1])).toMatch(/^C4 PW status bytes/);
    expect(result.steps[1]!.exchanges[0]!.commandName).toBe('GET DATA');
  });

  it("starts from the selection the caller holds (the Console's, for the same card) and leaves it updated", async () => {
    const runner = virtualCardRunner();
    const selected = new SelectedApplications();
    await runScript(parseScript('00A4040006D27600012401 => 9000'), runner, { selected });
    expect(selected.contextFor(0x00)).toBe('openpgp');
    const result = await runScript(parseScript('00CA006E00 => 9000'), runner, { selected });
    expect(c4Label(result.steps[0])).toMatch(/^C4 PW status bytes/);
    await runScript(parseScript('reset'), runner, { selected });
    expect(selected.contextFor(0x00)).toBeUndefined();
  });
});
