/**
 * A direct-USB reader's own keypad, played by the test: it answers each PIN prompt from `queue`,
 * or, with the queue empty, waits as a reader does for a person until the host aborts the entry
 * (which it counts and answers as a cancel).
 */
import type { Keypad, KeypadResult, PinEntryPrompt } from '#core/sim/reader/keypad.js';

export class DeviceKeypad implements Keypad {
  readonly prompts: PinEntryPrompt[] = [];
  readonly queue: KeypadResult[] = [];
  aborted = 0;
  private waiting: ((result: KeypadResult) => void) | undefined;

  enterPin(prompt: PinEntryPrompt): Promise<KeypadResult> {
    this.prompts.push(prompt);
    const next = this.queue.shift();
    return next ? Promise.resolve(next) : new Promise((resolve) => (this.waiting = resolve));
  }

  abort(): void {
    this.aborted++;
    this.waiting?.({ kind: 'cancel' });
  }
}
