/**
 * `cardbench web` starts the user's browser with a one-time launch URL, never the token: the
 * browser's command line (and xdg-open's on the way) is readable by every local user in /proc.
 * There is no graphical session here, so the desktop's URL opener is the one stand-in: an
 * `xdg-open` first on PATH that records the command line it was given, as /proc would show it.
 * The recorded URL is then opened in the real Chromium.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { REPO_ROOT } from '../shared-path.js';

let child: ChildProcess | undefined;
let dir: string;

test.afterEach(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child!.once('exit', resolve));
    child.kill('SIGINT');
    await exited;
  }
  rmSync(dir, { recursive: true, force: true });
});

test('the browser is started with a one-time launch URL that carries no token', async ({ browser }) => {
  dir = mkdtempSync(join(tmpdir(), 'cardbench-opener-'));
  const argvFile = join(dir, 'argv');
  writeFileSync(join(dir, 'xdg-open'), `#!/bin/sh\nprintf '%s\\n' "$@" > "${argvFile}.tmp" && mv "${argvFile}.tmp" "${argvFile}"\n`);
  chmodSync(join(dir, 'xdg-open'), 0o755);

  child = spawn(process.execPath, ['electron/cli/cardbench.js', 'web', '--port', '0'], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, DISPLAY: ':99', PATH: `${dir}:${process.env.PATH}` },
  });
  let output = '';
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const printed = await new Promise<string>((resolve, reject) => {
    child!.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const line = output.split('\n').find((l) => /^http:\/\/127\.0\.0\.1:\d+\/\?token=/.test(l));
      if (line) resolve(line.trim());
    });
    child!.once('exit', (code) => reject(new Error(`cardbench web exited with ${code}:\n${output}`)));
  });
  const token = new URL(printed).searchParams.get('token')!;
  const origin = new URL(printed).origin;

  // The opener runs detached; its record appears when it has run (written whole, then renamed).
  await expect.poll(() => existsSync(argvFile), { message: `xdg-open was never started:\n${output}` }).toBe(true);
  const argv = readFileSync(argvFile, 'utf8').trim().split('\n');
  expect(argv).toHaveLength(1);
  const launch = new URL(argv[0]!);
  expect(launch.origin).toBe(origin);
  expect([...launch.searchParams.keys()]).toEqual(['launch']);
  expect(argv[0]).not.toContain(token);

  // The real browser: the code opens the app and leaves the address bar.
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(launch.href);
  await expect(page.locator('[data-ready="true"]')).toBeVisible();
  expect(page.url()).toBe(`${origin}/`);
  await context.close();

  // Whoever copies the code from /proc afterwards is refused.
  const other = await browser.newContext();
  const replay = await other.newPage();
  const response = await replay.goto(launch.href);
  expect(response?.status()).toBe(401);
  await expect(replay.locator('body')).toContainText('already used or has expired');
  await other.close();
});
