/**
 * The timing plot's data: when each conversation entry started and how long it took, in typed
 * arrays sorted by start time, and `points` that sum up any range for a plot `columns` pixels
 * wide. Per column and per kind (APDU, APDU answered with an error, PIN entry) the slowest entry
 * stays — one slow command among a million must show — and a range with no more entries than
 * columns comes whole. A query walks only the entries in its range, once.
 */
import type { CaptureTiming, TimingKind } from '#core/ipc/channels/captures.js';
import { TIMING_KINDS } from '#core/ipc/channels/captures.js';

export interface TimingEntry {
  timeMs: number;
  durationMs: number;
  kind: TimingKind;
}

const KIND_CODE = new Map<TimingKind, number>(TIMING_KINDS.map((k, i) => [k, i]));

export type TimingPoints = Omit<CaptureTiming, 'state' | 'total'>;

export class TimingIndex {
  readonly length: number;
  /** Start times, ascending, and for each the entry's duration, kind and conversation index. */
  private readonly start: Float64Array;
  private readonly duration: Float64Array;
  private readonly kind: Uint8Array;
  private readonly entry: Uint32Array;
  private readonly endMs: number;

  /** @param entryAt the conversation's entry `i`, for i < length */
  constructor(length: number, entryAt: (i: number) => TimingEntry) {
    this.length = length;
    const start = new Float64Array(length);
    const duration = new Float64Array(length);
    const kind = new Uint8Array(length);
    let sorted = true;
    let endMs = 0;
    for (let i = 0; i < length; i++) {
      const e = entryAt(i);
      start[i] = e.timeMs;
      duration[i] = Math.max(0, e.durationMs);
      kind[i] = KIND_CODE.get(e.kind) ?? 0;
      if (i > 0 && start[i]! < start[i - 1]!) sorted = false;
      endMs = Math.max(endMs, e.timeMs + duration[i]!);
    }
    const order = new Uint32Array(length);
    for (let i = 0; i < length; i++) order[i] = i;
    // Interleaved interfaces can put a later frame a little earlier in time.
    if (!sorted) order.sort((a, b) => start[a]! - start[b]! || a - b);
    this.start = sorted ? start : Float64Array.from(order, (i) => start[i]!);
    this.duration = sorted ? duration : Float64Array.from(order, (i) => duration[i]!);
    this.kind = sorted ? kind : Uint8Array.from(order, (i) => kind[i]!);
    this.entry = order;
    this.endMs = endMs;
  }

  points(range: { fromMs?: number | undefined; toMs?: number | undefined }, columns: number): TimingPoints {
    const startMs = this.length > 0 ? this.start[0]! : 0;
    const fromMs = range.fromMs ?? startMs;
    const toMs = Math.max(fromMs, range.toMs ?? this.endMs);
    const lo = lowerBound(this.start, fromMs);
    const hi = upperBound(this.start, toMs);
    const out: TimingPoints = {
      startMs,
      endMs: this.endMs,
      fromMs,
      toMs,
      inRange: hi - lo,
      timeMs: [],
      durationMs: [],
      index: [],
      kind: [],
      count: [],
    };
    const push = (i: number, count: number): void => {
      out.timeMs.push(this.start[i]!);
      out.durationMs.push(this.duration[i]!);
      out.index.push(this.entry[i]!);
      out.kind.push(this.kind[i]!);
      out.count.push(count);
    };
    if (hi - lo <= columns) {
      for (let i = lo; i < hi; i++) push(i, 1);
      return out;
    }
    const kinds = TIMING_KINDS.length;
    const slowest = new Int32Array(columns * kinds).fill(-1);
    const counts = new Uint32Array(columns * kinds);
    const span = Math.max(toMs - fromMs, Number.MIN_VALUE);
    for (let i = lo; i < hi; i++) {
      // Multiplied before divided: a column's first entry falls in it, not (by rounding) in the one before.
      const column = Math.min(columns - 1, Math.floor(((this.start[i]! - fromMs) * columns) / span));
      const cell = column * kinds + this.kind[i]!;
      counts[cell]!++;
      const best = slowest[cell]!;
      if (best < 0 || this.duration[i]! > this.duration[best]!) slowest[cell] = i;
    }
    // In time order, as a plot's x values must be (the slowest of a column is anywhere in it).
    const picked: [entry: number, count: number][] = [];
    for (let cell = 0; cell < slowest.length; cell++) if (slowest[cell]! >= 0) picked.push([slowest[cell]!, counts[cell]!]);
    picked.sort((a, b) => a[0] - b[0]);
    for (const [i, count] of picked) push(i, count);
    return out;
  }
}

function lowerBound(sorted: Float64Array, value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function upperBound(sorted: Float64Array, value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
