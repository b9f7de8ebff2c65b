import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PROPERTY_SEED, propertySeed } from '../support/property-seed.js';

describe('property tests run from a fixed seed', () => {
  it('the setup file has configured fast-check with the seed (the default unless CARDBENCH_PROPERTY_SEED says otherwise)', () => {
    expect(fc.readConfigureGlobal().seed).toBe(propertySeed());
    if (process.env.CARDBENCH_PROPERTY_SEED === undefined) expect(fc.readConfigureGlobal().seed).toBe(DEFAULT_PROPERTY_SEED);
  });

  it('a property therefore sees the same inputs on every run', () => {
    const drawn: number[][] = [];
    for (let run = 0; run < 2; run++) {
      const values: number[] = [];
      fc.assert(
        fc.property(fc.integer(), (value) => {
          values.push(value);
        }),
        { numRuns: 5 },
      );
      drawn.push(values);
    }
    expect(drawn[0]).toEqual(drawn[1]);
  });

  it('CARDBENCH_PROPERTY_SEED explores another seed and refuses garbage', () => {
    expect(propertySeed({ CARDBENCH_PROPERTY_SEED: '42' })).toBe(42);
    expect(propertySeed({})).toBe(DEFAULT_PROPERTY_SEED);
    expect(() => propertySeed({ CARDBENCH_PROPERTY_SEED: 'x' })).toThrow(/must be an integer/);
  });
});
