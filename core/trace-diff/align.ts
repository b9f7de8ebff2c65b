/**
 * Aligns two sequences of command ids (equal id = equal command bytes) the way diff(1) aligns
 * lines: matched pairs in order, the rest only in A or only in B. Matching by content means an
 * extra GET RESPONSE, a retried command or an inserted one costs its own row, never a shift of
 * everything after it.
 *
 * Time and memory are bounded whatever the input, in three steps per range:
 * 1. the common prefix and suffix are matched outright (O(n): a trace against itself, or one
 *    with a few differences near its ends, costs nothing more);
 * 2. Myers' O((N+M)·D) greedy diff, exact (a longest common subsequence), tried only while the
 *    edit cost D stays under `maxEditCost` and the whole alignment's Myers work under
 *    `workBudget`: its traceback keeps one V slice per D, so ~D² integers (4 MiB at D = 1024);
 * 3. past that, patience-diff anchors — commands that occur exactly once in each side, kept
 *    when they come in the same order (longest increasing subsequence, O(k log k)) — split the
 *    range into smaller ranges, each aligned again from step 1; a range with no anchor is
 *    aligned by a windowed resynchronisation: at a mismatch, the nearest pair of equal commands
 *    within `window` positions on each side is matched (O(window) per step, hash-based).
 * Total: O((N+M)·window + workBudget) time, O(N+M + maxEditCost²) memory.
 */

export interface AlignOptions {
  /** Largest Myers edit cost (commands only in A plus only in B) tried on one range. Default 1024. */
  maxEditCost?: number;
  /** Myers steps (diagonal moves and snake steps) allowed over the whole alignment. Default 50 million. */
  workBudget?: number;
  /** How far (positions on each side) the fallback looks ahead for the next equal pair. Default 64. */
  window?: number;
}

/** How the alignment was reached, for the report and the benchmark. */
export interface AlignStats {
  /** Rows matched as common prefix or suffix. */
  trimmed: number;
  /** Ranges aligned exactly by Myers. */
  myersRanges: number;
  /** Unique-in-both anchors matched. */
  anchors: number;
  /** Ranges aligned by the windowed fallback (not necessarily minimal there). */
  windowedRanges: number;
  /** Myers steps spent. */
  work: number;
}

/** Row r pairs a[r] with b[r]; -1 on one side means the other's element has no partner. */
export interface Alignment {
  length: number;
  a: Int32Array;
  b: Int32Array;
  stats: AlignStats;
}

const NONE = -1;

class RowWriter {
  a: Int32Array;
  b: Int32Array;
  length = 0;
  constructor(capacity: number) {
    this.a = new Int32Array(Math.max(1, capacity));
    this.b = new Int32Array(Math.max(1, capacity));
  }
  push(i: number, j: number): void {
    this.a[this.length] = i;
    this.b[this.length] = j;
    this.length++;
  }
}

type Task = { range: [number, number, number, number] } | { match: [number, number] };

