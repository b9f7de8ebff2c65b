/**
 * Timing plot benchmark (issue 10, item 12): the plot over a million transactions. The real
 * GCC capture is imported by the capture store; its conversation's start times and durations,
 * repeated back to back (each copy after the previous one ends), make 1,000,000 entries. Then:
 *
 *  - the backend: building the TimingIndex, and the points of the whole range and of a zoom and
 *    pan sequence at the plot's width (what capture.timing answers), with the JSON size crossing
 *    the contract;
 *  - the renderer: the workbench's own uPlot options (timing-plot-options.ts, bundled with
 *    uPlot by esbuild) drawing those points on a canvas in Debian's Chromium: the first draw and
 *    each zoom step's setData, timed from the call to uPlot's draw hook;
 *  - for comparison, uPlot handed all 1,000,000 points at once (what the plot does not do).
 *
 *   npx tsx test/bench/timing-plot.ts [--entries N] [--width PX]
 *
 * Prints the timings (median of 5 runs where a step repeats); exit 1 when a step fails.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from '@playwright/test';
import { build } from 'esbuild';
import { TIMING_KINDS } from '#core/ipc/channels/captures.js';
import { CaptureStore } from '../../electron/backend/capture-store/capture-store.js';
import { TimingIndex, type TimingEntry, type TimingPoints } from '../../electron/backend/capture-store/timing-index.js';
import { CHROMIUM_PATH } from '../playwright.config.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const SOURCE = resolve(process.env.CARDBENCH_SHARED ?? resolve(ROOT, '..', 'shared'), 'captures/usbpcap-emv-gcc2024/usb.pcapng');

const { values } = parseArgs({ options: { entries: { type: 'string' }, width: { type: 'string' } } });
const ENTRIES = Number(values.entries ?? 1_000_000);
const WIDTH = Number(values.width ?? 1200);
const HEIGHT = 300;

/** What the bundle puts on the page's window. */
interface Bench {
  bench: {
    firstDraw(args: { p: unknown; width: number; height: number }): Promise<number>;
    redraw(p: unknown): Promise<number>;
  };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (x: number): string => `${x.toFixed(x < 10 ? 2 : 1)} ms`;
function time<T>(run: () => T): { value: T; ms: number } {
  const started = performance.now();
  const value = run();
  return { value, ms: performance.now() - started };
}

// ---- a million entries from the real capture's conversation ---------------------------------

const store = new CaptureStore();
const session = await store.open(SOURCE);
await session.finished;
const real = session.transactions(0, 500);
await store.closeAll();
const first = real[0]!.timeMs;
const span = Math.max(...real.map((t) => t.timeMs + t.durationMs)) - first;
const entryAt = (i: number): TimingEntry => {
  const t = real[i % real.length]!;
  const copy = Math.floor(i / real.length);
  return {
    timeMs: copy * span + (t.timeMs - first),
    durationMs: t.durationMs,
    kind: t.sw !== null && /^6[4-9A-F]/.test(t.sw) ? 'apdu-error' : 'apdu',
  };
};
console.log(
  `entries         ${ENTRIES.toLocaleString()} (the GCC capture's ${real.length} transactions, repeated over ${(((ENTRIES / real.length) * span) / 3_600_000).toFixed(1)} h)`,
);

const built = time(() => new TimingIndex(ENTRIES, entryAt));
const index = built.value;
console.log(`index build     ${ms(built.ms)}`);

/** Whole range, then zoom in ×2 four times around the middle, pan right twice, zoom out to all. */
function rangeSequence(full: TimingPoints): ({ fromMs: number; toMs: number } | undefined)[] {
  const out: ({ fromMs: number; toMs: number } | undefined)[] = [undefined];
  let from = full.fromMs;
  let to = full.toMs;
  for (let i = 0; i < 4; i++) {
    const middle = (from + to) / 2;
    const half = (to - from) / 4;
    from = middle - half;
    to = middle + half;
    out.push({ fromMs: from, toMs: to });
  }
  for (let i = 0; i < 2; i++) {
    const shift = (to - from) / 4;
    from += shift;
    to += shift;
    out.push({ fromMs: from, toMs: to });
  }
  // The deepest zoom a user reaches: a few hundred transactions across the plot.
  out.push({ fromMs: from, toMs: from + (span / real.length) * 300 }, undefined);
  return out;
}

const full = index.points({}, WIDTH);
const ranges = rangeSequence(full);
const queries = ranges.map((range) => {
  const runs = Array.from({ length: 5 }, () => time(() => index.points(range ?? {}, WIDTH)));
  const points = runs[0]!.value;
  return { range, points, ms: median(runs.map((r) => r.ms)), bytes: JSON.stringify(points).length };
});
console.log(`points          width ${WIDTH} px, ${TIMING_KINDS.length} kinds: at most ${WIDTH * TIMING_KINDS.length} points per answer`);
for (const q of queries) {
  const what = q.range ? `${((q.range.toMs - q.range.fromMs) / 1000).toFixed(1)} s` : 'everything';
  console.log(
    `  ${what.padEnd(14)} ${q.points.inRange.toLocaleString().padStart(9)} entries → ${String(q.points.timeMs.length).padStart(5)} points in ${ms(q.ms).padStart(9)}, ${(q.bytes / 1024).toFixed(0)} KiB of JSON`,
  );
}

// ---- the renderer: the workbench's uPlot options in Chromium ----------------------------------

const bundle = await build({
  stdin: {
    contents: `
      import uPlot from 'uplot';
      import { timingPlotData, timingPlotOptions } from './renderer/src/workbenches/captures/timing-plot-options.ts';
      const colors = { muted: '#5b6472', grid: '#d8dce3', series: ['#2f6fdf', '#d64545', '#1f9d55'] };
      let plot;
      // Creates the plot with these points; resolves with the ms until uPlot's draw hook.
      function firstDraw({ p, width, height }) {
        return new Promise((done) => {
          plot?.destroy();
          const started = performance.now();
          const options = timingPlotOptions({ width, height, colors, onDraw: () => done(performance.now() - started) });
          options.scales.x.range = () => [p.fromMs, p.toMs];
          plot = new uPlot(options, timingPlotData(p), document.getElementById('plot'));
        });
      }
      // Sets new points on the plot (a zoom or pan step); resolves with the ms until it has drawn them.
      function redraw(p) {
        return new Promise((done) => {
          const started = performance.now();
          plot.hooks.draw = [() => done(performance.now() - started)];
          plot.batch(() => {
            plot.setData(timingPlotData(p), false);
            plot.setScale('x', { min: p.fromMs, max: p.toMs });
          });
        });
      }
      window.bench = { firstDraw, redraw };
    `,
    resolveDir: ROOT,
    loader: 'ts',
  },
  bundle: true,
  format: 'iife',
  write: false,
  alias: { '#core': resolve(ROOT, 'core') },
  plugins: [
    {
      name: 'core-imports',
      setup(b) {
        // package.json imports: #core/x.js is ./core/x.ts.
        b.onResolve({ filter: /^#core\// }, (args) => ({
          path: resolve(ROOT, args.path.replace(/^#core\//, 'core/').replace(/\.js$/, '.ts')),
        }));
      },
    },
  ],
  logLevel: 'silent',
});
const css = readFileSync(resolve(ROOT, 'node_modules/uplot/dist/uPlot.min.css'), 'utf8');

const browser = await chromium.launch({
  executablePath: CHROMIUM_PATH,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage({ viewport: { width: WIDTH + 100, height: HEIGHT + 100 } });
  await page.setContent(`<!doctype html><style>${css}</style><div id="plot"></div>`);
  await page.addScriptTag({ content: bundle.outputFiles[0]!.text });

  type Payload = { timeMs: number[]; durationMs: number[]; kind: number[]; fromMs: number; toMs: number };
  const payload = (p: TimingPoints): Payload => ({
    timeMs: p.timeMs,
    durationMs: p.durationMs,
    kind: p.kind,
    fromMs: p.fromMs,
    toMs: p.toMs,
  });

  // First draw: creating the plot with the whole range, until uPlot's draw hook.
  const firstDraws: number[] = [];
  for (let run = 0; run < 5; run++) {
    firstDraws.push(
      await page.evaluate((args) => (window as unknown as Bench).bench.firstDraw(args), { p: payload(full), width: WIDTH, height: HEIGHT }),
    );
  }
  console.log(`first draw      ${ms(median(firstDraws))} (uPlot created with ${full.timeMs.length} points, to its draw hook)`);

  // Zoom and pan: each step's points set on the existing plot, until it has drawn them.
  for (const q of queries) {
    const runs: number[] = [];
    for (let run = 0; run < 5; run++) {
      runs.push(await page.evaluate((p) => (window as unknown as Bench).bench.redraw(p), payload(q.points)));
    }
    const what = q.range ? `${((q.range.toMs - q.range.fromMs) / 1000).toFixed(1)} s` : 'everything';
    console.log(`  redraw ${what.padEnd(14)} ${ms(median(runs)).padStart(9)} (${q.points.timeMs.length} points)`);
  }
  const total = queries.reduce((sum, q) => sum + q.ms, 0) / queries.length;
  console.log(`per zoom step   backend ${ms(total)} on average + the redraw above + one IPC round trip`);

  // For comparison: uPlot given every entry (what summing up per pixel column avoids).
  const all: Payload = { timeMs: [], durationMs: [], kind: [], fromMs: full.fromMs, toMs: full.toMs };
  for (let i = 0; i < ENTRIES; i++) {
    const e = entryAt(i);
    all.timeMs.push(e.timeMs);
    all.durationMs.push(e.durationMs);
    all.kind.push(TIMING_KINDS.indexOf(e.kind));
  }
  const transfer = time(() => JSON.stringify(all).length);
  const raw = await page.evaluate((args) => (window as unknown as Bench).bench.firstDraw(args), { p: all, width: WIDTH, height: HEIGHT });
  console.log(
    `all points      ${ms(raw)} to draw ${ENTRIES.toLocaleString()} points in uPlot, after ${(transfer.value / 1e6).toFixed(0)} MB of JSON (${ms(transfer.ms)} to write it)`,
  );
} finally {
  await browser.close();
}
