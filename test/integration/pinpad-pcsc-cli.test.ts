/**
 * `cardbench pin` as a child process against a real PC/SC pinpad (private pcscd, libccid's GemPC
 * Pinpad driver, the virtual pinpad reader on a pty with a scripted keypad): every preset that
 * fits the virtual card, each outcome with its text and exit code, the retry guard, --json, the
 * software path with the PIN from stdin, and Ctrl-C while the reader waits for the PIN (a real
 * SIGINT: PC/SC cannot cancel the entry, the command still ends within a second with 130).
 * Afterwards no form of the PIN is in anything the commands printed or in the data directory.
 *
 * The keypad script is played in order: each test consumes the entries noted beside it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../electron/cli/exit-codes.js';
import { runCardbench, startCardbench, type CliRun } from '../rigs/cli-process.js';
import { pcscdRigUnavailableReason, waitFor } from '../rigs/pcscd-rig.js';
import { PINPAD_PCSC_NAME, startPinpadRig, type PinpadRig } from '../rigs/pinpad-reader-rig.js';
import { filesUnder, pinForms } from '../unit/electron/backend/pinpad/pinpad-harness.js';

const skipReason = pcscdRigUnavailableReason();
if (skipReason) {
  if (process.env.CI === 'true') throw new Error(`integration rig unavailable under CI: ${skipReason}`);
  console.warn(`[skip] cardbench pin over PC/SC: ${skipReason}`);
}

const NEW_PW1 = '739146';
const FF8 = 'FF'.repeat(8);

const KEYPAD = [
  '123456', // enter
  '000000', // wrong
  'cancel', // keypad cancel
  'timeout', // keypad timeout
  '000000', // wrong: one try left
  '123456', // --yes-last-try
  '123456',
  NEW_PW1,
  '739147', // modify, PINs differ
  '123456',
  NEW_PW1,
  NEW_PW1, // modify
  NEW_PW1, // --json verify
  NEW_PW1, // openpgp-pw1-82
  '12345678', // openpgp-pw3
  '123456', // piv-pin
  '123456', // iso-ascii on the PIV PIN
  '123456', // iso-bcd: wrong
  '123456', // iso-format2: wrong
  '123456', // piv-pin, last try confirmed
  '00000000',
  '00000000',
  '00000000', // PW3 blocked
  '12345678', // custom: the card says blocked
  'delay 3000',
  NEW_PW1, // Ctrl-C while the reader waits (the keypad finishes later on its own)
];

let rig: PinpadRig;
let dataDir: string;
let env: NodeJS.ProcessEnv;
const outputs: string[] = [];
const timings: string[] = [];

async function pin(args: readonly string[], input?: string): Promise<CliRun> {
  const run = await runCardbench(['pin', ...args], env, input);
  outputs.push(run.stdout, run.stderr);
  return run;
}
const verify = (preset: string, ...more: string[]) => pin(['verify', '--reader', PINPAD_PCSC_NAME, '--preset', preset, ...more]);

/** Every CLI run starts a process (about a second), several per test. */
const SLOW = 60_000;

