/**
 * How long to wait for the reader. The card's own waiting time (T=1 BWT, T=0 WWT) comes from the
 * ATR and the reader's clock (dwDefaultClock); the transfer time from the reader's baud rate
 * (dwDataRate); a margin covers USB and the reader's firmware. A time extension (bStatus 0x80)
 * multiplies the card's part by the reader's bError, as libccid does.
 */
import type { CcidClassDescriptorFields } from '../class-descriptor.js';

export interface CcidTimeouts {
  /** Added to every computed wait (USB, firmware), default 1000 ms. */
  marginMs: number;
  /** No command waits less than this, default 3000 ms (libccid's default read timeout). */
  minimumMs: number;
  /** Card activation (ATR), default 5000 ms. */
  powerOnMs: number;
  /** Escape, descriptors and commands that do not reach the card, default 5000 ms. */
  readerMs: number;
  /** PIN entry when bTimeOut is 0 ("reader default"), default 60000 ms, plus the card's time. */
  pinEntryMs: number;
  /** Replaces every computed card exchange timeout (tests, or a reader known to be slow). */
  fixedExchangeMs?: number;
}

export const DEFAULT_CCID_TIMEOUTS: CcidTimeouts = {
  marginMs: 1000,
  minimumMs: 3000,
  powerOnMs: 5000,
  readerMs: 5000,
  pinEntryMs: 60000,
};

export interface CardTiming {
  protocol: 'T=0' | 'T=1';
  /** Fi and Di in use (372/1 until a PPS or the reader changes them). */
  fi: number;
  di: number;
  /** T=1 block waiting time integer. */
  bwi: number;
  /** T=0 waiting time integer (TC2), default 10. */
  wi: number;
}

/** The card's waiting time for one exchange in milliseconds (BWT for T=1, WWT for T=0). */
export function cardWaitingTimeMs(timing: CardTiming, descriptor: Pick<CcidClassDescriptorFields, 'dwDefaultClock'>): number {
  const clockHz = Math.max(1, descriptor.dwDefaultClock || 4000) * 1000;
  const etuSeconds = timing.fi / (timing.di * clockHz);
  const seconds =
    timing.protocol === 'T=1' ? 11 * etuSeconds + (2 ** timing.bwi * 960 * 372) / clockHz : (960 * timing.wi * timing.fi) / clockHz;
  return seconds * 1000;
}

/** Time to move `bytes` bytes to the card and back at the reader's data rate (10 bits per character). */
export function transferTimeMs(bytes: number, descriptor: Pick<CcidClassDescriptorFields, 'dwDataRate'>): number {
  const rate = Math.max(1, descriptor.dwDataRate || 9600);
  return ((bytes * 10) / rate) * 1000;
}

/** Timeout of one exchange with the card, optionally after a time extension of `multiplier` BWTs. */
export function exchangeTimeoutMs(
  timeouts: CcidTimeouts,
  cardWaitMs: number,
  transferBytes: number,
  descriptor: Pick<CcidClassDescriptorFields, 'dwDataRate'>,
  multiplier = 1,
): number {
  if (timeouts.fixedExchangeMs !== undefined) return timeouts.fixedExchangeMs * Math.max(1, multiplier);
  const computed = Math.max(1, multiplier) * cardWaitMs + transferTimeMs(transferBytes, descriptor) + timeouts.marginMs;
  return Math.ceil(Math.max(timeouts.minimumMs, computed));
}
