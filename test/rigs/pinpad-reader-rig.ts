/**
 * The virtual pinpad reader rig: `cardbench virtual-reader --gempc-serial <pty>` (socat + the CLI,
 * a real process) and a private pcscd whose libccidtwin driver opens that pty as a GemPC Pinpad.
 * Order matters (note gempc-serial-pinpad.md): the reader starts first and stops last, or pcscd
 * drops the reader for good. Must run inside test/rigs/in-private-namespace.sh.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../shared-path.js';
import { startPcscd, waitFor, type PcscdRig, type ReaderEntry } from './pcscd-rig.js';

export const PINPAD_READER_NAME = 'Cardbench Virtual Pinpad';
/** What PC/SC lists for it: friendly name + slot/reader numbers. */
export const PINPAD_PCSC_NAME = `${PINPAD_READER_NAME} 00 00`;
export const LIBCCIDTWIN = '/usr/lib/pcsc/drivers/serial/libccidtwin.so';

export function pinpadReaderEntry(ptyPath: string): ReaderEntry {
  return { friendlyName: PINPAD_READER_NAME, deviceName: `${ptyPath}:GemPCPinPad`, libPath: LIBCCIDTWIN };
}

export interface VirtualReaderProcess {
  pid: number;
  ptyPath: string;
  /** Everything the CLI printed (stdout + stderr). */
  output(): string;
  /** SIGINT (Ctrl-C) and wait; resolves with the exit code. */
  stop(): Promise<number | null>;
}

export interface VirtualReaderStart {
  card?: 't0' | 't1' | 'none';
  /** Lines of a keypad script (written to a temporary file). */
  keypadScript?: string[];
  pin?: string;
  readyTimeoutMs?: number;
}

/** Runs the real CLI from source, as a user would (`cardbench virtual-reader …`). */
export async function startVirtualReader(options: VirtualReaderStart = {}): Promise<VirtualReaderProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'cardbench-pinpad-'));
  const ptyPath = join(dir, 'pinpad');
  const args = ['--import', 'tsx', join(REPO_ROOT, 'electron/cli/main.ts'), 'virtual-reader', '--gempc-serial', ptyPath];
  if (options.card) args.push('--card', options.card);
  if (options.keypadScript) {
    const script = join(dir, 'keypad.txt');
    writeFileSync(script, `${options.keypadScript.join('\n')}\n`);
    args.push('--keypad-script', script);
  }
  if (options.pin) args.push('--pin', options.pin);
  const child: ChildProcess = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  // A test process that dies without stop() must not leave the reader (and its socat) behind.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  await waitFor(
    () => output.includes('Press Ctrl-C to stop') || child.exitCode !== null,
    options.readyTimeoutMs ?? 20_000,
    () => `virtual-reader did not start:\n${output}`,
  );
  if (child.exitCode !== null) throw new Error(`virtual-reader exited with ${child.exitCode}:\n${output}`);
  return {
    pid: child.pid!,
    ptyPath,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGINT');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      process.off('exit', killOnExit);
      rmSync(dir, { recursive: true, force: true });
      return child.exitCode;
    },
  };
}

export interface PinpadRig {
  reader: VirtualReaderProcess;
  pcscd: PcscdRig;
  /** pcscd first, then the reader; resolves with the reader's exit code. Safe to call twice. */
  stop(): Promise<number | null>;
}

/** The reader, then pcscd with the GemPC Pinpad entry (libccid's CCID bytes in pcscd's log). */
export async function startPinpadRig(options: VirtualReaderStart = {}): Promise<PinpadRig> {
  const reader = await startVirtualReader(options);
  let pcscd: PcscdRig;
  try {
    // libccid logs every CCID message it exchanges: the evidence when a test fails.
    process.env.LIBCCID_ifdLogLevel ??= '0x0007';
    pcscd = await startPcscd([pinpadReaderEntry(reader.ptyPath)]);
  } catch (error) {
    await reader.stop();
    throw error;
  }
  // pcscd outlives a crashed test process otherwise (the rig namespace has no PID namespace).
  const killPcscdOnExit = () => {
    try {
      process.kill(pcscd.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  process.once('exit', killPcscdOnExit);
  return {
    reader,
    pcscd,
    stop: async () => {
      await pcscd.stop();
      process.off('exit', killPcscdOnExit);
      return reader.stop();
    },
  };
}
