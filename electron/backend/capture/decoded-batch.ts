/**
 * What the decode worker sends after each chunk: the CCID messages and APDU exchanges that chunk
 * completed, in capture order. Both travel as columns of typed arrays plus one byte buffer each
 * (transferred, not copied), so a million-row import is a few dozen postMessage calls, not a
 * million structured clones, and no hex is written in the worker for a consumer that stores or
 * prints the bytes its own way (the viewer keeps them as bytes; `decode --json` writes the hex
 * on the main thread while the worker decodes on).
 */
import { CCID_HEADER_LENGTH } from '#core/ccid/message-types.js';
import { TextBlocks } from '#core/trace/text-blocks.js';
import {
  traceExchangeOf,
  TraceNdjsonWriter,
  type TraceApduPacket,
  type TraceExchange,
  type TraceMessage,
  type TraceRawExchange,
} from '#core/trace/index.js';

/** Message directions, as stored (index = code). */
export const MESSAGE_DIRECTIONS = ['out', 'in', 'interrupt'] as const;
/** abData kinds, as stored (index = code): 'none' for messages without abData. */
export const MESSAGE_PAYLOAD_KINDS = [
  'none',
  'apdu',
  'response-apdu',
  'tpdu',
  'characters',
  'atr',
  'escape',
  'secure',
  'protocol-data',
  'clock-and-rate',
  'data',
  // Rows of APDU-level traces (exported-PDU recordings, pcsc-spy logs): the bytes are the APDU,
  // response or ATR itself, no CCID message around them (row-decode reads them so).
  'apdu-packet',
  'response-packet',
  'atr-packet',
] as const;
const DIRECTION_CODES = { out: 0, in: 1, interrupt: 2 } as const satisfies Record<(typeof MESSAGE_DIRECTIONS)[number], number>;
const KIND_CODES = new Map<string, number>(MESSAGE_PAYLOAD_KINDS.map((kind, code) => [kind, code]));
/** messageType of an APDU-level row: it is no CCID message (its kind says what it is). */
export const APDU_PACKET_MESSAGE_TYPE = 0;
/** slot column value of an interrupt message (no slot). */
export const NO_MESSAGE_SLOT = -1;

/** The messages of one batch, column by column; row i of every column is message i. */
export interface MessageColumns {
  count: number;
  frame: Uint32Array;
  lastFrame: Uint32Array;
  /** Transfers the message was rebuilt from. */
  transfers: Uint32Array;
  /** ns since frame 1. */
  timeNs: Float64Array;
  /** Index into the decode's device list (DecodedBatch.newDevices extends it). */
  device: Uint16Array;
  /** NO_MESSAGE_SLOT for interrupt messages. */
  slot: Int16Array;
  /** Index into MESSAGE_DIRECTIONS. */
  direction: Uint8Array;
  messageType: Uint8Array;
  /** Index into MESSAGE_PAYLOAD_KINDS. */
  kind: Uint8Array;
  /** Problems the capture layer and the decoder found in the message. */
  problems: Uint32Array;
  /** 1 when some bytes were not captured (snapshot length). */
  truncated: Uint8Array;
  /** The message bytes: bytes[byteOffset[i] .. byteOffset[i] + byteLength[i]) (empty unless asked for). */
  byteOffset: Uint32Array;
  byteLength: Uint32Array;
  bytes: Uint8Array;
  /**
   * With BatchContents.summaryText: where message i's summary ends in the batch's `lines`, read
   * as one run of UTF-8 bytes (it starts where message i − 1's ended); see forEachSummary.
   */
  summaryEnd?: Uint32Array;
}

/** The APDU exchanges of one batch, column by column (TraceRawExchange's fields). */
export interface ExchangeColumns {
  count: number;
  /** TraceExchange.index of exchange 0; the others follow one by one. */
  firstIndex: number;
  /** Index into the decode's device list. */
  device: Uint16Array;
  slot: Uint8Array;
  commandFrame: Uint32Array;
  responseFrame: Uint32Array;
  commandTimeNs: Float64Array;
  responseEndNs: Float64Array;
  truncated: Uint8Array;
  /** Command APDU i: bytes[commandOffset[i] .. + commandLength[i]); the response follows it. */
  commandOffset: Uint32Array;
  commandLength: Uint32Array;
  responseLength: Uint32Array;
  bytes: Uint8Array;
}

