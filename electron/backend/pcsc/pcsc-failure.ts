import { CardbenchError, type ErrorCode } from '../../../core/ipc/errors.js';
import { describePcscFailure } from './pcsc-errors.js';

/**
 * Turns a binding error ("SCardTransmit error: Transaction failed.(0x80100016)") into a typed
 * error whose message is the PC/SC name and what to do, and whose detail keeps the original text.
 */
export function pcscFailure(action: string, error: unknown): CardbenchError {
  const message = error instanceof Error ? error.message : String(error);
  const failure = describePcscFailure(message);
  const code: ErrorCode = failure.name === 'SCARD_E_NO_SERVICE' ? 'unavailable' : 'operation-failed';
  return new CardbenchError(code, `${action} failed: ${failure.name}. ${failure.advice}`, message);
}
