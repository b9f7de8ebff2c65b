/**
 * PIN entries on a reader's keypad (PC_to_RDR_Secure and the reader's answer) placed in the
 * capture's time line: core/trace pairs each Secure with its answer and says the outcome; this
 * finds the two message rows, so the conversation and the timing plot show when the entry
 * started and how long the reader took.
 */
import { CCID_MESSAGE_CODE } from '#core/ccid/message-types.js';
import type { TracePinOperation } from '#core/trace/index.js';
import type { StoredRows } from './row-columns.js';
import { KIND_APDU_PACKET, KIND_RESPONSE_PACKET } from './apdu-packet-row.js';

export interface PinEntry {
  operation: TracePinOperation;
  /** The Secure message's row, -1 when not found. */
  row: number;
  frame: number;
  timeMs: number;
  /** From the Secure to the reader's final answer (0 without an answer). */
  durationMs: number;
}

const OUT = 0;
const IN = 1;
/** How far after the Secure its answer is looked for (a keypad entry waits; other slots go on). */
const ANSWER_LOOK_AHEAD = 100_000;
/** bmCommandStatus 2 in bStatus: a time extension, not the answer. */
const TIME_EXTENSION = 0x80;

export function locatePinEntries(
  rows: StoredRows,
  operations: readonly TracePinOperation[],
  deviceIndex: (name: string) => number,
): PinEntry[] {
  const c = rows.columns;
  return operations.map((operation) => {
    const row = c.findByFrameAnywhere(operation.frame);
    // In an APDU-level trace the entry's row is its APDU template (a recording's packet, a spy log's SCardControl).
    const packet = row >= 0 && c.kind[row] === KIND_APDU_PACKET;
    if (row < 0 || c.direction[row] !== OUT || (!packet && c.messageType[row] !== CCID_MESSAGE_CODE.PC_to_RDR_Secure)) {
      return { operation, row: -1, frame: operation.frame, timeMs: 0, durationMs: 0 };
    }
    const start = c.timeNs[row]!;
    const device = deviceIndex(operation.device);
    const answer = !operation.answer ? -1 : packet ? packetAnswerRow(rows, row, device) : answerRow(rows, row, device, operation.slot);
    return {
      operation,
      row,
      frame: operation.frame,
      timeMs: Math.round(start / 1000) / 1000,
      durationMs: answer < 0 ? 0 : Math.round((c.timeNs[answer]! - start) / 1000) / 1000,
    };
  });
}

/** The response row after an APDU-level trace's command row, same device. */
function packetAnswerRow(rows: StoredRows, row: number, device: number): number {
  const c = rows.columns;
  const end = Math.min(c.length, row + ANSWER_LOOK_AHEAD);
  for (let i = row + 1; i < end; i++) if (c.device[i] === device && c.kind[i] === KIND_RESPONSE_PACKET) return i;
  return -1;
}

/** The reader's final answer to the Secure at `row`: same device, slot and bSeq, not a time extension. */
function answerRow(rows: StoredRows, row: number, device: number, slot: number): number {
  const c = rows.columns;
  const bSeq = rows.bytes(row)[6];
  const end = Math.min(c.length, row + ANSWER_LOOK_AHEAD);
  for (let i = row + 1; i < end; i++) {
    if (c.direction[i] !== IN || c.device[i] !== device || c.slot[i] !== slot) continue;
    const bytes = rows.bytes(i);
    if (bytes[6] !== bSeq) continue;
    if (((bytes[7] ?? 0) & 0xc0) === TIME_EXTENSION) continue;
    return i;
  }
  return -1;
}
