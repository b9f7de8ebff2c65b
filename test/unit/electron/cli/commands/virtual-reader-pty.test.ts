/**
 * Where `cardbench virtual-reader` puts its pty link, as users run it: the real command in a
 * child process, real socat, a real SIGINT. socat replaces whatever sits at the link path and
 * deletes it on exit, so an existing entry must be refused before socat ever runs.
 */
import { spawn, spawnSync } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../../../../electron/cli/exit-codes.js';
import { REPO_ROOT } from '../../../../shared-path.js';

const socatMissing = spawnSync('socat', ['-V']).error ? 'socat is not installed (apt-get install socat)' : undefined;
if (socatMissing) {
  if (process.env.CI === 'true') throw new Error(`virtual-reader tests need socat under CI: ${socatMissing}`);
  console.warn(`[skip] virtual-reader pty: ${socatMissing}`);
}

interface Run {
  /** Exit code, or 'running' when it started serving (it is then stopped with SIGINT). */
  outcome: number | 'running';
  output: string;
  /** Exit code after SIGINT, when it was running. */
  stoppedWith?: number | null;
  /** What the test saw while the reader was serving. */
  seen?: unknown;
}

/**
 * Runs the CLI until it exits or prints that it serves; then calls `whileRunning` and stops it
 * with SIGINT. Readiness is the command's own line, never a sleep.
 */
function runReader(args: string[], env: Record<string, string | undefined>, whileRunning?: (output: string) => unknown): Promise<Run> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'electron/cli/main.ts', 'virtual-reader', ...args, '--card', 'none'], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise<Run>((resolve) => {
    let serving = false;
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (!serving && output.includes('Press Ctrl-C to stop')) {
        serving = true;
        const seen = whileRunning?.(output);
        child.kill('SIGINT');
        void exited.then((code) => resolve({ outcome: 'running', output, stoppedWith: code, seen }));
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then((code) => {
      if (!serving) resolve({ outcome: code ?? -1, output });
    });
  });
}

/** The DEVICENAME path of the reader.conf entry the command printed. */
function deviceName(output: string): string {
  const match = /DEVICENAME\s+(\S+):GemPCPinPad/.exec(output);
  if (!match) throw new Error(`no reader.conf entry in:\n${output}`);
  return match[1]!;
}

describe.skipIf(socatMissing)('cardbench virtual-reader pty location', () => {
  it('refuses a path that exists as a symbolic link, dangling or not, and leaves the link alone', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cardbench-pty-'));
    writeFileSync(join(dir, 'precious'), 'keep me');
    symlinkSync(join(dir, 'precious'), join(dir, 'pinpad'));
    symlinkSync(join(dir, 'nowhere'), join(dir, 'dangling'));
    for (const name of ['pinpad', 'dangling']) {
      const run = await runReader(['--gempc-serial', join(dir, name)], {});
      expect(run.outcome, run.output).toBe(2);
      expect(run.output).toContain(`${join(dir, name)} already exists (as a symbolic link)`);
      expect(lstatSync(join(dir, name)).isSymbolicLink()).toBe(true);
    }
    expect(readlinkSync(join(dir, 'pinpad'))).toBe(join(dir, 'precious'));
    expect(readlinkSync(join(dir, 'dangling'))).toBe(join(dir, 'nowhere'));
    expect(readFileSync(join(dir, 'precious'), 'utf8')).toBe('keep me');
  });

  it('refuses an existing file it did not create', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cardbench-pty-'));
    writeFileSync(join(dir, 'pinpad'), 'not a pty');
    const run = await runReader(['--gempc-serial', join(dir, 'pinpad')], {});
    expect(run.outcome, run.output).toBe(2);
    expect(run.output).toContain('already exists (as a file)');
    expect(readFileSync(join(dir, 'pinpad'), 'utf8')).toBe('not a pty');
  });

  it('without a path, links the pty in a private directory under $XDG_RUNTIME_DIR, and removes the link on Ctrl-C', async () => {
    const runtime = mkdtempSync(join(tmpdir(), 'cardbench-runtime-'));
    const run = await runReader(['--gempc-serial'], { XDG_RUNTIME_DIR: runtime }, (output) => {
      const link = deviceName(output);
      return { link, target: readlinkSync(link), dirMode: statSync(join(runtime, 'cardbench')).mode & 0o777 };
    });
    expect(run.outcome, run.output).toBe('running');
    expect(run.seen).toEqual({
      link: join(runtime, 'cardbench', 'pinpad'),
      target: expect.stringMatching(/^\/dev\/pts\/\d+$/),
      dirMode: 0o700,
    });
    // Ctrl-C ends it cleanly (the exit code for a stop by signal is the CLI shell's: 0 or 130)…
    expect([EXIT.ok, EXIT.interrupted]).toContain(run.stoppedWith);
    // …and socat's link is gone with it.
    expect(() => lstatSync(join(runtime, 'cardbench', 'pinpad'))).toThrow(/ENOENT/);
  });

  it('puts a bare name in the private directory; without $XDG_RUNTIME_DIR that is <tmp>/cardbench-<uid>', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'cardbench-tmp-'));
    const run = await runReader(['--gempc-serial', 'bench-pad'], { XDG_RUNTIME_DIR: undefined, TMPDIR: tmp }, deviceName);
    expect(run.outcome, run.output).toBe('running');
    expect(run.seen).toBe(join(tmp, `cardbench-${process.getuid!()}`, 'bench-pad'));
    expect(statSync(join(tmp, `cardbench-${process.getuid!()}`)).mode & 0o777).toBe(0o700);
  });

  it('refuses a private directory that others may use or that is a symbolic link, creating nothing in it', async () => {
    const runtime = mkdtempSync(join(tmpdir(), 'cardbench-runtime-'));
    mkdirSync(join(runtime, 'cardbench'), { mode: 0o777 });
    // mkdir applies the umask: make the mode what an attacker would leave.
    spawnSync('chmod', ['777', join(runtime, 'cardbench')]);
    const open = await runReader(['--gempc-serial'], { XDG_RUNTIME_DIR: runtime });
    expect(open.outcome, open.output).toBe(2);
    expect(open.output).toContain('others may use it (mode 777');

    const elsewhere = mkdtempSync(join(tmpdir(), 'cardbench-elsewhere-'));
    const linked = mkdtempSync(join(tmpdir(), 'cardbench-runtime-'));
    symlinkSync(elsewhere, join(linked, 'cardbench'));
    const viaLink = await runReader(['--gempc-serial'], { XDG_RUNTIME_DIR: linked });
    expect(viaLink.outcome, viaLink.output).toBe(2);
    expect(viaLink.output).toContain('it is not a directory');
    expect(() => lstatSync(join(elsewhere, 'pinpad'))).toThrow(/ENOENT/);
  });

  it('clears a stale link a killed run left in its private directory, and says so', async () => {
    const runtime = mkdtempSync(join(tmpdir(), 'cardbench-runtime-'));
    mkdirSync(join(runtime, 'cardbench'), { mode: 0o700 });
    symlinkSync('/dev/pts/999999', join(runtime, 'cardbench', 'pinpad'));
    const run = await runReader(['--gempc-serial'], { XDG_RUNTIME_DIR: runtime }, (output) => readlinkSync(deviceName(output)));
    expect(run.outcome, run.output).toBe('running');
    expect(run.output).toContain('a stale link left by an earlier run');
    expect(run.seen).toMatch(/^\/dev\/pts\/\d+$/);
    expect(run.seen).not.toBe('/dev/pts/999999');
  });
});
