/**
 * The options `send` and `run` share: which reader, how to connect, whether to follow 61xx/6Cxx,
 * and JSON output. One parser so both commands accept and check them the same way.
 */
import type { ProtocolChoice, ShareMode } from '../backend/reader-backend.js';
import { CliError, EXIT } from './exit-codes.js';
import { parseCommandOptions } from './parse-options.js';

export const TRANSMIT_USAGE = '[--reader R] [--protocol t0|t1|any] [--share shared|exclusive|direct] [--follow-ups] [--json]';

const SHARE_MODES: readonly ShareMode[] = ['shared', 'exclusive', 'direct'];
const PROTOCOLS: readonly ProtocolChoice[] = ['t0', 't1', 'any'];

export interface TransmitCliOptions {
  reader?: string;
  share: ShareMode;
  protocol: ProtocolChoice;
  followUps: boolean;
  json: boolean;
  positionals: string[];
}

export function parseTransmitOptions(command: string, args: readonly string[]): TransmitCliOptions {
  const { values, positionals } = parseCommandOptions(
    command,
    args,
    {
      reader: { type: 'string' },
      protocol: { type: 'string' },
      share: { type: 'string' },
      'follow-ups': { type: 'boolean' },
      json: { type: 'boolean' },
    },
    true,
  );
  return {
    ...(values.reader === undefined ? {} : { reader: values.reader }),
    share: pickOption(command, 'share', values.share, SHARE_MODES, 'shared'),
    protocol: pickOption(command, 'protocol', values.protocol, PROTOCOLS, 'any'),
    followUps: values['follow-ups'] === true,
    json: values.json === true,
    positionals,
  };
}

function pickOption<T extends string>(command: string, name: string, value: string | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  const lower = value.toLowerCase() as T;
  if (!allowed.includes(lower))
    throw new CliError(`${command}: --${name} must be one of ${allowed.join(', ')}, not '${value}'.`, EXIT.usage);
  return lower;
}
