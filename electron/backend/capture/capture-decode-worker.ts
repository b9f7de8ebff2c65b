/**
 * The capture decoder's thread (worker_threads, started by decode-worker-host.ts with a heap
 * limit): core/trace's TraceDecoder over the chunks the host sends, or those it reads from a
 * regular file itself, one reply per chunk. Whatever a hostile file makes the decoder do —
 * exhaust its heap, loop — ends this thread, not the process that asked.
 *
 * Its configuration comes as workerData, or as the first message when the thread was started
 * ahead of the decode (prestartDecodeWorker: it boots while the command that will use it loads).
 *
 * A build entry of its own (build/electron.vite.config.ts), so out/main/ has it beside cli.js.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { TraceDecoder } from '#core/trace/index.js';
import { DecodedBatchBuilder } from './decoded-batch.js';
import type { DecodeWorkerConfig, DecodeWorkerReply, DecodeWorkerRequest } from './decode-worker-protocol.js';
import { FileChunks } from './file-chunks.js';

const port = parentPort;
if (!port) throw new Error('capture-decode-worker runs as a worker thread only');

function reply(message: DecodeWorkerReply, transfer: ArrayBuffer[] = []): void {
  port!.postMessage(message, transfer);
}

/** One decode: the decoder, what it has done, and how it answers. */
class DecodeSession {
  private readonly batch: DecodedBatchBuilder;
  private readonly decoder: TraceDecoder;
  /** The file this worker reads itself (config.file): one chunk decoded per credit the host gave. */
  private readonly fileChunks: FileChunks | undefined;
  private bytesDone = 0;
  stopped = false;

  constructor(private readonly config: DecodeWorkerConfig) {
    const batch = (this.batch = new DecodedBatchBuilder(config.contents));
    this.decoder = new TraceDecoder({
      file: config.reportName,
      ...(config.maxProblems !== undefined ? { maxProblems: config.maxProblems } : {}),
      ...(config.foldTransactions ? {} : { foldTransactions: false }),
      // Exchanges the batches carry need not stay here too (the report leaves them out).
      ...(config.reportExchanges ? {} : { keepExchanges: false }),
      // A report without its lists never names the devices: a re-enumerated one can be forgotten.
      ...(config.reportLists ? {} : { forgetRetiredDevices: true }),
      // Summaries travel as text; those of messages read from their header alone the consumer makes.
      ...(config.contents.summaryText ? { headerSummaries: false } : {}),
      handlers: {
        // The full decode of every message costs; only a consumer of messages pays for it.
        ...(config.contents.messages || config.contents.summaryText
          ? { message: (m) => batch.message(m), apduPacket: (p) => batch.apduPacket(p) }
          : {}),
        ...(config.contents.exchanges || config.contents.ndjson ? { rawExchange: (e) => batch.exchange(e) } : {}),
      },
    });
    this.fileChunks = config.file
      ? new FileChunks(config.file.path, config.file.chunkSize, {
          chunk: (bytes) => {
            let goOn = false;
            this.guarded(() => (goOn = this.decodeChunk(bytes, false)));
            return goOn && !this.stopped;
          },
          end: () => this.guarded(() => this.finish()),
          failed: (reason) => {
            this.stopped = true;
            reply({ type: 'failed', message: reason, bug: false, unreadable: true });
          },
        })
      : undefined;
  }

  handle(request: DecodeWorkerRequest): void {
    if (this.stopped) return;
    this.guarded(() => {
      switch (request.type) {
        case 'spare':
          this.batch.giveBack(request.buffers);
          return;
        case 'read':
          this.fileChunks?.grant(request.chunks);
          return;
        case 'chunk':
          this.decodeChunk(request.bytes, true);
          return;
        case 'end':
          this.finish();
          return;
        case 'config':
          return;
      }
    });
  }

  /** What the last chunk completed, with the chunk's buffer given back (nothing here keeps a view of it: see releaseChunk). */
  private decoded(chunk?: ArrayBuffer): void {
    const back = chunk ? { chunk } : {};
    const returned = chunk ? [chunk] : [];
    if (this.batch.isEmpty) {
      reply({ type: 'decoded', bytesDone: this.bytesDone, batch: undefined, ...back }, returned);
      return;
    }
    const { batch: taken, transfer } = this.batch.take();
    reply({ type: 'decoded', bytesDone: this.bytesDone, batch: taken, ...back }, [...transfer, ...returned]);
  }

  /** Decodes one chunk and answers for it; false when the bytes showed this is no capture (the decode is over). */
  private decodeChunk(bytes: Uint8Array, giveBack: boolean): boolean {
    this.decoder.push(bytes);
    this.bytesDone += bytes.length;
    const refusal = this.decoder.notACapture;
    if (refusal !== undefined) {
      this.stopped = true;
      reply({ type: 'refused', message: refusal });
      return false;
    }
    this.decoded(giveBack ? (bytes.buffer as ArrayBuffer) : undefined);
    return true;
  }

  /** No more bytes: what end() completed, then the report. */
  private finish(): void {
    const { config, decoder } = this;
    decoder.end();
    const refusal = decoder.notACapture;
    if (refusal !== undefined) {
      this.stopped = true;
      reply({ type: 'refused', message: refusal });
      return;
    }
    // Messages and exchanges completed by end() (a message cut by the end of the file).
    this.decoded();
    const report = decoder.result({ devices: config.reportLists });
    this.stopped = true;
    const lists = config.reportLists ? {} : { atrs: [], events: [], pinOperations: [], problems: [] };
    reply({ type: 'done', report: { ...report, ...(config.reportExchanges ? {} : { exchanges: [], transactions: [] }), ...lists } });
  }

  /** Runs decoder work; a throw is the decoder's bug, reported as such, and the decode is over. */
  private guarded(work: () => void): void {
    try {
      work();
    } catch (error) {
      this.stopped = true;
      reply({ type: 'failed', message: error instanceof Error ? `${error.name}: ${error.message}` : String(error), bug: true });
    }
  }
}

let session = workerData ? new DecodeSession(workerData as DecodeWorkerConfig) : undefined;

port.on('message', (request: DecodeWorkerRequest) => {
  if (session) session.handle(request);
  else if (request.type === 'config') session = new DecodeSession(request.config);
});
