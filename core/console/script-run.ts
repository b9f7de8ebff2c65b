/**
 * Runs a parsed script step by step and says, for each, what was sent, what came back and
 * whether the expected status word was met. A failed transmit ends the run (the card or reader
 * is gone); a failed assertion does not. Each step is handed to `onStep` as it completes, so a
 * caller can show it at once and pace the run; `stopRequested` is asked before every step, so a
 * Ctrl-C stops the run between steps and the result says where.
 */
import { SelectedApplications } from '../apps/selected-applications.js';
import type { ExchangeView } from './exchange-view.js';
import { statusWordMatches, type ParsedScript, type ScriptProblem } from './script.js';
import { transmitApdu, type SendApdu } from './transmit-sequence.js';

export type StepOutcome = 'passed' | 'failed' | 'sent' | 'reset' | 'error';

export interface ScriptStepResult {
  line: number;
  kind: 'apdu' | 'reset';
  outcome: StepOutcome;
  /** Every exchange of this step (more than one with 61xx/6Cxx handling). */
  exchanges: ExchangeView[];
  /** The answer assembled from those exchanges, when follow-ups were folded in. */
  whole?: ExchangeView;
  expected: string[] | undefined;
  /** Why it failed or errored, in a sentence. */
  message?: string;
}

/** Where a run that was asked to stop ended. */
export interface ScriptStop {
  /** Script line of the first step that did not complete. */
  line: number;
  /** True when that step had been sent and its answer was still awaited; false when it was never sent. */
  inFlight: boolean;
  /** Steps that did not complete, that one included. */
  notDone: number;
}

export interface ScriptRunResult {
  ok: boolean;
  /** Every completed step, unless the caller asked not to keep them (it had them through onStep). */
  steps: ScriptStepResult[];
  problems: ScriptProblem[];
  counts: { passed: number; failed: number; sent: number; errors: number };
  /** Present when the run was stopped before its end. */
  stopped?: ScriptStop;
}

export interface ScriptRunner {
  send: SendApdu;
  reset(): Promise<void>;
}

export interface ScriptRunOptions {
  followUps?: boolean;
  /** Called with each step as it completes, before the next is sent; awaited, so a slow consumer paces the run. */
  onStep?: (step: ScriptStepResult) => void | Promise<void>;
  /** Asked before each step and when a step fails to send: true ends the run there. */
  stopRequested?: () => boolean;
  /** Keep every step in the result (default true). A streaming caller says false and memory stays flat. */
  keepSteps?: boolean;
  /**
   * What the card has selected, followed across the steps (a reset step forgets it) so a GET
   * DATA after SELECT is named from that application's dictionary, as the Console names it. A
   * caller that shares the card with the Console passes the Console's; default: a new one.
   */
  selected?: SelectedApplications;
}

export async function runScript(script: ParsedScript, runner: ScriptRunner, options: ScriptRunOptions = {}): Promise<ScriptRunResult> {
  const steps: ScriptStepResult[] = [];
  const counts = { passed: 0, failed: 0, sent: 0, errors: 0 };
  let stopped: ScriptStop | undefined;
  const result = (): ScriptRunResult => ({
    ok: counts.failed === 0 && counts.errors === 0 && script.problems.length === 0 && stopped === undefined,
    steps,
    problems: script.problems,
    counts,
    ...(stopped ? { stopped } : {}),
  });
  const complete = async (step: ScriptStepResult): Promise<void> => {
    if (step.outcome === 'passed') counts.passed++;
    else if (step.outcome === 'failed') counts.failed++;
    else if (step.outcome === 'sent') counts.sent++;
    else if (step.outcome === 'error') counts.errors++;
    if (options.keepSteps !== false) steps.push(step);
    await options.onStep?.(step);
  };
  if (script.problems.length > 0) return result();
  const selected = options.selected ?? new SelectedApplications();
  for (const [index, step] of script.steps.entries()) {
    const notDone = script.steps.length - index;
    if (options.stopRequested?.()) {
      stopped = { line: step.line, inFlight: false, notDone };
      break;
    }
    if (step.kind === 'reset') {
      // Whatever the outcome, the card's selection is not known any more.
      selected.reset();
      try {
        await runner.reset();
      } catch (error) {
        if (options.stopRequested?.()) {
          stopped = { line: step.line, inFlight: true, notDone };
          break;
        }
        await complete({ line: step.line, kind: 'reset', outcome: 'error', exchanges: [], expected: undefined, message: messageOf(error) });
        break;
      }
      await complete({ line: step.line, kind: 'reset', outcome: 'reset', exchanges: [], expected: undefined });
      continue;
    }
    let exchanges: ExchangeView[];
    let whole: ExchangeView | undefined;
    try {
      ({ exchanges, whole } = await transmitApdu(runner.send, step.apdu, { followUps: options.followUps ?? false, selected }));
    } catch (error) {
      if (options.stopRequested?.()) {
        stopped = { line: step.line, inFlight: true, notDone };
        break;
      }
      await complete({ line: step.line, kind: 'apdu', outcome: 'error', exchanges: [], expected: step.expect, message: messageOf(error) });
      break;
    }
    const last = exchanges[exchanges.length - 1]!;
    const answered = { line: step.line, kind: 'apdu' as const, exchanges, ...(whole ? { whole } : {}) };
    if (!step.expect) {
      await complete({ ...answered, outcome: 'sent', expected: undefined });
    } else if (statusWordMatches(last.sw, step.expect)) {
      await complete({ ...answered, outcome: 'passed', expected: step.expect });
    } else {
      await complete({
        ...answered,
        outcome: 'failed',
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
