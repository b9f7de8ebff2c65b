/**
 * T=0 at TPDU level: the reader moves one command TPDU and its answer; the ISO 7816-3 §12.2 case
 * rules are the host's job. Case 1 gets P3 = 00, case 4 loses its Le, 6Cxx repeats the command
 * with the right P3, 61xx is followed by GET RESPONSE until the card has nothing left.
 * 'pass-through' sends the APDU as it is and returns what the card said, as libccid does under
 * pcscd (the application folds 61xx/6Cxx itself).
 */
import { concatBytes } from '#core/bytes/concat.js';
import { parseCommandApdu } from '#core/iso7816/command-apdu.js';
import { CcidError } from './ccid-error.js';

export type T0Procedure = 'host' | 'pass-through';

/** One command TPDU to the card, its answer (data + SW1 SW2) back. */
export type T0TpduSender = (tpdu: Uint8Array) => Promise<Uint8Array>;

/** GET RESPONSE chains longer than this (64 KiB) mean a confused card. */
const MAX_GET_RESPONSES = 257;

export async function t0Transceive(apdu: Uint8Array, send: T0TpduSender, procedure: T0Procedure = 'host'): Promise<Uint8Array> {
  if (procedure === 'pass-through') return send(apdu);
  const command = parseCommandApdu(apdu);
  if (command.apduCase === undefined || command.problems.some((p) => p.severity === 'error')) {
    const why = command.problems.find((p) => p.severity === 'error')?.message ?? 'shorter than CLA INS P1 P2';
    throw new CcidError('bad-request', `The APDU is malformed: ${why}.`, 'Check the command bytes.');
  }
  const header = apdu.subarray(0, 4);
  const ne = command.le;
  const nc = command.data.length;
  if (nc > 255) {
    throw new CcidError(
      'unsupported',
      `A T=0 card takes at most 255 command bytes per TPDU; this APDU has ${nc}.`,
      'Use ENVELOPE commands (the card must support them) or a T=1 card.',
    );
  }
  const isCase2 = nc === 0 && ne !== undefined;
  let tpdu: Uint8Array;
  if (nc === 0) tpdu = Uint8Array.of(...header, ne === undefined ? 0 : ne >= 256 ? 0 : ne);
  else tpdu = Uint8Array.of(...header, nc, ...command.data);

  let answer = await send(tpdu);
  if (isCase2 && sw1(answer) === 0x6c) {
    tpdu = Uint8Array.of(...header, sw2(answer));
    answer = await send(tpdu);
  }
  const collected: Uint8Array[] = [];
  const getResponseCla = getResponseClass(command.cla);
  for (let round = 0; sw1(answer) === 0x61; round++) {
    if (round >= MAX_GET_RESPONSES) throw new CcidError('protocol-violation', 'The card keeps answering 61xx.', 'Reset the card.');
    collected.push(answer.subarray(0, answer.length - 2));
    let getResponse = Uint8Array.of(getResponseCla, 0xc0, 0x00, 0x00, sw2(answer));
    answer = await send(getResponse);
    if (sw1(answer) === 0x6c) {
      getResponse = Uint8Array.of(getResponseCla, 0xc0, 0x00, 0x00, sw2(answer));
      answer = await send(getResponse);
    }
  }
  if (collected.length === 0) return answer;
  collected.push(answer);
  return concatBytes(collected);
}

/** GET RESPONSE keeps the logical channel but never secure messaging or command chaining bits. */
export function getResponseClass(cla: number): number {
  if ((cla & 0xe0) === 0x00) return cla & 0x03;
  if ((cla & 0xc0) === 0x40) return cla & 0x4f;
  return 0x00;
}

function sw1(answer: Uint8Array): number {
  return answer.length >= 2 ? answer[answer.length - 2]! : -1;
}

function sw2(answer: Uint8Array): number {
  return answer.length >= 2 ? answer[answer.length - 1]! : 0;
}
