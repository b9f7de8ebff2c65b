/**
 * `cardbench replay` on the built-in virtual reader, in a child process: a trace is made from
 * what one `cardbench send` session sent and got (written as a USB capture, the form `decode`
 * reads), then replayed on a fresh virtual card. Same card state → exit 0; the PIN try counter
 * left as it is by not sending the wrong VERIFY → the differences reported, exit 1.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCardbench, startCardbench } from '../../../rigs/cli-process.js';
import { apduUsbTrace, type HexExchange } from '../../../support/apdu-usb-trace.js';

const VIRTUAL = 'Cardbench Virtual Pinpad';
const SELECT_OPENPGP = '00A4040006D27600012401';
const VERIFY_QUERY = '00200081';
const WRONG_PIN = '313131313131';
const VERIFY_WRONG = `0020008106${WRONG_PIN}`;
const GET_DATA_6E = '00CA006E00';
const SESSION = [SELECT_OPENPGP, VERIFY_QUERY, VERIFY_WRONG, VERIFY_QUERY, GET_DATA_6E];
/**
 * Answers only: the traces written here hold no real exchange times (or the recording's, on a
 * machine whose load varies), and a busy machine can make one exchange 50 ms slower.
 */
const NO_TIMING = ['--timing-threshold', 'off'];

let dir: string;
let env: NodeJS.ProcessEnv;
let recorded: HexExchange[];
let trace: string;

