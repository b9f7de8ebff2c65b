import { DecodeError } from './decode-error.js';

/**
 * Bounded, position-tracking reads over one DataView. Sub-readers share the buffer and can
 * never read past their own end, so a lying length field cannot make a decoder wander into the
 * next message. Every read is bounds-checked and throws DecodeError with the absolute offset.
 */
export class ByteReader {
  private readonly view: DataView;
  private pos: number;

  /**
   * @param bytes the buffer to read
   * @param base absolute offset of bytes[0] in the outermost buffer (for error positions and
   *   for the offsets decoders put into dissect nodes)
   */
  constructor(
    readonly bytes: Uint8Array,
    readonly base = 0,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.pos = 0;
  }

  get length(): number {
    return this.bytes.length;
  }
  /** Position relative to this reader. */
  get position(): number {
    return this.pos;
  }
  /** Position in the outermost buffer. */
  get absolutePosition(): number {
    return this.base + this.pos;
  }
  get remaining(): number {
    return this.bytes.length - this.pos;
  }

  seek(position: number): void {
    if (position < 0 || position > this.bytes.length) throw new DecodeError(`seek to ${position} out of range`, this.base);
    this.pos = position;
  }

  skip(count: number): void {
    this.ensure(count);
    this.pos += count;
  }

  u8(): number {
    this.ensure(1);
    return this.view.getUint8(this.pos++);
  }
  u16le(): number {
    return this.fixed(2, (o) => this.view.getUint16(o, true));
  }
  u16be(): number {
    return this.fixed(2, (o) => this.view.getUint16(o, false));
  }
  u32le(): number {
    return this.fixed(4, (o) => this.view.getUint32(o, true));
  }
  u32be(): number {
    return this.fixed(4, (o) => this.view.getUint32(o, false));
  }
  i32le(): number {
    return this.fixed(4, (o) => this.view.getInt32(o, true));
  }
  u64le(): bigint {
    return this.fixed(8, (o) => this.view.getBigUint64(o, true));
  }
  u64be(): bigint {
    return this.fixed(8, (o) => this.view.getBigUint64(o, false));
  }
  u16(littleEndian: boolean): number {
    return littleEndian ? this.u16le() : this.u16be();
  }
  u32(littleEndian: boolean): number {
    return littleEndian ? this.u32le() : this.u32be();
  }

  /** A view (no copy) of the next count bytes. */
  bytesView(count: number): Uint8Array {
    this.ensure(count);
    const out = this.bytes.subarray(this.pos, this.pos + count);
    this.pos += count;
    return out;
  }

  /** Everything left, as a view. */
  rest(): Uint8Array {
    return this.bytesView(this.remaining);
  }

  /** A reader over the next count bytes; advances this reader past them. */
  sub(count: number): ByteReader {
    const start = this.absolutePosition;
    return new ByteReader(this.bytesView(count), start);
  }

  peekU8(at = 0): number | undefined {
    const p = this.pos + at;
    return p < this.bytes.length ? this.bytes[p] : undefined;
  }

  private fixed<T>(size: number, read: (offset: number) => T): T {
    this.ensure(size);
    const value = read(this.pos);
    this.pos += size;
    return value;
  }

  private ensure(count: number): void {
    if (count < 0 || this.pos + count > this.bytes.length) {
      throw new DecodeError(`need ${count} byte(s), ${this.remaining} left`, this.absolutePosition);
    }
  }
}
