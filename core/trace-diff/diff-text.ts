/**
 * A trace comparison for people (diff(1)'s signs: `-` only in A, `+` only in B, `!` same command
 * with another answer, `~` a timing difference) and for scripts (the JSON form of each row).
 * Only commands as shown (secret data masked) ever reach either form.
 */
import { fromHex } from '../bytes/hex.js';
import { describeAnswerStatus } from '../iso7816/status-words.js';
import type { DiffExchange } from './diff-exchange.js';
import { isDifference, type DiffRow, type TimingThreshold, type TraceDiff } from './trace-diff.js';

/** Hex longer than this many bytes is shortened in the text (the JSON keeps SHOWN_RESPONSE_BYTES). */
const TEXT_BYTES = 32;

export interface DiffSideNames {
  /** What A and B are: file names, or "recording" / "replay". */
  a: string;
  b: string;
}

export function timingThresholdText(timing: TimingThreshold | null): string {
  return timing ? `×${timing.factor} and ${timing.minMs} ms` : 'off';
}

/** The lines before the rows: what is compared and how conversations were paired. */
export function diffHeadLines(diff: TraceDiff, names: DiffSideNames): string[] {
  const lines = [`--- A: ${names.a} (${diff.counts.exchangesA} exchanges)`, `+++ B: ${names.b} (${diff.counts.exchangesB} exchanges)`];
  if (diff.conversations.length > 0) {
    lines.push('Card conversations, paired in the order each trace first uses them (reader names are not compared):');
    diff.conversations.forEach((c, i) => lines.push(`  ${i + 1}: ${conversationPairText(c)}`));
  }
  lines.push(diff.timing ? `Timing differences count from ${timingThresholdText(diff.timing)}.` : 'Timing is not compared.');
  return lines;
}

function conversationPairText(c: TraceDiff['conversations'][number]): string {
  const side = (name: string | null, count: number) => (name === null ? 'nothing' : `${name} (${count})`);
  return `A ${side(c.a, c.exchangesA)}  =  B ${side(c.b, c.exchangesB)}`;
}

/**
 * The lines of one row (none for a row that is the same in both). `conversationHeader` is true
 * for the first difference shown of a conversation when the diff has several.
 */
export function diffRowLines(row: DiffRow, diff: TraceDiff, conversationHeader: boolean): string[] {
  if (!isDifference(row)) return [];
  const lines: string[] = [];
  if (conversationHeader)
    lines.push(`@@ conversation ${row.conversation + 1}: ${conversationPairText(diff.conversations[row.conversation]!)} @@`);
  const a = row.a;
  const b = row.b;
  if (row.kind === 'only-a') return [...lines, `- A#${a!.index}  ${commandText(a!)}  ->  ${answerText(a!)}`];
  if (row.kind === 'only-b') return [...lines, `+ B#${b!.index}  ${commandText(b!)}  ->  ${answerText(b!)}`];
  const pair = `A#${a!.index} B#${b!.index}`;
  if (row.kind === 'changed') {
    const what = row.swChanged && row.dataChanged ? 'status word and data differ' : row.swChanged ? 'status word differs' : 'data differs';
    lines.push(`! ${pair}  ${commandText(a!)}   [${what}]`);
    // Long answers that differ late are shown from a little before their first different byte.
    const from = row.dataChanged ? shownFrom(a!, b!) : 0;
    lines.push(`-     ${answerText(a!, from)}`, `+     ${answerText(b!, from)}`);
  }
  if (row.timing) {
    const slow = Math.max(a!.durationMs, b!.durationMs);
    const fast = Math.min(a!.durationMs, b!.durationMs);
    const ratio = fast > 0 ? `×${(slow / fast).toFixed(1)}` : 'from 0';
    lines.push(
      `~ ${pair}  ${row.kind === 'same' ? `${commandText(a!)}  ` : ''}time ${ms(a!.durationMs)} -> ${ms(b!.durationMs)} (${ratio})`,
    );
  }
  return lines;
}

