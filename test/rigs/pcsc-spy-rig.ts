/**
 * pcsc-lite's spy library (libpcscspy.so.0, Debian's libpcsclite-dev) between a PC/SC client and
 * pcscd, the way that works here (issue 11, Proof): a private folder holding `libpcsclite.so.1` as
 * a link to libpcscspy.so.0 and `libpcsclite_nospy.so.1` as a copy of the real library, first in
 * LD_LIBRARY_PATH; HOME pointing at a folder with the FIFO `pcsc-spy`, read by one `cat` per client
 * (cat ends when the client closes the FIFO). Only for clients that load libpcsclite themselves
 * (OpenSC, scriptor): our Node binding segfaults at SCardTransmit under the spy library.
 */
import { execFile, spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const LIBRARY_FOLDERS = ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib'];

function findLibrary(name: string): string | undefined {
  return LIBRARY_FOLDERS.map((folder) => join(folder, name)).find((path) => existsSync(path));
}

/** Why the spy cannot run here, or undefined when it can. */
export function pcscSpyUnavailableReason(): string | undefined {
  if (!findLibrary('libpcscspy.so.0')) return 'libpcscspy.so.0 is not installed (apt-get install libpcsclite-dev)';
  if (!findLibrary('libpcsclite.so.1')) return 'libpcsclite.so.1 is not installed (apt-get install libpcsclite1)';
  if (spawnSync('mkfifo', ['--version']).error) return 'mkfifo is missing (coreutils)';
  return undefined;
}

export interface SpiedRun {
  /** The raw log the spy wrote for this client (what `cat ~/pcsc-spy > log` records). */
  log: Uint8Array;
  status: number | null;
  stdout: string;
  stderr: string;
}

export interface PcscSpy {
  /** Runs a client under the spy and returns its log once the client has closed the FIFO. */
  run(command: string, args: readonly string[]): Promise<SpiedRun>;
  dispose(): void;
}

export function startPcscSpy(): PcscSpy {
  const root = mkdtempSync(join(tmpdir(), 'cardbench-pcsc-spy-'));
  const lib = join(root, 'lib');
  const home = join(root, 'home');
  mkdirSync(lib);
  mkdirSync(home);
  symlinkSync(findLibrary('libpcscspy.so.0')!, join(lib, 'libpcsclite.so.1'));
  copyFileSync(findLibrary('libpcsclite.so.1')!, join(lib, 'libpcsclite_nospy.so.1'));
  const fifo = join(home, 'pcsc-spy');
  const made = spawnSync('mkfifo', [fifo]);
  if (made.status !== 0) throw new Error(`mkfifo ${fifo}: ${made.stderr.toString()}`);
  let runs = 0;

  const run = async (command: string, args: readonly string[]): Promise<SpiedRun> => {
    const logPath = join(root, `log-${++runs}`);
    const out = openSync(logPath, 'w');
    // The reader first: the spy library opens the FIFO for writing only when a reader is there.
    const cat = spawn('cat', [fifo], { stdio: ['ignore', out, 'inherit'] });
    const catDone = new Promise<void>((resolve) => cat.once('exit', () => resolve()));
    const client = await new Promise<Omit<SpiedRun, 'log'>>((resolve) => {
      execFile(
        command,
        [...args],
        { encoding: 'utf8', timeout: 30_000, env: { ...process.env, HOME: home, LD_LIBRARY_PATH: lib } },
        (error, stdout, stderr) => {
          const status = error ? (typeof error.code === 'number' ? error.code : null) : 0;
          resolve({ status, stdout, stderr });
        },
      );
    });
    const timer = setTimeout(() => cat.kill('SIGTERM'), 5000);
    await catDone;
    clearTimeout(timer);
    closeSync(out);
    return { ...client, log: new Uint8Array(readFileSync(logPath)) };
  };

  return { run, dispose: () => rmSync(root, { recursive: true, force: true }) };
}
