import { describe, expect, it } from 'vitest';
import { dispatch, type Handlers } from '#core/ipc/dispatch.js';
import { CardbenchError } from '#core/ipc/errors.js';
import { unwrap } from '#core/ipc/envelope.js';
import type { AppInfo } from '#core/ipc/app-info.js';

const info: AppInfo = {
  name: 'Cardbench',
  version: '1.2.3',
  shell: 'cli',
  platform: 'linux',
  backends: {
    pcsc: { available: true },
    usb: { available: false, reason: 'no USB' },
    electron: { available: false, reason: 'CLI' },
  },
};

const handlers: Partial<Handlers> = { 'app.info': () => info };

describe('dispatch', () => {
  it('answers a valid call with the handler result', async () => {
    expect(await dispatch(handlers, 'app.info', {})).toEqual({ ok: true, result: info });
  });

  it('treats missing arguments as the empty object', async () => {
    expect((await dispatch(handlers, 'app.info', undefined)).ok).toBe(true);
  });

  it('answers not-implemented for a contract channel this backend does not serve', async () => {
    expect(await dispatch(handlers, 'readers.list', {})).toMatchObject({ ok: false, error: { code: 'not-implemented' } });
  });

  it('refuses unknown channels with a typed error', async () => {
    const env = await dispatch(handlers, 'app.rm -rf', {});
    expect(env).toMatchObject({ ok: false, error: { code: 'unknown-channel' } });
  });

  it('refuses inherited property names as channels', async () => {
    const env = await dispatch(handlers, 'toString', {});
    expect(env).toMatchObject({ ok: false, error: { code: 'unknown-channel' } });
  });

  it('refuses non-string channels without throwing', async () => {
    expect(await dispatch(handlers, 42, {})).toMatchObject({ ok: false, error: { code: 'unknown-channel' } });
  });

  it('turns a schema failure into invalid-arguments with the offending key', async () => {
    const env = await dispatch(handlers, 'app.info', { surprise: 1 });
    expect(env.ok).toBe(false);
    if (!env.ok) {
      expect(env.error.code).toBe('invalid-arguments');
      expect(env.error.detail).toContain('surprise');
    }
  });

  it('refuses arguments that are not an object', async () => {
    for (const bad of ['x', 7, [], null]) {
      expect(await dispatch(handlers, 'app.info', bad)).toMatchObject({ ok: false, error: { code: 'invalid-arguments' } });
    }
  });

  it('passes a CardbenchError through with its code', async () => {
    const failing: Partial<Handlers> = {
      'app.info': () => {
        throw new CardbenchError('unavailable', 'PC/SC service not running', 'SCARD_E_NO_SERVICE');
      },
    };
    expect(await dispatch(failing, 'app.info', {})).toEqual({
      ok: false,
      error: { code: 'unavailable', message: 'PC/SC service not running', detail: 'SCARD_E_NO_SERVICE' },
    });
  });

  it('wraps an unexpected throw as internal, never rethrowing', async () => {
    const failing: Partial<Handlers> = {
      'app.info': async () => {
        throw new TypeError('boom');
      },
    };
    const env = await dispatch(failing, 'app.info', {});
    expect(env).toMatchObject({ ok: false, error: { code: 'internal', detail: 'boom' } });
    expect(() => unwrap(env)).toThrow(CardbenchError);
  });
});
