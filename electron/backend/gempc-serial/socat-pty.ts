/**
 * A pseudo-terminal for the GemPC serial link. Node cannot allocate a pty, so socat does:
 * `socat PTY,link=<path>,raw,echo=0 STDIO` creates it, links it at <path>, and relays its bytes
 * over its stdin/stdout. socat survives pcscd closing and reopening the pty.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { existsSync, lstatSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';

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

/** Characters socat would read as address syntax (`,` `:` `!`…) or whitespace are refused. */
export function checkPtyPath(path: string): string | undefined {
  if (path === '') return 'the pty path is empty';
  if (!/^[A-Za-z0-9_./+@-]+$/.test(path)) return 'use only letters, digits and _ . / + @ - in the pty path';
  if (existsSync(path)) {
    const stat = lstatSync(path);
    if (!stat.isSymbolicLink()) return `${path} exists and is not a symbolic link: pick a new path`;
  }
  return undefined;
}

export async function openSocatPty(path: string, options: { readyTimeoutMs?: number; socat?: string } = {}): Promise<SocatPty> {
  const problem = checkPtyPath(path);
  if (problem) throw new SocatUnavailableError(problem);
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
  while (!existsSync(path)) {
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
