/**
 * `cardbench pin` as users run it (a child process, stdin through a real pipe) on the built-in
 * virtual reader, whose simulated keypad reads one line per PIN entry from that pipe: presets,
 * dry runs, usage errors, each outcome with its exit code, the software path, Ctrl-C during keypad
 * entry (a real SIGINT: the entry is aborted on the reader and the process exits 130 within a
 * second), and no form of the PIN in anything it printed or wrote.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../../../electron/cli/exit-codes.js';
import { CARDBENCH_COMMAND, shellStatus } from '../../../rigs/cli-process.js';
import { REPO_ROOT } from '../../../shared-path.js';
import { filesUnder, pinForms } from '../backend/pinpad/pinpad-harness.js';

const dataDir = mkdtempSync(join(tmpdir(), 'cardbench-pin-cli-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
// No system pcscd may answer: only the built-in reader is meant here.
const env = { ...process.env, CARDBENCH_DATA_DIR: dataDir, PCSCLITE_CSOCK_NAME: join(dataDir, 'no-pcscd.comm') };
const VIRTUAL = ['--reader', 'Cardbench Virtual Pinpad'];
/** Every test starts the CLI once or more (about a second each, more on a busy machine). */
const SLOW = 60_000;

interface Pin {
  status: number;
  stdout: string;
  stderr: string;
  /** From SIGINT to the end of the process. */
  msAfterSignal?: number;
}

const everything: string[] = [];

/** Runs `cardbench ARGS` with `input` written to its stdin; with `interruptOn`, sends SIGINT once stderr matches it. */
function pin(args: readonly string[], input = '', interruptOn?: RegExp): Promise<Pin> {
  return new Promise((resolve) => {
    const child = spawn(CARDBENCH_COMMAND[0], [...CARDBENCH_COMMAND.slice(1), ...args], { cwd: REPO_ROOT, env });
    let stdout = '';
    let stderr = '';
    let signalledAt: number | undefined;
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (interruptOn && signalledAt === undefined && interruptOn.test(stderr)) {
        signalledAt = performance.now();
        child.kill('SIGINT');
      }
    });
    child.once('close', (code, signal) => {
      everything.push(stdout, stderr);
      resolve({
        status: shellStatus(code, signal),
        stdout,
        stderr,
        ...(signalledAt === undefined ? {} : { msAfterSignal: performance.now() - signalledAt }),
      });
    });
    child.stdin.write(input);
    // With interruptOn the pipe stays open: nobody types, the keypad waits.
    if (!interruptOn) child.stdin.end();
  });
}

