/**
 * One open capture: imports the file in the background (core/trace through
 * decodeCaptureFile), indexes every CCID message as a row of typed columns with its bytes in a
 * ByteArena, and answers windows of rows, filtered views, a row's decode tree and the folded
 * transactions while the import runs.
 */
import { basename } from 'node:path';
import { intHex, toHex } from '#core/bytes/hex.js';
import type {
  CaptureDetail,
  CaptureFilter,
  CaptureImportState,
  CaptureRow,
  CaptureStatus,
  CaptureTransaction,
} from '#core/ipc/channels/captures.js';
import { messageTypeByCode } from '#core/ccid/message-types.js';
import { statusContextOf } from '#core/iso7816/status-words.js';
import {
  exchangeDurationMs,
  exchangeTimeMs,
  OrderedTransactions,
  type TraceExchange,
  type TracePinOperation,
  type TraceRawExchange,
  type TraceReport,
  type TraceTransaction,
} from '#core/trace/index.js';
import { CaptureAbortedError, CaptureFileError, decodeCaptureFile } from '../capture/decode-capture-file.js';
import {
  APDU_PACKET_MESSAGE_TYPE,
  NO_MESSAGE_SLOT,
  rawExchangeAt,
  type DecodedBatch,
  type MessageColumns,
} from '../capture/decoded-batch.js';
import { isApduPacketRow } from './apdu-packet-row.js';
import { ByteArena } from './byte-arena.js';
import { ExchangeStore } from './exchange-store.js';
import { TransactionStore } from './transaction-store.js';
import { ExchangeMembership } from './exchange-membership.js';
import { FLAG_COMMAND_HAS_DATA, FLAG_PROBLEM, FLAG_TRUNCATED, NO_INS, NO_SLOT, RowColumns } from './row-columns.js';
import { decodeRow, describeRow, detailTree, endingStatusWord, statusContextOfRow, type RowSource } from './row-decode.js';
import { captureDevices } from './capture-devices.js';
import { Conversation } from './conversation.js';
import { fileProblems } from './file-problems.js';
import { locatePinEntries } from './pin-entries.js';
import { t1ReadingOf } from './slot-protocol.js';
import { TimingIndex } from './timing-index.js';
import { conversationEntry } from './conversation-entry.js';
import { FilterCache, isEmptyFilter, rowPredicate, UNSETTLED_TAIL, type FilteredView, type RowPredicate } from './row-filter.js';
import { RowLines, rowTextTest } from './row-search.js';
import { RowSearchWorker } from './row-search-host.js';

export interface CaptureSessionOptions {
  id: string;
  path: string;
  /** Shown instead of the path's base name (uploads are stored under a temporary name). */
  name?: string;
  onProgress?: (status: CaptureStatus) => void;
  chunkSize?: number;
}

/** How many exchanges back an answer's tagging looks for its command row. */
const TAG_LOOK_BACK = 256;

export class CaptureSession implements RowSource {
  readonly id: string;
  readonly path: string;
  readonly name: string;
  readonly columns = new RowColumns();
  /** Shared memory, as the columns: the search worker reads both in place. */
  private readonly arena = new ByteArena({ shared: true });
  private readonly searchWorker = new RowSearchWorker();
  private lines: RowLines | undefined;
  private readonly devices: string[] = [];
  private readonly deviceIds = new Map<string, number>();
  private readonly typeCounts = new Map<number, { name: string; count: number }>();
  /** CCID messages per device index. */
  private readonly deviceMessages: number[] = [];
  /** The conversation and its timing index, built again when the transaction list changes. */
  private conversationCache: { key: string; conversation: Conversation; timing?: TimingIndex } | undefined;
  /** Exchanges and transactions as typed columns and bytes (a TraceExchange object is made when asked for). */
  private readonly exchanges = new ExchangeStore(
    (name) => this.deviceIds.get(name) ?? 0,
    (index) => this.deviceName(index),
  );
  private readonly transactionStore = new TransactionStore(this.exchanges);
  /** Folds as exchanges arrive; hands transactions over in capture order, so their positions never change. */
  private readonly folding = new OrderedTransactions();
  /** Which rows carried each exchange and which exchanges carry secrets: what masking follows. */
  readonly membership = new ExchangeMembership(this, (name) => this.deviceIds.get(name) ?? -1);
  private readonly controller = new AbortController();
  private readonly filters: FilterCache;
  private report: TraceReport | undefined;
  private problemCount = 0;
  state: CaptureImportState = 'importing';
  bytesRead = 0;
  totalBytes = 0;
  problem: string | undefined;
  /** Settles when the import ends, whatever the outcome. */
  readonly finished: Promise<void>;

