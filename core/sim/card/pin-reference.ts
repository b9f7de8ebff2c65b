/**
 * One piece of reference data (a PIN) with its retry counter. The value and the counter are the card's
 * non-volatile memory (they survive reset); whether it was verified is the application's volatile state.
 * Nothing here ever puts the PIN into a message: errors name the reference, never its value.
 */
import { SW, status, triesLeft, type Answer } from './answer.js';

export type PinCheck = { outcome: 'ok' } | { outcome: 'wrong'; triesLeft: number } | { outcome: 'blocked' };
export interface PinPolicy {
  /** Shown in errors about the configured value (e.g. "OpenPGP PW1"). */
  label: string;
  minLength: number;
  maxLength: number;
  maxTries: number;
}

export class PinReference {
  #value: Uint8Array;
  #triesLeft: number;

  constructor(
    initial: Uint8Array,
    readonly policy: PinPolicy,
  ) {
    if (!fitsPolicy(initial, policy)) {
      throw new RangeError(`${policy.label} must be ${policy.minLength} to ${policy.maxLength} bytes long (the value given is not shown)`);
    }
    this.#value = initial.slice();
    this.#triesLeft = policy.maxTries;
  }

  get triesLeft(): number {
    return this.#triesLeft;
  }

  get blocked(): boolean {
    return this.#triesLeft === 0;
  }

  /** Presents a candidate: a wrong one costs a try, a right one restores them all. */
  check(candidate: Uint8Array): PinCheck {
    if (this.blocked) return { outcome: 'blocked' };
    if (sameBytes(candidate, this.#value)) {
      this.#triesLeft = this.policy.maxTries;
      return { outcome: 'ok' };
    }
    this.#triesLeft--;
    return { outcome: 'wrong', triesLeft: this.#triesLeft };
  }

  /**
   * CHANGE REFERENCE DATA with a body old ‖ new and no separator: only the card knows where the old value ends.
   * A body no longer than the old value is malformed and costs no try; a right old value with an unacceptable
   * new one leaves the PIN unchanged.
   */
  change(body: Uint8Array): PinChange {
    if (this.blocked) return { outcome: 'blocked' };
    const split = this.#value.length;
    if (body.length <= split) return { outcome: 'malformed' };
    const old = this.check(body.subarray(0, split));
    if (old.outcome !== 'ok') return old;
    const next = body.subarray(split);
    if (!fitsPolicy(next, this.policy)) return { outcome: 'unacceptable' };
    this.#value = next.slice();
    return { outcome: 'ok' };
  }
}

export type PinChange = PinCheck | { outcome: 'malformed' } | { outcome: 'unacceptable' };

function fitsPolicy(value: Uint8Array, policy: PinPolicy): boolean {
  return value.length >= policy.minLength && value.length <= policy.maxLength;
}

/** Compares every byte whatever the first difference, so the time taken does not hint at the prefix. */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  let difference = a.length ^ b.length;
  const length = Math.max(a.length, b.length);
  for (let i = 0; i < length; i++) difference |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return difference === 0;
}

export function asciiBytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff;
  return out;
}

/** The ISO answer to a PIN check: 9000, 63Cx (x tries left, 63C0 on the try that blocks it), 6983 once blocked. */
export function pinCheckAnswer(result: PinChange): Answer {
  switch (result.outcome) {
    case 'ok':
      return status(SW.OK);
    case 'wrong':
      return triesLeft(result.triesLeft);
    case 'blocked':
      return status(SW.AUTHENTICATION_BLOCKED);
    case 'malformed':
      return status(SW.WRONG_LENGTH);
    case 'unacceptable':
      return status(SW.WRONG_DATA);
  }
}
