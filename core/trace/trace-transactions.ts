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
import type { ApplicationKind } from '../apps/application-kind.js';
import { byteHex } from '../bytes/hex.js';
import type { Problem } from '../dissect/node.js';
import { foldTransactions, type ApduExchange } from '../iso7816/transactions.js';
import { INS, insName } from '../iso7816/ins.js';
import { describeStatusWord, statusContextOf } from '../iso7816/status-words.js';
import { SelectedApplications } from '../apps/selected-applications.js';
import type { TraceExchange, TraceTransaction } from './trace-report.js';

/** What folding reads of an exchange (besides its bytes). */
export type FoldableExchange = Pick<TraceExchange, 'index' | 'device' | 'slot' | 'command' | 'timeMs' | 'durationMs'>;

interface Conversation {
  exchanges: FoldableExchange[];
  apdus: ApduExchange[];
  selected: SelectedApplications;
}

export class TransactionFolder {
  private readonly conversations = new Map<string, Conversation>();
  readonly transactions: TraceTransaction[] = [];
  /** Conversations holding exchanges not folded yet (61xx/6Cxx answered, waiting for their follow-up). */
  private buffering = 0;
  /** The conversation of the last exchange: consecutive exchanges nearly always share one. */
  private last: { device: string; slot: number; conversation: Conversation } | undefined;
  private readonly names = new NameMemo();

  add(exchange: FoldableExchange, command: Uint8Array, response: Uint8Array): void {
    const conversation = this.conversationOf(exchange);
    const length = response.length;
    const sw1 = length >= 2 ? response[length - 2] : undefined;
    const final = sw1 !== 0x61 && sw1 !== 0x9f && sw1 !== 0x6c;
    if (final && conversation.exchanges.length === 0 && length >= 2 && !mayBeGetResponse(command)) {
      // What foldTransactions makes of one exchange that nothing continues and that continues
      // nothing: itself, its data, its status word, no problem (the test holds it to that).
      this.push(conversation.selected, exchange, exchange, [exchange.index], command, length - 2, sw1!, response[length - 1]!, false, []);
      return;
    }
    if (conversation.exchanges.length === 0) this.buffering++;
    conversation.exchanges.push(exchange);
    conversation.apdus.push({ command, response });
    if (final) this.fold(conversation);
  }

  /** Folds what is still buffered (the trace ended); transactions end up in capture order. */
  finish(): TraceTransaction[] {
    this.flush();
    // Conversations fold independently; interleaved readers need the list re-sorted.
    this.transactions.sort((a, b) => a.exchanges[0]! - b.exchanges[0]!);
    return this.transactions;
  }

  /** Folds what is still buffered, leaving the order as folded (see finish). */
  flush(): void {
    for (const conversation of this.conversations.values()) this.fold(conversation);
  }

  /**
   * Hands over the transactions folded so far and forgets them, for a consumer that writes them
   * out as they come (in the order folded: conversations interleave, see finish).
   */
  drain(): TraceTransaction[] {
    return this.transactions.splice(0);
  }

  /** The lowest exchange index still waiting to be folded (Infinity when none): no later transaction starts before it. */
  get pendingFrom(): number {
    if (this.buffering === 0) return Infinity;
    let lowest = Infinity;
    for (const conversation of this.conversations.values()) {
      const first = conversation.exchanges[0];
      if (first !== undefined && first.index < lowest) lowest = first.index;
    }
    return lowest;
  }

  private conversationOf(exchange: FoldableExchange): Conversation {
    const last = this.last;
    if (last !== undefined && last.device === exchange.device && last.slot === exchange.slot) return last.conversation;
    const key = `${exchange.device}/${exchange.slot}`;
    let conversation = this.conversations.get(key);
    if (!conversation) {
      conversation = { exchanges: [], apdus: [], selected: new SelectedApplications() };
      this.conversations.set(key, conversation);
    }
    this.last = { device: exchange.device, slot: exchange.slot, conversation };
    return conversation;
  }

  private fold(conversation: Conversation): void {
    const { exchanges: list, apdus, selected } = conversation;
    if (list.length === 0) return;
    this.buffering--;
    for (const folded of foldTransactions(apdus)) {
      this.push(
        selected,
        list[folded.exchanges[0]!]!,
        list[folded.exchanges[folded.exchanges.length - 1]!]!,
        folded.exchanges.map((i) => list[i]!.index),
        folded.command,
        folded.data.length,
        folded.sw1,
        folded.sw2,
        folded.folded,
        folded.problems,
      );
    }
    conversation.exchanges = [];
    conversation.apdus = [];
  }

