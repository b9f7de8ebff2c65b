/**
 * The PC/SC adapter with the real pcsclite binding and no pcscd (the unit tier has none): it must
 * say "not running" with the advice, list nothing and refuse to transmit with a clear error.
 * The same adapter on a real pcscd is in test/integration/readers-console*.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { loadPcscLite } from '../../../../../electron/backend/pcsc/pcsc-probe.js';
import { waitFor } from '../../../../rigs/pcscd-rig.js';
import { createPcscReaderBackend, UnavailableReaderBackend } from '../../../../../electron/backend/readers/pcsc-reader-backend.js';

const binding = loadPcscLite();
const pcscdRunning = process.env.CARDBENCH_IN_RIG_NAMESPACE === '1';
if (!binding.ok) console.warn(`[skip] pcsclite binding: ${binding.status.reason}`);

describe.skipIf(!binding.ok || pcscdRunning)('PcscReaderBackend on the real binding, without pcscd', () => {
  it('reports PC/SC not running, lists no reader and refuses to transmit with the reason', async () => {
    const backend = createPcscReaderBackend(50);
    try {
      await waitFor(
        () => backend.status().available === false,
        5000,
        () => JSON.stringify(backend.status()),
      );
      expect(backend.kind).toBe('pcsc');
      expect(backend.status().reason).toMatch(/PC\/SC service not running: start pcscd/);
      expect(backend.readers()).toEqual([]);
      await expect(backend.transmit('Any Reader', Uint8Array.of(0, 0xa4, 4, 0))).rejects.toMatchObject({ code: 'unavailable' });
    } finally {
      await backend.dispose();
    }
  });
});

describe('UnavailableReaderBackend', () => {
  it('carries the reason the binding could not load', async () => {
    const backend = new UnavailableReaderBackend('pcsc', { available: false, reason: 'No pcsclite build for this platform.' });
    expect(backend.readers()).toEqual([]);
    await expect(backend.transmit()).rejects.toThrow('No pcsclite build for this platform.');
  });
});
