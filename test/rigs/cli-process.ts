/**
 * Runs the real `cardbench` command from source as a child process, the way a user runs it from a
 * checkout (`npm run cardbench`), and collects its output. Asynchronous on purpose: a synchronous
 * spawn would stop this process from draining the pipes of the pcscd and simulators it started.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../shared-path.js';
import { waitFor } from './pcscd-rig.js';

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** node + tsx + the CLI's entry: what `npm run cardbench --` runs, without npm in between (signals go straight to it). */
export const CARDBENCH_COMMAND = [process.execPath, '--import', 'tsx', 'electron/cli/main.ts'] as const;

export function runCardbench(args: readonly string[], env: NodeJS.ProcessEnv = {}, input?: string): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(CARDBENCH_COMMAND[0], [...CARDBENCH_COMMAND.slice(1), ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

/** How a process ended, as a shell's `$?` sees it: its exit code, or 128 + the number of the signal that ended it. */
export function shellStatus(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  return 128 + (signal ? constants.signals[signal] : 0);
}

export interface CardbenchProcess {
  pid: number;
  stdout(): string;
  stderr(): string;
  /** Resolves with the first match of `pattern` in stdout (or stderr with `stream`), failing if the process ends first. */
  waitForOutput(pattern: RegExp, options?: { stream?: 'stdout' | 'stderr'; timeoutMs?: number }): Promise<RegExpMatchArray>;
  /** Sends `signal` and resolves once the process has ended, with how long that took. */
  stop(signal: NodeJS.Signals): Promise<CardbenchEnd>;
  /** Resolves once the process has ended by itself. */
  ended(): Promise<CardbenchEnd>;
}

export interface CardbenchEnd {
  /** `$?` in a shell: the exit code, or 128 + signal number when a signal ended it. */
  status: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  /** From the signal sent by stop() to the end of the process (0 for ended()). */
  msAfterSignal: number;
  stdout: string;
  stderr: string;
}

/** Starts `cardbench ARGS` and keeps it running, for tests that watch its output and signal it. */
export function startCardbench(args: readonly string[], env: NodeJS.ProcessEnv = {}): CardbenchProcess {
  const child = spawn(CARDBENCH_COMMAND[0], [...CARDBENCH_COMMAND.slice(1), ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  let signalledAt: number | undefined;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    // 'close' rather than 'exit': every byte the process wrote has been read by then.
    child.once('close', (code, signal) => resolve({ code, signal, at: performance.now() })),
  );
  const running = (): boolean => child.exitCode === null && child.signalCode === null;
  const end = async (): Promise<CardbenchEnd> => {
    const { code, signal, at } = await exited;
    return {
      status: shellStatus(code, signal),
      code,
      signal,
      msAfterSignal: signalledAt === undefined ? 0 : at - signalledAt,
      stdout,
      stderr,
    };
  };
  return {
    pid: child.pid!,
    stdout: () => stdout,
    stderr: () => stderr,
    async waitForOutput(pattern, options = {}) {
      const text = (): string => (options.stream === 'stderr' ? stderr : stdout);
      let match: RegExpMatchArray | null = null;
      await waitFor(
        () => (match = pattern.exec(text())) !== null || !running(),
        options.timeoutMs ?? 20_000,
        () => `cardbench ${args.join(' ')} never printed ${pattern}:\nstdout:\n${stdout.slice(-2000)}\nstderr:\n${stderr}`,
      );
      if (!match)
        throw new Error(
          `cardbench ${args.join(' ')} ended before printing ${pattern}:\nstdout:\n${stdout.slice(-2000)}\nstderr:\n${stderr}`,
        );
      return match;
    },
    async stop(signal) {
      signalledAt = performance.now();
      child.kill(signal);
      // A safety net for a broken build, far beyond what any assertion allows.
      const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      try {
        return await end();
      } finally {
        clearTimeout(killer);
      }
    },
    ended: end,
  };
}

export interface PipedRun {
  /** Shell status of cardbench itself (not of the consumer). */
  status: number;
  /** Every byte the consumer read. */
  output: Buffer;
  stderr: string;
}

/**
 * `cardbench ARGS | consumer` through a real pipe whose consumer sleeps `pipeWithDelayMs` before it
 * reads anything (so the pipe's 64 KiB fill up and cardbench must wait for it), or `cardbench ARGS
 * > file`. Returns what arrived and cardbench's own status.
 */
export function runCardbenchInto(
  target: { pipeWithDelayMs: number } | 'file',
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
): Promise<PipedRun> {
  const dir = mkdtempSync(join(tmpdir(), 'cardbench-pipe-'));
  const out = join(dir, 'out');
  const script =
    target === 'file'
      ? '"$@" > "$OUT" 2> "$OUT.err"; echo $? > "$OUT.status"'
      : `"$@" 2> "$OUT.err" | { sleep ${target.pipeWithDelayMs / 1000}; cat > "$OUT"; }; echo "\${PIPESTATUS[0]}" > "$OUT.status"`;
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', script, 'pipe', ...CARDBENCH_COMMAND, ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env, OUT: out },
      stdio: 'ignore',
    });
    child.once('error', reject);
    child.once('close', () => {
      try {
        resolve({
          status: Number(readFileSync(`${out}.status`, 'utf8').trim()),
          output: readFileSync(out),
          stderr: readFileSync(`${out}.err`, 'utf8'),
        });
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}
