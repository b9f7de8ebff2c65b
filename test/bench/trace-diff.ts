/**
 * Trace comparison benchmark (issue 11): diffTraces on two traces of 50,000 exchanges each, in
 * the shapes real comparisons take, against GNU diff(1) (diffutils, the peer: Myers with its own
 * heuristics) given the same command sequences as lines. For each case: our time, the peak heap
 * growth, how the alignment was reached (Myers / anchors / windowed fallback), the rows matched,
 * and diff(1)'s time and matched lines (its unchanged lines) with the ratios.
 *
 * Traces are drawn from a real session's commands: the GCC capture's 208 APDUs (an EMV card),
 * picked with a skew (a few commands — GET RESPONSE, READ RECORD — come back very often).
 *
 *   npx tsx --expose-gc test/bench/trace-diff.ts [--exchanges N]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DiffTraceBuilder, diffTraces, type DiffExchange } from '#core/trace-diff/index.js';
import { decodeTraceBytes } from '#core/trace/index.js';
import { fromHex } from '#core/bytes/hex.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const SOURCE = resolve(process.env.CARDBENCH_SHARED ?? resolve(ROOT, '..', 'shared'), 'captures/usbpcap-emv-gcc2024/usb.pcapng');
const { values } = parseArgs({ options: { exchanges: { type: 'string' } } });
const N = Number(values.exchanges ?? 50_000);

const real = decodeTraceBytes(readFileSync(SOURCE), { foldTransactions: false }).exchanges;
const pool = real.map((e) => ({ command: fromHex(e.command), response: fromHex(e.response) }));

/** Deterministic pseudo-random numbers (mulberry32). */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Indices into the pool, skewed: squaring a uniform number favours the first commands. */
function session(length: number, seed: number): number[] {
  const next = random(seed);
  return Array.from({ length }, () => Math.floor(next() ** 2 * pool.length));
}

function traceOf(picks: readonly number[], changedAnswers: ReadonlySet<number> = new Set()): DiffExchange[] {
  const builder = new DiffTraceBuilder();
  picks.forEach((p, i) => {
    const e = pool[p]!;
    const response = changedAnswers.has(i) ? Uint8Array.of(0x6a, 0x82) : e.response;
    builder.add({ index: i + 1, device: '1.2', slot: 0, command: e.command, response, timeMs: i, durationMs: 2 });
  });
  return builder.exchanges;
}

interface Case {
  name: string;
  a: number[];
  b: number[];
  changed?: Set<number>;
}

function edited(base: readonly number[], edits: number, seed: number): number[] {
  const next = random(seed);
  const out = [...base];
  for (let k = 0; k < edits; k++) {
    const at = Math.floor(next() * out.length);
    if (next() < 0.5) out.splice(at, 1);
    else out.splice(at, 0, Math.floor(next() * pool.length));
  }
  return out;
}

const base = session(N, 1);
const cases: Case[] = [
  { name: 'identical', a: base, b: [...base] },
  {
    name: '200 inserted/deleted, 100 answers changed',
    a: base,
    b: edited(base, 200, 2),
    changed: new Set(Array.from({ length: 100 }, (_, i) => i * 97)),
  },
  { name: '450 edits spread out (Myers near its 1,024 cap)', a: base, b: edited(base, 450, 5) },
  { name: '5% edited (2,500 edits, beyond the Myers cap)', a: base, b: edited(base, Math.round(N / 20), 3) },
  { name: 'unrelated sessions (same command pool)', a: base, b: session(N, 4) },
  { name: 'no command in common', a: Array.from({ length: N }, () => 0), b: Array.from({ length: N }, () => 1) },
];

function peerDiff(a: readonly DiffExchange[], b: readonly DiffExchange[]): { ms: number; matched: number } {
  const dir = mkdtempSync(join(tmpdir(), 'cardbench-bench-diff-'));
  try {
    writeFileSync(join(dir, 'a'), a.map((e) => e.command).join('\n') + '\n');
    writeFileSync(join(dir, 'b'), b.map((e) => e.command).join('\n') + '\n');
    const start = performance.now();
    const run = spawnSync('diff', [join(dir, 'a'), join(dir, 'b')], { maxBuffer: 1 << 30, encoding: 'utf8' });
    const ms = performance.now() - start;
    const deleted = run.stdout.split('\n').filter((line) => line.startsWith('< ')).length;
    return { ms, matched: a.length - deleted };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const gc = (globalThis as { gc?: () => void }).gc;
console.log(
  `trace diff: ${N.toLocaleString('en')} × ${N.toLocaleString('en')} exchanges from ${pool.length} real commands${gc ? '' : ' (run with --expose-gc for heap figures)'}`,
);
console.log('case | ours ms | heap MiB | method | matched | diff(1) ms | diff(1) matched | time ratio | matched ratio');
for (const c of cases) {
  const a = traceOf(c.a);
  const b = traceOf(c.b, c.changed);
  gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  let peak = heapBefore;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().heapUsed)), 5);
  const start = performance.now();
  const diff = diffTraces(a, b);
  const ms = performance.now() - start;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().heapUsed);
  const matched = diff.counts.same + diff.counts.changed;
  const s = diff.alignment;
  const method = `trim ${s.trimmed}, myers ${s.myersRanges}, anchors ${s.anchors}, windowed ${s.windowedRanges}, work ${(s.work / 1e6).toFixed(1)}M`;
  const peer = peerDiff(a, b);
  console.log(
    [
      c.name,
      ms.toFixed(0),
      ((peak - heapBefore) / 1048576).toFixed(1),
      method,
      matched,
      peer.ms.toFixed(0),
      peer.matched,
      (ms / peer.ms).toFixed(2),
      (matched / Math.max(1, peer.matched)).toFixed(3),
    ].join(' | '),
  );
}
