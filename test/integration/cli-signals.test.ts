/**
 * Ctrl-C and SIGTERM on the real `cardbench` process: (a) `run` of a 10,000-step script on the
 * built-in virtual reader stops between steps, having printed every completed step as whole
 * lines, says at which line it stopped, and exits 130; (b) against a real pcscd whose vpcd card
 * stops answering, `send` and `run` blocked in SCardTransmit, and `readers` / `inspect` blocked
 * behind that transmit inside pcscd, all end within a second, say what was not done, and end
 * with shell status 130. Readiness is always the programs' own output, never a sleep.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VPCD_READER, pcscdRigUnavailableReason, startPcscd, waitFor, type PcscdRig } from '../rigs/pcscd-rig.js';
import { startCardbench, type CardbenchEnd } from '../rigs/cli-process.js';
import { VPCD_SLOTS, startVirtualCard, waitForCardPresence, type VirtualCardProcess } from '../rigs/virtual-card-rig.js';

const skipReason = pcscdRigUnavailableReason();
if (skipReason) {
  if (process.env.CI === 'true') throw new Error(`integration rig unavailable under CI: ${skipReason}`);
  console.warn(`[skip] cli signals: ${skipReason}`);
}

const VIRTUAL = 'Cardbench Virtual Pinpad';
const SELECT_FILE = '00A4000C022F01';
const READ_600 = '00B00000000258';
const SELECT_OPENPGP = '00A4040006D27600012401';
const STEPS = 10_000;
/** The promise: stopped within a second of the signal. */
const ONE_SECOND = 1000;

/** Time from signal to end, per case, printed at the end for the report. */
const measured: string[] = [];
function record(label: string, end: CardbenchEnd): void {
  measured.push(`${label}: ${end.msAfterSignal.toFixed(0)} ms to exit, status ${end.status}`);
}

let dir: string;
let env: NodeJS.ProcessEnv;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cardbench-signals-'));
  env = { CARDBENCH_DATA_DIR: join(dir, 'data') };
  // A 600-byte read per step: long enough that the run is still going when the first lines appear.
  writeFileSync(
    join(dir, 'long.apdu'),
    [`${SELECT_FILE} => 9000`, ...Array.from({ length: STEPS - 1 }, () => `${READ_600} => 9000`)].join('\n'),
  );
});

afterAll(() => {
  console.log(`SIGNAL-TO-EXIT\n  ${measured.join('\n  ')}`);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(skipReason)('cardbench run on the built-in virtual reader, stopped by a signal', () => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`${signal}: stops between steps within a second, every printed step whole, "stopped at line N of M", exit 130`, async () => {
      const run = startCardbench(['run', '--reader', VIRTUAL, join(dir, 'long.apdu')], env);
      // Steps are printed as they complete: the first ones show long before the run could end.
      await run.waitForOutput(/^ {2}ok: 9000\n(?:.*\n){6}/m);
      const end = await run.stop(signal);
      record(`run on the virtual reader, ${signal}`, end);

      expect(end.code).toBe(130);
      expect(end.msAfterSignal).toBeLessThan(ONE_SECOND);
      const stop = /^cardbench: run: stopped by (SIG\w+) at line (\d+) of (\d+): that step was not run, nor the (\d+) after it\.$/m.exec(
        end.stderr,
      );
      expect(stop, end.stderr).not.toBeNull();
      const [, by, line, of, after] = stop!;
      expect(by).toBe(signal);
      expect(Number(of)).toBe(STEPS);
      expect(Number(line)).toBeLessThan(STEPS);
      expect(Number(after)).toBe(STEPS - Number(line));

      // Whole lines only, each one a complete exchange line, and exactly the steps before line N.
      expect(end.stdout.endsWith('\n')).toBe(true);
      const lines = end.stdout.slice(0, -1).split('\n');
      const verdict = lines.pop()!;
      expect(verdict).toBe(
        `STOPPED: ${Number(line) - 1} passed, 0 failed, 0 sent without assertion; ${STEPS - Number(line) + 1} step(s) not done.`,
      );
      const shapes = [/^> [0-9A-F]+$/, /^< (?:[0-9A-F]{1200} )?9000 {2}Success \([\d.]+ ms\)$/, /^ {2}ok: 9000$/];
      lines.forEach((text, index) => expect(text, `stdout line ${index + 1}`).toMatch(shapes[index % 3]!));
      expect(lines.length).toBe(3 * (Number(line) - 1));
    });
  }
});

