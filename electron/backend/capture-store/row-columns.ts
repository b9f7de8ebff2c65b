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

export class RowColumns {
  length = 0;
  frame = new Uint32Array(1024);
  lastFrame = new Uint32Array(1024);
  transfers = new Uint8Array(1024);
  timeNs = new Float64Array(1024);
  address = new Float64Array(1024);
  byteLength = new Uint32Array(1024);
  device = new Uint16Array(1024);
  ins = new Uint16Array(1024);
  sw = new Uint16Array(1024);
  slot = new Uint8Array(1024);
  direction = new Uint8Array(1024);
  messageType = new Uint8Array(1024);
  kind = new Uint8Array(1024);
  flags = new Uint8Array(1024);

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
    this.frame = grown(this.frame, new Uint32Array(size));
    this.lastFrame = grown(this.lastFrame, new Uint32Array(size));
    this.transfers = grown(this.transfers, new Uint8Array(size));
    this.timeNs = grown(this.timeNs, new Float64Array(size));
    this.address = grown(this.address, new Float64Array(size));
    this.byteLength = grown(this.byteLength, new Uint32Array(size));
    this.device = grown(this.device, new Uint16Array(size));
    this.ins = grown(this.ins, new Uint16Array(size));
    this.sw = grown(this.sw, new Uint16Array(size));
    this.slot = grown(this.slot, new Uint8Array(size));
    this.direction = grown(this.direction, new Uint8Array(size));
    this.messageType = grown(this.messageType, new Uint8Array(size));
    this.kind = grown(this.kind, new Uint8Array(size));
    this.flags = grown(this.flags, new Uint8Array(size));
  }
}

function grown<T extends Uint8Array | Uint16Array | Uint32Array | Float64Array>(old: T, next: T): T {
  next.set(old as never);
  return next;
}
