/**
 * Errors that cross the contract. Every failure a caller can see has a stable code (for code)
 * and a sentence (for people) that says what went wrong and what to do.
 */

export const ERROR_CODES = [
  /** Arguments did not match the channel's schema. */
  'invalid-arguments',
  /** The channel name is not in the contract. */
  'unknown-channel',
  /** The request came from a frame or origin the backend does not trust. */
  'forbidden-sender',
  /** A backend (PC/SC, USB) needed for this call is not available. */
  'unavailable',
  /** The operation reached the device and failed there (PC/SC error, card gone, reader vanished). */
  'operation-failed',
  /** The channel exists in the contract but no backend implements it yet. */
  'not-implemented',
  /** A bug: the backend threw something it did not expect. */
  'internal',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ErrorPayload {
  code: ErrorCode;
  message: string;
  detail?: string;
}

export class CardbenchError extends Error {
  override readonly name = 'CardbenchError';
  readonly code: ErrorCode;
  readonly detail: string | undefined;

  constructor(code: ErrorCode, message: string, detail?: string) {
    super(message);
    this.code = code;
    this.detail = detail;
  }

  toPayload(): ErrorPayload {
    return this.detail === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, detail: this.detail };
  }

  static fromPayload(payload: ErrorPayload): CardbenchError {
    return new CardbenchError(payload.code, payload.message, payload.detail);
  }
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}
