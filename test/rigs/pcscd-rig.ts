/**
 * A real pcscd for a test, with the reader drivers the test asks for. Must run inside
 * test/rigs/in-private-namespace.sh (its own /run/pcscd and loopback). Later rigs add the virtual
 * card on vpcd and the virtual pinpad reader on a pty; they extend `ReaderEntry`.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ReaderEntry {
  friendlyName: string;
  deviceName: string;
  libPath: string;
  channelId?: string;
}

/** vsmartcard's vpcd: two readers "Virtual PCD 00 00" / "00 01" on TCP 35963/35964. */
export const VPCD_READER: ReaderEntry = {
  friendlyName: 'Virtual PCD',
  deviceName: '/dev/null:0x8C7B',
  libPath: '/usr/lib/pcsc/drivers/serial/libifdvpcd.so',
  channelId: '0x8C7B',
};

export interface PcscdRig {
  pid: number;
  /** Everything pcscd printed so far (it runs with --debug). */
  log(): string;
  /** SIGTERM, then SIGKILL after a timeout; resolves when the process is gone. */
  stop(): Promise<void>;
  /** SIGKILL at once, as a crash would. */
  kill(): Promise<void>;
}

/** Why the rig cannot run here, or undefined when it can. */
export function pcscdRigUnavailableReason(): string | undefined {
  if (process.env.CARDBENCH_IN_RIG_NAMESPACE !== '1')
    return 'not inside test/rigs/in-private-namespace.sh (run `npm run test:integration`)';
  if (spawnSync('pcscd', ['--version']).error) return 'pcscd is not installed (apt-get install pcscd)';
  return undefined;
}

export async function startPcscd(readers: ReaderEntry[], options: { readyTimeoutMs?: number } = {}): Promise<PcscdRig> {
  const unavailable = pcscdRigUnavailableReason();
  if (unavailable) throw new Error(`pcscd rig: ${unavailable}`);
  const confDir = mkdtempSync(join(tmpdir(), 'cardbench-pcscd-'));
  readers.forEach((reader, index) => writeFileSync(join(confDir, `reader-${index}`), readerConf(reader)));

  const child = spawn('pcscd', ['--foreground', '--debug', '-c', confDir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const append = (chunk: Buffer): void => {
    output += chunk.toString('utf8');
  };
  child.stdout.on('data', append);
  child.stderr.on('data', append);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  await waitFor(
    () => output.includes('daemon ready') || child.exitCode !== null,
    options.readyTimeoutMs ?? 10_000,
    () => `pcscd did not become ready:\n${output}`,
  );
  if (child.exitCode !== null) throw new Error(`pcscd exited with ${child.exitCode}:\n${output}`);

  const finish = async (signal: NodeJS.Signals): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(confDir, { recursive: true, force: true });
  };
  return { pid: child.pid!, log: () => output, stop: () => finish('SIGTERM'), kill: () => finish('SIGKILL') };
}

function readerConf(reader: ReaderEntry): string {
  const lines = [`FRIENDLYNAME "${reader.friendlyName}"`, `DEVICENAME ${reader.deviceName}`, `LIBPATH ${reader.libPath}`];
  if (reader.channelId) lines.push(`CHANNELID ${reader.channelId}`);
  return `${lines.join('\n')}\n`;
}

/** Polls a condition; never a fixed sleep. */
export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs: number, describe: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(describe());
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
