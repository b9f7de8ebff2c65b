/**
 * The messages between a capture decode and its worker thread (capture-decode-worker.ts). The
 * host feeds chunks and the worker answers each with what it decoded; any other work a worker
 * may take on later (a search over the decoded messages…) adds message types here.
 */
import type { TraceReport } from '#core/trace/index.js';
import type { BatchContents, DecodedBatch } from './decoded-batch.js';

/** workerData: how the worker decodes. */
export interface DecodeWorkerConfig {
  /** The name the report gives the file. */
  reportName: string;
  maxProblems?: number;
  foldTransactions: boolean;
  /** What the batches carry. */
  contents: BatchContents;
  /** Leave exchanges out of the final report: the consumer got them in the batches. */
  reportExchanges: boolean;
  /**
   * Send the report's lists (devices, ATRs, events, PIN operations, problems) with it; false
   * when the consumer needs only its outcome (`decode --ndjson`: complete, stoppedBy, counts).
   */
  reportLists: boolean;
  /**
   * A regular file the worker reads itself, in chunks of up to `chunkSize` bytes (the first ones
   * smaller, for first rows within milliseconds), as far as the host's 'read' credits allow. The
   * host then sends no chunks: a host thread busy with a batch (writing --json) never leaves the
   * worker waiting for its next bytes.
   */
  file?: { path: string; chunkSize: number };
}

/** Host → worker. */
export type DecodeWorkerRequest =
  /** The configuration of a worker started ahead of its decode (without workerData): its first message. */
  | { type: 'config'; config: DecodeWorkerConfig }
  /** Bytes of the capture, in order; the buffer is transferred. */
  | { type: 'chunk'; bytes: Uint8Array }
  /** No more bytes: finish and send the report. */
  | { type: 'end' }
  /** When the worker reads the file itself (config.file): decode this many more chunks. */
  | { type: 'read'; chunks: number }
  /** Buffers of a batch's lines, written out: the worker writes later lines in them (transferred back). */
  | { type: 'spare'; buffers: ArrayBuffer[] };

/** Worker → host. */
export type DecodeWorkerReply =
  /**
   * One chunk decoded: what it completed, how many bytes the worker has consumed in all, and the
   * chunk's buffer given back (transferred) for the next read, so a decode allocates a few chunks, not one per read.
   */
  | { type: 'decoded'; bytesDone: number; batch: DecodedBatch | undefined; chunk?: ArrayBuffer }
  /** The first bytes show this is not a capture: why (the worker takes nothing more). */
  | { type: 'refused'; message: string }
  | { type: 'done'; report: TraceReport }
  /**
   * The decode cannot finish: a limit it met (a sentence for the user), the file the worker read
   * could not be read (`unreadable`), or the decoder threw (a bug).
   */
  | { type: 'failed'; message: string; bug: boolean; unreadable?: boolean };

/** The first chunk of a decode; each next one is four times larger, up to the decode's chunk size. */
const FIRST_CHUNK_SIZE = 64 * 1024;

/**
 * How many bytes the n-th read of a decode asks for (0-based): the first chunks are small so the
 * first rows arrive within milliseconds of the worker's start, the rest are `chunkSize`.
 */
export function chunkSizeOfRead(n: number, chunkSize: number): number {
  return Math.min(chunkSize, FIRST_CHUNK_SIZE * 4 ** Math.min(n, 8));
}
