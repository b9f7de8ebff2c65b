/**
 * The viewer's half of the capture benchmark, run as a child process of capture-import.ts so
 * its peak RSS is its own: opens FILE through the CaptureStore the way the Captures workbench
 * does, and prints one JSON line: time until the first rows can be read, time until the import
 * is done, rows, the store's memory per row, the process's peak RSS, and the time of each
 * free-text search on the whole capture (each a fresh filter: nothing cached).
 *
 *   node --import tsx test/bench/capture-viewer.ts FILE
 */
import { CaptureStore } from '../../electron/backend/capture-store/capture-store.js';

/** What a user types in the Captures filter: names, hex with and without spaces, a status, ASCII, a frame number. */
export const SEARCHES = ['read record', '00 a4 04 00', '00a40400', '6a82', 'MASTERCARD', '2249', 'no such text'];

export interface ViewerFigures {
  rssBeforeMiB: number;
  firstRowsMs: number;
  importMs: number;
  state: string;
  rows: number;
  exchanges: number;
  transactions: number;
  peakMiB: number;
  searches: { text: string; ms: number; matched: number }[];
}

const file = process.argv[2];
if (!file) throw new Error('usage: capture-viewer.ts FILE');
const rssBeforeMiB = process.memoryUsage().rss / 2 ** 20;
const store = new CaptureStore();
const opened = performance.now();
const session = await store.open(file);
let firstRowsMs: number | undefined;
while (firstRowsMs === undefined) {
  if (session.rows(0, 50, undefined).rows.length > 0) firstRowsMs = performance.now() - opened;
  else await new Promise((resolve) => setTimeout(resolve, 2));
}
await session.finished;
const importMs = performance.now() - opened;
const status = session.status();
// Peak of the import, before the searches add their own.
const peakMiB = process.resourceUsage().maxRSS / 1024;
const searches: ViewerFigures['searches'] = [];
for (const text of SEARCHES) {
  const started = performance.now();
  const { matched } = await Promise.resolve(session.rows(0, 50, { text }));
  searches.push({ text, ms: performance.now() - started, matched });
}
const figures: ViewerFigures = {
  rssBeforeMiB,
  firstRowsMs,
  importMs,
  state: status.state,
  rows: status.rows,
  exchanges: status.exchanges,
  transactions: status.transactions,
  peakMiB,
  searches,
};
console.log(JSON.stringify(figures));
await store.closeAll();
