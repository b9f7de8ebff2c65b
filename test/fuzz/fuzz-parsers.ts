/**
 * Long-running mutation fuzzer for every parser of untrusted bytes (coverage-guided fuzzers do
 * not run on this machine; see ../shared/notes/toolchain.md). Seeds are real captures and ground
 * truth; an input that throws, breaks an invariant (invariants.ts: nodes inside the input, kept
 * size bounded by the input's), or takes longer than its size allows is saved under
 * test/fixtures/fuzz-regressions/ and replayed by the unit tier forever after.
 *
 *   npx tsx test/fuzz/fuzz-parsers.ts [--seconds 60] [--target NAME] [--seed N]
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT } from '../shared-path.js';
import { invariantViolations } from './invariants.js';
import { mutate, seededRandom } from './mutate.js';
import { loadSeeds } from './seeds.js';
import { FUZZ_TARGETS, type FuzzTarget } from './targets.js';

const { values } = parseArgs({ options: { seconds: { type: 'string' }, target: { type: 'string' }, seed: { type: 'string' } } });
const seconds = Number(values.seconds ?? 60);
const seed = Number(values.seed ?? Date.now() % 2 ** 31);
/**
 * Time budget per input, relative to its size: a fixed allowance plus 20 µs per byte (the capture
 * target feeds its input in chunks as small as one byte, the slowest honest path seen: ~10 µs/byte).
 */
const timeBudgetMs = (input: Uint8Array): number => 100 + input.length * 0.02;
const regressions = join(REPO_ROOT, 'test', 'fixtures', 'fuzz-regressions');
const targets = FUZZ_TARGETS.filter((t) => !values.target || t.name === values.target);
if (targets.length === 0) throw new Error(`no fuzz target named ${values.target}; known: ${FUZZ_TARGETS.map((t) => t.name).join(', ')}`);

function timeRun(target: FuzzTarget, input: Uint8Array): number {
  const started = performance.now();
  target.run(input);
  return performance.now() - started;
}

const seeds = loadSeeds();
const random = seededRandom(seed);
const budgetMs = (seconds * 1000) / targets.length;
console.log(`fuzzing ${targets.length} targets for ${seconds}s, seed ${seed}`);
let findings = 0;

for (const target of targets) {
  const pool = seeds[target.seedKind];
  if (pool.length === 0) throw new Error(`no seeds for ${target.name}`);
  const deadline = Date.now() + budgetMs;
  let iterations = 0;
  let slowest = 0;
  while (Date.now() < deadline) {
    const input = mutate(pool[iterations % pool.length]!, pool[Math.floor(random() * pool.length)]!, random);
    const started = performance.now();
    let failure: string | undefined;
    try {
      const violations = invariantViolations(input, target.run(input));
      if (violations.length > 0) failure = violations.join('; ');
    } catch (error) {
      failure = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    }
    const ms = performance.now() - started;
    slowest = Math.max(slowest, ms);
    if (ms > timeBudgetMs(input) && !failure) {
      // A garbage collection or the other core's load can stall one run: slow is slow every time.
      const fastest = Math.min(ms, timeRun(target, input), timeRun(target, input));
      if (fastest > timeBudgetMs(input))
        failure = `took ${fastest.toFixed(0)} ms for ${input.length} bytes (budget ${timeBudgetMs(input).toFixed(0)} ms)`;
    }
    if (failure) {
      findings++;
      const name = `${target.name}-${createHash('sha256').update(input).digest('hex').slice(0, 16)}.bin`;
      mkdirSync(regressions, { recursive: true });
      writeFileSync(join(regressions, name), input);
      console.log(`  ${target.name}: ${failure} → saved ${name}`);
    }
    iterations++;
  }
  console.log(
    `${target.name.padEnd(16)} ${String(iterations).padStart(8)} inputs  ${(iterations / (budgetMs / 1000)).toFixed(0).padStart(7)}/s  slowest ${slowest.toFixed(1)} ms`,
  );
}
console.log(`peak RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`);
console.log(findings === 0 ? 'no crash, no hang, no broken invariant' : `${findings} finding(s) saved to ${regressions}`);
process.exitCode = findings === 0 ? 0 : 1;
