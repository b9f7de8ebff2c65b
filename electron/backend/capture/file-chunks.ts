/**
 * A regular file read in chunks by the decode worker itself (decode-worker-protocol's
 * config.file), handed to the decoder one chunk per credit the consumer gives.
 *
 * Reads are asynchronous and run ahead: while the decoder works through one chunk, the next
 * ones are copied from the page cache by libuv's thread pool, off this thread, which is the
 * busy one (a synchronous read would add its copying to the decode). At most READ_AHEAD reads
 * are in flight, each into a buffer of its own that comes back once decoded, so memory stays a
 * few chunks whatever the file's size. Reads name their file position, so they may complete in
 * any order; chunks are decoded in file order.
 */
import { close, open, read } from 'node:fs';
import { chunkSizeOfRead } from './decode-worker-protocol.js';

/** Reads in flight or done and not yet decoded. */
const READ_AHEAD = 2;

export interface FileChunkHandlers {
  /** The next chunk, in file order (a view: nothing may keep it once this returns); false stops the reading. */
  chunk(bytes: Uint8Array): boolean;
  /** The file's end was reached and every chunk decoded. */
  end(): void;
  /** The file could not be opened or read: why, in words. */
  failed(reason: string): void;
}

interface Slot {
  buffer: Uint8Array;
  /** Bytes asked for: fewer back means the file ends there. */
  requested: number;
  done: boolean;
  length: number;
  error: NodeJS.ErrnoException | null;
}

export class FileChunks {
  private credits = 0;
  private fd: number | undefined;
  private opening = false;
  private position = 0;
  private reads = 0;
  private readsInFlight = 0;
  /** Reads issued and not yet decoded, in file order. */
  private slots: Slot[] = [];
  private readonly spare: Uint8Array[] = [];
  /** A read came back short or empty: no more are issued. */
  private atEnd = false;
  private stopped = false;
  private scheduled = false;

  constructor(
    private readonly path: string,
    private readonly chunkSize: number,
    private readonly handlers: FileChunkHandlers,
  ) {}

  /** The consumer may take this many more chunks. */
  grant(chunks: number): void {
    this.credits += chunks;
    if (this.fd === undefined) this.open();
    else this.schedule();
  }

  /** Stops reading; what is in flight is dropped (the file is closed once no read uses it). */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.slots = [];
    this.closeWhenIdle();
  }

  private open(): void {
    if (this.opening || this.stopped) return;
    this.opening = true;
    open(this.path, 'r', (error, fd) => {
      this.fd = error ? undefined : fd;
      if (error) return this.fail(error);
      if (this.stopped) return this.closeWhenIdle();
      this.issueReads();
    });
  }

  private issueReads(): void {
    while (!this.atEnd && !this.stopped && this.fd !== undefined && this.slots.length < READ_AHEAD) {
      const requested = chunkSizeOfRead(this.reads++, this.chunkSize);
      const slot: Slot = { buffer: this.spare.pop() ?? new Uint8Array(this.chunkSize), requested, done: false, length: 0, error: null };
      this.slots.push(slot);
      this.readsInFlight++;
      read(this.fd, slot.buffer, 0, requested, this.position, (error, length) => {
        this.readsInFlight--;
        slot.done = true;
        slot.error = error;
        slot.length = length;
        if (this.stopped) this.closeWhenIdle();
        else this.schedule();
      });
      this.position += requested;
    }
  }

  /** Decodes what is ready on a later turn of the event loop, so that credits and completions get in between chunks. */
  private schedule(): void {
    if (this.scheduled || this.stopped) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.next();
    });
  }

  private next(): void {
    if (this.stopped || this.credits === 0) return;
    const slot = this.slots[0];
    if (!slot) {
      if (this.atEnd) this.finishReading();
      return;
    }
    if (!slot.done) return;
    this.slots.shift();
    if (slot.error) return this.fail(slot.error);
    if (slot.length === 0) return this.finishReading();
    // A regular file gives all it has: a short read is its last chunk.
    if (slot.length < slot.requested) this.atEnd = true;
    this.credits--;
    const goOn = this.handlers.chunk(slot.buffer.subarray(0, slot.length));
    this.spare.push(slot.buffer);
    if (!goOn) return this.stop();
    this.issueReads();
    this.schedule();
  }

  private finishReading(): void {
    this.stop();
    this.handlers.end();
  }

  private fail(error: NodeJS.ErrnoException): void {
    if (this.stopped) return;
    this.stop();
    const code = error.code;
    this.handlers.failed(code === 'EACCES' || code === 'EPERM' ? 'permission denied' : error.message);
  }

  /** Closes the file once no read is using it (closing under a read could let its number be reused mid-read). */
  private closeWhenIdle(): void {
    if (this.readsInFlight > 0 || this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    close(fd, () => {});
  }
}
