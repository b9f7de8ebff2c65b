import { CallStoppedError } from '../backend/abortable.js';
import { APP_VERSION } from '../backend/version.js';
import { stopCause, type CliCommand, type CommandContext } from './command.js';
import { commandHelpText, EXIT_CODES_LINE } from './command-help.js';
import { CliError, EXIT } from './exit-codes.js';

/**
 * Commands whose module loads without the others' (their dependencies leave out the PC/SC
 * backend, the web server…): `cardbench decode` starts in a fraction of the time the whole
 * registry takes to load. Help and every other command load the registry.
 */
const STANDALONE_COMMANDS: Readonly<Record<string, (argv: readonly string[]) => Promise<CliCommand>>> = {
  decode: async (argv) => {
    // The decoder's thread boots while the command loads (not for --help).
    if (!argv.some((arg) => arg === '--help' || arg === '-h'))
      (await import('../backend/capture/decode-worker-host.js')).prestartDecodeWorker();
    return (await import('./commands/decode-command.js')).decodeCommand;
  },
  diff: () => import('./commands/diff.js').then((m) => m.diffCommand),
};

/** The commands a command line needs: the one it names when that one stands alone, else all of them. */
async function commandsFor(argv: readonly string[]): Promise<readonly CliCommand[]> {
  const words = argv.filter((arg) => arg !== '--no-virtual');
  const standalone = Object.hasOwn(STANDALONE_COMMANDS, words[0] ?? '') ? STANDALONE_COMMANDS[words[0]!] : undefined;
  if (standalone) return [await standalone(words)];
  return (await import('./commands/index.js')).COMMANDS;
}

export function helpText(commands: readonly CliCommand[]): string {
  const lines = commands.map((command) => {
    const head = `  ${command.name}${command.usage ? ` ${command.usage}` : ''}`;
    return head.length < 24 ? `${head.padEnd(24)}${command.summary}` : `${head}\n${' '.repeat(24)}${command.summary}`;
  });
  return `Cardbench ${APP_VERSION} — smart card toolbox

Usage: cardbench <command> [options]   (cardbench <command> --help, or cardbench help <command>, for its options)

Commands:
${lines.join('\n')}

Options:
  -h, --help              show this help
  -v, --version           print the version
  --no-virtual            hide the built-in virtual reader for this run

${EXIT_CODES_LINE}`;
}

export async function runCli(argv: readonly string[], context: CommandContext, commands?: readonly CliCommand[]): Promise<number> {
  try {
    return await dispatchCommand(argv, context, commands ?? (await commandsFor(argv)));
  } catch (error) {
    if (error instanceof CliError) {
      context.stderr(`cardbench: ${error.message}`);
      return error.exitCode;
    }
    if (context.signal.aborted) {
      // Stopped while waiting for something before its real work (its input, the readers to settle).
      const where = error instanceof CallStoppedError ? `while waiting for ${error.what}` : 'before it finished';
      context.stderr(
        `cardbench: ${argv.find((arg) => arg !== '--no-virtual') ?? 'cardbench'}: stopped by ${stopCause(context.signal)} ${where}.`,
      );
      return EXIT.interrupted;
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
  if (name === 'help' && rest.length > 0) {
    const command = commands.find((c) => c.name === rest[0]);
    if (!command || rest.length > 1) {
      throw new CliError(
        `help: ${command ? 'one command at a time' : `unknown command '${rest[0]}'`}. Run \`cardbench --help\` for the list.`,
        EXIT.usage,
      );
    }
    context.stdout(commandHelpText(command));
    return EXIT.ok;
  }
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
    context.stdout(commandHelpText(command));
    return EXIT.ok;
  }
  return command.run(context, rest);
}
