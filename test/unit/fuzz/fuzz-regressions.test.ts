/**
 * Replays saved fuzz findings, and runs a short deterministic mutation round per target on
 * every test run (the long-running fuzzer is test/fuzz/fuzz-parsers.ts).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { invariantViolations } from '../../fuzz/invariants.js';
import { mutate, seededRandom } from '../../fuzz/mutate.js';
import { loadSeeds } from '../../fuzz/seeds.js';
import { FUZZ_TARGETS } from '../../fuzz/targets.js';
import { REPO_ROOT, requireShared } from '../../shared-path.js';

const regressionDir = join(REPO_ROOT, 'test', 'fixtures', 'fuzz-regressions');
const findings = readdirSync(regressionDir).filter((name) => name.endsWith('.bin'));
/** `<target>-<sha256 prefix>.bin`, as fuzz-parsers.ts saves a finding. */
const targetOf = (name: string): string | undefined => /^(.+)-[0-9a-f]{16}\.bin$/.exec(name)?.[1];

describe('saved fuzz findings', () => {
  it("are there to replay (the folder's README says where each comes from)", () => {
    expect(findings.length).toBeGreaterThanOrEqual(3);
  });

  it('name a known target', () => {
    for (const name of findings)
      expect(
        FUZZ_TARGETS.map((t) => t.name),
        name,
      ).toContain(targetOf(name));
  });

  for (const name of findings) {
    it(`${name} decodes within the invariants`, () => {
      const target = FUZZ_TARGETS.find((t) => t.name === targetOf(name))!;
      const input = new Uint8Array(readFileSync(join(regressionDir, name)));
      expect(invariantViolations(input, target.run(input))).toEqual([]);
    });
  }
});

describe.skipIf(requireShared('captures'))('mutated real inputs', () => {
  const seeds = loadSeeds();
  it.each(FUZZ_TARGETS.map((t) => [t.name, t] as const))('%s keeps its invariants on 300 mutations of real data', (_name, target) => {
    const random = seededRandom(0x5eed);
    const pool = seeds[target.seedKind];
    expect(pool.length).toBeGreaterThan(0);
    // Whole captures cost ~10 ms each: fewer rounds keep the unit tier quick; npm run fuzz explores them for longer.
    const rounds = target.seedKind === 'capture' || target.seedKind === 'trace' ? 30 : 300;
    for (let i = 0; i < rounds; i++) {
      const input = mutate(pool[i % pool.length]!, pool[(i * 7) % pool.length]!, random);
      expect(invariantViolations(input, target.run(input)), `mutation ${i}`).toEqual([]);
    }
  });
});
