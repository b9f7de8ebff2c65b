/**
 * The backend against a real pcscd (in a private namespace) with the real vpcd driver: the
 * status the user sees must follow pcscd being absent, started, killed and restarted, and the
 * reader names must match what an independent client (opensc-tool) sees.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { createBackend, defaultProbes, type Backend, type BackendEvent } from '../../electron/backend/backend.js';
import { electronStatusFor } from '../../electron/backend/electron-status.js';
import { listPcscReaders, loadPcscLite } from '../../electron/backend/pcsc/pcsc-probe.js';
import { VPCD_READER, pcscdRigUnavailableReason, startPcscd, waitFor, type PcscdRig } from '../rigs/pcscd-rig.js';

const skipReason = pcscdRigUnavailableReason();
if (skipReason) {
  if (process.env.CI === 'true') throw new Error(`integration rig unavailable under CI: ${skipReason}`);
  console.warn(`[skip] integration: ${skipReason}`);
}

describe.skipIf(skipReason)('PC/SC availability on a real pcscd', () => {
  let backend: Backend;
  let rig: PcscdRig | undefined;
  const events: BackendEvent[] = [];

  afterAll(async () => {
    backend?.dispose();
    await rig?.stop();
  });

  it('loads the real pcsclite binding', () => {
    expect(loadPcscLite().ok).toBe(true);
  });

  it('says "PC/SC service not running" with advice while no pcscd runs', async () => {
    backend = createBackend({ shell: 'cli', electron: electronStatusFor('cli'), probes: defaultProbes(), statusPollMs: 100 });
    backend.subscribe((event) => events.push(event));
    const envelope = await backend.call('app.info', {});
    expect(envelope).toMatchObject({
      ok: true,
      result: { backends: { pcsc: { available: false, reason: expect.stringContaining('PC/SC service not running') } } },
    });
    expect(JSON.stringify(envelope)).toContain('pcscd');
  });

  it('notices pcscd starting, without being asked', async () => {
    rig = await startPcscd([VPCD_READER]);
    await waitFor(
      () => events.some((e) => e.event === 'app.backendsChanged' && e.payload.pcsc.available),
      10_000,
      () => `no availability event; pcscd log:\n${rig?.log()}`,
    );
    expect(backend.info().backends.pcsc).toEqual({ available: true });
  });

  it('lists the vpcd readers, as opensc-tool does', async () => {
    const factory = loadPcscLite();
    if (!factory.ok) throw new Error('pcsclite did not load');
    let names: string[] = [];
    await waitFor(
      async () => (names = await listPcscReaders(factory.factory)).length >= 2,
      10_000,
      () => `readers: ${JSON.stringify(names)}`,
    );
    expect(names).toEqual(['Virtual PCD 00 00', 'Virtual PCD 00 01']);
    const opensc = spawnSync('opensc-tool', ['--list-readers'], { encoding: 'utf8' });
    for (const name of names) expect(opensc.stdout).toContain(name);
  });

  it('reports pcscd killed mid-session, then recovers when it is back', async () => {
    events.length = 0;
    await rig!.kill();
    await waitFor(
      () => events.some((e) => e.event === 'app.backendsChanged' && !e.payload.pcsc.available),
      10_000,
      () => 'no unavailability event after SIGKILL',
    );
    // While pcscd dies its socket can answer oddly for a moment; the status must settle on the truth.
    await waitFor(
      () => backend.info().backends.pcsc.reason?.includes('PC/SC service not running') === true,
      10_000,
      () => `status did not settle: ${JSON.stringify(backend.info().backends.pcsc)}`,
    );

    rig = await startPcscd([VPCD_READER]);
    await waitFor(
      () => backend.info().backends.pcsc.available,
      10_000,
      () => 'backend did not recover after restart',
    );
  });
});