describe('cardbench pin without a reader', () => {
  it(
    'presets lists every preset; --json gives each default field and its source',
    async () => {
      const text = await pin(['pin', 'presets']);
      expect(text.status).toBe(EXIT.ok);
      for (const name of ['openpgp-pw1', 'openpgp-pw3', 'piv-pin', 'belgian-eid', 'iso-ascii', 'iso-bcd', 'iso-format2', 'custom'])
        expect(text.stdout).toMatch(new RegExp(`^${name} `, 'm'));
      const json = await pin(['pin', 'presets', '--json']);
      const presets = JSON.parse(json.stdout) as {
        name: string;
        source: string;
        defaults: { verify?: { fields: Record<string, number> } };
      }[];
      expect(presets.find((p) => p.name === 'belgian-eid')).toMatchObject({
        source: expect.stringMatching(/eid-mw/),
        defaults: { verify: { fields: { bmFormatString: 0x89, bmPINBlockString: 0x47, bmPINLengthFormat: 0x04 } } },
      });
    },
    SLOW,
  );

  it(
    '--dry-run prints the structure and bytes (no reader); --json has the PC/SC and CCID bytes; --reader VID:PID adds what libccid sends',
    async () => {
      const text = await pin(['pin', 'verify', '--preset', 'piv-pin', '--dry-run', '--set', 'bTimerOut=0x3C', '--reader', '08E6:3478']);
      expect(text.status).toBe(EXIT.ok);
      expect(text.stdout).toMatch(/PIN_VERIFY_STRUCTURE \(PC\/SC part 10, SCardControl input\), 32 bytes:/);
      expect(text.stdout).toMatch(/\[ 0\] bTimerOut\s+60/);
      expect(text.stdout).toContain(
        'bytes: 3C 1E 82 08 00 08 04 02 00 00 00 00 00 00 00 0D 00 00 00 00 20 00 80 08 FF FF FF FF FF FF FF FF',
      );
      expect(text.stdout).toMatch(/\*\* \*\* \*\* \*\*/); // the PIN's place in the template
      // The GemPC Pinpad (by its USB id): libccid forces bNumberMessage 01 on a verify.
      expect(text.stdout).toMatch(/libccid sends this reader instead: /);
      expect(text.stdout).toMatch(/bNumberMessage: 0 → 1/);
      const json = await pin(['pin', 'modify', '--preset', 'openpgp-pw1', '--dry-run', '--json']);
      expect(json.status).toBe(EXIT.ok);
      const view = JSON.parse(json.stdout) as Record<string, unknown> & { ccid: Record<string, string>; fields: Record<string, number> };
      expect(view).toMatchObject({ preset: 'openpgp-pw1', operation: 'modify', apdu: '00240081', select: '00A4040006D27600012401' });
      expect(view.fields).toMatchObject({ bConfirmPIN: 3, bNumberMessage: 3, ulDataLength: 4 });
      expect(view.pcsc).toBe('00008200000000' + '0F06' + '03' + '02' + '03' + '0904' + '000102' + '000000' + '04000000' + '00240081');
      expect(view.ccid.bPINOperation).toBe('01');
      expect(view.ccid.abPINDataStructure?.endsWith('00240081')).toBe(true);
      expect(view.libccid).toBeNull();
    },
    SLOW,
  );

  it(
    'usage errors exit 2 with a sentence; --help explains every option',
    async () => {
      const noPreset = await pin(['pin', 'verify']);
      expect(noPreset).toMatchObject({ status: EXIT.usage, stderr: expect.stringMatching(/--preset NAME/) });
      const badField = await pin(['pin', 'verify', '--preset', 'custom', '--set', 'FormatString=2', '--dry-run']);
      expect(badField).toMatchObject({ status: EXIT.usage, stderr: expect.stringMatching(/did you mean bmFormatString/) });
      const wrongOp = await pin(['pin', 'modify', '--preset', 'emv-plaintext', '--dry-run']);
      expect(wrongOp).toMatchObject({ status: EXIT.usage, stderr: expect.stringMatching(/has no PIN modify/) });
      const what = await pin(['pin', 'change']);
      expect(what).toMatchObject({ status: EXIT.usage, stderr: expect.stringMatching(/verify, modify or presets/) });
      const help = await pin(['pin', '--help']);
      expect(help.status).toBe(EXIT.ok);
      for (const option of [
        '--reader R',
        '--preset NAME',
        '--set FIELD=VALUE',
        '--no-select',
        '--dry-run',
        '--json',
        '--software',
        '--yes-last-try',
      ])
        expect(help.stdout).toContain(option);
    },
    SLOW,
  );
});

