/**
 * `cardbench send [--reader R] [--protocol t0|t1|any] [--share shared|exclusive|direct] [--follow-ups] [--json] APDU...`:
 * sends exactly the APDUs given (with --follow-ups, also GET RESPONSE for 61xx and the re-send
 * for 6Cxx, each shown), one connection for all of them, through the reader hub. PIN-carrying
 * commands are shown with their data masked, in text and JSON alike.
 */
import { parseHex } from '../../../core/bytes/hex.js';
import type { ExchangeView } from '../../../core/console/exchange-view.js';
import { transmitWithFollowUps } from '../../../core/console/transmit-sequence.js';
import type { ReaderHub } from '../../backend/readers/reader-hub.js';
import type { ProtocolChoice, ShareMode } from '../../backend/reader-backend.js';
import type { CliCommand, CommandContext } from '../command.js';
import { CliError, EXIT } from '../exit-codes.js';
import { parseTransmitOptions, TRANSMIT_USAGE } from '../transmit-options.js';
import { withReaderHub } from '../reader-session.js';

export interface SentExchange {
  command: string;
  response: string;
  sw: string;
  meaning: string;
  ms: number;
  automatic?: true;
}

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

export function sentExchange(view: ExchangeView): SentExchange {
  const out: SentExchange = { command: view.command, response: view.response, sw: view.sw, meaning: view.meaning, ms: view.ms };
  if (view.automatic) out.automatic = true;
  return out;
}

export async function sendApdus(
  hub: ReaderHub,
  apdus: readonly Uint8Array[],
  options: { reader?: string; share: ShareMode; protocol: ProtocolChoice; followUps?: boolean },
): Promise<{ reader: string; exchanges: SentExchange[] }> {
  const target = options.reader ? hub.resolve(options.reader).reader : hub.firstWithCard();
  if (!target) throw new CliError('send: no reader has a card. Insert one, or name the reader with --reader.', EXIT.failure);
  const exchanges: SentExchange[] = [];
  const send = (apdu: Uint8Array) => hub.transmit(target.id, apdu, { share: options.share, protocol: options.protocol });
  for (const apdu of apdus) {
    for (const view of await transmitWithFollowUps(send, apdu, options.followUps ?? false)) exchanges.push(sentExchange(view));
  }
  return { reader: target.name, exchanges };
}

export const sendCommand: CliCommand = {
  name: 'send',
  usage: `${TRANSMIT_USAGE} APDU...`,
  summary: 'send APDUs to a card and print the decoded answers',
  async run(context: CommandContext, args: readonly string[]): Promise<number> {
    const options = parseTransmitOptions('send', args);
    const apdus = parseApduArguments(options.positionals);
    const { reader, exchanges } = await withReaderHub((hub) => sendApdus(hub, apdus, options));
    if (options.json) {
      context.stdout(JSON.stringify(exchanges, null, 2));
      return EXIT.ok;
    }
    context.stdout(`Reader: ${reader}`);
    for (const exchange of exchanges) {
      context.stdout(`> ${exchange.command}${exchange.automatic ? '   (automatic)' : ''}`);
      context.stdout(`< ${exchange.response}  ${exchange.sw} ${exchange.meaning} (${exchange.ms} ms)`);
    }
    return EXIT.ok;
  },
};
