/**
 * The capture decoder's thread (worker_threads, started by decode-worker-host.ts with a heap
 * limit): core/trace's TraceDecoder over the chunks the host sends, one reply per chunk. Whatever
 * a hostile file makes the decoder do — exhaust its heap, loop — ends this thread, not the
 * process that asked.
 *
 * A build entry of its own (build/electron.vite.config.ts), so out/main/ has it beside cli.js.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { TraceDecoder } from '#core/trace/index.js';
import { DecodedBatchBuilder } from './decoded-batch.js';
import type { DecodeWorkerConfig, DecodeWorkerReply, DecodeWorkerRequest } from './decode-worker-protocol.js';

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
  handlers: {
    // The full decode of every message costs; only a consumer of messages pays for it.
    ...(config.contents.messages || config.contents.messageLines
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

port.on('message', (request: DecodeWorkerRequest) => {
  if (stopped) return;
  try {
    if (request.type === 'spare') {
      batch.giveBack(request.buffers);
      return;
    }
    if (request.type === 'chunk') {
      decoder.push(request.bytes);
      bytesDone += request.bytes.length;
      const refusal = decoder.notACapture;
      if (refusal !== undefined) {
        stopped = true;
        reply({ type: 'refused', message: refusal });
        return;
      }
      decoded(request.bytes.buffer as ArrayBuffer);
      return;
    }
    decoder.end();
    const refusal = decoder.notACapture;
    if (refusal !== undefined) {
      reply({ type: 'refused', message: refusal });
      return;
    }
    // Messages and exchanges completed by end() (a message cut by the end of the file).
    decoded();
    const report = decoder.result({ devices: config.reportLists });
    stopped = true;
    const lists = config.reportLists ? {} : { atrs: [], events: [], pinOperations: [], problems: [] };
    reply({ type: 'done', report: { ...report, ...(config.reportExchanges ? {} : { exchanges: [], transactions: [] }), ...lists } });
  } catch (error) {
    stopped = true;
    reply({ type: 'failed', message: error instanceof Error ? `${error.name}: ${error.message}` : String(error), bug: true });
  }
});
