/**
 * Stopping a caller that waits on a call which cannot itself be cancelled (a PC/SC call blocked in
 * the driver, a CCID exchange waiting out its timeout): the caller gets a CallStoppedError as soon
 * as its AbortSignal fires; the call goes on in the background and its late result is dropped.
 */
import { CardbenchError } from '#core/ipc/errors.js';

/** The wait for `what` was given up because the caller's signal fired. */
export class CallStoppedError extends CardbenchError {
  constructor(readonly what: string) {
    super('operation-failed', `Stopped while waiting for ${what}.`);
  }
}

/** Resolves or rejects with `call`, or rejects with CallStoppedError once `signal` aborts (at once if it already has). */
export function abandonOnAbort<T>(call: Promise<T>, signal: AbortSignal | undefined, what: string): Promise<T> {
  if (!signal) return call;
  if (signal.aborted) {
    call.catch(() => undefined);
    return Promise.reject(new CallStoppedError(what));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      call.catch(() => undefined);
      reject(new CallStoppedError(what));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    call.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** Throws CallStoppedError when `signal` has fired: a check before starting something new. */
export function throwIfStopped(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw new CallStoppedError(what);
}
