/**
 * Captures workbench channels (open, rows, detail, transactions, export). Merged into the
 * contract by contract.ts. The renderer never holds a whole capture: it asks for windows of at
 * most MAX_CAPTURE_WINDOW rows by index, and for one message's decode tree on selection.
 */
import { z } from 'zod';
import type { ProblemSeverity } from '#core/dissect/node.js';
import { channel } from './define.js';
import { MAX_CAPTURE_WINDOW, MAX_TIMING_COLUMNS, TIMING_KINDS, type TimingKind } from './values.js';

export { MAX_CAPTURE_WINDOW, MAX_TIMING_COLUMNS, TIMING_KINDS, type TimingKind };

export type CaptureImportState = 'importing' | 'done' | 'cancelled' | 'failed';
export type CaptureDirection = 'out' | 'in' | 'interrupt';
/** Status word classes: 9000/61xx normal, 62xx/63xx warning, 64xx–6Fxx error. */
export type SwClass = 'normal' | 'warning' | 'error';

const captureId = z.string().min(1).max(64);

export const captureFilterSchema = z
  .object({
    device: z.string().max(64).optional(),
    slot: z.number().int().min(0).max(255).optional(),
    /** bMessageType (0x6F XfrBlock, 0x80 DataBlock…). */
    messageType: z.number().int().min(0).max(255).optional(),
    ins: z.number().int().min(0).max(255).optional(),
    swClass: z.enum(['normal', 'warning', 'error']).optional(),
    problemsOnly: z.boolean().optional(),
    /** Case-insensitive substring of the row's line (type, summary, APDU name, SW). */
    text: z.string().max(200).optional(),
  })
  .strict();

export type CaptureFilter = z.input<typeof captureFilterSchema>;

/** One CCID message of the capture, as the list shows it. */
export interface CaptureRow {
  /** 0-based row number in the whole capture (not in the filtered view). */
  row: number;
  /** First container frame of the message (1-based, as Wireshark numbers them). */
  frame: number;
  /** ms since frame 1. */
  timeMs: number;
  device: string;
  slot: number | null;
  direction: CaptureDirection;
  messageType: number;
  /** 'PC_to_RDR_XfrBlock', or 'unknown 0xNN'. */
  name: string;
  summary: string;
  length: number;
  /** USB transfers the message was rebuilt from (more than 1: it was split). */
  transfers: number;
  /** INS of the APDU exchange this message belongs to, when known. */
  ins: number | null;
  /** SW of that exchange (4 hex digits), when known. */
  sw: string | null;
  problem: boolean;
  truncated: boolean;
}

/** A USB device seen in the capture, CCID reader or not. */
export interface CaptureDevice {
  id: string;
  /** 4 lowercase hex digits, null when the capture holds no device descriptor. */
  vendorId: string | null;
  productId: string | null;
  product?: string;
  /** CCID messages to and from it in the capture: 0 for a mouse, a hub, or a reader left idle. */
  messages: number;
  /** How its CCID endpoints were found; absent when it is not seen as a CCID reader. */
  ccidDetection?: 'descriptor' | 'heuristic';
  /** Its CCID class descriptor decoded field by field (as `cardbench inspect` shows it), when the capture holds it. */
  ccidDescriptor?: {
    /** 'CCID 1.10, TPDU level' */
    summary: string;
    tree: CaptureNode[];
  };
}

/** What went wrong with the file as a whole, not with one frame: where the problems badge explains it. */
export interface CaptureFileProblem {
  code: string;
  message: string;
  /** Byte offset in the file where reading stopped, when known. */
  fileOffset?: number;
}

export interface CaptureStatus {
  id: string;
  name: string;
  path: string;
  state: CaptureImportState;
  bytesRead: number;
  totalBytes: number;
  rows: number;
  /** Why the import failed, in words a user can act on. */
  problem?: string;
  format: string | null;
  packets: number;
  exchanges: number;
  transactions: number;
  problems: number;
  /** Problems of the file itself (cut short, import stopped): they belong to no message row. */
  fileProblems: CaptureFileProblem[];
  /** PIN entry requests (PC_to_RDR_Secure) found, counted once the import ends. */
  pinOperations: number;
  /** CCID readers first, then the other devices. */
  devices: CaptureDevice[];
  /** Message types present, for the filter menu. */
  messageTypes: { code: number; name: string; count: number }[];
}

export interface CaptureRowsResult {
  state: CaptureImportState;
  /** Rows in the whole capture so far. */
  total: number;
  /** Rows that pass the filter so far (the list's length). */
  matched: number;
  /** Index in the filtered view of rows[0]. */
  start: number;
  rows: CaptureRow[];
}

/** A decode tree node as it crosses the contract (bigint values become decimal strings). */
export interface CaptureNode {
  id: string;
  label: string;
  offset: number;
  length: number;
  value?: number | string;
  problem?: { code: string; message: string; severity: ProblemSeverity };
  children?: CaptureNode[];
}

export interface CaptureDetail {
  row: CaptureRow;
  /** The whole reassembled CCID message, uppercase hex without spaces. */
  hex: string;
  /** First and last container frame of the message (one entry when it came in one transfer). */
  frames: number[];
  transfers: number;
  tree: CaptureNode[];
  problems: { code: string; message: string }[];
}