/** The closing lines: counts, then whether the traces match. */
export function diffSummaryLines(diff: TraceDiff): string[] {
  const c = diff.counts;
  return [
    `Summary: ${c.same} same, ${c.changed} with another answer (${c.swChanged} status word, ${c.dataChanged} data), ` +
      `${c.onlyA} only in A, ${c.onlyB} only in B, ` +
      `${c.timing} timing.`,
    diff.match ? 'The traces match.' : 'The traces differ.',
  ];
}

function commandText(e: DiffExchange): string {
  return `${e.name}  ${shorten(e.shownCommand, e.shownCommand.length / 2)}`;
}

function answerText(e: DiffExchange, from = 0): string {
  const dataLength = e.responseLength - (e.sw === null ? 0 : 2);
  const dataHex = e.response.slice(0, Math.max(0, dataLength * 2));
  let data = '';
  if (dataLength > 0 && from > 0) data = `(from byte ${from}) ${shorten(dataHex.slice(from * 2), dataLength - from)} `;
  else if (dataLength > 0) data = `${shorten(dataHex, dataLength)} `;
  return `${data}${e.sw ?? '----'}  ${meaningOf(e)} (${ms(e.durationMs)})`;
}

/** Where to start showing two answers' data: 0, or 8 bytes before the first byte (of those kept) that differs. */
function shownFrom(a: DiffExchange, b: DiffExchange): number {
  const shown = Math.min(a.response.length, b.response.length) / 2;
  let first = 0;
  while (first < shown && a.response.slice(first * 2, first * 2 + 2) === b.response.slice(first * 2, first * 2 + 2)) first++;
  return first < TEXT_BYTES - 4 ? 0 : first - 8;
}

export function meaningOf(e: DiffExchange): string {
  if (e.sw === null) return 'no status word';
  const command = fromHex(e.shownCommand.replace(/\*/g, '0'));
  return describeAnswerStatus(command, parseInt(e.sw.slice(0, 2), 16), parseInt(e.sw.slice(2, 4), 16)).meaning;
}

function shorten(hex: string, totalBytes: number): string {
  if (totalBytes <= TEXT_BYTES) return hex;
  return `${hex.slice(0, TEXT_BYTES * 2)}… (${totalBytes} bytes)`;
}

function ms(value: number): string {
  return `${value.toFixed(3)} ms`;
}

/** One side of a row in the JSON form. */
export interface DiffSideJson {
  index: number;
  command: string;
  name: string;
  response: string;
  /** Present when the answer is longer than the bytes shown in `response`. */
  responseLength?: number;
  sw: string | null;
  meaning: string;
  durationMs: number;
}

export interface DiffRowJson {
  kind: DiffRow['kind'];
  conversation: number;
  a?: DiffSideJson;
  b?: DiffSideJson;
  swChanged?: true;
  dataChanged?: true;
  timing?: true;
}

export function diffRowJson(row: DiffRow): DiffRowJson {
  const out: DiffRowJson = { kind: row.kind, conversation: row.conversation + 1 };
  if (row.a) out.a = sideJson(row.a);
  if (row.b) out.b = sideJson(row.b);
  if (row.swChanged) out.swChanged = true;
  if (row.dataChanged) out.dataChanged = true;
  if (row.timing) out.timing = true;
  return out;
}

function sideJson(e: DiffExchange): DiffSideJson {
  return {
    index: e.index,
    command: e.shownCommand,
    name: e.name,
    response: e.response,
    ...(e.responseLength * 2 > e.response.length ? { responseLength: e.responseLength } : {}),
    sw: e.sw,
    meaning: meaningOf(e),
    durationMs: e.durationMs,
  };
}

/** The JSON object around the rows (the rows' list, `differences`, is written between its two halves). */
export function diffJsonHead(diff: TraceDiff, names: DiffSideNames): Record<string, unknown> {
  return {
    a: names.a,
    b: names.b,
    match: diff.match,
    counts: diff.counts,
    timingThreshold: diff.timing,
    conversations: diff.conversations.map((c, i) => ({ conversation: i + 1, ...c })),
    alignment: diff.alignment,
  };
}
