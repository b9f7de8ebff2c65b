/**
 * A pseudo-terminal for the GemPC serial link. Node cannot allocate a pty, so socat does:
 * `socat PTY,link=<path>,raw,echo=0 STDIO` creates it, links it at <path>, and relays its bytes
 * over its stdin/stdout. socat survives pcscd closing and reopening the pty.
 * socat silently replaces whatever already sits at <path> (and deletes its link on exit), so
 * the path must be free, and what appears there must be socat's own link to a terminal.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { lstatSync, readlinkSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { describeExisting, PtyLocationError } from './pty-location.js';

export interface SocatPty {
  path: string;
  pid: number;
  write(bytes: Uint8Array): void;
  onData(listener: (chunk: Uint8Array) => void): void;
  /** Resolves when socat exits (by itself or after close()). */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
  close(): Promise<void>;
}

export class SocatUnavailableError extends Error {}

/**
 * Characters socat would read as address syntax (`,` `:` `!`…) or whitespace are refused, and
 * so is any existing entry: a symbolic link too (it may be someone's, or point anywhere).
 */
export function checkPtyPath(path: string): string | undefined {
  if (path === '') return 'the pty path is empty';
  if (!/^[A-Za-z0-9_./+@-]+$/.test(path)) return 'use only letters, digits and _ . / + @ - in the pty path';
  const existing = describeExisting(path);
  if (existing) return `${path} already exists (${existing}): pick a path that does not exist yet`;
  return undefined;
}

/** After socat started: the entry at `path` must be a link of ours to a terminal device. */
export function checkCreatedLink(path: string, uid = process.getuid?.()): string | undefined {
  const info = lstatSync(path);
  if (!info.isSymbolicLink()) return `${path} is not the link socat creates`;
  if (uid !== undefined && info.uid !== uid) return `${path} belongs to user ${info.uid}: someone else put it there`;
  const target = readlinkSync(path);
  if (!/^\/dev\/(pts\/\d+|ttys\d+)$/.test(target)) return `${path} points to ${target}, not to a pseudo-terminal`;
  return undefined;
}

function linkExists(path: string): boolean {
  return describeExisting(path) !== undefined;
}

export async function openSocatPty(path: string, options: { readyTimeoutMs?: number; socat?: string } = {}): Promise<SocatPty> {
  const problem = checkPtyPath(path);
  if (problem) throw new PtyLocationError(problem);
  const child: ChildProcessByStdio<Writable, Readable, Readable> = spawn(
    options.socat ?? 'socat',
    [`PTY,link=${path},raw,echo=0`, 'STDIO'],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4000);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) => {
    child.once('close', (code, signal) => resolve({ code, signal, stderr }));
  });
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
  // A write after socat is gone must not crash the process.
  child.stdin.on('error', () => undefined);

  const deadline = Date.now() + (options.readyTimeoutMs ?? 5000);
  let failure: Error | undefined;
  void spawnError.then((error) => (failure = error));
  while (!linkExists(path)) {
    if (failure) {
      const code = (failure as NodeJS.ErrnoException).code;
      throw new SocatUnavailableError(code === 'ENOENT' ? 'socat is not installed (apt-get install socat)' : `socat: ${failure.message}`);
    }
    if (child.exitCode !== null) throw new SocatUnavailableError(`socat exited with ${child.exitCode}: ${stderr.trim()}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new SocatUnavailableError(`socat did not create ${path} in time`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const wrong = checkCreatedLink(path);
  if (wrong) {
    child.kill('SIGKILL');
    throw new PtyLocationError(wrong, false);
  }

  return {
    path,
    pid: child.pid!,
    write: (bytes) => {
      if (child.exitCode === null && child.stdin.writable) child.stdin.write(bytes);
    },
    onData: (listener) =>
      child.stdout.on('data', (chunk: Buffer) => listener(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length))),
    exited,
    close: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}
