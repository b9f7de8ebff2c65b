/**
 * The virtual pinpad's keypad on a terminal: the person types digits that are never echoed
 * (a `*` per key, as a pinpad display does), Enter validates, Esc cancels, and the Secure
 * command's bTimeOut (or 60 s) ends entry with a timeout.
 */
import type { Keypad, KeypadResult, PinEntryPrompt } from '#core/sim/reader/keypad.js';

const DEFAULT_TIMEOUT_SECONDS = 60;

const STEP_TEXT: Record<PinEntryPrompt['step'], string> = {
  pin: 'Enter PIN',
  'current-pin': 'Enter current PIN',
  'new-pin': 'Enter new PIN',
  'confirm-new-pin': 'Confirm new PIN',
};

export interface TerminalKeypadStreams {
  input: NodeJS.ReadStream;
  output: NodeJS.WriteStream;
}

export class TerminalKeypad implements Keypad {
  constructor(private readonly streams: TerminalKeypadStreams = { input: process.stdin, output: process.stderr }) {}

  static available(input: NodeJS.ReadStream = process.stdin): boolean {
    return input.isTTY === true && typeof input.setRawMode === 'function';
  }

  enterPin(prompt: PinEntryPrompt): Promise<KeypadResult> {
    const { input, output } = this.streams;
    const seconds = prompt.timeoutSeconds > 0 ? prompt.timeoutSeconds : DEFAULT_TIMEOUT_SECONDS;
    output.write(
      `\n[pinpad] ${STEP_TEXT[prompt.step]} (${prompt.minDigits}-${prompt.maxDigits} digits, Enter = OK, Esc = cancel, ${seconds} s): `,
    );
    return new Promise((resolve) => {
      let digits = '';
      const finish = (result: KeypadResult, note: string) => {
        clearTimeout(timer);
        input.off('data', onData);
        input.setRawMode(false);
        input.pause();
        output.write(`${note}\n`);
        resolve(result);
      };
      const onData = (chunk: Buffer) => {
        for (const byte of chunk) {
          if (byte >= 0x30 && byte <= 0x39) {
            if (digits.length < Math.max(prompt.maxDigits, 1)) {
              digits += String.fromCharCode(byte);
              output.write('*');
            }
          } else if (byte === 0x0d || byte === 0x0a) {
            return finish({ kind: 'digits', digits }, '');
          } else if (byte === 0x7f || byte === 0x08) {
            if (digits.length > 0) {
              digits = digits.slice(0, -1);
              output.write('\b \b');
            }
          } else if (byte === 0x1b) {
            return finish({ kind: 'cancel' }, ' cancelled');
          } else if (byte === 0x03) {
            // Raw mode swallows Ctrl-C: cancel the entry, then stop the command as Ctrl-C would.
            finish({ kind: 'cancel' }, ' cancelled');
            process.kill(process.pid, 'SIGINT');
            return;
          }
        }
      };
      const timer = setTimeout(() => finish({ kind: 'timeout' }, ' timed out'), seconds * 1000);
      input.setRawMode(true);
      input.resume();
      input.on('data', onData);
    });
  }
}
