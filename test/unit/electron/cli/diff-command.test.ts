/**
 * `cardbench diff` as users run it, in a child process: exit 0 / 1 / 2 as diff(1), both forms of
 * output on the real captures, output whole through a slow pipe, Ctrl-C while a trace is read.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CARDBENCH_COMMAND, runCardbench, runCardbenchInto, startCardbench } from '../../../rigs/cli-process.js';
import { REPO_ROOT, requireShared, sharedPath } from '../../../shared-path.js';
import { apduUsbTrace, type HexExchange } from '../../../support/apdu-usb-trace.js';

const skip = requireShared('captures');
const LABCARD = ['captures', 'usbmon-qemu-labcard'];
const USBMON = sharedPath(...LABCARD, 'labcard-basic.usbmon.pcap');
const USBMON_NG = sharedPath(...LABCARD, 'labcard-basic.usbmon.pcapng');
const QEMU = sharedPath(...LABCARD, 'labcard-basic.qemu.pcap');
const PINPAD = sharedPath('captures', 'usbmon-qemu-pinpad', 'pinpad-labcard.usbmon.pcap');

/** Resolves once process `pid` has `path` among its open files (Linux /proc), failing after 20 s. */
async function opened(pid: number, path: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const fds = (() => {
      try {
        return readdirSync(`/proc/${pid}/fd`);
      } catch {
        return [];
      }
    })();
    for (const fd of fds) {
      try {
        if (readlinkSync(`/proc/${pid}/fd/${fd}`) === path) return;
      } catch {
        // closed meanwhile
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`process ${pid} never opened ${path}`);
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cardbench-diff-'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('cardbench diff (child process)', { timeout: 60_000 }, () => {
  it.skipIf(skip)('the two labcard captures (host side, device side) match: exit 0, every exchange the same', async () => {
    const run = await runCardbench(['diff', USBMON, QEMU]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('1: A 1.2 slot 0 (33)  =  B 0.2 slot 0 (33)');
    expect(run.stdout).toContain('Summary: 33 same, 0 with another answer (0 status word, 0 data), 0 only in A, 0 only in B, 0 timing.');
    expect(run.stdout.trimEnd().endsWith('The traces match.')).toBe(true);
    const self = await runCardbench(['diff', '--json', USBMON, USBMON_NG]);
    expect(self.code).toBe(0);
    expect(JSON.parse(self.stdout)).toMatchObject({ match: true, counts: { same: 33 }, differences: [] });
  });

  it.skipIf(skip)('pinpad vs labcard: exit 1, the differences named with INS names and status word meanings, PINs masked', async () => {
    const run = await runCardbench(['diff', PINPAD, USBMON]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('- A#1  SELECT  00A4040C09F04C41424341524401  ->  9000  Success');
    expect(run.stdout).toContain('- A#3  VERIFY  00200081  ->  63C3  PIN not verified yet: 3 tries left');
    expect(run.stdout).toContain('+ B#18  VERIFY  0020008108****************  ->  63C2  Wrong PIN: 2 tries left');
    expect(run.stdout).toContain('Summary: 3 same, 0 with another answer (0 status word, 0 data), 2 only in A, 30 only in B, 0 timing.');
    expect(run.stdout.trimEnd().endsWith('The traces differ.')).toBe(true);
    const json = await runCardbench(['diff', '--json', PINPAD, USBMON]);
    expect(json.code).toBe(1);
    const parsed = JSON.parse(json.stdout) as { counts: Record<string, number>; differences: { kind: string; a?: { command: string } }[] };
    expect(parsed.counts).toMatchObject({ same: 3, onlyA: 2, onlyB: 30 });
    expect(parsed.differences).toHaveLength(32);
    for (const out of [run.stdout, json.stdout]) expect(out).not.toMatch(/0020008108(31323334|31323335|39393939)/);
  });

  it.skipIf(skip)('- reads one trace from standard input (exit 0 for the same capture); both from it is a usage error', async () => {
    // Binary on stdin (runCardbench writes text).
    const piped = spawnSync(CARDBENCH_COMMAND[0], [...CARDBENCH_COMMAND.slice(1), 'diff', '-', USBMON], {
      cwd: REPO_ROOT,
      input: readFileSync(USBMON_NG),
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(piped.status, piped.stderr).toBe(0);
    expect(piped.stdout).toContain('--- A: - (33 exchanges)');
    const both = await runCardbench(['diff', '-', '-']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('only one of A and B can be - (standard input)');
  });

  it.skipIf(skip)('--timing-threshold: a tight one reports the device side as faster (exit 1), off ignores timing', async () => {
    const tight = await runCardbench(['diff', '--timing-threshold', '1.5x,1ms', USBMON, QEMU]);
    expect(tight.code).toBe(1);
    expect(tight.stdout).toMatch(/^~ A#9 B#9 {2}READ BINARY {2}00B0000000 {2}time 3\.218 ms -> 2\.129 ms \(×1\.5\)$/m);
    const off = await runCardbench(['diff', '--timing-threshold', 'off', USBMON, QEMU]);
    expect(off.code).toBe(0);
    expect(off.stdout).toContain('Timing is not compared.');
  });

  it.skipIf(skip)('a trace cut short: diff compares what came before and exits 2 saying so; replay sends nothing, exit 2', async () => {
    const whole = readFileSync(USBMON_NG);
    const cut = join(dir, 'cut.pcapng');
    writeFileSync(cut, whole.subarray(0, Math.floor(whole.length * 0.7) + 3));
    const run = await runCardbench(['diff', cut, USBMON_NG]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/diff: .*cut\.pcapng could not be read to its end \(.*\); only what came before is compared\./);
    const [, same, onlyB] = /^Summary: (\d+) same, 0 with another answer .*, 0 only in A, (\d+) only in B/m.exec(run.stdout) ?? [];
    expect(Number(same) + Number(onlyB)).toBe(33);
    expect(Number(onlyB)).toBeGreaterThan(0);
    const replay = await runCardbench(['replay', cut, '--reader', 'Cardbench Virtual Pinpad']);
    expect(replay.code).toBe(2);
    expect(replay.stderr).toMatch(/replay: .*cut\.pcapng could not be read to its end \(.*\); nothing was sent\./);
  });

  it('usage errors and unreadable traces: exit 2 with a sentence saying what to do', async () => {
    const cases: [string[], RegExp][] = [
      [['diff', USBMON], /name two trace files, A and B/],
      [['diff', '--json', '--text', USBMON, QEMU], /choose one of --json and --text/],
      [['diff', '--timing-threshold', 'fast', USBMON, QEMU], /'fast' in 'fast' is neither a factor \(2x\) nor a time \(50ms\)/],
      [['diff', join(dir, 'missing.pcapng'), USBMON], /no such file: .*missing\.pcapng/],
    ];
    writeFileSync(join(dir, 'notes.txt'), 'not a capture\n');
    cases.push([['diff', join(dir, 'notes.txt'), join(dir, 'notes.txt')], /notes\.txt/]);
    for (const [args, message] of cases) {
      const run = await runCardbench(args);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr).toMatch(message);
    }
  });

  it('output arrives whole through a slow pipe (3,000 changed answers, ~1 MB of text and of JSON)', async () => {
    const answers = (fill: string): HexExchange[] =>
      Array.from({ length: 3000 }, (_, i) => ({
        command: `00B0${(i & 0x7fff).toString(16).padStart(4, '0')}C8`,
        response: fill.repeat(200) + '9000',
      }));
    const [a, b] = [join(dir, 'a.pcapng'), join(dir, 'b.pcapng')];
    writeFileSync(a, apduUsbTrace(answers('AB')));
    writeFileSync(b, apduUsbTrace(answers('CD')));
    for (const json of [false, true]) {
      const args = ['diff', ...(json ? ['--json'] : []), a, b];
      const [file, piped] = [await runCardbenchInto('file', args), await runCardbenchInto({ pipeWithDelayMs: 1000 }, args)];
      expect([file.status, piped.status]).toEqual([1, 1]);
      expect(piped.output.length).toBeGreaterThan(256 * 1024);
      expect(piped.output.equals(file.output)).toBe(true);
      if (json) expect((JSON.parse(piped.output.toString()) as { differences: unknown[] }).differences).toHaveLength(3000);
      else expect(piped.output.toString().trimEnd().endsWith('The traces differ.')).toBe(true);
    }
    // What a comparison holds is bounded: these 3,000 exchanges take ~2 MB, over a 1 MiB limit.
    const bounded = await runCardbench(['diff', a, b], { CARDBENCH_DIFF_HEAP_MB: '1' });
    expect(bounded.code).toBe(2);
    expect(bounded.stderr).toMatch(
      /a\.pcapng: its [\d,]+ exchanges so far take more than the 1 MiB a comparison may hold per trace \(CARDBENCH_DIFF_HEAP_MB\); allow more with CARDBENCH_DIFF_HEAP_MB=2/,
    );
    expect(bounded.stdout).toBe('');
  });

  it.skipIf(skip)('Ctrl-C while a trace is still being read (a FIFO nobody writes): exit 130 within a second', async () => {
    const fifo = join(dir, 'never-written');
    execFileSync('mkfifo', [fifo]);
    const child = startCardbench(['diff', USBMON, fifo]);
    // Readiness: the process holds the FIFO open (the first trace is read, the second waits for bytes).
    await opened(child.pid, fifo);
    const end = await child.stop('SIGINT');
    expect(end.status).toBe(130);
    expect(end.msAfterSignal).toBeLessThan(1000);
    expect(end.stderr).toContain('diff: stopped while reading the traces; nothing was compared.');
    expect(end.stdout).toBe('');
  });
});
