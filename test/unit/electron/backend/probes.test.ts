import { describe, expect, it, vi } from 'vitest';
import { createBackend } from '../../../../electron/backend/backend.js';
import { electronStatusFor } from '../../../../electron/backend/electron-status.js';
import { describePcscFailure, pcscCodeFromMessage } from '../../../../electron/backend/pcsc/pcsc-errors.js';
import { probePcsc } from '../../../../electron/backend/pcsc/pcsc-probe.js';
import { probeUsb } from '../../../../electron/backend/usb/usb-probe.js';
import { controllableProbes } from '../../../support/fake-probes.js';

describe('PC/SC errors', () => {
  it('recovers the code from the binding message and names it with advice', () => {
    const message = 'SCardEstablishContext error: Service not available.(0x8010001d)';
    expect(pcscCodeFromMessage(message)).toBe(0x8010001d);
    expect(describePcscFailure(message)).toMatchObject({ name: 'SCARD_E_NO_SERVICE', advice: expect.stringContaining('pcscd') });
  });

  it('on a sharing violation says what is known, and names usual holders only as possibilities', () => {
    const { advice } = describePcscFailure('SCardConnect error: Sharing violation.(0x8010000b)');
    expect(advice).toMatch(/^Another program holds the card exclusively \(PC\/SC does not say which\): close it and retry\./);
    expect(advice).toMatch(/Programs that often do: GnuPG's scdaemon/);
    // The old advice blamed GnuPG and prescribed its direct-CCID switch, which has nothing to do with PC/SC sharing.
    expect(advice).not.toMatch(/disable-ccid|tell GnuPG/);
  });

  it('after pcscd is lost, says nothing only the app does ("reconnects by itself")', () => {
    const { advice } = describePcscFailure('SCardTransmit error: RPC transport error.(0x80100013)');
    expect(advice).toBe('Lost contact with the PC/SC service (pcscd stopped or crashed): once it runs again, retry.');
  });

  it('keeps unknown codes visible', () => {
    expect(describePcscFailure('weird (0x80100099)')).toMatchObject({ name: 'PC/SC error (0x80100099)', code: 0x80100099 });
    expect(describePcscFailure('no code at all').name).toBe('PC/SC error');
  });
});

describe('probePcsc', () => {
  it('reports "not running" with advice when establishing a context fails', () => {
    const status = probePcsc(() => {
      throw new Error('SCardEstablishContext error: Service not available.(0x8010001d)');
    });
    expect(status).toMatchObject({ available: false, reason: expect.stringMatching(/^PC\/SC service not running: start pcscd/) });
  });

  it('reports available and closes the context it opened', () => {
    let closed = 0;
    const status = probePcsc(() => ({ on: () => undefined, close: () => void closed++ }));
    expect(status).toEqual({ available: true });
    expect(closed).toBe(1);
  });
});

describe('probeUsb', () => {
  const ok = () => ({ ok: true as const, module: { getDeviceList: () => [] } });

  it('says so when there is no USB bus, without loading the module', () => {
    let loaded = false;
    const status = probeUsb({ platform: 'linux', hasUsbBus: () => false, loadUsb: () => ((loaded = true), ok()) });
    expect(status).toMatchObject({ available: false, reason: expect.stringContaining('USB access unavailable') });
    expect(loaded).toBe(false);
  });

  it('reports a module that fails to load or to list', () => {
    expect(
      probeUsb({ platform: 'linux', hasUsbBus: () => true, loadUsb: () => ({ ok: false, error: 'libudev.so.1: cannot open' }) }),
    ).toMatchObject({
      available: false,
      detail: 'libudev.so.1: cannot open',
    });
    const throwing = () => ({
      ok: true as const,
      module: {
        getDeviceList: (): unknown[] => {
          throw new Error('LIBUSB_ERROR_ACCESS');
        },
      },
    });
    expect(probeUsb({ platform: 'linux', hasUsbBus: () => true, loadUsb: throwing })).toMatchObject({
      available: false,
      detail: 'LIBUSB_ERROR_ACCESS',
    });
    expect(probeUsb({ platform: 'darwin', hasUsbBus: () => false, loadUsb: ok })).toEqual({ available: true });
  });

  it('matches this machine: reports a reason or availability, never throws', () => {
    const status = probeUsb();
    expect(typeof status.available).toBe('boolean');
    if (!status.available) expect(status.reason).toMatch(/^USB access unavailable/);
  });
});

describe('backend', () => {
  it('answers app.info with the shell, version and every backend', async () => {
    const backend = createBackend({
      shell: 'browser',
      electron: electronStatusFor('browser', 'no binary'),
      probes: controllableProbes({ pcsc: { available: true }, usb: { available: false, reason: 'x' } }),
    });
    const envelope = await backend.call('app.info', {});
    expect(envelope).toMatchObject({
      ok: true,
      result: {
        name: 'Cardbench',
        shell: 'browser',
        backends: { pcsc: { available: true }, usb: { available: false }, electron: { available: false, detail: 'no binary' } },
      },
    });
    backend.dispose();
  });

  it('emits backendsChanged only when availability really changes', () => {
    // The poll's clock is the test's: each advance runs exactly the polls that fall in it.
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    try {
      const probes = controllableProbes({ pcsc: { available: false, reason: 'down' }, usb: { available: true } });
      const backend = createBackend({ shell: 'cli', electron: electronStatusFor('cli'), probes, statusPollMs: 10 });
      const events: unknown[] = [];
      const off = backend.subscribe((e) => events.push(e));
      vi.advanceTimersByTime(40);
      expect(events).toEqual([]);
      probes.setPcsc({ available: true });
      vi.advanceTimersByTime(9);
      expect(events).toEqual([]);
      vi.advanceTimersByTime(1);
      expect(events).toEqual([{ event: 'app.backendsChanged', payload: expect.objectContaining({ pcsc: { available: true } }) }]);
      vi.advanceTimersByTime(40);
      expect(events).toHaveLength(1);
      off();
      backend.dispose();
    } finally {
      vi.useRealTimers();
    }
  });
});