export interface DecodedBatch {
  /** Device names first seen in this batch, in index order after the earlier ones. */
  newDevices: string[];
  messages: MessageColumns;
  exchanges: ExchangeColumns;
  /** For each exchange, how many of this batch's messages came before it (capture order). */
  exchangeAfter: Uint32Array;
  /**
   * `decode --ndjson`'s lines for this batch's exchanges, or the summaries of its messages, as
   * UTF-8 bytes, when asked for (BatchContents.ndjson, summaryText).
   */
  lines: Uint8Array[];
}

/** Which message columns a consumer wants; exchanges are cheap and always sent when asked. */
export interface BatchContents {
  messages: boolean;
  /** The message bytes (the viewer's rows need them, a transcript does not). */
  messageBytes: boolean;
  exchanges: boolean;
  /**
   * Write each exchange as `decode --ndjson`'s line here, in the worker, instead of sending its
   * columns: a consumer that only passes the lines on keeps nothing and allocates next to nothing
   * (its heap, unlike the worker's, cannot be given a small young generation).
   */
  ndjson?: { redactPins: boolean } | undefined;
  /**
   * The message columns (without bytes) and each message's summary as UTF-8 in `lines`, for a
   * consumer that lays out the transcript's lines itself (decode --text): strings would be cloned
   * one by one between the threads, bytes are transferred in a block. A message read from its
   * header alone has an empty summary and its 10 header bytes as its bytes instead: the consumer
   * makes the summary (headerOnlySummary, MessageLineWriter.lineWithHeader), off the busier thread.
   */
  summaryText?: boolean | undefined;
}

/** Exchange i of a batch's columns as the decoder gave it (views into the batch's bytes). */
export function rawExchangeAt(columns: ExchangeColumns, i: number, devices: readonly string[]): TraceRawExchange {
  const commandAt = columns.commandOffset[i]!;
  const responseAt = commandAt + columns.commandLength[i]!;
  return {
    index: columns.firstIndex + i,
    device: devices[columns.device[i]!] ?? '?',
    slot: columns.slot[i]!,
    command: columns.bytes.subarray(commandAt, responseAt),
    response: columns.bytes.subarray(responseAt, responseAt + columns.responseLength[i]!),
    commandFrame: columns.commandFrame[i]!,
    responseFrame: columns.responseFrame[i]!,
    commandTimeNs: columns.commandTimeNs[i]!,
    responseEndNs: columns.responseEndNs[i]!,
    truncated: columns.truncated[i] === 1,
  };
}

/**
 * Each message's summary as UTF-8 bytes (a view), in order, from a batch that carries them
 * (BatchContents.summaryText): the run of bytes may span the blocks of `lines`.
 */
export function forEachSummary(batch: DecodedBatch, visit: (i: number, summary: Uint8Array) => void): void {
  const ends = batch.messages.summaryEnd;
  if (!ends) return;
  let block = 0;
  let blockStart = 0;
  let start = 0;
  for (let i = 0; i < ends.length; i++) {
    const end = ends[i]!;
    while (block < batch.lines.length && start >= blockStart + batch.lines[block]!.length) blockStart += batch.lines[block++]!.length;
    const current = batch.lines[block];
    if (current && end <= blockStart + current.length) visit(i, current.subarray(start - blockStart, end - blockStart));
    else visit(i, concatRun(batch.lines, start, end));
    start = end;
  }
}

/** Bytes [start, end) of blocks read as one run (a summary split across two blocks). */
function concatRun(blocks: readonly Uint8Array[], start: number, end: number): Uint8Array {
  const out = new Uint8Array(end - start);
  let blockStart = 0;
  for (const b of blocks) {
    const from = Math.max(start, blockStart);
    const to = Math.min(end, blockStart + b.length);
    if (from < to) out.set(b.subarray(from - blockStart, to - blockStart), from - start);
    blockStart += b.length;
  }
  return out;
}

/** A batch's exchanges in the report's form (tests, small consumers). */
export function traceExchangesOf(batch: DecodedBatch, devices: readonly string[]): TraceExchange[] {
  const out: TraceExchange[] = [];
  for (let i = 0; i < batch.exchanges.count; i++) out.push(traceExchangeOf(rawExchangeAt(batch.exchanges, i, devices)));
  return out;
}