describe.skipIf(skipReason)('cardbench pin on a PC/SC pinpad (pcscd + libccid GemPC Pinpad + virtual reader)', () => {
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'cardbench-pin-cli-data-'));
    env = { CARDBENCH_DATA_DIR: dataDir, CARDBENCH_NO_VIRTUAL: '1' };
    rig = await startPinpadRig({ card: 't1', keypadScript: KEYPAD });
    await waitFor(
      async () => (await runCardbench(['readers', '--json'], env)).stdout.includes(PINPAD_PCSC_NAME),
      20_000,
      () => `pinpad reader not listed:\n${rig.pcscd.log().slice(-2000)}`,
    );
  }, 60_000);

  afterAll(async () => {
    console.log(`PIN-CLI over PC/SC\n  ${timings.join('\n  ')}`);
    await rig?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it(
    'enter: the structure it sends (fields and bytes), then SELECT, retry counter and "PIN verified (SW 9000)", exit 0',
    async () => {
      const run = await verify('openpgp-pw1');
      expect(run.stdout).toMatch(/Reader: Cardbench Virtual Pinpad 00 00 \(pcsc\)/);
      expect(run.stdout).toMatch(/PIN_VERIFY_STRUCTURE \(PC\/SC part 10, SCardControl input\), 23 bytes:/);
      expect(run.stdout).toMatch(/\[ 2\] bmFormatString\s+0x82/);
      // The reader's bMinPINSize/bMaxPINSize (TLV properties) narrow the preset's 6-15, as OpenSC does.
      expect(run.stdout).toMatch(/Adjusted for the reader: wPINMaxExtraDigit 60F → 60C/);
      expect(run.stdout).toMatch(/SELECT 00 A4 04 00 06 D2 76 00 01 24 01 → 90 00/);
      expect(run.stdout).toMatch(/Outcome: PIN verified \(SW 9000\)/);
      expect(run.stderr).toMatch(/Enter the PIN on the keypad of Cardbench Virtual Pinpad 00 00/);
      expect(run.code).toBe(EXIT.ok);
    },
    SLOW,
  );

  it(
    'wrong PIN, keypad cancel, keypad timeout: exit 1, each explained',
    async () => {
      expect(await verify('openpgp-pw1')).toMatchObject({
        code: EXIT.failure,
        stdout: expect.stringMatching(/Outcome: Wrong PIN: 2 tries left \(SW 63C2\)/),
      });
      expect(await verify('openpgp-pw1')).toMatchObject({ code: EXIT.failure, stdout: expect.stringMatching(/\(SW 6401\)/) });
      expect(await verify('openpgp-pw1')).toMatchObject({ code: EXIT.failure, stdout: expect.stringMatching(/\(SW 6400\)/) });
    },
    SLOW,
  );

  it(
    'one try left: refused without --yes-last-try (exit 1, says how to go on), run with it',
    async () => {
      expect((await verify('openpgp-pw1')).stdout).toMatch(/SW 63C1/);
      const asked = await verify('openpgp-pw1');
      expect(asked).toMatchObject({
        code: EXIT.failure,
        stdout: expect.stringMatching(/Not run: Only one try is left/),
        stderr: expect.stringMatching(/--yes-last-try/),
      });
      expect(await verify('openpgp-pw1', '--yes-last-try')).toMatchObject({ code: EXIT.ok });
    },
    SLOW,
  );

  it(
    'modify: PINs differ (64 02) exits 1; the change exits 0; --json holds fields, PC/SC and CCID bytes, sw, meaning, outcome',
    async () => {
      const differ = await pin(['modify', '--reader', PINPAD_PCSC_NAME, '--preset', 'openpgp-pw1']);
      expect(differ).toMatchObject({ code: EXIT.failure, stdout: expect.stringMatching(/PIN_MODIFY_STRUCTURE[\s\S]*SW 6402/) });
      expect(await pin(['modify', '--reader', PINPAD_PCSC_NAME, '--preset', 'openpgp-pw1'])).toMatchObject({ code: EXIT.ok });
      const json = await verify('openpgp-pw1', '--json');
      expect(json.code).toBe(EXIT.ok);
      const report = JSON.parse(json.stdout) as Record<string, unknown>;
      expect(report).toMatchObject({
        reader: `pcsc:${PINPAD_PCSC_NAME}`,
        path: 'pcsc-part10',
        fields: { bmFormatString: 0x82, wPINMaxExtraDigit: 0x060c, ulDataLength: 4 },
        pcsc: expect.any(String),
        ccid: { bPINOperation: '00', abPINDataStructure: expect.stringMatching(/00200081$/) },
        select: { apdu: '00A4040006D27600012401', sw: '9000' },
        tries: { probe: '00200081', triesLeft: 3, sw: '63C3' },
        ran: true,
        sw: '9000',
        meaning: 'PIN verified',
        outcome: { kind: 'accepted', sw: '9000' },
      });
      expect((report.pcsc as string).endsWith('0400000000200081')).toBe(true);
    },
    SLOW,
  );

  it(
    'every preset that fits the virtual card: openpgp-pw1-82, openpgp-pw3, piv-pin, iso-ascii / iso-bcd / iso-format2 on the PIV PIN',
    async () => {
      for (const preset of ['openpgp-pw1-82', 'openpgp-pw3', 'piv-pin']) expect(await verify(preset)).toMatchObject({ code: EXIT.ok });
      // PC/SC powers a card down once no program holds it: the SELECT goes in the same run (--select).
      const PIV = ['--select', '00A4040009A0000003080000100000'];
      const isoAscii = await verify('iso-ascii', ...PIV, '--set', `apdu=0020008008${FF8}`);
      expect(isoAscii.stdout).toMatch(/SELECT 00 A4 04 00 09 A0 00 00 03 08 00 00 10 00 00 → 90 00/);
      expect(isoAscii).toMatchObject({ code: EXIT.ok, stdout: expect.stringMatching(/Outcome: PIN verified/) });
      expect(await verify('iso-bcd', ...PIV, '--set', `apdu=0020008008${FF8}`)).toMatchObject({
        code: EXIT.failure,
        stdout: expect.stringMatching(/SW 63C2/),
      });
      expect(await verify('iso-format2', ...PIV, '--set', `apdu=002000800820${'FF'.repeat(7)}`)).toMatchObject({
        code: EXIT.failure,
        stdout: expect.stringMatching(/SW 63C1/),
      });
      expect(await verify('piv-pin', '--yes-last-try')).toMatchObject({ code: EXIT.ok });
      const absent = await verify('belgian-eid');
      expect(absent).toMatchObject({
        code: EXIT.failure,
        stdout: expect.stringMatching(/SELECT .* → 6A 82[\s\S]*Not run: The SELECT of the application answered 6A82/),
      });
    },
    SLOW,
  );

  it(
    'blocked: refused by the guard at 0 tries; without a probe the card answers 69 83',
    async () => {
      for (const sw of ['63C2', '63C1', '63C0'])
        expect((await verify('openpgp-pw3', '--yes-last-try')).stdout).toMatch(new RegExp(`SW ${sw}`));
      expect(await verify('openpgp-pw3', '--yes-last-try')).toMatchObject({
        code: EXIT.failure,
        stdout: expect.stringMatching(/Not run: The PIN is blocked/),
      });
      const blocked = await verify(
        'custom',
        '--select',
        '00A4040006D27600012401',
        '--set',
        'apdu=00200083',
        '--set',
        'bmPINBlockString=0',
        '--set',
        'wPINMaxExtraDigit=8-15',
        '--json',
      );
      expect(blocked.code).toBe(EXIT.failure);
      expect(JSON.parse(blocked.stdout)).toMatchObject({ sw: '6983', outcome: { kind: 'blocked' } });
    },
    SLOW,
  );

  it(
    'Ctrl-C while the reader waits for the PIN: exit 130 within a second, saying PC/SC cannot cancel the entry',
    async () => {
      const run = startCardbench(['pin', 'verify', '--reader', PINPAD_PCSC_NAME, '--preset', 'openpgp-pw1'], env);
      await run.waitForOutput(/Enter the PIN on the keypad/, { stream: 'stderr' });
      const end = await run.stop('SIGINT');
      outputs.push(end.stdout, end.stderr);
      expect(end.status).toBe(130);
      expect(end.msAfterSignal).toBeLessThan(1000);
      expect(end.stderr).toMatch(
        /stopped by SIGINT while Cardbench Virtual Pinpad 00 00 waited for the PIN\. PC\/SC cannot cancel that entry/,
      );
      timings.push(`SIGINT during a PC/SC keypad entry → process ended in ${end.msAfterSignal.toFixed(0)} ms (status ${end.status})`);
    },
    SLOW,
  );

  it(
    'the software path reads the PIN from stdin (never argv) and sends it in the APDU',
    async () => {
      // This waits, inside pcscd, for the entry the interrupted run left on the keypad (3 s).
      const run = await pin(['verify', '--reader', PINPAD_PCSC_NAME, '--preset', 'openpgp-pw1', '--software'], `${NEW_PW1}\n`);
      expect(run.stderr).toMatch(/\[software path\] PIN, 6-15 digits, sent in the APDU: reading one line from standard input/);
      expect(run).toMatchObject({ code: EXIT.ok, stdout: expect.stringMatching(/Outcome: PIN verified/) });
    },
    SLOW,
  );

  it('no form of the PIN in any output of these runs, the data directory or the reader process output', () => {
    const texts = [...outputs, rig.reader.output(), ...filesUnder(dataDir).map((f) => f.text)];
    expect(outputs.length).toBeGreaterThan(40);
    for (const form of pinForms(NEW_PW1)) for (const text of texts) expect(text).not.toContain(form);
  });
});
