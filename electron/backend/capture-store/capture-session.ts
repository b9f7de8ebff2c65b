/**
 * One open capture: imports the file in the background (core/trace through
 * decodeCaptureFile), indexes every CCID message as a row of typed columns with its bytes in a
 * ByteArena, and answers windows of rows, filtered views, a row's decode tree and the folded
 * transactions while the import runs.
 */
import { basename } from 'node:path';
import { fromHex, intHex, toHex } from '#core/bytes/hex.js';
import type {
  CaptureDetail,
  CaptureFilter,
  CaptureImportState,
  CaptureRow,
  CaptureStatus,
  CaptureTransaction,
} from '#core/ipc/channels/captures.js';
import { redactedCommandHex } from '#core/iso7816/pin-redaction.js';
import { messageTypeByCode } from '#core/ccid/message-types.js';
import { TransactionFolder, type TraceExchange, type TraceReport } from '#core/trace/index.js';
import { CaptureAbortedError, CaptureFileError, decodeCaptureFile } from '../capture/decode-capture-file.js';
import { NO_MESSAGE_SLOT, type DecodedBatch, type MessageColumns } from '../capture/decoded-batch.js';
import { ByteArena } from './byte-arena.js';
import { ExchangeMembership } from './exchange-membership.js';
import { FLAG_PROBLEM, FLAG_TRUNCATED, NO_INS, NO_SLOT, RowColumns } from './row-columns.js';
import { decodeRow, describeRow, detailTree, type RowSource } from './row-decode.js';
import { FilterCache, isEmptyFilter, rowPredicate, type FilteredView } from './row-filter.js';

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
  private readonly arena = new ByteArena();
  private readonly devices: string[] = [];
  private readonly deviceIds = new Map<string, number>();
  private readonly typeCounts = new Map<number, { name: string; count: number }>();
  private readonly exchanges: TraceExchange[] = [];
  private readonly folder = new TransactionFolder();
  /** Which rows carried each exchange and which exchanges carry secrets: what masking follows. */
  readonly membership = new ExchangeMembership(this, (name) => this.deviceIds.get(name) ?? -1);
  private readonly controller = new AbortController();
  private readonly filters: FilterCache;
  private finalTransactions: ReturnType<TransactionFolder['finish']> | undefined;
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
    this.filters = new FilterCache((filter) => rowPredicate(this, filter, (name) => this.deviceIds.get(name) ?? -1));
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
      this.finalTransactions = this.folder.finish();
      this.flagReportProblems(report);
      this.state = 'done';
    } catch (error) {
      if (error instanceof CaptureAbortedError) {
        this.state = 'cancelled';
      } else {
        this.state = 'failed';
        this.problem = error instanceof CaptureFileError ? error.message : `the import stopped: ${String(error)}`;
      }
      this.finalTransactions = this.folder.finish();
    }
    this.filters.invalidate();
    this.options.onProgress?.(this.status());
  }

  /** One chunk's messages and exchanges, interleaved as in the capture (an exchange's rows exist before it is tagged). */
  private addBatch(batch: DecodedBatch): void {
    for (const name of batch.newDevices) {
      this.deviceIds.set(name, this.devices.length);
      this.devices.push(name);
    }
    let row = 0;
    batch.exchanges.forEach((exchange, i) => {
      for (const until = batch.exchangeAfter[i]!; row < until; row++) this.addMessage(batch.messages, row);
      this.addExchange(exchange);
    });
    for (; row < batch.messages.count; row++) this.addMessage(batch.messages, row);
  }

  private addMessage(m: MessageColumns, i: number): void {
    const offset = m.byteOffset[i]!;
    const bytes = m.bytes.subarray(offset, offset + m.byteLength[i]!);
    const problems = m.problems[i]!;
    this.problemCount += problems;
    const slot = m.slot[i]!;
    const messageType = m.messageType[i]!;
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
    else
      this.typeCounts.set(messageType, { name: messageTypeByCode(messageType)?.name ?? `unknown 0x${intHex(messageType, 2)}`, count: 1 });
  }

  /** Tags the command and answer rows of an APDU exchange with its INS and SW (filters use them). */
  private addExchange(exchange: TraceExchange): void {
    this.exchanges.push(exchange);
    const command = fromHex(exchange.command);
    const response = fromHex(exchange.response);
    this.folder.add(exchange, command, response);
    this.membership.add(exchange, command);
    const ins = command.length >= 2 ? command[1]! : NO_INS;
    const sw = exchange.sw !== null ? parseInt(exchange.sw, 16) : 0;
    for (const frame of [exchange.commandFrame, exchange.responseFrame]) {
      const row = this.columns.findByFrame(frame, TAG_LOOK_BACK);
      if (row < 0) continue;
      this.columns.ins[row] = ins;
      this.columns.sw[row] = sw;
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
      transactions: this.transactionList().length,
      problems: this.problemCount,
      devices: (this.report?.devices ?? this.devices.map((id) => ({ id, vendorId: null, productId: null }))).map((d) => {
        const device: CaptureStatus['devices'][number] = { id: d.id, vendorId: d.vendorId, productId: d.productId };
        if ('product' in d && d.product !== undefined) device.product = d.product;
        return device;
      }),
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
      tree: detailTree(message, described.ins ?? undefined),
      problems,
    };
  }

  transactionList(): readonly ReturnType<TransactionFolder['finish']>[number][] {
    return this.finalTransactions ?? this.folder.transactions;
  }

  transactions(start: number, count: number): CaptureTransaction[] {
    const list = this.transactionList();
    const out: CaptureTransaction[] = [];
    for (let i = start; i < Math.min(list.length, start + count); i++) {
      const t = list[i]!;
      const first = this.exchanges[t.exchanges[0]! - 1];
      out.push({
        index: i,
        device: t.device,
        slot: t.slot,
        command: redactedCommandHex(fromHex(t.command), this.membership.secretOfAny(t.exchanges)),
        name: t.name,
        sw: t.sw,
        meaning: t.meaning,
        timeMs: first?.timeMs ?? 0,
        durationMs: t.durationMs,
        exchanges: t.exchanges.length,
        folded: t.folded,
        frame: first?.commandFrame ?? 0,
        row: first ? this.columns.findByFrameAnywhere(first.commandFrame) : -1,
        problem: t.problems.length > 0,
      });
    }
    return out;
  }

  /** Exchanges whose command lies in the rows' frame span (all of them without a range). */
  exchangesIn(range: { start: number; end: number } | undefined): TraceExchange[] {
    if (!range) return this.exchanges;
    let low = Infinity;
    let high = -Infinity;
    for (let i = range.start; i < range.end; i++) {
      low = Math.min(low, this.columns.frame[i]!);
      high = Math.max(high, this.columns.frame[i]!);
    }
    return this.exchanges.filter((e) => e.commandFrame >= low && e.commandFrame <= high);
  }

  transactionsFor(exchanges: readonly TraceExchange[]): ReturnType<TransactionFolder['finish']>[number][] {
    const wanted = new Set(exchanges.map((e) => e.index));
    return this.transactionList().filter((t) => wanted.has(t.exchanges[0]!));
  }

  get fileFormat(): string | null {
    return this.report?.format ?? null;
  }
}
