/**
 * `--record FILE` on the real `cardbench` process, read back by tshark 4.0 (Wireshark's own
 * dissectors, no "Decode As"): on the built-in virtual reader, on a real pcscd with vpcd and our
 * virtual card, and on the libccid GemPC pinpad reader (`pin verify --record`, the keypad entry
 * through SCardControl). tshark lists the INS and status words the command printed; PINs are
 * absent from the file's bytes (ASCII, BCD and format-2 forms) unless --record-exact-pins; an
 * unwritable FILE stops the command before anything reaches the card; SIGINT during a recorded
 * run leaves a file tshark reads to its end.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../electron/cli/exit-codes.js';
import { runCardbench, startCardbench } from '../rigs/cli-process.js';
import { pcscdRigUnavailableReason, startPcscd, VPCD_READER, waitFor, type PcscdRig } from '../rigs/pcscd-rig.js';
import { PINPAD_PCSC_NAME, startPinpadRig, type PinpadRig } from '../rigs/pinpad-reader-rig.js';
import { startVirtualCard, VPCD_SLOTS, waitForCardPresence, type VirtualCardProcess } from '../rigs/virtual-card-rig.js';
import { tsharkApduColumns, tsharkFields, tsharkInfo, tsharkUnavailableReason } from '../support/tshark.js';
import { spawnSync } from 'node:child_process';

const skipReason = pcscdRigUnavailableReason() ?? tsharkUnavailableReason();
if (skipReason) {
  if (process.env.CI === 'true') throw new Error(`integration rig unavailable under CI: ${skipReason}`);
  console.warn(`[skip] cardbench --record: ${skipReason}`);
}

const VIRTUAL = 'Cardbench Virtual Pinpad';
const SELECT_OPENPGP = '00A4040006D27600012401';
const PIN = '123456';
/** The PIN as the three encodings a VERIFY body uses: ASCII, BCD, ISO 9564 format 2. */
const PIN_FORMS = { ascii: '313233343536', bcd: '123456', format2: '26123456' };
const VERIFY_ASCII = `0020008106${PIN_FORMS.ascii}`;
const VERIFY_BCD = `0020008103${PIN_FORMS.bcd}`;
const VERIFY_FORMAT2 = `0020008108${PIN_FORMS.format2}FFFFFFFF`;

