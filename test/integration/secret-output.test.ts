/**
 * The secret table on the Console/CLI paths, end to end: `cardbench send` and `cardbench run`
 * (text and JSON) against a real pcscd with vpcd and our virtual card, and the virtual card's
 * own exchange log. Commands beyond VERIFY — OpenPGP's resetting code and key import, YubiKey
 * PIV's management key and key import, DISABLE VERIFICATION REQUIREMENT — must show their
 * header and length, never their data, whatever the card answers.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// About PC/SC: the CLI processes started here leave the built-in virtual reader out.
process.env.CARDBENCH_NO_VIRTUAL = '1';
import { VPCD_READER, pcscdRigUnavailableReason, startPcscd, type PcscdRig } from '../rigs/pcscd-rig.js';
import { VPCD_SLOTS, startVirtualCard, waitForCardPresence, type VirtualCardProcess } from '../rigs/virtual-card-rig.js';
import { runCardbench } from '../rigs/cli-process.js';

const skipReason = pcscdRigUnavailableReason();
if (skipReason) {
  if (process.env.CI === 'true') throw new Error(`integration rig unavailable under CI: ${skipReason}`);
  console.warn(`[skip] integration: ${skipReason}`);
}

const [T1_SLOT] = VPCD_SLOTS;
const SELECT_OPENPGP = '00A4040006D27600012401';
const SECRET = '3132333435363738';
const KEY = 'C0FFEE31C0FFEE32C0FFEE33C0FFEE34C0FFEE35C0FFEE36';
/** Each with the text its data must be shown as. */
const COMMANDS: [string, string][] = [
  [`00DA00D308${SECRET}`, `00DA00D308${'**'.repeat(8)}`],
  [`00DB3FFF0A4D08B6007F48${SECRET.slice(0, 8)}`, `00DB3FFF0A${'**'.repeat(10)}`],
  [`00FFFFFF1B039B18${KEY}`, `00FFFFFF1B${'**'.repeat(27)}`],
  [`00FE079A1A0618${KEY}`, `00FE079A1A${'**'.repeat(26)}`],
  [`0026008108${SECRET}`, `0026008108${'**'.repeat(8)}`],
];

function leaks(text: string): string[] {
  const compact = text.replace(/\s+/g, '').toUpperCase();
  return [SECRET, KEY, SECRET.slice(0, 8)].filter((s) => compact.includes(s));
}

describe.skipIf(skipReason)('secret command data on the Console/CLI paths (pcscd + vpcd + virtual card)', () => {
  let rig: PcscdRig;
  let card: VirtualCardProcess;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cardbench-secret-'));
    rig = await startPcscd([VPCD_READER]);
    card = startVirtualCard(['--vpcd', `127.0.0.1:${T1_SLOT.port}`, '--protocol', 't1']);
    await card.waitForOutput(/Virtual card inserted/);
    await waitForCardPresence(T1_SLOT.reader, true);
  }, 60_000);

  afterAll(async () => {
    await card?.kill();
    await rig?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('`cardbench send` (text and --json) shows header and length of every secret command, never its data', async () => {
    const apdus = [SELECT_OPENPGP, ...COMMANDS.map(([apdu]) => apdu)];
    const text = await runCardbench(['send', '--reader', T1_SLOT.reader, ...apdus]);
    expect(text.code).toBe(0);
    for (const [, shown] of COMMANDS) expect(text.stdout).toContain(`> ${shown}`);
    expect(leaks(text.stdout + text.stderr)).toEqual([]);

    const json = await runCardbench(['send', '--reader', T1_SLOT.reader, '--json', ...apdus]);
    expect(json.code).toBe(0);
    const exchanges = JSON.parse(json.stdout) as { command: string }[];
    expect(exchanges.map((e) => e.command)).toEqual([SELECT_OPENPGP, ...COMMANDS.map(([, shown]) => shown)]);
    expect(leaks(json.stdout + json.stderr)).toEqual([]);
  }, 60_000);

  it('`cardbench run` prints each step masked, in text and JSON, and so does the virtual card log', async () => {
    const script = join(dir, 'secrets.apdu');
    writeFileSync(script, [SELECT_OPENPGP, ...COMMANDS.map(([apdu]) => apdu)].join('\n') + '\n');
    for (const args of [[], ['--json']]) {
      const run = await runCardbench(['run', '--reader', T1_SLOT.reader, ...args, script]);
      expect(run.code, run.stderr).toBe(0);
      expect(leaks(run.stdout + run.stderr)).toEqual([]);
      expect(run.stdout).toContain(COMMANDS[0]![1]);
    }
    // The card process logs each exchange it answered: header and name, the data as a length.
    await card.waitForOutput(/00DA00D3 .*8 byte\(s\) hidden: PIN/);
    expect(leaks(card.output())).toEqual([]);
  }, 60_000);
});
