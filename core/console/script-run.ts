/**
 * Runs a parsed script step by step and says, for each, what was sent, what came back and
 * whether the expected status word was met. A failed transmit ends the run (the card or reader
 * is gone); a failed assertion does not.
 */
import type { ExchangeView } from './exchange-view.js';
import { statusWordMatches, type ParsedScript, type ScriptProblem } from './script.js';
import { transmitWithFollowUps, type SendApdu } from './transmit-sequence.js';

export type StepOutcome = 'passed' | 'failed' | 'sent' | 'reset' | 'error';

export interface ScriptStepResult {
  line: number;
  kind: 'apdu' | 'reset';
  outcome: StepOutcome;
  /** Every exchange of this step (more than one with 61xx/6Cxx handling). */
  exchanges: ExchangeView[];
  expected: string[] | undefined;
  /** Why it failed or errored, in a sentence. */
  message?: string;
}

export interface ScriptRunResult {
  ok: boolean;
  steps: ScriptStepResult[];
  problems: ScriptProblem[];
  counts: { passed: number; failed: number; sent: number; errors: number };
}

export interface ScriptRunner {
  send: SendApdu;
  reset(): Promise<void>;
}

export async function runScript(
  script: ParsedScript,
  runner: ScriptRunner,
  options: { followUps?: boolean } = {},
): Promise<ScriptRunResult> {
  const steps: ScriptStepResult[] = [];
  const result = (): ScriptRunResult => {
    const counts = { passed: 0, failed: 0, sent: 0, errors: 0 };
    for (const s of steps) {
      if (s.outcome === 'passed') counts.passed++;
      else if (s.outcome === 'failed') counts.failed++;
      else if (s.outcome === 'sent') counts.sent++;
      else if (s.outcome === 'error') counts.errors++;
    }
    return { ok: counts.failed === 0 && counts.errors === 0 && script.problems.length === 0, steps, problems: script.problems, counts };
  };
  if (script.problems.length > 0) return result();
  for (const step of script.steps) {
    if (step.kind === 'reset') {
      try {
        await runner.reset();
        steps.push({ line: step.line, kind: 'reset', outcome: 'reset', exchanges: [], expected: undefined });
      } catch (error) {
        steps.push({ line: step.line, kind: 'reset', outcome: 'error', exchanges: [], expected: undefined, message: messageOf(error) });
        break;
      }
      continue;
    }
    let exchanges: ExchangeView[];
    try {
      exchanges = await transmitWithFollowUps(runner.send, step.apdu, options.followUps ?? false);
    } catch (error) {
      steps.push({ line: step.line, kind: 'apdu', outcome: 'error', exchanges: [], expected: step.expect, message: messageOf(error) });
      break;
    }
    const last = exchanges[exchanges.length - 1]!;
    if (!step.expect) {
      steps.push({ line: step.line, kind: 'apdu', outcome: 'sent', exchanges, expected: undefined });
    } else if (statusWordMatches(last.sw, step.expect)) {
      steps.push({ line: step.line, kind: 'apdu', outcome: 'passed', exchanges, expected: step.expect });
    } else {
      steps.push({
        line: step.line,
        kind: 'apdu',
        outcome: 'failed',
        exchanges,
        expected: step.expect,
        message: `expected ${step.expect.join(' or ')}, got ${last.sw || 'no status word'} (${last.meaning})`,
      });
    }
  }
  return result();
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