  constructor(private readonly options: CaptureSessionOptions) {
    this.id = options.id;
    this.path = options.path;
    this.name = options.name ?? basename(options.path);
    this.filters = new FilterCache((filter) =>
      rowPredicate(
        this,
        filter,
        (name) => this.deviceIds.get(name) ?? -1,
        (text) => this.textTest(text),
      ),
    );
    this.finished = this.run();
  }

  // ---- RowSource ------------------------------------------------------------------------------

  bytes(row: number): Uint8Array {
    return this.arena.get(this.columns.address[row]!, this.columns.byteLength[row]!);
  }

  deviceName(index: number): string {
    return this.devices[index] ?? '?';
  }

  // ---- import ---------------------------------------------------------------------------------

  private async run(): Promise<void> {
    try {
      const report = await decodeCaptureFile(this.path, {
        signal: this.controller.signal,
        reportName: this.name,
        ...(this.options.chunkSize !== undefined ? { chunkSize: this.options.chunkSize } : {}),
        // Decoded in a worker: each chunk's messages and exchanges come back as one batch.
        contents: { messages: true, exchanges: true },
        onBatch: (batch) => this.addBatch(batch),
        // The session keeps the exchanges and folds them itself as they arrive (transactions show during the import).
        foldTransactions: false,
        reportExchanges: false,
        onProgress: (p) => {
          this.bytesRead = p.bytesRead;
          this.totalBytes = p.totalBytes;
          this.options.onProgress?.(this.status());
        },
      });
      this.report = report;
      for (const t of this.folding.finish()) this.transactionStore.add(t);
      this.flagReportProblems(report);
      this.state = 'done';
    } catch (error) {
      if (error instanceof CaptureAbortedError) {
        this.state = 'cancelled';
      } else {
        this.state = 'failed';
        this.problem = error instanceof CaptureFileError ? error.message : `the import stopped: ${String(error)}`;
      }
      for (const t of this.folding.finish()) this.transactionStore.add(t);
    }
    this.filters.invalidate();
    this.searchWorker.forget();
    this.options.onProgress?.(this.status());
  }

  /** One chunk's messages and exchanges, interleaved as in the capture (an exchange's rows exist before it is tagged). */
  private addBatch(batch: DecodedBatch): void {
    for (const name of batch.newDevices) {
      this.deviceIds.set(name, this.devices.length);
      this.devices.push(name);
    }
    let row = 0;
    for (let i = 0; i < batch.exchanges.count; i++) {
      for (const until = batch.exchangeAfter[i]!; row < until; row++) this.addMessage(batch.messages, row);
      this.addExchange(rawExchangeAt(batch.exchanges, i, this.devices));
    }
    for (; row < batch.messages.count; row++) this.addMessage(batch.messages, row);
  }

  private addMessage(m: MessageColumns, i: number): void {
    const offset = m.byteOffset[i]!;
    const bytes = m.bytes.subarray(offset, offset + m.byteLength[i]!);
    const problems = m.problems[i]!;
    this.problemCount += problems;
    const slot = m.slot[i]!;
    const messageType = m.messageType[i]!;
    this.deviceMessages[m.device[i]!] = (this.deviceMessages[m.device[i]!] ?? 0) + 1;
    this.columns.push({
      frame: m.frame[i]!,
      timeNs: m.timeNs[i]!,
      // The worker numbers devices in order of appearance, as newDevices added them here.
      device: m.device[i]!,
      slot: slot === NO_MESSAGE_SLOT ? NO_SLOT : slot,
      // The worker's direction and kind codes are the row columns' (DIRECTIONS, PAYLOAD_KINDS).
      direction: m.direction[i]!,
      messageType,
      kind: m.kind[i]!,
      flags: (problems > 0 ? FLAG_PROBLEM : 0) | (m.truncated[i] ? FLAG_TRUNCATED : 0),
      address: this.arena.add(bytes),
      length: bytes.length,
      lastFrame: m.lastFrame[i]!,
      transfers: m.transfers[i]!,
    });
    const counted = this.typeCounts.get(messageType);
    if (counted) counted.count++;
    else this.typeCounts.set(messageType, { name: messageTypeName(messageType, m.kind[i]!), count: 1 });
  }

