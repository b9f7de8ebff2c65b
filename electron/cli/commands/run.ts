/**
 * `cardbench run SCRIPT [--reader R] [--protocol …] [--share …] [--follow-ups] [--json]`: runs a
 * scriptor-format script (see core/console/script.ts: hex APDUs, `reset`, `#` comments,
 * `=> 9000` or `# expect 9000` assertions) and prints each step. Exit 1 when an assertion
 * fails or a step could not be sent.
 */
import { readFileSync } from 'node:fs';
import type { ScriptRunResult } from '../../../core/console/script-run.js';
import { ConsoleService } from '../../backend/readers/console-service.js';
import type { CliCommand, CommandContext } from '../command.js';
import { CliError, EXIT } from '../exit-codes.js';
import { parseTransmitOptions, TRANSMIT_USAGE } from '../transmit-options.js';
import { withReaderHub } from '../reader-session.js';
import { sentExchange } from './send.js';

const MAX_SCRIPT_BYTES = 2_000_000;

export const runCommand: CliCommand = {
  name: 'run',
  usage: `SCRIPT ${TRANSMIT_USAGE}`,
  summary: 'run an APDU script (scriptor format with expected status words)',
  async run(context: CommandContext, args: readonly string[]): Promise<number> {
    const options = parseTransmitOptions('run', args);
    const positionals = options.positionals;
    if (positionals.length !== 1) throw new CliError('run: give one script file (use - to read it from standard input).', EXIT.usage);
    const path = positionals[0]!;
    let script: string;
    try {
      script = readFileSync(path === '-' ? 0 : path, 'utf8');
    } catch (error) {
      throw new CliError(`run: cannot read ${path}: ${(error as Error).message}`, EXIT.usage);
    }
    if (script.length > MAX_SCRIPT_BYTES)
      throw new CliError(`run: ${path} is larger than ${MAX_SCRIPT_BYTES} bytes; split it.`, EXIT.usage);
    const request = {
      script,
      ...(options.reader === undefined ? {} : { reader: options.reader }),
      share: options.share,
      protocol: options.protocol,
      followUps: options.followUps,
    };
    // The CLI keeps no history: scripts are files already.
    const result = await withReaderHub((hub) => new ConsoleService(hub, undefined).runScript(request));
    if (result.problems.length > 0) {
      for (const p of result.problems) context.stderr(`${path}:${p.line}: ${p.message}`);
      throw new CliError(`run: ${path} has ${result.problems.length} problem(s); nothing was sent.`, EXIT.usage);
    }
    if (options.json) context.stdout(JSON.stringify(jsonSteps(result), null, 2));
    else printSteps(context, result, path);
    return result.ok ? EXIT.ok : EXIT.failure;
  },
};

function jsonSteps(result: ScriptRunResult): Record<string, unknown>[] {
  return result.steps.flatMap((step): Record<string, unknown>[] => {
    if (step.kind === 'reset')
      return [{ line: step.line, reset: true, outcome: step.outcome, ...(step.message ? { message: step.message } : {}) }];
    if (step.exchanges.length === 0) return [{ line: step.line, outcome: step.outcome, message: step.message }];
    return step.exchanges.map((exchange, index) => ({
      line: step.line,
      ...sentExchange(exchange),
      ...(index === step.exchanges.length - 1
        ? {
            outcome: step.outcome,
            ...(step.expected ? { expected: step.expected.join('|') } : {}),
            ...(step.message ? { message: step.message } : {}),
          }
        : {}),
    }));
  });
}

function printSteps(context: CommandContext, result: ScriptRunResult, path: string): void {
  for (const step of result.steps) {
    if (step.kind === 'reset') {
      context.stdout(`${path}:${step.line}: reset${step.outcome === 'error' ? ` FAILED: ${step.message}` : ''}`);
      continue;
    }
    for (const exchange of step.exchanges) {
      context.stdout(`> ${exchange.command}${exchange.automatic ? '   (automatic)' : ''}`);
      context.stdout(`< ${exchange.response}  ${exchange.sw} ${exchange.meaning} (${exchange.ms} ms)`);
    }
    if (step.outcome === 'passed') context.stdout(`  ok: ${step.expected?.join(' or ')}`);
    if (step.outcome === 'failed' || step.outcome === 'error') context.stdout(`  ${path}:${step.line}: FAILED: ${step.message}`);
  }
  const c = result.counts;
  context.stdout(
    `${result.ok ? 'OK' : 'FAILED'}: ${c.passed} passed, ${c.failed} failed, ${c.sent} sent without assertion${c.errors ? `, ${c.errors} error(s)` : ''}.`,
  );
}
