/**
 * The viewer's half of the capture benchmark, run as a child process of capture-import.ts so
 * its peak RSS is its own: opens FILE through the CaptureStore the way the Captures workbench
 * does, and prints one JSON line: time until the first rows can be read, time until the import
 * is done, rows, the store's memory per row, the process's peak RSS, and the time of each
 * free-text search on the whole capture (each a fresh filter: nothing cached; best of three). CPU time is this process's, the search
 * worker's included.
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
  searches: { text: string; ms: number; cpuMs: number; matched: number }[];
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
// Best of three rounds (the session caches six filters: with seven texts each search starts afresh).
const searches: ViewerFigures['searches'] = SEARCHES.map((text) => ({ text, ms: Infinity, cpuMs: Infinity, matched: 0 }));
for (let round = 0; round < 3; round++) {
  for (const search of searches) {
    const started = performance.now();
    const cpu = process.cpuUsage();
    // As the Captures workbench asks (capture.rows): the search worker answers, then the rows are read.
    await session.prepare({ text: search.text });
    const { matched } = session.rows(0, 50, { text: search.text });
    search.ms = Math.min(search.ms, performance.now() - started);
    const used = process.cpuUsage(cpu);
    search.cpuMs = Math.min(search.cpuMs, (used.user + used.system) / 1000);
    search.matched = matched;
  }
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
