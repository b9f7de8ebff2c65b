/**
 * pcsc-spy logs recorded live (issue 11, Proof): opensc-tool and scriptor run under pcsc-lite's spy
 * library against our virtual card on a real pcscd + vpcd, and `cardbench decode` reads each log as
 * a trace whose APDUs are exactly those the card received (its own log) and the clients printed.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeTraceBytes, type TraceReport } from '#core/trace/index.js';
import { runCardbench } from '../rigs/cli-process.js';
import { pcscSpyUnavailableReason, startPcscSpy, type PcscSpy } from '../rigs/pcsc-spy-rig.js';
import { VPCD_READER, pcscdRigUnavailableReason, startPcscd, type PcscdRig } from '../rigs/pcscd-rig.js';
import { VPCD_SLOTS, startVirtualCard, waitForCardPresence, type VirtualCardProcess } from '../rigs/virtual-card-rig.js';
import { apduSeenInTrace, apdusSeenByCard } from '../unit/core/trace/apdu-trace-files.js';

const missingTool = ['opensc-tool', 'scriptor'].find((tool) => spawnSync('which', [tool]).status !== 0);
const skipReason =
  pcscdRigUnavailableReason() ??
  pcscSpyUnavailableReason() ??
  (missingTool ? `${missingTool} is not installed (apt-get install opensc pcsc-tools)` : undefined);
if (skipReason) {
  if (process.env.CI === 'true') throw new Error(`integration rig unavailable under CI: ${skipReason}`);
  console.warn(`[skip] pcsc-spy import: ${skipReason}`);
}

const [SLOT] = VPCD_SLOTS;
const PIN = '313233343536';
const SCRIPT = ['00A4040006D2760001240100', '00CA004F00', `0020008106${PIN}`, '00B0000010'];

describe.skipIf(skipReason)('pcsc-spy logs of opensc-tool and scriptor, read back', () => {
  let pcscd: PcscdRig | undefined;
  let card: VirtualCardProcess | undefined;
  let spy: PcscSpy | undefined;
  const scratch = mkdtempSync(join(tmpdir(), 'cardbench-spy-import-'));
  const logs: { opensc?: Uint8Array; scriptor?: Uint8Array; openscOut?: string; scriptorOut?: string } = {};

  beforeAll(async () => {
    pcscd = await startPcscd([VPCD_READER]);
    card = startVirtualCard(['--vpcd', `127.0.0.1:${SLOT.port}`, '--protocol', 't1']);
    await card.waitForOutput(/Virtual card inserted into vpcd/);
    await waitForCardPresence(SLOT.reader, true);
    spy = startPcscSpy();
    const opensc = await spy.run('opensc-tool', [
      '-v',
      '-r',
      SLOT.reader,
      '-s',
      '00:A4:04:00:09:A0:00:00:03:08:00:00:10:00:00',
      '-s',
      '00:CB:3F:FF:03:5C:01:7E:00',
    ]);
    expect(opensc.status, opensc.stderr).toBe(0);
    logs.opensc = opensc.log;
    logs.openscOut = opensc.stdout;
    const script = join(scratch, 'script');
    writeFileSync(script, `${SCRIPT.join('\n')}\n`);
    const scriptor = await spy.run('scriptor', ['-r', SLOT.reader, script]);
    expect(scriptor.status, scriptor.stderr).toBe(0);
    logs.scriptor = scriptor.log;
    logs.scriptorOut = scriptor.stdout;
  }, 60_000);

  afterAll(async () => {
    spy?.dispose();
    await card?.interrupt();
    await pcscd?.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('imports every APDU the card received, in order, with its status word, on the reader named at SCardConnect', () => {
    const opensc = decodeTraceBytes(logs.opensc!, { file: 'opensc.pcsc-spy' });
    const scriptor = decodeTraceBytes(logs.scriptor!, { file: 'scriptor.pcsc-spy' });
    const seen = apdusSeenByCard(card!.output());
    const imported = [...opensc.exchanges, ...scriptor.exchanges];
    expect(imported.length).toBeGreaterThanOrEqual(SCRIPT.length + 2);
    // The card never logs a PIN: compare a VERIFY by its header and SW (scriptor's check below has its bytes).
    const shown = imported
      .map((e) => apduSeenInTrace(e.command, e.sw))
      .map((a) => (a.header.slice(2, 4) === '20' ? { ...a, data: '' } : a));
    expect(shown).toEqual(seen);
    for (const report of [opensc, scriptor]) {
      expect(report.format).toBe('pcsc-spy');
      expect(report.complete).toBe(true);
      expect(report.exchanges.every((e) => e.device === SLOT.reader && e.durationMs > 0)).toBe(true);
    }
    // scriptor's exchanges are exactly its script, answered as it printed them.
    expect(scriptor.exchanges.map((e) => e.command)).toEqual(SCRIPT);
    // scriptor prints `< RESPONSE : meaning`, the response wrapped over lines of 16 bytes.
    const printed = [...logs.scriptorOut!.matchAll(/^< ([0-9A-F \n]+?) : /gm)].map((m) => m[1]!.replace(/[ \n]/g, ''));
    expect(scriptor.exchanges.map((e) => e.response)).toEqual(printed);
  });

  it('keeps the ATR opensc-tool saw and the two APDUs it was given with -s', () => {
    const opensc: TraceReport = decodeTraceBytes(logs.opensc!);
    expect(opensc.atrs.map((a) => a.atr)).toContain('3B8A8131FE458031C073F4014082900024');
    const sent = [...logs.openscOut!.matchAll(/^Sending: ((?:[0-9A-F]{2} )+)/gm)].map((m) => m[1]!.replace(/ /g, ''));
    expect(sent).toEqual(['00A4040009A0000003080000100000', '00CB3FFF035C017E00']);
    const commands = opensc.exchanges.map((e) => e.command);
    for (const command of sent) expect(commands).toContain(command);
  });

  it('cardbench decode --json --redact-pins reads the log and masks the VERIFY PIN', async () => {
    const file = join(scratch, 'scriptor.pcsc-spy');
    writeFileSync(file, logs.scriptor!);
    const run = await runCardbench(['decode', file, '--json', '--redact-pins']);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as TraceReport;
    expect(report.format).toBe('pcsc-spy');
    expect(report.exchanges.map((e) => e.command.slice(0, 10))).toEqual(SCRIPT.map((c) => c.slice(0, 10)));
    expect(run.stdout).not.toContain(PIN);
    expect(Buffer.from(logs.scriptor!).toString()).toContain(PIN.replace(/(..)/g, '$1 ').trim());
  });
});