  /** One transaction, named in the light of the application selected before it. */
  private push(
    selected: SelectedApplications,
    first: FoldableExchange,
    last: FoldableExchange,
    exchanges: number[],
    command: Uint8Array,
    dataLength: number,
    sw1: number | undefined,
    sw2: number | undefined,
    folded: boolean,
    problems: readonly Problem[],
  ): void {
    const cla = command[0];
    const ins = command[1];
    const context = cla !== undefined ? selected.contextFor(cla) : undefined;
    const name = cla !== undefined && ins !== undefined ? this.names.ins(cla, ins, context) : null;
    const hasSw = sw1 !== undefined && sw2 !== undefined;
    const meaning = hasSw ? this.names.status(command, sw1, sw2) : null;
    selected.observe(command, sw1);
    this.transactions.push({
      exchanges,
      device: first.device,
      slot: first.slot,
      command: first.command,
      name,
      dataLength,
      sw: hasSw ? byteHex(sw1) + byteHex(sw2) : null,
      meaning,
      durationMs: Math.round((last.timeMs + last.durationMs - first.timeMs) * 1000) / 1000,
      folded,
      problems: problems.map((p) => ({ code: p.code, message: p.message, severity: p.severity })),
    });
  }
}

/** Could this command be a GET RESPONSE (foldTransactions' isGetResponse)? INS C0 is the test that can only say no. */
function mayBeGetResponse(command: Uint8Array): boolean {
  return command.length >= 4 && command[1] === INS.GET_RESPONSE;
}

/** Distinct names and meanings remembered before starting over (a hostile capture cannot make it grow). */
const MAX_REMEMBERED = 4096;

/**
 * INS names and status word meanings, remembered: a trace asks for the same few thousand times.
 * Each is a function of exactly the key it is remembered under: insName of (CLA, INS, selected
 * application); describeAnswerStatus of the status word and statusContextOf(command).
 */
export class NameMemo {
  private readonly contexts = new Map<ApplicationKind | undefined, number>();
  private readonly insNames = new Map<number, string | null>();
  private readonly meanings = new Map<number, string>();

  ins(cla: number, ins: number, context: ApplicationKind | undefined): string | null {
    let contextCode = this.contexts.get(context);
    if (contextCode === undefined) this.contexts.set(context, (contextCode = this.contexts.size));
    const key = contextCode * 65536 + cla * 256 + ins;
    let name = this.insNames.get(key);
    if (name === undefined) {
      name = insName(cla, ins, context) ?? null;
      if (this.insNames.size >= MAX_REMEMBERED) this.insNames.clear();
      this.insNames.set(key, name);
    }
    return name;
  }

  status(command: Uint8Array, sw1: number, sw2: number): string {
    const context = statusContextOf(command);
    const key =
      context.ins === undefined
        ? 0x1000000 + sw1 * 256 + sw2
        : 0x2000000 + (context.commandHasData ? 0x1000000 : 0) + context.ins * 65536 + sw1 * 256 + sw2;
    let meaning = this.meanings.get(key);
    if (meaning === undefined) {
      meaning = describeStatusWord(sw1, sw2, context).meaning;
      if (this.meanings.size >= MAX_REMEMBERED) this.meanings.clear();
      this.meanings.set(key, meaning);
    }
    return meaning;
  }
}

/**
 * A TransactionFolder whose transactions come out in capture order (by first exchange, as
 * finish() sorts them) as soon as that order is certain: a transaction is handed out once no
 * conversation still buffers an exchange that could start an earlier one. For consumers that
 * write or store transactions as the trace is decoded; the few held back are those overtaken by
 * a conversation waiting for its GET RESPONSE.
 */
export class OrderedTransactions {
  private readonly folder = new TransactionFolder();
  /** Folded, not yet handed out; sorted by first exchange. */
  private waiting: TraceTransaction[] = [];

  /** Adds an exchange (in capture order); returns the transactions now certain to come next. */
  add(exchange: FoldableExchange, command: Uint8Array, response: Uint8Array): TraceTransaction[] {
    this.folder.add(exchange, command, response);
    return this.release(this.folder.pendingFrom);
  }

  /** The trace ended: the rest, in order. */
  finish(): TraceTransaction[] {
    this.folder.flush();
    return this.release(Infinity);
  }

  private release(before: number): TraceTransaction[] {
    const folded = this.folder.drain();
    if (folded.length === 0 && this.waiting.length === 0) return folded;
    let all = folded;
    if (this.waiting.length > 0) {
      all = this.waiting.concat(folded);
      all.sort((a, b) => a.exchanges[0]! - b.exchanges[0]!);
    } else if (!isSorted(all)) {
      all.sort((a, b) => a.exchanges[0]! - b.exchanges[0]!);
    }
    let ready = all.length;
    while (ready > 0 && all[ready - 1]!.exchanges[0]! >= before) ready--;
    this.waiting = all.slice(ready);
    return ready === all.length ? all : all.slice(0, ready);
  }
}

function isSorted(list: readonly TraceTransaction[]): boolean {
  for (let i = 1; i < list.length; i++) if (list[i - 1]!.exchanges[0]! > list[i]!.exchanges[0]!) return false;
  return true;
}