describe.skipIf(skipReason)('cardbench blocked in a PC/SC call to a card that stopped answering, stopped by SIGINT', () => {
  const [MUTE_SLOT, SPARE_SLOT] = VPCD_SLOTS;
  let rig: PcscdRig;
  let muteCard: VirtualCardProcess;
  let spareCard: VirtualCardProcess;

  beforeAll(async () => {
    rig = await startPcscd([VPCD_READER]);
    // Answers the first APDU of each run below, then receives without answering: SCardTransmit blocks in pcscd.
    muteCard = startVirtualCard(['--vpcd', `127.0.0.1:${MUTE_SLOT.port}`, '--mute-after', '1']);
    spareCard = startVirtualCard(['--vpcd', `127.0.0.1:${SPARE_SLOT.port}`]);
    await waitForCardPresence(MUTE_SLOT.reader, true);
    await waitForCardPresence(SPARE_SLOT.reader, true);
  });

  afterAll(async () => {
    await muteCard?.kill();
    await spareCard?.kill();
    await rig?.stop();
  });

  it('send: the second APDU gets no answer; SIGINT ends it within a second and says what was not sent', async () => {
    const mutedBefore = countMuted(muteCard.output());
    const send = startCardbench(['send', '--no-virtual', '--reader', MUTE_SLOT.reader, SELECT_OPENPGP, '00CA006E00', '00CA006500'], env);
    await send.waitForOutput(/^< 9000 {2}Success/m);
    // Blocked: the card has received the second APDU and will not answer it.
    await waitFor(
      () => countMuted(muteCard.output()) > mutedBefore,
      20_000,
      () => `the card never received the second APDU:\n${muteCard.output()}`,
    );
    await send.waitForOutput(/still waiting for the card in "Virtual PCD 00 00" to answer/, { stream: 'stderr' });

    // A second process, while the first holds pcscd's reader in the driver: its own calls block inside pcscd.
    const readers = startCardbench(['readers', '--no-virtual'], env);
    await readers.waitForOutput(/still waiting for "Virtual PCD 00 00" to answer SCardControl/, { stream: 'stderr' });
    const inspect = startCardbench(['inspect', '--no-virtual', MUTE_SLOT.reader], env);
    await inspect.waitForOutput(/still waiting for "Virtual PCD 00 00" to answer SCardControl/, { stream: 'stderr' });

    const readersEnd = await readers.stop('SIGINT');
    record('readers blocked behind the mute card inside pcscd, SIGINT', readersEnd);
    expect(readersEnd.status).toBe(130);
    expect(readersEnd.msAfterSignal).toBeLessThan(ONE_SECOND);
    expect(readersEnd.stderr).toMatch(
      /readers: stopped by SIGINT while asking "Virtual PCD 00 00" for its features; 2 reader\(s\) not listed\./,
    );

    const inspectEnd = await inspect.stop('SIGINT');
    record('inspect blocked behind the mute card inside pcscd, SIGINT', inspectEnd);
    expect(inspectEnd.status).toBe(130);
    expect(inspectEnd.msAfterSignal).toBeLessThan(ONE_SECOND);
    expect(inspectEnd.stderr).toMatch(
      /inspect: stopped by SIGINT while asking "Virtual PCD 00 00" for its capabilities; nothing was printed\./,
    );

    const sendEnd = await send.stop('SIGINT');
    record('send blocked in SCardTransmit (mute card), SIGINT', sendEnd);
    expect(sendEnd.status).toBe(130);
    expect(sendEnd.msAfterSignal).toBeLessThan(ONE_SECOND);
    expect(sendEnd.stderr).toMatch(/send: stopped by SIGINT: APDU 2 of 3 was sent and got no answer; the 1 after it was not sent\./);
    expect(sendEnd.stdout).toBe(`Reader: ${MUTE_SLOT.reader}\n> ${SELECT_OPENPGP}\n${sendEnd.stdout.split('\n')[2]}\n`);
  });

  it('run: stopped while a step waits for its answer, it names the line and the steps not run', async () => {
    // The card is still mute from the test before; a new card answers one APDU, then goes mute again.
    await muteCard.kill();
    await waitForCardPresence(MUTE_SLOT.reader, false);
    muteCard = startVirtualCard(['--vpcd', `127.0.0.1:${MUTE_SLOT.port}`, '--mute-after', '1']);
    await waitForCardPresence(MUTE_SLOT.reader, true);
    const script = join(dir, 'mute.apdu');
    writeFileSync(script, `# select, then two reads\n${SELECT_OPENPGP} => 9000\n00CA006E00 => 9000\n\n00CA006500 => 9000\n`);
    const run = startCardbench(['run', '--no-virtual', '--reader', MUTE_SLOT.reader, script], env);
    await run.waitForOutput(/^ {2}ok: 9000$/m);
    await muteCard.waitForOutput(/mute: received 00CA006E/);
    const end = await run.stop('SIGINT');
    record('run blocked in SCardTransmit (mute card), SIGINT', end);
    expect(end.status).toBe(130);
    expect(end.msAfterSignal).toBeLessThan(ONE_SECOND);
    expect(end.stderr).toMatch(
      /run: stopped by SIGINT at line 3 of 5: its step was sent and got no answer; 1 later step\(s\) were not run\./,
    );
    expect(end.stdout.split('\n').at(-2)).toBe('STOPPED: 1 passed, 0 failed, 0 sent without assertion; 2 step(s) not done.');
  });

  it('SIGTERM while blocked: the same stop and message; the process ends by the default action of SIGINT (shell status 130), as the README says', async () => {
    await muteCard.kill();
    await waitForCardPresence(MUTE_SLOT.reader, false);
    muteCard = startVirtualCard(['--vpcd', `127.0.0.1:${MUTE_SLOT.port}`, '--mute-after', '0']);
    await waitForCardPresence(MUTE_SLOT.reader, true);
    const send = startCardbench(['send', '--no-virtual', '--reader', MUTE_SLOT.reader, SELECT_OPENPGP], env);
    await muteCard.waitForOutput(/mute: received 00A40400/);
    const end = await send.stop('SIGTERM');
    record('send blocked in SCardTransmit (mute card), SIGTERM', end);
    expect(end.msAfterSignal).toBeLessThan(ONE_SECOND);
    expect(end.stderr).toMatch(/send: stopped by SIGTERM: APDU 1 of 1 was sent and got no answer\./);
    // process.exit() would wait for the blocked thread-pool call: SIGINT's default action ends it, status 130 like Ctrl-C.
    expect([end.code, end.signal, end.status]).toEqual([null, 'SIGINT', 130]);
  });
});

function countMuted(output: string): number {
  return output.match(/mute: received/g)?.length ?? 0;
}
