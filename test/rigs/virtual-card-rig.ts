/**
 * `cardbench virtual-card --vpcd` as a child process, the way a user runs it, plus the independent
 * PC/SC clients (opensc-tool, scriptor) the integration tests check it with. Use inside
 * test/rigs/in-private-namespace.sh with a pcscd from pcscd-rig.ts that has VPCD_READER.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { waitFor } from './pcscd-rig.js';

/**
 * Clients run asynchronously: a synchronous spawn would stop this process from draining the pipes of the
 * pcscd (--debug) and card processes it started, and a full pipe blocks pcscd in the middle of an exchange.
 */
function runClient(command: string, args: readonly string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(command, [...args], { encoding: 'utf8', timeout: 20_000 }, (error, stdout, stderr) => {
      const status = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      resolve({ status, stdout, stderr });
    });
  });
}

const REPO_ROOT = resolve(import.meta.dirname, '..', '..');
const CLI_MAIN = join(REPO_ROOT, 'electron', 'cli', 'main.ts');

/** vpcd's readers: 00 00 on TCP 35963, 00 01 on 35964. */
export const VPCD_SLOTS = [
  { reader: 'Virtual PCD 00 00', port: 35963 },
  { reader: 'Virtual PCD 00 01', port: 35964 },
] as const;

export interface VirtualCardProcess {
  pid: number;
  /** Everything printed so far (stdout and stderr interleaved). */
  output(): string;
  /** The exit code once it has exited (null while running or when killed by a signal). */
  exitCode(): number | null;
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Ctrl-C, as a user stops it; resolves with the exit code (SIGKILL after a timeout). */
  interrupt(): Promise<number | null>;
  /** SIGKILL: the process dies without closing its connection cleanly. */
  kill(): Promise<void>;
}

export function startVirtualCard(args: readonly string[]): VirtualCardProcess {
  // tsx as a loader, so the test runs the same source a user runs with `npx tsx electron/cli/main.ts`.
  const child = spawn(process.execPath, ['--import', 'tsx', CLI_MAIN, 'virtual-card', ...args], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const append = (chunk: Buffer): void => {
    output += chunk.toString('utf8');
  };
  child.stdout.on('data', append);
  child.stderr.on('data', append);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const running = (): boolean => child.exitCode === null && child.signalCode === null;

  const stop = async (signal: NodeJS.Signals): Promise<void> => {
    if (running()) {
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
  };
  return {
    pid: child.pid!,
    output: () => output,
    exitCode: () => child.exitCode,
    async waitForOutput(pattern, timeoutMs = 15_000) {
      let match: RegExpMatchArray | null = null;
      await waitFor(
        () => (match = pattern.exec(output)) !== null || !running(),
        timeoutMs,
        () => `virtual card never printed ${pattern}:\n${output}`,
      );
      if (!match) throw new Error(`virtual card exited (${child.exitCode ?? child.signalCode}) before printing ${pattern}:\n${output}`);
      return match;
    },
    async interrupt() {
      await stop('SIGINT');
      return child.exitCode;
    },
    kill: () => stop('SIGKILL'),
  };
}

/** Reader name → card present, as `opensc-tool --list-readers` reports it. */
export async function openscCardPresence(): Promise<Map<string, boolean>> {
  const result = await runClient('opensc-tool', ['--list-readers']);
  const presence = new Map<string, boolean>();
  for (const line of result.stdout.split('\n')) {
    const row = /^\s*\d+\s+(Yes|No)\s+(?:\S+\s+)?(Virtual PCD \d\d \d\d)\s*$/.exec(line);
    if (row) presence.set(row[2]!, row[1] === 'Yes');
  }
  return presence;
}

export async function waitForCardPresence(reader: string, present: boolean, timeoutMs = 10_000): Promise<void> {
  let last = new Map<string, boolean>();
  await waitFor(
    async () => (last = await openscCardPresence()).get(reader) === present,
    timeoutMs,
    () => `${reader} never showed card present = ${present}; opensc-tool says ${JSON.stringify([...last])}`,
  );
}

/** The ATR as `opensc-tool -r READER -a` prints it, normalised to uppercase hex without colons. */
export async function openscAtr(reader: string): Promise<string> {
  const result = await runClient('opensc-tool', ['--reader', reader, '--atr']);
  if (result.status !== 0) throw new Error(`opensc-tool --atr failed (${result.status}): ${result.stderr}`);
  return result.stdout.trim().replaceAll(':', '').toUpperCase();
}

export interface ScriptorExchange {
  command: string;
  response: string;
}

/** Runs APDUs (hex, one per line) through `scriptor -r READER` and returns each command with its response hex. */
export async function runScriptor(
  reader: string,
  apdus: readonly string[],
): Promise<{ exchanges: ScriptorExchange[]; protocol: string; raw: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'cardbench-scriptor-'));
  try {
    const script = join(dir, 'script');
    writeFileSync(script, `${apdus.map((apdu) => apdu.match(/../g)!.join(' ')).join('\n')}\n`);
    const result = await runClient('scriptor', ['-r', reader, script]);
    if (result.status !== 0) throw new Error(`scriptor failed (${result.status}): ${result.stderr}\n${result.stdout}`);
    return { ...parseScriptorOutput(result.stdout), raw: result.stdout };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** scriptor prints "> CMD" then "< RESP : meaning", the response wrapped over several lines of 16 bytes. */
function parseScriptorOutput(text: string): { exchanges: ScriptorExchange[]; protocol: string } {
  const exchanges: ScriptorExchange[] = [];
  const protocol = /Using (T=\d) protocol/.exec(text)?.[1] ?? 'unknown';
  let current: ScriptorExchange | undefined;
  let collecting = false;
  for (const line of text.split('\n')) {
    if (line.startsWith('> ')) {
      current = { command: line.slice(2).replaceAll(' ', '').toUpperCase(), response: '' };
      exchanges.push(current);
      collecting = false;
      continue;
    }
    if (line.startsWith('< ') && current) {
      collecting = true;
      current.response = '';
    }
    if (collecting && current) {
      const body = line.startsWith('< ') ? line.slice(2) : line;
      const hexPart = body.split(' : ')[0]!;
      current.response += hexPart.replace(/[^0-9A-Fa-f]/g, '').toUpperCase();
      if (body.includes(' : ')) collecting = false;
    }
  }
  return { exchanges: exchanges.filter((e) => e.command !== 'RESET'), protocol };
}
