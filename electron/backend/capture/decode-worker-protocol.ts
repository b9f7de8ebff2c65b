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
}

/** Host → worker. */
export type DecodeWorkerRequest =
  /** Bytes of the capture, in order; the buffer is transferred. */
  | { type: 'chunk'; bytes: Uint8Array }
  /** No more bytes: finish and send the report. */
  | { type: 'end' }
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
  /** The decode cannot finish: a limit it met (a sentence for the user), or the decoder threw (a bug). */
  | { type: 'failed'; message: string; bug: boolean };
