/**
 * The exchanges of a trace folded into logical transactions (61xx → GET RESPONSE, 6Cxx → resend)
 * by core/iso7816's foldTransactions, one card conversation (device + slot) at a time, and named
 * in the light of the application selected on the logical channel (SelectedApplications).
 *
 * Folding runs as exchanges arrive: a transaction can only continue after a 61xx, 9Fxx or 6Cxx
 * answer, so each conversation buffers exchanges until one ends with another status word and
 * folds that run. The result equals folding the whole list at the end, without keeping the
 * raw bytes of a large trace alive.
 */
import { byteHex } from '../bytes/hex.js';
import { foldTransactions, type ApduExchange } from '../iso7816/transactions.js';
import { insName } from '../iso7816/ins.js';
import { describeAnswerStatus } from '../iso7816/status-words.js';
import { SelectedApplications } from '../apps/selected-applications.js';
import type { TraceExchange, TraceTransaction } from './trace-report.js';

interface Conversation {
  exchanges: TraceExchange[];
  apdus: ApduExchange[];
  selected: SelectedApplications;
}

export class TransactionFolder {
  private readonly conversations = new Map<string, Conversation>();
  readonly transactions: TraceTransaction[] = [];

  add(exchange: TraceExchange, command: Uint8Array, response: Uint8Array): void {
    const key = `${exchange.device}/${exchange.slot}`;
    let conversation = this.conversations.get(key);
    if (!conversation) {
      conversation = { exchanges: [], apdus: [], selected: new SelectedApplications() };
      this.conversations.set(key, conversation);
    }
    conversation.exchanges.push(exchange);
    conversation.apdus.push({ command, response });
    const sw1 = response.length >= 2 ? response[response.length - 2] : undefined;
    if (sw1 !== 0x61 && sw1 !== 0x9f && sw1 !== 0x6c) this.fold(conversation);
  }

  /** Folds what is still buffered (the trace ended); transactions end up in capture order. */
  finish(): TraceTransaction[] {
    for (const conversation of this.conversations.values()) this.fold(conversation);
    // Conversations fold independently; interleaved readers need the list re-sorted.
    this.transactions.sort((a, b) => a.exchanges[0]! - b.exchanges[0]!);
    return this.transactions;
  }

  private fold(conversation: Conversation): void {
    const { exchanges: list, apdus, selected } = conversation;
    if (list.length === 0) return;
    for (const folded of foldTransactions(apdus)) {
      const first = list[folded.exchanges[0]!]!;
      const last = list[folded.exchanges[folded.exchanges.length - 1]!]!;
      const command = folded.command;
      const cla = command[0];
      const ins = command[1];
      const context = cla !== undefined ? selected.contextFor(cla) : undefined;
      const name = cla !== undefined && ins !== undefined ? (insName(cla, ins, context) ?? null) : null;
      const hasSw = folded.sw1 !== undefined && folded.sw2 !== undefined;
      const meaning = hasSw ? describeAnswerStatus(command, folded.sw1!, folded.sw2!).meaning : null;
      selected.observe(command, folded.sw1);
      this.transactions.push({
        exchanges: folded.exchanges.map((i) => list[i]!.index),
        device: first.device,
        slot: first.slot,
        command: first.command,
        name,
        dataLength: folded.data.length,
        sw: hasSw ? byteHex(folded.sw1!) + byteHex(folded.sw2!) : null,
        meaning,
        durationMs: Math.round((last.timeMs + last.durationMs - first.timeMs) * 1000) / 1000,
        folded: folded.folded,
        problems: folded.problems.map((p) => ({ code: p.code, message: p.message, severity: p.severity })),
      });
    }
    conversation.exchanges = [];
    conversation.apdus = [];
  }
}
