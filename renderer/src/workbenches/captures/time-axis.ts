/**
 * Numbers of the timing plot's axes with their units: times since the capture's first frame in
 * the unit their span reads best in (µs, ms, s, min), with as many decimals as the tick step
 * needs, so neighbouring labels differ and none shows noise digits.
 */
export interface TimeUnit {
  unit: 'µs' | 'ms' | 's' | 'min';
  /** Milliseconds per unit. */
  ms: number;
}

export function timeUnit(spanMs: number): TimeUnit {
  if (spanMs < 2) return { unit: 'µs', ms: 0.001 };
  if (spanMs < 2_000) return { unit: 'ms', ms: 1 };
  if (spanMs < 600_000) return { unit: 's', ms: 1_000 };
  return { unit: 'min', ms: 60_000 };
}

/** Labels for ticks (ms) spaced `stepMs` apart on an axis spanning `spanMs`. */
export function timeLabels(ticksMs: readonly number[], stepMs: number, spanMs: number): string[] {
  const { unit, ms } = timeUnit(spanMs);
  const decimals = decimalsFor(stepMs / ms);
  return ticksMs.map((t) => `${(t / ms).toFixed(decimals)} ${unit}`);
}

/** A duration or an instant in words a hover line shows: "32.1 ms", "4.250 s". */
export function formatMs(ms: number): string {
  if (ms < 1) return `${(ms * 1000).toFixed(0)} µs`;
  if (ms < 1_000) return `${ms.toFixed(ms < 10 ? 2 : 1)} ms`;
  return `${(ms / 1000).toFixed(3)} s`;
}

/** Decimals that tell ticks `step` apart: 0 for 5, 1 for 0.5, 2 for 0.25. */
export function decimalsFor(step: number): number {
  if (!(step > 0) || !Number.isFinite(step)) return 0;
  for (let decimals = 0; decimals < 6; decimals++) {
    const scaled = step * 10 ** decimals;
    if (Math.abs(scaled - Math.round(scaled)) < 1e-6 * Math.max(1, scaled)) return decimals;
  }
  return 6;
}
