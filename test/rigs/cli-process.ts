/**
 * Runs the real `cardbench` command from source as a child process, the way a user runs it from a
 * checkout (`npm run cardbench`), and collects its output. Asynchronous on purpose: a synchronous
 * spawn would stop this process from draining the pipes of the pcscd and simulators it started.
 */
import { spawn } from 'node:child_process';
import { REPO_ROOT } from '../shared-path.js';

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCardbench(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'electron/cli/main.ts', ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}
