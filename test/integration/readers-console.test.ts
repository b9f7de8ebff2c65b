/**
 * Readers and Console through the contract (backend → reader hub → PC/SC adapter) against a real
 * pcscd with the real vpcd driver and our virtual card (T=1 in reader 00 00, T=0 in 00 01),
 * plus the `inspect` and `run` commands as a user runs them.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReaderList } from '#core/ipc/channels/readers.js';
import type { Api } from '#core/ipc/contract.js';
import { createBackend, type Backend } from '../../electron/backend/backend.js';
import { createPcscReaderBackend } from '../../electron/backend/readers/pcsc-reader-backend.js';

// These tests are about PC/SC: the CLI processes they start leave the built-in virtual reader out.
process.env.CARDBENCH_NO_VIRTUAL = '1';
import { VPCD_READER, pcscdRigUnavailableReason, startPcscd, waitFor, type PcscdRig } from '../rigs/pcscd-rig.js';
import { VPCD_SLOTS, openscAtr, startVirtualCard, type VirtualCardProcess } from '../rigs/virtual-card-rig.js';
import { inProcessApi } from '../support/in-process-api.js';
import { runCardbench } from '../rigs/cli-process.js';

const skipReason = pcscdRigUnavailableReason();
if (skipReason) {
  if (process.env.CI === 'true') throw new Error(`integration rig unavailable under CI: ${skipReason}`);
  console.warn(`[skip] integration: ${skipReason}`);
}

const [T1_SLOT, T0_SLOT] = VPCD_SLOTS;
const T1 = `pcsc:${T1_SLOT.reader}`;
const T0 = `pcsc:${T0_SLOT.reader}`;
const SELECT_OPENPGP = '00A4040006D27600012401';
/** SELECT of an ISO file with its FCI: under T=0 the FCI waits behind 61xx. */
const SELECT_FILE_FCI = '00A40000022F01';
const PIN = '313233343536';

const cli = runCardbench;

