/**
 * What can go wrong between a host and a USB CCID reader, on demand. Each fault is counted down
 * as it fires, so a test can say "the next two answers" and check that the driver recovered.
 */

export interface UsbFaults {
  /** The card stops answering: the reader says so (bError ICC_MUTE) or never answers at all. */
  muteCard?: 'reader-reports' | 'no-answer';
  /** The card is slow: the reader sends `count` time extensions (bStatus 0x80, bError = multiplier) `intervalMs` apart, then the answer `finalDelayMs` after the last. */
  slowCard?: { count: number; multiplier: number; intervalMs: number; finalDelayMs: number };
  /** The next N answers are preceded by a stale copy carrying the previous bSeq. */
  staleAnswers?: number;
  /** Every answer carries a wrong bSeq (a reader that lost track). */
  wrongSeqAlways?: boolean;
  /** The device vanishes once it has received this many more bulk OUT messages (the last one never answered). */
  vanishAfterMessages?: number;
  /** Answers are delivered in bulk IN transfers of at most this many bytes (as in the GCC capture). */
  splitAnswersAt?: number;
  /** T=1: garble the EDC of the next N blocks from the card. */
  corruptCardBlocks?: number;
  /** T=1: garble the EDC of the next N blocks from the host before the card sees them. */
  corruptHostBlocks?: number;
  /** T=1: before its next N answers, the card asks for a waiting time extension S(WTX) of `multiplier`. */
  wtxRequests?: { count: number; multiplier: number };
  /** T=1: before its next N answers, the card asks to change its IFSC to `value`. */
  ifsRequests?: { count: number; value: number };
}

/** Minimal timers (core/ has no global ones): node's setTimeout/clearTimeout, or a test's fake clock. */
export interface DeviceTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}
