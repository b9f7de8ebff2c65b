/**
 * `cardbench send [--reader R] [--protocol t0|t1|any] [--share shared|exclusive|direct] [--json] APDU...`:
 * sends exactly the APDUs given (no automatic GET RESPONSE), one connection for all of them.
 * PIN-carrying commands are shown with their data masked, in text and JSON alike.
 */
import { parseHex, toHex } from '../../../core/bytes/hex.js';
import { parseCommandApdu } from '../../../core/iso7816/command-apdu.js';
import { redactedCommandHex } from '../../../core/iso7816/pin-redaction.js';
import { describeStatusWord } from '../../../core/iso7816/status-words.js';
import type { ProtocolChoice, ShareMode } from '../../backend/pcsc/card-connection.js';
import type { PcscService } from '../../backend/pcsc/pcsc-service.js';
import type { CliCommand, CommandContext } from '../command.js';
import { CliError, EXIT } from '../exit-codes.js';
import { parseCommandOptions } from '../parse-options.js';
import { withPcsc } from '../pcsc-session.js';

export interface SentExchange {
  command: string;
  response: string;
  sw: string;
  meaning: string;
  ms: number;
}

const SHARE_MODES: readonly ShareMode[] = ['shared', 'exclusive', 'direct'];
const PROTOCOLS: readonly ProtocolChoice[] = ['t0', 't1', 'any'];
/** Extended APDU: 4 header + 3 Lc + 65535 data + 2 Le. */
const MAX_APDU_BYTES = 65544;

export function parseApduArguments(texts: readonly string[]): Uint8Array[] {
  if (texts.length === 0) throw new CliError('send: give at least one APDU in hex, e.g. 00A4040007A0000002471001.', EXIT.usage);
  return texts.map((text, index) => {
    const parsed = parseHex(text, MAX_APDU_BYTES);
    if (!parsed.ok)
      throw new CliError(`send: APDU ${index + 1} is not valid hex: ${parsed.reason} (at character ${parsed.position + 1}).`, EXIT.usage);
    if (parsed.bytes.length < 4)
      throw new CliError(`send: APDU ${index + 1} has ${parsed.bytes.length} byte(s); an APDU needs at least CLA INS P1 P2.`, EXIT.usage);
    return parsed.bytes;
  });
}

function pickOption<T extends string>(name: string, value: string | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  const lower = value.toLowerCase() as T;
  if (!allowed.includes(lower)) throw new CliError(`send: --${name} must be one of ${allowed.join(', ')}, not '${value}'.`, EXIT.usage);
  return lower;
}

export async function sendApdus(
  service: PcscService,
  apdus: readonly Uint8Array[],
  options: { reader?: string; share: ShareMode; protocol: ProtocolChoice },
): Promise<{ reader: string; exchanges: SentExchange[] }> {
  const reader = options.reader ?? service.snapshot().readers.find((r) => r.cardPresent)?.name;
  if (!reader) throw new CliError('send: no reader has a card. Insert one, or name the reader with --reader.', EXIT.failure);
  const exchanges: SentExchange[] = [];
  for (const apdu of apdus) {
    const { response, ms } = await service.transmit(reader, apdu, options);
    const sw1 = response[response.length - 2];
    const sw2 = response[response.length - 1];
    const ins = parseCommandApdu(apdu).ins;
    exchanges.push({
      command: redactedCommandHex(apdu),
      response: toHex(response),
      sw: sw1 === undefined || sw2 === undefined ? '' : toHex(response.subarray(response.length - 2)),
      meaning:
        sw1 === undefined || sw2 === undefined
          ? 'no status word'
          : describeStatusWord(sw1, sw2, { ins, commandHasData: apdu.length > 5 }).meaning,
      ms: Math.round(ms * 1000) / 1000,
    });
  }
  return { reader, exchanges };
}

export const sendCommand: CliCommand = {
  name: 'send',
  usage: '[--reader R] [--protocol t0|t1|any] [--share shared|exclusive|direct] [--json] APDU...',
  summary: 'send APDUs to a card and print the decoded answers',
  async run(context: CommandContext, args: readonly string[]): Promise<number> {
    const { values, positionals } = parseCommandOptions(
      'send',
      args,
      { reader: { type: 'string' }, protocol: { type: 'string' }, share: { type: 'string' }, json: { type: 'boolean' } },
      true,
    );
    const apdus = parseApduArguments(positionals);
    const options = {
      ...(values.reader === undefined ? {} : { reader: values.reader }),
      share: pickOption('share', values.share, SHARE_MODES, 'shared'),
      protocol: pickOption('protocol', values.protocol, PROTOCOLS, 'any'),
    };
    const { reader, exchanges } = await withPcsc((service) => sendApdus(service, apdus, options));
    if (values.json) {
      context.stdout(JSON.stringify(exchanges, null, 2));
      return EXIT.ok;
    }
    context.stdout(`Reader: ${reader}`);
    for (const exchange of exchanges) {
      context.stdout(`> ${exchange.command}`);
      context.stdout(`< ${exchange.response}  ${exchange.sw} ${exchange.meaning} (${exchange.ms} ms)`);
    }
    return EXIT.ok;
  },
};
