import { describe, expect, it } from 'vitest';
import { field } from '#core/dissect/node.js';
import { invariantViolations, KEPT_BYTES_ALLOWANCE, keptBytes } from '../../fuzz/invariants.js';

const input = new Uint8Array(10);

describe('fuzz invariants', () => {
  it('accept nodes inside the bytes they describe', () => {
    const tree = field('x', 'x', 3, 10, undefined, [field('x.a', 'a', 3, 1), field('x.b', 'b', 12, 1)]);
    expect(invariantViolations(input, { trees: [{ node: tree, start: 3, end: 13 }], kept: tree })).toEqual([]);
  });

  it('name a node that reaches past its input, or starts before it', () => {
    const past = field('x', 'x', 0, 10, undefined, [field('x.status', 'status', 9, 3)]);
    expect(invariantViolations(input, { trees: [{ node: past, start: 0, end: 10 }], kept: null })).toEqual([
      'x.status covers 9..12, outside its input 0..10',
    ]);
    const before = field('y', 'y', 2, 1);
    expect(invariantViolations(input, { trees: [{ node: [before], start: 3, end: 13 }], kept: null })).toHaveLength(1);
  });

  it('refuse a kept size that grows beyond the budget for the input', () => {
    const huge = { bytes: new Uint8Array(KEPT_BYTES_ALLOWANCE + 256 * input.length + 1) };
    expect(invariantViolations(input, { trees: [], kept: huge })[0]).toMatch(/^keeps ~\d+ bytes for 10 input bytes/);
    expect(invariantViolations(input, { trees: [], kept: huge, keptPerInputByte: 1e6 })).toEqual([]);
  });

  it('refuse more nodes than the input can describe', () => {
    const many = Array.from({ length: 1000 }, (_, i) => field('n', 'n', i % 10, 0));
    expect(invariantViolations(input, { trees: [{ node: many, start: 0, end: 10 }], kept: null })[0]).toMatch(/^1000 nodes/);
  });

  it('estimate kept bytes from strings, typed arrays and object slots, counting shared objects once', () => {
    const shared = new Uint8Array(100);
    expect(keptBytes({ a: shared, b: shared })).toBeLessThan(keptBytes({ a: shared, b: new Uint8Array(100) }));
    expect(keptBytes('x'.repeat(1000))).toBeGreaterThanOrEqual(1000);
  });
});
