/**
 * `cardbench replay` against a card that keeps its state between runs: our virtual card plugged
 * into vpcd on a private pcscd. A session is recorded from what `cardbench send` sent and got
 * (written as a USB capture, the form `decode` reads), replayed on the same card (exit 0), then
 * the card's PIN try counter is changed by a wrong VERIFY and the replay reports exactly that
 * (the retry counter query and the PW status bytes of GET DATA 6E), exit 1.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCardbench } from '../rigs/cli-process.js';
import { VPCD_READER, pcscdRigUnavailableReason, startPcscd, type PcscdRig } from '../rigs/pcscd-rig.js';
import { VPCD_SLOTS, startVirtualCard, waitForCardPresence, type VirtualCardProcess } from '../rigs/virtual-card-rig.js';
import { apduUsbTrace, type HexExchange } from '../support/apdu-usb-trace.js';

const skipReason = pcscdRigUnavailableReason();
if (skipReason) {
  if (process.env.CI === 'true') throw new Error(`integration rig unavailable under CI: ${skipReason}`);
  console.warn(`[skip] cli replay: ${skipReason}`);
}

const [SLOT] = VPCD_SLOTS;
const SELECT_OPENPGP = '00A4040006D27600012401';
const VERIFY_QUERY = '00200081';
const VERIFY_WRONG = `0020008106${'30'.repeat(6)}`;
const GET_DATA_6E = '00CA006E00';
/** The trace written here holds no real exchange times: compare answers only. */
const NO_TIMING = ['--timing-threshold', 'off'];

describe.skipIf(skipReason)('cardbench replay on a vpcd card whose state changes', () => {
  let rig: PcscdRig;
  let card: VirtualCardProcess;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let trace: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cardbench-replay-rig-'));
    // The built-in virtual reader stays out: the trace's one conversation goes to the vpcd reader named.
    env = { CARDBENCH_DATA_DIR: join(dir, 'data'), CARDBENCH_NO_VIRTUAL: '1' };
    rig = await startPcscd([VPCD_READER]);
    card = startVirtualCard(['--vpcd', `127.0.0.1:${SLOT!.port}`, '--protocol', 't1']);
    await waitForCardPresence(SLOT!.reader, true);
    const commands = [SELECT_OPENPGP, VERIFY_QUERY, GET_DATA_6E];
    const sent = await runCardbench(['send', '--json', '--reader', SLOT!.reader, ...commands], env);
    expect(sent.code, sent.stderr).toBe(0);
    const answers = JSON.parse(sent.stdout) as { response: string }[];
    const recorded: HexExchange[] = commands.map((command, i) => ({ command, response: answers[i]!.response }));
    expect(recorded[1]!.response).toBe('63C3');
    trace = join(dir, 'session.pcapng');
    writeFileSync(trace, apduUsbTrace(recorded));
  });

  afterAll(async () => {
    await card?.kill();
    await rig?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('the same card in the same state: every answer the same, exit 0', async () => {
    const run = await runCardbench(['replay', trace, '--reader', SLOT!.reader, ...NO_TIMING], env);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain(`Conversation 1 (1.4 slot 0) replayed on ${SLOT!.reader}.`);
    expect(run.stdout).toContain('Summary: 3 same, 0 with another answer (0 status word, 0 data), 0 only in A, 0 only in B, 0 timing.');
  });

  it('after a wrong PIN: the retry counter and the PW status bytes differ, exit 1', async () => {
    const wrong = await runCardbench(['send', '--reader', SLOT!.reader, SELECT_OPENPGP, VERIFY_WRONG], env);
    expect(wrong.stdout).toContain('63C2');
    const run = await runCardbench(['replay', trace, '--reader', SLOT!.reader, ...NO_TIMING], env);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('! A#2 B#2  VERIFY  00200081   [status word differs]');
    expect(run.stdout).toContain('-     63C3  PIN not verified yet: 3 tries left');
    expect(run.stdout).toContain('+     63C2  PIN not verified yet: 2 tries left');
    expect(run.stdout).toMatch(/^! A#3 B#3 {2}GET DATA {2}00CA006E00 {3}\[data differs\]\n-.*7F7F7F03.*\n\+.*7F7F7F02/m);
    expect(run.stdout).toContain('Summary: 1 same, 2 with another answer (1 status word, 1 data), 0 only in A, 0 only in B, 0 timing.');
  });
});
