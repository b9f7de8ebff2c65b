/**
 * Where a browser-mode recording waits for its download: chunks in memory, never more than a
 * limit (the renderer cannot write a file as the session goes, so the backend keeps it). Past the
 * limit the sink takes nothing more and says so; the recording is then stopped by its owner.
 */
export class MemoryRecordSink {
  private readonly chunks: Uint8Array[] = [];
  private size = 0;
  private overflowed = false;

  constructor(readonly limit: number) {}

  get bytes(): number {
    return this.size;
  }

  /** True once a chunk did not fit: the file holds every packet before it. */
  get full(): boolean {
    return this.overflowed;
  }

  write(chunk: Uint8Array): void {
    if (this.overflowed) return;
    if (this.size + chunk.length > this.limit) {
      this.overflowed = true;
      return;
    }
    // The writer hands over fresh blocks; kept as they are.
    this.chunks.push(chunk);
    this.size += chunk.length;
  }

  /** The whole file. */
  contents(): Uint8Array {
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const chunk of this.chunks) {
      out.set(chunk, at);
      at += chunk.length;
    }
    return out;
  }
}
