/**
 * What a replay sends of a trace (`cardbench replay`): every exchange's command, in the trace's
 * order, each card conversation to its own reader — except secret-carrying commands (VERIFY with
 * a PIN, CHANGE REFERENCE DATA…), which are sent only when asked (`--with-pins`) and never when
 * the trace holds them masked (the bytes there are fillers, not the PIN: sending them would cost
 * the card a try). A secret command without data (VERIFY asking for the retry counter) carries
 * nothing secret and is sent like any other.
 */
import { fromHex } from '../bytes/hex.js';
import { commandFields } from '../iso7816/command-apdu.js';
import type { DiffExchange } from './diff-exchange.js';

export type ReplaySkip = 'masked' | 'pin';

export interface ReplayStep {
  exchange: DiffExchange;
  /** Index of the conversation (in order of first use) this command belongs to. */
  conversation: number;
  /** Why it is not sent, when it is not. */
  skip?: ReplaySkip;
}

export interface ReplayPlan {
  /** Conversation names, in order of first use ("1.2 slot 0"). */
  conversations: string[];
  steps: ReplayStep[];
}

export function replayPlan(exchanges: readonly DiffExchange[], options: { withPins: boolean }): ReplayPlan {
  const conversations: string[] = [];
  const steps = exchanges.map((exchange): ReplayStep => {
    let conversation = conversations.indexOf(exchange.conversation);
    if (conversation < 0) conversation = conversations.push(exchange.conversation) - 1;
    const skip = skipReason(exchange, options.withPins);
    return skip ? { exchange, conversation, skip } : { exchange, conversation };
  });
  return { conversations, steps };
}

function skipReason(e: DiffExchange, withPins: boolean): ReplaySkip | undefined {
  if (!e.secret || !carriesData(e)) return undefined;
  if (e.masked) return 'masked';
  return withPins ? undefined : 'pin';
}

function carriesData(e: DiffExchange): boolean {
  const bytes = fromHex(e.command);
  return bytes.length > 4 && commandFields(bytes).data.length > 0;
}

export const REPLAY_SKIP_TEXT: Record<ReplaySkip, string> = {
  masked: 'its secret data is masked in the trace',
  pin: 'it carries a PIN or key (--with-pins sends it)',
};
