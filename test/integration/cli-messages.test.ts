/**
 * What `cardbench` says and the exit status it gives, as a user sees them (real processes, a real
 * pcscd with vpcd and the virtual card): the README's exit codes, one per case; an unknown reader
 * answered with one sentence and the readers one per line; a sharing violation that blames no one
 * without evidence; pcscd lost mid-run without the app's "reconnects by itself"; the status word
 * printed once; APDUs read from a file or standard input (an extended APDU does not fit in argv).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPcscReaderBackend } from '../../electron/backend/readers/pcsc-reader-backend.js';
import type { ReaderBackend } from '../../electron/backend/reader-backend.js';
import { runCardbench, startCardbench } from '../rigs/cli-process.js';
import { VPCD_READER, pcscdRigUnavailableReason, startPcscd, type PcscdRig } from '../rigs/pcscd-rig.js';
import { VPCD_SLOTS, startVirtualCard, waitForCardPresence, type VirtualCardProcess } from '../rigs/virtual-card-rig.js';

const skipReason = pcscdRigUnavailableReason();
if (skipReason) {
  if (process.env.CI === 'true') throw new Error(`integration rig unavailable under CI: ${skipReason}`);
  console.warn(`[skip] cli messages: ${skipReason}`);
}

const [T1_SLOT, T0_SLOT] = VPCD_SLOTS;
const VIRTUAL = 'Cardbench Virtual Pinpad';
const SELECT_OPENPGP = '00A4040006D27600012401';
const SELECT_FILE = '00A4000C022F01';

let dir: string;
let env: NodeJS.ProcessEnv;
const cli = (args: readonly string[], input?: string) => runCardbench(args, env, input);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cardbench-messages-'));
  env = { CARDBENCH_DATA_DIR: join(dir, 'data') };
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(skipReason)('exit codes, no pcscd running', () => {
  it('3 when no reader backend is available at all, each reason on its own line', async () => {
    const { code, stderr } = await cli(['readers', '--no-virtual']);
    expect(code).toBe(3);
    expect(stderr).toMatch(
      /^cardbench: No reader backend is available here:\n {2}pcsc: PC\/SC service not running.*\n {2}usb: .*\n {2}virtual: .*turned off/m,
    );
  });

  it('1 when run cannot read its script, as for decode (the README: the operation failed)', async () => {
    const missing = join(dir, 'missing.apdu');
    const run = await cli(['run', missing]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`cardbench: run: cannot read ${missing}: no such file.\n`);
    expect((await cli(['run', dir])).stderr).toBe(`cardbench: run: cannot read ${dir}: it is a directory.\n`);
    expect((await cli(['decode', missing])).code).toBe(1);
  });

  it('1 when the script has lines that are not steps (nothing is sent), each named by line', async () => {
    const script = join(dir, 'bad.apdu');
    writeFileSync(script, `${SELECT_OPENPGP}\n00A4\n00CA006E00 => 90\n`);
    const { code, stdout, stderr } = await cli(['run', '--reader', VIRTUAL, script]);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain(`${script}:2: 2 byte(s): an APDU needs at least CLA INS P1 P2`);
    expect(stderr).toContain(`${script}:3: expected status word '90' is not 4 hex digits`);
    expect(stderr).toContain(`cardbench: run: ${script} has 2 line(s) that are not steps; nothing was sent.`);
  });

  it('2 for a wrong command line, 0 for success, 1 for a failed assertion', async () => {
    expect((await cli(['send', '--share', 'bogus', SELECT_OPENPGP])).code).toBe(2);
    expect((await cli(['run'])).code).toBe(2);
    const script = join(dir, 'assert.apdu');
    writeFileSync(script, `${SELECT_OPENPGP} => 9000\n`);
    expect((await cli(['run', '--reader', VIRTUAL, script])).code).toBe(0);
    writeFileSync(script, `${SELECT_OPENPGP} => 6A82\n`);
    expect((await cli(['run', '--reader', VIRTUAL, script])).code).toBe(1);
  });

  it('send prints the status word once: "< data SW meaning"', async () => {
    const { code, stdout } = await cli(['send', '--reader', VIRTUAL, SELECT_FILE, '00B0000004']);
    expect(code).toBe(0);
    const answers = stdout.split('\n').filter((line) => line.startsWith('< '));
    expect(answers[0]).toMatch(/^< 9000 {2}Success \([\d.]+ ms\)$/);
    expect(answers[1]).toMatch(/^< 00010203 9000 {2}Success \([\d.]+ ms\)$/);
  });

  it('send reads APDUs from --file and from standard input: one per line, comments skipped, a 70,000-character APDU', async () => {
    // UPDATE BINARY with 34,993 data bytes: extended Lc, 70,000 hex characters on one line.
    const data = '5A'.repeat(34_993);
    const huge = `00D6000000${(34_993).toString(16).toUpperCase().padStart(4, '0')}${data}`;
    expect(huge.length).toBe(70_000);
    const file = join(dir, 'apdus.txt');
    writeFileSync(file, `# select the file first\n${SELECT_FILE}   # by FID\n\n${huge}\n`);
    const fromFile = await cli(['send', '--reader', VIRTUAL, '--json', '--file', file]);
    expect(fromFile.code).toBe(0);
    const exchanges = JSON.parse(fromFile.stdout) as { command: string; sw: string }[];
    expect(exchanges.map((e) => e.command.slice(0, 14))).toEqual([SELECT_FILE, huge.slice(0, 14)]);
    expect(exchanges[1]!.command).toBe(huge);
    expect(exchanges[1]!.sw).toMatch(/^[0-9A-F]{4}$/);

    for (const args of [['--file', '-'], ['-']]) {
      const fromStdin = await cli(['send', '--reader', VIRTUAL, ...args], `${SELECT_FILE}\n00B0000002 # two bytes\n`);
      expect(fromStdin.code, fromStdin.stderr).toBe(0);
      expect(fromStdin.stdout).toMatch(/^> 00B0000002\n< 0001 9000 {2}Success/m);
    }
    const bad = await cli(['send', '--reader', VIRTUAL, '--file', '-'], `${SELECT_FILE}\nnot hex\n`);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/send: standard input line 2 is not valid hex/);
  });
});

describe.skipIf(skipReason)('messages against a real pcscd', () => {
  let rig: PcscdRig;
  let t1Card: VirtualCardProcess;
  let t0Card: VirtualCardProcess;
  let holder: ReaderBackend | undefined;

  beforeAll(async () => {
    rig = await startPcscd([VPCD_READER]);
    t1Card = startVirtualCard(['--vpcd', `127.0.0.1:${T1_SLOT.port}`]);
    t0Card = startVirtualCard(['--vpcd', `127.0.0.1:${T0_SLOT.port}`, '--protocol', 't0']);
    await waitForCardPresence(T1_SLOT.reader, true);
    await waitForCardPresence(T0_SLOT.reader, true);
  });

  afterAll(async () => {
    await holder?.dispose();
    await t1Card?.kill();
    await t0Card?.kill();
    await rig?.stop();
  });

  it('an unknown reader: one sentence, then the readers one per line, then why a backend lists none', async () => {
    const { code, stderr } = await cli(['send', '--reader', 'Nope', SELECT_OPENPGP]);
    expect(code).toBe(1);
    const lines = stderr.trimEnd().split('\n');
    expect(lines.slice(0, 5)).toEqual([
      'cardbench: No reader named "Nope".',
      'The readers are:',
      `  ${T1_SLOT.reader}`,
      `  ${T0_SLOT.reader}`,
      `  ${VIRTUAL}`,
    ]);
    expect(lines.slice(5)).toEqual([expect.stringMatching(/^\(usb lists no readers: USB access unavailable/)]);
  });

  it('a sharing violation says another program holds the card, and names usual holders only as possibilities', async () => {
    // This test process holds the card exclusively, as scdaemon or a browser might.
    holder = createPcscReaderBackend();
    await holder.settled();
    await holder.transmit(T0_SLOT.reader, Uint8Array.from([0x00, 0xa4, 0x04, 0x00, 0x06, 0xd2, 0x76, 0x00, 0x01, 0x24, 0x01]), {
      share: 'exclusive',
    });
    const { code, stderr } = await cli(['send', '--no-virtual', '--reader', T0_SLOT.reader, SELECT_OPENPGP]);
    expect(code).toBe(1);
    expect(stderr).toMatch(
      /SCARD_E_SHARING_VIOLATION \(0x8010000B\)\. Another program holds the card exclusively \(PC\/SC does not say which\)/,
    );
    expect(stderr).toMatch(/Programs that often do: GnuPG's scdaemon/);
    expect(stderr).not.toMatch(/tell GnuPG|use PC\/SC|disable-ccid/);
    await holder.dispose();
    holder = undefined;
  });

  it('pcscd lost in the middle of a run: the step fails, the rest is not run, exit 1, no "reconnects by itself"', async () => {
    const script = join(dir, 'many.apdu');
    writeFileSync(script, Array.from({ length: 300 }, () => `${SELECT_OPENPGP} => 9000`).join('\n'));
    // pcscd dies at a different point of an exchange each round; once, it froze the CLI (a reader
    // closed from inside the binding's own status callback, which holds that reader's lock).
    for (const afterSteps of [1, 2, 3]) {
      if (afterSteps > 1) {
        rig = await startPcscd([VPCD_READER]);
        await waitForCardPresence(T1_SLOT.reader, true);
      }
      const run = startCardbench(['run', '--no-virtual', '--reader', T1_SLOT.reader, script], env);
      await run.waitForOutput(new RegExp(`(?:^ {2}ok: 9000\n[^]*){${afterSteps}}`, 'm'));
      await rig.kill();
      const end = await run.ended();
      expect(end.status, end.stderr).toBe(1);
      expect(end.stdout).toMatch(/ {2}.*many\.apdu:\d+: FAILED: Sending the APDU failed: SCARD_[EFW]_\w+ \(0x8010\w+\)\./);
      expect(end.stdout).toMatch(/^FAILED: \d+ passed, 0 failed, 0 sent without assertion, 1 error\(s\)\.$/m);
      expect(end.stdout + end.stderr).not.toMatch(/reconnects by itself/);
    }
  });
});
