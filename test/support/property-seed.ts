/**
 * Every fast-check property in the Vitest tiers runs from one fixed seed, so `npm test` gives the
 * same verdict on every run and every machine. CARDBENCH_PROPERTY_SEED explores another seed
 * (fast-check prints the seed and the shrunk counterexample of a failure, so it can be replayed);
 * open-ended exploration belongs in `npm run fuzz`.
 */
import fc from 'fast-check';

export const DEFAULT_PROPERTY_SEED = 20_261_202;

export function propertySeed(env: NodeJS.ProcessEnv = process.env): number {
  const text = env.CARDBENCH_PROPERTY_SEED;
  if (text === undefined || text === '') return DEFAULT_PROPERTY_SEED;
  const seed = Number(text);
  if (!Number.isSafeInteger(seed)) throw new Error(`CARDBENCH_PROPERTY_SEED must be an integer, not '${text}'.`);
  return seed;
}

fc.configureGlobal({ seed: propertySeed() });