describe.skipIf(skipReason)('Readers and Console on pcscd + vpcd + the virtual card', () => {
  let rig: PcscdRig;
  let t1Card: VirtualCardProcess;
  let t0Card: VirtualCardProcess;
  let backend: Backend;
  let api: Api;
  let dataDir: string;
  const events: ReaderList[] = [];
  const present = (list: ReaderList | undefined, id: string) => list?.readers.find((r) => r.id === id)?.cardPresent;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'cardbench-data-'));
    rig = await startPcscd([VPCD_READER]);
    t1Card = startVirtualCard(['--vpcd', `127.0.0.1:${T1_SLOT.port}`, '--protocol', 't1']);
    t0Card = startVirtualCard(['--vpcd', `127.0.0.1:${T0_SLOT.port}`, '--protocol', 't0']);
    backend = createBackend({
      shell: 'cli',
      electron: { available: false, reason: 'test' },
      readers: { dataDir, backends: () => [createPcscReaderBackend()] },
    });
    api = inProcessApi(backend);
    api.on('readers.changed', (list) => events.push(list));
    await waitFor(
      async () => (await api.invoke('readers.list', {})).readers.filter((r) => r.cardPresent).length === 2,
      15_000,
      () => `cards not seen\n${t1Card.output()}\n${t0Card.output()}`,
    );
  });

  afterAll(async () => {
    backend?.dispose();
    await t1Card?.interrupt();
    await t0Card?.interrupt();
    await rig?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('lists both readers with ids, card state and the ATR opensc-tool reads', async () => {
    const list = await api.invoke('readers.list', {});
    expect(list.backends).toEqual([{ kind: 'pcsc', status: { available: true } }]);
    expect(list.readers.map((r) => r.id).sort()).toEqual([T1, T0]);
    for (const reader of list.readers) {
      expect(reader).toMatchObject({ backend: 'pcsc', cardPresent: true });
      expect(reader.atr).toBe(await openscAtr(reader.name));
    }
  });

  it('transmits on T=1 with the answer decoded: SW meaning, BER-TLV tree, timing', async () => {
    const select = await api.invoke('card.transmit', { reader: T1, apdu: SELECT_OPENPGP });
    expect(select.protocol).toBe('T=1');
    expect(select.exchanges).toHaveLength(1);
    const data = await api.invoke('card.transmit', { reader: T1, apdu: '00 ca 00 6e 00' });
    const [exchange] = data.exchanges;
    expect(exchange).toMatchObject({ sw: '9000', meaning: 'Success', automatic: false, commandName: 'GET DATA' });
    expect(exchange!.tlv?.[0]?.label).toMatch(/^6E/);
    expect(exchange!.ms).toBeGreaterThan(0);
  });

  it('sends an extended APDU on T=1 whose 600-byte answer needs T=1 chaining', async () => {
    await api.invoke('card.transmit', { reader: T1, apdu: '00A4000C022F01' });
    const read = await api.invoke('card.transmit', { reader: T1, apdu: '00B00000000258' });
    expect(read.exchanges[0]!.data.length).toBe(600 * 2);
    expect(read.exchanges[0]!.sw).toBe('9000');
  });

  it('on T=0 sends exactly what was typed; with followUps shows each GET RESPONSE / re-send as automatic', async () => {
    const plain = await api.invoke('card.transmit', { reader: T0, apdu: SELECT_FILE_FCI });
    expect(plain.protocol).toBe('T=0');
    expect(plain.exchanges).toHaveLength(1);
    expect(plain.exchanges[0]!.sw).toMatch(/^61/);

    const followed = await api.invoke('card.transmit', { reader: T0, apdu: SELECT_FILE_FCI, followUps: true });
    expect(followed.exchanges.map((e) => e.automatic)).toEqual([false, true]);
    expect(followed.exchanges[1]!.command).toMatch(/^00C00000/);
    expect(followed.exchanges[1]!.sw).toBe('9000');

    await api.invoke('card.transmit', { reader: T0, apdu: SELECT_OPENPGP });
    const wrongLe = await api.invoke('card.transmit', { reader: T0, apdu: '00CA006E00', followUps: true });
    expect(wrongLe.exchanges[0]!.sw).toMatch(/^6C/);
    expect(wrongLe.exchanges[1]).toMatchObject({ automatic: true, sw: '9000' });
    expect(wrongLe.exchanges[1]!.command).toBe(`00CA006E${wrongLe.exchanges[0]!.sw.slice(2)}`);
  });

  it('keeps history with PIN bytes masked (also in the file on disk), searchable and clearable', async () => {
    // Earlier answers (a 600-byte file of counting bytes) hold 31..36 too: start from an empty history.
    await api.invoke('console.clearHistory', {});
    await api.invoke('card.transmit', { reader: T1, apdu: SELECT_OPENPGP });
    const verify = await api.invoke('card.transmit', { reader: T1, apdu: `0020008106${PIN}` });
    expect(verify.exchanges[0]!.command).toBe('0020008106************');
    const onDisk = readFileSync(join(dataDir, 'console.json'), 'utf8');
    expect(onDisk).toContain('0020008106************');
    expect(onDisk).not.toContain(PIN);
    const found = await api.invoke('console.history', { query: '00 20 00 81' });
    expect(found[0]).toMatchObject({ command: '0020008106************', sw: '9000' });
    const exported = await api.invoke('console.exportSession', {});
    expect(exported.text).toContain('00 20 00 81 06 ** ** ** ** ** **');
    expect(exported.json + exported.text).not.toContain(PIN);
    await api.invoke('console.clearHistory', {});
    expect(await api.invoke('console.history', {})).toEqual([]);
  });

  it('runs a script with per-step results and assertions', async () => {
    const result = await api.invoke('console.runScript', {
      reader: T1,
      script: `# OpenPGP\nreset\n${SELECT_OPENPGP} # expect 9000\n00 CA 00 6E 00 => 9000\n00CA00FF00 => 9000\n`,
    });
    expect(result.steps.map((s) => s.outcome)).toEqual(['reset', 'passed', 'passed', 'failed']);
    expect(result.steps[3]!.message).toMatch(/expected 9000, got 6A88/);
    expect(result.ok).toBe(false);
  });

  it('`cardbench run --json` exits 0 when every assertion holds and 1 when one fails', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cardbench-script-'));
    try {
      writeFileSync(join(dir, 'good.apdu'), `${SELECT_OPENPGP} => 9000\n0020008106${PIN} => 9000\n`);
      writeFileSync(join(dir, 'bad.apdu'), `${SELECT_OPENPGP}\n00CA00FF00 => 9000\n`);
      const good = await cli(['run', '--reader', T1_SLOT.reader, '--json', join(dir, 'good.apdu')]);
      expect(good.code).toBe(0);
      const steps = JSON.parse(good.stdout) as { command: string; sw: string; outcome: string }[];
      expect(steps.map((s) => s.outcome)).toEqual(['passed', 'passed']);
      expect(good.stdout + good.stderr).not.toContain(PIN);
      const bad = await cli(['run', '--reader', T1_SLOT.reader, join(dir, 'bad.apdu')]);
      expect(bad.code).toBe(1);
      expect(bad.stdout).toMatch(/bad\.apdu:2: FAILED: expected 9000, got 6A88/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('`cardbench inspect --json` decodes the ATR and says the driver has no part 10 features', async () => {
    const { code, stdout } = await cli(['inspect', T0_SLOT.reader, '--json']);
    expect(code).toBe(0);
    const inspection = JSON.parse(stdout) as {
      backend: string;
      features: object;
      atr: { hex: string; protocols: string[] };
      notes: string[];
      card: { source: string | null };
    };
    expect(inspection.backend).toBe('pcsc');
    expect(inspection.features).toEqual({});
    expect(inspection.atr.hex).toBe(await openscAtr(T0_SLOT.reader));
    expect(inspection.atr.protocols).toContain('T=0');
    expect(inspection.notes.join(' ')).toMatch(/GET_FEATURE_REQUEST failed: .*SCARD_/);
    expect(inspection.card.source).toBe('/usr/share/pcsc/smartcard_list.txt');
  });

  it('reports card removal and insertion as readers.changed events', async () => {
    events.length = 0;
    await t0Card.kill();
    await waitFor(
      () => events.some((e) => present(e, T0) === false),
      10_000,
      () => `no removal event: ${JSON.stringify(events)}`,
    );
    await expect(api.invoke('card.transmit', { reader: T0, apdu: SELECT_OPENPGP })).rejects.toMatchObject({
      message: expect.stringMatching(/SCARD_\w+ \(0x8010\w+\)\. .+/),
    });
    t0Card = startVirtualCard(['--vpcd', `127.0.0.1:${T0_SLOT.port}`, '--protocol', 't0']);
    await waitFor(
      () => events.some((e) => present(e, T0) === true),
      15_000,
      () => `no insertion event: ${JSON.stringify(events)}`,
    );
    expect((await api.invoke('card.transmit', { reader: T0, apdu: SELECT_FILE_FCI })).exchanges[0]!.sw).toMatch(/^61/);
  });

  it('survives the card being removed in the middle of a transmit', async () => {
    await api.invoke('card.transmit', { reader: T1, apdu: '00A4000C022F01' });
    const inFlight = api.invoke('card.transmit', { reader: T1, apdu: '00B00000000258' }).then(
      (outcome) => ({ ok: true as const, outcome }),
      (error: Error) => ({ ok: false as const, error }),
    );
    await t1Card.kill();
    const settled = await inFlight;
    await waitFor(
      async () => present(await api.invoke('readers.list', {}), T1) === false,
      10_000,
      () => 'card still listed',
    );
    t1Card = startVirtualCard(['--vpcd', `127.0.0.1:${T1_SLOT.port}`, '--protocol', 't1']);
    // Three honest endings: the read finished first; PC/SC failed it (name, code, advice); or vpcd
    // handed back an empty answer, which the console shows as having no status word.
    if (!settled.ok) expect(settled.error.message).toMatch(/SCARD_\w+ \(0x8010\w+\)/);
    else if (settled.outcome.exchanges[0]!.sw === '') expect(settled.outcome.exchanges[0]!.meaning).toMatch(/No status word/);
    else expect(settled.outcome.exchanges[0]!.sw).toBe('9000');
    await waitFor(
      async () => present(await api.invoke('readers.list', {}), T1) === true,
      15_000,
      () => 'card not back',
    );
    expect((await api.invoke('card.transmit', { reader: T1, apdu: SELECT_OPENPGP })).exchanges[0]!.sw).toBe('9000');
  });

  it('says PC/SC is not running when pcscd is killed mid-session, and carries on when it is back', async () => {
    events.length = 0;
    await rig.kill();
    // The first word from the binding is "RPC transport error"; the retry then finds no service at all.
    await waitFor(
      () => events.some((e) => /PC\/SC service not running/.test(e.backends[0]!.status.reason ?? '')),
      10_000,
      () => `no 'not running' event: ${JSON.stringify(events.map((e) => e.backends))}`,
    );
    const down = await api.invoke('readers.list', {});
    expect(down.readers).toEqual([]);
    await expect(api.invoke('card.transmit', { reader: T1, apdu: SELECT_OPENPGP })).rejects.toMatchObject({
      message: expect.stringMatching(/No reader named|not running/),
    });
    rig = await startPcscd([VPCD_READER]);
    await waitFor(
      async () => (await api.invoke('readers.list', {})).readers.filter((r) => r.cardPresent).length === 2,
      20_000,
      () => `cards not back after pcscd restart: ${JSON.stringify(events.at(-1))}`,
    );
    expect((await api.invoke('card.transmit', { reader: T1, apdu: SELECT_OPENPGP })).exchanges[0]!.sw).toBe('9000');
  });
});
