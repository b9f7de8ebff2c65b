/**
 * The virtual reader's keypad. The reader asks for one PIN entry at a time (a modify can ask for
 * the current PIN, the new one and its confirmation); whoever implements Keypad decides what the
 * "user" does: a script for tests, a terminal prompt for a person, a fixed PIN for a demo.
 * PIN digits live only in KeypadResult and in the APDU the reader sends to the card.
 */

export type PinEntryStep = 'pin' | 'current-pin' | 'new-pin' | 'confirm-new-pin';

/** What the reader shows on its display when it waits for digits. */
export interface PinEntryPrompt {
  operation: 'verify' | 'modify';
  step: PinEntryStep;
  minDigits: number;
  maxDigits: number;
  /** bTimeOut of the Secure command: seconds, 0 = reader default. */
  timeoutSeconds: number;
}

export type KeypadResult = { kind: 'digits'; digits: string } | { kind: 'cancel' } | { kind: 'timeout' };

export interface Keypad {
  enterPin(prompt: PinEntryPrompt): Promise<KeypadResult>;
  /**
   * The reader stopped waiting for the entry in progress (the host sent a CCID Abort): a keypad
   * with a person in front of it closes its prompt. Whatever the pending enterPin resolves with
   * afterwards is ignored.
   */
  abort?(): void;
}

/** One line of a keypad script: a PIN, `cancel`, `timeout`, or `delay N` (a pause before the next entry). */
export type KeypadScriptStep = KeypadResult | { kind: 'delay'; milliseconds: number };

export interface KeypadScriptError {
  line: number;
  message: string;
}

const MAX_DELAY_MS = 10 * 60 * 1000;
/** ISO 9564 allows at most 12 digits; the PIN block nibble for the length caps at 15. */
export const MAX_PIN_DIGITS = 15;

function parseDelay(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s)?$/.exec(text);
  if (!match) return undefined;
  const value = Number(match[1]);
  const ms = match[2] === 's' ? value * 1000 : value;
  return Number.isFinite(ms) && ms <= MAX_DELAY_MS ? Math.round(ms) : undefined;
}

/**
 * Parses a keypad script: one step per line, blank lines and `#` comments ignored. `delay N`
 * takes milliseconds (`delay 2s` and `delay 500ms` work too). Errors never repeat the line's
 * text, because a mistyped line may be a PIN.
 */
export function parseKeypadScript(text: string): { steps: KeypadScriptStep[]; errors: KeypadScriptError[] } {
  const steps: KeypadScriptStep[] = [];
  const errors: KeypadScriptError[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    const lineNumber = index + 1;
    if (line === '' || line.startsWith('#')) return;
    const lower = line.toLowerCase();
    if (lower === 'cancel') steps.push({ kind: 'cancel' });
    else if (lower === 'timeout') steps.push({ kind: 'timeout' });
    else if (lower.startsWith('delay')) {
      const ms = parseDelay(lower.slice(5).trim());
      if (ms === undefined)
        errors.push({ line: lineNumber, message: `'delay' needs a duration in milliseconds up to ${MAX_DELAY_MS} (e.g. delay 1500)` });
      else steps.push({ kind: 'delay', milliseconds: ms });
    } else if (/^\d+$/.test(line)) {
      if (line.length > MAX_PIN_DIGITS) errors.push({ line: lineNumber, message: `a PIN has at most ${MAX_PIN_DIGITS} digits` });
      else steps.push({ kind: 'digits', digits: line });
    } else {
      errors.push({ line: lineNumber, message: 'expected a PIN (digits only), cancel, timeout or delay N' });
    }
  });
  return { steps, errors };
}

export interface ScriptedKeypadOptions {
  /** Waits for `delay` steps; injected because core/ has no timers. */
  sleep: (milliseconds: number) => Promise<void>;
  /** Asked once the script is used up; without it the keypad answers `timeout`. */
  whenExhausted?: Keypad;
}

/** Plays a script: each PIN entry consumes the delays before it, then one outcome. */
export class ScriptedKeypad implements Keypad {
  private readonly steps: KeypadScriptStep[];
  private readonly options: ScriptedKeypadOptions;

  constructor(steps: readonly KeypadScriptStep[], options: ScriptedKeypadOptions) {
    this.steps = [...steps];
    this.options = options;
  }

  /** Steps not played yet (delays included). */
  get remaining(): number {
    return this.steps.length;
  }

  /** Adds steps at the end (tests queue the next outcome this way). */
  push(...steps: KeypadScriptStep[]): void {
    this.steps.push(...steps);
  }

  async enterPin(prompt: PinEntryPrompt): Promise<KeypadResult> {
    for (;;) {
      const step = this.steps.shift();
      if (!step) return this.options.whenExhausted ? this.options.whenExhausted.enterPin(prompt) : { kind: 'timeout' };
      if (step.kind === 'delay') {
        await this.options.sleep(step.milliseconds);
        continue;
      }
      return step;
    }
  }
}

/** Always types the same PIN (`--pin`). */
export class FixedPinKeypad implements Keypad {
  constructor(private readonly digits: string) {
    if (!/^\d+$/.test(digits) || digits.length > MAX_PIN_DIGITS) throw new RangeError(`a PIN is 1 to ${MAX_PIN_DIGITS} digits`);
  }

  enterPin(): Promise<KeypadResult> {
    return Promise.resolve({ kind: 'digits', digits: this.digits });
  }
}
