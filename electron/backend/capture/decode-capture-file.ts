/**
 * Decodes a capture — a file, a named pipe or a stream — in a worker thread with a heap limit
 * and a watchdog (decode-worker-host.ts). A regular file the worker reads itself; a pipe or a
 * stream is read here in large chunks transferred to the worker. Either way at most three chunks
 * are decoded ahead of the consumer, so reading and decoding overlap and memory stays flat
 * whatever the file size. What each chunk completed comes back as a batch (messages as typed
 * columns, APDU exchanges), then the report.
 *
 * A hostile file can at worst end its own decode with a CaptureFileError saying why (heap
 * exhausted, no progress): the caller — the CLI, or the backend in Electron's main process —
 * goes on.
 */
import type { TraceReport } from '#core/trace/index.js';
import { CaptureFileError, openCaptureFile, type CaptureSource } from './capture-source.js';
import type { BatchContents, DecodedBatch } from './decoded-batch.js';
import { DecodeWorker, DecodeWorkerFailure, decoderLimits, type DecoderLimits, type WorkerScript } from './decode-worker-host.js';
import { chunkSizeOfRead, type DecodeWorkerReply } from './decode-worker-protocol.js';

export { CaptureFileError, openCaptureFile, streamCaptureSource, type CaptureSource } from './capture-source.js';

/** 4 MiB: large enough that per-read overhead vanishes, small enough to stay cache friendly. */
export const CAPTURE_CHUNK_SIZE = 4 * 1024 * 1024;
/** Chunks handed to the worker and not yet decoded: one decoding, two waiting (the reads never keep it idle). */
const CHUNKS_IN_FLIGHT = 3;

export interface CaptureProgress {
  /** Bytes decoded so far. */
  bytesRead: number;
  totalBytes: number;
}

export interface DecodeCaptureFileOptions {
  onProgress?: (progress: CaptureProgress) => void;
  /** Aborting stops the decode (the worker is terminated); the promise rejects with CaptureAbortedError. */
  signal?: AbortSignal;
  /**
   * What each chunk completed, in capture order (see `contents`). When it returns a promise, no
   * more is read until it settles: a slow consumer (a pipe) paces the decode.
   */
  onBatch?: (batch: DecodedBatch) => void | Promise<void>;
  /** What the batches carry (default: nothing; the report only). */
  contents?: Partial<BatchContents>;
  /** Keep exchanges and transactions in the report (default true); off when the batches delivered them. */
  reportExchanges?: boolean;
  /**
   * Keep the report's lists — devices, ATRs, events, PIN operations, problems — (default true);
   * off for a consumer that needs only the outcome (complete, stoppedBy) and the counts.
   */
  reportLists?: boolean;
  /**
   * The name the report and error messages give the file (default: the path as given); an
   * upload's original name, so the server's temporary path never reaches the user.
   */
  reportName?: string;
  chunkSize?: number;
  maxProblems?: number;
  /** See TraceDecoderOptions.foldTransactions. */
  foldTransactions?: boolean;
  /** Heap limit and watchdog of the worker (default: decoderLimits(), from the environment). */
  limits?: DecoderLimits;
  /** Another worker script (tests of the watchdog). */
  workerScript?: WorkerScript;
}

export class CaptureAbortedError extends Error {
  constructor() {
    super('capture import cancelled');
    this.name = 'CaptureAbortedError';
  }
}

export async function decodeCaptureFile(path: string, options: DecodeCaptureFileOptions = {}): Promise<TraceReport> {
  if (options.signal?.aborted) throw new CaptureAbortedError();
  return decodeCapture(await openCaptureFile(path, options.reportName ?? path), options);
}

/** Decodes whatever the source gives until its end; closes it. */
export function decodeCapture(source: CaptureSource, options: DecodeCaptureFileOptions = {}): Promise<TraceReport> {
  return runDecode(source, options).then((done) => done.report);
}

type DoneReply = Extract<DecodeWorkerReply, { type: 'done' }>;

