/**
 * Every failure of the CCID driver carries a stable code (for code) and a sentence that says what
 * went wrong and what to do about it (for people). PIN digits never appear in either.
 */

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
