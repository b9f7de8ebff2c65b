/**
 * Every native call on one pcsclite reader object goes through here. The binding runs a call on
 * libuv's thread pool holding that reader's mutex, and its close() takes the same mutex on the JS
 * thread: closing a reader while a call on it is blocked (a card that stopped answering) would
 * freeze the whole process, and a disconnect would take another pool thread with it. The binding
 * also holds that mutex on the JS thread while it delivers the reader's status events, and
 * promise callbacks can run inside them: a close() from there deadlocks the thread on itself.
 * So whoever releases a reader asks `whenReaderIdle`, which runs the release on a later turn of
 * the event loop once no call is in flight, and the CLI counts the calls still in flight
 * (native-calls.ts) to know whether process.exit() can return.
 */
import { trackNativeCall } from '../native-calls.js';
import type { PcscLiteReader } from './pcsc-binding.js';

interface ReaderActivity {
  calls: number;
  whenIdle: (() => void)[];
}

const activity = new WeakMap<PcscLiteReader, ReaderActivity>();

/** Runs one callback-style binding call on `reader`, counted as in flight until its callback comes. */
export function callReader<T>(reader: PcscLiteReader, start: (done: (error: Error | null, value: T) => void) => void): Promise<T> {
  const entry = activity.get(reader) ?? { calls: 0, whenIdle: [] };
  activity.set(reader, entry);
  entry.calls++;
  const call = new Promise<T>((resolve, reject) => {
    try {
      start((error, value) => (error ? reject(error) : resolve(value)));
    } catch (error) {
      reject(error instanceof Error ? error : new Error(String(error)));
    }
  });
  const finished = (): void => {
    if (--entry.calls > 0) return;
    for (const action of entry.whenIdle.splice(0)) setImmediate(action);
  };
  call.then(finished, finished);
  return trackNativeCall(call);
}

/** True while a call on `reader` has not returned. */
export function readerIsBusy(reader: PcscLiteReader): boolean {
  return (activity.get(reader)?.calls ?? 0) > 0;
}

/**
 * Runs `action` on the next turn of the event loop (never inside a binding callback) when no call
 * is in flight on `reader`, otherwise as soon as the last one has returned.
 */
export function whenReaderIdle(reader: PcscLiteReader, action: () => void): void {
  const entry = activity.get(reader);
  if (!entry || entry.calls === 0) setImmediate(action);
  else entry.whenIdle.push(action);
}

/**
 * Resolves true once no call is in flight on `reader`, false after `ms` or when `signal` fires
 * first. A release (the disconnect after a card removal) takes a moment on a loaded machine: a new
 * call waits for it rather than being refused as if the reader were stuck.
 */
export function readerIdleWithin(reader: PcscLiteReader, ms: number, signal?: AbortSignal): Promise<boolean> {
  if (!readerIsBusy(reader)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const finish = (idle: boolean): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve(idle);
    };
    const onAbort = (): void => finish(false);
    const timer = setTimeout(() => finish(false), ms);
    signal?.addEventListener('abort', onAbort, { once: true });
    activity.get(reader)!.whenIdle.push(() => finish(true));
  });
}
