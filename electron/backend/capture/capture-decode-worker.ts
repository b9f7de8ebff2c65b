/**
 * The capture decoder's thread (worker_threads, started by decode-worker-host.ts with a heap
 * limit): core/trace's TraceDecoder over the chunks the host sends, or those it reads from a
 * regular file itself, one reply per chunk. Whatever
 * a hostile file makes the decoder do — exhaust its heap, loop — ends this thread, not the
 * process that asked.
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
const config = workerData as DecodeWorkerConfig;

const batch = new DecodedBatchBuilder(config.contents);
const decoder = new TraceDecoder({
  file: config.reportName,
  ...(config.maxProblems !== undefined ? { maxProblems: config.maxProblems } : {}),
  ...(config.foldTransactions ? {} : { foldTransactions: false }),
  // Exchanges the batches carry need not stay here too (the report leaves them out).
  ...(config.reportExchanges ? {} : { keepExchanges: false }),
  // A report without its lists never names the devices: a re-enumerated one can be forgotten.
  ...(config.reportLists ? {} : { forgetRetiredDevices: true }),
  handlers: {
    // The full decode of every message costs; only a consumer of messages pays for it.
    ...(config.contents.messages || config.contents.summaryText
      ? { message: (m) => batch.message(m), apduPacket: (p) => batch.apduPacket(p) }
      : {}),
    ...(config.contents.exchanges || config.contents.ndjson ? { rawExchange: (e) => batch.exchange(e) } : {}),
  },
});
let bytesDone = 0;
let stopped = false;

function reply(message: DecodeWorkerReply, transfer: ArrayBuffer[] = []): void {
  port!.postMessage(message, transfer);
}

/** What the last chunk completed, with the chunk's buffer given back (nothing here keeps a view of it: see releaseChunk). */
function decoded(chunk?: ArrayBuffer): void {
  const back = chunk ? { chunk } : {};
  const returned = chunk ? [chunk] : [];
  if (batch.isEmpty) {
    reply({ type: 'decoded', bytesDone, batch: undefined, ...back }, returned);
    return;
  }
  const { batch: taken, transfer } = batch.take();
  reply({ type: 'decoded', bytesDone, batch: taken, ...back }, [...transfer, ...returned]);
}

/** Decodes one chunk and answers for it; false when the bytes showed this is no capture (the decode is over). */
function decodeChunk(bytes: Uint8Array, giveBack: boolean): boolean {
  decoder.push(bytes);
  bytesDone += bytes.length;
  const refusal = decoder.notACapture;
  if (refusal !== undefined) {
    stopped = true;
    reply({ type: 'refused', message: refusal });
    return false;
  }
  decoded(giveBack ? (bytes.buffer as ArrayBuffer) : undefined);
  return true;
}

/** No more bytes: what end() completed, then the report. */
function finish(): void {
  decoder.end();
  const refusal = decoder.notACapture;
  if (refusal !== undefined) {
    stopped = true;
    reply({ type: 'refused', message: refusal });
    return;
  }
  // Messages and exchanges completed by end() (a message cut by the end of the file).
  decoded();
  const report = decoder.result({ devices: config.reportLists });
  stopped = true;
  const lists = config.reportLists ? {} : { atrs: [], events: [], pinOperations: [], problems: [] };
  reply({ type: 'done', report: { ...report, ...(config.reportExchanges ? {} : { exchanges: [], transactions: [] }), ...lists } });
}

/** The file this worker reads itself (config.file): one chunk decoded per credit the host gave. */
const fileChunks = config.file
  ? new FileChunks(config.file.path, config.file.chunkSize, {
      chunk: (bytes) => {
        let goOn = false;
        guarded(() => (goOn = decodeChunk(bytes, false)));
        return goOn && !stopped;
      },
      end: () => guarded(finish),
      failed: (reason) => {
        stopped = true;
        reply({ type: 'failed', message: reason, bug: false, unreadable: true });
      },
    })
  : undefined;

/** Runs decoder work; a throw is the decoder's bug, reported as such, and the decode is over. */
function guarded(work: () => void): void {
  try {
    work();
  } catch (error) {
    stopped = true;
    reply({ type: 'failed', message: error instanceof Error ? `${error.name}: ${error.message}` : String(error), bug: true });
  }
}

port.on('message', (request: DecodeWorkerRequest) => {
  if (stopped) return;
  guarded(() => {
    switch (request.type) {
      case 'spare':
        batch.giveBack(request.buffers);
        return;
      case 'read':
        fileChunks?.grant(request.chunks);
        return;
      case 'chunk':
        decodeChunk(request.bytes, true);
        return;
      case 'end':
        finish();
        return;
    }
  });
});
