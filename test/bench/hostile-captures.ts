/**
 * Crafted captures against the whole `cardbench decode` process (issue 8, items 6–8): each file
 * is generated (nothing large is committed), decoded as a user would (`decode FILE --json`), and
 * the bench prints the process's wall time, peak RSS (VmHWM from /usr/bin/time -v), exit code and
 * first stderr line. Then the decode time of the real GCC capture and of the 113 MB file built
 * from 256 copies of it (capture-import.ts builds and caches it), as a median of several runs.
 *
 *   npx tsx test/bench/hostile-captures.ts [--cli PATH]... [--runs N] [--skip-real]
 *
 * --cli names the `cardbench` entry to measure (default: the build, out/main/cli.js, else the
 * source through tsx); give it twice to compare two builds (e.g. before/after a change) side by
 * side. Exit 1 when a process crashes (killed by a signal) or a crafted file takes longer than
 * MAX_SECONDS.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  descriptorFloodCapture,
  hugeLengthCapture,
  largeResponsesCapture,
  slotChangeFloodCapture,
  type DescriptorFlood,
} from '../unit/core/capture/hostile-capture-files.js';

const REPO = resolve(import.meta.dirname, '..', '..');
const SOURCE = resolve(process.env.CARDBENCH_SHARED ?? resolve(REPO, '..', 'shared'), 'captures/usbpcap-emv-gcc2024/usb.pcapng');
const dir = join(tmpdir(), 'cardbench-bench');
/** A crafted file that keeps a decode busy longer than this is a failure of the bounds. */
const MAX_SECONDS = 20;

const { values } = parseArgs({
  options: { cli: { type: 'string', multiple: true }, runs: { type: 'string' }, 'skip-real': { type: 'boolean' } },
});
const clis = values.cli ?? [existsSync(join(REPO, 'out/main/cli.js')) ? join(REPO, 'out/main/cli.js') : 'source'];
const runs = Number(values.runs ?? 5);

interface Measured {
  seconds: number;
  peakMiB: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

function measure(cli: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Measured> {
  const node = cli === 'source' ? [process.execPath, '--import', 'tsx', join(REPO, 'electron/cli/main.ts')] : [process.execPath, cli];
  const started = performance.now();
  const child = spawn('/usr/bin/time', ['-v', ...node, ...args], {
    cwd: REPO,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((done) => {
    child.on('close', () => {
      const seconds = (performance.now() - started) / 1000;
      const peak = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
      const exit = /Exit status: (\d+)/.exec(stderr);
      const signal = /Command terminated by signal (\d+)/.exec(stderr);
      const own = stderr.split('\n').filter((l) => l.startsWith('cardbench:'));
      done({
        seconds,
        peakMiB: peak ? Number(peak[1]) / 1024 : NaN,
        code: exit ? Number(exit[1]) : null,
        signal: signal ? (`signal ${signal[1]}` as NodeJS.Signals) : null,
        stderr: own[0] ?? '',
      });
    });
  });
}

function crafted(): { name: string; file: string; env?: NodeJS.ProcessEnv }[] {
  mkdirSync(dir, { recursive: true });
  const write = (name: string, bytes: Uint8Array) => {
    const file = join(dir, name);
    writeFileSync(file, bytes);
    return file;
  };
  const floods: [DescriptorFlood, number][] = [
    ['interfaces', 1_800_000],
    ['endpoints', 2_300_000],
    ['class-descriptors', 1_800_000],
  ];
  return [
    ...floods.map(([flood, count]) => ({
      name: `2 configuration answers × ${count / 1e6} M ${flood}`,
      file: write(`flood-${flood}.pcap`, descriptorFloodCapture({ flood, count })),
    })),
    { name: 'dwMaxCCIDMessageLength 4 GiB, 3,600 × dwLength ~4 GiB', file: write('huge-lengths.pcap', hugeLengthCapture()) },
    { name: 'dwLength 0xFFFFFFFF × 3,600', file: write('huge-lengths-ffffffff.pcap', hugeLengthCapture({ dwLength: 0xffffffff })) },
    {
      name: '40,000 NotifySlotChange × 256 slots changed (10 M card events)',
      file: write('slot-change-flood.pcap', slotChangeFloodCapture({ messages: 40_000 })),
    },
    {
      name: 'the same, heap limited to 512 MiB',
      file: join(dir, 'slot-change-flood.pcap'),
      env: { CARDBENCH_DECODE_HEAP_MB: '512' },
    },
    {
      name: '400 × 60 KB responses, heap limited to 32 MiB',
      file: write('large-responses.pcap', largeResponsesCapture()),
      env: { CARDBENCH_DECODE_HEAP_MB: '32' },
    },
  ];
}

function realFiles(): { name: string; file: string }[] {
  if (!existsSync(SOURCE)) return [];
  const x256 = join(dir, 'usb-x256.pcapng');
  if (!existsSync(x256)) {
    process.stdout.write(`building ${x256} (256 copies of usb.pcapng) with mergecap -a … `);
    const run = spawnSync('mergecap', ['-a', '-w', `${x256}.part`, ...Array<string>(256).fill(SOURCE)]);
    if (run.status !== 0) throw new Error(`mergecap failed: ${String(run.stderr)}`);
    renameSync(`${x256}.part`, x256);
    console.log('done');
  }
  return [
    { name: `GCC capture (${(statSync(SOURCE).size / 1024).toFixed(0)} KB)`, file: SOURCE },
    { name: `256 copies (${(statSync(x256).size / 1e6).toFixed(0)} MB)`, file: x256 },
  ];
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const cell = (m: Measured) =>
  `${m.seconds.toFixed(2)} s, ${m.peakMiB.toFixed(0)} MiB, ${m.signal ?? `exit ${m.code}`}${m.stderr ? ` — ${m.stderr.slice(0, 110)}` : ''}`;

let failed = false;
console.log(`cardbench decode FILE --json; peak RSS from /usr/bin/time -v; entries: ${clis.join(' | ')}\n`);
for (const c of crafted()) {
  console.log(`${c.name} (${(statSync(c.file).size / 1e6).toFixed(1)} MB)`);
  for (const cli of clis) {
    const m = await measure(cli, ['decode', c.file, '--json'], c.env);
    console.log(`  ${cli === 'source' ? 'source' : cli}: ${cell(m)}`);
    if (m.signal !== null || m.seconds > MAX_SECONDS) failed = true;
  }
}
if (!values['skip-real']) {
  console.log(`\nreal captures, median of ${runs} runs (whole process)`);
  for (const r of realFiles()) {
    console.log(r.name);
    for (const cli of clis) {
      const all: Measured[] = [];
      for (let i = 0; i < runs; i++) all.push(await measure(cli, ['decode', r.file, '--json']));
      const seconds = median(all.map((m) => m.seconds));
      const peak = median(all.map((m) => m.peakMiB));
      console.log(
        `  ${cli}: ${seconds.toFixed(2)} s (min ${Math.min(...all.map((m) => m.seconds)).toFixed(2)}), peak ${peak.toFixed(0)} MiB, exit ${all[0]!.code}`,
      );
    }
  }
}
process.exitCode = failed ? 1 : 0;
