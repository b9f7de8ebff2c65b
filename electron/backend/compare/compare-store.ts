/**
 * Trace comparisons the renderer is looking at, by id: both files read through the capture
 * decode worker (readDiffTrace: bounded per exchange), compared once (core/trace-diff), then
 * served by window — all rows or the differences only — like a capture's own rows. A few stay
 * open; the oldest goes first.
 */
import { randomUUID } from 'node:crypto';
import { isAbsolute } from 'node:path';
import type { CompareRow, CompareRowsResult, CompareSide, CompareSummary } from '#core/ipc/channels/compare.js';
import { CardbenchError } from '#core/ipc/errors.js';
import { diffTraces, isDifference, meaningOf, type DiffExchange, type TimingThreshold, type TraceDiff } from '#core/trace-diff/index.js';
import { CaptureFileError } from '../capture/decode-capture-file.js';
import { readDiffTrace, type DiffTrace } from '../capture/diff-trace-file.js';

const MAX_OPEN_COMPARISONS = 4;

export interface TraceFileRef {
  path: string;
  name?: string | undefined;
}

interface Comparison {
  diff: TraceDiff;
  /** Row numbers of the differences, in order. */
  differences: Int32Array;
}

export class CompareStore {
  private readonly open = new Map<string, Comparison>();

  async compare(a: TraceFileRef, b: TraceFileRef, timing?: TimingThreshold | null): Promise<CompareSummary> {
    const [traceA, traceB] = [await read(a), await read(b)];
    const diff = diffTraces(traceA.exchanges, traceB.exchanges, timing === undefined ? {} : { timing });
    const incomplete = [traceA, traceB].filter((t) => !t.report.complete).map((t) => t.name);
    return this.keep(diff, { a: traceA.name, b: traceB.name }, incomplete);
  }

  /** Keeps a comparison made elsewhere (a replay) for its rows to be served; its summary. */
  keep(diff: TraceDiff, names: { a: string; b: string }, incomplete: string[] = []): CompareSummary {
    const differences: number[] = [];
    diff.rows.forEach((row, i) => {
      if (isDifference(row)) differences.push(i);
    });
    while (this.open.size >= MAX_OPEN_COMPARISONS) this.open.delete(this.open.keys().next().value!);
    const id = randomUUID();
    this.open.set(id, { diff, differences: Int32Array.from(differences) });
    const { counts } = diff;
    return {
      id,
      a: names.a,
      b: names.b,
      match: diff.match,
      counts: {
        exchangesA: counts.exchangesA,
        exchangesB: counts.exchangesB,
        same: counts.same,
        changed: counts.changed,
        swChanged: counts.swChanged,
        dataChanged: counts.dataChanged,
        onlyA: counts.onlyA,
        onlyB: counts.onlyB,
        timing: counts.timing,
      },
      conversations: diff.conversations,
      timing: diff.timing,
      rows: diff.rows.length,
      differences: differences.length,
      incomplete,
    };
  }

  rows(id: string, start: number, count: number, differencesOnly: boolean): CompareRowsResult {
    const comparison = this.open.get(id);
    if (!comparison) throw new CardbenchError('operation-failed', 'That comparison is not open any more: compare the files again.');
    const { diff, differences } = comparison;
    const total = differencesOnly ? differences.length : diff.rows.length;
    const rows: CompareRow[] = [];
    for (let i = start; i < Math.min(total, start + count); i++) {
      const at = differencesOnly ? differences[i]! : i;
      rows.push(rowOf(diff, at));
    }
    return { total, start, rows };
  }

  close(id: string): boolean {
    return this.open.delete(id);
  }

  closeAll(): void {
    this.open.clear();
  }
}

export async function read(file: TraceFileRef, signal?: AbortSignal): Promise<DiffTrace> {
  const shown = file.name ?? file.path;
  if (!isAbsolute(file.path)) {
    throw new CardbenchError('invalid-arguments', `“${file.path}” is not a full path: give the whole path of the trace file.`);
  }
  try {
    return await readDiffTrace(file.path, { reportName: shown, ...(signal ? { signal } : {}) });
  } catch (error) {
    if (error instanceof CaptureFileError) throw new CardbenchError('operation-failed', `Cannot compare ${shown}: ${error.message}.`);
    throw error;
  }
}

function rowOf(diff: TraceDiff, at: number): CompareRow {
  const row = diff.rows[at]!;
  const out: CompareRow = { row: at, kind: row.kind, conversation: row.conversation + 1 };
  if (row.a) out.a = sideOf(row.a);
  if (row.b) out.b = sideOf(row.b);
  if (row.swChanged) out.swChanged = true;
  if (row.dataChanged) out.dataChanged = true;
  if (row.timing) out.timing = true;
  return out;
}

function sideOf(e: DiffExchange): CompareSide {
  const dataLength = e.sw === null ? e.responseLength : e.responseLength - 2;
  return {
    index: e.index,
    command: e.shownCommand,
    name: e.name,
    data: e.response.slice(0, Math.max(0, dataLength) * 2),
    dataLength,
    sw: e.sw,
    meaning: meaningOf(e),
    durationMs: e.durationMs,
  };
}
