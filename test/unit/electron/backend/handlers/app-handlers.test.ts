import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createBackend, type Backend } from '../../../../../electron/backend/backend.js';
import { controllableProbes } from '../../../../support/fake-probes.js';

let dataDir: string;
let backend: Backend | undefined;

function start(chooseSavePath?: (s: { fileName: string; mimeType: string }) => Promise<string | null>): Backend {
  backend = createBackend({
    shell: chooseSavePath ? 'electron' : 'browser',
    electron: { available: false, reason: 'test' },
    probes: controllableProbes({ pcsc: { available: false, reason: 'no pcscd' }, usb: { available: false, reason: 'no USB' } }),
    readers: { dataDir },
    ...(chooseSavePath ? { chooseSavePath } : {}),
  });
  return backend;
}

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'cardbench-app-handlers-'));
});
afterEach(() => {
  backend?.dispose();
  backend = undefined;
  rmSync(dataDir, { recursive: true, force: true });
});

describe('app.preferences', () => {
  it('starts at the system theme, keeps a choice in settings.json beside the virtual reader setting', async () => {
    writeFileSync(join(dataDir, 'settings.json'), JSON.stringify({ version: 1, virtualReader: false }));
    const api = start();
    expect(await api.call('app.preferences', {})).toEqual({ ok: true, result: { theme: 'system' } });
    expect(await api.call('app.setPreferences', { theme: 'dark' })).toEqual({ ok: true, result: { theme: 'dark' } });
    expect(JSON.parse(readFileSync(join(dataDir, 'settings.json'), 'utf8'))).toEqual({ version: 1, virtualReader: false, theme: 'dark' });
    // A new backend (the app restarted) reads it back.
    backend!.dispose();
    expect(await start().call('app.preferences', {})).toEqual({ ok: true, result: { theme: 'dark' } });
  });

  it('refuses a theme it does not know, and reads an unknown stored one as the system theme', async () => {
    const api = start();
    const refused = await api.call('app.setPreferences', { theme: 'sepia' });
    expect(refused).toMatchObject({ ok: false, error: { code: 'invalid-arguments' } });
    writeFileSync(join(dataDir, 'settings.json'), JSON.stringify({ version: 1, virtualReader: true, theme: 'sepia' }));
    expect(await api.call('app.preferences', {})).toEqual({ ok: true, result: { theme: 'system' } });
  });
});

describe('app.saveFile', () => {
  it('writes the text where the native dialog says, and nothing when it was cancelled', async () => {
    const asked: { fileName: string; mimeType: string }[] = [];
    let answer: string | null = join(dataDir, 'out', 'report.json');
    mkdirSync(join(dataDir, 'out'));
    const api = start((suggestion) => {
      asked.push(suggestion);
      return Promise.resolve(answer);
    });
    const saved = await api.call('app.saveFile', {
      fileName: 'virtual-pinpad-report.json',
      mimeType: 'application/json',
      text: '{"ü":1}\n',
    });
    expect(saved).toEqual({ ok: true, result: { path: join(dataDir, 'out', 'report.json') } });
    expect(readFileSync(join(dataDir, 'out', 'report.json'), 'utf8')).toBe('{"ü":1}\n');
    expect(asked).toEqual([{ fileName: 'virtual-pinpad-report.json', mimeType: 'application/json' }]);

    answer = null;
    expect(await api.call('app.saveFile', { fileName: 'x.txt', mimeType: 'text/plain', text: 'x' })).toEqual({
      ok: true,
      result: { path: null },
    });
  });

  it('says which path could not be written and what to do', async () => {
    const api = start(() => Promise.resolve(join(dataDir, 'no-such-folder', 'report.txt')));
    const failed = await api.call('app.saveFile', { fileName: 'report.txt', mimeType: 'text/plain', text: 'x' });
    expect(failed).toMatchObject({ ok: false, error: { code: 'operation-failed' } });
    const message = (failed as { error: { message: string } }).error.message;
    expect(message).toContain(join(dataDir, 'no-such-folder', 'report.txt'));
    expect(message).toContain('ENOENT');
    expect(message).toContain('Choose another folder');
  });

  it('is unavailable in browser mode, where the browser downloads', async () => {
    const refused = await start().call('app.saveFile', { fileName: 'r.txt', mimeType: 'text/plain', text: 'x' });
    expect(refused).toMatchObject({ ok: false, error: { code: 'unavailable', message: expect.stringContaining('browser downloads') } });
  });
});
