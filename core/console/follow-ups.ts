/**
 * The opt-in "handle 61xx/6Cxx" of the console: what to send next when a card answers 61xx
 * (more data: GET RESPONSE) or 6Cxx (wrong Le: the same command again with Le = xx). Each
 * follow-up is shown as its own exchange, so nothing the card said is hidden.
 */
import { intHex } from '../bytes/hex.js';
import { parseCommandApdu } from '../iso7816/command-apdu.js';
import { encodeCommandApdu } from '../iso7816/encode-command-apdu.js';

export interface FollowUp {
  apdu: Uint8Array;
  reason: string;
}

/** A card that keeps answering 61xx must not keep us looping. */
export const MAX_FOLLOW_UPS = 64;

/**
 * The status word decides, whatever came before it: a card at the APDU level (T=1, extended
 * length, the built-in virtual card) may answer part of the data and 61xx for the rest, and
 * the status line then says "send GET RESPONSE", so that is what follows.
 */
export function followUpFor(command: Uint8Array, response: Uint8Array): FollowUp | undefined {
  if (response.length < 2 || command.length < 4) return undefined;
  const sw1 = response[response.length - 2]!;
  const sw2 = response[response.length - 1]!;
  if (sw1 === 0x61) {
    // GET RESPONSE keeps the logical channel of an interindustry CLA; proprietary CLAs use 00.
    const cla = command[0]!;
    const getResponseCla = (cla & 0x80) === 0 ? cla & 0x03 : 0x00;
    return {
      apdu: Uint8Array.of(getResponseCla, 0xc0, 0x00, 0x00, sw2),
      reason: `61${intHex(sw2, 2)}: GET RESPONSE for the ${sw2 === 0 ? '256 or more' : sw2} byte(s) waiting`,
    };
  }
  if (sw1 === 0x6c) {
    const parsed = parseCommandApdu(command);
    if (parsed.extended) return undefined;
    const encoded = encodeCommandApdu({
      cla: parsed.cla,
      ins: parsed.ins,
      p1: parsed.p1,
      p2: parsed.p2,
      data: parsed.data,
      le: sw2 === 0 ? 256 : sw2,
      extended: false,
    });
    if (!encoded.ok) return undefined;
    return { apdu: encoded.bytes, reason: `6C${intHex(sw2, 2)}: the same command again with Le=${intHex(sw2, 2)}` };
  }
  return undefined;
}
