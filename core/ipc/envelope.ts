import { CardbenchError, type ErrorPayload } from './errors.js';

/** What every call returns across a process or network boundary: never a thrown exception. */
export type Envelope<T> = { ok: true; result: T } | { ok: false; error: ErrorPayload };

export function success<T>(result: T): Envelope<T> {
  return { ok: true, result };
}

export function failure(error: CardbenchError): Envelope<never> {
  return { ok: false, error: error.toPayload() };
}

/** Turns an envelope back into a value or a typed error on the calling side. */
export function unwrap<T>(envelope: Envelope<T>): T {
  if (envelope.ok) return envelope.result;
  throw CardbenchError.fromPayload(envelope.error);
}
