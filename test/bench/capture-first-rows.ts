/**
 * Viewer latency on a 1 GB capture (issue "Captures": first rows within 0.5 s of opening a 1 GB
 * file). Builds ~1 GB from copies of the GCC USBPcap capture (mergecap -a of the cached 256-copy
 * file, itself built by capture-import.ts or here), opens it through the capture store the way
 * the Captures workbench does, and prints: time until the first rows can be read, time until the
 * import is done, rows, and the process's peak RSS (the row index must stay small per row).
 *
 *   npx tsx test/bench/capture-first-rows.ts [--copies-of-256 N]   (default 9 ≈ 1.02 GB)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { CaptureStore } from '../../electron/backend/capture-store/capture-store.js';

const SOURCE = resolve(
  process.env.CARDBENCH_SHARED ?? resolve(import.meta.dirname, '..', '..', '..', 'shared'),
  'captures/usbpcap-emv-gcc2024/usb.pcapng',
);
const dir = join(tmpdir(), 'cardbench-bench');

function mergecap(output: string, inputs: string[]): void {
  if (existsSync(output)) return;
  mkdirSync(dir, { recursive: true });
  process.stdout.write(`building ${output} … `);
  const run = spawnSync('mergecap', ['-a', '-w', `${output}.partial`, ...inputs], { stdio: ['ignore', 'ignore', 'pipe'] });
  if (run.status !== 0) throw new Error(`mergecap failed (is wireshark-common installed?): ${String(run.stderr)}`);
  renameSync(`${output}.partial`, output);
  console.log(`${(statSync(output).size / 1e6).toFixed(0)} MB`);
}

const { values } = parseArgs({ options: { 'copies-of-256': { type: 'string' } } });
const copies = Number(values['copies-of-256'] ?? 9);
const x256 = join(dir, 'usb-x256.pcapng');
mergecap(x256, Array<string>(256).fill(SOURCE));
const big = join(dir, `usb-x${256 * copies}.pcapng`);
mergecap(big, Array<string>(copies).fill(x256));

const store = new CaptureStore();
const opened = performance.now();
const session = await store.open(big);
let firstRowsMs: number | undefined;
while (firstRowsMs === undefined) {
  if (session.rows(0, 50, undefined).rows.length > 0) firstRowsMs = performance.now() - opened;
  else await new Promise((r) => setTimeout(r, 2));
}
await session.finished;
const doneMs = performance.now() - opened;
const status = session.status();
const peakMiB = process.resourceUsage().maxRSS / 1024;
console.log(`file            ${(statSync(big).size / 1e6).toFixed(0)} MB`);
console.log(`first rows      ${firstRowsMs.toFixed(0)} ms   (target ≤ 500 ms)`);
console.log(`import done     ${(doneMs / 1000).toFixed(1)} s, state ${status.state}, ${status.rows} rows`);
console.log(
  `peak RSS        ${peakMiB.toFixed(0)} MiB   (${((peakMiB * 1024 * 1024) / Math.max(1, status.rows)).toFixed(0)} bytes per row, report included)`,
);
process.exitCode = firstRowsMs <= 500 && status.state === 'done' ? 0 : 1;
