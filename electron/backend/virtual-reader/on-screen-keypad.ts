/**
 * The keypad of the built-in "Cardbench Virtual Pinpad" as the app shows it: when the simulated
 * reader asks for a PIN, a `pinpad.keypadRequest` event goes to the renderer (operation, step,
 * digits allowed, timeout, what the reader's display says); the on-screen keys come back through
 * `pinpad.keypadInput` (digits, clear, OK, Cancel); `pinpad.keypadDone` closes it. The reader's
 * timeout is honoured here (no answer in time is the keypad's timeout, bError F0 → 64 00).
 *
 * Digits live only in the pending request until OK hands them to the reader; answers say how
 * many digits are entered, never which.
 */
import { randomUUID } from 'node:crypto';
import type { PinpadKeypadDone, PinpadKeypadRequest } from '#core/ipc/channels/pinpad.js';
import { keypadPromptMessages, pinEntryTimeoutMs } from '#core/pinpad/keypad-prompts.js';
import type { Keypad, KeypadResult, PinEntryPrompt } from '#core/sim/reader/keypad.js';

export type OnScreenKeypadEvent =
  { event: 'pinpad.keypadRequest'; payload: PinpadKeypadRequest } | { event: 'pinpad.keypadDone'; payload: PinpadKeypadDone };

export type KeypadAction = 'digits' | 'clear' | 'ok' | 'cancel';

export interface KeypadInputAnswer {
  requestId: string;
  /** False when the request is unknown or over, or a digit went beyond the maximum (a keypad ignores it). */
  accepted: boolean;
  digitsEntered: number;
}

interface PendingEntry {
  request: PinpadKeypadRequest;
  digits: string;
  timer: ReturnType<typeof setTimeout>;
  finish: (result: KeypadResult, outcome: PinpadKeypadDone['outcome']) => void;
}

export class OnScreenKeypad implements Keypad {
  private pending: PendingEntry | undefined;
  private readonly listeners = new Set<(event: OnScreenKeypadEvent) => void>();

  /** `reader` is the hub id the events carry (the built-in reader's: VIRTUAL_READER_ID). */
  constructor(readonly reader: string) {}

  /** Hears every request and every close; returns the function that stops listening. */
  onEvent(listener: (event: OnScreenKeypadEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The request waiting for keys, if any. */
  get waiting(): PinpadKeypadRequest | undefined {
    return this.pending?.request;
  }

  enterPin(prompt: PinEntryPrompt): Promise<KeypadResult> {
    // The reader asks for one entry at a time; an entry still open is over once another begins.
    this.pending?.finish({ kind: 'cancel' }, 'aborted');
    const timeoutMs = pinEntryTimeoutMs(prompt.timeoutSeconds);
    const request: PinpadKeypadRequest = {
      requestId: randomUUID(),
      reader: this.reader,
      operation: prompt.operation,
      step: prompt.step,
      minDigits: prompt.minDigits,
      maxDigits: prompt.maxDigits,
      timeoutMs,
      messages: keypadPromptMessages(prompt.operation, prompt.step),
    };
    return new Promise<KeypadResult>((resolve) => {
      const entry: PendingEntry = {
        request,
        digits: '',
        timer: setTimeout(() => entry.finish({ kind: 'timeout' }, 'timeout'), timeoutMs),
        finish: (result, outcome) => {
          if (this.pending !== entry) return;
          clearTimeout(entry.timer);
          this.pending = undefined;
          entry.digits = '';
          resolve(result);
          this.send({ event: 'pinpad.keypadDone', payload: { requestId: request.requestId, reader: this.reader, outcome } });
        },
      };
      this.pending = entry;
      this.send({ event: 'pinpad.keypadRequest', payload: request });
    });
  }

  /** One press (or a run of digit presses) on the on-screen keypad. */
  input(requestId: string, action: KeypadAction, digits?: string): KeypadInputAnswer {
    const entry = this.pending;
    if (!entry || entry.request.requestId !== requestId) return { requestId, accepted: false, digitsEntered: 0 };
    let accepted = true;
    const append = (more: string | undefined): void => {
      if (!more) return;
      // A keypad stops taking digits at its maximum (the reader's wPINMaxExtraDigit).
      const room = Math.max(0, entry.request.maxDigits - entry.digits.length);
      if (more.length > room) accepted = false;
      entry.digits += more.slice(0, room);
    };
    switch (action) {
      case 'digits':
        append(digits);
        return { requestId, accepted, digitsEntered: entry.digits.length };
      case 'clear':
        entry.digits = '';
        return { requestId, accepted, digitsEntered: 0 };
      case 'ok': {
        append(digits);
        const count = entry.digits.length;
        entry.finish({ kind: 'digits', digits: entry.digits }, 'entered');
        return { requestId, accepted, digitsEntered: count };
      }
      case 'cancel':
        entry.finish({ kind: 'cancel' }, 'cancelled');
        return { requestId, accepted, digitsEntered: 0 };
    }
  }

  /** The reader stopped waiting (CCID Abort from the host): the on-screen keypad closes. */
  abort(): void {
    this.pending?.finish({ kind: 'cancel' }, 'aborted');
  }

  private send(event: OnScreenKeypadEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}
