import type { CliCommand } from '../command.js';
import { CliError, EXIT } from '../exit-codes.js';

/** A subcommand whose home is a later piece of work: it says so and exits "unavailable". */
export function plannedCommand(name: string, summary: string): CliCommand {
  return {
    name,
    summary,
    run: () => Promise.reject(new CliError(`\`cardbench ${name}\` (${summary}) is not available in this version yet.`, EXIT.unavailable)),
  };
}
