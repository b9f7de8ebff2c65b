/**
 * `cardbench run SCRIPT [--reader R] [--protocol …] [--share …] [--follow-ups] [--json]`: runs a
 * scriptor-format script (see core/console/script.ts: hex APDUs, `reset`, `#` comments,
 * `=> 9000` or `# expect 9000` assertions) and prints each step as it completes, then a verdict
 * line. Exit 1 when an assertion fails, a step could not be sent, or the script cannot be read or
 * has lines that are not steps; Ctrl-C stops it between steps (or while one waits for its
 * answer), says at which line of the script, and exits 130.
 */
import type { ScriptRunResult, ScriptStepResult, ScriptStop } from '#core/console/script-run.js';
import { ConsoleService } from '../../backend/readers/console-service.js';
import { stopCause, type CliCommand, type CommandContext } from '../command.js';
import { CliError, EXIT } from '../exit-codes.js';
import { JsonArrayWriter } from '../json-array-writer.js';
import { readTextInput } from '../read-input.js';
import { cliReaderBackends, withReaderHub } from '../reader-session.js';
import { openCliRecording, RECORD_OPTION_HELP, RECORD_OPTIONS, RECORD_USAGE } from '../record-option.js';
import { parseTransmitOptions, TRANSMIT_OPTION_HELP, TRANSMIT_USAGE } from '../transmit-options.js';
import { exchangeLines, sentExchange } from './send.js';

const MAX_SCRIPT_BYTES = 2_000_000;

export const runCommand: CliCommand = {
  name: 'run',
  usage: `SCRIPT ${TRANSMIT_USAGE} ${RECORD_USAGE}`,
  summary: 'run an APDU script (scriptor format with expected status words)',
  help: {
    arguments: [{ syntax: 'SCRIPT', text: 'the script file, or - to read it from standard input' }],
    options: [
      ...TRANSMIT_OPTION_HELP.map((option) =>
        option.syntax === '--json' ? { ...option, text: 'print the steps as a JSON array instead of text' } : option,
      ),
      ...RECORD_OPTION_HELP,
    ],
    examples: [
      'cardbench run openpgp.apdu   # every step, then OK/FAILED with the counts',
      'cardbench run --reader "Virtual PCD 00 00" --json checks.apdu > steps.json',
      "printf '00A4040006D27600012401 => 9000\\n' | cardbench run -",
      "cardbench run --record run.pcapng checks.apdu   # the script's exchanges as a Wireshark trace",
    ],
    notes: [
      'Script lines: an APDU in hex; `reset` (reconnect with a card reset); `# comment`; `exit` ends the script.',
      'Assertions: `00CA006E00 => 9000`, `=> 61XX` (X any digit), `=> 9000|6282`, or `# expect 9000` after the APDU.',
      `At most 10000 steps and ${MAX_SCRIPT_BYTES} bytes. Exit 0 when every assertion holds, 1 when one fails, a step`,
      'cannot be sent, or the script cannot be read or has lines that are not steps (nothing is sent then).',
      'Ctrl-C stops it between steps (exit 130) and says at which line of the script.',
    ],
  },
  async run(context: CommandContext, args: readonly string[]): Promise<number> {
    const options = parseTransmitOptions('run', args, RECORD_OPTIONS);
    const positionals = options.positionals;
    if (positionals.length !== 1) throw new CliError('run: give one script file (use - to read it from standard input).', EXIT.usage);
    const path = positionals[0]!;
    const label = path === '-' ? 'standard input' : path;
    const script = await readTextInput('run', path, MAX_SCRIPT_BYTES, context.signal);
    const lineCount = countLines(script);
    const recording = openCliRecording('run', options.extra);
    const json = options.json ? new JsonArrayWriter(context.write) : undefined;
    const request = {
      script,
      ...(options.reader === undefined ? {} : { reader: options.reader }),
      share: options.share,
      protocol: options.protocol,
      followUps: options.followUps,
    };
    let result: ScriptRunResult | undefined;
    try {
      // The CLI keeps no history and no steps: each is printed as it completes (a script is a file already).
      result = await withReaderHub(
        context,
        (hub) =>
          new ConsoleService(hub, undefined).runScript(request, {
            signal: context.signal,
            keepSteps: false,
            onStep: async (step) => {
              if (json) for (const entry of jsonStep(step)) json.push(entry);
              else printStep(context, step, label);
              await context.drain();
            },
          }),
        recording?.backends(cliReaderBackends),
      );
    } catch (error) {
      if (!context.signal.aborted) throw error;
    } finally {
      if (recording) context.stderr(recording.close());
    }
    if (result && result.problems.length > 0) {
      for (const p of result.problems) context.stderr(`${label}:${p.line}: ${p.message}`);
      throw new CliError(`run: ${label} has ${result.problems.length} line(s) that are not steps; nothing was sent.`, EXIT.failure);
    }
    json?.close();
    if (context.signal.aborted) {
      const where = result?.stopped
        ? stopText(result.stopped, lineCount)
        : result
          ? 'after the last step: every step was run.'
          : 'before the first step was sent.';
      if (!json && result) context.stdout(verdictLine(result));
      context.stderr(`cardbench: run: stopped by ${stopCause(context.signal)} ${where}`);
      return EXIT.interrupted;
    }
    if (!json) context.stdout(verdictLine(result!));
    return result!.ok && !recording?.failed ? EXIT.ok : EXIT.failure;
  },
};

