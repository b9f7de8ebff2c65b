/**
 * The PC/SC backend and the `readers`/`send` commands against a real pcscd with the real vpcd
 * driver and our virtual card (T=1 in reader 00 00, T=0 in 00 01), cross-checked with opensc-tool.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPcscLite } from '../../electron/backend/pcsc/pcsc-probe.js';
import { PcscService } from '../../electron/backend/pcsc/pcsc-service.js';
import { VPCD_READER, pcscdRigUnavailableReason, startPcscd, waitFor, type PcscdRig } from '../rigs/pcscd-rig.js';
import { VPCD_SLOTS, openscAtr, startVirtualCard, type VirtualCardProcess } from '../rigs/virtual-card-rig.js';
import { runCardbench } from '../rigs/cli-process.js';

const skipReason = pcscdRigUnavailableReason();
if (skipReason) {
  if (process.env.CI === 'true') throw new Error(`integration rig unavailable under CI: ${skipReason}`);
  console.warn(`[skip] integration: ${skipReason}`);
}

const [T1_SLOT, T0_SLOT] = VPCD_SLOTS;
const SELECT_OPENPGP = '00A4040006D27600012401';

const cli = runCardbench;

describe.skipIf(skipReason)('PC/SC backend on pcscd + vpcd + the virtual card', () => {
  let rig: PcscdRig;
  let service: PcscService;
  let t1Card: VirtualCardProcess;
  let t0Card: VirtualCardProcess;

  beforeAll(async () => {
    rig = await startPcscd([VPCD_READER]);
    t1Card = startVirtualCard(['--vpcd', `127.0.0.1:${T1_SLOT.port}`, '--protocol', 't1']);
    t0Card = startVirtualCard(['--vpcd', `127.0.0.1:${T0_SLOT.port}`, '--protocol', 't0']);
    const factory = loadPcscLite();
    if (!factory.ok) throw new Error('pcsclite did not load');
    service = new PcscService(factory.factory, 200);
    await waitFor(
      () => service.snapshot().readers.filter((r) => r.cardPresent).length === 2,
      15_000,
      () => `cards not seen: ${JSON.stringify(service.snapshot())}\n${t1Card.output()}`,
    );
  });

  afterAll(async () => {
    await service?.dispose();
    await t1Card?.interrupt();
    await t0Card?.interrupt();
    await rig?.stop();
  });

  it('lists both readers with the ATRs opensc-tool reads', async () => {
    const readers = service.snapshot().readers;
    expect(readers.map((r) => r.name).sort()).toEqual([T1_SLOT.reader, T0_SLOT.reader]);
    for (const reader of readers) expect(reader.atr).toBe(await openscAtr(reader.name));
  });

  it('transmits on T=1, including an extended APDU with a 600-byte answer', async () => {
    expect((await service.transmit(T1_SLOT.reader, Buffer.from(SELECT_OPENPGP, 'hex'))).protocol).toBe('T=1');
    const select = await service.transmit(T1_SLOT.reader, Buffer.from('00A4000C022F01', 'hex'));
    expect(Buffer.from(select.response).toString('hex')).toBe('9000');
    const read = await service.transmit(T1_SLOT.reader, Buffer.from('00B00000000258', 'hex'));
    expect(read.response.length).toBe(600 + 2);
    expect(Buffer.from(read.response.subarray(-2)).toString('hex')).toBe('9000');
  });

  it('sends exactly what was typed on T=0: 61xx is returned, not followed', async () => {
    const result = await service.transmit(T0_SLOT.reader, Buffer.from('00A4000002' + '2F01', 'hex'));
    expect(result.protocol).toBe('T=0');
    expect(result.response[0]).toBe(0x61);
  });

  it('`cardbench readers --json` reports the same readers', async () => {
    const { code, stdout } = await cli(['readers', '--json', '--no-virtual']);
    expect(code).toBe(0);
    const listed = JSON.parse(stdout) as { name: string; backend: string; cardPresent: boolean; atr: string; features: string[] }[];
    expect(listed.map((r) => r.name).sort()).toEqual([T1_SLOT.reader, T0_SLOT.reader]);
    for (const reader of listed) {
      expect(reader).toMatchObject({ backend: 'pcsc', cardPresent: true, features: [] });
      expect(reader.atr).toBe(service.snapshot().readers.find((r) => r.name === reader.name)?.atr);
    }
  });

  it('`cardbench readers --json` lists the built-in virtual reader beside the PC/SC ones unless --no-virtual', async () => {
    const { code, stdout } = await cli(['readers', '--json']);
    expect(code).toBe(0);
    const listed = JSON.parse(stdout) as { name: string; backend: string; cardPresent: boolean; features: string[] }[];
    expect(listed.filter((r) => r.backend === 'pcsc')).toHaveLength(2);
    expect(listed.find((r) => r.backend === 'virtual')).toMatchObject({
      name: 'Cardbench Virtual Pinpad',
      cardPresent: true,
      features: ['VERIFY_PIN_DIRECT', 'MODIFY_PIN_DIRECT'],
    });
  });

  it('`cardbench send --json` answers with SW meanings and never prints the PIN', async () => {
    const { code, stdout, stderr } = await cli([
      'send',
      '--reader',
      T1_SLOT.reader,
      '--json',
      SELECT_OPENPGP,
      '00200081063132333435FF',
      '0020008106313233343536',
    ]);
    expect(code).toBe(0);
    const exchanges = JSON.parse(stdout) as { command: string; sw: string; meaning: string; ms: number }[];
    expect(exchanges.map((e) => e.sw)).toEqual(['9000', '63C2', '9000']);
    expect(exchanges[1]!.meaning).toMatch(/2 (tries|attempts)/);
    expect(exchanges[2]!.command).toBe('0020008106************');
    expect(stdout + stderr).not.toContain('313233343536');
    expect(exchanges[0]!.ms).toBeGreaterThan(0);
  });

  it('says clearly when the card is pulled, and reconnects when it is back', async () => {
    await t0Card.kill();
    await waitFor(
      () => service.snapshot().readers.find((r) => r.name === T0_SLOT.reader)?.cardPresent === false,
      10_000,
      () => 'card still present',
    );
    await expect(service.transmit(T0_SLOT.reader, Buffer.from(SELECT_OPENPGP, 'hex'))).rejects.toMatchObject({
      code: 'operation-failed',
      message: expect.stringMatching(/SCARD_(E_NO_SMARTCARD|W_REMOVED_CARD)/),
    });
    t0Card = startVirtualCard(['--vpcd', `127.0.0.1:${T0_SLOT.port}`, '--protocol', 't0']);
    await waitFor(
      () => service.snapshot().readers.find((r) => r.name === T0_SLOT.reader)?.cardPresent === true,
      15_000,
      () => 'card not back',
    );
    const again = await service.transmit(T0_SLOT.reader, Buffer.from(SELECT_OPENPGP, 'hex'));
    expect(Buffer.from(again.response).toString('hex')).toBe('9000');
  });

  it('survives pcscd being killed and restarted', async () => {
    await rig.kill();
    await waitFor(
      () => !service.snapshot().service.running,
      10_000,
      () => 'service still reported running',
    );
    expect(service.snapshot().readers).toEqual([]);
    await expect(service.transmit(T1_SLOT.reader, Buffer.from(SELECT_OPENPGP, 'hex'))).rejects.toMatchObject({ code: 'unavailable' });
    rig = await startPcscd([VPCD_READER]);
    await waitFor(
      () => service.snapshot().readers.filter((r) => r.cardPresent).length === 2,
      20_000,
      () => `not recovered: ${JSON.stringify(service.snapshot())}`,
    );
    const again = await service.transmit(T1_SLOT.reader, Buffer.from(SELECT_OPENPGP, 'hex'));
    expect(Buffer.from(again.response).toString('hex')).toBe('9000');
  });
});