describe('cardbench pin on the built-in virtual reader (simulated keypad fed through the pipe)', () => {
  it(
    'enter: the structure, the SELECT, the retry counter, then "PIN verified (SW 9000)", exit 0',
    async () => {
      const run = await pin(['pin', 'verify', ...VIRTUAL, '--preset', 'openpgp-pw1'], '123456\n');
      expect(run.stderr).toMatch(/\[simulated keypad\] Enter PIN \(6-15 digits, 30 s\)/);
      expect(run.stdout).toMatch(/Reader: Cardbench Virtual Pinpad \(virtual\)/);
      expect(run.stdout).toMatch(/SELECT 00 A4 04 00 06 D2 76 00 01 24 01 → 90 00/);
      expect(run.stdout).toMatch(/Retry counter \(00 20 00 81\): 3 tries left/);
      expect(run.stdout).toMatch(/Outcome: PIN verified \(SW 9000\)/);
      expect(run.status).toBe(EXIT.ok);
    },
    SLOW,
  );

  it(
    'wrong PIN, keypad cancel and keypad timeout each exit 1 with the outcome explained',
    async () => {
      const wrong = await pin(['pin', 'verify', ...VIRTUAL, '--preset', 'openpgp-pw1', '--json'], '000000\n');
      expect(wrong.status).toBe(EXIT.failure);
      expect(JSON.parse(wrong.stdout)).toMatchObject({
        sw: '63C2',
        outcome: { kind: 'wrong-pin', triesLeft: 2, sw: '63C2' },
        path: 'ccid-secure',
      });
      const cancelled = await pin(['pin', 'verify', ...VIRTUAL, '--preset', 'openpgp-pw1'], 'cancel\n');
      expect(cancelled).toMatchObject({ status: EXIT.failure, stdout: expect.stringMatching(/Outcome: Cancelled on the keypad/) });
      const ended = await pin(['pin', 'verify', ...VIRTUAL, '--preset', 'openpgp-pw1'], '');
      expect(ended).toMatchObject({ status: EXIT.failure, stderr: expect.stringMatching(/standard input ended: Cancel/) });
      const timedOut = await pin(['pin', 'verify', ...VIRTUAL, '--preset', 'openpgp-pw1', '--set', 'bTimerOut=1'], 'timeout\n');
      expect(timedOut).toMatchObject({ status: EXIT.failure, stdout: expect.stringMatching(/Outcome: Nobody typed the PIN in time/) });
    },
    SLOW,
  );

  it(
    'modify: three entries; different new PINs are 64 02; the software path reads its PINs from stdin',
    async () => {
      const differ = await pin(['pin', 'modify', ...VIRTUAL, '--preset', 'openpgp-pw1'], '123456\n739146\n739147\n');
      expect(differ.status).toBe(EXIT.failure);
      expect(differ.stdout).toMatch(/SW 6402/);
      expect(differ.stderr.match(/\[simulated keypad\] Enter (current|new) PIN|Confirm new PIN/g)).toHaveLength(3);
      const changed = await pin(['pin', 'modify', ...VIRTUAL, '--preset', 'openpgp-pw1', '--json'], '123456\n739146\n739146\n');
      expect(JSON.parse(changed.stdout)).toMatchObject({ sw: '9000', outcome: { kind: 'accepted', title: 'PIN changed' } });
      const software = await pin(['pin', 'verify', ...VIRTUAL, '--preset', 'openpgp-pw1', '--software', '--json'], '123456\n');
      expect(software.status).toBe(EXIT.ok);
      expect(JSON.parse(software.stdout)).toMatchObject({ path: 'software', sw: '9000' });
      const wrongSoftware = await pin(['pin', 'verify', ...VIRTUAL, '--preset', 'piv-pin', '--software'], '739146\n');
      expect(wrongSoftware).toMatchObject({ status: EXIT.failure, stdout: expect.stringMatching(/Wrong PIN: 2 tries left/) });
      const notDigits = await pin(['pin', 'verify', ...VIRTUAL, '--preset', 'piv-pin', '--software'], '73914x\n');
      expect(notDigits).toMatchObject({
        status: EXIT.failure,
        stderr: expect.stringMatching(/must be 1 to 15 digits \(nothing was sent\)/),
      });
    },
    SLOW,
  );

  it(
    'Ctrl-C while the simulated keypad waits: the entry is aborted on the reader (CCID Abort) and the process exits 130 within a second',
    async () => {
      const run = await pin(['pin', 'verify', ...VIRTUAL, '--preset', 'openpgp-pw1'], '', /\[simulated keypad\] Enter PIN/);
      expect(run.status).toBe(EXIT.interrupted);
      expect(run.msAfterSignal).toBeLessThan(1000);
      expect(run.stdout).toMatch(/Outcome: Aborted by the host/);
      expect(run.stderr).toMatch(/stopped by SIGINT during the PIN entry: it was aborted on the reader \(CCID Abort\)/);
      console.log(`PIN-CLI: SIGINT during keypad entry on the virtual reader → exit in ${run.msAfterSignal!.toFixed(0)} ms`);
    },
    SLOW,
  );

  it('no form of a PIN typed in these runs is in their output or in the data directory', () => {
    const texts = [...everything, ...filesUnder(dataDir).map((f) => f.text)];
    expect(everything.length).toBeGreaterThan(10);
    for (const pinValue of ['739146', '739147'])
      for (const form of pinForms(pinValue)) for (const text of texts) expect(text).not.toContain(form);
  });
});
