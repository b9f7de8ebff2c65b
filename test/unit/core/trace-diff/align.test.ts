/**
 * alignSequences: matches by content, so an insertion costs its own rows only; every element in
 * exactly one row, in order; exact (minimal) where Myers runs, and still complete and ordered
 * where the bounded fallbacks take over.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { alignSequences, type Alignment, type AlignOptions } from '#core/trace-diff/align.js';

/** Checks the invariants every alignment keeps and returns its rows as [i, j] pairs. */
function rowsOf(al: Alignment, a: readonly number[], b: readonly number[]): [number, number][] {
  const rows: [number, number][] = [];
  let lastA = -1;
  let lastB = -1;
  for (let r = 0; r < al.length; r++) {
    const i = al.a[r]!;
    const j = al.b[r]!;
    expect(i >= 0 || j >= 0).toBe(true);
    if (i >= 0) expect(i).toBe(++lastA);
    if (j >= 0) expect(j).toBe(++lastB);
    if (i >= 0 && j >= 0) expect(a[i]).toBe(b[j]);
    rows.push([i, j]);
  }
  expect(lastA).toBe(a.length - 1);
  expect(lastB).toBe(b.length - 1);
  return rows;
}

const matched = (rows: [number, number][]) => rows.filter(([i, j]) => i >= 0 && j >= 0).length;

/** Longest common subsequence by the textbook table (small inputs only): what Myers must reach. */
function lcsLength(a: readonly number[], b: readonly number[]): number {
  const prev = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    let diag = 0;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j]!;
      prev[j] = a[i - 1] === b[j - 1] ? diag + 1 : Math.max(prev[j]!, prev[j - 1]!);
      diag = up;
    }
  }
  return prev[b.length]!;
}

const commands = fc.array(fc.integer({ min: 0, max: 12 }), { maxLength: 60 });

describe('alignSequences', () => {
  it('a list against itself: every row matched', () => {
    fc.assert(
      fc.property(commands, (a) => {
        const rows = rowsOf(alignSequences(a, a), a, a);
        expect(rows.every(([i, j]) => i === j && i >= 0)).toBe(true);
      }),
    );
  });

  it('k commands inserted anywhere in B: exactly k rows only in B, nothing only in A', () => {
    fc.assert(
      fc.property(commands, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 12 })), { maxLength: 10 }), (a, inserts) => {
        const b = [...a];
        for (const [at, value] of inserts) b.splice(at % (b.length + 1), 0, value);
        const rows = rowsOf(alignSequences(a, b), a, b);
        expect(rows.filter(([i, j]) => i < 0 && j >= 0)).toHaveLength(inserts.length);
        expect(rows.filter(([i, j]) => i >= 0 && j < 0)).toHaveLength(0);
      }),
    );
  });

  it('k commands deleted from B: exactly k rows only in A', () => {
    fc.assert(
      fc.property(commands, fc.array(fc.nat(), { maxLength: 10 }), (a, deletions) => {
        const b = [...a];
        let removed = 0;
        for (const at of deletions) if (b.length > 0 && b.splice(at % b.length, 1).length === 1) removed++;
        const rows = rowsOf(alignSequences(a, b), a, b);
        expect(rows.filter(([i, j]) => i >= 0 && j < 0)).toHaveLength(removed);
        expect(rows.filter(([i, j]) => i < 0 && j >= 0)).toHaveLength(0);
      }),
    );
  });

  it('any two lists: as many matches as the longest common subsequence (Myers is exact)', () => {
    fc.assert(
      fc.property(commands, commands, (a, b) => {
        expect(matched(rowsOf(alignSequences(a, b), a, b))).toBe(lcsLength(a, b));
      }),
    );
  });

  it('with Myers denied (no budget), anchors and the window still give complete, ordered rows', () => {
    const tight: AlignOptions = { workBudget: 0, window: 4 };
    fc.assert(
      fc.property(commands, commands, (a, b) => {
        rowsOf(alignSequences(a, b, tight), a, b);
      }),
    );
  });

  it('an extra GET RESPONSE and a retried command do not shift what follows', () => {
    // 1 SELECT, 2 GET RESPONSE, 3 READ Le=00, 4 READ Le=08, 5..9 others.
    const a = [1, 2, 4, 5, 6, 7, 8, 9];
    const b = [1, 2, 2, 3, 4, 5, 6, 7, 8, 9];
    const rows = rowsOf(alignSequences(a, b), a, b);
    expect(rows.filter(([i]) => i < 0).map(([, j]) => b[j])).toEqual([2, 3]);
    expect(matched(rows)).toBe(a.length);
  });

  it('the fallback resynchronises after an insertion when Myers may not run', () => {
    const a = Array.from({ length: 500 }, (_, i) => i % 7);
    const b = [...a.slice(0, 200), 99, 98, ...a.slice(200)];
    const al = alignSequences(a, b, { workBudget: 0, window: 8 });
    const rows = rowsOf(al, a, b);
    expect(al.stats.myersRanges).toBe(0);
    expect(rows.filter(([i]) => i < 0).map(([, j]) => b[j])).toEqual([99, 98]);
    expect(matched(rows)).toBe(500);
  });

  it('large edit cost beyond the cap: unique anchors split the work', () => {
    // Two unrelated halves around shared unique commands 1000..1009.
    const a: number[] = [];
    const b: number[] = [];
    for (let k = 0; k < 10; k++) {
      a.push(...Array.from({ length: 50 }, (_, i) => (i * 3 + k) % 5), 1000 + k);
      b.push(...Array.from({ length: 50 }, (_, i) => 10 + ((i + k) % 5)), 1000 + k);
    }
    const al = alignSequences(a, b, { maxEditCost: 20 });
    const rows = rowsOf(al, a, b);
    // The last one ends both lists: matched as the common suffix, the nine others as anchors.
    expect(al.stats.anchors).toBe(9);
    expect(al.stats.trimmed).toBe(1);
    expect(matched(rows)).toBe(10);
  });
});
