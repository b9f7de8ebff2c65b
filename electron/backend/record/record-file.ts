/**
 * The file a recording goes to, written synchronously block by block: each packet is in the
 * operating system's hands before the session goes on, so a crash or a signal leaves a valid
 * pcapng holding every packet but, at worst, the one being written.
 */
import { closeSync, openSync, writeSync } from 'node:fs';

export interface RecordFile {
  readonly path: string;
  /** Bytes written so far. */
  readonly bytes: number;
  write(chunk: Uint8Array): void;
  close(): void;
}

export class RecordFileError extends Error {}

/** Creates (or empties) the file; throws RecordFileError with one sentence when it cannot be written. */
export function openRecordFile(path: string): RecordFile {
  let fd: number;
  try {
    fd = openSync(path, 'w');
  } catch (error) {
    throw new RecordFileError(`cannot write the recording to ${path}: ${reasonOf(error)}`);
  }
  let bytes = 0;
  let open = true;
  return {
    path,
    get bytes() {
      return bytes;
    },
    write(chunk) {
      if (!open) return;
      let done = 0;
      while (done < chunk.length) done += writeSync(fd, chunk, done, chunk.length - done);
      bytes += chunk.length;
    },
    close() {
      if (!open) return;
      open = false;
      closeSync(fd);
    },
  };
}

function reasonOf(error: unknown): string {
  switch ((error as NodeJS.ErrnoException | undefined)?.code) {
    case 'ENOENT':
      return 'its folder does not exist.';
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return 'permission denied.';
    case 'EISDIR':
      return 'it is a directory.';
    default:
      return error instanceof Error ? error.message : String(error);
  }
}
