import { spawn, type ChildProcess } from 'node:child_process';
import { test as base } from '@playwright/test';
import { REPO_ROOT } from '../shared-path.js';

export interface WebModeServer {
  /** The URL `cardbench web` printed, token included. */
  url: string;
  origin: string;
  output: () => string;
}

/**
 * Runs the real `cardbench web` (the built CLI, as a user would) for each test file and reads
 * the URL from its own line of output: no sleeps, readiness is that line.
 */
export const test = base.extend<object, { webMode: WebModeServer }>({
  webMode: [
    // Playwright reads fixture dependencies from the destructuring pattern; this one has none.
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const child: ChildProcess = spawn(process.execPath, ['electron/cli/cardbench.js', 'web', '--no-open', '--port', '0'], {
        cwd: REPO_ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`cardbench web printed no URL:\n${output}`)), 15_000);
        const onData = (chunk: Buffer): void => {
          output += chunk.toString();
          const line = output.split('\n').find((l) => /^http:\/\/127\.0\.0\.1:\d+\/\?token=/.test(l));
          if (line) {
            clearTimeout(timer);
            resolve(line.trim());
          }
        };
        child.stdout!.on('data', onData);
        child.stderr!.on('data', onData);
        child.once('exit', (code) => reject(new Error(`cardbench web exited with ${code}:\n${output}`)));
      });
      await use({ url, origin: new URL(url).origin, output: () => output });
      child.kill('SIGINT');
      await new Promise((resolve) => child.once('exit', resolve));
    },
    { scope: 'worker' },
  ],
});

export { expect } from '@playwright/test';