  /** Stores an APDU exchange, folds it, and tags its command and answer rows with its INS and SW (filters use them). */
  private addExchange(exchange: TraceRawExchange): void {
    this.exchanges.add(exchange);
    const { command, response } = exchange;
    const foldable = {
      index: exchange.index,
      device: exchange.device,
      slot: exchange.slot,
      command: toHex(command),
      timeMs: exchangeTimeMs(exchange),
      durationMs: exchangeDurationMs(exchange),
    };
    for (const t of this.folding.add(foldable, command, response)) this.transactionStore.add(t);
    this.membership.add(exchange, command);
    const ins = command.length >= 2 ? command[1]! : NO_INS;
    const sw = response.length >= 2 ? (response[response.length - 2]! << 8) | response[response.length - 1]! : 0;
    const hasData = statusContextOf(command).commandHasData === true ? FLAG_COMMAND_HAS_DATA : 0;
    for (const frame of [exchange.commandFrame, exchange.responseFrame]) {
      const row = this.columns.findByFrame(frame, TAG_LOOK_BACK);
      if (row < 0) continue;
      this.columns.ins[row] = ins;
      this.columns.sw[row] = sw;
      this.columns.flags[row]! |= hasData;
    }
  }

  /** Pairing problems (missing answer, bSeq mismatch) are only known to the report. */
  private flagReportProblems(report: TraceReport): void {
    for (const p of report.problems) {
      if (p.frame === undefined) continue;
      const row = this.columns.findByFrameAnywhere(p.frame);
      if (row >= 0) this.columns.flags[row]! |= FLAG_PROBLEM;
    }
    this.problemCount = report.problems.length + report.problemsOmitted;
  }

  cancel(): void {
    this.controller.abort();
    this.searchWorker.stop();
  }

  // ---- free-text search -----------------------------------------------------------------------

  /**
   * Has the search worker answer a free-text filter before `rows` and `view` read it: they
   * search only the rows it has not (without this, all of them, on this thread).
   */
  async prepare(filter: CaptureFilter | undefined): Promise<void> {
    const text = filter?.text?.trim().toLowerCase();
    if (!text) return;
    const total = this.columns.length;
    const rows = this.state !== 'importing' ? total : Math.max(0, total - UNSETTLED_TAIL);
    if (this.filters.scanned(filter!) >= rows) return;
    await this.searchWorker.search({ text, rows, columns: this.columns, blocks: this.arena.blocks, devices: this.devices });
  }

  /** How many rows the search worker has answered for a text (trimmed, lowercased). */
  searchedRows(text: string): number {
    return this.searchWorker.answer(text)?.rows ?? 0;
  }

  /** A row's free-text test: the worker's answer where it has one, a search here for the rows beyond. */
  private textTest(text: string): RowPredicate {
    this.lines ??= new RowLines(this, () => this.arena.blocks);
    const here = rowTextTest(this, this.lines, text);
    let answer = this.searchWorker.answer(text);
    return (row) => {
      answer ??= this.searchWorker.answer(text);
      if (answer !== undefined && row < answer.rows) return (answer.bits[row >> 3]! & (1 << (row & 7))) !== 0;
      return here(row);
    };
  }

  // ---- queries --------------------------------------------------------------------------------

  status(): CaptureStatus {
    const status: CaptureStatus = {
      id: this.id,
      name: this.name,
      path: this.path,
      state: this.state,
      bytesRead: this.bytesRead,
      totalBytes: this.totalBytes,
      rows: this.columns.length,
      format: this.report?.format ?? null,
      packets: this.report?.packets ?? 0,
      exchanges: this.exchanges.length,
      transactions: this.transactionStore.length,
      problems: this.problemCount,
      fileProblems: fileProblems(this.report, this.problem),
      pinOperations: this.report?.pinOperations.length ?? 0,
      devices: captureDevices(
        this.report?.devices,
        this.devices,
        new Map(this.devices.map((name, i) => [name, this.deviceMessages[i] ?? 0])),
      ),
      messageTypes: [...this.typeCounts].map(([code, t]) => ({ code, name: t.name, count: t.count })).sort((a, b) => a.code - b.code),
    };
    if (this.problem !== undefined) status.problem = this.problem;
    return status;
  }

  view(filter: CaptureFilter | undefined): FilteredView {
    const total = this.columns.length;
    if (isEmptyFilter(filter)) return { length: total, get: (i) => i, indexOf: (row) => (row < total ? row : -1) };
    return this.filters.view(filter!, total, this.state !== 'importing');
  }

  rows(start: number, count: number, filter: CaptureFilter | undefined): { matched: number; rows: CaptureRow[] } {
    const view = this.view(filter);
    const end = Math.min(view.length, start + count);
    const rows: CaptureRow[] = [];
    for (let i = start; i < end; i++) rows.push(describeRow(this, view.get(i)));
    return { matched: view.length, rows };
  }

  detail(row: number): CaptureDetail | undefined {
    if (row >= this.columns.length) return undefined;
    const message = decodeRow(this, row);
    const described = describeRow(this, row, message);
    const problems = message.problems.map((p) => ({ code: p.code, message: p.message }));
    for (const p of this.report?.problems ?? []) if (p.frame === described.frame) problems.push({ code: p.code, message: p.message });
    return {
      row: described,
      hex: toHex(this.bytes(row)),
      transfers: this.columns.transfers[row]!,
      frames: described.transfers > 1 ? [described.frame, this.columns.lastFrame[row]!] : [described.frame],
      tree: detailTree(
        message,
        statusContextOfRow(this.columns, row),
        t1ReadingOf(this, row),
        endingStatusWord(this.columns, row, message),
      ),
      problems,
    };
  }

