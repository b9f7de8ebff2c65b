/**
 * How the `cardbench` process ends. process.exit() first joins libuv's thread pool, so it waits
 * for every job there to finish; a PC/SC call blocked in the driver of a card that stopped
 * answering (or an open() of a FIFO nobody writes to) never finishes, and exit would hang with it.
 * A process stopped by a signal then ends by SIGINT's default action instead, which takes effect
 * at once. SIGINT whichever signal stopped it: a shell reports 128 + 2 = 130, the one status the
 * README gives for "interrupted", whether the command could return or not.
 */
import { nativeCallsInFlight } from '../backend/native-calls.js';

/** True when a thread-pool job that may never finish is in flight, so process.exit() could hang. */
export function threadPoolMayBeBlocked(): boolean {
  return nativeCallsInFlight() > 0 || process.getActiveResourcesInfo().some((resource) => resource.startsWith('FSReq'));
}

/** Ends the process now with `code`, or, when it was stopped by a signal and exit could hang, by SIGINT (status 130). */
export function endProcess(code: number, signal: NodeJS.Signals | undefined): void {
  if (signal && threadPoolMayBeBlocked()) {
    // With no listener left, the signal's default action applies: the kernel ends the process.
    process.removeAllListeners('SIGINT');
    process.removeAllListeners('SIGTERM');
    process.kill(process.pid, 'SIGINT');
    return;
  }
  process.exit(code);
}
