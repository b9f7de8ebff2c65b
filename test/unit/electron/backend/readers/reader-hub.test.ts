import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '#core/bytes/hex.js';
import { ReaderHub, type HubSnapshot } from '../../../../../electron/backend/readers/reader-hub.js';
import { FakeReaderBackend } from './fake-reader-backend.js';

function twoBackends() {
  const pcsc = new FakeReaderBackend('pcsc');
  pcsc.list = [
    { name: 'ACME Reader 00 00', cardPresent: true, atr: '3B00' },
    { name: 'ACME Reader 01 00', cardPresent: false, atr: null },
  ];
  const virtual = new FakeReaderBackend('virtual');
  virtual.list = [{ name: 'Cardbench Virtual Reader', cardPresent: true, atr: '3B01' }];
  return { pcsc, virtual, hub: new ReaderHub([pcsc, virtual]) };
}

describe('ReaderHub', () => {
  it('lists every backend with its status and every reader under a backend-qualified id', () => {
    const { hub, pcsc } = twoBackends();
    pcsc.status = () => ({ available: false, reason: 'PC/SC service not running' });
    const snapshot = hub.snapshot();
    expect(snapshot.backends).toEqual([
      { kind: 'pcsc', status: { available: false, reason: 'PC/SC service not running' } },
      { kind: 'virtual', status: { available: true } },
    ]);
    expect(snapshot.readers.map((r) => r.id)).toEqual([
      'pcsc:ACME Reader 00 00',
      'pcsc:ACME Reader 01 00',
      'virtual:Cardbench Virtual Reader',
    ]);
  });

  it('routes by id, exact name or a unique part of a name, to the right backend', async () => {
    const { hub, pcsc, virtual } = twoBackends();
    virtual.answers.set('00A40400', '9000');
    expect(toHex((await hub.transmit('virtual:Cardbench Virtual Reader', fromHex('00A40400'))).response)).toBe('9000');
    await hub.transmit('ACME Reader 00 00', fromHex('00B00000'));
    await hub.transmit('virtual reader', fromHex('00B00000'));
    expect(virtual.sent).toEqual(['Cardbench Virtual Reader:00A40400', 'Cardbench Virtual Reader:00B00000']);
    expect(pcsc.sent).toEqual(['ACME Reader 00 00:00B00000']);
  });

  it('refuses an ambiguous or unknown name, listing the readers there are', () => {
    const { hub } = twoBackends();
    expect(() => hub.resolve('acme')).toThrow(/matches 2 readers/);
    expect(() => hub.resolve('Nope')).toThrow(/No reader named "Nope"/);
    try {
      hub.resolve('Nope');
    } catch (error) {
      expect((error as { detail: string }).detail).toContain('ACME Reader 00 00');
    }
  });

  it('tells listeners about each distinct change once', () => {
    const { hub, pcsc } = twoBackends();
    const seen: HubSnapshot[] = [];
    hub.onChange((s) => seen.push(s));
    pcsc.set([{ name: 'ACME Reader 00 00', cardPresent: false, atr: null }]);
    pcsc.set([{ name: 'ACME Reader 00 00', cardPresent: false, atr: null }]);
    expect(seen).toHaveLength(1);
    expect(seen[0]!.readers[0]).toMatchObject({ id: 'pcsc:ACME Reader 00 00', cardPresent: false });
  });

  it('has no control channel where a backend has none, and disposes every backend', async () => {
    const { hub, pcsc, virtual } = twoBackends();
    (virtual as { control?: unknown }).control = undefined;
    await expect(hub.control('virtual:Cardbench Virtual Reader', 1, new Uint8Array())).rejects.toThrow(/no control channel/);
    await hub.dispose();
    expect([pcsc.disposed, virtual.disposed]).toEqual([true, true]);
  });
});