function runDecode(source: CaptureSource, options: DecodeCaptureFileOptions): Promise<DoneReply> {
  const limits = options.limits ?? decoderLimits();
  const chunkSize = Math.max(4096, options.chunkSize ?? CAPTURE_CHUNK_SIZE);
  const contents: BatchContents = {
    messages: options.contents?.messages ?? false,
    messageBytes: options.contents?.messageBytes ?? true,
    exchanges: options.contents?.exchanges ?? false,
    ndjson: options.contents?.ndjson,
    summaryText: options.contents?.summaryText,
  };
  // A regular file is read by the worker itself; anything else is read here and sent.
  const workerReads = source.path !== undefined;
  return new Promise<DoneReply>((resolve, reject) => {
    let inFlight = 0;
    let pumping = false;
    let sourceEnded = false;
    let settled = false;
    let reported = 0;
    let chunksRead = 0;
    /** The consumer's handling of the last batch, while it is not done. */
    let consuming: Promise<void> | undefined;
    /** Full-size chunk buffers the worker gave back, for the next reads. */
    const spare: ArrayBuffer[] = [];
    const bufferFor = (size: number): Uint8Array => {
      const reused = size === chunkSize ? spare.pop() : undefined;
      return reused ? new Uint8Array(reused, 0, size) : new Uint8Array(size);
    };

    const settle = (outcome: { report: DoneReply } | { error: unknown }): void => {
      if (settled) return;
      settled = true;
      options.signal?.removeEventListener('abort', onAbort);
      // The worker and the source are released (and a report waits for the last batch to be
      // consumed) before the caller hears the outcome.
      const consumed = 'report' in outcome ? (consuming ?? Promise.resolve()) : Promise.resolve();
      void Promise.all([worker.stop(), source.close(), consumed]).then(
        () => ('report' in outcome ? resolve(outcome.report) : reject(outcome.error)),
        (error: unknown) => reject(error),
      );
    };
    const onAbort = (): void => settle({ error: new CaptureAbortedError() });

    const onReply = (reply: DecodeWorkerReply): void => {
      switch (reply.type) {
        case 'decoded': {
          inFlight = Math.max(0, inFlight - 1);
          if (reply.chunk && reply.chunk.byteLength >= chunkSize && spare.length < CHUNKS_IN_FLIGHT) spare.push(reply.chunk);
          // Read the next chunk first, then handle the batch: the worker decodes the chunk it
          // holds while the read and the batch's handling go on here, instead of waiting for both.
          if (consuming === undefined && !workerReads) void pump();
          if (reply.bytesDone > reported) {
            reported = reply.bytesDone;
            options.onProgress?.({ bytesRead: reported, totalBytes: Math.max(source.totalBytes ?? 0, reported) });
          }
          const batch = reply.batch;
          const consume = (): void | Promise<void> => (batch ? options.onBatch?.(batch) : undefined);
          // Lines written out go back to the worker, which writes later lines in them.
          const giveBack = (): void => {
            const lines = batch?.lines ?? [];
            if (lines.length > 0 && !settled) worker.send({ type: 'spare', buffers: lines.map((l) => l.buffer as ArrayBuffer) });
          };
          const whenConsumed = (done: Promise<void>): void => {
            const mine = done.then(giveBack);
            consuming = mine;
            mine.then(
              () => {
                if (consuming === mine) consuming = undefined;
                more();
              },
              // The consumer cannot go on (a limit it keeps, an output gone): the decode ends with its error.
              (error: unknown) => settle({ error }),
            );
          };
          if (consuming !== undefined) {
            // The consumer is still on an earlier batch: batches are handed over one at a time, in order.
            whenConsumed(consuming.then(consume));
            return;
          }
          let handled: void | Promise<void>;
          try {
            handled = consume();
          } catch (error) {
            settle({ error });
            return;
          }
          if (handled instanceof Promise) {
            whenConsumed(handled);
            return;
          }
          giveBack();
          more();
          return;
        }
        case 'refused':
          settle({ error: new CaptureFileError(`${source.name}: ${reply.message}`, 'not-a-capture') });
          return;
        case 'failed':
          settle({
            error: reply.unreadable
              ? new CaptureFileError(`cannot read ${source.name}: ${reply.message}`, 'unreadable')
              : new CaptureFileError(
                  `${source.name}: ${reply.bug ? 'the decoder failed: ' : ''}${reply.message}`,
                  reply.bug ? 'crashed' : 'too-large',
                ),
          });
          return;
        case 'done':
          settle({ report: reply });
          return;
      }
    };
    const onFailure = (failure: DecodeWorkerFailure): void =>
      settle({ error: new CaptureFileError(`${source.name}: ${failure.message}`, failure.code) });

    let worker: DecodeWorker;
    try {
      worker = startWorker();
    } catch (error) {
      void source.close();
      const message = error instanceof Error ? error.message : String(error);
      reject(new CaptureFileError(`${source.name}: ${message}`, error instanceof DecodeWorkerFailure ? error.code : 'crashed'));
      return;
    }
    function startWorker(): DecodeWorker {
      return new DecodeWorker(
        {
          reportName: options.reportName ?? source.name,
          ...(options.maxProblems !== undefined ? { maxProblems: options.maxProblems } : {}),
          foldTransactions: options.foldTransactions !== false,
          contents,
          reportExchanges: options.reportExchanges !== false,
          reportLists: options.reportLists !== false,
          ...(workerReads ? { file: { path: source.path!, chunkSize } } : {}),
        },
        limits,
        onReply,
        onFailure,
        ...(options.workerScript ? [options.workerScript] : []),
      );
    }

    /** Reads ahead while the worker has room; one reader at a time. */
    const pump = async (): Promise<void> => {
      if (pumping) return;
      pumping = true;
      try {
        while (!settled && !sourceEnded && inFlight < CHUNKS_IN_FLIGHT && consuming === undefined) {
          // The first chunks are small so the first rows arrive within milliseconds of the worker's start.
          const chunk = await source.read(bufferFor(chunkSizeOfRead(chunksRead++, chunkSize)));
          if (settled) return;
          if (chunk.length === 0) {
            sourceEnded = true;
            worker.send({ type: 'end' });
            return;
          }
          inFlight++;
          worker.send({ type: 'chunk', bytes: chunk });
        }
      } catch (error) {
        settle({ error });
      } finally {
        pumping = false;
      }
    };

    /** A batch was consumed: the worker may decode one chunk more. */
    const more = (): void => {
      if (workerReads) {
        if (!settled) worker.send({ type: 'read', chunks: 1 });
      } else void pump();
    };

    options.signal?.addEventListener('abort', onAbort, { once: true });
    if (options.signal?.aborted) onAbort();
    else if (workerReads) worker.send({ type: 'read', chunks: CHUNKS_IN_FLIGHT });
    else void pump();
  });
}
