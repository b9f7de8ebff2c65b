/**
 * Where capture bytes come from: a regular file, a named pipe, or a stream such as stdin
 * (`cardbench decode -`). Each reads into the buffers the decode gives it, which the decode hands
 * to its worker (transferred) and gets back once decoded.
 *
 * Nothing here may block the event loop or outlive a cancel: a FIFO is opened non-blocking (a
 * blocking open waits for a writer inside libuv's thread pool, where no signal reaches it) and
 * read through an event-driven pipe handle that close() ends at once. Character devices and
 * sockets are refused with a way to read them anyway.
 */
import { constants, openSync, type Stats } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { Socket } from 'node:net';
import type { Readable } from 'node:stream';

export type CaptureFileErrorCode =
  'not-found' | 'unreadable' | 'not-a-capture' | 'is-a-directory' | 'not-a-file' | 'out-of-memory' | 'too-large' | 'hung' | 'crashed';

/** Why a capture could not be decoded, in words a user can act on. */
export class CaptureFileError extends Error {
  constructor(
    message: string,
    readonly code: CaptureFileErrorCode,
  ) {
    super(message);
    this.name = 'CaptureFileError';
  }
}

export interface CaptureSource {
  /** What messages call it: the path as given, or '-' for stdin. */
  readonly name: string;
  /** Size when known in advance (a regular file). */
  readonly totalBytes: number | undefined;
  /**
   * A regular file's path: the decode's worker reads it itself rather than being sent what
   * read() gives (read() stays for any other reader).
   */
  readonly path?: string;
  /**
   * The next bytes, read into `into` (as many as it holds, or fewer): a view of its start, empty
   * at the end. The caller owns the buffer (the decode hands it to its worker and gets it back).
   */
  read(into: Uint8Array): Promise<Uint8Array>;
  /** Stops reading; a read in progress ends with no bytes. */
  close(): Promise<void>;
}

/**
 * Opens a capture file for reading. `name` is what messages call it (default: the path): an
 * upload's original name, so the server's temporary path never reaches the user.
 */
export async function openCaptureFile(path: string, name: string = path): Promise<CaptureSource> {
  const info = await stat(path).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new CaptureFileError(`no such file: ${name}`, 'not-found');
    throw new CaptureFileError(`cannot open ${name}: ${reason(error)}`, 'unreadable');
  });
  if (info.isDirectory()) throw new CaptureFileError(`${name} is a directory, not a capture file`, 'is-a-directory');
  if (info.isFIFO()) return openFifo(path, name);
  if (!info.isFile()) {
    throw new CaptureFileError(
      `${name} is ${kindOf(info)}, not a capture file; to decode what it produces, pipe it in: cat ${name} | cardbench decode -`,
      'not-a-file',
    );
  }
  const handle = await open(path, 'r').catch((error: unknown) => {
    throw new CaptureFileError(`cannot open ${name}: ${reason(error)}`, 'unreadable');
  });
  return new FileSource(name, handle, info.size, path);
}

/** A stream already open (process.stdin): read as it comes, until it ends. */
export function streamCaptureSource(stream: Readable, name: string): CaptureSource {
  return new StreamSource(name, stream);
}

function openFifo(path: string, name: string): CaptureSource {
  // O_NONBLOCK: the open returns at once even with no writer (so openSync cannot stall the
  // loop); the pipe handle then waits for data through the event loop — Linux reports no
  // hang-up on a FIFO that never had a writer — and owns the descriptor from here on.
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    throw new CaptureFileError(`cannot open ${name}: ${reason(error)}`, 'unreadable');
  }
  return new StreamSource(name, new Socket({ fd, readable: true, writable: false }));
}

class FileSource implements CaptureSource {
  private reading: Promise<unknown> | undefined;
  private closed = false;

  constructor(
    readonly name: string,
    private readonly handle: FileHandle,
    readonly totalBytes: number,
    readonly path: string,
  ) {}

  async read(into: Uint8Array): Promise<Uint8Array> {
    if (this.closed) return into.subarray(0, 0);
    const reading = this.handle.read(into, 0, into.length, null);
    this.reading = reading.catch(() => undefined);
    try {
      const { bytesRead } = await reading;
      return into.subarray(0, bytesRead);
    } catch (error) {
      if (this.closed) return into.subarray(0, 0);
      throw new CaptureFileError(`cannot read ${this.name}: ${reason(error)}`, 'unreadable');
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Never close under a read in flight.
    await this.reading;
    await this.handle.close().catch(() => undefined);
  }
}

/** Buffers what a stream emits and hands it out in chunks, copied into the reader's buffers. */
class StreamSource implements CaptureSource {
  readonly totalBytes = undefined;
  private readonly queue: Buffer[] = [];
  private queued = 0;
  private ended = false;
  private failure: Error | undefined;
  private wake: (() => void) | undefined;

  constructor(
    readonly name: string,
    private readonly stream: Readable,
  ) {
    stream.on('data', (data: Buffer | string) => {
      const buffer = typeof data === 'string' ? Buffer.from(data) : data;
      this.queue.push(buffer);
      this.queued += buffer.length;
      // Backpressure: the decoder takes a chunk at a time; a fast producer waits.
      if (this.queued >= HIGH_WATER) stream.pause();
      this.notify();
    });
    stream.on('end', () => this.finish());
    stream.on('close', () => this.finish());
    stream.on('error', (error) => {
      this.failure = error;
      this.finish();
    });
  }

  async read(into: Uint8Array): Promise<Uint8Array> {
    while (this.queued === 0 && !this.ended) {
      if (this.stream.isPaused()) this.stream.resume();
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
    if (this.queued === 0) {
      if (this.failure) throw new CaptureFileError(`cannot read ${this.name}: ${reason(this.failure)}`, 'unreadable');
      return into.subarray(0, 0);
    }
    const out = into.subarray(0, Math.min(into.length, this.queued));
    let filled = 0;
    while (filled < out.length) {
      const head = this.queue[0]!;
      const take = Math.min(head.length, out.length - filled);
      out.set(head.subarray(0, take), filled);
      filled += take;
      if (take === head.length) this.queue.shift();
      else this.queue[0] = head.subarray(take);
    }
    this.queued -= filled;
    if (this.queued < HIGH_WATER && this.stream.isPaused() && !this.ended) this.stream.resume();
    return out;
  }

  async close(): Promise<void> {
    if (this.ended && this.queue.length === 0) return;
    this.queue.length = 0;
    this.queued = 0;
    this.finish();
    this.stream.destroy();
  }

  private finish(): void {
    this.ended = true;
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}

/** Bytes a stream source holds before it pauses its producer. */
const HIGH_WATER = 8 * 1024 * 1024;

function kindOf(info: Stats): string {
  if (info.isCharacterDevice()) return 'a character device';
  if (info.isBlockDevice()) return 'a block device';
  if (info.isSocket()) return 'a socket';
  return 'not a regular file';
}

function reason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'it is a directory';
  return error instanceof Error ? error.message : String(error);
}
