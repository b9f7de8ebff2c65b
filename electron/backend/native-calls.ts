/**
 * Native calls that run on libuv's thread pool and cannot be cancelled once started: a PC/SC
 * SCardTransmit to a card that stopped answering blocks its pool thread until the driver gives up,
 * which may be never. Node's process.exit() joins the pool first, so while one of these is in
 * flight it would hang; the CLI asks here and ends by its signal instead.
 */
let inFlight = 0;

/** Counts `call` as in flight until it settles (whatever the caller did with it meanwhile). */
export function trackNativeCall<T>(call: Promise<T>): Promise<T> {
  inFlight++;
  const settled = (): void => {
    inFlight--;
  };
  call.then(settled, settled);
  return call;
}

/** How many tracked native calls have not returned yet. */
export function nativeCallsInFlight(): number {
  return inFlight;
}
