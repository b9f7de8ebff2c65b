/**
 * Message bytes packed end to end in large blocks, so a capture of millions of CCID messages
 * costs one allocation per block instead of one object per message. A message never straddles
 * two blocks (CCID messages are capped far below the block size by the capture layer; a larger
 * one gets a block of its own).
 */
const BLOCK_SIZE = 8 * 1024 * 1024;

export class ByteArena {
  private readonly blocks: Uint8Array[] = [];
  private used = BLOCK_SIZE;

  /** Stores a copy; returns its address for `get`. */
  add(bytes: Uint8Array): number {
    if (this.used + bytes.length > BLOCK_SIZE || this.blocks.length === 0) {
      this.blocks.push(new Uint8Array(Math.max(BLOCK_SIZE, bytes.length)));
      this.used = 0;
    }
    const blockIndex = this.blocks.length - 1;
    this.blocks[blockIndex]!.set(bytes, this.used);
    const address = blockIndex * BLOCK_SIZE + this.used;
    this.used += bytes.length;
    // An oversized block is full: the next message starts a new one.
    if (bytes.length > BLOCK_SIZE) this.used = BLOCK_SIZE;
    return address;
  }

  /** A view (no copy) of bytes stored at `address`. */
  get(address: number, length: number): Uint8Array {
    const block = this.blocks[Math.floor(address / BLOCK_SIZE)];
    if (!block) return new Uint8Array(0);
    const at = address % BLOCK_SIZE;
    return block.subarray(at, at + length);
  }

  get byteLength(): number {
    return this.blocks.reduce((sum, block) => sum + block.length, 0);
  }
}
