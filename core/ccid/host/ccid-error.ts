/**
 * Every failure of the CCID driver carries a stable code (for code) and a sentence that says what
 * went wrong and what to do about it (for people). PIN digits never appear in either.
 */
import { hexLiteral } from '#core/bytes/hex.js';
import { CCID_BERROR } from '../value-tables.js';
import type { CcidAnswer } from './ccid-message-channel.js';

export type CcidErrorCode =
  /** The reader stopped answering (bulk IN timed out, even after Abort). */
  | 'reader-timeout'
  /** The reader answered with a message that does not belong to the command (type, slot, length). */
  | 'protocol-violation'
  /** The device went away (unplugged) while or before we talked to it. */
  | 'device-gone'
  /** The reader said the command failed (bError); `bError` holds the code. */
  | 'command-failed'
  /** No card in the slot. */
  | 'no-card'
  /** The card did not answer (ICC_MUTE), at power-on or during an exchange. */
  | 'card-mute'
  /** The card is present but not powered: power it on first. */
  | 'card-inactive'
  /** The reader or the card cannot do what was asked (exchange level, APDU size, protocol). */
  | 'unsupported'
  /** T=1 block protocol failed even after retransmissions and a resynchronisation. */
  | 't1-failed'
  /** The slot number is outside the reader's bMaxSlotIndex. */
  | 'bad-slot'
  /** The caller's input was wrong (bad APDU, bad PIN structure). */
  | 'bad-request'
  /** The driver was closed. */
  | 'closed'
  /** A USB transfer failed in a way none of the above explains. */
  | 'usb-error';

export class CcidError extends Error {
  override readonly name = 'CcidError';
  readonly code: CcidErrorCode;
  /** What the user (or the calling code) should do. */
  readonly advice: string;
  /** The CCID bError when the reader reported one. */
  readonly bError: number | undefined;

  constructor(code: CcidErrorCode, message: string, advice: string, bError?: number) {
    super(`${message} ${advice}`.trim());
    this.code = code;
    this.advice = advice;
    this.bError = bError;
  }
}

/** A failed answer as a typed error: no card, mute card, or the reader's bError with its meaning. */
export function failureError(answer: Pick<CcidAnswer, 'slot' | 'status'>, action: string): CcidError {
  const { bError, iccStatus } = answer.status;
  if (iccStatus === 'absent')
    return new CcidError('no-card', `${action} failed: no card in slot ${answer.slot}.`, 'Insert a card.', bError);
  if (bError === CCID_BERROR.ICC_MUTE) {
    return new CcidError(
      'card-mute',
      `${action} failed: the card did not answer (ICC_MUTE).`,
      'Check that the card is inserted the right way round, or try another card.',
      bError,
    );
  }
  const name = answer.status.errorName ? `${answer.status.errorName}, ` : '';
  return new CcidError(
    'command-failed',
    `${action} failed: the reader reports ${name}bError ${hexLiteral(bError)} (${answer.status.errorMeaning}).`,
    'Try again; if it repeats, reset the card or replug the reader.',
    bError,
  );
}
