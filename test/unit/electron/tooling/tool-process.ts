/**
 * Runs one of the TypeScript tools under electron/tooling/ as `npm run` does (node + tsx), as a
 * real child process, and reports how it ended and how long it took.
 */
import { spawn } from 'node:child_process';
import { REPO_ROOT } from '../../../shared-path.js';

export interface ToolEnd {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** From start (or from stop()'s signal) to the end of the process. */
  ms: number;
}

export interface ToolProcess {
  /** Resolves once `pattern` appears on stderr; rejects if the process ends first. */
  waitForStderr(pattern: RegExp): Promise<void>;
  stop(signal: NodeJS.Signals): Promise<ToolEnd>;
  ended(): Promise<ToolEnd>;
}

export function startTool(script: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): ToolProcess {
  let started = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const stderrListeners = new Set<() => void>();
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    for (const listener of stderrListeners) listener();
  });
  const end = new Promise<ToolEnd>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr, ms: performance.now() - started })),
  );
  return {
    waitForStderr(pattern) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          if (!pattern.test(stderr)) return;
          stderrListeners.delete(check);
          resolve();
        };
        stderrListeners.add(check);
        check();
        void end.then(() => {
          if (stderrListeners.delete(check)) reject(new Error(`${script} ended before printing ${pattern}:\n${stderr}`));
        });
      });
    },
    stop(signal) {
      started = performance.now();
      child.kill(signal);
      return end;
    },
    ended: () => end,
  };
}

export function runTool(script: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<ToolEnd> {
  return startTool(script, args, env).ended();
}