const INITIAL_ROWS = 1024;
/** Line blocks kept for reuse: a batch's lines fill one or two, and a few batches are in flight. */
const MAX_SPARE_BLOCKS = 8;
/** Blocks of transcript lines: as decode --ndjson's (NDJSON_BLOCK). */
const SUMMARY_TEXT_BLOCK = 256 * 1024;
const INITIAL_BYTES = 64 * 1024;

type NumberColumn = Uint8Array | Int16Array | Uint16Array | Uint32Array | Float64Array;
type ColumnsOf<T> = { [K in keyof T as K extends 'bytes' ? never : T[K] extends NumberColumn ? K : never]: T[K] };

/**
 * Typed-array columns and a byte buffer that grow by doubling while a batch fills, handed over
 * trimmed to their fill. The working arrays stay for the next batch (sized for a chunk's worth).
 */
class GrowingColumns<T extends object> {
  count = 0;
  usedBytes = 0;
  private rows = INITIAL_ROWS;
  columns: ColumnsOf<T>;
  bytes = new Uint8Array(INITIAL_BYTES);

  constructor(private readonly make: (rows: number) => ColumnsOf<T>) {
    this.columns = make(this.rows);
  }

  /** Room for one more row and `byteLength` more bytes; returns the row's index. */
  add(byteLength: number): number {
    if (this.count === this.rows) {
      this.rows *= 2;
      const grown = this.make(this.rows);
      for (const key of Object.keys(grown) as (keyof ColumnsOf<T>)[]) (grown[key] as NumberColumn).set(this.columns[key] as never);
      this.columns = grown;
    }
    if (this.usedBytes + byteLength > this.bytes.length) {
      let size = this.bytes.length * 2;
      while (this.usedBytes + byteLength > size) size *= 2;
      const grown = new Uint8Array(size);
      grown.set(this.bytes.subarray(0, this.usedBytes));
      this.bytes = grown;
    }
    return this.count++;
  }

  /** The filled part of every column, copied out, and the buffers to transfer; the fill restarts. */
  take(): { columns: ColumnsOf<T>; bytes: Uint8Array; count: number; transfer: ArrayBuffer[] } {
    const columns = {} as Record<string, NumberColumn>;
    for (const [key, column] of Object.entries(this.columns) as [string, NumberColumn][]) columns[key] = column.slice(0, this.count);
    const bytes = this.bytes.slice(0, this.usedBytes);
    const count = this.count;
    this.count = 0;
    this.usedBytes = 0;
    const transfer = [...Object.values(columns).map((c) => c.buffer as ArrayBuffer), bytes.buffer];
    return { columns: columns as ColumnsOf<T>, bytes, count, transfer };
  }
}

/** Collects one batch in the worker; take() hands it over and starts the next. */
export class DecodedBatchBuilder {
  private readonly deviceIndex = new Map<string, number>();
  private newDevices: string[] = [];
  private readonly messages = new GrowingColumns<MessageColumns>((rows) => ({
    frame: new Uint32Array(rows),
    lastFrame: new Uint32Array(rows),
    transfers: new Uint32Array(rows),
    timeNs: new Float64Array(rows),
    device: new Uint16Array(rows),
    slot: new Int16Array(rows),
    direction: new Uint8Array(rows),
    messageType: new Uint8Array(rows),
    kind: new Uint8Array(rows),
    problems: new Uint32Array(rows),
    truncated: new Uint8Array(rows),
    byteOffset: new Uint32Array(rows),
    byteLength: new Uint32Array(rows),
  }));
  private readonly exchanges = new GrowingColumns<ExchangeColumns>((rows) => ({
    device: new Uint16Array(rows),
    slot: new Uint8Array(rows),
    commandFrame: new Uint32Array(rows),
    responseFrame: new Uint32Array(rows),
    commandTimeNs: new Float64Array(rows),
    responseEndNs: new Float64Array(rows),
    truncated: new Uint8Array(rows),
    commandOffset: new Uint32Array(rows),
    commandLength: new Uint32Array(rows),
    responseLength: new Uint32Array(rows),
  }));
  private exchangeAfter: number[] = [];
  private nextExchangeIndex = 1;
  private readonly ndjson: TraceNdjsonWriter | undefined;
  private readonly summaryText: TextBlocks | undefined;
  private summaryEnds: number[] = [];
  private lineCount = 0;
  /** Blocks the consumer wrote out and gave back (giveBack), for the next lines. */
  private readonly spareBlocks: Uint8Array[] = [];

