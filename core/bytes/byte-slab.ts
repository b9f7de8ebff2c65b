/**
 * Copies of small byte runs packed into shared 16 KiB blocks. A decode copies every CCID message out of
 * the chunk it came in (so that nothing pins the chunk); copied one by one, each small copy is a
 * typed array whose bytes live inside it on the engine's heap, and every later view of it
 * (subarray: the APDU inside the message) first moves those bytes out to a buffer of their own,
 * which costs more than the copy. Views of a shared block cost a view.
 *
 * A block stays alive as long as any copy in it does: what a decode keeps long (a command
 * waiting for its answer) holds at most a block. Large runs get a buffer of their own. Blocks
 * are small because a decode goes through thousands of them: the 1 GB capture's import peaked
 * ~8 MiB higher with 64 KiB blocks, none of it live.
 */
const DEFAULT_BLOCK = 16 * 1024;

export class ByteSlab {
  private block = new Uint8Array(0);
  private at = 0;

  constructor(private readonly blockSize = DEFAULT_BLOCK) {}

  /** A copy of `bytes`. */
  copy(bytes: Uint8Array): Uint8Array {
    const out = this.alloc(bytes.length);
    out.set(bytes);
    return out;
  }

  /** `length` zeroed bytes of their own. */
  alloc(length: number): Uint8Array {
    if (length > this.blockSize / 4) return new Uint8Array(length);
    if (this.at + length > this.block.length) {
      this.block = new Uint8Array(this.blockSize);
      this.at = 0;
    }
    const out = this.block.subarray(this.at, this.at + length);
    this.at += length;
    return out;
  }
}
