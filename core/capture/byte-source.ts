/**
 * The input side of capture reading: a PUSH model. The caller (Node side) reads the file in
 * large chunks and pushes them; containers see whole length-delimited units (pcapng blocks,
 * pcap records). A unit inside one chunk is handed over as a view into that chunk (no copy);
 * only a unit straddling chunks is copied, into a buffer of exactly its size. Memory stays
 * bounded by chunk size + the largest unit, whatever the file size.
 *
 * Pushed chunks must not be modified afterwards: records reference them.
 */
import { MAX_UNIT_LENGTH } from './capture-types.js';

/** Anything that accepts a byte stream. */
export interface ByteSink {
  push(chunk: Uint8Array): void;
  /** No more bytes. */
  end(): void;
}

/** What a container format tells the splitter about its units. Stateful: may change per unit. */
export interface UnitFramer {
  /** Bytes needed at the start of the next unit before `unitLength` can be asked. */
  headerLength(): number;
  /**
   * Total length of the unit that starts at `offset` (at least headerLength bytes available).
   * Return -1 to stop the stream for good (the framer has reported why).
   */
  unitLength(bytes: Uint8Array, view: DataView, offset: number, fileOffset: number): number;
  /** A whole unit: `bytes[offset .. offset+length)`. */
  unit(bytes: Uint8Array, view: DataView, offset: number, length: number, fileOffset: number): void;
  /**
   * End of stream. `danglingBytes` > 0 when it stopped inside a unit (a truncated file);
   * `expectedLength` is that unit's length when it was known.
   */
  finish(danglingBytes: number, expectedLength: number | undefined, fileOffset: number): void;
}

export class UnitSplitter implements ByteSink {
  private carry: Uint8Array | undefined;
  private carryFill = 0;
  private carryKnowsLength = false;
  private fileOffset = 0;
  private stopped = false;
  private ended = false;

  constructor(private readonly framer: UnitFramer) {}

  /** True once the framer refused the stream (bad block length…). Later pushes are ignored. */
  get isStopped(): boolean {
    return this.stopped;
  }

  push(chunk: Uint8Array): void {
    if (this.stopped || this.ended || chunk.length === 0) return;
    let offset = 0;
    if (this.carry) {
      offset = this.fillCarry(chunk);
      if (this.carry || this.stopped) return;
    }
    const view = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const framer = this.framer;
    while (true) {
      const available = chunk.length - offset;
      const header = framer.headerLength();
      if (available < header) break;
      const length = this.checkedLength(framer.unitLength(chunk, view, offset, this.fileOffset), header);
      if (length < 0) return;
      if (available < length) {
        this.startCarry(chunk, offset, length);
        return;
      }
      framer.unit(chunk, view, offset, length, this.fileOffset);
      offset += length;
      this.fileOffset += length;
      if (this.stopped) return;
    }
    if (offset < chunk.length) this.startCarry(chunk, offset, undefined);
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.stopped) return;
    if (this.carry) {
      this.framer.finish(this.carryFill, this.carryKnowsLength ? this.carry.length : undefined, this.fileOffset);
      this.carry = undefined;
    } else {
      this.framer.finish(0, undefined, this.fileOffset);
    }
  }

  /** Lets a framer stop the stream from inside `unit` (e.g. a fatal header). */
  stop(): void {
    this.stopped = true;
    this.carry = undefined;
  }

  private checkedLength(length: number, header: number): number {
    // A framer bug (length < header) would loop forever on the same bytes; the cap guards
    // against allocating a hostile size even if a framer forgot its own check.
    if (length < header || length > MAX_UNIT_LENGTH + 64 || !Number.isInteger(length)) {
      this.stopped = true;
      this.carry = undefined;
      return -1;
    }
    return length;
  }

  private startCarry(chunk: Uint8Array, offset: number, length: number | undefined): void {
    const rest = chunk.length - offset;
    if (length === undefined) {
      this.carry = new Uint8Array(this.framer.headerLength());
      this.carryKnowsLength = false;
    } else {
      this.carry = new Uint8Array(length);
      this.carryKnowsLength = true;
    }
    this.carry.set(chunk.subarray(offset), 0);
    this.carryFill = rest;
  }

  /** Completes the carried unit from the new chunk; returns how many bytes of it were used. */
  private fillCarry(chunk: Uint8Array): number {
    let offset = 0;
    while (this.carry) {
      const carry = this.carry;
      const take = Math.min(carry.length - this.carryFill, chunk.length - offset);
      carry.set(chunk.subarray(offset, offset + take), this.carryFill);
      this.carryFill += take;
      offset += take;
      if (this.carryFill < carry.length) return offset;
      const view = new DataView(carry.buffer, carry.byteOffset, carry.byteLength);
      if (!this.carryKnowsLength) {
        const header = carry.length;
        const length = this.checkedLength(this.framer.unitLength(carry, view, 0, this.fileOffset), header);
        if (length < 0) return chunk.length;
        if (length > header) {
          const grown = new Uint8Array(length);
          grown.set(carry, 0);
          this.carry = grown;
          this.carryKnowsLength = true;
          continue;
        }
      }
      this.carry = undefined;
      this.framer.unit(carry, view, 0, carry.length, this.fileOffset);
      this.fileOffset += carry.length;
    }
    return offset;
  }
}
