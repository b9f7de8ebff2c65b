import { parseArgs, type ParseArgsConfig } from 'node:util';

type ParseArgsOptionsConfig = NonNullable<ParseArgsConfig['options']>;
import { APP_VERSION } from '../backend/version.js';
import type { CommandContext } from './command.js';
import { PLANNED_COMMANDS, runPlanned } from './commands/planned.js';
import { runStart } from './commands/start.js';
import { runWeb } from './commands/web.js';
import { CliError, EXIT } from './exit-codes.js';

export const HELP = `Cardbench ${APP_VERSION} — smart card toolbox

Usage: cardbench <command> [options]

Commands:
  start                 run the desktop app (browser mode when Electron's binary is missing)
  web [--port N] [--no-open]
                        serve the app to your browser on loopback, with a per-run token
${Object.entries(PLANNED_COMMANDS)
  .map(([name, what]) => `  ${name.padEnd(22)}${what}`)
  .join('\n')}

Options:
  -h, --help            show this help
  -v, --version         print the version

Exit codes: 0 ok, 1 operation failed, 2 usage error, 3 not available here, 130 interrupted.`;

const WEB_OPTIONS = {
  port: { type: 'string' },
  host: { type: 'string' },
  'no-open': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function runCli(argv: readonly string[], context: CommandContext): Promise<number> {
  try {
    return await dispatchCommand(argv, context);
  } catch (error) {
    if (error instanceof CliError) {
      context.stderr(`cardbench: ${error.message}`);
      return error.exitCode;
    }
    context.stderr(`cardbench: unexpected failure: ${error instanceof Error ? error.message : String(error)}`);
    return EXIT.failure;
  }
}

async function dispatchCommand(argv: readonly string[], context: CommandContext): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
    context.stdout(HELP);
    return command === undefined ? EXIT.usage : EXIT.ok;
  }
  if (command === '-v' || command === '--version') {
    context.stdout(APP_VERSION);
    return EXIT.ok;
  }
  if (command === 'web' || command === 'start') {
    const { values } = parseOptions(rest, WEB_OPTIONS, command);
    if (values.help) {
      context.stdout(HELP);
      return EXIT.ok;
    }
    const options = { port: parsePort(values.port), host: values.host ?? '127.0.0.1', open: !values['no-open'] };
    return command === 'web' ? runWeb(context, options) : runStart(context, options);
  }
  if (Object.hasOwn(PLANNED_COMMANDS, command)) runPlanned(command);
  throw new CliError(`unknown command '${command}'. Run \`cardbench --help\` for the list.`, EXIT.usage);
}

function parseOptions<T extends ParseArgsOptionsConfig>(args: readonly string[], options: T, command: string) {
  try {
    return parseArgs({ args: [...args], options, allowPositionals: false, strict: true });
  } catch (error) {
    throw new CliError(`${command}: ${error instanceof Error ? error.message : String(error)}`, EXIT.usage);
  }
}

export function parsePort(text: string | undefined): number {
  if (text === undefined) return 0;
  if (!/^\d{1,5}$/.test(text) || Number(text) > 65535) {
    throw new CliError(`--port must be a number from 0 to 65535 (0 = any free port), not '${text}'.`, EXIT.usage);
  }
  return Number(text);
}
