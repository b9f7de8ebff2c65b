/**
 * The text of `cardbench <command> --help` and `cardbench help <command>`: the usage line, the
 * summary, then every argument and option on one line each with its default, examples, notes and
 * the exit codes. Options every command takes are listed too, so nothing a user can type is
 * missing from a command's help.
 */
import type { CliCommand, OptionHelp } from './command.js';

export const EXIT_CODES_LINE = 'Exit codes: 0 ok, 1 operation failed, 2 usage error, 3 not available here, 130 interrupted.';

/** Options the shell itself takes, whatever the command. */
export const GLOBAL_OPTION_HELP: readonly OptionHelp[] = [
  { syntax: '--no-virtual', text: 'hide the built-in virtual reader for this run (anywhere on the line)' },
  { syntax: '-h, --help', text: 'show this help' },
];

const MAX_SYNTAX_COLUMN = 34;

export function usageLine(command: CliCommand): string {
  return `Usage: cardbench ${command.name}${command.usage ? ` ${command.usage}` : ''}`;
}

export function commandHelpText(command: CliCommand): string {
  const { help } = command;
  const rows = [...(help.arguments ?? []), ...help.options, ...GLOBAL_OPTION_HELP];
  const column = Math.min(MAX_SYNTAX_COLUMN, Math.max(...rows.map((row) => row.syntax.length)) + 2);
  const table = (entries: readonly OptionHelp[]): string[] =>
    entries.map((row) => {
      const text = row.default === undefined ? row.text : `${row.text} (default: ${row.default})`;
      const head = `  ${row.syntax}`;
      return head.length + 1 < column + 2 ? `${head.padEnd(column + 2)}${text}` : `${head}\n${' '.repeat(column + 2)}${text}`;
    });
  const sections = [`${usageLine(command)}\n\n${command.summary}`];
  if (help.arguments?.length) sections.push(['Arguments:', ...table(help.arguments)].join('\n'));
  sections.push(['Options:', ...table([...help.options, ...GLOBAL_OPTION_HELP])].join('\n'));
  sections.push(['Examples:', ...help.examples.map((example) => `  ${example}`)].join('\n'));
  if (help.notes?.length) sections.push(help.notes.join('\n'));
  sections.push(EXIT_CODES_LINE);
  return sections.join('\n\n');
}
