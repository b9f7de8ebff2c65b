/**
 * Extended APDU level (CCID 1.1 §6.1.4 wLevelParameter, §6.2.1 bChainParameter): a command APDU
 * longer than one message goes in pieces, each saying whether it begins, continues or ends the
 * APDU; the response comes back in pieces whose bChainParameter says whether more follow, and an
 * empty XfrBlock asks for the next one.
 */
import { concatBytes } from '#core/bytes/concat.js';
import { hexLiteral } from '#core/bytes/hex.js';
import { EXTENDED_APDU_CHAIN } from '../value-tables.js';
import { CcidError, failureError } from './ccid-error.js';
import type { CcidAnswer } from './ccid-message-channel.js';

/** One PC_to_RDR_XfrBlock with this abData and wLevelParameter; the reader's answer, whatever its status. */
export type XfrPieceSender = (data: Uint8Array, levelParameter: number) => Promise<CcidAnswer>;

/** Response pieces accepted for one APDU: far more than 64 KiB needs even in the smallest messages CCID allows. */
const MAX_RESPONSE_PIECES = 4096;

/** One command APDU to the card, its response APDU back; `room` is the abData one message can carry. */
export async function extendedApduTransceive(apdu: Uint8Array, room: number, send: XfrPieceSender): Promise<Uint8Array> {
  const chain = EXTENDED_APDU_CHAIN;
  let answer: CcidAnswer;
  if (apdu.length <= room) {
    answer = await send(apdu, chain.whole);
  } else {
    let at = 0;
    for (;;) {
      const part = apdu.subarray(at, Math.min(apdu.length, at + room));
      const first = at === 0;
      at += part.length;
      const last = at >= apdu.length;
      answer = await send(part, first ? chain.begins : last ? chain.ends : chain.continues);
      if (answer.status.commandStatus === 'failed') throw failureError(answer, 'The exchange with the card');
      if (last) break;
    }
  }
  const parts: Uint8Array[] = [];
  for (let rounds = 0; ; rounds++) {
    if (answer.status.commandStatus === 'failed') throw failureError(answer, 'The exchange with the card');
    parts.push(Uint8Array.from(answer.data));
    const bChainParameter = answer.byte9;
    if (bChainParameter === chain.whole || bChainParameter === chain.ends) break;
    const more = bChainParameter === chain.begins || bChainParameter === chain.continues || bChainParameter === chain.more;
    if (!more || rounds > MAX_RESPONSE_PIECES) {
      throw new CcidError(
        'protocol-violation',
        `The reader sent bChainParameter ${hexLiteral(bChainParameter)}.`,
        'Unplug and replug the reader.',
      );
    }
    answer = await send(new Uint8Array(0), chain.more);
  }
  return concatBytes(parts);
}