export function alignSequences(a: ArrayLike<number>, b: ArrayLike<number>, options: AlignOptions = {}): Alignment {
  const maxEditCost = Math.max(0, options.maxEditCost ?? 1024);
  const window = Math.max(1, options.window ?? 64);
  let budget = options.workBudget ?? 50_000_000;
  const stats: AlignStats = { trimmed: 0, myersRanges: 0, anchors: 0, windowedRanges: 0, work: 0 };
  // Every element ends in exactly one row: n + m rows at most.
  const out = new RowWriter(a.length + b.length);
  // An explicit stack (tasks pushed in reverse order): deep anchor splits never overflow the call stack.
  const tasks: Task[] = [{ range: [0, a.length, 0, b.length] }];
  while (tasks.length > 0) {
    const task = tasks.pop()!;
    if ('match' in task) {
      out.push(task.match[0], task.match[1]);
      continue;
    }
    let [a0, a1, b0, b1] = task.range;
    while (a0 < a1 && b0 < b1 && a[a0] === b[b0]) {
      out.push(a0++, b0++);
      stats.trimmed++;
    }
    let suffix = 0;
    while (a1 - suffix > a0 && b1 - suffix > b0 && a[a1 - suffix - 1] === b[b1 - suffix - 1]) suffix++;
    stats.trimmed += suffix;
    a1 -= suffix;
    b1 -= suffix;
    // The suffix rows come after whatever this range becomes.
    for (let k = suffix; k > 0; k--) tasks.push({ match: [a1 + k - 1, b1 + k - 1] });
    if (a0 === a1 || b0 === b1) {
      for (let i = a0; i < a1; i++) out.push(i, NONE);
      for (let j = b0; j < b1; j++) out.push(NONE, j);
      continue;
    }
    const cap = Math.min(maxEditCost, a1 - a0 + (b1 - b0));
    if (budget > 0) {
      const myers = myersScript(a, a0, a1, b, b0, b1, cap, budget);
      budget -= myers.work;
      stats.work += myers.work;
      if (myers.rows) {
        stats.myersRanges++;
        for (let r = 0; r < myers.rows.length; r += 2) out.push(myers.rows[r]!, myers.rows[r + 1]!);
        continue;
      }
    }
    // Each piece between anchors is smaller than the range, so this always ends.
    const anchors = uniqueAnchors(a, a0, a1, b, b0, b1);
    if (anchors.length === 0) {
      stats.windowedRanges++;
      windowedAlign(a, a0, a1, b, b0, b1, window, out);
      continue;
    }
    stats.anchors += anchors.length / 2;
    // Ranges between anchors, in reverse so that the first is popped first.
    const pieces: Task[] = [];
    let pa = a0;
    let pb = b0;
    for (let k = 0; k < anchors.length; k += 2) {
      const ia = anchors[k]!;
      const ib = anchors[k + 1]!;
      pieces.push({ range: [pa, ia, pb, ib] }, { match: [ia, ib] });
      pa = ia + 1;
      pb = ib + 1;
    }
    pieces.push({ range: [pa, a1, pb, b1] });
    for (let k = pieces.length - 1; k >= 0; k--) tasks.push(pieces[k]!);
  }
  return { length: out.length, a: out.a.subarray(0, out.length), b: out.b.subarray(0, out.length), stats };
}

/**
 * Myers' greedy forward diff on a[a0..a1) × b[b0..b1), giving up past `maxD` or `budget` steps.
 * Returns the rows as flat (i, j) pairs in order, or none, with the work spent either way.
 */
function myersScript(
  a: ArrayLike<number>,
  a0: number,
  a1: number,
  b: ArrayLike<number>,
  b0: number,
  b1: number,
  maxD: number,
  budget: number,
): { rows?: number[]; work: number } {
  const n = a1 - a0;
  const m = b1 - b0;
  const offset = maxD + 1;
  const v = new Int32Array(2 * maxD + 3);
  const history: Int32Array[] = [];
  let work = 0;
  for (let d = 0; d <= maxD; d++) {
    // V before step d, for the traceback: indices offset-d .. offset+d of v.
    history.push(v.slice(offset - d, offset + d + 1));
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!) ? v[offset + k + 1]! : v[offset + k - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && a[a0 + x] === b[b0 + y]) {
        x++;
        y++;
        work++;
      }
      work++;
      v[offset + k] = x;
      if (x >= n && y >= m) return { rows: traceback(history, d, k, n, m, a0, b0), work };
    }
    if (work > budget) return { work };
  }
  return { work };
}

/** Walks the saved V slices back from (n, m) on diagonal k at cost d; rows in forward order. */
function traceback(history: Int32Array[], d: number, k: number, n: number, m: number, a0: number, b0: number): number[] {
  const reversed: number[] = [];
  let x = n;
  let y = m;
  for (let step = d; step > 0; step--) {
    const before = history[step]!; // V after step-1, indexed -step..step (offset step)
    const at = (diag: number): number => before[diag + step]!;
    const down = k === -step || (k !== step && at(k - 1) < at(k + 1));
    const prevK = down ? k + 1 : k - 1;
    const prevX = at(prevK);
    const prevY = prevX - prevK;
    // The snake after the edit: matched rows.
    while (x > (down ? prevX : prevX + 1) && y > (down ? prevY + 1 : prevY)) {
      x--;
      y--;
      reversed.push(b0 + y, a0 + x);
    }
    if (down)
      reversed.push(b0 + prevY, NONE); // b[prevY] only in B
    else reversed.push(NONE, a0 + prevX); // a[prevX] only in A
    x = prevX;
    y = prevY;
    k = prevK;
  }
  while (x > 0 && y > 0) {
    x--;
    y--;
    reversed.push(b0 + y, a0 + x);
  }
  const rows: number[] = new Array<number>(reversed.length);
  for (let r = 0; r < reversed.length; r += 2) {
    rows[r] = reversed[reversed.length - 1 - r]!;
    rows[r + 1] = reversed[reversed.length - 2 - r]!;
  }
  return rows;
}

