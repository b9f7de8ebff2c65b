/**
 * Writes a trace comparison to stdout — text (diff(1)'s signs) or one JSON object whose
 * `differences` list has one row per line — a few hundred rows at a time, waiting for a slow
 * reader of the pipe between them. Shared by `diff` and `replay`.
 */
import {
  diffHeadLines,
  diffJsonHead,
  diffRowJson,
  diffRowLines,
  diffSummaryLines,
  isDifference,
  type DiffSideNames,
  type TraceDiff,
} from '#core/trace-diff/index.js';
import type { CommandContext } from '../command.js';

/** Rows written between two waits for the pipe. */
const ROWS_PER_WRITE = 256;

export async function writeDiffText(
  context: CommandContext,
  diff: TraceDiff,
  names: DiffSideNames,
  extra: { head?: string[]; tail?: string[] } = {},
): Promise<void> {
  context.write(`${[...diffHeadLines(diff, names), ...(extra.head ?? [])].join('\n')}\n`);
  await context.drain();
  let pending: string[] = [];
  let lastConversation = -1;
  let rowsSinceWrite = 0;
  for (const row of diff.rows) {
    if (isDifference(row)) {
      const header = diff.conversations.length > 1 && row.conversation !== lastConversation;
      lastConversation = row.conversation;
      pending.push(...diffRowLines(row, diff, header));
    }
    if (++rowsSinceWrite >= ROWS_PER_WRITE) {
      rowsSinceWrite = 0;
      if (pending.length > 0) context.write(`${pending.join('\n')}\n`);
      pending = [];
      await context.drain();
    }
  }
  context.write(`${[...pending, ...(extra.tail ?? []), ...diffSummaryLines(diff)].join('\n')}\n`);
  await context.drain();
}

export async function writeDiffJson(
  context: CommandContext,
  diff: TraceDiff,
  names: DiffSideNames,
  extra: Record<string, unknown> = {},
): Promise<void> {
  const head = JSON.stringify({ ...diffJsonHead(diff, names), ...extra }, null, 2);
  // The object without its closing brace, then the differences one per line.
  context.write(`${head.slice(0, head.lastIndexOf('}')).trimEnd()},\n  "differences": [`);
  let first = true;
  let batch: string[] = [];
  for (const row of diff.rows) {
    if (!isDifference(row)) continue;
    batch.push(`${first ? '' : ','}\n    ${JSON.stringify(diffRowJson(row))}`);
    first = false;
    if (batch.length >= ROWS_PER_WRITE) {
      context.write(batch.join(''));
      batch = [];
      await context.drain();
    }
  }
  context.write(`${batch.join('')}${first ? '' : '\n  '}]\n}\n`);
  await context.drain();
}
