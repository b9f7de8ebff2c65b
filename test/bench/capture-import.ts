/**
 * Capture import benchmark (issue "Captures"): a ≥100 MB file made of 256 copies of the GCC
 * USBPcap capture (mergecap -a, cached in the OS temp dir), imported by Cardbench
 * (decodeCaptureFile: containers → URBs → CCID reassembly → APDU exchanges → transactions) and
 * decoded by tshark (CCID + ISO 7816 dissectors) in the same run. Prints both wall times, both
 * peak memories (VmHWM via /usr/bin/time -v, or polled from /proc) and the ratios.
 *
 *   npx tsx test/bench/capture-import.ts [--copies N]
 *
 * Ours runs in a child process (`node --import tsx … --child FILE`) so its peak memory is its
 * own. The child reports the import time itself (excluding module loading); the process wall
 * time including Node start-up and TypeScript loading is printed too.
 * Exit 1 when the exchange count is not copies × 208 or a tool fails.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const SOURCE = resolve(
  process.env.CARDBENCH_SHARED ?? resolve(import.meta.dirname, '..', '..', '..', 'shared'),
  'captures/usbpcap-emv-gcc2024/usb.pcapng',
);
const EXCHANGES_PER_COPY = 208;
const HAS_TIME = existsSync('/usr/bin/time');

interface Measured {
  wallMs: number;
  peakKiB: number | undefined;
  stdout: string;
  stderr: string;
  code: number | null;
}

/** Runs a command, measuring wall time and peak RSS (VmHWM). stdout is kept only when asked. */
function measure(command: string, args: string[], keepStdout: boolean): Promise<Measured> {
  const argv = HAS_TIME ? ['-v', command, ...args] : args;
  const started = performance.now();
  const child = spawn(HAS_TIME ? '/usr/bin/time' : command, argv, { stdio: ['ignore', keepStdout ? 'pipe' : 'ignore', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let polledKiB: number | undefined;
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  // Without /usr/bin/time, VmHWM is read from /proc while the process lives.
  const poll = HAS_TIME
    ? undefined
    : setInterval(() => {
        const status = readProc(child.pid);
        if (status !== undefined) polledKiB = Math.max(polledKiB ?? 0, status);
      }, 20);
  return new Promise((done, fail) => {
    child.on('error', fail);
    child.on('close', (code) => {
      if (poll) clearInterval(poll);
      const wallMs = performance.now() - started;
      const fromTime = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
      done({ wallMs, peakKiB: fromTime ? Number(fromTime[1]) : polledKiB, stdout, stderr, code });
    });
  });
}

function readProc(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

async function bigFile(copies: number): Promise<string> {
  const dir = join(tmpdir(), 'cardbench-bench');
  const file = join(dir, `usb-x${copies}.pcapng`);
  const expected = copies * statSync(SOURCE).size;
  // mergecap -a writes one section header for all: a little below copies × source.
  if (existsSync(file) && statSync(file).size >= expected * 0.99) return file;
  mkdirSync(dir, { recursive: true });
  const partial = `${file}.part`;
  process.stdout.write(`building ${file} (${copies} copies of usb.pcapng) with mergecap -a … `);
  const run = await measure('mergecap', ['-a', '-w', partial, ...Array<string>(copies).fill(SOURCE)], false);
  if (run.code !== 0) throw new Error(`mergecap failed: ${run.stderr.trim()}`);
  renameSync(partial, file);
  console.log('done');
  return file;
}

async function child(file: string): Promise<void> {
  const { decodeCaptureFile } = await import('../../electron/backend/capture/decode-capture-file.js');
  const started = performance.now();
  const report = await decodeCaptureFile(file);
  const importMs = performance.now() - started;
  console.log(
    JSON.stringify({
      importMs,
      exchanges: report.exchanges.length,
      transactions: report.transactions.length,
      messages: report.ccid.messages,
      packets: report.packets,
      problems: report.problems.length + report.problemsOmitted,
    }),
  );
}

const mb = (kib: number | undefined) => (kib === undefined ? 'n/a' : `${(kib / 1024).toFixed(0)} MB`);
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  if (args[0] === '--child') {
    await child(args[1]!);
    return 0;
  }
  const copiesArg = args.indexOf('--copies');
  const copies = copiesArg >= 0 ? Number(args[copiesArg + 1]) : 256;
  if (!existsSync(SOURCE)) {
    console.error(`missing ${SOURCE} (set CARDBENCH_SHARED to the shared folder)`);
    return 1;
  }
  const file = await bigFile(copies);
  const size = statSync(file).size;
  console.log(
    `file: ${file}, ${(size / 1e6).toFixed(1)} MB, ${copies} copies; peak memory from ${HAS_TIME ? '/usr/bin/time -v' : '/proc VmHWM polling'}`,
  );

  const self = fileURLToPath(import.meta.url);
  const ours = await measure(process.execPath, ['--import', 'tsx', self, '--child', file], true);
  if (ours.code !== 0) throw new Error(`our import failed: ${ours.stderr.trim()}`);
  const result = JSON.parse(ours.stdout.trim().split('\n').at(-1)!) as {
    importMs: number;
    exchanges: number;
    transactions: number;
    messages: number;
    packets: number;
    problems: number;
  };

  const tshark = await measure(
    'tshark',
    ['-r', file, '-d', 'usbccid.subdissector,iso7816', '-T', 'fields', '-e', 'iso7816.apdu.ins'],
    false,
  );
  if (tshark.code !== 0) throw new Error(`tshark failed: ${tshark.stderr.trim().split('\n').at(-1)}`);

  const expected = copies * EXCHANGES_PER_COPY;
  console.log('');
  console.log(
    `cardbench import: ${s(result.importMs)} (process incl. Node + TypeScript loading ${s(ours.wallMs)}), peak ${mb(ours.peakKiB)}`,
  );
  console.log(
    `  ${result.packets} packets, ${result.messages} CCID messages, ${result.exchanges} APDU exchanges (expected ${expected}), ${result.transactions} transactions, ${result.problems} problems`,
  );
  console.log(`tshark:           ${s(tshark.wallMs)}, peak ${mb(tshark.peakKiB)}`);
  console.log(
    `ratio: ${(tshark.wallMs / result.importMs).toFixed(1)}× faster (import), ${(tshark.wallMs / ours.wallMs).toFixed(1)}× (whole process); ` +
      `memory ${ours.peakKiB && tshark.peakKiB ? `${(tshark.peakKiB / ours.peakKiB).toFixed(2)}× less` : 'n/a'}`,
  );
  if (result.exchanges !== expected) {
    console.error(`exchange count ${result.exchanges} ≠ ${expected}`);
    return 1;
  }
  return 0;
}

process.exitCode = await main();