/** Lines as an editor numbers them (a final newline does not start another line). */
function countLines(text: string): number {
  if (text === '') return 0;
  return text.split(/\r?\n/).length - (/\r?\n$/.test(text) ? 1 : 0);
}

/** "at line 53 of 201: the APDU there was sent and got no answer; 147 later step(s) were not run." */
export function stopText(stop: ScriptStop, lineCount: number): string {
  const later = stop.notDone - 1;
  const rest = later === 0 ? '' : `${later} later step(s) were not run`;
  const head = `at line ${stop.line} of ${lineCount}`;
  if (stop.inFlight) return `${head}: its step was sent and got no answer${rest ? `; ${rest}` : ''}.`;
  return `${head}: that step was not run${later ? `, nor the ${later} after it` : ''}.`;
}

function verdictLine(result: ScriptRunResult): string {
  const c = result.counts;
  const counts = `${c.passed} passed, ${c.failed} failed, ${c.sent} sent without assertion${c.errors ? `, ${c.errors} error(s)` : ''}`;
  if (result.stopped) return `STOPPED: ${counts}; ${result.stopped.notDone} step(s) not done.`;
  return `${result.ok ? 'OK' : 'FAILED'}: ${counts}.`;
}

function jsonStep(step: ScriptStepResult): Record<string, unknown>[] {
  if (step.kind === 'reset')
    return [{ line: step.line, reset: true, outcome: step.outcome, ...(step.message ? { message: step.message } : {}) }];
  if (step.exchanges.length === 0) return [{ line: step.line, outcome: step.outcome, message: step.message }];
  return [...step.exchanges, ...(step.whole ? [step.whole] : [])].map((exchange, index, all) => ({
    line: step.line,
    ...sentExchange(exchange),
    ...(index === all.length - 1
      ? {
          outcome: step.outcome,
          ...(step.expected ? { expected: step.expected.join('|') } : {}),
          ...(step.message ? { message: step.message } : {}),
        }
      : {}),
  }));
}

function printStep(context: CommandContext, step: ScriptStepResult, label: string): void {
  if (step.kind === 'reset') {
    context.stdout(`${label}:${step.line}: reset${step.outcome === 'error' ? ` FAILED: ${step.message}` : ''}`);
    return;
  }
  for (const exchange of [...step.exchanges, ...(step.whole ? [step.whole] : [])])
    for (const line of exchangeLines(sentExchange(exchange))) context.stdout(line);
  if (step.outcome === 'passed') context.stdout(`  ok: ${step.expected?.join(' or ')}`);
  if (step.outcome === 'failed' || step.outcome === 'error') context.stdout(`  ${label}:${step.line}: FAILED: ${step.message}`);
}