  /**
   * The APDU conversation: the transactions, and once the import has ended the PIN entries
   * between them (core/trace pairs a Secure with its answer only when it has seen both).
   */
  conversation(): Conversation {
    const transactions = this.transactionStore;
    const pins = this.report?.pinOperations ?? [];
    const key = `${transactions.length}/${this.state}/${pins.length}`;
    if (this.conversationCache?.key !== key) {
      const firstFrame = (i: number): number => this.exchanges.commandFrame(transactions.firstExchange(i));
      const entries = locatePinEntries(this, pins, (name) => this.deviceIds.get(name) ?? -1);
      this.conversationCache = { key, conversation: new Conversation(transactions.length, firstFrame, entries) };
    }
    return this.conversationCache.conversation;
  }

  transactions(start: number, count: number): CaptureTransaction[] {
    const conversation = this.conversation();
    const out: CaptureTransaction[] = [];
    for (let i = start; i < Math.min(conversation.length, start + count); i++) out.push(this.conversationLine(i));
    return out;
  }

  /** Conversation entry `index` as the workbench shows it (PIN data redacted). */
  conversationLine(index: number): CaptureTransaction {
    const entry = this.conversation().at(index)!;
    return conversationEntry(index, entry, {
      transaction: (i) => this.transactionStore.at(i)!,
      exchange: (exchangeIndex) => this.exchanges.at(exchangeIndex),
      secretOf: (exchanges) => this.membership.secretOfAny(exchanges),
      rowOfFrame: (frame) => this.columns.findByFrameAnywhere(frame),
    });
  }

  /** The timing plot's points for a range (see TimingIndex). */
  timing(range: { fromMs?: number | undefined; toMs?: number | undefined }, columns: number): ReturnType<TimingIndex['points']> {
    const conversation = this.conversation();
    const cache = this.conversationCache!;
    cache.timing ??= new TimingIndex(conversation.length, (i) => {
      const entry = conversation.at(i)!;
      if (entry.kind === 'pin') return { timeMs: entry.pin.timeMs, durationMs: entry.pin.durationMs, kind: 'pin' };
      const t = this.transactionStore;
      const at = entry.transaction;
      return {
        timeMs: this.exchanges.timeMs(t.firstExchange(at)),
        durationMs: t.durationMs(at),
        kind: isErrorSw(t.statusWord(at)) ? 'apdu-error' : 'apdu',
      };
    });
    return cache.timing.points(range, columns);
  }

  /** Exchanges whose command lies in the rows' frame span (all of them without a range). */
  exchangesIn(range: { start: number; end: number } | undefined): TraceExchange[] {
    if (!range) return this.exchanges.list();
    const { low, high } = this.frameSpan(range);
    return this.exchanges.list(low, high);
  }

  private frameSpan(range: { start: number; end: number }): { low: number; high: number } {
    let low = Infinity;
    let high = -Infinity;
    for (let i = range.start; i < range.end; i++) {
      low = Math.min(low, this.columns.frame[i]!);
      high = Math.max(high, this.columns.frame[i]!);
    }
    return { low, high };
  }

  transactionsFor(exchanges: readonly TraceExchange[]): TraceTransaction[] {
    return this.transactionStore.startingWith(new Set(exchanges.map((e) => e.index)));
  }

  /** The PIN entries whose Secure lies in the rows' frame span (all of them without a range). */
  pinOperationsIn(range: { start: number; end: number } | undefined): TracePinOperation[] {
    const all = this.report?.pinOperations ?? [];
    if (!range) return all;
    const frames = this.frameSpan(range);
    return all.filter((p) => p.frame >= frames.low && p.frame <= frames.high);
  }

  get fileFormat(): string | null {
    return this.report?.format ?? null;
  }
}

/** The message-type filter's name: the CCID name, or what an APDU-level trace's rows are. */
function messageTypeName(code: number, kind: number): string {
  if (code === APDU_PACKET_MESSAGE_TYPE && isApduPacketRow(kind)) return 'APDU, response or ATR (no CCID message)';
  return messageTypeByCode(code)?.name ?? `unknown 0x${intHex(code, 2)}`;
}

/** 64xx–6Fxx: the card refused (as the SW class filter's 'error'). */
function isErrorSw(sw: string | null): boolean {
  return sw !== null && /^6[4-9A-F]/i.test(sw);
}
