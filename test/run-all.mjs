#!/usr/bin/env node
// `npm test`: every tier, in order, with one summary. Static checks and the build come first
// (a type or lint error fails fast); each test tier writes a JSON report that is counted here,
// and the run ends with the plain closing line "N passed, N failed, N skipped".
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const results = join(root, 'test', '.results');
rmSync(results, { recursive: true, force: true });
mkdirSync(results, { recursive: true });
const bin = (name) => join(root, 'node_modules', '.bin', name);
const inNamespace = ['bash', join(root, 'test/rigs/in-private-namespace.sh')];

const steps = [
  { name: 'typecheck', command: [bin('tsc'), '-b'] },
  {
    name: 'svelte-check',
    command: [bin('svelte-check'), '--tsconfig', 'renderer/tsconfig.json', '--fail-on-warnings', '--output', 'human'],
  },
  { name: 'lint', command: [bin('eslint'), '-c', 'build/eslint.config.js', '.'] },
  { name: 'format', command: [bin('prettier'), '--check', '--log-level', 'warn', '.'] },
  { name: 'build', command: ['npm', 'run', '--silent', 'build'] },
  {
    name: 'unit',
    report: 'vitest',
    command: [bin('vitest'), 'run', '--config', 'test/vitest.config.ts', '--project', 'unit', '--project', 'renderer'],
  },
  {
    name: 'integration',
    report: 'vitest',
    command: [...inNamespace, bin('vitest'), 'run', '--config', 'test/vitest.config.ts', '--project', 'integration'],
  },
  {
    name: 'e2e-web',
    report: 'playwright',
    command: [...inNamespace, bin('playwright'), 'test', '--config', 'test/playwright.config.ts', '--project', 'e2e-web'],
  },
  {
    name: 'e2e-electron',
    report: 'playwright',
    command: [bin('playwright'), 'test', '--config', 'test/playwright.config.ts', '--project', 'e2e-electron'],
  },
];

const only = process.argv.slice(2);
const summary = [];
let failedSteps = 0;
for (const step of steps) {
  if (only.length > 0 && !only.includes(step.name)) continue;
  const reportFile = join(results, `${step.name}.json`);
  const args = [...step.command.slice(1)];
  const env = { ...process.env, FORCE_COLOR: process.env.FORCE_COLOR ?? '0' };
  if (step.report === 'vitest') args.push('--reporter=default', '--reporter=json', `--outputFile.json=${reportFile}`);
  if (step.report === 'playwright') {
    args.push('--reporter=list,json');
    env.PLAYWRIGHT_JSON_OUTPUT_NAME = reportFile;
  }
  console.log(`\n━━ ${step.name} ━━`);
  const started = Date.now();
  const run = spawnSync(step.command[0], args, { cwd: root, stdio: 'inherit', env });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const counts = step.report ? countReport(step.report, reportFile) : undefined;
  const ok = run.status === 0 && (!counts || counts.failed === 0);
  if (!ok) failedSteps++;
  summary.push({ step: step.name, ok, seconds, counts, status: run.status ?? run.signal });
}

console.log('\n━━ summary ━━');
const total = { passed: 0, failed: 0, skipped: 0 };
for (const { step, ok, seconds, counts, status } of summary) {
  const detail = counts ? `${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped` : ok ? 'ok' : `exit ${status}`;
  console.log(`${ok ? '✓' : '✗'} ${step.padEnd(13)} ${detail.padEnd(40)} ${seconds}s`);
  if (counts) for (const key of Object.keys(total)) total[key] += counts[key];
}
// A step that failed outside its tests (type error, crash before the reporter) still counts as a failure.
const failed = total.failed + summary.filter((s) => !s.ok && (!s.counts || s.counts.failed === 0)).length;
console.log(`\n${total.passed} passed, ${failed} failed, ${total.skipped} skipped`);
process.exit(failedSteps > 0 ? 1 : 0);

function countReport(kind, file) {
  if (!existsSync(file)) return { passed: 0, failed: 1, skipped: 0 };
  const report = JSON.parse(readFileSync(file, 'utf8'));
  if (kind === 'vitest') {
    return { passed: report.numPassedTests, failed: report.numFailedTests, skipped: report.numPendingTests + report.numTodoTests };
  }
  const stats = report.stats ?? {};
  return { passed: stats.expected ?? 0, failed: (stats.unexpected ?? 0) + (stats.flaky ?? 0), skipped: stats.skipped ?? 0 };
}