/**
 * Commands that occur exactly once in each side of the range, kept in an order both sides
 * agree on (the longest increasing subsequence of their B positions in A order): flat (i, j).
 */
function uniqueAnchors(a: ArrayLike<number>, a0: number, a1: number, b: ArrayLike<number>, b0: number, b1: number): number[] {
  // id -> position in A (or -2 when seen twice); then the same in B.
  const inA = new Map<number, number>();
  for (let i = a0; i < a1; i++) inA.set(a[i]!, inA.has(a[i]!) ? -2 : i);
  const inB = new Map<number, number>();
  for (let j = b0; j < b1; j++) {
    const id = b[j]!;
    if ((inA.get(id) ?? -2) < 0) continue;
    inB.set(id, inB.has(id) ? -2 : j);
  }
  const pairsA: number[] = [];
  const pairsB: number[] = [];
  for (let i = a0; i < a1; i++) {
    const j = inB.get(a[i]!);
    if (j !== undefined && j >= 0 && inA.get(a[i]!) === i) {
      pairsA.push(i);
      pairsB.push(j);
    }
  }
  // Patience sorting: tails[len] = index (in pairs) of the smallest B ending an increasing run of len+1.
  const tails: number[] = [];
  const previous = new Int32Array(pairsB.length);
  for (let p = 0; p < pairsB.length; p++) {
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (pairsB[tails[mid]!]! < pairsB[p]!) lo = mid + 1;
      else hi = mid;
    }
    previous[p] = lo > 0 ? tails[lo - 1]! : -1;
    tails[lo] = p;
  }
  const chain: number[] = [];
  for (let p = tails.length > 0 ? tails[tails.length - 1]! : -1; p >= 0; p = previous[p]!) chain.push(p);
  const anchors: number[] = [];
  for (let c = chain.length - 1; c >= 0; c--) anchors.push(pairsA[chain[c]!]!, pairsB[chain[c]!]!);
  return anchors;
}

/**
 * The bounded fallback: walk both sides; on a mismatch, match the nearest equal pair (smallest
 * p + q with a[i+p] = b[j+q], p and q under `window`), the skipped elements going to one side;
 * with none in reach, both current elements are unmatched and the walk moves on.
 */
function windowedAlign(
  a: ArrayLike<number>,
  a0: number,
  a1: number,
  b: ArrayLike<number>,
  b0: number,
  b1: number,
  window: number,
  out: RowWriter,
): void {
  const firstInB = new Map<number, number>();
  const firstInA = new Map<number, number>();
  let i = a0;
  let j = b0;
  while (i < a1 && j < b1) {
    if (a[i] === b[j]) {
      out.push(i++, j++);
      continue;
    }
    firstInB.clear();
    firstInA.clear();
    const reachB = Math.min(b1, j + window);
    const reachA = Math.min(a1, i + window);
    for (let q = reachB - 1; q >= j; q--) firstInB.set(b[q]!, q - j);
    for (let p = reachA - 1; p >= i; p--) firstInA.set(a[p]!, p - i);
    let best = Infinity;
    let bestP = 0;
    let bestQ = 0;
    for (let p = 0; p < reachA - i && p < best; p++) {
      const q = firstInB.get(a[i + p]!);
      if (q !== undefined && p + q < best) [best, bestP, bestQ] = [p + q, p, q];
    }
    for (let q = 0; q < reachB - j && q < best; q++) {
      const p = firstInA.get(b[j + q]!);
      if (p !== undefined && p + q < best) [best, bestP, bestQ] = [p + q, p, q];
    }
    if (best === Infinity) {
      out.push(i++, NONE);
      out.push(NONE, j++);
      continue;
    }
    for (let p = 0; p < bestP; p++) out.push(i++, NONE);
    for (let q = 0; q < bestQ; q++) out.push(NONE, j++);
  }
  while (i < a1) out.push(i++, NONE);
  while (j < b1) out.push(NONE, j++);
}
