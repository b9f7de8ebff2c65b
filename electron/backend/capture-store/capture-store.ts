/**
 * The open captures of one backend, by id. Opening checks the path at once (a missing file is
 * an error the caller sees) and imports in the background; progress goes to `onProgress`.
 */
import { randomUUID } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import type { CaptureStatus } from '#core/ipc/channels/captures.js';
import { CardbenchError } from '#core/ipc/errors.js';
import { CaptureSession } from './capture-session.js';

/** Older captures are closed beyond this many, so a long session cannot pile up indexes. */
export const MAX_OPEN_CAPTURES = 8;

export interface CaptureStoreOptions {
  onProgress?: (status: CaptureStatus) => void;
  chunkSize?: number;
}

export class CaptureStore {
  private readonly sessions = new Map<string, CaptureSession>();

  constructor(private readonly options: CaptureStoreOptions = {}) {}

  async open(path: string, name?: string): Promise<CaptureSession> {
    if (!isAbsolute(path)) {
      throw new CardbenchError(
        'invalid-arguments',
        `“${path}” is not a full path: give the whole path of the capture file (e.g. /home/me/trace.pcapng).`,
      );
    }
    // An upload is stored under a temporary path: the user knows it by its own name.
    const shown = name ?? path;
    const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
      const why =
        error.code === 'ENOENT'
          ? 'there is no such file'
          : error.code === 'EACCES'
            ? 'permission denied'
            : `it cannot be read (${error.code ?? 'unknown error'})`;
      throw new CardbenchError('operation-failed', `Cannot open ${shown}: ${why}.`);
    });
    if (!info.isFile()) throw new CardbenchError('operation-failed', `Cannot open ${shown}: it is not a regular file.`);
    while (this.sessions.size >= MAX_OPEN_CAPTURES) this.close(this.sessions.keys().next().value!);
    const session = new CaptureSession({
      id: randomUUID(),
      path,
      ...(name !== undefined ? { name } : {}),
      ...(this.options.onProgress ? { onProgress: this.options.onProgress } : {}),
      ...(this.options.chunkSize !== undefined ? { chunkSize: this.options.chunkSize } : {}),
    });
    this.sessions.set(session.id, session);
    return session;
  }

  get(id: string): CaptureSession {
    const session = this.sessions.get(id);
    if (!session) throw new CardbenchError('operation-failed', 'That capture is not open any more: open the file again.');
    return session;
  }

  close(id: string): boolean {
    const session = this.sessions.get(id);
    if (!session) return false;
    session.cancel();
    this.sessions.delete(id);
    return true;
  }

  closeAll(): Promise<void> {
    const pending = [...this.sessions.values()].map((s) => s.finished);
    for (const id of [...this.sessions.keys()]) this.close(id);
    return Promise.all(pending).then(() => undefined);
  }
}
