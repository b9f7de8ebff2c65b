import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CliError, EXIT } from './exit-codes.js';

export type OptionsConfig = NonNullable<ParseArgsConfig['options']>;
/** The values parseArgs returns, spelled out so it can be named in declarations. */
export interface ParsedOptions<T extends OptionsConfig> {
  values: { [K in keyof T]?: T[K] extends { multiple: true } ? OptionValue<T[K]>[] : OptionValue<T[K]> };
  positionals: string[];
}
type OptionValue<O> = O extends { type: 'boolean' } ? boolean : string;

/** node:util parseArgs, with its errors turned into usage errors (exit 2) that name the command. */
export function parseCommandOptions<T extends OptionsConfig>(
  command: string,
  args: readonly string[],
  options: T,
  allowPositionals = false,
) {
  try {
    return parseArgs({ args: [...args], options, allowPositionals, strict: true }) as unknown as ParsedOptions<T>;
  } catch (error) {
    throw new CliError(`${command}: ${error instanceof Error ? error.message : String(error)}`, EXIT.usage);
  }
}

/** A TCP/HTTP port from the command line: 0 (any free port) to 65535. */
export function parsePort(text: string | undefined): number {
  if (text === undefined) return 0;
  if (!/^\d{1,5}$/.test(text) || Number(text) > 65535) {
    throw new CliError(`--port must be a number from 0 to 65535 (0 = any free port), not '${text}'.`, EXIT.usage);
  }
  return Number(text);
}
