/**
 * Message bytes packed end to end in large blocks, so a capture of millions of CCID messages
 * costs one allocation per block instead of one object per message. A message never straddles
 * two blocks (CCID messages are capped far below the block size by the capture layer; a larger
 * one gets a block of its own).
 *
 * Shared blocks (SharedArrayBuffer) can be read by another thread as they are filled: the
 * search worker scans the rows' bytes where they lie, without a copy.
 */
export const ARENA_BLOCK_SIZE = 8 * 1024 * 1024;

export class ByteArena {
  private readonly blockList: Uint8Array[] = [];
  private used = ARENA_BLOCK_SIZE;

  constructor(private readonly options: { shared?: boolean } = {}) {}

  /** Stores a copy; returns its address for `get`. */
  add(bytes: Uint8Array): number {
    const address = this.reserve(bytes.length);
    this.blockList[this.blockList.length - 1]!.set(bytes, address % ARENA_BLOCK_SIZE);
    return address;
  }

  /** Stores two byte strings one after the other (get(address, a.length + b.length) gives both). */
  addPair(a: Uint8Array, b: Uint8Array): number {
    const address = this.reserve(a.length + b.length);
    const block = this.blockList[this.blockList.length - 1]!;
    const at = address % ARENA_BLOCK_SIZE;
    block.set(a, at);
    block.set(b, at + a.length);
    return address;
  }

  /** A view (no copy) of bytes stored at `address`. */
  get(address: number, length: number): Uint8Array {
    const block = this.blockList[Math.floor(address / ARENA_BLOCK_SIZE)];
    if (!block) return new Uint8Array(0);
    const at = address % ARENA_BLOCK_SIZE;
    return block.subarray(at, at + length);
  }

  /** The blocks, in address order (block i holds addresses i × ARENA_BLOCK_SIZE onwards). */
  get blocks(): readonly Uint8Array[] {
    return this.blockList;
  }

  get byteLength(): number {
    return this.blockList.reduce((sum, block) => sum + block.length, 0);
  }

  /** Room for `length` bytes at the end of the last block, or a new block; returns the address. */
  private reserve(length: number): number {
    if (this.used + length > ARENA_BLOCK_SIZE || this.blockList.length === 0) {
      const size = Math.max(ARENA_BLOCK_SIZE, length);
      this.blockList.push(new Uint8Array(this.options.shared ? new SharedArrayBuffer(size) : new ArrayBuffer(size)));
      this.used = 0;
    }
    const address = (this.blockList.length - 1) * ARENA_BLOCK_SIZE + this.used;
    this.used += length;
    // An oversized block is full: the next message starts a new one.
    if (length > ARENA_BLOCK_SIZE) this.used = ARENA_BLOCK_SIZE;
    return address;
  }
}