  constructor(private readonly contents: BatchContents) {
    const newBlock = (size: number): Uint8Array => {
      const spare = this.spareBlocks.pop();
      return spare && spare.length >= size ? spare : new Uint8Array(size);
    };
    this.ndjson = contents.ndjson ? new TraceNdjsonWriter(contents.ndjson, newBlock) : undefined;
    this.summaryText = contents.summaryText ? new TextBlocks(SUMMARY_TEXT_BLOCK, newBlock) : undefined;
  }

  /** Whether messages make rows: asked for, or for their summaries. */
  private get messageRows(): boolean {
    return this.contents.messages || this.summaryText !== undefined;
  }

  /** The summary of the row just added, as UTF-8 after the previous one. */
  private summaryOfRow(summary: string): void {
    this.summaryText!.text(summary);
    this.summaryEnds.push(this.summaryText!.length);
  }

  /** Buffers of lines the consumer has written out (DecodedBatch.lines), to write the next lines in. */
  giveBack(buffers: readonly ArrayBuffer[]): void {
    for (const buffer of buffers) if (this.spareBlocks.length < MAX_SPARE_BLOCKS) this.spareBlocks.push(new Uint8Array(buffer));
  }

  get isEmpty(): boolean {
    return this.messages.count === 0 && this.exchanges.count === 0 && this.newDevices.length === 0 && this.lineCount === 0;
  }

  message(m: TraceMessage): void {
    if (!this.messageRows) return;
    if (!this.contents.messages) {
      this.summaryRow(m);
      return;
    }
    const bytes = m.ccidFrame.bytes;
    const length = this.contents.messageBytes ? bytes.length : 0;
    const at = this.messages;
    const i = at.add(length);
    const c = at.columns;
    c.frame[i] = m.frame;
    c.lastFrame[i] = m.ccidFrame.lastFrame;
    c.transfers[i] = m.ccidFrame.frames.length;
    c.timeNs[i] = m.timeNs;
    c.device[i] = this.device(m.device);
    c.slot[i] = m.slot ?? NO_MESSAGE_SLOT;
    c.direction[i] = DIRECTION_CODES[m.direction];
    c.messageType[i] = m.bMessageType;
    c.kind[i] = (m.kind && KIND_CODES.get(m.kind)) ?? 0;
    c.problems[i] = m.problemCount + m.ccidFrame.problems.length;
    c.truncated[i] = m.ccidFrame.truncated ? 1 : 0;
    c.byteOffset[i] = at.usedBytes;
    c.byteLength[i] = length;
    if (length > 0) at.bytes.set(bytes, at.usedBytes);
    at.usedBytes += length;
    if (this.summaryText) this.summaryOfRow(m.summary);
  }

  /**
   * The columns a transcript line needs, and the summary (the rest are left unwritten: a
   * consumer of summaries reads only these). A message read from its header alone comes without
   * its summary (the worker's decoder writes none: headerSummaries off) and with its 10 header
   * bytes instead, from which the consumer makes it (headerOnlySummary).
   */
  private summaryRow(m: TraceMessage): void {
    const headerOnly = m.message === undefined && m.summary === '' && m.ccidFrame.bytes.length >= CCID_HEADER_LENGTH;
    const length = headerOnly ? CCID_HEADER_LENGTH : 0;
    const at = this.messages;
    const i = at.add(length);
    const c = at.columns;
    c.frame[i] = m.frame;
    c.timeNs[i] = m.timeNs;
    c.device[i] = this.device(m.device);
    c.slot[i] = m.slot ?? NO_MESSAGE_SLOT;
    c.direction[i] = DIRECTION_CODES[m.direction];
    c.byteOffset[i] = at.usedBytes;
    c.byteLength[i] = length;
    if (headerOnly) {
      const header = m.ccidFrame.bytes;
      const bytes = at.bytes;
      for (let k = 0; k < CCID_HEADER_LENGTH; k++) bytes[at.usedBytes + k] = header[k]!;
      at.usedBytes += CCID_HEADER_LENGTH;
    }
    this.summaryOfRow(m.summary);
  }