/**
 * One line of the APDU conversation: an APDU transaction (61xx/6Cxx folded), or a PIN entry on
 * the reader's keypad (PC_to_RDR_Secure and the reader's answer), in capture order.
 */
export interface CaptureTransaction {
  /** 0-based position in the conversation. */
  index: number;
  kind: 'apdu' | 'pin';
  device: string;
  slot: number;
  /** The command (for a PIN entry, the APDU template the reader completes), PIN data redacted. */
  command: string;
  name: string | null;
  sw: string | null;
  /** The status word's meaning; for a PIN entry, the reader's outcome (e.g. "CMD_NOT_SUPPORTED: …"). */
  meaning: string | null;
  timeMs: number;
  durationMs: number;
  exchanges: number;
  folded: boolean;
  /** Frame of the first command, and its row in the message list (-1 when not found). */
  frame: number;
  row: number;
  problem: boolean;
}

export interface CaptureTransactionsResult {
  state: CaptureImportState;
  total: number;
  transactions: CaptureTransaction[];
}

/**
 * The timing plot's points for a time range, at most a few per pixel column: a capture of a
 * million transactions is summed up in the backend, never shipped whole. Each column keeps, per
 * kind, its slowest transaction (what a plot of durations must not hide); a range holding
 * fewer transactions than columns comes whole. Columnar arrays, one entry per point.
 */
export interface CaptureTiming {
  state: CaptureImportState;
  /** Conversation entries (transactions and PIN entries) in the whole capture. */
  total: number;
  /** ms since frame 1 of the first entry's start and the last entry's end. */
  startMs: number;
  endMs: number;
  /** The range these points cover. */
  fromMs: number;
  toMs: number;
  /** Entries in that range. */
  inRange: number;
  timeMs: number[];
  durationMs: number[];
  /** The conversation index each point stands for. */
  index: number[];
  /** Index into TIMING_KINDS. */
  kind: number[];
  /** Entries the point stands for (1 when shown whole). */
  count: number[];
}

export interface CaptureExport {
  fileName: string;
  mimeType: string;
  text: string;
}

export const captureChannels = {
  /** Starts importing a file in the backend; rows are queryable at once. */
  'capture.open': channel<CaptureStatus>()(
    z
      .object({ path: z.string().min(1).max(4096), /** Display name (an upload's original name). */ name: z.string().max(200).optional() })
      .strict(),
  ),
  /** The native open dialog (desktop app only); null when the user cancelled. */
  'capture.pickFile': channel<{ path: string | null }>()(z.object({}).strict()),
  /** Files given on the command line or by file association, handed out once. */
  'capture.launchFiles': channel<{ paths: string[] }>()(z.object({}).strict()),
  'capture.status': channel<CaptureStatus>()(z.object({ id: captureId }).strict()),
  'capture.cancel': channel<CaptureStatus>()(z.object({ id: captureId }).strict()),
  'capture.close': channel<{ closed: boolean }>()(z.object({ id: captureId }).strict()),
  'capture.rows': channel<CaptureRowsResult>()(
    z
      .object({
        id: captureId,
        start: z.number().int().min(0),
        count: z.number().int().min(0).max(MAX_CAPTURE_WINDOW),
        filter: captureFilterSchema.optional(),
      })
      .strict(),
  ),
  /** Finds a row (by its whole-capture number) in the filtered view; -1 when filtered out. */
  'capture.indexOf': channel<{ index: number }>()(
    z.object({ id: captureId, row: z.number().int().min(0), filter: captureFilterSchema.optional() }).strict(),
  ),
  'capture.detail': channel<CaptureDetail>()(z.object({ id: captureId, row: z.number().int().min(0) }).strict()),
  'capture.transactions': channel<CaptureTransactionsResult>()(
    z.object({ id: captureId, start: z.number().int().min(0), count: z.number().int().min(0).max(MAX_CAPTURE_WINDOW) }).strict(),
  ),
  'capture.timing': channel<CaptureTiming>()(
    z
      .object({
        id: captureId,
        /** The range in ms since frame 1; absent: the whole capture. */
        fromMs: z.number().finite().optional(),
        toMs: z.number().finite().optional(),
        columns: z.number().int().min(1).max(MAX_TIMING_COLUMNS),
      })
      .strict(),
  ),
  'capture.export': channel<CaptureExport>()(
    z
      .object({
        id: captureId,
        format: z.enum(['json', 'text', 'script']),
        redactPins: z.boolean(),
        /** Rows of the whole capture (not of the filtered view); absent = everything. */
        range: z
          .object({ start: z.number().int().min(0), count: z.number().int().min(1) })
          .strict()
          .optional(),
      })
      .strict(),
  ),
} as const;

export interface CaptureEvents {
  /** Import progress, about once per 4 MiB chunk, and once when the import ends. */
  'capture.progress': CaptureStatus;
  /** The desktop shell was asked to open a file (second instance, file association). */
  'capture.openRequested': { path: string };
}

export const CAPTURE_EVENT_NAMES: readonly (keyof CaptureEvents)[] = ['capture.progress', 'capture.openRequested'];
