/**
 * Reads a capture file from disk in large chunks and pushes them through core/trace's
 * TraceDecoder. Memory stays flat whatever the file size: each chunk is a fresh buffer the
 * decoder may reference while it handles it, and nothing but the report is kept.
 */
import { open, stat } from 'node:fs/promises';
import { TraceDecoder, type TraceHandlers, type TraceReport } from '../../../core/trace/index.js';

/** 4 MiB: large enough that per-read overhead vanishes, small enough to stay cache friendly. */
export const CAPTURE_CHUNK_SIZE = 4 * 1024 * 1024;

export interface CaptureProgress {
  bytesRead: number;
  totalBytes: number;
}

export interface DecodeCaptureFileOptions {
  onProgress?: (progress: CaptureProgress) => void;
  /** Aborting stops the read between chunks; the promise rejects with CaptureAbortedError. */
  signal?: AbortSignal;
  handlers?: TraceHandlers;
  /** The name the report and error messages give the file (default: the path as given); an
   * upload's original name, so the server's temporary path never reaches the user. */
  reportName?: string;
  chunkSize?: number;
  maxProblems?: number;
  /** See TraceDecoderOptions.foldTransactions. */
  foldTransactions?: boolean;
}

/** Why a file could not be decoded at all, in words a user can act on. */
export class CaptureFileError extends Error {
  constructor(
    message: string,
    readonly code: 'not-found' | 'unreadable' | 'not-a-capture' | 'is-a-directory',
  ) {
    super(message);
    this.name = 'CaptureFileError';
  }
}

export class CaptureAbortedError extends Error {
  constructor() {
    super('capture import cancelled');
    this.name = 'CaptureAbortedError';
  }
}

export async function decodeCaptureFile(path: string, options: DecodeCaptureFileOptions = {}): Promise<TraceReport> {
  const shown = options.reportName ?? path;
  const totalBytes = await fileSize(path, shown);
  const decoder = new TraceDecoder({
    file: shown,
    ...(options.handlers ? { handlers: options.handlers } : {}),
    ...(options.maxProblems !== undefined ? { maxProblems: options.maxProblems } : {}),
    ...(options.foldTransactions === false ? { foldTransactions: false } : {}),
  });
  const chunkSize = Math.max(4096, options.chunkSize ?? CAPTURE_CHUNK_SIZE);
  const handle = await open(path, 'r').catch((error: unknown) => {
    throw new CaptureFileError(`cannot open ${shown}: ${reason(error)}`, 'unreadable');
  });
  let bytesRead = 0;
  // A fresh buffer per chunk: records may point into it while the decoder runs. The next read
  // is started before the current chunk is decoded, so disk and CPU work overlap.
  const readChunk = () => {
    const buffer = new Uint8Array(chunkSize);
    return handle.read(buffer, 0, chunkSize, null).then(({ bytesRead: got }) => buffer.subarray(0, got));
  };
  let next: Promise<Uint8Array> | undefined;
  try {
    next = readChunk();
    while (true) {
      const chunk = await next;
      if (options.signal?.aborted) throw new CaptureAbortedError();
      if (chunk.length === 0) break;
      next = readChunk();
      bytesRead += chunk.length;
      decoder.push(chunk);
      options.onProgress?.({ bytesRead, totalBytes: Math.max(totalBytes, bytesRead) });
      if (decoder.notACapture !== undefined) break;
    }
  } catch (error) {
    if (error instanceof CaptureAbortedError) throw error;
    throw new CaptureFileError(`cannot read ${shown}: ${reason(error)}`, 'unreadable');
  } finally {
    // Never close under a read in flight (and never leave its rejection unhandled).
    await next?.catch(() => undefined);
    await handle.close();
  }
  decoder.end();
  const refusal = decoder.notACapture;
  if (refusal !== undefined) throw new CaptureFileError(`${shown}: ${refusal}`, 'not-a-capture');
  return decoder.result();
}

async function fileSize(path: string, shown: string): Promise<number> {
  try {
    const info = await stat(path);
    if (info.isDirectory()) throw new CaptureFileError(`${shown} is a directory, not a capture file`, 'is-a-directory');
    return info.size;
  } catch (error) {
    if (error instanceof CaptureFileError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new CaptureFileError(`no such file: ${shown}`, 'not-found');
    throw new CaptureFileError(`cannot open ${shown}: ${reason(error)}`, 'unreadable');
  }
}

function reason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'it is a directory';
  return error instanceof Error ? error.message : String(error);
}
