/**
 * One recording covers the whole app: started through the contract (browser mode), it holds what
 * the Console sends, a script run and a Pinpad keypad run on the built-in virtual reader (its
 * on-screen keypad answered through pinpad.keypadInput, as the renderer does), read back by the
 * importer (decodeTraceBytes): the exchanges in order and the keypad entry as a PIN operation.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeTraceBytes } from '#core/trace/index.js';
import { createBackend, type Backend } from '../../../../../electron/backend/backend.js';
import { createVirtualReaderBackend } from '../../../../../electron/backend/virtual-reader/virtual-reader-backend.js';
import { controllableProbes } from '../../../../support/fake-probes.js';
import { inProcessApi } from '../../../../support/in-process-api.js';

const READER = 'virtual:Cardbench Virtual Pinpad';
let backend: Backend;
let dataDir: string;

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'cardbench-app-recording-'));
  backend = createBackend({
    shell: 'browser',
    electron: { available: false, reason: 'test' },
    probes: controllableProbes({ pcsc: { available: false, reason: 'test' }, usb: { available: false, reason: 'no USB' } }),
    readers: { backends: ({ keypad }) => [createVirtualReaderBackend(keypad ? { keypad } : {})], dataDir },
  });
});
afterEach(() => {
  backend.dispose();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('a recording started from the app', () => {
  it('holds the Console, a script and a Pinpad keypad run on the same reader', async () => {
    const api = inProcessApi(backend);
    const off = api.on('pinpad.keypadRequest', (request) => {
      void api.invoke('pinpad.keypadInput', { requestId: request.requestId, action: 'ok', digits: '123456' });
    });
    await api.invoke('record.start', { pins: 'masked', fileName: 'app.pcapng' });
    await api.invoke('card.transmit', { reader: READER, apdu: '00A4040006D27600012401' });
    const script = await api.invoke('console.runScript', { reader: READER, script: '00CA006E00\n00A4000C022F01 => 9000\n' });
    expect(script.ok).toBe(true);
    const pin = await api.invoke('pinpad.run', {
      reader: READER,
      preset: 'openpgp-pw1',
      operation: 'verify',
      select: true,
      confirmLastTry: false,
    });
    expect(pin.outcome?.kind).toBe('accepted');
    const stopped = await api.invoke('record.stop', {});
    off();

    const report = decodeTraceBytes(Buffer.from(stopped.download!.base64, 'base64'));
    const commands = report.exchanges.map((e) => e.command);
    expect(commands.slice(0, 3)).toEqual(['00A4040006D27600012401', '00CA006E00', '00A4000C022F01']);
    // The Pinpad's own exchanges (its SELECT, the retry counter) follow, then the keypad entry.
    expect(commands).toContain('00200081');
    expect(report.pinOperations).toHaveLength(1);
    expect(report.pinOperations[0]).toMatchObject({ operation: expect.stringMatching(/^verify \(CCID PC_to_RDR_Secure/) });
    expect(report.pinOperations[0]!.answer).toMatchObject({ response: '9000' });
    expect(stopped.state.packets).toBe(1 + 2 * report.exchanges.length + 2);
  });
});