let dir: string;
let env: NodeJS.ProcessEnv;
const figures: string[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cardbench-record-'));
  env = { CARDBENCH_DATA_DIR: join(dir, 'data') };
});
afterAll(() => {
  console.log(`RECORD\n  ${figures.join('\n  ')}`);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** What `send --json` printed, as tshark lists it: '0xa4' per command, '0x90 0x00' per response. */
function expectedColumns(exchanges: { command: string; sw: string }[]): string[] {
  return exchanges.flatMap((e) => [
    `0x${e.command.slice(2, 4).toLowerCase()}`,
    `0x${e.sw.slice(0, 2).toLowerCase()} 0x${e.sw.slice(2).toLowerCase()}`,
  ]);
}

interface DecodedExchange {
  command: string;
  response: string;
}

interface DecodedReport {
  exchanges: DecodedExchange[];
  atrs: { atr: string }[];
  devices: { id: string }[];
  pinOperations: { operation: string; apduTemplate: string; structure: unknown; answer: { response: string } | null }[];
}

/** `cardbench decode FILE --json`: the importer's reading of a recording. */
async function decodeExchanges(file: string): Promise<DecodedReport> {
  const run = await runCardbench(['decode', file, '--json'], env);
  expect(run.code, run.stderr).toBe(EXIT.ok);
  return JSON.parse(run.stdout) as DecodedReport;
}

/** The same exchanges as tshark sees the PDUs (direction 0 a command, 1 its answer; ATRs left out). */
function tsharkExchanges(file: string): DecodedExchange[] {
  const rows = tsharkFields(file, ['exported_pdu.exported_pdu', 'exported_pdu.p2p_dir'], 'iso7816 && !iso7816.atr');
  const out: DecodedExchange[] = [];
  for (const [pdu, dir] of rows) {
    if (dir === '0') out.push({ command: pdu!.toUpperCase(), response: '' });
    else out.at(-1)!.response = pdu!.toUpperCase();
  }
  return out;
}

const pairs = (list: readonly { command: string; response: string }[]): DecodedExchange[] =>
  list.map(({ command, response }) => ({ command, response }));

function holds(file: string, hex: string): boolean {
  return readFileSync(file).includes(Buffer.from(hex, 'hex'));
}

/** tshark reads the whole file without complaint (a file cut inside a packet makes it exit non-zero). */
function tsharkReadsWhole(file: string): { status: number | null; stderr: string; frames: number } {
  const run = spawnSync('tshark', ['-r', file], { encoding: 'utf8' });
  return {
    status: run.status,
    stderr: run.stderr.replace(/^Running as user "root".*\n/m, ''),
    frames: run.stdout.split('\n').filter(Boolean).length,
  };
}

describe.skipIf(skipReason)('cardbench --record on the built-in virtual reader', () => {
  it('send: tshark lists the same INS and status words as send printed, and shows the ATR and Select file', async () => {
    const file = join(dir, 'send.pcapng');
    const run = await runCardbench(
      ['send', '--json', '--reader', VIRTUAL, '--record', file, SELECT_OPENPGP, '00CA006E00', '00CA006500', '00B0000000'],
      env,
    );
    expect(run.code, run.stderr).toBe(EXIT.ok);
    const exchanges = JSON.parse(run.stdout) as { command: string; sw: string }[];
    expect(exchanges).toHaveLength(4);
    expect(tsharkApduColumns(file)).toEqual(expectedColumns(exchanges));
    const info = tsharkInfo(file);
    expect(info[0]).toMatch(/^ATR/);
    expect(info.slice(1, 3)).toEqual(['Select file', 'Response APDU (to Select file)']);
    expect(run.stderr).toMatch(new RegExp(`^Recorded 9 packets to ${file} \\(\\d+ bytes, PINs masked\\)\\.$`, 'm'));
    const comment = tsharkFields(file, ['frame.comment'], 'frame.number == 1')[0]![0]!;
    expect(comment).toMatch(/event: card connected\\natr: 3B/);
    // Round trip: decode reads back exactly the exchanges send printed.
    const decoded = await decodeExchanges(file);
    expect(pairs(decoded.exchanges)).toEqual(pairs(exchanges as unknown as DecodedExchange[]));
    expect(decoded.devices.map((d) => d.id)).toEqual([VIRTUAL]);
    expect(decoded.atrs).toHaveLength(1);
  });

  it('masked by default: no form of the PIN in the file; with --record-exact-pins every form is there', async () => {
    const masked = join(dir, 'masked.pcapng');
    const exact = join(dir, 'exact.pcapng');
    const apdus = [SELECT_OPENPGP, VERIFY_ASCII, VERIFY_BCD, VERIFY_FORMAT2];
    const a = await runCardbench(['send', '--reader', VIRTUAL, '--record', masked, ...apdus], env);
    const b = await runCardbench(['send', '--reader', VIRTUAL, '--record', exact, '--record-exact-pins', ...apdus], env);
    expect([a.code, b.code]).toEqual([EXIT.ok, EXIT.ok]);
    for (const [form, hex] of Object.entries(PIN_FORMS)) {
      expect(holds(masked, hex), `${form} in the masked file`).toBe(false);
      expect(holds(exact, hex), `${form} in the exact file`).toBe(true);
    }
    expect(tsharkFields(masked, ['iso7816.apdu.body'], 'iso7816.apdu.ins == 0x20').map((r) => r[0])).toEqual([
      '2a2a2a2a2a2a',
      '2a2a2a',
      '2a2a2a2a2a2a2a2a',
    ]);
    expect(readFileSync(masked).toString('latin1')).toContain('pins: masked');
    expect(readFileSync(exact).toString('latin1')).toContain('pins: exact');
    expect(b.stderr).toMatch(/PINs exact\)\.$/m);
  });

  it('pin verify --record on the built-in reader: the keypad entry is a Verify whose PIN block is masked', async () => {
    const file = join(dir, 'pin-virtual.pcapng');
    const run = await runCardbench(['pin', 'verify', '--reader', VIRTUAL, '--preset', 'openpgp-pw1', '--record', file], env, `${PIN}\n`);
    expect(run.code, run.stderr).toBe(EXIT.ok);
    const info = tsharkInfo(file);
    expect(info.filter((line) => line === 'Verify').length).toBeGreaterThanOrEqual(2);
    expect(tsharkApduColumns(file).slice(-2)).toEqual(['0x20', '0x90 0x00']);
    const comment = tsharkFields(file, ['frame.comment'], 'frame.comment contains "PIN entry"')[0]![0]!;
    expect(comment).toMatch(/request: CCID PC_to_RDR_Secure \(verify\)/);
    for (const hex of Object.values(PIN_FORMS)) expect(holds(file, hex)).toBe(false);
    // Round trip: the exchanges before the entry, then the entry as the report's PIN operation.
    const decoded = await decodeExchanges(file);
    const seen = tsharkExchanges(file);
    expect(pairs(decoded.exchanges)).toEqual(seen.slice(0, -1));
    expect(decoded.pinOperations).toEqual([
      expect.objectContaining({ operation: 'verify (CCID PC_to_RDR_Secure (verify))', apduTemplate: seen.at(-1)!.command }),
    ]);
  });

  it('an unwritable FILE: one sentence, exit 1, nothing sent and no file', async () => {
    const file = join(dir, 'no-such-folder', 'x.pcapng');
    const run = await runCardbench(['send', '--reader', VIRTUAL, '--record', file, SELECT_OPENPGP], env);
    expect(run.code).toBe(EXIT.failure);
    expect(run.stderr).toContain(`send: cannot write the recording to ${file}: its folder does not exist. Nothing was sent.`);
    expect(run.stdout).toBe('');
    expect(existsSync(file)).toBe(false);
    const usage = await runCardbench(['run', '--record-exact-pins', '-'], env, `${SELECT_OPENPGP}\n`);
    expect(usage.code).toBe(EXIT.usage);
    expect(usage.stderr).toContain('run: --record-exact-pins needs --record FILE.');
  });

  it.skipIf(!existsSync('/dev/full'))(
    'a file that fills up (/dev/full): the APDUs are still sent, a sentence says so, exit 1',
    async () => {
      const run = await runCardbench(['send', '--reader', VIRTUAL, '--record', '/dev/full', SELECT_OPENPGP, '00CA006E00'], env);
      expect(run.code).toBe(EXIT.failure);
      expect(run.stdout.match(/^< .*9000 {2}Success/gm)).toHaveLength(2);
      expect(run.stderr).toContain(
        'cardbench: send: the recording to /dev/full stopped early: writing failed (ENOSPC); it holds the 0 packets before that.',
      );
    },
  );

  it('SIGINT during a recorded run: exit 130 and a file tshark reads to its end, holding every step printed', async () => {
    const file = join(dir, 'interrupted.pcapng');
    const script = join(dir, 'long.apdu');
    writeFileSync(script, [`${SELECT_OPENPGP} => 9000`, ...Array.from({ length: 9_999 }, () => '00CA006E00 => 9000')].join('\n'));
    const run = startCardbench(['run', '--reader', VIRTUAL, '--record', file, script], env);
    await run.waitForOutput(/^ {2}ok: 9000\n(?:.*\n){30}/m);
    const end = await run.stop('SIGINT');
    expect(end.status).toBe(130);
    const printed = end.stdout.split('\n').filter((line) => line === '  ok: 9000').length;
    const read = tsharkReadsWhole(file);
    expect(read.status, read.stderr).toBe(0);
    expect(read.stderr).toBe('');
    const columns = tsharkApduColumns(file);
    const responses = columns.filter((c) => c === '0x90 0x00').length;
    // Every printed step is in the file; at most the step in flight has its command without an answer.
    expect(responses).toBeGreaterThanOrEqual(printed);
    expect(columns.length - 2 * responses).toBeLessThanOrEqual(1);
    expect(end.stderr).toMatch(/^Recorded \d+ packets to /m);
    figures.push(`SIGINT after ${printed} printed steps: ${read.frames} frames in the file, ${end.msAfterSignal.toFixed(0)} ms to exit`);
  });
});

describe.skipIf(skipReason)('cardbench --record on pcscd with vpcd and the virtual card', () => {
  const [SLOT] = VPCD_SLOTS;
  let rig: PcscdRig;
  let card: VirtualCardProcess;

  beforeAll(async () => {
    rig = await startPcscd([VPCD_READER]);
    card = startVirtualCard(['--vpcd', `127.0.0.1:${SLOT.port}`]);
    await waitForCardPresence(SLOT.reader, true);
  });
  afterAll(async () => {
    await card?.kill();
    await rig?.stop();
  });

  it('send and run: tshark lists what was sent; the interface says backend pcsc and the reader', async () => {
    const file = join(dir, 'vpcd.pcapng');
    const run = await runCardbench(
      ['send', '--no-virtual', '--json', '--reader', SLOT.reader, '--record', file, SELECT_OPENPGP, '00CA006E00', VERIFY_ASCII],
      env,
    );
    expect(run.code, run.stderr).toBe(EXIT.ok);
    const exchanges = JSON.parse(run.stdout) as { command: string; sw: string }[];
    expect(tsharkApduColumns(file)).toEqual(expectedColumns(exchanges));
    const text = readFileSync(file).toString('latin1');
    expect(text).toContain(`reader: ${SLOT.reader}\nbackend: pcsc\nprotocol: any\npins: masked`);
    expect(holds(file, PIN_FORMS.ascii)).toBe(false);

    const script = join(dir, 'vpcd.apdu');
    writeFileSync(script, `${SELECT_OPENPGP} => 9000\nreset\n${SELECT_OPENPGP} => 9000\n00CA004F00\n`);
    const scripted = join(dir, 'vpcd-run.pcapng');
    const ran = await runCardbench(['run', '--no-virtual', '--reader', SLOT.reader, '--record', scripted, script], env);
    expect(ran.code, ran.stderr).toBe(EXIT.ok);
    expect(tsharkInfo(scripted).filter((line) => line.startsWith('ATR'))).toHaveLength(2);
    expect(tsharkApduColumns(scripted)).toEqual(['0xa4', '0x90 0x00', '0xa4', '0x90 0x00', '0xca', expect.stringMatching(/^0x/)]);
    expect(tsharkFields(scripted, ['frame.comment'], 'iso7816.atr').map((r) => r[0])[1]).toMatch(/event: card reset/);
    // Round trip on PC/SC: decode's exchanges are send's, and the run's are what tshark sees.
    expect(pairs((await decodeExchanges(file)).exchanges)).toEqual(
      pairs(exchanges as unknown as DecodedExchange[]).map((e) => ({ ...e, command: e.command.replace(/\*\*/g, '2A') })),
    );
    const ranDecoded = await decodeExchanges(scripted);
    expect(pairs(ranDecoded.exchanges)).toEqual(tsharkExchanges(scripted));
    expect(ranDecoded.exchanges).toHaveLength(3);
    expect(ranDecoded.atrs).toHaveLength(2);
  });

  it('an unwritable FILE: the card receives nothing', async () => {
    const before = card.output();
    const run = await runCardbench(['send', '--no-virtual', '--reader', SLOT.reader, '--record', dir, SELECT_OPENPGP], env);
    expect(run.code).toBe(EXIT.failure);
    expect(run.stderr).toContain(`cannot write the recording to ${dir}: it is a directory. Nothing was sent.`);
    // pcscd may power the idle card down meanwhile: only exchanges count.
    const exchanges = (text: string) => text.split('\n').filter((line) => line !== '' && !/^power (on|off)$/.test(line));
    expect(exchanges(card.output())).toEqual(exchanges(before));
    // The card does log what reaches it: the same command without --record adds one exchange line.
    expect((await runCardbench(['send', '--no-virtual', '--reader', SLOT.reader, SELECT_OPENPGP], env)).code).toBe(EXIT.ok);
    expect(exchanges(card.output())).toHaveLength(exchanges(before).length + 1);
  });
});

describe.skipIf(skipReason)('cardbench pin verify --record on the libccid GemPC pinpad reader', () => {
  let rig: PinpadRig;

  beforeAll(async () => {
    rig = await startPinpadRig({ card: 't1', keypadScript: [PIN, PIN] });
    await waitFor(
      async () => (await runCardbench(['readers', '--json'], { ...env, CARDBENCH_NO_VIRTUAL: '1' })).stdout.includes(PINPAD_PCSC_NAME),
      20_000,
      () => `pinpad reader not listed:\n${rig.pcscd.log().slice(-2000)}`,
    );
  }, 60_000);
  afterAll(async () => {
    await rig?.stop();
  });

  it('the keypad entry (SCardControl VERIFY_PIN_DIRECT) is a Verify with its answer; the PIN is nowhere in the file', async () => {
    const file = join(dir, 'pin-gempc.pcapng');
    const started = Date.now();
    const run = await runCardbench(
      ['pin', 'verify', '--no-virtual', '--reader', PINPAD_PCSC_NAME, '--preset', 'openpgp-pw1', '--record', file],
      env,
    );
    expect(run.code, run.stderr).toBe(EXIT.ok);
    expect(run.stdout).toMatch(/Outcome: PIN verified \(SW 9000\)/);
    const info = tsharkInfo(file);
    expect(info[0]).toMatch(/^ATR/);
    expect(info).toContain('Select file');
    expect(info.slice(-2)).toEqual(['Verify', 'Response APDU (to Verify)']);
    expect(tsharkApduColumns(file).slice(-2)).toEqual(['0x20', '0x90 0x00']);
    const comment = tsharkFields(file, ['frame.comment'], 'frame.comment contains "PIN entry"')[0]![0]!;
    expect(comment).toMatch(/request: PC\/SC VERIFY_PIN_DIRECT \(control code 0x[0-9A-F]{8}\)/);
    expect(readFileSync(file).toString('latin1')).toContain(`reader: ${PINPAD_PCSC_NAME}\nbackend: pcsc`);
    for (const hex of Object.values(PIN_FORMS)) expect(holds(file, hex)).toBe(false);
    figures.push(`pin verify --record on the GemPC pinpad: ${info.length} frames, ${Date.now() - started} ms`);
    // Round trip on the pinpad reader: decode reads the exchanges tshark sees; the keypad entry (the last
    // command/answer pair) comes back as the report's PIN operation with its PC/SC structure.
    const decoded = await decodeExchanges(file);
    const seen = tsharkExchanges(file);
    expect(pairs(decoded.exchanges)).toEqual(seen.slice(0, -1));
    expect(decoded.pinOperations).toHaveLength(1);
    expect(decoded.pinOperations[0]).toMatchObject({
      operation: expect.stringMatching(/^verify \(PC\/SC VERIFY_PIN_DIRECT/),
      apduTemplate: seen.at(-1)!.command,
      answer: { response: '9000' },
    });
    expect(decoded.pinOperations[0]!.structure).not.toBeNull();
  });

  it('the software path: the PIN in the VERIFY is masked, and kept with --record-exact-pins', async () => {
    const masked = join(dir, 'soft-masked.pcapng');
    const exact = join(dir, 'soft-exact.pcapng');
    const args = ['pin', 'verify', '--no-virtual', '--software', '--reader', PINPAD_PCSC_NAME, '--preset', 'openpgp-pw1'];
    const a = await runCardbench([...args, '--record', masked], env, `${PIN}\n`);
    const b = await runCardbench([...args, '--record', exact, '--record-exact-pins'], env, `${PIN}\n`);
    expect([a.code, b.code], a.stderr + b.stderr).toEqual([EXIT.ok, EXIT.ok]);
    expect(holds(masked, PIN_FORMS.ascii)).toBe(false);
    expect(holds(exact, PIN_FORMS.ascii)).toBe(true);
    expect(tsharkApduColumns(masked).slice(-2)).toEqual(['0x20', '0x90 0x00']);
  });
});