  /** An APDU-level trace's packet as a row of its own (there are no CCID messages). */
  apduPacket(p: TraceApduPacket): void {
    if (!this.messageRows) return;
    const length = this.contents.messageBytes ? p.bytes.length : 0;
    const at = this.messages;
    const i = at.add(length);
    const c = at.columns;
    c.frame[i] = p.frame;
    c.lastFrame[i] = p.frame;
    c.transfers[i] = 1;
    c.timeNs[i] = p.timeNs;
    c.device[i] = this.device(p.device);
    c.slot[i] = p.slot;
    c.direction[i] = p.kind === 'command' ? 0 : 1;
    c.messageType[i] = APDU_PACKET_MESSAGE_TYPE;
    c.kind[i] = MESSAGE_PAYLOAD_KINDS.indexOf(
      p.kind === 'command' ? 'apdu-packet' : p.kind === 'response' ? 'response-packet' : 'atr-packet',
    );
    c.problems[i] = 0;
    c.truncated[i] = p.truncated ? 1 : 0;
    c.byteOffset[i] = at.usedBytes;
    c.byteLength[i] = length;
    if (length > 0) at.bytes.set(p.bytes, at.usedBytes);
    at.usedBytes += length;
    if (this.summaryText) this.summaryOfRow(p.kind === 'atr' ? 'ATR' : p.kind === 'command' ? 'Command APDU' : 'Response APDU');
  }

  exchange(e: TraceRawExchange): void {
    if (this.ndjson) {
      this.ndjson.exchange(e);
      this.lineCount++;
    }
    if (!this.contents.exchanges) return;
    const at = this.exchanges;
    if (at.count === 0) this.nextExchangeIndex = e.index;
    const i = at.add(e.command.length + e.response.length);
    const c = at.columns;
    c.device[i] = this.device(e.device);
    c.slot[i] = e.slot;
    c.commandFrame[i] = e.commandFrame;
    c.responseFrame[i] = e.responseFrame;
    c.commandTimeNs[i] = e.commandTimeNs;
    c.responseEndNs[i] = e.responseEndNs;
    c.truncated[i] = e.truncated ? 1 : 0;
    c.commandOffset[i] = at.usedBytes;
    c.commandLength[i] = e.command.length;
    c.responseLength[i] = e.response.length;
    at.bytes.set(e.command, at.usedBytes);
    at.bytes.set(e.response, at.usedBytes + e.command.length);
    at.usedBytes += e.command.length + e.response.length;
    this.exchangeAfter.push(this.messages.count);
  }

  /** The batch so far (trimmed to size) and the buffers to transfer with it. */
  take(): { batch: DecodedBatch; transfer: ArrayBuffer[] } {
    const m = this.messages.take();
    const x = this.exchanges.take();
    const messages: MessageColumns = { count: m.count, ...m.columns, bytes: m.bytes };
    const summaryEnd = this.summaryText ? Uint32Array.from(this.summaryEnds) : undefined;
    if (summaryEnd) messages.summaryEnd = summaryEnd;
    const exchanges: ExchangeColumns = { count: x.count, firstIndex: this.nextExchangeIndex, ...x.columns, bytes: x.bytes };
    this.nextExchangeIndex += x.count;
    const exchangeAfter = new Uint32Array(this.exchangeAfter);
    const lines = this.ndjson && this.lineCount > 0 ? this.ndjson.take() : (this.summaryText?.take() ?? []);
    this.lineCount = 0;
    this.summaryEnds = [];
    const batch: DecodedBatch = { newDevices: this.newDevices, messages, exchanges, exchangeAfter, lines };
    this.newDevices = [];
    this.exchangeAfter = [];
    const transfer = [...m.transfer, ...x.transfer, exchangeAfter.buffer, ...lines.map((l) => l.buffer as ArrayBuffer)];
    if (summaryEnd) transfer.push(summaryEnd.buffer);
    return { batch, transfer };
  }

  private device(name: string): number {
    let index = this.deviceIndex.get(name);
    if (index === undefined) {
      index = this.deviceIndex.size;
      this.deviceIndex.set(name, index);
      this.newDevices.push(name);
    }
    return index;
  }
}
