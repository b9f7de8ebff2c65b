/**
 * One command/response pair decoded together: the response is read in the light of the command
 * (63Cx after VERIFY), and both are named in the light of the application selected on that
 * logical channel, which SelectedApplications follows from successful SELECT-by-name commands.
 */
import type { ApplicationKind } from '../apps/application-kind.js';
import { identifyAid } from '../apps/known-aids.js';
import { decodeCla } from './cla.js';
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

/**
 * Follows which application is selected on each logical channel. A SELECT by DF name that
 * succeeds (9000, or 61xx with the FCI still to fetch) switches the channel to that AID's
 * family; one that fails leaves ISO 7816-4's rule: the previous selection stays.
 */
export class SelectedApplications {
  private readonly byChannel = new Map<number, ApplicationKind | undefined>();

  contextFor(cla: number): ApplicationKind | undefined {
    return this.byChannel.get(channelOf(cla));
  }

  /** Updates the selection from one exchange (the final SW of a folded transaction is what counts). */
  observe(command: Uint8Array, sw1: number | undefined): void {
    if (command.length < 5 || command[1] !== INS.SELECT) return;
    if (sw1 !== 0x90 && sw1 !== 0x61) return;
    const cla = command[0]!;
    const p1 = command[2]!;
    if (p1 !== 0x04) {
      // Selecting by file identifier or path leaves the application context unknown.
      if (p1 === 0x00 || p1 === 0x08) this.byChannel.set(channelOf(cla), undefined);
      return;
    }
    const parsed = parseCommandApdu(command);
    const known = identifyAid(parsed.data);
    this.byChannel.set(channelOf(cla), known && known.kind !== 'other' ? known.kind : undefined);
  }

  reset(): void {
    this.byChannel.clear();
  }
}

function channelOf(cla: number): number {
  return decodeCla(cla).channel ?? 0;
}
