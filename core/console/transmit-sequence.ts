/**
 * Sends one typed APDU and, when asked, its 61xx/6Cxx follow-ups, over any transport: the same
 * logic serves the console, `cardbench send` and scripts. Exactly what was typed goes first.
 */
import { SelectedApplications } from '../apps/selected-applications.js';
import { foldTransactions } from '../iso7816/transactions.js';
import { exchangeView, type ExchangeView } from './exchange-view.js';
import { followUpFor, MAX_FOLLOW_UPS } from './follow-ups.js';

export type SendApdu = (apdu: Uint8Array) => Promise<{ response: Uint8Array; ms: number }>;

export interface TransmitOptions {
  /** Send GET RESPONSE after 61xx and the command again with Le=xx after 6Cxx. */
  followUps: boolean;
  /**
   * What the card has selected on each logical channel, so INS and tag names follow the
   * application (OpenPGP's 6E, EMV's GET PROCESSING OPTIONS); updated by every exchange. A
   * caller that sends more than once to the same card keeps one and passes it every time.
   */
  selected?: SelectedApplications;
}

export interface TransmitResult {
  /** What was typed first, then every automatic follow-up, each as the card answered it. */
  exchanges: ExchangeView[];
  /**
   * When follow-ups were folded in: the answer as the application meant it, the data of every
   * exchange joined and the last status word, decoded as one (a BER-TLV template cut by 61xx
   * reads whole only here).
   */
  whole?: ExchangeView;
}

export async function transmitApdu(send: SendApdu, apdu: Uint8Array, options: TransmitOptions): Promise<TransmitResult> {
  const selected = options.selected ?? new SelectedApplications();
  // The application in force when the typed command went out names the whole answer too.
  const context = apdu.length > 0 ? selected.contextFor(apdu[0]!) : undefined;
  const raw: { command: Uint8Array; response: Uint8Array; ms: number }[] = [];
  const exchanges: ExchangeView[] = [];
  const record = (command: Uint8Array, answer: { response: Uint8Array; ms: number }, automatic?: { reason: string }): void => {
    const shownIn = command.length > 0 ? selected.contextFor(command[0]!) : undefined;
    exchanges.push(exchangeView(command, answer.response, answer.ms, automatic, shownIn));
    selected.observe(command, answer.response.length >= 2 ? answer.response[answer.response.length - 2] : undefined);
    raw.push({ command, response: answer.response, ms: answer.ms });
  };
  record(apdu, await send(apdu));
  if (options.followUps) {
    for (let i = 0; i < MAX_FOLLOW_UPS; i++) {
      const last = raw[raw.length - 1]!;
      const next = followUpFor(last.command, last.response);
      if (!next) break;
      record(next.apdu, await send(next.apdu), { reason: next.reason });
    }
  }
  if (raw.length < 2) return { exchanges };
  return { exchanges, whole: wholeAnswer(raw, context) };
}

/** The older shape: the exchanges only (`cardbench send` prints each as it is). */
export async function transmitWithFollowUps(
  send: SendApdu,
  apdu: Uint8Array,
  followUps: boolean,
  selected: SelectedApplications = new SelectedApplications(),
): Promise<ExchangeView[]> {
  return (await transmitApdu(send, apdu, { followUps, selected })).exchanges;
}

/** Folded by the same rules as a capture's transactions (core/iso7816/transactions). */
function wholeAnswer(
  raw: readonly { command: Uint8Array; response: Uint8Array; ms: number }[],
  context: ReturnType<SelectedApplications['contextFor']>,
): ExchangeView {
  const [transaction] = foldTransactions(raw);
  const first = raw[0]!;
  const last = raw[raw.length - 1]!;
  const data = transaction?.data ?? new Uint8Array(0);
  const response = new Uint8Array(data.length + Math.min(2, last.response.length));
  response.set(data);
  response.set(last.response.subarray(Math.max(0, last.response.length - 2)), data.length);
  const ms = raw.reduce((sum, r) => sum + r.ms, 0);
  // Shown against what was typed, as a capture's transaction is against the command the application sent.
  const view = exchangeView(first.command, response, ms, undefined, context);
  view.assembledFrom = raw.length;
  return view;
}
