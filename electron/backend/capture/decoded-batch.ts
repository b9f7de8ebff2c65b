/**
 * What the decode worker sends after each chunk: the CCID messages and APDU exchanges that chunk
 * completed, in capture order. Messages travel as columns of typed arrays plus one byte buffer
 * (transferred, not copied), so a million-row import is a few dozen postMessage calls, not a
 * million structured clones. Exchanges are small plain objects.
 */
import type { TraceExchange, TraceMessage } from '#core/trace/index.js';

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
] as const;
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
  /** One-line summaries (the transcript's), when asked for. */
  summaries?: string[];
}

export interface DecodedBatch {
  /** Device names first seen in this batch, in index order after the earlier ones. */
  newDevices: string[];
  messages: MessageColumns;
  exchanges: TraceExchange[];
  /** For each exchange, how many of this batch's messages came before it (capture order). */
  exchangeAfter: number[];
}

/** Which message columns a consumer wants; exchanges are cheap and always sent when asked. */
export interface BatchContents {
  messages: boolean;
  /** The message bytes (the viewer's rows need them, a transcript does not). */
  messageBytes: boolean;
  summaries: boolean;
  exchanges: boolean;
}

const INITIAL_ROWS = 1024;
const INITIAL_BYTES = 64 * 1024;

/** Collects one batch in the worker; take() hands it over and starts the next. */
export class DecodedBatchBuilder {
  private readonly deviceIndex = new Map<string, number>();
  private newDevices: string[] = [];
  private columns = emptyColumns(INITIAL_ROWS, INITIAL_BYTES);
  private usedBytes = 0;
  private summaries: string[] = [];
  private exchanges: TraceExchange[] = [];
  private exchangeAfter: number[] = [];

  constructor(private readonly contents: BatchContents) {}

  get isEmpty(): boolean {
    return this.columns.count === 0 && this.exchanges.length === 0 && this.newDevices.length === 0;
  }

  message(m: TraceMessage): void {
    if (!this.contents.messages) return;
    const length = this.contents.messageBytes ? m.ccidFrame.bytes.length : 0;
    const c = this.ensureRoom(length);
    const i = c.count++;
    c.frame[i] = m.frame;
    c.lastFrame[i] = m.ccidFrame.lastFrame;
    c.transfers[i] = m.ccidFrame.frames.length;
    c.timeNs[i] = m.timeNs;
    c.device[i] = this.device(m.device);
    c.slot[i] = m.slot ?? NO_MESSAGE_SLOT;
    c.direction[i] = MESSAGE_DIRECTIONS.indexOf(m.direction);
    c.messageType[i] = m.bMessageType;
    c.kind[i] = Math.max(0, MESSAGE_PAYLOAD_KINDS.indexOf(m.kind ?? 'none'));
    c.problems[i] = m.problemCount + m.ccidFrame.problems.length;
    c.truncated[i] = m.ccidFrame.truncated ? 1 : 0;
    c.byteOffset[i] = this.usedBytes;
    c.byteLength[i] = length;
    if (length > 0) c.bytes.set(m.ccidFrame.bytes, this.usedBytes);
    this.usedBytes += length;
    if (this.contents.summaries) this.summaries.push(m.summary);
  }

  exchange(e: TraceExchange): void {
    if (!this.contents.exchanges) return;
    this.device(e.device);
    this.exchanges.push(e);
    this.exchangeAfter.push(this.columns.count);
  }

  /** The batch so far (trimmed to size) and the buffers to transfer with it. */
  take(): { batch: DecodedBatch; transfer: ArrayBuffer[] } {
    const c = this.columns;
    const messages: MessageColumns = {
      count: c.count,
      frame: c.frame.slice(0, c.count),
      lastFrame: c.lastFrame.slice(0, c.count),
      transfers: c.transfers.slice(0, c.count),
      timeNs: c.timeNs.slice(0, c.count),
      device: c.device.slice(0, c.count),
      slot: c.slot.slice(0, c.count),
      direction: c.direction.slice(0, c.count),
      messageType: c.messageType.slice(0, c.count),
      kind: c.kind.slice(0, c.count),
      problems: c.problems.slice(0, c.count),
      truncated: c.truncated.slice(0, c.count),
      byteOffset: c.byteOffset.slice(0, c.count),
      byteLength: c.byteLength.slice(0, c.count),
      bytes: c.bytes.slice(0, this.usedBytes),
    };
    if (this.contents.summaries) messages.summaries = this.summaries;
    const batch: DecodedBatch = { newDevices: this.newDevices, messages, exchanges: this.exchanges, exchangeAfter: this.exchangeAfter };
    this.newDevices = [];
    this.summaries = [];
    this.exchanges = [];
    this.exchangeAfter = [];
    // The working columns stay (sized for a chunk's worth of messages); only their fill restarts.
    c.count = 0;
    this.usedBytes = 0;
    const transfer = [
      messages.frame,
      messages.lastFrame,
      messages.transfers,
      messages.timeNs,
      messages.device,
      messages.slot,
      messages.direction,
      messages.messageType,
      messages.kind,
      messages.problems,
      messages.truncated,
      messages.byteOffset,
      messages.byteLength,
      messages.bytes,
    ].map((column) => column.buffer as ArrayBuffer);
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

  private ensureRoom(byteLength: number): MessageColumns {
    const c = this.columns;
    const rows = c.count === c.frame.length ? c.frame.length * 2 : c.frame.length;
    let bytes = c.bytes.length;
    while (this.usedBytes + byteLength > bytes) bytes *= 2;
    if (rows === c.frame.length && bytes === c.bytes.length) return c;
    const grown = emptyColumns(rows, bytes);
    grown.count = c.count;
    for (const key of COLUMN_KEYS) (grown[key] as Uint8Array).set(c[key] as Uint8Array);
    grown.bytes.set(c.bytes.subarray(0, this.usedBytes));
    this.columns = grown;
    return grown;
  }
}

const COLUMN_KEYS = [
  'frame',
  'lastFrame',
  'transfers',
  'timeNs',
  'device',
  'slot',
  'direction',
  'messageType',
  'kind',
  'problems',
  'truncated',
  'byteOffset',
  'byteLength',
] as const;

function emptyColumns(rows: number, bytes: number): MessageColumns {
  return {
    count: 0,
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
    bytes: new Uint8Array(bytes),
  };
}
