import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pinpadChannels } from '#core/ipc/channels/pinpad.js';
import { dispatch } from '#core/ipc/dispatch.js';
import { createPinpadHandlers } from '../../../../../electron/backend/handlers/pinpad-handlers.js';
import { ReaderHub } from '../../../../../electron/backend/readers/reader-hub.js';

const context = { shell: 'cli' as const, emit: () => undefined, onDispose: () => undefined };

describe('pinpad handlers', () => {
  it('serve every Pinpad channel of the contract, with real answers', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cardbench-pinpad-handlers-'));
    try {
      const handlers = createPinpadHandlers(context, { hub: () => new ReaderHub([]), dataDir: () => dataDir });
      expect(Object.keys(handlers).sort()).toEqual(Object.keys(pinpadChannels).sort());
      const presets = await dispatch(handlers, 'pinpad.presets', {});
      expect(presets.ok && Array.isArray(presets.result) ? presets.result.length : 0).toBeGreaterThan(8);
      expect(await dispatch(handlers, 'pinpad.profiles', {})).toEqual({ ok: true, result: [] });
      // No on-screen keypad behind this backend: a key press is not accepted, and says nothing else.
      expect(await dispatch(handlers, 'pinpad.keypadInput', { requestId: 'x', action: 'ok' })).toEqual({
        ok: true,
        result: { requestId: 'x', accepted: false, digitsEntered: 0 },
      });
      const unknown = await dispatch(handlers, 'pinpad.run', {
        reader: 'nope',
        preset: 'openpgp-pw1',
        operation: 'verify',
        select: true,
        confirmLastTry: false,
      });
      expect(unknown).toMatchObject({
        ok: false,
        error: { code: 'operation-failed', message: 'No reader named "nope": no reader is listed.' },
      });
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('profiles say plainly when the data directory cannot hold them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cardbench-pinpad-handlers-'));
    const file = join(dir, 'not-a-directory');
    writeFileSync(file, '');
    try {
      const handlers = createPinpadHandlers(context, { hub: () => new ReaderHub([]), dataDir: () => file });
      const saved = await dispatch(handlers, 'pinpad.saveProfile', {
        profile: { name: 'p', reader: 'r', preset: 'openpgp-pw1', operation: 'verify', settings: {}, select: true },
      });
      expect(saved).toMatchObject({
        ok: false,
        error: { code: 'operation-failed', message: expect.stringMatching(/could not be saved to .*pinpad-profiles.json/) },
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
