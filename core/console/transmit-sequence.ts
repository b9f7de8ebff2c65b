/**
 * Sends one typed APDU and, when asked, its 61xx/6Cxx follow-ups, over any transport: the same
 * logic serves the console, `cardbench send` and scripts. Exactly what was typed goes first.
 */
import { SelectedApplications } from '../iso7816/exchange.js';
import { exchangeView, type ExchangeView } from './exchange-view.js';
import { followUpFor, MAX_FOLLOW_UPS } from './follow-ups.js';

export type SendApdu = (apdu: Uint8Array) => Promise<{ response: Uint8Array; ms: number }>;

/**
 * @param selected what the card has selected on each logical channel, so INS and tag names follow
 *   the application (OpenPGP's 6E, EMV's GET PROCESSING OPTIONS); updated by every exchange.
 */
export async function transmitWithFollowUps(
  send: SendApdu,
  apdu: Uint8Array,
  followUps: boolean,
  selected: SelectedApplications = new SelectedApplications(),
): Promise<ExchangeView[]> {
  const view = (command: Uint8Array, response: Uint8Array, ms: number, automatic?: { reason: string }): ExchangeView => {
    const context = command.length > 0 ? selected.contextFor(command[0]!) : undefined;
    const shown = exchangeView(command, response, ms, automatic, context);
    selected.observe(command, response.length >= 2 ? response[response.length - 2] : undefined);
    return shown;
  };
  const first = await send(apdu);
  const views = [view(apdu, first.response, first.ms)];
  if (!followUps) return views;
  let command = apdu;
  let response = first.response;
  for (let i = 0; i < MAX_FOLLOW_UPS; i++) {
    const next = followUpFor(command, response);
    if (!next) break;
    const answer = await send(next.apdu);
    views.push(view(next.apdu, answer.response, answer.ms, { reason: next.reason }));
    command = next.apdu;
    response = answer.response;
  }
  return views;
}