/** What one `send` session sent and got: the commands as we gave them (send prints PINs masked), its answers. */
async function sendSession(commands: readonly string[]): Promise<HexExchange[]> {
  const run = await runCardbench(['send', '--json', '--reader', VIRTUAL, ...commands], env);
  expect(run.code, run.stderr).toBe(0);
  const answers = JSON.parse(run.stdout) as { response: string }[];
  return commands.map((command, i) => ({ command, response: answers[i]!.response }));
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cardbench-replay-'));
  env = { CARDBENCH_DATA_DIR: join(dir, 'data') };
  recorded = await sendSession(SESSION);
  trace = join(dir, 'session.pcapng');
  writeFileSync(trace, apduUsbTrace(recorded));
}, 60_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('cardbench replay on the built-in virtual reader (child process)', { timeout: 60_000 }, () => {
  it('the recorded session as it went (wrong PIN: 63C3 then 63C2)', () => {
    expect(recorded.map((e) => e.response.slice(-4))).toEqual(['9000', '63C3', '63C2', '63C2', '9000']);
  });

  it('--with-pins on a fresh card: every answer the same, exit 0', async () => {
    const run = await runCardbench(['replay', trace, '--reader', VIRTUAL, '--with-pins', ...NO_TIMING], env);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain('Summary: 5 same, 0 with another answer (0 status word, 0 data), 0 only in A, 0 only in B, 0 timing.');
    expect(run.stdout.trimEnd().endsWith('The traces match.')).toBe(true);
    expect(run.stderr).toContain(`replay: sending 5 command(s) to ${VIRTUAL}…`);
    expect(run.stdout + run.stderr).not.toContain(WRONG_PIN);
  });

  it('without --with-pins the wrong VERIFY is not sent: the try counter differs (63C2 -> 63C3, PW status bytes), exit 1', async () => {
    const run = await runCardbench(['replay', trace, '--reader', VIRTUAL, ...NO_TIMING], env);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('  not sent: A#3  VERIFY  0020008106************: it carries a PIN or key (--with-pins sends it)');
    expect(run.stdout).toContain('! A#4 B#4  VERIFY  00200081   [status word differs]');
    expect(run.stdout).toContain('-     63C2  PIN not verified yet: 2 tries left');
    expect(run.stdout).toContain('+     63C3  PIN not verified yet: 3 tries left');
    // The application related data holds the PW1 try counter (C4 …7F7F7F 02 → 03).
    expect(run.stdout).toMatch(/^! A#5 B#5 {2}GET DATA {2}00CA006E00 {3}\[data differs\]$/m);
    expect(run.stdout).toContain('Summary: 2 same, 2 with another answer (1 status word, 1 data), 0 only in A, 0 only in B, 0 timing.');
    expect(run.stdout).not.toContain(WRONG_PIN);
  });

  it('a trace whose PINs were masked when recorded: never sent, even with --with-pins', async () => {
    const masked = join(dir, 'masked.pcapng');
    writeFileSync(
      masked,
      apduUsbTrace(recorded.map((e) => (e.command === VERIFY_WRONG ? { ...e, command: `0020008106${'2A'.repeat(6)}` } : e))),
    );
    const run = await runCardbench(['replay', masked, '--reader', VIRTUAL, '--with-pins', '--json', ...NO_TIMING], env);
    expect(run.code).toBe(1);
    const out = JSON.parse(run.stdout) as { notSent: unknown[]; counts: Record<string, number>; readers: unknown[] };
    expect(out.notSent).toEqual([{ index: 3, command: '0020008106************', name: 'VERIFY', reason: 'masked' }]);
    expect(out.counts).toMatchObject({ exchangesA: 4, same: 2, changed: 2, swChanged: 1, dataChanged: 1 });
    expect(out.readers).toEqual([{ conversation: '1.4 slot 0', reader: VIRTUAL }]);
  });

  it('--stop-on-difference stops at the first answer that differs and says what was not sent', async () => {
    const run = await runCardbench(['replay', trace, '--reader', VIRTUAL, '--stop-on-difference', '--json', ...NO_TIMING], env);
    expect(run.code).toBe(1);
    const out = JSON.parse(run.stdout) as { stopped: unknown; counts: Record<string, number> };
    expect(out.stopped).toEqual({ index: 4, reason: 'difference', notSentAfter: 1 });
    expect(out.counts).toMatchObject({ exchangesA: 3, same: 2, changed: 1 });
    const text = await runCardbench(['replay', trace, '--reader', VIRTUAL, '--stop-on-difference', ...NO_TIMING], env);
    expect(text.stdout).toContain('  stopped at A#4 (VERIFY): its answer differs (--stop-on-difference); the 1 after it was not sent.');
  });

  it('usage errors: exit 2 with a sentence', async () => {
    const cases: [string[], RegExp][] = [
      [['replay'], /name one trace file/],
      [
        ['replay', trace, '--reader', VIRTUAL, '--reader', VIRTUAL],
        /the trace has 1 card conversation\(s\); give one --reader per conversation, in this order \(2 given\):\n {2}1: 1\.4 slot 0/,
      ],
      [['replay', trace, '--share', 'sometimes'], /--share must be one of shared, exclusive, direct, not 'sometimes'/],
      [['replay', join(dir, 'missing.pcapng')], /no such file/],
    ];
    for (const [args, message] of cases) {
      const run = await runCardbench(args, env);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr).toMatch(message);
    }
  });

  it('Ctrl-C during a long replay: exit 130 within a second, the comparison of what was replayed printed', async () => {
    const [select, read] = await sendSession([SELECT_OPENPGP, GET_DATA_6E]);
    const long = join(dir, 'long.pcapng');
    writeFileSync(long, apduUsbTrace([select!, ...Array.from({ length: 20_000 }, () => read!)]));
    const child = startCardbench(['replay', long, '--reader', VIRTUAL, ...NO_TIMING], env);
    await child.waitForOutput(/sending 20001 command\(s\)/, { stream: 'stderr', timeoutMs: 30_000 });
    const end = await child.stop('SIGINT');
    expect(end.status).toBe(130);
    expect(end.msAfterSignal).toBeLessThan(1000);
    expect(end.stderr).toMatch(
      /replay: stopped by SIGINT; stopped at A#\d+ \(GET DATA\): it was (sent and got no answer|not sent); the \d+ after it were not sent\./,
    );
    const [, same] = /^Summary: (\d+) same, 0 with another answer .*, 0 only in A, 0 only in B/m.exec(end.stdout) ?? [];
    expect(Number(same)).toBeGreaterThan(1);
    expect(Number(same)).toBeLessThan(20_001);
    expect(end.stdout).toContain(`(recording) (${same} exchanges)`);
  });
});

