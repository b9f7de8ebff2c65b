/**
 * Sends one typed APDU and, when asked, its 61xx/6Cxx follow-ups, over any transport: the same
 * logic serves the console, `cardbench send` and scripts. Exactly what was typed goes first.
 */
import { exchangeView, type ExchangeView } from './exchange-view.js';
import { followUpFor, MAX_FOLLOW_UPS } from './follow-ups.js';

export type SendApdu = (apdu: Uint8Array) => Promise<{ response: Uint8Array; ms: number }>;

export async function transmitWithFollowUps(send: SendApdu, apdu: Uint8Array, followUps: boolean): Promise<ExchangeView[]> {
  const first = await send(apdu);
  const views = [exchangeView(apdu, first.response, first.ms)];
  if (!followUps) return views;
  let command = apdu;
  let response = first.response;
  for (let i = 0; i < MAX_FOLLOW_UPS; i++) {
    const next = followUpFor(command, response);
    if (!next) break;
    const answer = await send(next.apdu);
    views.push(exchangeView(next.apdu, answer.response, answer.ms, { reason: next.reason }));
    command = next.apdu;
    response = answer.response;
  }
  return views;
}
