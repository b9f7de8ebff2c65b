/**
 * The retry-counter guard: a PIN tool must never be the reason a card gets blocked. Before a
 * keypad (or software) verify, the backend sends the preset's probe — VERIFY without data for
 * the same reference (`CLA 20 00 P2`), which ISO 7816-4 answers with 63Cx (tries left), 90 00
 * (already verified) or 69 83 (blocked) without spending a try — where the card supports it
 * (presets say; see RetryProbeSupport). Then the decision: run, ask for confirmation at one try
 * left, refuse when blocked.
 *
 * API: readRetryCounter(response) → RetryCounterReading; decideRun(reading, { confirmLastTry })
 * → RunDecision; probeUnavailable(note) → the reading when no probe may be sent.
 */
import { intHex } from '../bytes/hex.js';

export type RetryCounterState = 'tries-left' | 'verified' | 'blocked' | 'unknown';

export interface RetryCounterReading {
  state: RetryCounterState;
  /** null when the card did not say. */
  triesLeft: number | null;
  /** The probe's status word, when one was sent. */
  sw: number | null;
  sentence: string;
}

export type RunDecisionKind = 'run' | 'confirm' | 'refuse';

export interface RunDecision {
  decision: RunDecisionKind;
  sentence: string;
}

/** Reads the answer to VERIFY without data. */
export function readRetryCounter(response: Uint8Array): RetryCounterReading {
  if (response.length < 2)
    return { state: 'unknown', triesLeft: null, sw: null, sentence: 'The card gave no status word to the retry-counter query.' };
  const sw = (response[response.length - 2]! << 8) | response[response.length - 1]!;
  if ((sw & 0xfff0) === 0x63c0) {
    const left = sw & 0x0f;
    if (left === 0) return { state: 'blocked', triesLeft: 0, sw, sentence: 'The PIN is blocked (63 C0): no try is left.' };
    return {
      state: 'tries-left',
      triesLeft: left,
      sw,
      sentence: `${left} ${left === 1 ? 'try' : 'tries'} left before the PIN blocks (63 C${intHex(left)}).`,
    };
  }
  if (sw === 0x6983) return { state: 'blocked', triesLeft: 0, sw, sentence: 'The PIN is blocked (69 83).' };
  if (sw === 0x9000)
    return {
      state: 'verified',
      triesLeft: null,
      sw,
      sentence: 'The PIN is already verified in this session (90 00); the card does not say how many tries are left.',
    };
  return {
    state: 'unknown',
    triesLeft: null,
    sw,
    sentence: `The card does not answer the retry-counter query (${intHex(sw, 4)}): the number of tries left is unknown.`,
  };
}

/** The reading when the preset forbids the probe (or there is no card to ask). */
export function probeUnavailable(note: string): RetryCounterReading {
  return { state: 'unknown', triesLeft: null, sw: null, sentence: `Tries left unknown: ${note}` };
}

/** Run, ask first (one try left), or refuse (blocked). An unknown count runs, saying so. */
export function decideRun(reading: RetryCounterReading, options: { confirmLastTry: boolean }): RunDecision {
  if (reading.state === 'blocked') {
    return { decision: 'refuse', sentence: 'The PIN is blocked: a verify cannot succeed. Unblock it with the PUK or reset code first.' };
  }
  if (reading.state === 'tries-left' && reading.triesLeft === 1) {
    return options.confirmLastTry
      ? { decision: 'run', sentence: 'One try left, and you confirmed: a wrong PIN now blocks the card.' }
      : { decision: 'confirm', sentence: 'Only one try is left: a wrong PIN blocks the card. Confirm to go on.' };
  }
  if (reading.state === 'unknown') return { decision: 'run', sentence: `${reading.sentence} Running without the guard.` };
  return { decision: 'run', sentence: reading.sentence };
}