describe('cardbench replay and diff on recordings made with --record (child process)', { timeout: 60_000 }, () => {
  it('a masked recording (the default): the wrong VERIFY is never sent, even with --with-pins; the counter differs, exit 1', async () => {
    const file = join(dir, 'masked-record.pcapng');
    const sent = await runCardbench(['send', '--reader', VIRTUAL, '--record', file, ...SESSION], env);
    expect(sent.code, sent.stderr).toBe(0);
    const run = await runCardbench(['replay', file, '--reader', VIRTUAL, '--with-pins', ...NO_TIMING], env);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('  not sent: A#3  VERIFY  0020008106************: its secret data is masked in the trace');
    expect(run.stdout).toContain('! A#4 B#4  VERIFY  00200081   [status word differs]');
    expect(run.stdout).toContain('Summary: 2 same, 2 with another answer (1 status word, 1 data), 0 only in A, 0 only in B, 0 timing.');
  });

  it('a recording with exact PINs, replayed --with-pins on a fresh card: exit 0; and diff against a USB capture of the same session: exit 0', async () => {
    const file = join(dir, 'exact-record.pcapng');
    const sent = await runCardbench(['send', '--reader', VIRTUAL, '--record', file, '--record-exact-pins', ...SESSION], env);
    expect(sent.code, sent.stderr).toBe(0);
    const run = await runCardbench(['replay', file, '--reader', VIRTUAL, '--with-pins', ...NO_TIMING], env);
    expect(run.code, run.stdout).toBe(0);
    expect(run.stdout).toContain('Summary: 5 same, 0 with another answer');
    expect(run.stdout + run.stderr).not.toContain(WRONG_PIN);
    // The same session as a USB capture (the recording above ran on a fresh card, as `recorded` did).
    const diff = await runCardbench(['diff', trace, file, ...NO_TIMING], env);
    expect(diff.code, diff.stdout).toBe(0);
    expect(diff.stdout).toContain(`1: A 1.4 slot 0 (5)  =  B ${VIRTUAL} slot 0 (5)`);
    expect(diff.stdout).not.toContain(WRONG_PIN);
  });
});

describe('cardbench replay of real pcsc-spy logs (test/fixtures/pcsc-spy) on the built-in virtual reader', { timeout: 60_000 }, () => {
  const FIXTURES = join(import.meta.dirname, '..', '..', '..', 'fixtures', 'pcsc-spy');

  it('scriptor against the virtual card on vpcd, replayed on the built-in one: the same 3 answers, exit 0', async () => {
    const run = await runCardbench(['replay', join(FIXTURES, 'scriptor-openpgp.pcsc-spy'), '--reader', VIRTUAL, ...NO_TIMING], env);
    expect(run.code, run.stdout).toBe(0);
    expect(run.stdout).toContain(`1: A Virtual PCD 00 00 slot 0 (3)  =  B ${VIRTUAL} slot 0 (3)`);
    expect(run.stdout).toContain('Summary: 3 same, 0 with another answer (0 status word, 0 data), 0 only in A, 0 only in B, 0 timing.');
  });

  it("opensc-tool's PIV detection (21 APDUs): the same answers (timing aside: vpcd took ~90 ms where the built-in card takes ~1)", async () => {
    const run = await runCardbench(['replay', join(FIXTURES, 'opensc-tool-piv.pcsc-spy'), '--reader', VIRTUAL, ...NO_TIMING], env);
    expect(run.code, run.stdout).toBe(0);
    expect(run.stdout).toContain('Summary: 21 same, 0 with another answer (0 status word, 0 data), 0 only in A, 0 only in B, 0 timing.');
  });
});
