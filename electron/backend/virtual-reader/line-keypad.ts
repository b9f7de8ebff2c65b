/**
 * The built-in virtual reader's keypad fed by lines of text (standard input through a pipe, for
 * `cardbench pin` in scripts and tests): one line per PIN entry, in the keypad script language
 * (core/sim/reader/keypad.ts: digits, `cancel`, `timeout`, `delay N`). The entry's timeout is
 * honoured in real time; the end of input is the Cancel key. Lines are never echoed.
 */
import { keypadPromptMessages, pinEntryTimeoutMs } from '#core/pinpad/keypad-prompts.js';
import { parseKeypadScript, type Keypad, type KeypadResult, type PinEntryPrompt } from '#core/sim/reader/keypad.js';
import { LINE_WAIT_STOPPED, NO_LINE_BEFORE_TIMEOUT, type StreamLines } from '../pinpad/stream-lines.js';

export class LineKeypad implements Keypad {
  private stop: (() => void) | undefined;

  constructor(
    private readonly lines: StreamLines,
    /** Where the simulated display's prompt goes (stderr). */
    private readonly say: (line: string) => void,
  ) {}

  async enterPin(prompt: PinEntryPrompt): Promise<KeypadResult> {
    const timeoutMs = pinEntryTimeoutMs(prompt.timeoutSeconds);
    const deadline = performance.now() + timeoutMs;
    const stopped = new Promise<void>((resolve) => (this.stop = resolve));
    this.say(
      `[simulated keypad] ${keypadPromptMessages(prompt.operation, prompt.step)[0]} (${prompt.minDigits}-${prompt.maxDigits} digits, ${Math.round(timeoutMs / 1000)} s): reading one line from standard input`,
    );
    try {
      for (;;) {
        const next = await this.lines.next({ timeoutMs: Math.max(0, deadline - performance.now()), stop: stopped });
        if (next === LINE_WAIT_STOPPED) return { kind: 'cancel' };
        if (next === NO_LINE_BEFORE_TIMEOUT) return { kind: 'timeout' };
        if (next === undefined) {
          this.say('[simulated keypad] standard input ended: Cancel.');
          return { kind: 'cancel' };
        }
        if (next.cut) {
          this.say('[simulated keypad] that line was too long to be a PIN: Cancel.');
          return { kind: 'cancel' };
        }
        const { steps, errors } = parseKeypadScript(next.line);
        if (errors.length > 0) {
          this.say(`[simulated keypad] ${errors[0]!.message}: Cancel.`);
          return { kind: 'cancel' };
        }
        const step = steps[0];
        if (!step) continue; // a blank line or a comment
        if (step.kind === 'delay') {
          await new Promise((resolve) => setTimeout(resolve, Math.min(step.milliseconds, Math.max(0, deadline - performance.now()))));
          continue;
        }
        return step;
      }
    } finally {
      this.stop = undefined;
    }
  }

  /** The reader stopped waiting (CCID Abort): stop reading for this entry. */
  abort(): void {
    this.stop?.();
  }
}
