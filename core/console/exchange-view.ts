/**
 * One command/response as the console shows it: the command with PIN bytes masked, the answer's
 * data and status word with its meaning in the light of the command, a BER-TLV tree when the
 * data parses as one, and the time the exchange took.
 */
import { tagName } from '../apps/tag-names.js';
import type { ApplicationKind } from '../apps/application-kind.js';
import { toHex } from '../bytes/hex.js';
import type { DissectNode } from '../dissect/node.js';
import { parseCommandApdu } from '../iso7816/command-apdu.js';
import { redactedCommandHex } from '../iso7816/pin-redaction.js';
import { parseResponseApdu } from '../iso7816/response-apdu.js';
import { describeAnswerStatus, statusContextOf, type StatusCategory } from '../iso7816/status-words.js';
import { looksLikeBerTlv, parseBerTlv, berTlvNodes } from '../tlv/ber-tlv.js';
import { jsonSafeNodes } from './json-safe.js';

export interface ExchangeView {
  /** Uppercase hex, PIN data masked as '**'. */
  command: string;
  /** INS name (SELECT, GET DATA…) when known. */
  commandName: string | undefined;
  /** The whole answer, uppercase hex (data + SW). */
  response: string;
  data: string;
  /** '9000', or '' when the answer was shorter than a status word. */
  sw: string;
  meaning: string;
  category: StatusCategory | 'none';
  /** BER-TLV tree of the data, null when the data is not BER-TLV. */
  tlv: DissectNode[] | null;
  ms: number;
  /** True for a GET RESPONSE / re-send the console added on its own (61xx/6Cxx handling). */
  automatic: boolean;
  /** Why an automatic exchange was sent. */
  reason?: string;
  /**
   * Only on a whole answer (see transmitApdu): how many exchanges' data it joins, e.g. the
   * answer to GET DATA and the GET RESPONSE that fetched the rest.
   */
  assembledFrom?: number;
}

export function exchangeView(
  command: Uint8Array,
  response: Uint8Array,
  ms: number,
  automatic: { reason: string } | undefined = undefined,
  context: ApplicationKind | undefined = undefined,
): ExchangeView {
  const parsed = command.length >= 4 ? parseCommandApdu(command, context ? { context } : {}) : undefined;
  const answer = parseResponseApdu(response, { ...statusContextOf(command), decodeTlv: false });
  const status = answer.sw1 === undefined ? undefined : describeAnswerStatus(command, answer.sw1, answer.sw2!);
  const data = answer.data;
  const names = { tagName: (tag: number, parent?: number) => tagName(tag, context, parent) };
  const tlv = data.length > 0 && looksLikeBerTlv(data) ? jsonSafeNodes(berTlvNodes(parseBerTlv(data).objects, names)) : null;
  const view: ExchangeView = {
    command: redactedCommandHex(command),
    commandName: parsed?.name,
    response: toHex(response),
    data: toHex(data),
    sw: answer.sw === undefined ? '' : toHex(response.subarray(response.length - 2)),
    meaning: status?.meaning ?? 'No status word: the answer is shorter than 2 bytes.',
    category: status?.category ?? 'none',
    tlv,
    ms: Math.round(ms * 1000) / 1000,
    automatic: automatic !== undefined,
  };
  if (automatic) view.reason = automatic.reason;
  return view;
}
