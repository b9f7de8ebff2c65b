/**
 * The options `send` and `run` share (and `replay`, how to connect): which reader, how to connect, whether to follow 61xx/6Cxx,
 * and JSON output. One parser (and one help table) so both commands accept, check and explain
 * them the same way.
 */
import type { ProtocolChoice, ShareMode } from '../backend/reader-backend.js';
import type { OptionHelp } from './command.js';
import { CliError, EXIT } from './exit-codes.js';
import { parseCommandOptions, type OptionsConfig } from './parse-options.js';

export const TRANSMIT_USAGE = '[--reader R] [--protocol t0|t1|any] [--share shared|exclusive|direct] [--follow-ups] [--json]';

const SHARE_MODES: readonly ShareMode[] = ['shared', 'exclusive', 'direct'];
const PROTOCOLS: readonly ProtocolChoice[] = ['t0', 't1', 'any'];

/** How to connect: what every command that talks to a card accepts (send, run, replay). */
export const CONNECTION_OPTION_HELP: readonly OptionHelp[] = [
  { syntax: '--protocol t0|t1|any', text: 'the protocol to ask PC/SC for when connecting', default: 'any' },
  {
    syntax: '--share shared|exclusive|direct',
    text: 'PC/SC share mode: shared lets other programs use the card, exclusive locks them out, direct talks to the reader only',
    default: 'shared',
  },
];

/** --share and --protocol as given (parsed as strings), checked, with their defaults. */
export function connectionOptions(
  command: string,
  values: { share?: string | undefined; protocol?: string | undefined },
): { share: ShareMode; protocol: ProtocolChoice } {
  return {
    share: pickOption(command, 'share', values.share, SHARE_MODES, 'shared'),
    protocol: pickOption(command, 'protocol', values.protocol, PROTOCOLS, 'any'),
  };
}

export const TRANSMIT_OPTIONS = {
  reader: { type: 'string' },
  protocol: { type: 'string' },
  share: { type: 'string' },
  'follow-ups': { type: 'boolean' },
  json: { type: 'boolean' },
} as const satisfies OptionsConfig;

export const TRANSMIT_OPTION_HELP: readonly OptionHelp[] = [
  {
    syntax: '--reader R',
    text: 'the reader: its name, its id (pcsc:NAME, virtual:NAME) or a part of its name that matches one reader',
    default: 'the first reader with a card',
  },
  ...CONNECTION_OPTION_HELP,
  {
    syntax: '--follow-ups',
    text: 'answer 61xx with GET RESPONSE and 6Cxx by re-sending with Le=xx, each shown as its own exchange',
    default: 'off: exactly the APDUs given',
  },
  { syntax: '--json', text: 'print the exchanges as a JSON array instead of text', default: 'text' },
];

export interface TransmitCliOptions {
  reader?: string;
  share: ShareMode;
  protocol: ProtocolChoice;
  followUps: boolean;
  json: boolean;
  positionals: string[];
}

export function parseTransmitOptions<Extra extends OptionsConfig>(
  command: string,
  args: readonly string[],
  extra: Extra = {} as Extra,
): TransmitCliOptions & { extra: Record<keyof Extra, string | boolean | undefined> } {
  const { values, positionals } = parseCommandOptions(command, args, { ...TRANSMIT_OPTIONS, ...extra }, true);
  const all = values as Record<string, string | boolean | undefined>;
  const picked = Object.fromEntries(Object.keys(extra).map((key) => [key, all[key]])) as Record<keyof Extra, string | boolean | undefined>;
  return {
    ...(typeof all.reader === 'string' ? { reader: all.reader } : {}),
    ...connectionOptions(command, { share: all.share as string | undefined, protocol: all.protocol as string | undefined }),
    followUps: all['follow-ups'] === true,
    json: all.json === true,
    positionals,
    extra: picked,
  };
}

function pickOption<T extends string>(command: string, name: string, value: string | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  const lower = value.toLowerCase() as T;
  if (!allowed.includes(lower))
    throw new CliError(`${command}: --${name} must be one of ${allowed.join(', ')}, not '${value}'.`, EXIT.usage);
  return lower;
}
