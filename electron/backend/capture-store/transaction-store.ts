/**
 * The folded transactions of an open capture, in capture order (OrderedTransactions hands them
 * over so), stored as typed columns: ~40 bytes a transaction, its INS name and status meaning as
 * numbers into a table of the few distinct texts, its command read back from its first exchange.
 * A TraceTransaction object is made when asked for (a 1 GB capture folds ~440,000).
 */
import { intHex } from '#core/bytes/hex.js';
import type { TraceProblem, TraceTransaction } from '#core/trace/index.js';
import type { ExchangeStore } from './exchange-store.js';
import { grown, grownSize } from './exchange-store.js';

const NO_TEXT = 0xffffffff;
const NO_SW = 0x10000;
/** Distinct INS names and status meanings a store numbers; beyond, a text is not shown (no real capture comes near). */
const MAX_TEXTS = 1_000_000;

export class TransactionStore {
  length = 0;
  private capacity = 0;
  private memberStart = new Uint32Array(0);
  private memberCount = new Uint32Array(0);
  private name = new Uint32Array(0);
  private meaning = new Uint32Array(0);
  private sw = new Uint32Array(0);
  private dataLength = new Uint32Array(0);
  private duration = new Float64Array(0);
  private folded = new Uint8Array(0);
  /** Exchange indices of every transaction, end to end (memberStart/memberCount say which are whose). */
  private members = new Uint32Array(0);
  private memberLength = 0;
  private readonly texts: string[] = [];
  private readonly textIds = new Map<string, number>();
  /** Problems of the few transactions that have some, by position. */
  private readonly problems = new Map<number, TraceProblem[]>();

  constructor(private readonly exchanges: ExchangeStore) {}

  add(t: TraceTransaction): void {
    if (this.length === this.capacity) this.grow();
    const i = this.length++;
    if (this.memberLength + t.exchanges.length > this.members.length) {
      const next = new Uint32Array(grownSize(this.members.length, this.memberLength + t.exchanges.length));
      next.set(this.members.subarray(0, this.memberLength));
      this.members = next;
    }
    this.memberStart[i] = this.memberLength;
    this.memberCount[i] = t.exchanges.length;
    for (const index of t.exchanges) this.members[this.memberLength++] = index;
    this.name[i] = this.textId(t.name);
    this.meaning[i] = this.textId(t.meaning);
    this.sw[i] = t.sw === null ? NO_SW : parseInt(t.sw, 16);
    this.dataLength[i] = t.dataLength;
    this.duration[i] = t.durationMs;
    this.folded[i] = t.folded ? 1 : 0;
    if (t.problems.length > 0) this.problems.set(i, t.problems);
  }

  /** Transaction `i` (0-based, in capture order) in the report's form. */
  at(i: number): TraceTransaction | undefined {
    if (i < 0 || i >= this.length) return undefined;
    const exchanges = Array.from(this.members.subarray(this.memberStart[i]!, this.memberStart[i]! + this.memberCount[i]!));
    const first = this.exchanges.at(exchanges[0]!);
    return {
      exchanges,
      device: first?.device ?? '?',
      slot: first?.slot ?? 0,
      command: first?.command ?? '',
      name: this.text(this.name[i]!),
      dataLength: this.dataLength[i]!,
      sw: this.statusWord(i),
      meaning: this.text(this.meaning[i]!),
      durationMs: this.duration[i]!,
      folded: this.folded[i] === 1,
      problems: this.problems.get(i) ?? [],
    };
  }

  /** The first exchange (TraceExchange.index) of transaction `i`. */
  firstExchange(i: number): number {
    return this.members[this.memberStart[i]!] ?? 0;
  }

  durationMs(i: number): number {
    return this.duration[i] ?? 0;
  }

  /** Transaction `i`'s status word as 4 hex digits, or null. */
  statusWord(i: number): string | null {
    const sw = this.sw[i] ?? NO_SW;
    return sw === NO_SW ? null : intHex(sw, 4);
  }

  /** Every transaction whose first exchange is one of `firstExchanges`, in order. */
  startingWith(firstExchanges: ReadonlySet<number>): TraceTransaction[] {
    const out: TraceTransaction[] = [];
    for (let i = 0; i < this.length; i++) if (firstExchanges.has(this.firstExchange(i))) out.push(this.at(i)!);
    return out;
  }

  private textId(text: string | null): number {
    if (text === null) return NO_TEXT;
    let id = this.textIds.get(text);
    if (id === undefined) {
      if (this.texts.length >= MAX_TEXTS) return NO_TEXT;
      id = this.texts.length;
      this.texts.push(text);
      this.textIds.set(text, id);
    }
    return id;
  }

  private text(id: number): string | null {
    return id === NO_TEXT ? null : (this.texts[id] ?? null);
  }

  private grow(): void {
    const size = grownSize(this.capacity, this.length + 1);
    const grow = <T extends Uint8Array | Uint16Array | Uint32Array | Float64Array>(old: T, make: (n: number) => T): T =>
      grown(old, make, size);
    this.memberStart = grow(this.memberStart, (n) => new Uint32Array(n));
    this.memberCount = grow(this.memberCount, (n) => new Uint32Array(n));
    this.name = grow(this.name, (n) => new Uint32Array(n));
    this.meaning = grow(this.meaning, (n) => new Uint32Array(n));
    this.sw = grow(this.sw, (n) => new Uint32Array(n));
    this.dataLength = grow(this.dataLength, (n) => new Uint32Array(n));
    this.duration = grow(this.duration, (n) => new Float64Array(n));
    this.folded = grow(this.folded, (n) => new Uint8Array(n));
    this.capacity = size;
  }
}
