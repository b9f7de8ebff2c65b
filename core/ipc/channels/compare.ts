/**
 * Trace comparison channels (the Captures workbench's "Compare with…"): two trace files compared
 * at APDU level in the backend (core/trace-diff, as `cardbench diff`), the aligned rows fetched by
 * window like the capture's own rows. Commands cross already masked (secret data as '**').
 */
import { z } from 'zod';
import type { TraceDiffCounts } from '#core/trace-diff/trace-diff.js';
import { channel } from './define.js';
import { MAX_CAPTURE_WINDOW } from './values.js';

const traceFile = z
  .object({ path: z.string().min(1).max(4096), /** Display name (an upload's original name). */ name: z.string().max(200).optional() })
  .strict();
const compareId = z.string().min(1).max(64);

/** The comparison's counts, as cardbench diff reports them. */
export type CompareCounts = TraceDiffCounts;

export interface CompareSummary {
  id: string;
  a: string;
  b: string;
  match: boolean;
  counts: CompareCounts;
  /** Card conversations, paired in the order each trace first uses them. */
  conversations: { a: string | null; b: string | null; exchangesA: number; exchangesB: number }[];
  timing: { factor: number; minMs: number } | null;
  /** Aligned rows in all; differences among them. */
  rows: number;
  differences: number;
  /** Files that could not be read to their end (what came before is compared). */
  incomplete: string[];
  /** For a replay (A: the recording, B: the replay): where it went, what was not sent, where it stopped. */
  replay?: ReplayReport;
}

export interface ReplayReport {
  readers: { conversation: string; reader: string }[];
  notSent: { index: number; command: string; name: string; reason: 'masked' | 'pin' }[];
  /** 'stopped': by compare.stopReplay (the user's Stop). */
  stopped?: { index: number; name: string; reason: 'difference' | 'error' | 'stopped'; message?: string; notSentAfter: number };
}

/** One side of an aligned row. */
export interface CompareSide {
  index: number;
  command: string;
  name: string;
  /** Answer data without its status word, as many bytes as the comparison keeps (256). */
  data: string;
  dataLength: number;
  sw: string | null;
  meaning: string;
  durationMs: number;
}

export interface CompareRow {
  /** Position among all aligned rows. */
  row: number;
  kind: 'same' | 'changed' | 'only-a' | 'only-b';
  conversation: number;
  a?: CompareSide;
  b?: CompareSide;
  swChanged?: true;
  dataChanged?: true;
  timing?: true;
}

export interface CompareRowsResult {
  /** Rows in the view asked for (all, or the differences only). */
  total: number;
  start: number;
  rows: CompareRow[];
}

export const compareChannels = {
  'compare.open': channel<CompareSummary>()(
    z
      .object({
        a: traceFile,
        b: traceFile,
        /** Absent: the default threshold (×2 and 50 ms); null: timing not compared. */
        timing: z
          .object({ factor: z.number().min(1).max(1e6), minMs: z.number().min(0).max(1e9) })
          .strict()
          .nullable()
          .optional(),
      })
      .strict(),
  ),
  'compare.rows': channel<CompareRowsResult>()(
    z
      .object({
        id: compareId,
        start: z.number().int().min(0),
        count: z.number().int().min(0).max(MAX_CAPTURE_WINDOW),
        differencesOnly: z.boolean(),
      })
      .strict(),
  ),
  /**
   * Sends a trace's commands to a reader again and compares each answer with the recorded one
   * (as `cardbench replay`). One reader for every card conversation of the trace, or one each.
   */
  'compare.replay': channel<CompareSummary>()(
    z
      .object({
        trace: traceFile,
        /** Empty: the first reader with a card. */
        readers: z.array(z.string().min(1).max(300)).max(16),
        withPins: z.boolean(),
        stopOnDifference: z.boolean(),
      })
      .strict(),
  ),
  /** Stops the replay in progress (between two commands, or while one waits for its answer); false when none runs. */
  'compare.stopReplay': channel<{ stopped: boolean }>()(z.object({}).strict()),
  'compare.close': channel<{ closed: boolean }>()(z.object({ id: compareId }).strict()),
} as const;

export interface CompareEvents {
  /** A replay's progress: once the trace is read (sent 0), then about every 100 ms, and at its end. */
  'compare.replayProgress': { sent: number; total: number };
}

export const COMPARE_EVENT_NAMES: readonly (keyof CompareEvents)[] = ['compare.replayProgress'];
