/**
 * Captures at scale (issue 12), whole processes side by side with tshark in one run:
 *
 *  - files: 256 copies of the GCC USBPcap capture (113 MB, 53,248 exchanges) and 2,304 copies
 *    (1 GB, 479,232 exchanges), made with mergecap -a and cached in the OS temp dir;
 *  - tshark: `tshark -r F -d usbccid.subdissector,iso7816 -T fields -e iso7816.apdu.ins`;
 *  - ours: the BUILT command users run (`node electron/cli/cardbench.js decode F --json|--text|--ndjson
 *    > out`), built first when out/main/cli.js is older than the sources;
 *  - the viewer: the 1 GB file imported into a CaptureSession in a child process (first rows,
 *    peak RSS, bytes per row) and free-text searches on its rows (capture-viewer.ts), bundled
 *    with its decode worker by esbuild as the app's main process is (tsx alone costs ~40 MiB).
 *
 * Prints wall time, peak RSS (/usr/bin/time -v, or VmHWM polled from /proc), the ratios to
 * tshark and each goal of the issue as met or missed. On a shared 2-core machine one run varies
 * by ±15% and the load comes and goes in phases of seconds, so on the 113 MB file the runs come
 * in three rounds — tshark once, then each of our commands twice — and the medians (with their
 * ranges) are compared: tshark and we sample the same phases. Exit 1 when a tool fails or an output's
 * exchange count is not 208 per copy; a missed speed or memory goal is printed, not fatal.
 *
 *   npm run bench -- [--quick] [--no-tshark-1gb]
 *     --quick          the 113 MB file only (the viewer then imports it too)
 *     --no-tshark-1gb  skip tshark on the 1 GB file (it takes minutes); its ratios then show n/a
 */
import { spawn, spawnSync } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, openSync, closeSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import type { ViewerFigures } from './capture-viewer.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const SOURCE = resolve(process.env.CARDBENCH_SHARED ?? resolve(ROOT, '..', 'shared'), 'captures/usbpcap-emv-gcc2024/usb.pcapng');
const EXCHANGES_PER_COPY = 208;
const CACHE = join(tmpdir(), 'cardbench-bench');
const HAS_TIME = existsSync('/usr/bin/time');
const CLI = join(ROOT, 'electron', 'cli', 'cardbench.js');
const MODES = ['--json', '--text', '--ndjson'] as const;
type Mode = (typeof MODES)[number];

interface Measured {
  wallMs: number;
  peakMiB: number | undefined;
  stdout: string;
  stderr: string;
  code: number | null;
}

/** Runs a whole process; stdout goes to `stdoutFile` (or /dev/null), or is kept when `keepStdout`. */
function measure(command: string, args: string[], output: { file?: string; keep?: boolean } = {}): Promise<Measured> {
  const fd = output.keep ? undefined : openSync(output.file ?? '/dev/null', 'w');
  const child = spawn(HAS_TIME ? '/usr/bin/time' : command, HAS_TIME ? ['-v', command, ...args] : args, {
    stdio: ['ignore', fd ?? 'pipe', 'pipe'],
  });
  const started = performance.now();
  let stdout = '';
  let stderr = '';
  let polledKiB = 0;
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const poll = HAS_TIME ? undefined : setInterval(() => (polledKiB = Math.max(polledKiB, vmHwmKiB(child.pid))), 10);
  return new Promise((done, fail) => {
    child.on('error', fail);
    child.on('close', (code) => {
      const wallMs = performance.now() - started;
      if (poll) clearInterval(poll);
      if (fd !== undefined) closeSync(fd);
      const fromTime = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
      const peakKiB = fromTime ? Number(fromTime[1]) : polledKiB || undefined;
      done({ wallMs, peakMiB: peakKiB === undefined ? undefined : peakKiB / 1024, stdout, stderr, code });
    });
  });
}

