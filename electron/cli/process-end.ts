/**
 * How the `cardbench` process ends. process.exit() first joins libuv's thread pool, so it waits
 * for every job there to finish; a PC/SC call blocked in the driver of a card that stopped
 * answering (or an open() of a FIFO nobody writes to) never finishes, and exit would hang with it.
 * A process stopped by a signal then ends by that signal's default action instead, which takes
 * effect at once (a shell reports 128 + its number: 130 for Ctrl-C, 143 for SIGTERM).
 */
import { nativeCallsInFlight } from '../backend/native-calls.js';

/** True when a thread-pool job that may never finish is in flight, so process.exit() could hang. */
export function threadPoolMayBeBlocked(): boolean {
  return nativeCallsInFlight() > 0 || process.getActiveResourcesInfo().some((resource) => resource.startsWith('FSReq'));
}

/** Ends the process now with `code`, or, when it was stopped by `signal` and exit could hang, by that signal. */
export function endProcess(code: number, signal: NodeJS.Signals | undefined): void {
  if (signal && threadPoolMayBeBlocked()) {
    // With no listener left, the signal's default action applies: the kernel ends the process.
    process.removeAllListeners('SIGINT');
    process.removeAllListeners('SIGTERM');
    process.kill(process.pid, signal);
    return;
  }
  process.exit(code);
}
