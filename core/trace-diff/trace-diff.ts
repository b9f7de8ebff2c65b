/**
 * Two traces compared at APDU level (`cardbench diff`, `cardbench replay`, the Captures
 * comparison): each card conversation of A is paired with one of B, their commands aligned by
 * content (align.ts), and every row says whether the same command got the same answer.
 *
 * Conversations are paired in the order each trace first uses them, not by reader name: the
 * same session through two readers (USB address 1.2 in one capture, 0.2 in the other; or a
 * capture against a PC/SC recording) still lines up. A conversation with no partner has all its
 * exchanges only in its trace.
 */
import { alignSequences, type AlignOptions, type AlignStats } from './align.js';
import type { DiffExchange } from './diff-exchange.js';

/** A timing difference counts when both hold: the slower is `factor` times the faster, and `minMs` slower. */
export interface TimingThreshold {
  factor: number;
  minMs: number;
}

export const DEFAULT_TIMING_THRESHOLD: TimingThreshold = { factor: 2, minMs: 50 };

export interface TraceDiffOptions {
  /** null: timing is not compared. Default DEFAULT_TIMING_THRESHOLD. */
  timing?: TimingThreshold | null;
  align?: AlignOptions;
}

export type DiffRowKind = 'same' | 'changed' | 'only-a' | 'only-b';

export interface DiffRow {
  kind: DiffRowKind;
  /** Index into TraceDiff.conversations. */
  conversation: number;
  a?: DiffExchange;
  b?: DiffExchange;
  /** Same command, different status word. */
  swChanged?: true;
  /** Same command, different answer data (length or bytes). */
  dataChanged?: true;
  /** Durations beyond the threshold (on a row with both sides). */
  timing?: true;
}

export interface ConversationPair {
  a: string | null;
  b: string | null;
  exchangesA: number;
  exchangesB: number;
}

export interface TraceDiffCounts {
  exchangesA: number;
  exchangesB: number;
  same: number;
  changed: number;
  swChanged: number;
  dataChanged: number;
  onlyA: number;
  onlyB: number;
  timing: number;
}

export interface TraceDiff {
  conversations: ConversationPair[];
  /** Every exchange of both traces in exactly one row; conversation after conversation, each in aligned order. */
  rows: DiffRow[];
  counts: TraceDiffCounts;
  /** No row is anything but 'same', and no timing difference. */
  match: boolean;
  timing: TimingThreshold | null;
  alignment: AlignStats;
}

/** A row that tells something: anything but 'same' without a timing difference. */
export function isDifference(row: DiffRow): boolean {
  return row.kind !== 'same' || row.timing === true;
}

export function diffTraces(a: readonly DiffExchange[], b: readonly DiffExchange[], options: TraceDiffOptions = {}): TraceDiff {
  const timing = options.timing === undefined ? DEFAULT_TIMING_THRESHOLD : options.timing;
  const groupsA = conversationsOf(a);
  const groupsB = conversationsOf(b);
  const conversations: ConversationPair[] = [];
  const rows: DiffRow[] = [];
  const counts: TraceDiffCounts = {
    exchangesA: a.length,
    exchangesB: b.length,
    same: 0,
    changed: 0,
    swChanged: 0,
    dataChanged: 0,
    onlyA: 0,
    onlyB: 0,
    timing: 0,
  };
  const alignment: AlignStats = { trimmed: 0, myersRanges: 0, anchors: 0, windowedRanges: 0, work: 0 };
  // Secret commands compare by their exact bytes (two PINs are two commands), unless a trace
  // holds them masked: then only their masked forms can be compared, in both traces alike.
  const secretsMasked = a.some((e) => e.masked) || b.some((e) => e.masked);
  const keyOf = (e: DiffExchange): string => (e.secret && secretsMasked ? e.shownCommand : e.command);
  // One key -> id table for both traces: equal ids are equal commands.
  const ids = new Map<string, number>();
  const idsOf = (list: readonly DiffExchange[]): Int32Array => {
    const out = new Int32Array(list.length);
    for (let i = 0; i < list.length; i++) {
      const key = keyOf(list[i]!);
      let id = ids.get(key);
      if (id === undefined) ids.set(key, (id = ids.size));
      out[i] = id;
    }
    return out;
  };
  const pairs = Math.max(groupsA.length, groupsB.length);
  for (let c = 0; c < pairs; c++) {
    const listA = groupsA[c]?.exchanges ?? [];
    const listB = groupsB[c]?.exchanges ?? [];
    conversations.push({ a: groupsA[c]?.name ?? null, b: groupsB[c]?.name ?? null, exchangesA: listA.length, exchangesB: listB.length });
    const aligned = alignSequences(idsOf(listA), idsOf(listB), options.align);
    for (const key of Object.keys(alignment) as (keyof AlignStats)[]) alignment[key] += aligned.stats[key];
    for (let r = 0; r < aligned.length; r++) {
      const row = compareRow(c, listA[aligned.a[r]!], listB[aligned.b[r]!], timing);
      count(counts, row);
      rows.push(row);
    }
  }
  const match = counts.changed + counts.onlyA + counts.onlyB + counts.timing === 0;
  return { conversations, rows, counts, match, timing, alignment };
}

function compareRow(
  conversation: number,
  a: DiffExchange | undefined,
  b: DiffExchange | undefined,
  timing: TimingThreshold | null,
): DiffRow {
  if (!a) return { kind: 'only-b', conversation, b: b! };
  if (!b) return { kind: 'only-a', conversation, a };
  const row: DiffRow = { kind: 'same', conversation, a, b };
  if (a.sw !== b.sw) row.swChanged = true;
  if (a.responseLength !== b.responseLength || a.dataHash !== b.dataHash) row.dataChanged = true;
  if (row.swChanged || row.dataChanged) row.kind = 'changed';
  if (timing && beyondThreshold(a.durationMs, b.durationMs, timing)) row.timing = true;
  return row;
}

export function beyondThreshold(aMs: number, bMs: number, threshold: TimingThreshold): boolean {
  const slow = Math.max(aMs, bMs);
  const fast = Math.min(aMs, bMs);
  return slow - fast >= threshold.minMs && slow >= fast * threshold.factor;
}

function count(counts: TraceDiffCounts, row: DiffRow): void {
  if (row.kind === 'same') counts.same++;
  else if (row.kind === 'only-a') counts.onlyA++;
  else if (row.kind === 'only-b') counts.onlyB++;
  else {
    counts.changed++;
    if (row.swChanged) counts.swChanged++;
    if (row.dataChanged) counts.dataChanged++;
  }
  if (row.timing) counts.timing++;
}

/** The trace's conversations in the order it first uses them, each with its exchanges in order. */
function conversationsOf(list: readonly DiffExchange[]): { name: string; exchanges: DiffExchange[] }[] {
  const byName = new Map<string, DiffExchange[]>();
  for (const e of list) {
    let group = byName.get(e.conversation);
    if (!group) byName.set(e.conversation, (group = []));
    group.push(e);
  }
  return [...byName].map(([name, exchanges]) => ({ name, exchanges }));
}
