import { describe, expect, it } from 'vitest';
import { pinpadChannels } from '../../../../../core/ipc/channels/pinpad.js';
import { dispatch } from '../../../../../core/ipc/dispatch.js';
import { createPinpadHandlers } from '../../../../../electron/backend/handlers/pinpad-handlers.js';

describe('pinpad placeholder handlers', () => {
  it('until the pinpad service exists, every channel answers "unavailable" with a sentence', async () => {
    const handlers = createPinpadHandlers();
    expect(Object.keys(handlers).sort()).toEqual(Object.keys(pinpadChannels).sort());
    const envelope = await dispatch(handlers, 'pinpad.presets', {});
    expect(envelope).toEqual({ ok: false, error: { code: 'unavailable', message: 'Pinpad backend not built yet' } });
  });
});
