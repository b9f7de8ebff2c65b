/**
 * The row index: one entry per CCID message in typed-array columns (about 41 bytes a row),
 * grown by doubling. Nothing per row lives in JS objects, so millions of rows stay compact.
 */
import type { MESSAGE_PAYLOAD_KINDS } from '../capture/decoded-batch.js';

export const NO_SLOT = 0xff;
export const NO_INS = 0xffff;
export const NO_SW = 0;

/**
 * Direction and abData kind codes: the decode worker's (capture-session copies its codes into the
 * rows as they come), so the row store names them from the one table.
 */
export { MESSAGE_DIRECTIONS as DIRECTIONS, MESSAGE_PAYLOAD_KINDS as PAYLOAD_KINDS } from '../capture/decoded-batch.js';
export type StoredPayloadKind = (typeof MESSAGE_PAYLOAD_KINDS)[number];

export const FLAG_PROBLEM = 1;
export const FLAG_TRUNCATED = 2;
/** The message carried (part of) a decoded APDU exchange: its command or a block/part of it. */
export const FLAG_IN_EXCHANGE = 4;
/** ...and that exchange's command carries secret data (core/iso7816/secret-commands). */
export const FLAG_SECRET = 8;
/** ...and its abData is the command APDU itself (APDU level, not chained): header and Lc may show. */
export const FLAG_WHOLE_APDU = 16;
/**
 * ...and that exchange's command carried a data field: a VERIFY without one only asks for the
 * try counter, so its 63Cx reads "not verified yet", not "Wrong PIN" (describeStatusWord).
 */
export const FLAG_COMMAND_HAS_DATA = 32;

export interface RowInput {
  frame: number;
  timeNs: number;
  device: number;
  slot: number;
  direction: number;
  messageType: number;
  kind: number;
  flags: number;
  address: number;
  length: number;
  lastFrame: number;
  /** Transfers the message was rebuilt from. */
  transfers: number;
}

/** The stored rows: their columns and each row's message bytes (what CaptureSession keeps). */
export interface StoredRows {
  columns: RowColumns;
  bytes(row: number): Uint8Array;
}

/** Typed arrays over shared memory: the search worker reads the columns in place (row-search-worker.ts). */
function shared<T>(make: new (buffer: SharedArrayBuffer) => T, bytesPerRow: number, rows: number): T {
  return new make(new SharedArrayBuffer(bytesPerRow * rows));
}

export class RowColumns {
  length = 0;
  frame = shared(Uint32Array, 4, 1024);
  lastFrame = shared(Uint32Array, 4, 1024);
  transfers = shared(Uint8Array, 1, 1024);
  timeNs = shared(Float64Array, 8, 1024);
  address = shared(Float64Array, 8, 1024);
  byteLength = shared(Uint32Array, 4, 1024);
  device = shared(Uint16Array, 2, 1024);
  ins = shared(Uint16Array, 2, 1024);
  sw = shared(Uint16Array, 2, 1024);
  slot = shared(Uint8Array, 1, 1024);
  direction = shared(Uint8Array, 1, 1024);
  messageType = shared(Uint8Array, 1, 1024);
  kind = shared(Uint8Array, 1, 1024);
  flags = shared(Uint8Array, 1, 1024);

  push(row: RowInput): number {
    if (this.length === this.frame.length) this.grow();
    const i = this.length++;
    this.frame[i] = row.frame;
    this.lastFrame[i] = row.lastFrame;
    this.transfers[i] = Math.min(255, row.transfers);
    this.timeNs[i] = row.timeNs;
    this.address[i] = row.address;
    this.byteLength[i] = row.length;
    this.device[i] = row.device;
    this.ins[i] = NO_INS;
    this.sw[i] = NO_SW;
    this.slot[i] = row.slot;
    this.direction[i] = row.direction;
    this.messageType[i] = row.messageType;
    this.kind[i] = row.kind;
    this.flags[i] = row.flags;
    return i;
  }

  /**
   * The row whose message starts at `frame`, searching back from the newest rows: messages
   * arrive in nearly frame order (a reassembled message is emitted at its last transfer).
   */
  findByFrame(frame: number, lookBack = 256): number {
    const stop = Math.max(0, this.length - lookBack);
    for (let i = this.length - 1; i >= stop; i--) if (this.frame[i] === frame) return i;
    return this.findByFrameAnywhere(frame);
  }

  /** Binary search on the nearly sorted frame column, then a look around the landing point. */
  findByFrameAnywhere(frame: number): number {
    let lo = 0;
    let hi = this.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.frame[mid]! < frame) lo = mid + 1;
      else hi = mid;
    }
    for (let d = 0; d < 64; d++) {
      if (lo + d < this.length && this.frame[lo + d] === frame) return lo + d;
      if (lo - d - 1 >= 0 && this.frame[lo - d - 1] === frame) return lo - d - 1;
    }
    return -1;
  }

  private grow(): void {
    const size = this.frame.length * 2;
    this.frame = grown(this.frame, shared(Uint32Array, 4, size));
    this.lastFrame = grown(this.lastFrame, shared(Uint32Array, 4, size));
    this.transfers = grown(this.transfers, shared(Uint8Array, 1, size));
    this.timeNs = grown(this.timeNs, shared(Float64Array, 8, size));
    this.address = grown(this.address, shared(Float64Array, 8, size));
    this.byteLength = grown(this.byteLength, shared(Uint32Array, 4, size));
    this.device = grown(this.device, shared(Uint16Array, 2, size));
    this.ins = grown(this.ins, shared(Uint16Array, 2, size));
    this.sw = grown(this.sw, shared(Uint16Array, 2, size));
    this.slot = grown(this.slot, shared(Uint8Array, 1, size));
    this.direction = grown(this.direction, shared(Uint8Array, 1, size));
    this.messageType = grown(this.messageType, shared(Uint8Array, 1, size));
    this.kind = grown(this.kind, shared(Uint8Array, 1, size));
    this.flags = grown(this.flags, shared(Uint8Array, 1, size));
  }
}

function grown<T extends Uint8Array | Uint16Array | Uint32Array | Float64Array>(old: T, next: T): T {
  next.set(old as never);
  return next;
}
