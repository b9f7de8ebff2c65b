/**
 * Writes integers and byte runs into a buffer of fixed capacity (the caller sizes it from its
 * input, so memory never depends on a length someone else wrote). Writing past the capacity
 * throws a RangeError naming the position instead of silently growing or truncating.
 */
export class ByteWriter {
  private readonly out: Uint8Array;
  private pos = 0;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 0) throw new RangeError(`capacity must be a non-negative integer, got ${capacity}`);
    this.out = new Uint8Array(capacity);
  }

  /** Bytes written so far. */
  get length(): number {
    return this.pos;
  }

  u8(value: number): this {
    this.ensure(1);
    this.out[this.pos++] = value & 0xff;
    return this;
  }

  u16le(value: number): this {
    return this.u8(value).u8(value >>> 8);
  }

  u16be(value: number): this {
    return this.u8(value >>> 8).u8(value);
  }

  u24be(value: number): this {
    return this.u8(value >>> 16)
      .u8(value >>> 8)
      .u8(value);
  }

  u32le(value: number): this {
    return this.u16le(value & 0xffff).u16le(value >>> 16);
  }

  u32be(value: number): this {
    return this.u16be(value >>> 16).u16be(value & 0xffff);
  }

  bytes(values: ArrayLike<number>): this {
    this.ensure(values.length);
    this.out.set(values, this.pos);
    this.pos += values.length;
    return this;
  }

  /** The bytes written, as a view of the buffer. */
  done(): Uint8Array {
    return this.out.subarray(0, this.pos);
  }

  private ensure(count: number): void {
    if (this.pos + count > this.out.length) {
      throw new RangeError(`write of ${count} byte(s) at ${this.pos} passes the capacity of ${this.out.length}`);
    }
  }
}
