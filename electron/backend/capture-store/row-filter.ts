/**
 * Row filters over the typed columns. A filter's matches are cached as a growing list of row
 * numbers, extended as the import adds rows; the newest rows (whose INS/SW may still be tagged
 * by a later answer) are evaluated fresh on every query instead of cached.
 */
import type { CaptureFilter, SwClass } from '#core/ipc/channels/captures.js';
import type { RowSource } from './row-decode.js';
import { RowLines, rowTextTest } from './row-search.js';
import { FLAG_PROBLEM, NO_INS, NO_SW } from './row-columns.js';

/** Rows at the end that an answer still to come may tag (INS/SW), while importing. */
export const UNSETTLED_TAIL = 256;
const MAX_CACHED_FILTERS = 6;

export type RowPredicate = (row: number) => boolean;

export function isEmptyFilter(filter: CaptureFilter | undefined): boolean {
  if (!filter) return true;
  return Object.entries(filter).every(([key, value]) => value === undefined || (key === 'text' && value === '') || value === false);
}

export function swClassOf(sw: number): SwClass | undefined {
  if (sw === NO_SW) return undefined;
  const sw1 = sw >> 8;
  if (sw1 === 0x90 || sw1 === 0x61 || sw1 === 0x9f) return 'normal';
  if (sw1 === 0x62 || sw1 === 0x63) return 'warning';
  if (sw1 >= 0x64 && sw1 <= 0x6f) return 'error';
  return undefined;
}

/**
 * @param textTest the free-text test for a trimmed, lowercased text (the session's reads its
 *   search worker's answers); by default rowTextTest over fresh list lines
 */
export function rowPredicate(
  source: RowSource,
  filter: CaptureFilter,
  deviceIndex: (name: string) => number,
  textTest: (text: string) => RowPredicate = (text) => rowTextTest(source, new RowLines(source), text),
): RowPredicate {
  const c = source.columns;
  const tests: RowPredicate[] = [];
  if (filter.device !== undefined && filter.device !== '') {
    const device = deviceIndex(filter.device);
    tests.push((i) => c.device[i] === device);
  }
  if (filter.slot !== undefined) {
    const slot = filter.slot;
    tests.push((i) => c.slot[i] === slot);
  }
  if (filter.messageType !== undefined) {
    const type = filter.messageType;
    tests.push((i) => c.messageType[i] === type);
  }
  if (filter.ins !== undefined) {
    const ins = filter.ins;
    tests.push((i) => c.ins[i] !== NO_INS && c.ins[i] === ins);
  }
  if (filter.swClass !== undefined) {
    const wanted = filter.swClass;
    tests.push((i) => swClassOf(c.sw[i]!) === wanted);
  }
  if (filter.problemsOnly) tests.push((i) => (c.flags[i]! & FLAG_PROBLEM) !== 0);
  const text = filter.text?.trim().toLowerCase();
  if (text) {
    // The costliest (a list line per row), so it runs last, on rows the cheap tests kept.
    tests.push(textTest(text));
  }
  return (i) => tests.every((test) => test(i));
}

class MatchList {
  rows = new Uint32Array(1024);
  length = 0;
  scanned = 0;

  push(row: number): void {
    if (this.length === this.rows.length) {
      const next = new Uint32Array(this.rows.length * 2);
      next.set(this.rows);
      this.rows = next;
    }
    this.rows[this.length++] = row;
  }
}

export interface FilteredView {
  /** Rows that match, in capture order: get(i) for i < length. */
  length: number;
  get(index: number): number;
  indexOf(row: number): number;
}

export class FilterCache {
  private readonly cache = new Map<string, { predicate: RowPredicate; matches: MatchList }>();

  constructor(private readonly makePredicate: (filter: CaptureFilter) => RowPredicate) {}

  /** Forget every cached match (rows were re-tagged). */
  invalidate(): void {
    this.cache.clear();
  }

  /** How many rows the filter's cached matches cover (0 when it is not cached). */
  scanned(filter: CaptureFilter): number {
    return this.cache.get(keyOf(filter))?.matches.scanned ?? 0;
  }

  view(filter: CaptureFilter, total: number, settled: boolean): FilteredView {
    const key = keyOf(filter);
    let entry = this.cache.get(key);
    if (entry) {
      this.cache.delete(key);
    } else {
      entry = { predicate: this.makePredicate(filter), matches: new MatchList() };
      if (this.cache.size >= MAX_CACHED_FILTERS) this.cache.delete(this.cache.keys().next().value!);
    }
    this.cache.set(key, entry);
    const { predicate, matches } = entry;
    const settledEnd = settled ? total : Math.max(0, total - UNSETTLED_TAIL);
    for (let i = matches.scanned; i < settledEnd; i++) if (predicate(i)) matches.push(i);
    matches.scanned = Math.max(matches.scanned, settledEnd);
    const tail: number[] = [];
    for (let i = matches.scanned; i < total; i++) if (predicate(i)) tail.push(i);
    const cached = matches.length;
    return {
      length: cached + tail.length,
      get: (index) => (index < cached ? matches.rows[index]! : tail[index - cached]!),
      indexOf(row) {
        let lo = 0;
        let hi = cached;
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if (matches.rows[mid]! < row) lo = mid + 1;
          else hi = mid;
        }
        if (lo < cached && matches.rows[lo] === row) return lo;
        const inTail = tail.indexOf(row);
        return inTail < 0 ? -1 : cached + inTail;
      },
    };
  }
}

function keyOf(filter: CaptureFilter): string {
  return JSON.stringify(Object.entries(filter).sort(([a], [b]) => a.localeCompare(b)));
}
