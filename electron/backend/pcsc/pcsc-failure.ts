import { hexLiteral } from '#core/bytes/hex.js';
import { CardbenchError, type ErrorCode } from '#core/ipc/errors.js';
import { describePcscFailure } from './pcsc-errors.js';

/**
 * Turns a binding error ("SCardTransmit error: Transaction failed.(0x80100016)") into a typed
 * error whose message is the PC/SC name and what to do, and whose detail keeps the original text.
 */
export function pcscFailure(action: string, error: unknown): CardbenchError {
  const message = error instanceof Error ? error.message : String(error);
  const failure = describePcscFailure(message);
  const code: ErrorCode = failure.name === 'SCARD_E_NO_SERVICE' ? 'unavailable' : 'operation-failed';
  const hex = failure.code === undefined ? '' : ` (${hexLiteral(failure.code, 1)})`;
  const name = failure.name.includes('0x') ? failure.name : `${failure.name}${hex}`;
  return new CardbenchError(code, `${action} failed: ${name}. ${failure.advice}`, message);
}
