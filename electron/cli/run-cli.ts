import { APP_VERSION } from '../backend/version.js';
import type { CliCommand, CommandContext } from './command.js';
import { COMMANDS } from './commands/index.js';
import { CliError, EXIT } from './exit-codes.js';

export function helpText(commands: readonly CliCommand[] = COMMANDS): string {
  const lines = commands.map((command) => {
    const head = `  ${command.name}${command.usage ? ` ${command.usage}` : ''}`;
    return head.length < 24 ? `${head.padEnd(24)}${command.summary}` : `${head}\n${' '.repeat(24)}${command.summary}`;
  });
  return `Cardbench ${APP_VERSION} — smart card toolbox

Usage: cardbench <command> [options]        (cardbench <command> --help for its options)

Commands:
${lines.join('\n')}

Options:
  -h, --help              show this help
  -v, --version           print the version
  --no-virtual            hide the built-in virtual reader for this run

Exit codes: 0 ok, 1 operation failed, 2 usage error, 3 not available here, 130 interrupted.`;
}

export async function runCli(
  argv: readonly string[],
  context: CommandContext,
  commands: readonly CliCommand[] = COMMANDS,
): Promise<number> {
  try {
    return await dispatchCommand(argv, context, commands);
  } catch (error) {
    if (error instanceof CliError) {
      context.stderr(`cardbench: ${error.message}`);
      return error.exitCode;
    }
    context.stderr(`cardbench: unexpected failure: ${error instanceof Error ? error.message : String(error)}`);
    return EXIT.failure;
  }
}

async function dispatchCommand(argv: readonly string[], context: CommandContext, commands: readonly CliCommand[]): Promise<number> {
  // --no-virtual applies to every command (and to the desktop app `start` launches): it travels in the environment.
  if (argv.includes('--no-virtual')) {
    process.env.CARDBENCH_NO_VIRTUAL = '1';
    argv = argv.filter((arg) => arg !== '--no-virtual');
  }
  const [name, ...rest] = argv;
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
    context.stdout(helpText(commands));
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  if (name === '-v' || name === '--version') {
    context.stdout(APP_VERSION);
    return EXIT.ok;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) throw new CliError(`unknown command '${name}'. Run \`cardbench --help\` for the list.`, EXIT.usage);
  if (rest.includes('--help') || rest.includes('-h')) {
    context.stdout(`Usage: cardbench ${command.name}${command.usage ? ` ${command.usage}` : ''}\n\n${command.summary}`);
    return EXIT.ok;
  }
  return command.run(context, rest);
}
