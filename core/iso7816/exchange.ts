/**
 * One command/response pair decoded together: the response is read in the light of the command
 * (63Cx after VERIFY), and both are named in the light of the application selected on that
 * logical channel, which core/apps' SelectedApplications follows.
 */
import type { ApplicationKind } from '../apps/application-kind.js';
import { parseCommandApdu, type CommandApdu } from './command-apdu.js';
import { INS } from './ins.js';
import { parseResponseApdu, type ResponseApdu } from './response-apdu.js';

export interface DecodedExchange {
  command: CommandApdu;
  response: ResponseApdu;
}

export interface DecodeExchangeOptions {
  context?: ApplicationKind;
  /** Absolute offsets of the command and response bytes in their packets. */
  commandBase?: number;
  responseBase?: number;
}

/** INS whose response data is raw file content, not TLV (a TLV-looking binary would mislead). */
const RAW_RESPONSE_INS: ReadonlySet<number> = new Set([INS.READ_BINARY, 0x84]);

export function decodeExchange(command: Uint8Array, response: Uint8Array, options: DecodeExchangeOptions = {}): DecodedExchange {
  const decodedCommand = parseCommandApdu(command, { base: options.commandBase, context: options.context });
  const decodedResponse = parseResponseApdu(response, {
    base: options.responseBase,
    ins: decodedCommand.ins,
    commandHasData: decodedCommand.data.length > 0,
    context: options.context,
    decodeTlv: !RAW_RESPONSE_INS.has(decodedCommand.ins),
  });
  return { command: decodedCommand, response: decodedResponse };
}