function vmHwmKiB(pid: number | undefined): number {
  try {
    const status = spawnSync('cat', [`/proc/${pid}/status`], { encoding: 'utf8' }).stdout;
    return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** The last line of a failed process's stderr that is not /usr/bin/time's. */
function why(run: Measured): string {
  const lines = run.stderr.split('\n').filter((l) => l.trim() && !/^\s|^Command (exited|terminated)/.test(l));
  return lines.at(-1) ?? `exit ${run.code}`;
}

async function mergecap(copies: number, inputs: string[]): Promise<string> {
  const file = join(CACHE, `usb-x${copies}.pcapng`);
  if (existsSync(file)) return file;
  mkdirSync(CACHE, { recursive: true });
  process.stdout.write(`building ${file} (${copies} copies of usb.pcapng, mergecap -a, cached) … `);
  const run = await measure('mergecap', ['-a', '-w', `${file}.part`, ...inputs]);
  if (run.code !== 0) throw new Error(`mergecap failed (is wireshark-common installed?): ${why(run)}`);
  renameSync(`${file}.part`, file);
  console.log(`${(statSync(file).size / 1e6).toFixed(0)} MB`);
  return file;
}

/** Builds when out/main/cli.js is missing or older than any source the CLI bundles. */
function ensureBuilt(): void {
  const built = join(ROOT, 'out', 'main', 'cli.js');
  const builtAt = existsSync(built) ? statSync(built).mtimeMs : 0;
  const newest = Math.max(...['core', 'electron'].map((dir) => newestMtime(join(ROOT, dir))));
  if (builtAt >= newest) return;
  console.log(`out/main/cli.js is ${builtAt ? 'older than the sources' : 'missing'}: npm run build …`);
  const run = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  if (run.status !== 0) throw new Error('npm run build failed');
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(path));
    else if (/\.(ts|js)$/.test(entry.name)) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * capture-viewer.ts and its workers bundled side by side (their hosts look for them beside the
 * running module), under node_modules so that their packages resolve.
 */
function bundleViewer(): string {
  const outdir = join(ROOT, 'node_modules', '.cache', 'cardbench-bench');
  const entries = [
    join(import.meta.dirname, 'capture-viewer.ts'),
    join(ROOT, 'electron/backend/capture/capture-decode-worker.ts'),
    join(ROOT, 'electron/backend/capture-store/row-search-worker.ts'),
  ];
  const options = ['--bundle', '--splitting', '--format=esm', '--platform=node', '--target=node20', '--packages=external'];
  const run = spawnSync(
    join(ROOT, 'node_modules', '.bin', 'esbuild'),
    [...entries, ...options, `--outdir=${outdir}`, '--entry-names=[name]', '--log-level=warning'],
    {
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  if (run.status !== 0) throw new Error('esbuild could not bundle the viewer bench');
  return join(outdir, 'capture-viewer.js');
}

/** Exchanges in an output, counted the way a reader of that format would find them. */
async function exchangesIn(file: string, mode: Mode): Promise<number> {
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  let count = 0;
  let inList = false;
  for await (const line of lines) {
    if (mode === '--ndjson') count += line.startsWith('{') ? 1 : 0;
    else if (mode === '--text') {
      const heading = /^APDU exchanges \((\d+)\):$/.exec(line);
      if (heading) return Number(heading[1]);
    } else if (line === '  "exchanges": [') inList = true;
    else if (inList && line.startsWith('  ]')) return count;
    else if (inList && line === '    {') count++;
  }
  return count;
}

interface Row {
  label: string;
  wallMs: number;
  peakMiB: number | undefined;
  exchanges?: number;
  /** Fastest–slowest of the runs, when there were several. */
  range?: string;
}

/** Rounds on the 113 MB file: tshark once and each of our commands OUR_RUNS_PER_ROUND times a round. */
const ROUNDS_ON_SMALL_FILE = 3;
const OUR_RUNS_PER_ROUND = 2;

/** The median run's wall time and peak (lower middle of an even count), with the range when there were several runs. */
function figures(runs: readonly Measured[]): Pick<Row, 'wallMs' | 'peakMiB' | 'range'> {
  const sorted = [...runs].sort((a, b) => a.wallMs - b.wallMs);
  const median = sorted[Math.floor((sorted.length - 1) / 2)]!;
  const range = runs.length > 1 ? `  median of ${runs.length} (${s(sorted[0]!.wallMs)}–${s(sorted.at(-1)!.wallMs)})` : undefined;
  return { wallMs: median.wallMs, peakMiB: median.peakMiB, ...(range ? { range } : {}) };
}

const s = (ms: number | undefined) => (ms === undefined ? 'n/a' : `${(ms / 1000).toFixed(2)} s`);
const mib = (m: number | undefined) => (m === undefined ? 'n/a' : `${m.toFixed(0)} MiB`);
const ratio = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined ? 'n/a' : `${(a / b).toFixed(1)}×`);

function goal(met: boolean | undefined, text: string): void {
  console.log(`  ${met === undefined ? 'n/a ' : met ? 'met ' : 'MISS'}  ${text}`);
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { quick: { type: 'boolean' }, 'no-tshark-1gb': { type: 'boolean' } } });
  if (!existsSync(SOURCE)) {
    console.error(`missing ${SOURCE} (set CARDBENCH_SHARED to the shared folder)`);
    return 1;
  }
  ensureBuilt();
  const x256 = await mergecap(256, Array<string>(256).fill(SOURCE));
  const files = [{ copies: 256, file: x256 }];
  if (!values.quick) files.push({ copies: 2304, file: await mergecap(2304, Array<string>(9).fill(x256)) });
  console.log(`peak RSS from ${HAS_TIME ? '/usr/bin/time -v' : '/proc VmHWM polled every 10 ms'}; node ${process.version}`);

  let failed = false;
  const results = new Map<number, Map<string, Row>>();
  for (const { copies, file } of files) {
    const expected = copies * EXCHANGES_PER_COPY;
    const rows = new Map<string, Row>();
    results.set(copies, rows);
    console.log(`\n${file}: ${(statSync(file).size / 1e6).toFixed(0)} MB, ${copies} copies, ${expected} exchanges expected`);
    const withTshark = !(copies > 256 && values['no-tshark-1gb']);
    if (!withTshark) console.log('  tshark skipped on this file (--no-tshark-1gb)');
    // Rounds interleave tshark and our commands, so that each samples the same moments of a
    // shared machine's load; the medians are compared.
    const rounds = copies > 256 ? 1 : ROUNDS_ON_SMALL_FILE;
    const runsPerRound = copies > 256 ? 1 : OUR_RUNS_PER_ROUND;
    const tsharkRuns: Measured[] = [];
    const ours = new Map<Mode, Measured[]>(MODES.map((m) => [m, []]));
    const outputOf = (mode: Mode) => join(CACHE, `out${mode.slice(1).replace('-', '')}`);
    for (let round = 0; round < rounds; round++) {
      if (withTshark) {
        const args = ['-r', file, '-d', 'usbccid.subdissector,iso7816', '-T', 'fields', '-e', 'iso7816.apdu.ins'];
        const run = await measure('tshark', args);
        if (run.code !== 0) throw new Error(`tshark failed: ${why(run)}`);
        tsharkRuns.push(run);
      }
      for (let i = 0; i < runsPerRound; i++)
        for (const mode of MODES)
          ours.get(mode)!.push(await measure(process.execPath, [CLI, 'decode', file, mode], { file: outputOf(mode) }));
    }
    if (withTshark) rows.set('tshark', { label: 'tshark -T fields', ...figures(tsharkRuns) });
    for (const mode of MODES) {
      const measured = ours.get(mode)!;
      const out = outputOf(mode);
      const failure = measured.find((r) => r.code !== 0);
      if (failure) {
        console.error(`cardbench decode ${mode} failed: ${why(failure)}`);
        failed = true;
        continue;
      }
      const exchanges = await exchangesIn(out, mode);
      rows.set(mode, { label: `cardbench decode ${mode}`, ...figures(measured), exchanges });
      if (exchanges !== expected) {
        console.error(`decode ${mode}: ${exchanges} exchanges, expected ${expected}`);
        failed = true;
      }
      rmSync(out, { force: true });
    }
    const tshark = rows.get('tshark');
    console.log(
      `  ${'process'.padEnd(26)} ${'wall'.padStart(8)} ${'peak RSS'.padStart(9)}  ${'faster'.padStart(7)}  ${'of tshark RSS'}  exchanges`,
    );
    for (const row of rows.values()) {
      const vsTshark = row === tshark || !tshark;
      console.log(
        `  ${row.label.padEnd(26)} ${s(row.wallMs).padStart(8)} ${mib(row.peakMiB).padStart(9)}  ${(vsTshark ? '' : ratio(tshark.wallMs, row.wallMs)).padStart(7)}  ${(vsTshark || !row.peakMiB || !tshark.peakMiB ? '' : `${((100 * row.peakMiB) / tshark.peakMiB).toFixed(0)}%`).padStart(13)}  ${String(row.exchanges ?? '').padStart(9)}${row.range ?? ''}`,
      );
    }
  }

  // The viewer imports the largest file measured, in a process of its own.
  const { copies: viewerCopies, file: viewerFile } = files.at(-1)!;
  const viewerRun = await measure(process.execPath, [bundleViewer(), viewerFile], { keep: true });
  let viewer: ViewerFigures | undefined;
  if (viewerRun.code !== 0) {
    console.error(`viewer import failed: ${why(viewerRun)}`);
    failed = true;
  } else {
    viewer = JSON.parse(viewerRun.stdout.trim().split('\n').at(-1)!) as ViewerFigures;
    const bytesPerRow = ((viewerRun.peakMiB ?? viewer.peakMiB) * 2 ** 20) / viewer.rows;
    console.log(`\nviewer (CaptureSession in its own process, bundled) on ${viewerCopies} copies:`);
    console.log(`  first rows ${viewer.firstRowsMs.toFixed(0)} ms, import done ${s(viewer.importMs)} (${viewer.state})`);
    console.log(`  ${viewer.rows} rows, ${viewer.exchanges} exchanges, ${viewer.transactions} transactions`);
    console.log(
      `  peak RSS ${mib(viewerRun.peakMiB)} (${bytesPerRow.toFixed(0)} bytes per row, all included; ${viewer.rssBeforeMiB.toFixed(0)} MiB before opening, ` +
        `${mib(viewer.peakMiB)} when the import ended, before the searches and their worker)`,
    );
    for (const search of viewer.searches)
      console.log(
        `  search ${JSON.stringify(search.text).padEnd(16)} ${search.ms.toFixed(0).padStart(6)} ms (CPU ${search.cpuMs.toFixed(0)} ms)  ${search.matched} rows`,
      );
    if (viewer.exchanges !== viewerCopies * EXCHANGES_PER_COPY) {
      console.error(`viewer: ${viewer.exchanges} exchanges, expected ${viewerCopies * EXCHANGES_PER_COPY}`);
      failed = true;
    }
  }

  console.log('\ngoals (issue 12):');
  const small = results.get(256)!;
  const json = small.get('--json');
  const tshark = small.get('tshark');
  goal(json && tshark && tshark.wallMs / json.wallMs >= 20, `113 MB --json ≥ 20× tshark: ${ratio(tshark?.wallMs, json?.wallMs)}`);
  goal(
    json?.peakMiB && tshark?.peakMiB ? json.peakMiB <= tshark.peakMiB / 2 : undefined,
    `113 MB --json peak ≤ half of tshark's: ${mib(json?.peakMiB)} vs ${mib(tshark?.peakMiB)}`,
  );
  for (const [copies, rows] of results) {
    const text = rows.get('--text');
    const j = rows.get('--json');
    goal(
      text && j && text.wallMs <= j.wallMs * 1.05,
      `${copies} copies: --text (${s(text?.wallMs)}) no slower than --json (${s(j?.wallMs)}), 5% noise allowed`,
    );
  }
  const big = results.get(2304)?.get('--ndjson')?.peakMiB;
  const ndjson = small.get('--ndjson')?.peakMiB;
  goal(big && ndjson ? big <= ndjson * 1.2 : undefined, `--ndjson peak 1 GB within 20% of 113 MB: ${mib(big)} vs ${mib(ndjson)}`);
  if (viewer && viewerRun.peakMiB) {
    goal(viewerCopies === 2304 ? viewerRun.peakMiB <= 300 : undefined, `viewer 1 GB peak ≤ 300 MiB: ${mib(viewerRun.peakMiB)}`);
    goal(viewer.firstRowsMs < 500, `viewer first rows < 0.5 s: ${viewer.firstRowsMs.toFixed(0)} ms`);
    const slowest = Math.max(...viewer.searches.map((x) => x.ms));
    goal(
      viewer.rows >= 1e6 * 0.95 ? slowest < 300 : undefined,
      `search < 300 ms on ~1 M rows: slowest ${slowest.toFixed(0)} ms on ${viewer.rows} rows`,
    );
  }
  return failed ? 1 : 0;
}

process.exitCode = await main();
