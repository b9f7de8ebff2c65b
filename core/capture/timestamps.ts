/**
 * Turns container timestamps into `timeNs` (nanoseconds since frame 1, a JS number; see
 * capture-types.ts). BigInt is used once per interface to anchor it, never per packet: per
 * packet only the difference to the interface's first timestamp is computed, in doubles,
 * which is exact while that difference stays below 2^53 units.
 */

const NS_PER_SECOND = 1_000_000_000n;

/** The capture-wide epoch anchor: the absolute time of frame 1. */
export class CaptureTimeBase {
  startEpochNs: bigint | undefined;

  constructor(private readonly onStart?: (startEpochNs: bigint) => void) {}

  /** Nanoseconds of `absoluteNs` after frame 1 (anchoring frame 1 on first use). */
  relative(absoluteNs: bigint): number {
    if (this.startEpochNs === undefined) {
      this.startEpochNs = absoluteNs;
      this.onStart?.(absoluteNs);
    }
    return Number(absoluteNs - this.startEpochNs);
  }
}

/** pcapng: a 64-bit count of units (if_tsresol) since the epoch, plus if_tsoffset seconds. */
export class UnitClock {
  private anchored = false;
  private high0 = 0;
  private low0 = 0;
  private anchorNs = 0;
  private readonly nsPerUnit: number;

  constructor(
    private readonly unitsPerSecond: bigint,
    private readonly offsetSeconds: bigint,
  ) {
    this.nsPerUnit = 1e9 / Number(unitsPerSecond);
  }

  timeNs(high: number, low: number, base: CaptureTimeBase): number {
    if (!this.anchored) {
      this.anchored = true;
      this.high0 = high;
      this.low0 = low;
      const units = (BigInt(high) << 32n) | BigInt(low);
      this.anchorNs = base.relative((units * NS_PER_SECOND) / this.unitsPerSecond + this.offsetSeconds * NS_PER_SECOND);
      return this.anchorNs;
    }
    const units = (high - this.high0) * 4294967296 + (low - this.low0);
    return this.anchorNs + units * this.nsPerUnit;
  }
}

/** Classic pcap: seconds + a fraction in micro- or nanoseconds. */
export class SecondsClock {
  private anchored = false;
  private seconds0 = 0;
  private fractionNs0 = 0;
  private anchorNs = 0;

  constructor(private readonly nsPerFractionUnit: number) {}

  timeNs(seconds: number, fraction: number, base: CaptureTimeBase): number {
    const fractionNs = fraction * this.nsPerFractionUnit;
    if (!this.anchored) {
      this.anchored = true;
      this.seconds0 = seconds;
      this.fractionNs0 = fractionNs;
      this.anchorNs = base.relative(BigInt(seconds) * NS_PER_SECOND + BigInt(fractionNs));
      return this.anchorNs;
    }
    return this.anchorNs + (seconds - this.seconds0) * 1e9 + (fractionNs - this.fractionNs0);
  }
}

/**
 * if_tsresol: high bit clear → 10^-n seconds, set → 2^-n seconds. Exponents beyond what a
 * clock can mean are clamped (a hostile 10^-127 would otherwise make a 10^127 bigint).
 */
export function unitsPerSecondFromResolution(resolution: number): bigint {
  const exponent = resolution & 0x7f;
  if (resolution & 0x80) return 1n << BigInt(Math.min(exponent, 64));
  return 10n ** BigInt(Math.min(exponent, 19));
}
