/**
 * The Captures free-text search's thread: scans the rows' columns and the message arena where
 * they lie (SharedArrayBuffers of the session) with row-search.ts, so a search on a million rows
 * does not hold up the process's other calls. Its caches (names, meanings, other rows' lines)
 * last as long as the session's worker.
 *
 * A build entry of its own (build/electron.vite.config.ts), beside cli.js and index.js.
 */
import { parentPort } from 'node:worker_threads';
import type { RowColumns } from './row-columns.js';
import { ARENA_BLOCK_SIZE } from './byte-arena.js';
import { RowLines, rowTextTest } from './row-search.js';
import type { RowSearchReply, RowSearchRequest, SharedColumns } from './row-search-protocol.js';

const port = parentPort;
if (!port) throw new Error('row-search-worker runs as a worker thread only');

/** The session's rows as the last request gave them. */
const source = {
  columns: {} as SharedColumns,
  blocks: [] as readonly Uint8Array[],
  devices: [] as readonly string[],
  bytes(row: number): Uint8Array {
    const address = this.columns.address[row]!;
    const block = this.blocks[Math.floor(address / ARENA_BLOCK_SIZE)];
    if (!block) return new Uint8Array(0);
    const at = address % ARENA_BLOCK_SIZE;
    return block.subarray(at, at + this.columns.byteLength[row]!);
  },
  deviceName(index: number): string {
    return this.devices[index] ?? '?';
  },
};
const lines = new RowLines(source as unknown as { columns: RowColumns } & typeof source, () => source.blocks);

port.on('message', (request: RowSearchRequest) => {
  source.columns = request.columns;
  source.blocks = request.blocks;
  source.devices = request.devices;
  const test = rowTextTest(source as unknown as Parameters<typeof rowTextTest>[0], lines, request.text);
  const bits = new Uint8Array(Math.ceil(request.rows / 8));
  for (let row = request.from; row < request.rows; row++) if (test(row)) bits[row >> 3]! |= 1 << (row & 7);
  const reply: RowSearchReply = { id: request.id, bits };
  port.postMessage(reply, [bits.buffer]);
});
